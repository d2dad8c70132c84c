// Positions in the Language Server Protocol versus positions in Proviso. LSP counts lines from 0 and
// characters in UTF-16 code units; Proviso spans (compiler/source) count lines and columns from 1, the
// columns in code points. Policies hold Chinese text (and the odd character outside the BMP, which is
// two UTF-16 units), so every conversion goes through the text of the line.
#ifndef PROVISO_COMPILER_LSP_POSITION_H_
#define PROVISO_COMPILER_LSP_POSITION_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "compiler/source/source.h"

namespace proviso::lsp {

// A position as LSP sees it: 0-based line, 0-based UTF-16 offset in the line.
struct Position {
  int line = 0;
  int character = 0;
  bool operator==(const Position& o) const { return line == o.line && character == o.character; }
};

// [start, end) as LSP sees it.
struct Range {
  Position start;
  Position end;
};

// The UTF-16 length of the first `code_points` code points of `line` (0-based column -> LSP character).
// A byte that does not start well-formed UTF-8 counts as one code point of one unit (as the lexer
// counts it); a column past the end of the line counts the missing code points as one unit each.
int Utf16Column(std::string_view line, int code_points);
// The number of code points in the first `units` UTF-16 units of `line` (LSP character -> 0-based
// column). A position inside a surrogate pair, or past the end of the line, is rounded to the code
// point it falls in (past the end: one code point per missing unit).
int CodePointColumn(std::string_view line, int units);
// The length of `s` in UTF-16 units.
int Utf16Length(std::string_view s);
// The byte offset of UTF-16 offset `units` in `line` (at most line.size()).
size_t ByteColumn(std::string_view line, int units);

// Lines of a text, split at '\n' (a '\r' before it is not part of the line). Views into `text`.
std::vector<std::string_view> SplitLines(std::string_view text);

// The byte offset in `text` of an LSP position (clamped to the text): applies incremental edits.
size_t OffsetOf(std::string_view text, Position p);

// The LSP range of a Proviso span of `text` (the file the span is in). An invalid span is 0:0-0:0.
Range ToRange(std::string_view text, const Span& span);
// The Proviso (1-based line, 1-based code-point column) of an LSP position in `text`.
void FromPosition(std::string_view text, Position p, int* line, int* col);

}  // namespace proviso::lsp

#endif  // PROVISO_COMPILER_LSP_POSITION_H_
