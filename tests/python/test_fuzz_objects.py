"""Random Python objects as facts (issue 22: a fuzz target for Python objects). A seeded generator
builds facts shaped like a policy's input, mutated with values of every kind Python callers send
(numpy and pandas scalars, Decimals, NaN and infinities, huge ints, lone surrogates, bytes, nested
and cyclic containers, wrong types, unknown fields). Each evaluation must give a decision or raise
ProvisoError (never another exception, never a crash of the interpreter), and both back ends must
agree: the same decision, or both an error. The same facts as a one-row frame must agree too.

PROVISO_FUZZ_OBJECTS=N runs N cases (default 3000; seeds are fixed, so a failure names its case).
"""

from __future__ import annotations

import datetime as dt
import decimal
import os
import random
from typing import Any, Dict, List

import numpy as np
import pandas as pd
import pytest

import proviso

POLICY = """policy fuzz_objects
enum Level { low, medium, high }
record Item { id: text, amount: decimal, tags: set<Level> }
input {
  flag: bool
  n: int
  ratio: decimal
  day: date
  at: datetime
  kept: duration
  level: Level
  name: text
  note: text?
  grade: int = 3
  levels: set<Level>
  items: list<Item>
}
output score: int
rule s { then score = n + grade + (count i in items: true) }
output big: bool
rule b { then big = ratio > 10.5 and level in levels }
output late: bool
rule l { then late = day + kept < as_of }
output named: text
rule nm { then named = note ?? name }
output total: decimal
rule t { then total = sum(map i in items: i.amount) }
output recent: bool
rule r { then recent = at > now - 30 days }
obligation keep {
  subject "operator"
  must "keep the records"
  deadline kept after day
  violated when flag and n > 100
  cite "t"
}
"""

N = int(os.environ.get("PROVISO_FUZZ_OBJECTS", "3000"))


def good_facts(rng: random.Random) -> Dict[str, Any]:
    levels = ["low", "medium", "high"]
    return {
        "flag": rng.random() < 0.5,
        "n": rng.randint(-1000, 1000),
        "ratio": round(rng.uniform(-100, 100), 3),
        "day": (dt.date(2020, 1, 1) + dt.timedelta(days=rng.randint(0, 2000))).isoformat(),
        "at": "2021-03-04T05:06:07Z",
        "kept": f"{rng.randint(0, 400)} days",
        "level": rng.choice(levels),
        "name": rng.choice(["a", "数据", "x" * 50, ""]),
        "note": rng.choice([None, "n"]),
        "levels": rng.sample(levels, rng.randint(0, 3)),
        "items": [{"id": str(k), "amount": rng.randint(0, 50), "tags": rng.sample(levels, rng.randint(0, 2))}
                  for k in range(rng.randint(0, 4))],
    }


def odd_value(rng: random.Random, depth: int = 0) -> Any:
    """A value of any kind a Python caller might pass."""
    choices = [
        lambda: None, lambda: True, lambda: 0, lambda: -1, lambda: 2**63, lambda: -(2**63) - 1, lambda: 10**40,
        lambda: float("nan"), lambda: float("inf"), lambda: -0.0, lambda: 1e300, lambda: 0.1,
        lambda: decimal.Decimal("1.0000001"), lambda: decimal.Decimal("NaN"), lambda: decimal.Decimal("-Infinity"),
        lambda: np.int64(7), lambda: np.int8(-3), lambda: np.float32(2.5), lambda: np.bool_(True),
        lambda: np.uint64(2**64 - 1), lambda: np.datetime64("2020-02-29"), lambda: np.timedelta64(3, "D"),
        lambda: pd.Timestamp("2021-01-01T12:00:00", tz="Asia/Shanghai"), lambda: pd.NaT, lambda: pd.NA,
        lambda: pd.Timedelta(hours=5), lambda: dt.date(1, 1, 1), lambda: dt.date(9999, 12, 31),
        lambda: dt.datetime(2020, 1, 1, 0, 0), lambda: dt.timedelta(seconds=-1), lambda: dt.time(1, 2),
        lambda: "2020-02-30", lambda: "30 dayz", lambda: "high", lambda: "HIGH", lambda: "\ud800", lambda: "\x00",
        lambda: b"bytes", lambda: bytearray(b"x"), lambda: object(), lambda: 1j, lambda: frozenset({"low"}),
        lambda: ("low", "high"), lambda: {"low": 1}, lambda: [],
    ]
    if depth < 3:
        choices += [lambda: [odd_value(rng, depth + 1) for _ in range(rng.randint(0, 3))],
                    lambda: {rng.choice(["id", "amount", "tags", "x", 1]): odd_value(rng, depth + 1)
                             for _ in range(rng.randint(0, 3))}]
    return rng.choice(choices)()


