#include "compiler/lsp/position.h"

#include <algorithm>

namespace proviso::lsp {
namespace {

// The byte length of the code point at `i` (1 for a byte that does not start well-formed UTF-8), and
// its UTF-16 length in `units`.
size_t CodePointAt(std::string_view s, size_t i, int* units) {
  auto c = static_cast<unsigned char>(s[i]);
  size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
  if (n == 0 || i + n > s.size()) {
    *units = 1;
    return 1;
  }
  for (size_t k = 1; k < n; ++k) {
    if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) {
      *units = 1;
      return 1;
    }
  }
  *units = n == 4 ? 2 : 1;  // outside the BMP: a surrogate pair
  return n;
}

}  // namespace

int Utf16Column(std::string_view line, int code_points) {
  int units = 0;
  size_t i = 0;
  for (int cp = 0; cp < code_points; ++cp) {
    if (i >= line.size()) {
      units += code_points - cp;
      break;
    }
    int u = 0;
    i += CodePointAt(line, i, &u);
    units += u;
  }
  return units;
}

int CodePointColumn(std::string_view line, int units) {
  int seen = 0, cps = 0;
  size_t i = 0;
  while (seen < units) {
    if (i >= line.size()) return cps + (units - seen);
    int u = 0;
    i += CodePointAt(line, i, &u);
    if (seen + u > units) break;  // inside a surrogate pair: the code point it is part of
    seen += u;
    ++cps;
  }
  return cps;
}

int Utf16Length(std::string_view s) {
  int units = 0;
  for (size_t i = 0; i < s.size();) {
    int u = 0;
    i += CodePointAt(s, i, &u);
    units += u;
  }
  return units;
}

size_t ByteColumn(std::string_view line, int units) {
  int seen = 0;
  size_t i = 0;
  while (seen < units && i < line.size()) {
    int u = 0;
    size_t n = CodePointAt(line, i, &u);
    if (seen + u > units) break;
    seen += u;
    i += n;
  }
  return i;
}

std::vector<std::string_view> SplitLines(std::string_view text) {
  std::vector<std::string_view> lines;
  size_t start = 0;
  while (true) {
    size_t nl = text.find('\n', start);
    std::string_view line = text.substr(start, nl == std::string_view::npos ? std::string_view::npos : nl - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
    if (nl == std::string_view::npos) break;
    start = nl + 1;
  }
  return lines;
}

size_t OffsetOf(std::string_view text, Position p) {
  if (p.line < 0) return 0;
  size_t start = 0;
  for (int l = 0; l < p.line; ++l) {
    size_t nl = text.find('\n', start);
    if (nl == std::string_view::npos) return text.size();
    start = nl + 1;
  }
  size_t nl = text.find('\n', start);
  std::string_view line = text.substr(start, nl == std::string_view::npos ? std::string_view::npos : nl - start);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return start + ByteColumn(line, std::max(0, p.character));
}

namespace {

std::string_view LineOf(std::string_view text, int line /* 0-based */) {
  size_t start = 0;
  for (int l = 0; l < line; ++l) {
    size_t nl = text.find('\n', start);
    if (nl == std::string_view::npos) return {};
    start = nl + 1;
  }
  size_t nl = text.find('\n', start);
  std::string_view s = text.substr(start, nl == std::string_view::npos ? std::string_view::npos : nl - start);
  if (!s.empty() && s.back() == '\r') s.remove_suffix(1);
  return s;
}

}  // namespace

Range ToRange(std::string_view text, const Span& span) {
  Range r;
  if (!span.valid() || span.line < 1) return r;
  r.start.line = span.line - 1;
  r.start.character = Utf16Column(LineOf(text, r.start.line), std::max(0, span.col - 1));
  int end_line = span.end_line >= span.line ? span.end_line : span.line;
  int end_col = span.end_line >= span.line ? span.end_col : span.col;
  r.end.line = end_line - 1;
  r.end.character = Utf16Column(LineOf(text, r.end.line), std::max(0, end_col - 1));
  return r;
}

void FromPosition(std::string_view text, Position p, int* line, int* col) {
  *line = std::max(0, p.line) + 1;
  *col = CodePointColumn(LineOf(text, std::max(0, p.line)), std::max(0, p.character)) + 1;
}

}  // namespace proviso::lsp
