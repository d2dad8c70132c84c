#include "compiler/format/format.h"

#include <algorithm>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

namespace proviso::format {
namespace {

// A line comment's text without the spaces and tabs that end its line (fmt removes those).
std::string Trimmed(const LayoutToken& t) {
  if (t.kind == LayoutToken::Kind::kBlockComment) return t.text;
  std::string s = t.text;
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.pop_back();
  return s;
}

Span SpanOf(int file, const LayoutToken& t) {
  Span s;
  s.file = file;
  s.line = s.end_line = t.line;
  s.col = t.col + 1;
  s.end_col = s.col + 1;
  return s;
}

bool Verify(const std::optional<std::vector<LayoutToken>>& before, const SourceManager& sm, int file,
            const std::string& formatted, DiagnosticSink& diags) {
  SourceManager out_sm;
  int out_file = out_sm.Add(sm.file(file).path, formatted);
  DiagnosticSink out_diags;
  std::optional<std::vector<LayoutToken>> after = LayoutTokens(out_sm, out_file, out_diags);
  auto refuse = [&](const LayoutToken* at, const std::string& what) {
    Span span;
    if (at != nullptr) {
      span = SpanOf(file, *at);
    } else {
      span.file = file;
      span.line = span.end_line = span.col = 1;
      span.end_col = 2;
    }
    diags.Error("E0901", span, "formatting would " + what + "; the file is left as it is")
        .help = "this is a bug in `proviso fmt`: please report it with the file";
    return false;
  };
  if (!before) return refuse(nullptr, "start from a file that does not parse");
  if (!after) return refuse(nullptr, "produce text that does not parse");
  // Code and comments are compared as two sequences: comments may move between code tokens only as
  // whitespace does (they never do), and each sequence must be identical.
  auto split = [](const std::vector<LayoutToken>& ts, bool comments) {
    std::vector<const LayoutToken*> r;
    for (const LayoutToken& t : ts) {
      if ((t.kind != LayoutToken::Kind::kCode) == comments) r.push_back(&t);
    }
    return r;
  };
  for (bool comments : {false, true}) {
    std::vector<const LayoutToken*> a = split(*before, comments), b = split(*after, comments);
    for (size_t i = 0; i < std::max(a.size(), b.size()); ++i) {
      if (i >= a.size()) return refuse(nullptr, comments ? "add a comment" : "add a token at the end");
      if (i >= b.size()) return refuse(a[i], comments ? "drop this comment" : "drop this token");
      bool same = comments ? Trimmed(*a[i]) == Trimmed(*b[i]) : a[i]->type == b[i]->type && a[i]->text == b[i]->text;
      if (!same) {
        return refuse(a[i], fmt::format("change this {} (`{}` would read `{}`)", comments ? "comment" : "token",
                                        a[i]->text, b[i]->text));
      }
    }
  }
  // Doc comments belong to the declaration after them: the code token after each must be the same.
  auto next_code = [](const std::vector<LayoutToken>& ts) {
    std::vector<int> r;
    int code = 0;
    for (const LayoutToken& t : ts) {
      if (t.kind == LayoutToken::Kind::kCode) ++code;
      else r.push_back(code);
    }
    return r;
  };
  std::vector<int> na = next_code(*before), nb = next_code(*after);
  for (size_t i = 0; i < na.size(); ++i) {
    if (na[i] != nb[i]) {
      return refuse(split(*before, true)[i], "move this comment to another place among the tokens");
    }
  }
  return true;
}

}  // namespace

bool VerifyFormatting(const SourceManager& sm, int file, const std::string& formatted, DiagnosticSink& diags) {
  DiagnosticSink ignored;
  return Verify(LayoutTokens(sm, file, ignored), sm, file, formatted, diags);
}

FormatResult FormatSource(const std::string& name, const std::string& text) {
  FormatResult r;
  int file = r.sources.Add(name, text);
  DiagnosticSink diags;
  std::optional<std::vector<LayoutToken>> tokens = LayoutTokens(r.sources, file, diags);
  if (tokens) {
    std::string formatted = Layout(*tokens);
    if (Verify(tokens, r.sources, file, formatted, diags)) {
      r.ok = true;
      r.text = std::move(formatted);
    }
  }
  diags.Sort();
  // Only errors stop formatting; warnings of the parse (none today) are not the formatter's business.
  for (const Diagnostic& d : diags.diagnostics()) {
    if (d.severity == Severity::kError) r.diagnostics.push_back(d);
  }
  if (r.ok) r.diagnostics.clear();
  return r;
}

}  // namespace proviso::format
