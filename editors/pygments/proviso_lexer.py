"""A Pygments lexer for Proviso policies (``*.proviso``), for notebooks, documentation and terminals.

    pygmentize -l editors/pygments/proviso_lexer.py:ProvisoLexer -x policies/cn/call_center.proviso

The keywords are those of grammar/Proviso.g4 (tests/python/test_editors.py keeps them equal); `///`
comments, which carry the text of the law, are ``Comment.Special``.
"""

from pygments.lexer import RegexLexer, bygroups, words
from pygments.token import Comment, Keyword, Name, Number, Operator, Punctuation, String, Text, Whitespace

__all__ = ["ProvisoLexer", "DECLARATIONS", "KEYWORDS", "TYPES", "CONSTANTS", "WORD_OPERATORS"]

#: Words that begin a declaration (or a header item).
DECLARATIONS = ("policy", "title", "document", "import", "law", "enum", "record", "input", "param", "let",
                "function", "table", "output", "rule", "obligation", "test", "calendar")
#: The other keywords: clauses, hit policies, aggregators, quantifiers, tests.
KEYWORDS = ("effective", "from", "until", "hit", "unique", "any", "first", "priority", "collect", "sum", "min", "max",
            "count", "all", "default", "when", "then", "else", "if", "exception", "to", "cite", "interpretation", "of",
            "subject", "must", "may", "deadline", "after", "violated", "as", "given", "set", "expect", "no", "error",
            "list", "working", "before", "every", "for", "each", "key", "missing", "where", "filter", "map", "union",
            "intersect", "minus", "empty", "match", "present")
TYPES = ("bool", "int", "decimal", "text", "date", "datetime", "duration")
CONSTANTS = ("true", "false", "none", "as_of", "now")
WORD_OPERATORS = ("and", "or", "not", "in", "is")

_UNITS = r"(?:second|minute|hour|day|week|month|year)s?\b"
_DIGITS = r"[0-9](?:_?[0-9])*"


class ProvisoLexer(RegexLexer):
    """Proviso, the policy-as-code language for legal obligations."""

    name = "Proviso"
    aliases = ["proviso"]
    filenames = ["*.proviso"]
    mimetypes = ["text/x-proviso"]

    tokens = {
        "root": [
            (r"[ \t\r\n]+", Whitespace),
            (r"///[^\r\n]*", Comment.Special),
            (r"//[^\r\n]*", Comment.Single),
            (r"/\*", Comment.Multiline, "comment"),
            (r'"(?:[^"\\\r\n]|\\["\\nt])*"', String),
            # date-times and dates before numbers
            (r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?(?:[Zz]|[+-][0-9]{2}:[0-9]{2})",
             Number.Other),
            (r"[0-9]{4}-[0-9]{2}-[0-9]{2}", Number.Other),
            (r"(" + _DIGITS + r")([ \t]+)(" + _UNITS + r")", bygroups(Number.Integer, Whitespace, Keyword.Type)),
            (_DIGITS + r"\." + _DIGITS, Number.Float),
            (_DIGITS, Number.Integer),
            (words(DECLARATIONS, suffix=r"\b"), Keyword.Declaration),
            (words(TYPES, suffix=r"\b"), Keyword.Type),
            (words(CONSTANTS, suffix=r"\b"), Keyword.Constant),
            (words(WORD_OPERATORS, suffix=r"\b"), Operator.Word),
            (words(KEYWORDS, suffix=r"\b"), Keyword),
            (r"[a-zA-Z_][a-zA-Z0-9_]*", Name),
            (r"=>|->|==|!=|<=|>=|\?\?|\.\.|[<>=+\-*/?|]", Operator),
            (r"[{}()\[\],:._]", Punctuation),
            (r".", Text),  # the compiler reports a bad character; the lexer shows it as it is
        ],
        "comment": [
            (r"[^*]+", Comment.Multiline),
            (r"\*/", Comment.Multiline, "#pop"),
            (r"\*", Comment.Multiline),
        ],
    }
