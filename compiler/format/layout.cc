// The layout engine of `proviso fmt` (format.h states the layout). Four passes over the tokens:
// where lines break and how many spaces separate tokens on a line; the indentation of each line;
// the columns of table rows; the column of comments that end a line. All are loops (no recursion).
#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "compiler/format/format.h"

namespace proviso::format {
namespace {

using Kind = LayoutToken::Kind;
using Role = LayoutToken::Role;
using Item = LayoutToken::Item;

bool IsCode(const LayoutToken& t) { return t.kind == Kind::kCode; }
bool IsOpener(const LayoutToken& t) {
  return IsCode(t) && (t.type == "LBRACE" || t.type == "LPAREN" || t.type == "LBRACKET");
}
bool IsCloser(const LayoutToken& t) {
  return IsCode(t) && (t.type == "RBRACE" || t.type == "RPAREN" || t.type == "RBRACKET");
}
// A brace with a space inside when its block is written on one line: `enum E { a, b }`.
bool IsSpacedBrace(const LayoutToken& t) {
  return t.role == Role::kBlockOpen || t.role == Role::kBlockClose || t.role == Role::kMatchOpen ||
         t.role == Role::kMatchClose;
}
bool EndsLine(const LayoutToken& t) { return t.kind == Kind::kLineComment || t.kind == Kind::kDocComment; }

int EndLine(const LayoutToken& t) {
  return t.line + static_cast<int>(std::count(t.text.begin(), t.text.end(), '\n'));
}

// Columns count code points, as the compiler's do.
int Width(const std::string& s) {
  auto starts_code_point = [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; };
  return static_cast<int>(std::count_if(s.begin(), s.end(), starts_code_point));
}

// The text a token is written as: a line comment loses the spaces that end its line.
std::string TextOf(const LayoutToken& t) {
  std::string s = t.text;
  if (t.kind != Kind::kBlockComment) {
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.pop_back();
  }
  return s;
}

// Spaces between two tokens on one line.
int Spaces(const LayoutToken& p, const LayoutToken& t) {
  if (!IsCode(p) || !IsCode(t)) return 1;
  const std::string& a = p.type;
  const std::string& b = t.type;
  if (a == "LBRACE") return IsSpacedBrace(p) && b != "RBRACE" ? 1 : 0;
  if (b == "RBRACE") return IsSpacedBrace(t) ? 1 : 0;
  if (a == "LPAREN" || a == "LBRACKET") return 0;
  if (b == "QUESTION") return a == "QUESTION" ? 1 : 0;  // `T??` would be the `??` operator
  if (b == "RPAREN" || b == "RBRACKET" || b == "COMMA" || b == "COLON") return 0;
  if (a == "DOT" || b == "DOT" || a == "DOTDOT" || b == "DOTDOT") return 0;
  if (p.role == Role::kTypeOpen || t.role == Role::kTypeOpen || t.role == Role::kTypeClose) return 0;
  if (p.role == Role::kUnary) return 0;
  if (b == "LPAREN" && (a == "ID" || a == "MIN" || a == "MAX" || a == "COUNT" || a == "SUM" || a == "DATE_T" ||
                        a == "DATETIME_T")) {
    return 0;  // a call, or the parameters of a table or function
  }
  return 1;
}

struct Piece {
  int tok;
  int spaces;  // before the token (ignored for the first piece of a line)
};

struct Line {
  std::vector<Piece> pieces;
  bool blank_before = false;
  int indent = 0;  // in columns
  int inner = 0;   // for a line that starts with a closer: the indentation of the lines it closes
};

constexpr int kIndent = 2;  // one level

class Layouter {
 public:
  explicit Layouter(const std::vector<LayoutToken>& toks) : t_(toks) {}

  std::string Run() {
    if (t_.empty()) return "";
    Match();
    BreakLines();
    Indent();
    AlignTables();
    AlignComments();
    return Render();
  }

