#include "compiler/law/law.h"

#include <fmt/format.h>

#include <set>
#include <string_view>


namespace proviso::law {

const Paragraph* Document::Find(const std::string& id) const {
  for (const Paragraph& p : paragraphs) {
    if (p.id == id) return &p;
  }
  return nullptr;
}

std::vector<std::string> Document::Ids() const {
  std::vector<std::string> out;
  for (const Paragraph& p : paragraphs) out.push_back(p.id);
  return out;
}

namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

int CodePoints(std::string_view s) {
  int n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

bool IsIdentStart(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool IsIdentChar(char c) { return IsIdentStart(c) || (c >= '0' && c <= '9'); }
bool IsIdChar(char c) { return IsIdentChar(c) || c == '.' || c == '-'; }

// Reads `"..."` (with \" and \\ escapes) at the start of `s`; advances `s` past it.
std::optional<std::string> ReadString(std::string_view& s) {
  if (s.empty() || s.front() != '"') return std::nullopt;
  std::string out;
  for (size_t i = 1; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 1 < s.size() && (s[i + 1] == '"' || s[i + 1] == '\\')) {
      out += s[++i];
    } else if (s[i] == '"') {
      s.remove_prefix(i + 1);
      return out;
    } else {
      out += s[i];
    }
  }
  return std::nullopt;
}

std::string_view ReadWord(std::string_view& s, bool (*ok)(char)) {
  size_t n = 0;
  while (n < s.size() && ok(s[n])) ++n;
  std::string_view w = s.substr(0, n);
  s.remove_prefix(n);
  return w;
}

class LawParser {
 public:
  LawParser(const SourceManager& sources, int file, DiagnosticSink& diags)
      : f_(sources.file(file)), file_(file), diags_(diags) {}

  std::optional<Document> Run() {
    Document doc;
    doc.path = f_.path;
    int lines = static_cast<int>(f_.line_starts.size());
    Paragraph* open = nullptr;  // the paragraph whose text is being read
    std::vector<std::string> text;
    std::set<std::string> seen;
    bool skipping = false;  // the lines of a paragraph whose header was wrong (reported once)
    auto close = [&] {
      if (!open) return;
      while (!text.empty() && Trim(text.back()).empty()) text.pop_back();
      size_t first = 0;
      while (first < text.size() && Trim(text[first]).empty()) ++first;
      for (size_t i = first; i < text.size(); ++i) open->text += (i > first ? "\n" : "") + text[i];
      if (open->text.empty()) Error(open->span, fmt::format("paragraph `{}` has no text", open->id));
      text.clear();
      open = nullptr;
    };
    for (int line = 1; line <= lines; ++line) {
      std::string_view raw = f_.Line(line);
      if (!raw.empty() && raw.back() == '\r') raw.remove_suffix(1);
      std::string_view s = Trim(raw);
      if (!raw.empty() && raw.front() == '[') {
        close();
        Paragraph p;
        skipping = true;
        if (!ReadHeader(raw, line, p)) continue;
        if (doc.name.empty()) {
          Error(At(line, 1, 1), "a paragraph before the `document` line");
          return std::nullopt;
        }
        if (!seen.insert(p.id).second) {
          Error(p.span, fmt::format("paragraph `{}` is declared twice", p.id));
          continue;
        }
        doc.paragraphs.push_back(std::move(p));
        open = &doc.paragraphs.back();
        skipping = false;
        continue;
      }
      if (skipping) continue;
      if (open) {
        text.emplace_back(raw);
        continue;
      }
      if (s.empty() || s.substr(0, 2) == "//") continue;
      std::string_view rest = s;
      std::string_view key = ReadWord(rest, IsIdentChar);
      rest = Trim(rest);
      int col = CodePoints(raw.substr(0, s.data() - raw.data())) + 1;
      if (key == "document" && doc.name.empty()) {
        std::string_view name = ReadWord(rest, IsIdentChar);
        rest = Trim(rest);
        std::optional<std::string> title = ReadString(rest);
        if (name.empty() || !IsIdentStart(name.front()) || !title || !Trim(rest).empty()) {
          Error(At(line, col, col + CodePoints(s)), "expected `document NAME \"TITLE\"`");
          return std::nullopt;
        }
        doc.name = std::string(name);
        doc.title = *title;
        doc.span = At(line, col, col + CodePoints(s));
      } else if (key == "source" && !doc.name.empty()) {
        std::optional<std::string> src = ReadString(rest);
        if (!src || !Trim(rest).empty()) Error(At(line, col, col + 6), "expected `source \"TEXT\"`");
        else doc.source = *src;
      } else {
        Error(At(line, col, col + std::max<int>(1, static_cast<int>(key.size()))),
              doc.name.empty() ? "a law file starts with `document NAME \"TITLE\"`"
                               : "expected `source \"TEXT\"` or a paragraph header `[ID]`");
        if (doc.name.empty()) return std::nullopt;
      }
    }
    close();
    if (doc.name.empty()) {
      Error(At(1, 1, 1), "a law file starts with `document NAME \"TITLE\"`");
      return std::nullopt;
    }
    if (doc.paragraphs.empty()) Error(doc.span, fmt::format("document `{}` has no paragraph", doc.name));
    return doc;
  }

 private:
  // `[ID]` or `[ID] informative "REASON"`.
  bool ReadHeader(std::string_view raw, int line, Paragraph& p) {
    std::string_view s = raw.substr(1);
    std::string_view id = ReadWord(s, IsIdChar);
    int end = CodePoints(raw);
    if (id.empty() || !IsIdentChar(id.front()) || s.empty() || s.front() != ']') {
      Error(At(line, 1, end + 1), "expected a paragraph header `[ID]` (ID: letters, digits, `.`, `-`, `_`)");
      return false;
    }
    s.remove_prefix(1);
    p.id = std::string(id);
    p.span = At(line, 1, static_cast<int>(id.size()) + 3);
    s = Trim(s);
    if (s.empty()) return true;
    std::string_view rest = s;
    std::string_view word = ReadWord(rest, IsIdentChar);
    rest = Trim(rest);
    std::optional<std::string> reason = word == "informative" ? ReadString(rest) : std::nullopt;
    if (!reason || !Trim(rest).empty()) {
      Error(At(line, 1, end + 1), fmt::format("expected `[{}]` or `[{}] informative \"REASON\"`", p.id, p.id));
      return false;
    }
    if (Trim(*reason).empty()) {
      Error(p.span, fmt::format("paragraph `{}` is informative without a reason", p.id));
      return false;
    }
    p.informative = true;
    p.reason = *reason;
    return true;
  }

  Span At(int line, int col, int end_col) const { return Span{file_, line, col, line, end_col}; }
  void Error(Span span, std::string message) { diags_.Error("E0701", span, std::move(message)); }

  const SourceFile& f_;
  int file_;
  DiagnosticSink& diags_;
};

}  // namespace

std::optional<Document> Parse(const SourceManager& sources, int file, DiagnosticSink& diags) {
  return LawParser(sources, file, diags).Run();
}

}  // namespace proviso::law
