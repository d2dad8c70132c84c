// `proviso fmt`: the one canonical layout of a policy file (also the formatter an editor calls).
//
// The layout is computed from the tokens alone (comments included) and the little the parse says
// about them (compiler/parser/layout_tokens.h): indentation by nesting (two spaces a level, header
// items and wrapped lines one level more, a declaration wrapped before its `{` two; the wrapped
// contents of a bracket whose contents start on its line line up after the bracket), one space
// between tokens except where the house style has none (`f(x)`, `a.b`, `1..5`, `set<text>`, `x: T`,
// `{a, b}`, `-x`), `{` on the line of its declaration, every declaration and block item on a line of
// its own in a block written on several lines, at most one blank line (none at the start of a block
// or before its end), no trailing whitespace, one final newline. The author's other line breaks are
// kept. Each table's rows that fit on one line are aligned in columns; a comment at the end of a line
// keeps its column (at least one space after the code), and comments that were aligned stay aligned.
// Formatting is idempotent, and never changes the tokens: the result is checked (VerifyFormatting).
#ifndef PROVISO_COMPILER_FORMAT_FORMAT_H_
#define PROVISO_COMPILER_FORMAT_FORMAT_H_

#include <string>
#include <vector>

#include "compiler/diag/diagnostic.h"
#include "compiler/parser/layout_tokens.h"
#include "compiler/source/source.h"

namespace proviso::format {

// The outcome of formatting one text.
struct FormatResult {
  bool ok = false;
  std::string text;                     // the formatted text, when ok
  std::vector<Diagnostic> diagnostics;  // why not, when !ok (spans are in `sources`, file 0)
  SourceManager sources;                // holds the input text under its name

  // The diagnostics rendered like the compiler's (`error[E0001]: ...`, ` --> file:line:col`).
  std::string RenderDiagnostics() const { return RenderText(diagnostics, sources); }
};

// Formats `text`, named `name` in diagnostics. A text that does not parse is not formatted: its
// syntax errors are returned (the same as `proviso check` reports). If the formatted text would not
// have exactly the same tokens and comments as `text`, nothing is returned but an E0901 error at
// the first difference (a bug in the formatter, never a change to the policy). Pure: no file is
// read or written, thread-safe. Deeply nested text needs a large stack, as Parse does.
FormatResult FormatSource(const std::string& name, const std::string& text);

// The layout engine alone: the text of `tokens` (from LayoutTokens of a file that parses) in the
// canonical layout. Exposed for tests; FormatSource is the entry point.
std::string Layout(const std::vector<LayoutToken>& tokens);

// Checks that `formatted` has the tokens of `original` (which parses), in order, and its comments,
// in order and with the same text (trailing spaces of a line comment aside). Returns true, or adds
// an E0901 error to `diags` naming the first difference (in file `file` of `sm`, the original) and
// returns false. Thread-safe.
bool VerifyFormatting(const SourceManager& sm, int file, const std::string& formatted, DiagnosticSink& diags);

}  // namespace proviso::format

#endif  // PROVISO_COMPILER_FORMAT_FORMAT_H_