 private:
  // partner_[i]: the matching bracket of a bracket; encl_[i]: the innermost bracket open at token i.
  void Match() {
    partner_.assign(t_.size(), -1);
    encl_.assign(t_.size(), -1);
    std::vector<int> stack;
    for (int i = 0; i < static_cast<int>(t_.size()); ++i) {
      encl_[i] = stack.empty() ? -1 : stack.back();
      if (IsOpener(t_[i])) {
        stack.push_back(i);
      } else if (IsCloser(t_[i]) && !stack.empty()) {
        partner_[i] = stack.back();
        partner_[stack.back()] = i;
        stack.pop_back();
        encl_[i] = stack.empty() ? -1 : stack.back();
      }
    }
  }

  // A block brace whose block the author wrote on several lines.
  bool MultiLineBlock(int open) const {
    return open >= 0 && IsSpacedBrace(t_[open]) && partner_[open] >= 0 && t_[partner_[open]].line != t_[open].line;
  }

  void BreakLines() {
    lines_.push_back(Line{{Piece{0, 0}}, false});
    for (int i = 1; i < static_cast<int>(t_.size()); ++i) {
      const LayoutToken& p = t_[i - 1];
      const LayoutToken& t = t_[i];
      int nl = std::min(2, std::max(0, t.line - EndLine(p)));
      if (EndsLine(p)) nl = std::max(nl, 1);
      // `{` on the line of its declaration (or of its `match`).
      if ((t.role == Role::kBlockOpen || t.role == Role::kMatchOpen) && IsCode(p) && nl > 0) nl = 0;
      if (nl == 0 && IsCode(t)) {
        // A comment before an item on its line stays with it: only code makes the line taken.
        bool taken = std::any_of(lines_.back().pieces.begin(), lines_.back().pieces.end(),
                                 [&](const Piece& pc) { return IsCode(t_[pc.tok]); });
        bool item = t.item != Item::kNone && taken && (encl_[i] < 0 || MultiLineBlock(encl_[i]));
        bool after_open = IsCode(p) && MultiLineBlock(i - 1) && p.role != Role::kNone && IsOpener(p);
        bool close = IsCloser(t) && MultiLineBlock(partner_[i]);
        if (item || after_open || close) nl = 1;
      }
      // No blank line at the start or the end of a block.
      if (nl == 2 && (IsOpener(p) || IsCloser(t))) nl = 1;
      if (nl == 0) {
        lines_.back().pieces.push_back(Piece{i, Spaces(p, t)});
      } else {
        lines_.push_back(Line{{Piece{i, 0}}, nl == 2});
      }
    }
  }

  struct Frame {
    int content = 0;     // the indentation of the lines inside
    int close = 0;       // the indentation of a line that starts with the closer
    int item = -1;       // the first token of the item being read in this frame
    int item_indent = 0; // the indentation of that item's first line
  };

