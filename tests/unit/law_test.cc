// The law in policies: reading `.law` files (compiler/law), citations resolved by the checker,
// explanations that quote the cited paragraph and carry interpretations, and the coverage map of
// the law (compiler/coverage).
#include "compiler/law/law.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "compiler/coverage/law_coverage.h"
#include "compiler/driver/driver.h"
#include "proviso/proviso.h"

namespace proviso {
namespace {

namespace fs = std::filesystem;

std::optional<law::Document> ParseText(const std::string& text, DiagnosticSink& diags, SourceManager& sm) {
  int id = sm.Add("test.law", text);
  return law::Parse(sm, id, diags);
}

TEST(LawFile, ReadsParagraphsWithTheirIdsAndText) {
  SourceManager sm;
  DiagnosticSink diags;
  auto doc = ParseText("// a comment\r\n"
                       "document circ \"The Circular\"\r\n"
                       "source \"the update\"\n"
                       "\n"
                       "[h] informative \"the headline\"\n"
                       "Circular\n"
                       "\n"
                       "[p1]\n"
                       "\n"
                       "First line,\n"
                       "\n"
                       "second line.\n"
                       "\n"
                       "\n"
                       "[p1.1]\n"
                       "An item.\n",
                       diags, sm);
  ASSERT_TRUE(doc);
  EXPECT_FALSE(diags.HasErrors());
  EXPECT_EQ(doc->name, "circ");
  EXPECT_EQ(doc->title, "The Circular");
  EXPECT_EQ(doc->source, "the update");
  ASSERT_EQ(doc->paragraphs.size(), 3u);
  EXPECT_EQ(doc->Ids(), (std::vector<std::string>{"h", "p1", "p1.1"}));
  EXPECT_TRUE(doc->paragraphs[0].informative);
  EXPECT_EQ(doc->paragraphs[0].reason, "the headline");
  // Blank lines around a paragraph go; those inside stay.
  EXPECT_EQ(doc->paragraphs[1].text, "First line,\n\nsecond line.");
  EXPECT_EQ(doc->paragraphs[1].span.line, 8);
  EXPECT_EQ(doc->Find("p1.1")->text, "An item.");
  EXPECT_EQ(doc->Find("p2"), nullptr);
}

TEST(LawFile, ReportsEachMistakeOnceAtItsLine) {
  SourceManager sm;
  DiagnosticSink diags;
  auto doc = ParseText("document d \"D\"\n"
                       "[p1\n"          // 2: not a header; its text is skipped, not reported again
                       "text\n"
                       "[p2]\n"         // 4: no text
                       "[p2]\n"         // 5: twice
                       "again\n"
                       "[p3] informative \"\"\n",  // 7: no reason
                       diags, sm);
  ASSERT_TRUE(doc);
  std::vector<int> lines;
  for (const Diagnostic& d : diags.diagnostics()) {
    EXPECT_EQ(d.code, "E0701");
    lines.push_back(d.span.line);
  }
  EXPECT_EQ(lines, (std::vector<int>{2, 4, 5, 7}));
}

TEST(LawFile, WithoutItsDocumentLineIsUnusable) {
  SourceManager sm;
  DiagnosticSink diags;
  EXPECT_FALSE(ParseText("[p1]\ntext\n", diags, sm));
  EXPECT_TRUE(diags.HasErrors());
  DiagnosticSink diags2;
  EXPECT_FALSE(ParseText("", diags2, sm));
  EXPECT_TRUE(diags2.HasErrors());
}

// A folder with a law file and a policy, removed afterwards.
class LawFolder : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("proviso_law_test_" + std::to_string(::getpid()) + "_" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_ / "law");
    Write("law/circ.law",
          "document circ \"The Circular\"\n"
          "[h] informative \"the headline\"\nCircular\n"
          "[p1]\nOperators shall keep records for 30 days.\n"
          "[p2]\nOperators shall not resell lines.\n"
          "[p3]\nThe authority will inspect.\n");
  }
  void TearDown() override { fs::remove_all(dir_); }
  void Write(const std::string& name, const std::string& text) { std::ofstream(dir_ / name) << text; }
  std::string Path(const std::string& name) const { return (dir_ / name).string(); }

  fs::path dir_;
};

constexpr const char* kPolicy = R"(policy pol
  law "law/circ.law"
input { kept: int, resells: bool, op: bool }
not encoded "p3" because "the authority's duty"
output keeps: bool
rule keeps_default { then keeps = false interpretation "an operator not shown to keep records does not" }
rule keeps_rule exception to keeps_default { when op and kept >= 30 then keeps = true cite "p1" }
obligation no_resale {
  subject "operator" must not "resell" when op violated when resells cite "p2"
  interpretation "leasing is reselling"
}
test "kept" { given kept = 31 given resells = true given op = true expect keeps = true }
test "not an operator" { given kept = 1 given resells = false given op = false expect keeps = false }
)";

