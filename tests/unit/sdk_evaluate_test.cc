// The public C++ SDK (runtime/include/proviso/proviso.h) as an application uses it:
// decisions, options (as of, params) and errors, explanations and in-language tests,
// on both back ends.
// Shared helpers (kExport, AsOf, the SdkBackend fixture, PROVISO_SDK_SUITE, ...): sdk_test_util.h.
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "proviso/proviso.h"
#include "tests/unit/sdk_test_util.h"

namespace proviso {
namespace sdk_test {
namespace {

PROVISO_SDK_SUITE(SdkDecision);
PROVISO_SDK_SUITE(SdkOptions);
PROVISO_SDK_SUITE(SdkErrors);
PROVISO_SDK_SUITE(SdkExplain);
PROVISO_SDK_SUITE(SdkTests);

// ================================================================ decisions

TEST_P(SdkDecision, OutputsObligationsAndViolations) {
  Policy p = Compile(kExport, "export.proviso");
  Decision d = p.Evaluate(ExportFacts(false, "XX", "2021-03-20"), AsOf("2021-06-01"));
  EXPECT_EQ(d.as_of(), "2021-06-01");
  EXPECT_EQ(d.outputs(), json::parse(R"({"export": "review", "note": "destination under sanctions",
                                         "kept_for": "19 days"})"));
  EXPECT_EQ(d.output("export"), json("review"));
  EXPECT_THROW(d.output("nope"), Error);
  ASSERT_EQ(d.obligations().size(), 2u);
  const Obligation& keep = d.obligations()[0];
  EXPECT_EQ(keep.name, "keep_records");
  EXPECT_EQ(keep.modality, Modality::kMust);
  EXPECT_EQ(keep.subject, "exporter");
  EXPECT_EQ(keep.action, "keep the export records");
  EXPECT_EQ(keep.deadline, std::optional<std::string>("2021-03-31"));
  EXPECT_TRUE(keep.violated);
  ASSERT_EQ(keep.citations.size(), 1u);
  EXPECT_EQ(keep.citations[0].document, "Export Control Law");
  EXPECT_EQ(keep.citations[0].article, "Art. 40");
  const Obligation& notify = d.obligations()[1];
  EXPECT_EQ(notify.name, "notify");
  EXPECT_EQ(notify.modality, Modality::kMustNot);
  EXPECT_EQ(std::string(ModalityName(notify.modality)), "must not");
  EXPECT_FALSE(notify.deadline.has_value());
  EXPECT_FALSE(notify.violated);
  EXPECT_EQ(notify.citations.at(0).document, "Notification Rules");
  ASSERT_EQ(d.violations().size(), 1u);
  EXPECT_EQ(d.violations()[0].name, "keep_records");
  // A still-kept record complies; an optional output without a rule is null.
  d = p.Evaluate(ExportFacts(false, "DE"), AsOf("2021-03-10"));
  EXPECT_EQ(d.output("note"), json(nullptr));
  EXPECT_EQ(d.output("kept_for"), json("9 days"));
  EXPECT_TRUE(d.violations().empty());
  ASSERT_EQ(d.obligations().size(), 1u);
  EXPECT_EQ(std::string(ModalityName(Modality::kMay)), "may");
  EXPECT_EQ(std::string(ModalityName(Modality::kMust)), "must");
}

TEST_P(SdkDecision, ToJsonShape) {
  Policy p = Compile(kExport, "export.proviso");
  Decision d = p.Evaluate(ExportFacts(false, "XX", "2021-03-20"), AsOf("2021-06-01"));
  json j = d.ToJson();
  json expected = json::parse(R"({
    "policy": "export_control",
    "as_of": "2021-06-01",
    "outputs": {"export": "review", "note": "destination under sanctions", "kept_for": "19 days"},
    "obligations": [
      {"name": "keep_records", "modality": "must", "subject": "exporter", "action": "keep the export records",
       "deadline": "2021-03-31", "deadline_kind": "by", "status": "overdue", "violated": true,
       "citations": [{"document": "Export Control Law", "article": "Art. 40"}]},
      {"name": "notify", "modality": "must not", "subject": "exporter",
       "action": "export before notifying the authority", "deadline": null, "violated": false,
       "citations": [{"document": "Notification Rules", "article": "Art. 7"}]}
    ],
    "violations": ["keep_records"]
  })");
  expected["policy_version"] = p.version();  // the content hash of the policy's sources (store_test.cc)
  EXPECT_EQ(p.version().size(), 64u);
  EXPECT_EQ(j, expected) << j.dump(2);
  EXPECT_FALSE(j.contains("explanation"));
  json explained = p.Evaluate(ExportFacts(false, "XX", "2021-03-20"), AsOf("2021-06-01", true)).ToJson();
  ASSERT_TRUE(explained.contains("explanation"));
  EXPECT_TRUE(explained["explanation"].contains("outputs"));
  EXPECT_TRUE(explained["explanation"].contains("obligations"));
}

TEST_P(SdkDecision, DecisionOutlivesItsPolicy) {
  Decision d;
  {
    Policy p = Compile(kExport, "export.proviso");
    d = p.Evaluate(ExportFacts(true, "DE"), AsOf("2021-06-01"));
  }
  Decision copy = d;
  EXPECT_EQ(copy.output("export"), json("deny"));
  EXPECT_EQ(copy.ToJson()["policy"], json("export_control"));
}

TEST_P(SdkDecision, ValuesAsJson) {
  Policy p = Compile(R"(
enum Level { low, high }
input { fee: decimal, on: date }
output level: Level
output total: decimal
output ends: date
output period: duration
output counts: list<int>
rule l { then level = high }
rule t { then total = fee * 3.0 }
rule u { then ends = on + 1 month }
rule pe { then period = 1 year }
rule c { then counts = [1, 2] }
)");
  Decision d = p.Evaluate(json{{"fee", 0.5}, {"on", "2021-01-31"}}, AsOf("2021-06-01"));
  EXPECT_EQ(d.outputs(), json::parse(R"({"level": "high", "total": 1.5, "ends": "2021-02-28", "period": "1 year",
                                         "counts": [1, 2]})"));
}

// ================================================================ options and errors

TEST_P(SdkOptions, AsOfSelectsVersionsAndDefaultsToToday) {
  Policy p = Compile(kExport, "export.proviso");
  json f = ExportFacts(false, "DE", "2021-04-15");  // kept 45 days
  Decision d = p.Evaluate(f, AsOf("2021-12-31"));
  EXPECT_TRUE(d.violations().empty());
  EXPECT_EQ(d.obligations()[0].deadline, std::optional<std::string>("2021-03-31"));
  d = p.Evaluate(f, AsOf("2022-01-01"));
  EXPECT_EQ(d.violations().size(), 1u);
  EXPECT_EQ(d.obligations()[0].deadline, std::optional<std::string>("2021-04-30"));
  // Without as_of: now, as YYYY-MM-DDTHH:MM:SSZ (or YYYY-MM-DD at exactly midnight, UTC).
  d = p.Evaluate(f);
  EXPECT_TRUE(d.as_of().size() == 20u || d.as_of().size() == 10u) << d.as_of();
  EXPECT_GE(d.as_of(), std::string("2024-01-01"));
  // An instant: deadlines and `now` take its time of day; versions its date.
  d = p.Evaluate(f, AsOf("2022-01-01T08:00:00+08:00"));
  EXPECT_EQ(d.as_of(), "2022-01-01");
  EXPECT_EQ(d.obligations()[0].deadline, std::optional<std::string>("2021-04-30"));
  d = p.Evaluate(f, AsOf("2021-12-31T23:59:59Z"));
  EXPECT_EQ(d.as_of(), "2021-12-31T23:59:59Z");
  EXPECT_EQ(d.obligations()[0].deadline, std::optional<std::string>("2021-03-31"));
}

TEST_P(SdkOptions, MalformedAsOfIsAnError) {
  Policy p = Compile(kExport, "export.proviso");
  for (const char* bad : {"2021-02-30", "01/02/2021", "today", ""}) {
    try {
      p.Evaluate(ExportFacts(false, "DE"), AsOf(bad));
      FAIL() << bad;
    } catch (const FactsError& e) {
      FAIL() << "a date option is not a fact: " << e.what();
    } catch (const Error& e) {
      EXPECT_TRUE(Contains(e.what(), "not a valid date")) << e.what();
    }
  }
}

TEST_P(SdkOptions, ParamOverrides) {
  Policy p = Compile(kExport, "export.proviso");
  json f = ExportFacts(false, "DE", "2021-04-15");  // kept 45 days
  EvalOptions o = AsOf("2021-06-01");
  o.params["min_retention"] = "60 days";
  Decision d = p.Evaluate(f, o);
  EXPECT_EQ(d.violations().size(), 1u);
  EXPECT_EQ(d.obligations()[0].deadline, std::optional<std::string>("2021-04-30"));
  o.params["sanctioned"] = "[\"DE\"]";
  EXPECT_EQ(p.Evaluate(f, o).output("export"), json("review"));
  // The policy itself is unchanged.
  EXPECT_EQ(p.Evaluate(f, AsOf("2021-06-01")).output("export"), json("permit"));
}

// Parsed overrides are kept per policy: each set of overrides must still get its own values, when
// found again (sets that differ in one param only, each used twice in a row, over several rounds),
// past the number kept, and a bad one must fail every time.
TEST_P(SdkOptions, RepeatedOverridesKeepTheirOwnValues) {
  Policy p = Compile(kExport, "export.proviso");
  json f = ExportFacts(false, "DE", "2021-04-15");  // kept 45 days
  for (int round = 0; round < 3; ++round) {
    for (int days : {30, 45, 46, 60}) {
      for (const char* sanctioned : {"[\"DE\"]", "[\"FR\"]"}) {
        EvalOptions o = AsOf("2021-06-01");
        o.params["min_retention"] = std::to_string(days) + " days";
        o.params["sanctioned"] = sanctioned;
        for (int again = 0; again < 2; ++again) {
          Decision d = p.Evaluate(f, o);
          EXPECT_EQ(d.violations().size(), days > 45 ? 1u : 0u) << days << " " << sanctioned << " round " << round;
          EXPECT_EQ(d.output("export"), json(sanctioned[2] == 'D' ? "review" : "permit")) << days << " " << sanctioned;
        }
      }
    }
    for (int days = 1; days <= 100; ++days) {  // more sets than are kept
      EvalOptions o = AsOf("2021-06-01");
      o.params["min_retention"] = std::to_string(days) + " days";
      EXPECT_EQ(p.Evaluate(f, o).violations().size(), days > 45 ? 1u : 0u) << days << " days, round " << round;
    }
    EvalOptions o = AsOf("2021-06-01");
    o.params["min_retention"] = "sixty days";
    EXPECT_THROW(p.Evaluate(f, o), FactsError) << "round " << round;
  }
}

TEST_P(SdkOptions, UnknownParamIsAFactsErrorNamingIt) {
  Policy p = Compile(kExport, "export.proviso");
  EvalOptions o = AsOf("2021-06-01");
  o.params["min_retension"] = "60 days";
  try {
    p.Evaluate(ExportFacts(false, "DE"), o);
    FAIL() << "accepted";
  } catch (const FactsError& e) {
    EXPECT_EQ(e.path(), "min_retension");
    EXPECT_TRUE(Contains(e.what(), "`min_retension`")) << e.what();
    EXPECT_TRUE(Contains(e.what(), "`min_retention`")) << e.what();  // lists the params it has
  }
}

TEST_P(SdkOptions, BadParamValueIsAnErrorNamingTheParam) {
  Policy p = Compile(kExport, "export.proviso");
  for (const auto& [name, value] : std::vector<std::pair<std::string, std::string>>{
           {"min_retention", "sixty days"}, {"min_retention", "60"}, {"sanctioned", "[1, 2]"}, {"sanctioned", "XX"}}) {
    EvalOptions o = AsOf("2021-06-01");
    o.params[name] = value;
    try {
      p.Evaluate(ExportFacts(false, "DE"), o);
      FAIL() << name << "=" << value << " accepted";
    } catch (const FactsError& e) {
      EXPECT_EQ(e.path().substr(0, name.size()), name) << e.path();
      EXPECT_TRUE(Contains(e.what(), name)) << e.what();
    }
  }
}

TEST_P(SdkErrors, InvalidFactsAreFactsErrorsWithThePath) {
  Policy p = Compile(kExport, "export.proviso");
  json f = ExportFacts(false, "DE");
  f["ended_on"] = "2021-02-30";
  try {
    p.Evaluate(f, AsOf("2021-06-01"));
    FAIL() << "accepted";
  } catch (const FactsError& e) {
    EXPECT_EQ(e.path(), "ended_on");
    EXPECT_TRUE(Contains(e.what(), "`ended_on`")) << e.what();
  }
  f = ExportFacts(false, "DE");
  f["destination"] = nullptr;  // null is only for an optional fact; left out, it is not known
  try {
    p.Evaluate(f, AsOf("2021-06-01"));
    FAIL() << "accepted";
  } catch (const FactsError& e) {
    EXPECT_EQ(e.path(), "destination");
  }
}

TEST_P(SdkErrors, EvaluationErrorHasTheLocationInThePolicy) {
  Policy p = Compile(
      "input { a: bool, b: bool }\n"
      "output o: int\n"
      "rule ra { when a then o = 1 }\n"
      "rule rb { when b then o = 2 }\n",
      "conflict.proviso");
  EXPECT_EQ(p.Evaluate(json{{"a", true}, {"b", false}}, AsOf("2021-01-01")).output("o"), json(1));
  try {
    p.Evaluate(json{{"a", true}, {"b", true}}, AsOf("2021-01-01"));
    FAIL() << "decided";
  } catch (const EvaluationError& e) {
    EXPECT_EQ(e.location().file, "conflict.proviso");
    EXPECT_EQ(e.location().line, 4);
    EXPECT_GT(e.location().column, 0);
    EXPECT_TRUE(Contains(e.what(), "conflict.proviso:4:")) << e.what();
    EXPECT_TRUE(Contains(e.what(), "`ra`") && Contains(e.what(), "`rb`")) << e.what();
  }
  try {
    p.Evaluate(json{{"a", false}, {"b", false}}, AsOf("2021-01-01"));
    FAIL() << "decided";
  } catch (const EvaluationError& e) {
    EXPECT_TRUE(Contains(e.what(), "no rule applies to output `o`")) << e.what();
    EXPECT_EQ(e.location().line, 2);
  }
}

// ================================================================ explanations

TEST_P(SdkExplain, TextNamesTheAppliedRuleItsCitationAndTheLaw) {
  Policy p = Compile(kExport, "export.proviso");
  Decision d = p.Evaluate(ExportFacts(true, "DE", "2021-03-20"), AsOf("2021-06-01", true));
  const std::string& text = d.explanation_text();
  EXPECT_TRUE(Contains(text, "export = deny")) << text;
  EXPECT_TRUE(Contains(text, "+ rule `deny_controlled` applied")) << text;
  EXPECT_TRUE(Contains(text, "cites Export Control Law, Art. 23")) << text;
  EXPECT_TRUE(Contains(text, "Controlled items shall not be exported without a licence.")) << text;
  EXPECT_TRUE(Contains(text, "- rule `permit_by_default` overridden by the exception `deny_controlled`")) << text;
  EXPECT_TRUE(Contains(text, "controlled_item = true")) << text;
  EXPECT_TRUE(Contains(text, "obligation `keep_records`")) << text;
  EXPECT_TRUE(Contains(text, "[VIOLATED]")) << text;
  EXPECT_TRUE(Contains(text, "kept_for = 19 days")) << text;
  // The same as JSON.
  const json& j = d.explanation();
  ASSERT_TRUE(j.contains("outputs"));
  const json& out = j["outputs"][0];
  EXPECT_EQ(out["output"], "export");
  EXPECT_EQ(out["value"], "deny");
  EXPECT_EQ(out["rules"][0]["rule"], "deny_controlled");
  EXPECT_EQ(out["rules"][0]["winner"], true);
  EXPECT_EQ(out["rules"][0]["status"], "applied");
  EXPECT_EQ(out["rules"][0]["citations"][0]["article"], "Art. 23");
  EXPECT_EQ(out["rules"][0]["bindings"]["controlled_item"], "true");
  bool found = false;
  for (const json& r : out["rules"]) {
    if (r["rule"] == "permit_by_default") {
      found = true;
      EXPECT_EQ(r["overridden_by"], "deny_controlled");
      EXPECT_EQ(r["status"], "overridden");
    }
  }
  EXPECT_TRUE(found);
}

TEST_P(SdkExplain, EmptyUnlessAsked) {
  Policy p = Compile(kExport, "export.proviso");
  Decision d = p.Evaluate(ExportFacts(true, "DE"), AsOf("2021-06-01"));
  EXPECT_TRUE(d.explanation_text().empty());
  EXPECT_TRUE(d.explanation().is_null());
}

// ================================================================ in-language tests

TEST_P(SdkTests, RunTestsReportsEachTest) {
  Policy p = Compile(kExport, "export.proviso");
  std::vector<TestOutcome> out = p.RunTests();
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].name, "controlled items are denied");
  EXPECT_TRUE(out[0].passed);
  EXPECT_TRUE(out[0].failures.empty());
  EXPECT_EQ(out[0].location.file, "export.proviso");
  EXPECT_GT(out[0].location.line, 50);
  EXPECT_EQ(out[1].name, "a wrong expectation fails");
  EXPECT_FALSE(out[1].passed);
  ASSERT_EQ(out[1].failures.size(), 1u);
  EXPECT_EQ(out[1].failures[0], "expected `export` = deny, got permit");
  EXPECT_GT(out[1].location.line, out[0].location.line);
}

TEST_P(SdkTests, TodayIsTheDateOfTestsWithoutAsOf) {
  Policy p = Compile(R"(
input { }
output early: bool
rule r { then early = as_of < 2021-01-01 }
test "early" { expect early = true }
)");
  EXPECT_TRUE(p.RunTests("2020-06-01").at(0).passed);
  EXPECT_FALSE(p.RunTests("2021-06-01").at(0).passed);
  EXPECT_THROW(p.RunTests("2021-13-01"), Error);
}

TEST_P(SdkTests, ShippedPoliciesPassTheirTests) {
  for (const char* name : {"call_center", "data_security_law", "benchmark_policy"}) {
    Policy p = engine().CompileFile(std::string(PROVISO_SOURCE_DIR) + "/policies/cn/" + name + ".proviso");
    std::vector<TestOutcome> out = p.RunTests("2020-09-01");
    EXPECT_FALSE(out.empty()) << name;
    for (const TestOutcome& t : out) {
      EXPECT_TRUE(t.passed) << name << ": " << t.name << ": " << (t.failures.empty() ? "" : t.failures[0]);
    }
  }
}

}  // namespace
}  // namespace sdk_test
}  // namespace proviso
