// `proviso fmt` (compiler/format): the canonical layout, idempotence, comments kept, the refusal
// when the tokens would change, and the diagnostics of text that does not parse.
#include "compiler/format/format.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "compiler/diag/diagnostic.h"
#include "compiler/source/source.h"

namespace proviso::format {
namespace {

// The formatted text; fails the test if formatting fails or is not idempotent.
std::string Fmt(const std::string& text) {
  FormatResult r = FormatSource("t.proviso", text);
  EXPECT_TRUE(r.ok) << r.RenderDiagnostics();
  FormatResult again = FormatSource("t.proviso", r.text);
  EXPECT_TRUE(again.ok) << again.RenderDiagnostics();
  EXPECT_EQ(again.text, r.text) << "not idempotent on:\n" << text;
  return r.text;
}

TEST(Format, SpacingBetweenTokens) {
  EXPECT_EQ(Fmt("let   x:int=max( 1,2 )+ - 3\n"), "let x: int = max(1, 2) + -3\n");
  EXPECT_EQ(Fmt("param p : set < text > = { \"a\" , \"b\" }\n"), "param p: set<text> = {\"a\", \"b\"}\n");
  EXPECT_EQ(Fmt("input{a:list<set<int>>?,b:int in 1 .. 5}\n"), "input { a: list<set<int>>?, b: int in 1..5 }\n");
  EXPECT_EQ(Fmt("input { a: int ? ? }\n"), "input { a: int? ? }\n");  // not `int??`, which is `int ??`
  EXPECT_EQ(Fmt("enum K {a,b}\ninput { k: K? }\nlet r = match k{a|b=>1,none=>2}\n"),
            "enum K { a, b }\ninput { k: K? }\nlet r = match k { a | b => 1, none => 2 }\n");
  EXPECT_EQ(Fmt("record R { a: int }\nlet x = [ {a : 1} ]\nlet y = x . a\n"),
            "record R { a: int }\nlet x = [{a: 1}]\nlet y = x.a\n");
  EXPECT_EQ(Fmt("input { x: int }\nlet n = count a in [x]where a>=-1 : a\n"),
            "input { x: int }\nlet n = count a in [x] where a >= -1: a\n");
}

TEST(Format, BlocksIndentationAndBlankLines) {
  EXPECT_EQ(Fmt("\n\npolicy p\ntitle \"T\"\n\n\n\noutput o: int\nrule r\n{\n\n"
                "when true   \nthen o = 1\n\n}\n\n\n"),
            "policy p\n  title \"T\"\n\noutput o: int\nrule r {\n  when true\n  then o = 1\n}\n");
  // One declaration and one item per line; a block on one line stays on one line.
  EXPECT_EQ(Fmt("output o: int output q: int\nrule r { then o = 1 } rule s { when true\n then q = 2 }\n"),
            "output o: int\noutput q: int\nrule r { then o = 1 }\nrule s {\n  when true\n  then q = 2\n}\n");
  // Wrapped lines: one level more; a declaration wrapped before its `{`, two.
  EXPECT_EQ(Fmt("param p: int = 1\ninterpretation \"x\"\ntable t(a: int) -> int\nhit first {\n_ => 1\n}\n"
                "input { x: int }\noutput o: bool\nrule r {\nwhen x > 1 and\nx < 5\nthen o = true }\n"),
            "param p: int = 1\n  interpretation \"x\"\ntable t(a: int) -> int\n    hit first {\n  _ => 1\n}\n"
            "input { x: int }\noutput o: bool\nrule r {\n  when x > 1 and\n    x < 5\n  then o = true\n}\n");
  // Brackets written over several lines indent their contents, or line them up after the bracket
  // when they start on its line.
  EXPECT_EQ(Fmt("let xs = [\n1,\n[2,\n3]\n]\n"), "let xs = [\n  1,\n  [2,\n   3]\n]\n");
  EXPECT_EQ(Fmt("record R { a: int, b: int }\nlet r = {a: 1,\n        b: 2}\n"),
            "record R { a: int, b: int }\nlet r = {a: 1,\n         b: 2}\n");
  EXPECT_EQ(Fmt(""), "");
}

TEST(Format, TablesAlignInColumns) {
  EXPECT_EQ(Fmt("enum O { national_security, public_rights }\nenum D { very_serious, light }\n"
                "table t(o: O, d: D) -> int hit unique {\n"
                "national_security, very_serious => 5\npublic_rights, light => 2\n"
                "  public_rights,very_serious=>4 // a comment\n"
                "national_security,light =>\n  3\n}\n"),
            "enum O { national_security, public_rights }\nenum D { very_serious, light }\n"
            "table t(o: O, d: D) -> int hit unique {\n"
            "  national_security, very_serious => 5\n"
            "  public_rights,     light        => 2\n"
            "  public_rights,     very_serious => 4 // a comment\n"
            "  national_security, light =>\n    3\n}\n");  // a row that wraps is left as it is
  EXPECT_EQ(Fmt("table t(a: int) -> text hit first {\n>= 1000 => \"a\"\n< 0 => \"b\"\ndefault => \"c\"\n}\n"),
            "table t(a: int) -> text hit first {\n  >= 1000 => \"a\"\n  < 0     => \"b\"\n  default => \"c\"\n}\n");
}

TEST(Format, CommentsAreKeptAndPlaced) {
  std::string in =
      "// header comment   \n"
      "/* a block\n   comment */\n"
      "policy p\n"
      "title \"T\"\n"
      "// about the header\n\n"
      "/// the law's text\n"
      "// a note between\n"
      "input {\n"
      "      a: int          // aligned\n"
      "  bb: int             // comments\n"
      "  c: int /* inline */ // last\n"
      "// at the end of the block\n"
      "}\n";
  std::string out = Fmt(in);
  EXPECT_EQ(out,
            "// header comment\n"
            "/* a block\n   comment */\n"
            "policy p\n"
            "  title \"T\"\n"
            "  // about the header\n\n"
            "/// the law's text\n"
            "// a note between\n"
            "input {\n"
            "  a: int              // aligned\n"
            "  bb: int             // comments\n"
            "  c: int /* inline */ // last\n"
            "  // at the end of the block\n"
            "}\n");
  // A comment alone on the line after a trailing comment, in its column, continues it.
  EXPECT_EQ(Fmt("input {\n    a: int   // one\n             // two\n}\n"),
            "input {\n  a: int   // one\n           // two\n}\n");
  // A trailing comment is pushed right of code that grew, never into it.
  EXPECT_EQ(Fmt("input { x: int }\nlet a=x+x+x // c\n"), "input { x: int }\nlet a = x + x + x // c\n");
}

TEST(Format, SyntaxErrorsAreReportedWithTheirPlace) {
  FormatResult r = FormatSource("bad.proviso", "output o: int\nrule r {\n  then o = = 1\n}\n");
  ASSERT_FALSE(r.ok);
  ASSERT_FALSE(r.diagnostics.empty());
  EXPECT_EQ(r.diagnostics[0].span.line, 3);
  EXPECT_EQ(r.diagnostics[0].span.col, 12);
  EXPECT_NE(r.RenderDiagnostics().find("bad.proviso:3:12"), std::string::npos) << r.RenderDiagnostics();
  EXPECT_TRUE(r.text.empty());
  FormatResult bytes = FormatSource("bin.proviso", std::string("let x = \"\xff\"\n"));
  EXPECT_FALSE(bytes.ok);
  EXPECT_FALSE(bytes.diagnostics.empty());
}

TEST(Format, RefusesTextWhoseTokensOrCommentsDiffer) {
  SourceManager sm;
  int f = sm.Add("t.proviso", "/// doc\noutput o: int // note\nrule r { then o = 1 }\n");
  auto refused = [&](const std::string& candidate) {
    DiagnosticSink diags;
    bool ok = VerifyFormatting(sm, f, candidate, diags);
    EXPECT_TRUE(ok || (diags.diagnostics().size() == 1 && diags.diagnostics()[0].code == "E0901"));
    return !ok;
  };
  EXPECT_FALSE(refused("/// doc\noutput o: int     // note   \nrule r {\n  then o = 1\n}\n"));
  EXPECT_TRUE(refused("/// doc\noutput o: int // note\nrule r { then o = 2 }\n"));              // a token changed
  EXPECT_TRUE(refused("/// doc\noutput o: int // note\nrule r { then o = 1 }\noutput q: int\n"));  // one added
  EXPECT_TRUE(refused("/// doc\noutput o: int\nrule r { then o = 1 }\n"));                      // a comment dropped
  EXPECT_TRUE(refused("/// doc\noutput o: int // Note\nrule r { then o = 1 }\n"));              // comment changed
  EXPECT_TRUE(refused("output o: int /// doc\n// note\nrule r { then o = 1 }\n"));              // comments moved
  EXPECT_TRUE(refused("/// doc\noutput o: int // note\nrule r { then o = 1\n"));                // does not parse
  DiagnosticSink diags;
  VerifyFormatting(sm, f, "/// doc\noutput o: int // note\nrule r { then o = 2 }\n", diags);
  ASSERT_EQ(diags.diagnostics().size(), 1u);
  EXPECT_EQ(diags.diagnostics()[0].span.line, 3);  // at the first difference, in the original
  EXPECT_EQ(diags.diagnostics()[0].span.col, 19);
}

// Comments are on a hidden channel: the parser reads past them anywhere, and a `///` is still the
// documentation of the declaration after it even with a `//` comment between.
TEST(Format, CommentsAnywhereDoNotChangeTheParse) {
  std::string text =
      "/// doc of o\n// between\noutput /* a */ o /* b */ : /* c */ int // d\n"
      "rule r { /* e */ then // f\n o = /* g */ 1 }\n";
  FormatResult r = FormatSource("t.proviso", text);
  ASSERT_TRUE(r.ok) << r.RenderDiagnostics();
  EXPECT_EQ(r.text,
            "/// doc of o\n// between\noutput /* a */ o /* b */ : /* c */ int // d\n"
            "rule r { /* e */\n  then // f\n    o = /* g */ 1\n}\n");
}

// The syntax errors of a text are the same with comments between its tokens (the parser's error
// messages look back over the tokens, and comments are now tokens on a hidden channel).
TEST(Format, CommentsDoNotChangeSyntaxErrors) {
  auto messages = [](const std::string& text) {
    FormatResult r = FormatSource("t.proviso", text);
    EXPECT_FALSE(r.ok);
    std::string all;
    for (const Diagnostic& d : r.diagnostics) all += d.code + " " + d.message + " | " + d.help + "\n";
    return all;
  };
  for (const char* when : {"when", "when /* c */", "when // c\n"}) {
    EXPECT_EQ(messages(std::string("output o: bool\nrule r {\n  ") + when + " }\n"),
              messages("output o: bool\nrule r {\n  when }\n"));
  }
  EXPECT_EQ(messages("rule allow {\n  when approved // c\n  allowed = true\n}\n"),
            messages("rule allow {\n  when approved\n  allowed = true\n}\n"));
  EXPECT_NE(messages("rule allow {\n  when approved\n  allowed = true\n}\n").find("after the condition"),
            std::string::npos);
  EXPECT_EQ(messages("let x = 1 /* c */ _000\n"), messages("let x = 1 _000\n"));
}

// Mutated policies of the repository (whitespace, line breaks and comments added, bytes deleted or
// repeated): formatting never throws; a text that parses is formatted, never refused (E0901), and
// formatting its output changes nothing.
TEST(Format, MutatedPoliciesFormatIdempotentlyOrAreRejected) {
  namespace fs = std::filesystem;
  std::vector<std::string> texts;
  for (const char* dir : {"policies/cn", "tests/golden/good", "tests/conformance/dmn"}) {
    for (const auto& e : fs::directory_iterator(fs::path(PROVISO_SOURCE_DIR) / dir)) {
      if (e.path().extension() != ".proviso") continue;
      std::ifstream in(e.path(), std::ios::binary);
      std::stringstream ss;
      ss << in.rdbuf();
      texts.push_back(ss.str());
    }
  }
  ASSERT_GT(texts.size(), 20u);
  const std::vector<std::string> inserts = {" ", "\n", "\n\n\n", "\t", " // c\n", "/* c */", "\n/// d\n", "{", "(", ","};
  std::mt19937 rng(20261207);
  int formatted = 0;
  for (int round = 0; round < 600; ++round) {
    std::string text = texts[rng() % texts.size()];
    for (int m = 0; m < 3 && !text.empty(); ++m) {
      size_t at = rng() % text.size();
      switch (rng() % 3) {
        case 0: text.insert(at, inserts[rng() % inserts.size()]); break;
        case 1: text.erase(at, 1 + rng() % 3); break;
        default: text.insert(at, text.substr(at, 1 + rng() % 20)); break;
      }
    }
    FormatResult r;
    ASSERT_NO_THROW(r = FormatSource("m.proviso", text));
    if (!r.ok) {
      ASSERT_FALSE(r.diagnostics.empty());
      EXPECT_NE(r.diagnostics[0].code, "E0901") << r.RenderDiagnostics() << "\n" << text;
      continue;
    }
    ++formatted;
    FormatResult again = FormatSource("m.proviso", r.text);
    ASSERT_TRUE(again.ok) << again.RenderDiagnostics();
    EXPECT_EQ(again.text, r.text) << "not idempotent on:\n" << text;
  }
  EXPECT_GT(formatted, 40);  // the loop formats many texts, not only rejects them
}

}  // namespace
}  // namespace proviso::format