TEST_F(LawFolder, CitationsResolveToTheTextAndExplanationsQuoteIt) {
  Write("pol.proviso", kPolicy);
  Policy p = Engine().CompileFile(Path("pol.proviso"));
  EvalOptions options;
  options.explain = true;
  Decision d = p.Evaluate({{"kept", 31}, {"resells", true}, {"op", true}}, options);
  ASSERT_EQ(d.obligations().size(), 1u);
  const Obligation& o = d.obligations()[0];
  ASSERT_EQ(o.citations.size(), 1u);
  EXPECT_EQ(o.citations[0].document, "The Circular");
  EXPECT_EQ(o.citations[0].article, "p2");
  EXPECT_EQ(o.citations[0].law, "circ");
  EXPECT_EQ(o.citations[0].text, "Operators shall not resell lines.");
  EXPECT_EQ(o.interpretation, "leasing is reselling");
  const nlohmann::json& ob = d.explanation()["obligations"][0];
  EXPECT_EQ(ob["citations"][0]["text"], "Operators shall not resell lines.");
  EXPECT_EQ(ob["interpretation"], "leasing is reselling");
  const nlohmann::json& rules = d.explanation()["outputs"][0]["rules"];
  bool interpreted = false;
  for (const auto& r : rules) interpreted |= r.value("interpretation", "") == "an operator not shown to keep records does not";
  EXPECT_TRUE(interpreted);
  EXPECT_NE(d.explanation_text().find("cites The Circular, p1: \"Operators shall keep records for 30 days.\""),
            std::string::npos);
  EXPECT_NE(d.explanation_text().find("interpretation (the text is silent): leasing is reselling"), std::string::npos);
}

TEST_F(LawFolder, AChangedLawFileIsSeenByTheNextCompile) {
  Write("pol.proviso", kPolicy);
  Engine engine;
  EXPECT_NO_THROW(engine.CompileFile(Path("pol.proviso")));
  Write("law/circ.law", "document circ \"The Circular\"\n[p2]\nOperators shall not resell lines.\n");
  EXPECT_THROW(engine.CompileFile(Path("pol.proviso")), CompileError);  // p1 and p3 are gone
}

TEST_F(LawFolder, CoverageMapsEveryParagraph) {
  Write("pol.proviso", kPolicy);
  coverage::Report r = coverage::LawCoverage({dir_.string()}, 0);
  EXPECT_EQ(r.problems, std::vector<std::string>{});
  ASSERT_EQ(r.documents.size(), 1u);
  const auto& ps = r.documents[0].paragraphs;
  ASSERT_EQ(ps.size(), 4u);
  EXPECT_EQ(ps[0].Status(), "informative");
  EXPECT_EQ(ps[1].Status(), "encoded");
  ASSERT_EQ(ps[1].cited_by.size(), 1u);
  EXPECT_EQ(ps[1].cited_by[0].name, "keeps_rule");
  ASSERT_EQ(ps[1].positive.size(), 1u);
  EXPECT_EQ(ps[1].positive[0].name, "kept");
  ASSERT_EQ(ps[1].negative.size(), 1u);
  EXPECT_EQ(ps[1].negative[0].name, "not an operator");
  EXPECT_EQ(ps[2].positive.size(), 1u);  // no_resale applies in "kept"
  EXPECT_EQ(ps[2].negative.size(), 1u);
  EXPECT_EQ(ps[3].Status(), "not encoded");
  EXPECT_EQ(ps[3].not_encoded[0].reason, "the authority's duty");
  EXPECT_TRUE(coverage::ToJson(r)["covered"].get<bool>());
  // The decisions the text does not make, in file order.
  ASSERT_EQ(r.interpretations.size(), 2u);
  EXPECT_EQ(r.interpretations[0].kind, "rule");
  EXPECT_EQ(r.interpretations[0].name, "keeps_default");
  EXPECT_EQ(r.interpretations[1].kind, "obligation");
  EXPECT_EQ(r.interpretations[1].reason, "leasing is reselling");
  EXPECT_EQ(r.interpretations[1].place.line, 10);
}

TEST_F(LawFolder, CoverageReportsWhatIsUnaccountedFor) {
  std::string policy = kPolicy;
  policy.replace(policy.find("not encoded \"p3\" because \"the authority's duty\"\n"),
                 std::string("not encoded \"p3\" because \"the authority's duty\"\n").size(), "param limit: int = 3\n");
  // The second test now decides as the first: nothing shows p1 or p2 not applying.
  policy.replace(policy.find("test \"not an operator\" { given kept = 1 given resells = false given op = false expect keeps = false }"),
                 std::string("test \"not an operator\" { given kept = 1 given resells = false given op = false expect keeps = false }").size(),
                 "test \"other\" { given kept = 40 given resells = false given op = true expect keeps = true }");
  Write("pol.proviso", policy);
  Write("law/extra.law", "document extra \"Extra\"\n[e1]\nNobody cites this.\n");
  coverage::Report r = coverage::LawCoverage({dir_.string()}, 0);
  std::string all;
  for (const std::string& p : r.problems) all += p + "\n";
  EXPECT_NE(all.find("paragraph `p3` of `circ` has normative content, and no policy encodes it"), std::string::npos) << all;
  EXPECT_NE(all.find("paragraph `e1` of `extra` has normative content"), std::string::npos) << all;
  EXPECT_NE(all.find("param `limit` neither cites the law nor is marked as an interpretation"), std::string::npos) << all;
  EXPECT_NE(all.find("paragraph `p1` of `circ` has no negative test"), std::string::npos) << all;
  EXPECT_EQ(r.documents.size(), 2u);
  EXPECT_FALSE(coverage::ToJson(r)["covered"].get<bool>());
}

TEST_F(LawFolder, CoverageNamesAPolicyThatDoesNotCompile) {
  Write("pol.proviso", "policy pol\n  law \"law/circ.law\"\ninput { x: int }\noutput y: int\nrule r { then y = x cite \"p9\" }\n");
  coverage::Report r = coverage::LawCoverage({Path("pol.proviso")}, 0);
  ASSERT_FALSE(r.problems.empty());
  EXPECT_NE(r.problems[0].find("the policy does not compile: `p9` is not a paragraph of `circ`"), std::string::npos)
      << r.problems[0];
}

}  // namespace
}  // namespace proviso