  void Indent() {
    std::vector<Frame> frames{Frame{}};
    std::vector<int> code_lines;
    for (int li = 0; li < static_cast<int>(lines_.size()); ++li) {
      Line& line = lines_[li];
      const int f = line.pieces[0].tok;
      const LayoutToken& first = t_[f];
      if (!IsCode(first)) continue;  // comment lines: below, from their neighbours
      code_lines.push_back(li);
      Frame& top = frames.back();
      if (IsCloser(first) && frames.size() > 1) {
        line.indent = top.close;
        line.inner = top.content;
      } else if (first.item != Item::kNone) {
        line.indent = top.content + (first.item == Item::kHeaderItem ? kIndent : 0);
      } else if (top.item >= 0) {
        // A wrapped line of an item: one level more; two for a declaration wrapped before its `{`,
        // so that its clauses do not line up with its body. The `{` alone on a line: the item's.
        int body = t_[top.item].body;
        line.indent = top.item_indent + (f == body ? 0 : body > f ? 2 * kIndent : kIndent);
      } else {
        line.indent = top.content;
      }
      int col = line.indent;
      for (size_t k = 0; k < line.pieces.size(); ++k) {
        const Piece& pc = line.pieces[k];
        const LayoutToken& t = t_[pc.tok];
        if (k > 0) col += pc.spaces;
        col += Width(TextOf(t));
        if (!IsCode(t)) continue;
        if (t.item != Item::kNone) {
          frames.back().item = pc.tok;
          frames.back().item_indent = line.indent;
        }
        if (IsOpener(t)) {
          Frame fr;
          if (t.role == Role::kBlockOpen) {
            int owner = frames.back().item >= 0 ? frames.back().item_indent : line.indent;
            fr.content = owner + kIndent;
            fr.close = owner;
          } else if (k + 1 < line.pieces.size() && !EndsLine(t_[line.pieces[k + 1].tok])) {
            // Brackets whose contents start on their line: the wrapped contents line up after them.
            fr.content = col + line.pieces[k + 1].spaces;
            fr.close = line.indent;
          } else {
            fr.content = line.indent + kIndent;
            fr.close = line.indent;
          }
          frames.push_back(fr);
          opened_[pc.tok] = fr.content;
        } else if (IsCloser(t) && frames.size() > 1) {
          frames.pop_back();
        }
      }
    }
    // A comment line: at the indentation of the code after it (inside the block when that code
    // closes it), unless a blank line separates it from that code and not from the code before:
    // then it belongs to the code before (a note after a declaration's last clause).
    size_t next = 0;  // index into code_lines of the first code line after li
    int prev_code = -1;
    for (int li = 0; li < static_cast<int>(lines_.size()); ++li) {
      if (IsCode(t_[lines_[li].pieces[0].tok])) {
        prev_code = li;
        ++next;
        continue;
      }
      int after = next < code_lines.size() ? code_lines[next] : -1;
      bool blank_after = false, blank_before = lines_[li].blank_before;
      for (int k = li + 1; after >= 0 && k <= after; ++k) blank_after |= lines_[k].blank_before;
      for (int k = prev_code + 1; prev_code >= 0 && k < li; ++k) blank_before |= lines_[k].blank_before;
      if (after < 0) {
        lines_[li].indent = 0;
      } else if (IsCloser(t_[lines_[after].pieces[0].tok])) {
        lines_[li].indent = lines_[after].inner;
      } else if (blank_after && !blank_before && prev_code >= 0) {
        const Line& pl = lines_[prev_code];
        int last = pl.pieces.back().tok;
        lines_[li].indent = opened_.count(last) ? opened_.at(last) : pl.indent;
      } else {
        lines_[li].indent = lines_[after].indent;
      }
    }
  }

  // The text of pieces [from, to) of a line, without the spaces before the first.
  std::string Text(const Line& line, size_t from, size_t to) const {
    std::string s;
    for (size_t k = from; k < to; ++k) {
      if (k > from) s.append(static_cast<size_t>(line.pieces[k].spaces), ' ');
      s += TextOf(t_[line.pieces[k].tok]);
    }
    return s;
  }

  // Rows of a table written one per line are aligned in columns: each cell padded to the widest of
  // its column, the `=>` after the widest row.
  void AlignTables() {
    struct Row {
      Line* line;
      std::vector<size_t> starts;  // the piece starting each cell
      std::vector<int> widths;     // each cell's width, its comma included
      size_t arrow;
    };
    std::vector<std::pair<int, std::vector<Row>>> tables;  // by the table's `{`
    for (Line& line : lines_) {
      int f = line.pieces[0].tok;
      if (t_[f].item != Item::kTableRow) continue;
      Row row{&line, {0}, {}, 0};
      for (size_t k = 1; k < line.pieces.size() && row.arrow == 0; ++k) {
        const LayoutToken& t = t_[line.pieces[k].tok];
        if (t.role == Role::kCellComma && encl_[line.pieces[k].tok] == encl_[f]) row.starts.push_back(k + 1);
        if (t.role == Role::kRowArrow && encl_[line.pieces[k].tok] == encl_[f]) row.arrow = k;
      }
      if (row.arrow == 0 || row.starts.back() >= row.arrow) continue;  // the row's cells wrap
      // A row that goes on to the next line is left as it is (its wrapped part lines up with it).
      int last_code = -1;
      for (const Piece& pc : line.pieces) {
        if (IsCode(t_[pc.tok])) last_code = pc.tok;
      }
      int after = last_code + 1;
      while (after < static_cast<int>(t_.size()) && !IsCode(t_[after])) ++after;
      bool row_ends = after >= static_cast<int>(t_.size()) || t_[after].item == Item::kTableRow ||
                      (IsCloser(t_[after]) && partner_[after] == encl_[f]);
      if (!row_ends) continue;
      for (size_t c = 0; c < row.starts.size(); ++c) {
        size_t end = c + 1 < row.starts.size() ? row.starts[c + 1] : row.arrow;
        row.widths.push_back(Width(Text(line, row.starts[c], end)));
      }
      int table = encl_[f];
      if (tables.empty() || tables.back().first != table) tables.push_back({table, {}});
      tables.back().second.push_back(row);
    }
    for (auto& [table, rows] : tables) {
      if (rows.size() < 2) continue;
      std::vector<int> col;
      for (const Row& r : rows) {
        // A row's last cell is not padded (the `=>` is): it does not widen its column.
        for (size_t c = 0; c + 1 < r.widths.size(); ++c) {
          if (col.size() <= c) col.push_back(0);
          col[c] = std::max(col[c], r.widths[c]);
        }
      }
      auto cells_width = [&](const Row& r) {
        int w = 0;
        for (size_t c = 0; c + 1 < r.widths.size(); ++c) w += col[c] + 1;
        return w + r.widths.back();
      };
      int widest = 0;
      for (const Row& r : rows) widest = std::max(widest, cells_width(r));
      for (Row& r : rows) {
        for (size_t c = 1; c < r.starts.size(); ++c) {
          r.line->pieces[r.starts[c]].spaces = col[c - 1] - r.widths[c - 1] + 1;
        }
        r.line->pieces[r.arrow].spaces = widest - cells_width(r) + 1;
      }
    }
  }

