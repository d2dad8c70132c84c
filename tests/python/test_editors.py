"""The editor grammars (editors/): the Pygments lexer and the TextMate grammar know exactly the
keywords of grammar/Proviso.g4, and lex every policy and golden case without an error token."""

from __future__ import annotations

import json
import re
import sys

import pytest

from conftest import ROOT

sys.path.insert(0, str(ROOT / "editors" / "pygments"))
import proviso_lexer  # noqa: E402

pygments = pytest.importorskip("pygments")
from pygments.token import Error  # noqa: E402


def grammar_keywords() -> set:
    """The words the ANTLR lexer reserves: `NAME : 'word' ;` (letters and `_` only)."""
    text = (ROOT / "grammar" / "Proviso.g4").read_text()
    return set(re.findall(r"\b[A-Z_]+\s*:\s*'([a-z][a-z_]*)'\s*;", text))


LEXER_WORDS = (set(proviso_lexer.DECLARATIONS) | set(proviso_lexer.KEYWORDS) | set(proviso_lexer.TYPES)
               | set(proviso_lexer.CONSTANTS) | set(proviso_lexer.WORD_OPERATORS))
POLICIES = sorted(ROOT.glob("policies/**/*.proviso")) + sorted((ROOT / "tests" / "golden" / "good").glob("*.proviso"))


def test_the_lexer_knows_the_grammars_keywords() -> None:
    words = grammar_keywords()
    assert len(words) > 80
    assert LEXER_WORDS == words, (sorted(words - LEXER_WORDS), sorted(LEXER_WORDS - words))


@pytest.mark.parametrize("path", POLICIES, ids=[str(p.relative_to(ROOT)) for p in POLICIES])
def test_every_policy_lexes_without_error(path) -> None:
    text = path.read_text()
    tokens = list(proviso_lexer.ProvisoLexer().get_tokens(text))
    # Pygments ends its token stream with a newline the text may lack.
    assert "".join(v for _, v in tokens) == (text if text.endswith("\n") else text + "\n")
    assert [v for t, v in tokens if t in Error] == []


def test_law_quotes_are_documentation_comments() -> None:
    tokens = list(proviso_lexer.ProvisoLexer().get_tokens('/// "the text of the law"\nrule r { then o = 30 days }\n'))
    assert (pygments.token.Comment.Special, '/// "the text of the law"') in tokens
    assert (pygments.token.Keyword.Type, "days") in tokens


def test_the_textmate_grammar_has_the_same_words() -> None:
    g = json.loads((ROOT / "editors" / "vscode" / "syntaxes" / "proviso.tmLanguage.json").read_text())
    assert g["scopeName"] == "source.proviso"
    found = set()
    for p in g["patterns"]:
        for key in ("match", "begin", "end"):
            if key in p:
                re.compile(p[key])  # Oniguruma is a superset of what these use
        m = re.fullmatch(r"\\b\(\?:([a-z_|]+)\)\\b", p.get("match", ""))
        if m:
            found |= set(m.group(1).split("|"))
    assert found == LEXER_WORDS
    package = json.loads((ROOT / "editors" / "vscode" / "package.json").read_text())
    assert package["contributes"]["grammars"][0]["path"] == "./syntaxes/proviso.tmLanguage.json"
