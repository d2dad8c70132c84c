#include "compiler/diag/diagnostic.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include <fmt/format.h>

#include "compiler/support/utf8.h"

namespace proviso {

Diagnostic& DiagnosticSink::Error(std::string code, Span span, std::string message) {
  diags_.push_back(Diagnostic{Severity::kError, std::move(code), std::move(message), span, {}, {}, {}});
  return diags_.back();
}

Diagnostic& DiagnosticSink::Warning(std::string code, Span span, std::string message) {
  diags_.push_back(
      Diagnostic{Severity::kWarning, std::move(code), std::move(message), span, {}, {}, {}});
  return diags_.back();
}

bool DiagnosticSink::HasErrors() const { return ErrorCount() > 0; }

int DiagnosticSink::ErrorCount() const {
  return static_cast<int>(std::count_if(diags_.begin(), diags_.end(), [](const Diagnostic& d) {
    return d.severity == Severity::kError;
  }));
}

void DiagnosticSink::Sort() {
  std::stable_sort(diags_.begin(), diags_.end(), [](const Diagnostic& a, const Diagnostic& b) {
    return std::tie(a.span.file, a.span.line, a.span.col) <
           std::tie(b.span.file, b.span.line, b.span.col);
  });
}

namespace {

const char* SeverityName(Severity s) {
  switch (s) {
    case Severity::kError: return "error";
    case Severity::kWarning: return "warning";
    case Severity::kNote: return "note";
  }
  return "error";
}

// Number of code points in a UTF-8 prefix, used to place carets under the right character.
size_t ByteOffsetOfColumn(std::string_view line, int col) {
  size_t i = 0;
  int c = 1;
  while (i < line.size() && c < col) {
    unsigned char ch = static_cast<unsigned char>(line[i]);
    size_t len = ch < 0x80 ? 1 : (ch >> 5) == 6 ? 2 : (ch >> 4) == 14 ? 3 : 4;
    i += len;
    ++c;
  }
  return std::min(i, line.size());
}

void RenderExcerpt(std::string& out, const Span& span, const std::string& label,
                   const SourceManager& sm) {
  if (!span.valid()) return;
  const SourceFile& f = sm.file(span.file);
  std::string printable = ValidUtf8(f.Line(span.line));  // a line of a file that is not UTF-8
  std::string_view line = printable;
  std::string num = std::to_string(span.line);
  std::string pad(num.size(), ' ');
  out += fmt::format("{} |\n{} | {}\n{} | ", pad, num, line, pad);
  // One space per code point before the caret (tabs kept, so that it lines up in a terminal).
  size_t start = ByteOffsetOfColumn(line, span.col);
  for (size_t i = 0; i < start; ++i) {
    unsigned char ch = static_cast<unsigned char>(line[i]);
    if ((ch & 0xC0) == 0x80) continue;  // a continuation byte of the same code point
    out += ch == '\t' ? '\t' : ' ';
  }
  int width = 1;
  if (span.end_line == span.line && span.end_col > span.col) width = span.end_col - span.col;
  if (span.end_line > span.line) {
    // Underline to the end of the first line.
    int line_cols = static_cast<int>(line.size());  // approximation for multi-line spans
    width = std::max(1, line_cols - span.col + 1);
  }
  out += std::string(width, '^');
  if (!label.empty()) out += " " + label;
  out += "\n";
}

}  // namespace

std::string FormatLocation(const Span& span, const SourceManager& sm) {
  if (!span.valid()) return "<unknown>";
  return fmt::format("{}:{}:{}", sm.file(span.file).path, span.line, span.col);
}

std::string RenderText(const Diagnostic& d, const SourceManager& sm) {
  std::string out = fmt::format("{}[{}]: {}\n", SeverityName(d.severity), d.code, d.message);
  if (d.span.valid()) {
    std::string pad(std::to_string(d.span.line).size(), ' ');
    out += fmt::format("{}--> {}\n", pad, FormatLocation(d.span, sm));
    RenderExcerpt(out, d.span, d.label, sm);
  }
  for (const DiagNote& n : d.notes) {
    out += fmt::format("note: {}\n", n.message);
    if (n.span.valid()) {
      std::string pad(std::to_string(n.span.line).size(), ' ');
      out += fmt::format("{}--> {}\n", pad, FormatLocation(n.span, sm));
      RenderExcerpt(out, n.span, "", sm);
    }
  }
  if (!d.help.empty()) out += fmt::format("help: {}\n", d.help);
  return out;
}

std::string RenderText(const std::vector<Diagnostic>& ds, const SourceManager& sm) {
  std::string out;
  int errors = 0, warnings = 0;
  for (const Diagnostic& d : ds) {
    out += RenderText(d, sm);
    out += "\n";
    if (d.severity == Severity::kError) ++errors;
    if (d.severity == Severity::kWarning) ++warnings;
  }
  if (errors || warnings) {
    out += fmt::format("{} error{}, {} warning{}\n", errors, errors == 1 ? "" : "s", warnings,
                       warnings == 1 ? "" : "s");
  }
  return out;
}

std::string RenderJson(const std::vector<Diagnostic>& ds, const SourceManager& sm) {
  nlohmann::json arr = nlohmann::json::array();
  auto loc = [&](nlohmann::json& j, const Span& s) {
    if (!s.valid()) return;
    j["file"] = sm.file(s.file).path;
    j["line"] = s.line;
    j["column"] = s.col;
    j["end_line"] = s.end_line;
    j["end_column"] = s.end_col;
  };
  for (const Diagnostic& d : ds) {
    nlohmann::json j;
    j["severity"] = SeverityName(d.severity);
    j["code"] = d.code;
    j["message"] = d.message;
    loc(j, d.span);
    if (!d.label.empty()) j["label"] = d.label;
    nlohmann::json notes = nlohmann::json::array();
    for (const DiagNote& n : d.notes) {
      nlohmann::json nj;
      nj["message"] = n.message;
      loc(nj, n.span);
      notes.push_back(nj);
    }
    j["notes"] = notes;
    if (!d.help.empty()) j["help"] = d.help;
    arr.push_back(j);
  }
  return arr.dump(2);
}

}  // namespace proviso