  // A comment that ends a line of code keeps its column, moved with the line's indentation, and at
  // least one space after the code; comments of consecutive lines that were in one column stay in
  // one. A comment alone on the next line in that column continues the comment: it stays under it.
  void AlignComments() {
    struct Trailing {
      Line* line;
      int orig;     // the comment's column in the source
      int desired;  // that column moved with the line's indentation
      int code;     // the width of the line before the comment (-1: a comment alone on its line)
    };
    std::vector<std::vector<Trailing>> groups;
    bool previous = false;
    for (Line& line : lines_) {
      const LayoutToken& last = t_[line.pieces.back().tok];
      const LayoutToken& first = t_[line.pieces[0].tok];
      bool trailing = line.pieces.size() > 1 && EndsLine(last) && IsCode(first);
      bool continues = line.pieces.size() == 1 && last.kind == Kind::kLineComment && previous &&
                       !line.blank_before && groups.back().back().orig == last.col;
      if (continues) {
        groups.back().push_back(Trailing{&line, last.col, 0, -1});
        continue;
      }
      std::string code = trailing ? Text(line, 0, line.pieces.size() - 1) : "";
      if (!trailing || code.find('\n') != std::string::npos) {  // (after a block comment of several lines: as is)
        previous = false;
        continue;
      }
      int delta = first.line == last.line ? line.indent - first.col : 0;
      Trailing tr{&line, last.col, last.col + delta, line.indent + Width(code)};
      if (previous && !line.blank_before && groups.back().back().orig == tr.orig) {
        groups.back().push_back(tr);
      } else {
        groups.push_back({tr});
      }
      previous = true;
    }
    for (auto& g : groups) {
      int column = 0;
      for (const Trailing& tr : g) {
        if (tr.code >= 0) column = std::max({column, tr.desired, tr.code + 1});
      }
      for (Trailing& tr : g) {
        if (tr.code >= 0) tr.line->pieces.back().spaces = column - tr.code;
        else tr.line->indent = column;
      }
    }
  }

  std::string Render() const {
    std::string out;
    for (size_t li = 0; li < lines_.size(); ++li) {
      const Line& line = lines_[li];
      if (line.blank_before && li > 0) out += "\n";
      out.append(static_cast<size_t>(line.indent), ' ');
      out += Text(line, 0, line.pieces.size());
      out += "\n";
    }
    return out;
  }

  const std::vector<LayoutToken>& t_;
  std::vector<int> partner_, encl_;
  std::vector<Line> lines_;
  std::map<int, int> opened_;  // an opener -> the indentation of the lines inside
};

}  // namespace

std::string Layout(const std::vector<LayoutToken>& tokens) { return Layouter(tokens).Run(); }

}  // namespace proviso::format