def mutate(rng: random.Random, facts: Dict[str, Any]) -> Dict[str, Any]:
    keys = list(facts)
    for _ in range(rng.randint(1, 3)):
        kind = rng.random()
        if kind < 0.6:
            facts[rng.choice(keys)] = odd_value(rng)
        elif kind < 0.7:
            facts.pop(rng.choice(keys), None)  # a fact not given
        elif kind < 0.8:
            facts[rng.choice(["extra", "", "items.0", 5])] = odd_value(rng)  # an unknown field
        elif kind < 0.9 and facts.get("items"):
            item = rng.choice(facts["items"]) if isinstance(facts["items"], list) else None
            if isinstance(item, dict):
                item[rng.choice(["id", "amount", "tags", "other"])] = odd_value(rng)
        else:
            cyclic: List[Any] = []
            cyclic.append(cyclic)
            facts[rng.choice(keys)] = cyclic
    return facts


def outcome(policy: proviso.Policy, facts: Any) -> Any:
    """The decision as data, or the error's class; anything but a ProvisoError fails the test."""
    try:
        d = policy.evaluate(facts, as_of="2024-06-01T00:00:00Z")
    except proviso.ProvisoError as e:
        assert str(e), "an error with no message"
        return type(e).__name__
    out = d.to_dict()
    out.pop("policy_version", None)
    return out


@pytest.fixture(scope="module")
def policies() -> List[proviso.Policy]:
    return [proviso.compile(POLICY, backend="jit"), proviso.compile(POLICY, backend="interpreter")]


@pytest.mark.parametrize("chunk", range(6))
def test_random_objects_give_a_decision_or_a_provisoerror_and_both_engines_agree(policies, chunk: int) -> None:
    jit, interp = policies
    per_chunk = max(1, N // 6)
    decided = errors = 0
    for case in range(chunk * per_chunk, (chunk + 1) * per_chunk):
        rng = random.Random(case)
        facts = good_facts(rng) if case % 5 == 0 else mutate(rng, good_facts(rng))
        a = outcome(jit, facts)
        b = outcome(interp, facts)
        assert a == b, f"case {case}: the back ends disagree on {facts!r}:\n{a}\n{b}"
        if isinstance(a, str):
            errors += 1
        else:
            decided += 1
    # The generator must exercise both paths, or it tests nothing.
    assert decided > 0 and errors > 0, (decided, errors)


def test_random_scalar_frames_give_a_frame_or_a_provisoerror(policies) -> None:
    # Frames of this policy are evaluated row by row (its input has lists and sets); each cell is a
    # random object, so both the frame encoding and the row path meet odd values.
    jit = policies[0]
    for case in range(max(1, N // 10)):
        rng = random.Random(10_000 + case)
        rows = [mutate(rng, good_facts(rng)) if rng.random() < 0.7 else good_facts(rng) for _ in range(3)]
        rows = [{k: v for k, v in r.items() if isinstance(k, str) and k} for r in rows]
        try:
            frame = pd.DataFrame(rows)
        except Exception:  # pandas itself refuses the objects: nothing reaches Proviso
            continue
        try:
            out = jit.evaluate_frame(frame, as_of="2024-06-01")
        except proviso.ProvisoError as e:
            assert str(e)
            continue
        assert len(out) == len(frame), f"case {case}: {len(out)} rows for {len(frame)}"
