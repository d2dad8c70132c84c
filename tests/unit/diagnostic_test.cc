// Diagnostics: the sink (counting, sorting), text rendering with source excerpt and caret, and the
// JSON rendering read by tools.
#include "compiler/diag/diagnostic.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "compiler/driver/driver.h"
#include "compiler/source/source.h"

namespace proviso {
namespace {

Span At(int file, int line, int col, int end_col) { return Span{file, line, col, line, end_col}; }

class DiagnosticRender : public ::testing::Test {
 protected:
  void SetUp() override {
    file_ = sources_.Add("policies/demo.proviso",
                         "policy demo\n"
                         "let rate: decimal = 2\n"
                         "\tlet tabbed = x\n"
                         "let t = \"caf\xC3\xA9\" + 1\n");
  }
  SourceManager sources_;
  int file_ = -1;
};

TEST_F(DiagnosticRender, ErrorWithCaretLabelAndHelp) {
  Diagnostic d{Severity::kError, "E0203", "the value of `rate` must be `decimal`, found `int`",
               At(file_, 2, 21, 22), "this is `int`", {}, "write `2.0`"};
  EXPECT_EQ(RenderText(d, sources_),
            "error[E0203]: the value of `rate` must be `decimal`, found `int`\n"
            " --> policies/demo.proviso:2:21\n"
            "  |\n"
            "2 | let rate: decimal = 2\n"
            "  |                     ^ this is `int`\n"
            "help: write `2.0`\n");
}

TEST_F(DiagnosticRender, CaretSpansTheWholeToken) {
  Diagnostic d{Severity::kWarning, "W0101", "let `rate` is never used", At(file_, 2, 5, 9), "", {}, ""};
  EXPECT_EQ(RenderText(d, sources_),
            "warning[W0101]: let `rate` is never used\n"
            " --> policies/demo.proviso:2:5\n"
            "  |\n"
            "2 | let rate: decimal = 2\n"
            "  |     ^^^^\n");
}

TEST_F(DiagnosticRender, EmptySpanGetsOneCaret) {
  Diagnostic d{Severity::kError, "E0003", "m", At(file_, 1, 8, 8), "", {}, ""};
  EXPECT_NE(RenderText(d, sources_).find("1 | policy demo\n  |        ^\n"), std::string::npos)
      << RenderText(d, sources_);
}

TEST_F(DiagnosticRender, MultiLineSpanUnderlinesToTheEndOfTheFirstLine) {
  Diagnostic d{Severity::kError, "E0001", "m", Span{file_, 1, 8, 2, 5}, "", {}, ""};
  EXPECT_NE(RenderText(d, sources_).find("1 | policy demo\n  |        ^^^^\n"), std::string::npos)
      << RenderText(d, sources_);
}

TEST_F(DiagnosticRender, TabsAreKeptSoTheCaretLinesUp) {
  Diagnostic d{Severity::kError, "E0111", "unknown name `x`", At(file_, 3, 15, 16), "", {}, ""};
  EXPECT_NE(RenderText(d, sources_).find("3 | \tlet tabbed = x\n  | \t             ^\n"), std::string::npos)
      << RenderText(d, sources_);
}

// DISABLED: the excerpt indents the caret by one space per *byte* before the column, so after a
// multi-byte character (any Chinese text) the caret lands 1-2 columns too far right per character.
// Enable once RenderExcerpt counts code points.
TEST_F(DiagnosticRender, ColumnsCountCodePoints) {
  // `+` is the 16th code point of the line but its 17th byte.
  Diagnostic d{Severity::kError, "E0210", "cannot add `text` and `int`", At(file_, 4, 16, 17), "", {}, ""};
  EXPECT_NE(RenderText(d, sources_).find("4 | let t = \"caf\xC3\xA9\" + 1\n  |                ^\n"), std::string::npos)
      << RenderText(d, sources_);
}

TEST_F(DiagnosticRender, NotesHaveTheirOwnExcerpt) {
  Diagnostic d{Severity::kError, "E0101", "`rate` is declared twice", At(file_, 2, 5, 9), "", {}, ""};
  d.notes.push_back({At(file_, 1, 8, 12), "first declared here"});
  d.notes.push_back({Span{}, "a note without a place"});
  EXPECT_EQ(RenderText(d, sources_),
            "error[E0101]: `rate` is declared twice\n"
            " --> policies/demo.proviso:2:5\n"
            "  |\n"
            "2 | let rate: decimal = 2\n"
            "  |     ^^^^\n"
            "note: first declared here\n"
            " --> policies/demo.proviso:1:8\n"
            "  |\n"
            "1 | policy demo\n"
            "  |        ^^^^\n"
            "note: a note without a place\n");
}

TEST_F(DiagnosticRender, WithoutASpanThereIsNoLocation) {
  Diagnostic d{Severity::kError, "E0005", "cannot read `x.proviso`: no such file or not readable", Span{}, "", {}, ""};
  EXPECT_EQ(RenderText(d, sources_), "error[E0005]: cannot read `x.proviso`: no such file or not readable\n");
  EXPECT_EQ(FormatLocation(Span{}, sources_), "<unknown>");
  EXPECT_EQ(FormatLocation(At(file_, 3, 2, 3), sources_), "policies/demo.proviso:3:2");
}

TEST_F(DiagnosticRender, LineNumbersWiderThanOneDigitAlignTheGutter) {
  std::string text;
  for (int i = 1; i <= 120; ++i) text += "let v" + std::to_string(i) + " = " + std::to_string(i) + "\n";
  int f = sources_.Add("long.proviso", text);
  Diagnostic d{Severity::kError, "E0000", "m", At(f, 105, 5, 9), "", {}, ""};
  EXPECT_EQ(RenderText(d, sources_),
            "error[E0000]: m\n"
            "   --> long.proviso:105:5\n"
            "    |\n"
            "105 | let v105 = 105\n"
            "    |     ^^^^\n");
}

TEST_F(DiagnosticRender, ListEndsWithASummary) {
  std::vector<Diagnostic> ds;
  EXPECT_EQ(RenderText(ds, sources_), "");
  ds.push_back({Severity::kWarning, "W0101", "w", Span{}, "", {}, ""});
  EXPECT_EQ(RenderText(ds, sources_), "warning[W0101]: w\n\n0 errors, 1 warning\n");
  ds.push_back({Severity::kError, "E0001", "a", Span{}, "", {}, ""});
  ds.push_back({Severity::kError, "E0002", "b", Span{}, "", {}, ""});
  EXPECT_EQ(RenderText(ds, sources_),
            "warning[W0101]: w\n\nerror[E0001]: a\n\nerror[E0002]: b\n\n2 errors, 1 warning\n");
  ds.push_back({Severity::kNote, "N0001", "n", Span{}, "", {}, ""});
  EXPECT_NE(RenderText(ds, sources_).find("note[N0001]: n\n"), std::string::npos);
  EXPECT_NE(RenderText(ds, sources_).find("2 errors, 1 warning\n"), std::string::npos);
}

TEST_F(DiagnosticRender, JsonHasEveryField) {
  Diagnostic d{Severity::kError, "E0203", "the value must be `decimal`, found `int`", At(file_, 2, 21, 22),
               "this is `int`", {}, "write `2.0`"};
  d.notes.push_back({At(file_, 1, 8, 12), "declared here"});
  d.notes.push_back({Span{}, "placeless"});
  Diagnostic w{Severity::kWarning, "W0101", "unused", Span{}, "", {}, ""};
  nlohmann::json j = nlohmann::json::parse(RenderJson({d, w}, sources_));
  ASSERT_TRUE(j.is_array());
  ASSERT_EQ(j.size(), 2u);
  const nlohmann::json& e = j[0];
  EXPECT_EQ(e["severity"], "error");
  EXPECT_EQ(e["code"], "E0203");
  EXPECT_EQ(e["message"], "the value must be `decimal`, found `int`");
  EXPECT_EQ(e["file"], "policies/demo.proviso");
  EXPECT_EQ(e["line"], 2);
  EXPECT_EQ(e["column"], 21);
  EXPECT_EQ(e["end_line"], 2);
  EXPECT_EQ(e["end_column"], 22);
  EXPECT_EQ(e["label"], "this is `int`");
  EXPECT_EQ(e["help"], "write `2.0`");
  ASSERT_EQ(e["notes"].size(), 2u);
  EXPECT_EQ(e["notes"][0]["message"], "declared here");
  EXPECT_EQ(e["notes"][0]["file"], "policies/demo.proviso");
  EXPECT_EQ(e["notes"][0]["line"], 1);
  EXPECT_EQ(e["notes"][0]["column"], 8);
  EXPECT_FALSE(e["notes"][1].contains("file"));
  // Optional fields are left out rather than empty; notes is always an array.
  const nlohmann::json& u = j[1];
  EXPECT_EQ(u["severity"], "warning");
  EXPECT_FALSE(u.contains("file"));
  EXPECT_FALSE(u.contains("line"));
  EXPECT_FALSE(u.contains("label"));
  EXPECT_FALSE(u.contains("help"));
  EXPECT_TRUE(u["notes"].is_array());
  EXPECT_TRUE(u["notes"].empty());
  EXPECT_EQ(nlohmann::json::parse(RenderJson({}, sources_)), nlohmann::json::array());
}

TEST_F(DiagnosticRender, JsonEscapesText) {
  Diagnostic d{Severity::kError, "E0002", "quote \" backslash \\ newline \n tab \t caf\xC3\xA9", Span{}, "", {}, ""};
  nlohmann::json j = nlohmann::json::parse(RenderJson({d}, sources_));
  EXPECT_EQ(j[0]["message"], "quote \" backslash \\ newline \n tab \t caf\xC3\xA9");
}

TEST(DiagnosticSink, CountsBySeverity) {
  DiagnosticSink sink;
  EXPECT_FALSE(sink.HasErrors());
  EXPECT_EQ(sink.ErrorCount(), 0);
  sink.Warning("W0101", Span{}, "w").help = "h";
  EXPECT_FALSE(sink.HasErrors());
  Diagnostic& e = sink.Error("E0001", Span{0, 1, 1, 1, 2}, "e");
  e.label = "here";
  EXPECT_TRUE(sink.HasErrors());
  EXPECT_EQ(sink.ErrorCount(), 1);
  sink.Add(Diagnostic{Severity::kNote, "N1", "n", Span{}, "", {}, ""});
  EXPECT_EQ(sink.ErrorCount(), 1);
  ASSERT_EQ(sink.diagnostics().size(), 3u);
  EXPECT_EQ(sink.diagnostics()[0].severity, Severity::kWarning);
  EXPECT_EQ(sink.diagnostics()[0].help, "h");
  EXPECT_EQ(sink.diagnostics()[1].label, "here");
}

TEST(DiagnosticSink, SortIsByFileLineColumnAndStable) {
  DiagnosticSink sink;
  sink.Error("A", Span{1, 1, 1, 1, 2}, "file 1");
  sink.Error("B", Span{0, 3, 5, 3, 6}, "line 3 col 5");
  sink.Error("C", Span{0, 3, 2, 3, 3}, "line 3 col 2");
  sink.Error("D", Span{0, 3, 5, 3, 9}, "line 3 col 5 again");
  sink.Error("E", Span{}, "no place");
  sink.Error("F", Span{0, 1, 9, 1, 10}, "line 1");
  sink.Sort();
  std::string order;
  for (const Diagnostic& d : sink.diagnostics()) order += d.code;
  // No place sorts first (file -1); equal positions keep their report order (B before D).
  EXPECT_EQ(order, "EFCBDA");
}

// End to end, through the driver: exactly what `proviso check` prints for a one-mistake policy.
TEST(DiagnosticEndToEnd, CompileSourceRendersLikeACompiler) {
  auto fe = CompileSource("p.proviso",
                          "input { kept_for: duration }\n"
                          "output ok: bool\n"
                          "rule r { then ok = kept_fro >= 30 days }\n");
  EXPECT_EQ(RenderText(fe->diags.diagnostics(), fe->sources),
            "error[E0111]: unknown name `kept_fro`\n"
            " --> p.proviso:3:20\n"
            "  |\n"
            "3 | rule r { then ok = kept_fro >= 30 days }\n"
            "  |                    ^^^^^^^^ not declared\n"
            "help: did you mean `kept_for`?\n"
            "\n"
            "1 error, 0 warnings\n");
  nlohmann::json j = nlohmann::json::parse(RenderJson(fe->diags.diagnostics(), fe->sources));
  ASSERT_EQ(j.size(), 1u);
  EXPECT_EQ(j[0]["code"], "E0111");
  EXPECT_EQ(j[0]["line"], 3);
  EXPECT_EQ(j[0]["column"], 20);
  EXPECT_EQ(j[0]["end_column"], 28);
  EXPECT_EQ(j[0]["label"], "not declared");
}

TEST(DiagnosticSource, LinesAndSpans) {
  SourceManager sm;
  int id = sm.Add("a.proviso", "one\r\ntwo\nthree");
  const SourceFile& f = sm.file(id);
  EXPECT_EQ(f.Line(1), "one");  // the \r of a CRLF file is not part of the line
  EXPECT_EQ(f.Line(2), "two");
  EXPECT_EQ(f.Line(3), "three");
  EXPECT_EQ(f.Line(0), "");
  EXPECT_EQ(f.Line(4), "");
  EXPECT_EQ(sm.Find("a.proviso"), id);
  EXPECT_EQ(sm.Find("b.proviso"), -1);
  Span a{id, 1, 2, 1, 4};
  Span b{id, 3, 1, 3, 6};
  Span ab = a.To(b);
  EXPECT_EQ(ab.line, 1);
  EXPECT_EQ(ab.col, 2);
  EXPECT_EQ(ab.end_line, 3);
  EXPECT_EQ(ab.end_col, 6);
  EXPECT_EQ(Span{}.To(b).line, 3);
  std::string error;
  EXPECT_EQ(sm.Load("/nonexistent/x.proviso", &error), -1);
  EXPECT_EQ(error, "no such file");
}

}  // namespace
}  // namespace proviso
