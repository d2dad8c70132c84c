"""Text and enum columns of str objects, one per cell as pandas.read_json gives them: coded by their
characters (factorize_objects' flat table), the same as categoricals or repeated objects."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import proviso
from proviso import _proviso
from conftest import AS_OF
from frame_data import random_frame

KINDS = Path(__file__).parent / "policies" / "kinds.proviso"
MISSING = (pd.NA, pd.NaT)


@pytest.fixture(scope="module")
def kinds():
    return proviso.compile(KINDS)


def fresh(values) -> np.ndarray:
    """The values as an object array of distinct str objects (equal texts, never the same object)."""
    out = np.empty(len(values), dtype=object)
    for i, v in enumerate(values):
        out[i] = None if v is None else "".join(list(v))  # a new object, even for one character
    return out


def test_read_json_columns_equal_categoricals(kinds) -> None:
    df = random_frame(kinds.batch_inputs(), 2000, seed=21)
    expected = kinds.evaluate_frame(df, as_of=AS_OF)
    text = ["item.color", "item.note"]
    as_json = df[text].astype(object).where(df[text].notna(), None).to_json(orient="records")
    read = pd.read_json(io.StringIO(as_json), orient="records", dtype=False)
    colors = read["item.color"].tolist()
    same = [i for i in range(1, len(colors)) if colors[i] == colors[0]]
    assert read["item.color"].dtype == object and same and all(colors[i] is not colors[0] for i in same)
    got = kinds.evaluate_frame(df.assign(**{c: read[c].to_numpy() for c in text}), as_of=AS_OF)
    pd.testing.assert_frame_equal(got, expected)


@pytest.mark.parametrize("texts", [
    ["a", "b", "ab", "", "a" * 100, "b" * 17],                    # ASCII, empty, long, 8-byte edges
    ["é", "e", "café", "cafe", "ÿ", "\x00"],                     # Latin-1 (1 byte a character)
    ["中", "中国", "国", "Ā", "日本語のテキスト"],                     # 2 bytes a character
    ["😀", "😀😀", "a😀", "\U0010ffff", "中😀"],                    # 4 bytes a character
    ["Ā", "\x00\x01", "Ā\x00", "\x00\x01\x00\x00", "\U00010000", "\x00\x00\x01\x00"],  # equal bytes, other widths
])
def test_codes_of_distinct_objects_follow_the_characters(texts) -> None:
    """Equal texts get one code whatever object holds them; different ones never share one, even
    when CPython holds them in the same bytes at another width ("Ā", 2 bytes 00 01, and "\\x00\\x01")."""
    rng = np.random.default_rng(1)
    picks = rng.integers(0, len(texts), 5000)
    values = fresh([texts[k] for k in picks])
    codes, uniques, bad_row, _ = _proviso.factorize_objects(values, None, 8, MISSING)
    assert bad_row == -1
    assert len(uniques) == len(set(texts[k] for k in picks))
    assert [uniques[c] for c in codes] == [texts[k] for k in picks]
    # As an enum: each text's code is its index among the categories.
    codes, _, bad_row, _ = _proviso.factorize_objects(values, texts, 1, MISSING)
    assert bad_row == -1 and codes.tolist() == picks.tolist()


def test_many_distinct_texts_grow_the_table() -> None:
    n = 50_000
    texts = [f"id-{k * 7919 % n}" for k in range(n)]
    values = fresh(texts + texts[::-1])
    codes, uniques, bad_row, _ = _proviso.factorize_objects(values, None, 8, MISSING)
    assert bad_row == -1 and len(uniques) == n
    assert codes[:n].tolist() == list(range(n)) and codes[n:].tolist() == list(range(n))[::-1]


def test_a_str_subclass_is_coded_by_its_characters() -> None:
    class Odd(str):
        def __hash__(self) -> int:  # noqa: D401 - a hash that disagrees with str's
            return 7

    values = np.array([Odd("red"), "red", Odd("blue"), "blue", None, np.nan, pd.NA], dtype=object)
    codes, uniques, bad_row, _ = _proviso.factorize_objects(values, None, 8, MISSING)
    assert bad_row == -1 and list(uniques) == ["red", "blue"] and codes.tolist() == [0, 0, 1, 1, -1, -1, -1]
    codes, _, bad_row, _ = _proviso.factorize_objects(values, ["blue", "red"], 1, MISSING)
    assert bad_row == -1 and codes.tolist() == [1, 1, 0, 0, -1, -1, -1]


def test_a_lone_surrogate_in_a_text_column_names_column_and_row(kinds) -> None:
    df = random_frame(kinds.batch_inputs(), 20, seed=2, missing=0.0)
    note = fresh(df["item.note"].tolist())
    note[13] = "bad \ud800 text"
    with pytest.raises(proviso.FactsError) as info:
        kinds.evaluate_frame(df.assign(**{"item.note": note}), as_of=AS_OF)
    e = info.value
    assert (e.column, e.row) == ("item.note", 13) and "lone surrogate" in str(e)


def test_a_text_that_is_not_a_category_names_its_row(kinds) -> None:
    df = random_frame(kinds.batch_inputs(), 20, seed=2, missing=0.0)
    color = fresh(df["item.color"].astype(str).tolist())
    color[9] = "purple"
    with pytest.raises(proviso.FactsError) as info:
        kinds.evaluate_frame(df.assign(**{"item.color": color}), as_of=AS_OF)
    assert (info.value.column, info.value.row) == ("item.color", 9)
    assert "'purple' is not one of red, green, blue" in str(info.value)
