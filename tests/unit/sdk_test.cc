// The public C++ SDK (runtime/include/proviso/proviso.h) as an application uses it: compile,
// evaluate, read decisions, errors, explanations, in-language tests, threads and batches.
#include "proviso/proviso.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <unistd.h>

#include <nlohmann/json.hpp>

namespace proviso {
namespace {

using nlohmann::json;

bool Contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

const char* kExport = R"(policy export_control
  title "Export control"
  document "Export Control Law"

enum ExportDecision { permit, review, deny }
input { controlled_item: bool, approved: bool = false, destination: text, ended_on: date, deleted_on: date? }

param sanctioned: set<text> = {"XX", "YY"} cite "Annex 2"
param min_retention: duration = 30 days effective from 2000-01-01 until 2022-01-01 cite "Art. 40"
param min_retention: duration = 60 days effective from 2022-01-01 cite "Art. 40, amended"

output export: ExportDecision
output note: text?
output kept_for: duration

/// Everything not forbidden is permitted.
rule permit_by_default { then export = permit cite "Art. 1" }

/// "Controlled items shall not be exported without a licence."
rule deny_controlled exception to permit_by_default {
  when controlled_item and not approved
  then export = deny
  cite "Art. 23"
}

rule review_sanctioned exception to permit_by_default priority 1 {
  when destination in sanctioned
  then export = review
  cite "Art. 25"
}

rule sanctioned_note {
  when destination in sanctioned
  then note = "destination under sanctions"
}

rule kept { then kept_for = (deleted_on ?? as_of) - ended_on }

obligation keep_records {
  subject "exporter"
  must "keep the export records"
  deadline min_retention after ended_on
  violated when deleted_on is present and kept_for < min_retention
  cite "Art. 40"
}

obligation notify {
  subject "exporter"
  must not "export before notifying the authority"
  when export == review
  cite "Art. 7" of "Notification Rules"
}

test "controlled items are denied" {
  as of 2021-01-01
  given controlled_item = true
  given destination = "DE"
  given ended_on = 2020-12-01
  expect export = deny
}
test "a wrong expectation fails" {
  as of 2021-01-01
  given controlled_item = false
  given destination = "DE"
  given ended_on = 2020-12-01
  expect export = deny
}
)";

// `deleted` "": the record is still kept (known: null).
json ExportFacts(bool controlled, const std::string& dest, const std::string& deleted = "") {
  json f = {{"controlled_item", controlled}, {"destination", dest}, {"ended_on", "2021-03-01"}, {"deleted_on", nullptr}};
  if (!deleted.empty()) f["deleted_on"] = deleted;
  return f;
}

EvalOptions AsOf(const std::string& day, bool explain = false) {
  EvalOptions o;
  o.as_of = day;
  o.explain = explain;
  return o;
}

// Most SDK behaviour must be the same with both back ends: each such suite runs twice.
class SdkBackend : public ::testing::TestWithParam<Backend> {
 protected:
  Engine engine() const { return Engine(EngineOptions{GetParam()}); }
  Policy Compile(const std::string& text, const std::string& name = "<string>") const {
    return engine().CompileString(text, name);
  }
};

std::string BackendName(const ::testing::TestParamInfo<Backend>& info) {
  return info.param == Backend::kJit ? "Jit" : "Interpreter";
}

#define PROVISO_SDK_SUITE(suite)          \
  class suite : public SdkBackend {};     \
  INSTANTIATE_TEST_SUITE_P(Backends, suite, \
                           ::testing::Values(Backend::kJit, Backend::kInterpreter), BackendName)

PROVISO_SDK_SUITE(SdkDecision);
PROVISO_SDK_SUITE(SdkOptions);
PROVISO_SDK_SUITE(SdkErrors);
PROVISO_SDK_SUITE(SdkExplain);
PROVISO_SDK_SUITE(SdkTests);
PROVISO_SDK_SUITE(SdkThreads);
PROVISO_SDK_SUITE(SdkBatch);

// ================================================================ compiling

TEST(SdkCompile, CompileErrorCarriesEveryDiagnosticWithItsLocation) {
  const std::string text =
      "input { n: int }\n"
      "let a = n + missing\n"
      "let b: text = 5\n"
      "let c = n + \"x\"\n";
  try {
    Engine().CompileString(text, "bad.proviso");
    FAIL() << "compiled";
  } catch (const CompileError& e) {
    const auto& ds = e.diagnostics();
    std::vector<const PolicyDiagnostic*> errors;
    for (const auto& d : ds) if (d.severity == "error") errors.push_back(&d);
    ASSERT_EQ(errors.size(), 3u) << e.what();
    EXPECT_EQ(errors[0]->code, "E0111");
    EXPECT_EQ(errors[0]->location.file, "bad.proviso");
    EXPECT_EQ(errors[0]->location.line, 2);
    EXPECT_EQ(errors[0]->location.column, 13);
    EXPECT_TRUE(Contains(errors[0]->message, "`missing`")) << errors[0]->message;
    EXPECT_TRUE(Contains(errors[0]->rendered, "bad.proviso:2:13")) << errors[0]->rendered;
    EXPECT_TRUE(Contains(errors[0]->rendered, "^")) << errors[0]->rendered;
    EXPECT_EQ(errors[1]->location.line, 3);
    EXPECT_EQ(errors[1]->code, "E0203");
    EXPECT_EQ(errors[2]->location.line, 4);
    EXPECT_EQ(errors[2]->code, "E0210");
    // The summary names the first error with its location and counts them all.
    std::string what = e.what();
    EXPECT_TRUE(Contains(what, "bad.proviso:2:13: ")) << what;
    EXPECT_TRUE(Contains(what, "(3 errors)")) << what;
  }
}

TEST(SdkCompile, SyntaxErrorAndMissingFileAreCompileErrors) {
  try {
    Engine().CompileString("let = 3\n", "syntax.proviso");
    FAIL() << "compiled";
  } catch (const CompileError& e) {
    ASSERT_FALSE(e.diagnostics().empty());
    EXPECT_EQ(e.diagnostics()[0].code, "E0003");
    EXPECT_EQ(e.diagnostics()[0].location.line, 1);
    EXPECT_TRUE(Contains(e.what(), "(1 error)")) << e.what();
  }
  try {
    Engine().CompileFile("/nonexistent/policy.proviso");
    FAIL() << "compiled";
  } catch (const CompileError& e) {
    ASSERT_EQ(e.diagnostics().size(), 1u);
    EXPECT_EQ(e.diagnostics()[0].code, "E0005");
  }
  // CompileError is an Error: one catch clause suffices.
  EXPECT_THROW(Engine().CompileString("let = 3\n"), Error);
}

// A record that contains itself through an optional has no flat layout: the JIT says so at the
// record (it recursed forever laying it out), the interpreter evaluates it, and a record that
// holds itself through a list (out of line) compiles.
TEST(SdkCompile, ARecordThatContainsItselfIsForTheInterpreter) {
  const std::string linked = R"(policy p
record R { next: R? }
input { r: R }
output o: bool
rule x { then o = r.next is present }
)";
  try {
    Engine().CompileString(linked, "linked.proviso");
    FAIL() << "compiled";
  } catch (const CompileError& e) {
    ASSERT_EQ(e.diagnostics().size(), 1u);
    EXPECT_EQ(e.diagnostics()[0].code, "E0601");
    EXPECT_EQ(e.diagnostics()[0].location.line, 2);
    EXPECT_TRUE(Contains(e.what(), "record `R`, which contains itself")) << e.what();
  }
  Policy interpreted = Engine(EngineOptions{Backend::kInterpreter}).CompileString(linked, "linked.proviso");
  EXPECT_EQ(interpreted.Evaluate(json::parse(R"({"r": {"next": {"next": null}}})"), AsOf("2020-01-01")).output("o"),
            json(true));
  EXPECT_THROW(interpreted.Dump("llvm"), Error);
  Policy tree = Engine().CompileString(R"(policy p
record T { kids: list<T> }
input { t: T }
output o: int
rule x { then o = count(t.kids) }
)");
  EXPECT_EQ(tree.backend(), Backend::kJit);
  EXPECT_EQ(tree.Evaluate(json::parse(R"({"t": {"kids": [{"kids": []}, {"kids": []}]}})"), AsOf("2020-01-01")).output("o"),
            json(2));
}

TEST(SdkCompile, WarningsDoNotStopCompilation) {
  Policy p = Engine().CompileString("input { n: int }\nlet unused = n + 1\n", "warn.proviso");
  ASSERT_EQ(p.warnings().size(), 1u);
  EXPECT_EQ(p.warnings()[0].severity, "warning");
  EXPECT_EQ(p.warnings()[0].code, "W0101");
  EXPECT_EQ(p.warnings()[0].location.line, 2);
}

TEST(SdkCompile, NamesAndDumps) {
  Policy p = Engine().CompileString(kExport, "export.proviso");
  EXPECT_EQ(p.name(), "export_control");
  EXPECT_EQ(p.output_names(), (std::vector<std::string>{"export", "note", "kept_for"}));
  EXPECT_EQ(p.param_names(), (std::vector<std::string>{"sanctioned", "min_retention"}));
  EXPECT_TRUE(Contains(p.Dump("ir"), "rule deny_controlled")) << p.Dump("ir");
  EXPECT_FALSE(p.Dump("ast").empty());
  EXPECT_FALSE(p.Dump("typed").empty());
  EXPECT_THROW(p.Dump("llvm-bitcode"), Error);
}

TEST(SdkCompile, CompileFileOfAShippedPolicy) {
  Policy p = Engine().CompileFile(std::string(PROVISO_SOURCE_DIR) + "/policies/cn/call_center.proviso");
  EXPECT_EQ(p.name(), "call_center");
  std::ifstream in(std::string(PROVISO_SOURCE_DIR) + "/policies/cn/examples/call_center-short-retention.json");
  ASSERT_TRUE(in.good());
  Decision d = p.Evaluate(json::parse(in), AsOf("2020-09-01"));
  EXPECT_EQ(d.output("operates_call_center_business"), json(true));
}

TEST(SdkCompile, TheDefaultBackEndIsTheJit) {
  EXPECT_EQ(Engine().CompileString(kExport, "export.proviso").backend(), Backend::kJit);
  EXPECT_EQ(Engine(EngineOptions{Backend::kInterpreter}).CompileString(kExport, "export.proviso").backend(),
            Backend::kInterpreter);
}

TEST(SdkCompile, APolicyWithoutHeaderIsNamedAfterItsFile) {
  // compiler/check/checker.h: CheckedProgram::name() is "the policy name, or the file's stem".
  Policy p = Engine().CompileString("input { n: int }\noutput o: int\nrule r { then o = n }\n", "retention.proviso");
  EXPECT_EQ(p.name(), "retention");
  EXPECT_EQ(p.Evaluate(json{{"n", 1}}, {}).ToJson()["policy"], json("retention"));
}

TEST(SdkCompile, TheCacheSeesEditedFilesAndImports) {
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / ("proviso_sdk_cache_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  auto write = [&](const std::string& file, const std::string& text) { std::ofstream(dir / file) << text; };
  write("lib.proviso", "param limit: int = 10\n");
  write("main.proviso", "import \"lib.proviso\"\ninput { n: int }\noutput big: bool\nrule r { then big = n > limit }\n");
  const std::string main = (dir / "main.proviso").string();
  json facts = {{"n", 15}};
  Engine engine;
  EXPECT_EQ(engine.CompileFile(main).Evaluate(facts, AsOf("2021-01-01")).output("big"), json(true));
  EXPECT_EQ(engine.CompileFile(main).Evaluate(facts, AsOf("2021-01-01")).output("big"), json(true));  // cached
  write("lib.proviso", "param limit: int = 20\n");  // only the import changes
  EXPECT_EQ(engine.CompileFile(main).Evaluate(facts, AsOf("2021-01-01")).output("big"), json(false));
  write("main.proviso", "import \"lib.proviso\"\ninput { n: int }\noutput big: bool\nrule r { then big = n >= limit - 5 }\n");
  EXPECT_EQ(engine.CompileFile(main).Evaluate(facts, AsOf("2021-01-01")).output("big"), json(true));
  // Without the cache, and after clearing it, the same answers.
  EXPECT_EQ(Engine(EngineOptions{Backend::kJit, false}).CompileFile(main).Evaluate(facts, AsOf("2021-01-01")).output("big"),
            json(true));
  Engine::ClearCache();
  EXPECT_EQ(engine.CompileFile(main).Evaluate(facts, AsOf("2021-01-01")).output("big"), json(true));
  fs::remove_all(dir);
}

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

// ================================================================ threads

// Evaluates every facts 50 times in an order of its own (thread `t`); `got[i]` is the decision of
// facts i as JSON, or a marker when the rounds disagree. (Four threads of 50 rounds of 60 facts
// pass the JIT's tier-up count: the optimised row replaces the quick one while they run.)
void EvaluateRounds(const Policy& policy, int t, const std::vector<json>& facts, const std::vector<std::string>& days,
         std::vector<json>& got) {
  got.assign(facts.size(), json());
  for (int round = 0; round < 50; ++round) {
    for (size_t k = 0; k < facts.size(); ++k) {
      size_t i = (k + t * 13) % facts.size();
      json j = policy.Evaluate(facts[i], AsOf(days[i], i % 7 == 0)).ToJson();
      if (round == 0) {
        got[i] = j;
      } else if (j != got[i]) {
        got[i] = json("differs between rounds");
      }
    }
  }
}

TEST_P(SdkThreads, PolicyCopiesShareAndEvaluateConcurrently) {
  Policy original = Compile(kExport, "export.proviso");
  std::vector<json> facts;
  std::vector<std::string> days;
  for (int i = 0; i < 60; ++i) {
    facts.push_back(ExportFacts(i % 2 == 0, i % 3 == 0 ? "XX" : "DE", i % 4 == 0 ? "" : "2021-04-" + std::to_string(10 + i % 19)));
    days.push_back(i % 5 == 0 ? "2022-02-01" : "2021-06-01");
  }
  std::vector<json> expected;
  for (size_t i = 0; i < facts.size(); ++i) {
    expected.push_back(original.Evaluate(facts[i], AsOf(days[i], i % 7 == 0)).ToJson());
  }
  const int kThreads = 4;
  std::vector<std::vector<json>> got(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    Policy copy = original;  // shares the compiled policy
    threads.emplace_back([copy, t, &facts, &days, &got] {
      try {
        EvaluateRounds(copy, t, facts, days, got[t]);
      } catch (const std::exception& e) {
        got[t].assign(1, json(e.what()));
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int t = 0; t < kThreads; ++t) {
    ASSERT_EQ(got[t].size(), facts.size()) << got[t].front();
    for (size_t i = 0; i < facts.size(); ++i) EXPECT_EQ(got[t][i], expected[i]) << "thread " << t << " facts " << i;
  }
}

TEST_P(SdkThreads, EnginesCompileConcurrently) {
  std::vector<std::string> names(4);
  const Backend backend = GetParam();
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([t, backend, &names] {
      try {
        Engine engine(EngineOptions{backend});
        Policy p = engine.CompileString(kExport, "export" + std::to_string(t) + ".proviso");
        names[t] = p.name() + ":" + p.Evaluate(ExportFacts(true, "DE"), AsOf("2021-06-01")).output("export").get<std::string>();
      } catch (const std::exception& e) {
        names[t] = e.what();
      }
    });
  }
  for (auto& th : threads) th.join();
  for (const auto& n : names) EXPECT_EQ(n, "export_control:deny");
}

// ================================================================ batches

const char* kBatch = R"(policy batch
  document "Batch Act"
enum Degree { very_serious, serious, medium, light }
enum Outcome { permit, review, deny }
record Party { country: text, age: int? }
input {
  degree: Degree
  party: Party
  amount: decimal
  approved: bool
  on: date
  kept: duration
  note: text?
}
param limit: decimal = 1000.0
output outcome: Outcome
output label: text
output score: int?
output big: bool
output due: date
rule permit_all { then outcome = permit cite "Art. 1" }
rule review_big exception to permit_all { when amount > limit then outcome = review cite "Art. 2" }
rule deny_grave exception to permit_all priority 1 {
  when degree == very_serious and not approved
  then outcome = deny
  cite "Art. 3"
}
rule label_country { then label = party.country }
rule label_note exception to label_country { when note is present then label = note ?? "" }
rule score_age { when party.age is present then score = (party.age ?? 0) * 2 }
rule big_r { then big = amount > limit }
rule due_r { then due = on + kept }
obligation keep {
  subject "s"
  must "keep"
  when degree != light
  deadline kept after on
  violated when kept < 30 days
  cite "Art. 4"
}
obligation approve {
  subject "s"
  must "approve"
  when not approved
  cite "Art. 5"
}
)";

// Columns of a batch, owned.
struct Columns {
  std::vector<std::vector<int64_t>> data;
  std::vector<std::vector<uint8_t>> present;
};

constexpr int64_t kUnit = 1000000;

TEST_P(SdkBatch, InputAndOutputSpecs) {
  Policy p = Compile(kBatch, "batch.proviso");
  std::vector<ColumnSpec> in = p.BatchInputs();
  std::vector<std::string> names;
  for (const auto& c : in) names.push_back(c.name);
  EXPECT_EQ(names, (std::vector<std::string>{"degree", "party.country", "party.age", "amount", "approved", "on", "kept",
                                             "note"}));
  EXPECT_EQ(in[0].kind, ColumnKind::kEnum);
  EXPECT_EQ(in[0].categories, (std::vector<std::string>{"very_serious", "serious", "medium", "light"}));
  EXPECT_FALSE(in[0].optional);
  EXPECT_EQ(in[1].kind, ColumnKind::kText);
  EXPECT_EQ(in[2].kind, ColumnKind::kInt);
  EXPECT_TRUE(in[2].optional);
  EXPECT_EQ(in[3].kind, ColumnKind::kDecimal);
  EXPECT_EQ(in[4].kind, ColumnKind::kBool);
  EXPECT_EQ(in[5].kind, ColumnKind::kDate);
  EXPECT_EQ(in[6].kind, ColumnKind::kDuration);
  EXPECT_EQ(in[7].kind, ColumnKind::kText);
  EXPECT_TRUE(in[7].optional);

  std::vector<ColumnSpec> out = p.BatchOutputs();
  names.clear();
  for (const auto& c : out) names.push_back(c.name);
  EXPECT_EQ(names, (std::vector<std::string>{"outcome", "label", "score", "big", "due", "keep.applies", "keep.violated",
                                             "keep.deadline", "keep.status", "approve.applies", "approve.violated",
                                             "approve.deadline"}));
  EXPECT_EQ(out[0].kind, ColumnKind::kEnum);
  EXPECT_EQ(out[0].categories, (std::vector<std::string>{"permit", "review", "deny"}));
  EXPECT_EQ(out[1].kind, ColumnKind::kText);
  EXPECT_TRUE(out[2].optional);
  EXPECT_EQ(out[3].kind, ColumnKind::kBool);
  EXPECT_EQ(out[4].kind, ColumnKind::kDate);
  EXPECT_EQ(out[5].kind, ColumnKind::kBool);
  EXPECT_FALSE(out[5].optional);
  EXPECT_EQ(out[7].kind, ColumnKind::kDate);
  EXPECT_TRUE(out[7].optional);
  // An obligation with a deadline has a status column, an enum of the deadline statuses.
  EXPECT_EQ(out[8].kind, ColumnKind::kEnum);
  EXPECT_EQ(out[8].categories,
            (std::vector<std::string>{"none", "pending", "met", "overdue", "early", "breached", "undetermined"}));
  EXPECT_EQ(out[8].width, 1);
}

TEST_P(SdkBatch, OutputsOverlappingTheBatchAreAnError) {
  Policy p = Compile("input { n: int }\noutput m: int\nrule r { then m = n * 2 }\n"
                     "output k: int\nrule s { then k = n + 1 }\n");
  std::vector<int64_t> n = {1, 2, 3}, m(3), k(3);
  BatchInput in;
  in.rows = 3;
  in.columns = {n.data()};
  in.present = {nullptr};
  in.dictionaries = {nullptr};
  BatchOutput out;
  out.columns = {n.data(), k.data()};  // writing over the input
  out.present = {nullptr, nullptr};
  try {
    p.EvaluateBatch(in, out);
    FAIL() << "wrote over an input column";
  } catch (const Error& e) {
    EXPECT_TRUE(Contains(e.what(), "output column `m` overlaps input column `n`")) << e.what();
  }
  EXPECT_EQ(n, (std::vector<int64_t>{1, 2, 3}));
  out.columns = {m.data(), m.data() + 1};  // two outputs sharing memory
  EXPECT_THROW(p.EvaluateBatch(in, out), Error);
  out.columns = {m.data(), k.data()};
  p.EvaluateBatch(in, out);
  EXPECT_EQ(m, (std::vector<int64_t>{2, 4, 6}));
  EXPECT_EQ(k, (std::vector<int64_t>{2, 3, 4}));
}

TEST_P(SdkBatch, ListsAndSetsOfTextsCannotBeColumns) {
  Policy p = engine().CompileFile(std::string(PROVISO_SOURCE_DIR) + "/policies/cn/data_security_law.proviso");
  try {
    p.BatchInputs();
    FAIL() << "a list became a column";
  } catch (const Error& e) {
    EXPECT_TRUE(Contains(e.what(), "`dataset.assessments`")) << e.what();
  }
  Policy t = Compile("input { tags: set<text> }\noutput n: int\nrule r { then n = count(tags) }\n");
  EXPECT_THROW(t.BatchInputs(), Error);
  Policy q = Compile("input { n: int }\noutput d: duration\nrule r { then d = 1 day * n }\n");
  EXPECT_THROW(q.BatchOutputs(), Error);
}


int64_t DayNumber(int y, int m, int d) {
  // Days since 1970-01-01 (Howard Hinnant's algorithm), independent of the SDK.
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

std::string DateText(int64_t days) {
  // Inverse of DayNumber.
  days += 719468;
  const int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const int64_t doe = days - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int64_t d = doy - (153 * mp + 2) / 5 + 1;
  const int64_t m = mp + (mp < 10 ? 3 : -9);
  const int64_t y = yoe + era * 400 + (m <= 2);
  char buf[48];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", static_cast<int>(y), static_cast<int>(m) % 100,
                static_cast<int>(d) % 100);
  return buf;
}

// The tests below write int64 columns. The SDK takes each column at its ColumnSpec::width (what
// numpy passes: uint8 bools, int8 categorical codes): narrow on the way in, widen on the way out.
int64_t ReadWidth(const void* col, const ColumnSpec& spec, int64_t r) {
  if (spec.width == 1) {
    return spec.kind == ColumnKind::kBool ? static_cast<const uint8_t*>(col)[r] : static_cast<const int8_t*>(col)[r];
  }
  if (spec.width == 4) return static_cast<const int32_t*>(col)[r];
  return static_cast<const int64_t*>(col)[r];
}

void WriteWidth(void* col, const ColumnSpec& spec, int64_t r, int64_t v) {
  if (spec.width == 1) static_cast<int8_t*>(col)[r] = static_cast<int8_t>(v);
  else if (spec.width == 4) static_cast<int32_t*>(col)[r] = static_cast<int32_t>(v);
  else static_cast<int64_t*>(col)[r] = v;
}

void EvaluateBatch64(const Policy& p, const BatchInput& in, BatchOutput& out, const EvalOptions& options = {}) {
  std::vector<ColumnSpec> ins = p.BatchInputs(), outs = p.BatchOutputs();
  std::vector<std::vector<uint8_t>> in_bytes(in.columns.size()), out_bytes(out.columns.size());
  BatchInput narrow = in;
  for (size_t k = 0; k < in.columns.size() && k < ins.size(); ++k) {
    in_bytes[k].resize(static_cast<size_t>(in.rows) * ins[k].width + 1);
    for (int64_t r = 0; r < in.rows; ++r) {
      WriteWidth(in_bytes[k].data(), ins[k], r, static_cast<const int64_t*>(in.columns[k])[r]);
    }
    narrow.columns[k] = in_bytes[k].data();
  }
  BatchOutput wide_out = out;
  for (size_t k = 0; k < out.columns.size() && k < outs.size(); ++k) {
    out_bytes[k].resize(static_cast<size_t>(in.rows) * outs[k].width + 1);
    wide_out.columns[k] = out_bytes[k].data();
  }
  p.EvaluateBatch(narrow, wide_out, options);
  out.dictionary = wide_out.dictionary;
  for (size_t k = 0; k < out.columns.size() && k < outs.size(); ++k) {
    for (int64_t r = 0; r < in.rows; ++r) {
      static_cast<int64_t*>(out.columns[k])[r] = ReadWidth(out_bytes[k].data(), outs[k], r);
    }
  }
}

// A set of a small enum is a column of bitmasks (bit k: categories[k]), with its default when
// absent; a bit that is not a value is a FactsError naming column and row.
TEST_P(SdkBatch, EnumSetsAreBitmaskColumns) {
  Policy p = Compile(
      "enum Service { seat_rental, self_use, call_center_system }\n"
      "input { services: set<Service> = {self_use}, extra: set<Service>? }\n"
      "output rents: bool\nrule r1 { then rents = seat_rental in services }\n"
      "output n: int\nrule r2 { then n = count(services) + count(extra ?? {}) }\n",
      "sets.proviso");
  std::vector<ColumnSpec> in_specs = p.BatchInputs();
  ASSERT_EQ(in_specs.size(), 2u);
  EXPECT_EQ(in_specs[0].kind, ColumnKind::kEnumSet);
  EXPECT_EQ(in_specs[0].categories, (std::vector<std::string>{"seat_rental", "self_use", "call_center_system"}));
  EXPECT_TRUE(in_specs[0].has_default);
  EXPECT_EQ(in_specs[0].width, 8);
  std::vector<int64_t> services = {0b001, 0b110, 0b000, 0b111}, extra = {0b011, 0, 0b100, 0};
  std::vector<uint8_t> services_present = {1, 1, 0, 1}, extra_present = {1, 0, 1, 1};
  std::vector<int64_t> rents(4), n(4);
  BatchInput in;
  in.rows = 4;
  in.columns = {services.data(), extra.data()};
  in.present = {services_present.data(), extra_present.data()};
  in.dictionaries = {nullptr, nullptr};
  BatchOutput out;
  out.columns = {rents.data(), n.data()};
  out.present = {nullptr, nullptr};
  EvaluateBatch64(p, in, out, AsOf("2021-01-01"));
  EXPECT_EQ(rents, (std::vector<int64_t>{1, 0, 0, 1}));
  EXPECT_EQ(n, (std::vector<int64_t>{3, 2, 2, 3}));  // row 2: the default {self_use} and {call_center_system}
  for (size_t r = 0; r < 4; ++r) {  // the same as row by row
    nlohmann::json facts = nlohmann::json::object();
    auto names = [&](int64_t mask) {
      nlohmann::json a = nlohmann::json::array();
      for (int k = 0; k < 3; ++k) if ((mask >> k) & 1) a.push_back(in_specs[0].categories[k]);
      return a;
    };
    if (services_present[r]) facts["services"] = names(services[r]);
    facts["extra"] = extra_present[r] ? names(extra[r]) : json(nullptr);  // an optional column's absent cell: none
    Decision d = p.Evaluate(facts, AsOf("2021-01-01"));
    EXPECT_EQ(d.output("rents"), json(rents[r] != 0)) << r;
    EXPECT_EQ(d.output("n"), json(n[r])) << r;
  }
  extra[1] = 0b1000;  // absent in row 1: ignored
  services[3] = 0b1001;
  try {
    EvaluateBatch64(p, in, out, AsOf("2021-01-01"));
    FAIL() << "accepted bit 3 of a 3-value enum";
  } catch (const FactsError& e) {
    EXPECT_EQ(e.path(), "services[3]");
    EXPECT_TRUE(Contains(e.what(), "0x9 has bits that are not values of `Service`")) << e.what();
  }
}


TEST_P(SdkBatch, EvaluateBatchEqualsRowByRowEvaluate) {
  Policy p = Compile(kBatch, "batch.proviso");
  const int64_t rows = 48;
  std::vector<std::string> countries = {"CN", "US", "DE"};
  std::vector<std::string> notes = {"vip", "regular"};
  std::vector<std::string> degrees = {"very_serious", "serious", "medium", "light"};
  Columns c;
  c.data.assign(8, std::vector<int64_t>(rows));
  c.present.assign(8, std::vector<uint8_t>(rows, 1));
  std::vector<json> facts;
  for (int64_t i = 0; i < rows; ++i) {
    c.data[0][i] = i % 4;
    c.data[1][i] = i % 3;
    c.data[2][i] = 20 + i;
    c.present[2][i] = i % 3 != 0;
    c.data[3][i] = (500 + 50 * i) * kUnit + (i % 2 ? 250000 : 0);  // crosses the 1000.0 limit
    c.data[4][i] = (i / 4) % 2;
    c.data[5][i] = DayNumber(2020, 1, 1) + 17 * i;
    c.data[6][i] = (20 + i / 2) * 86400;                               // seconds: crosses 30 days
    c.data[7][i] = i % 2;
    c.present[7][i] = i % 5 == 0;
    json f = {{"degree", degrees[i % 4]},
              {"party", {{"country", countries[i % 3]}}},
              {"amount", std::to_string(500 + 50 * i) + (i % 2 ? ".25" : ".0")},
              {"approved", (i / 4) % 2 == 1},
              {"on", DateText(c.data[5][i])},
              {"kept", std::to_string(c.data[6][i] / 86400) + " days"}};
    f["party"]["age"] = c.present[2][i] ? json(20 + i) : json(nullptr);  // absent cells of optional columns: none
    f["note"] = c.present[7][i] ? json(notes[i % 2]) : json(nullptr);
    facts.push_back(f);
  }
  BatchInput in;
  in.rows = rows;
  for (size_t k = 0; k < c.data.size(); ++k) {
    in.columns.push_back(c.data[k].data());
    bool optional = k == 2 || k == 7;
    in.present.push_back(optional ? c.present[k].data() : nullptr);
    in.dictionaries.push_back(k == 1 ? &countries : k == 7 ? &notes : nullptr);
  }
  std::vector<ColumnSpec> specs = p.BatchOutputs();
  Columns o;
  o.data.assign(specs.size(), std::vector<int64_t>(rows, -7));
  o.present.assign(specs.size(), std::vector<uint8_t>(rows, 9));
  BatchOutput out;
  for (size_t k = 0; k < specs.size(); ++k) {
    out.columns.push_back(o.data[k].data());
    out.present.push_back(specs[k].optional ? o.present[k].data() : nullptr);
  }
  EvaluateBatch64(p, in, out, AsOf("2021-06-01"));

  std::set<std::string> outcomes;
  int violated = 0;
  for (int64_t i = 0; i < rows; ++i) {
    SCOPED_TRACE("row " + std::to_string(i) + ": " + facts[i].dump());
    Decision d = p.Evaluate(facts[i], AsOf("2021-06-01"));
    EXPECT_EQ(specs[0].categories.at(o.data[0][i]), d.output("outcome").get<std::string>());
    outcomes.insert(d.output("outcome").get<std::string>());
    EXPECT_EQ(out.dictionary.at(o.data[1][i]), d.output("label").get<std::string>());
    if (d.output("score").is_null()) {
      EXPECT_EQ(o.present[2][i], 0);
    } else {
      EXPECT_EQ(o.present[2][i], 1);
      EXPECT_EQ(o.data[2][i], d.output("score").get<int64_t>());
    }
    EXPECT_EQ(o.data[3][i], d.output("big").get<bool>() ? 1 : 0);
    EXPECT_EQ(DateText(o.data[4][i]), d.output("due").get<std::string>());
    for (size_t k = 0; k < 2; ++k) {
      const std::string name = k == 0 ? "keep" : "approve";
      const Obligation* ob = nullptr;
      for (const auto& x : d.obligations()) if (x.name == name) ob = &x;
      size_t col = 5 + 4 * k;  // keep has a deadline, so a status column too
      EXPECT_EQ(o.data[col][i], ob ? 1 : 0) << name;
      EXPECT_EQ(o.data[col + 1][i], ob && ob->violated ? 1 : 0) << name;
      violated += ob && ob->violated;
      bool has_deadline = ob && ob->deadline;
      EXPECT_EQ(o.present[col + 2][i], has_deadline ? 1 : 0) << name;
      if (has_deadline) {
        EXPECT_EQ(DateText(o.data[col + 2][i]), *ob->deadline) << name;
      }
      if (k == 0) {  // the status column
        std::string status = ob && !ob->status.empty() ? ob->status : "none";
        EXPECT_EQ(specs[col + 3].categories.at(o.data[col + 3][i]), status) << name;
      }
    }
  }
  // The batch exercised every outcome and both sides of the obligations.
  EXPECT_EQ(outcomes, (std::set<std::string>{"permit", "review", "deny"}));
  EXPECT_GT(violated, 0);
  // Text outputs index the dictionary, which holds each text once.
  std::set<std::string> unique(out.dictionary.begin(), out.dictionary.end());
  EXPECT_EQ(unique.size(), out.dictionary.size());
  EXPECT_EQ(unique, (std::set<std::string>{"CN", "US", "DE", "vip", "regular"}));
}

// A batch of one column `degree` (enum) and `n` (int) for error tests.
struct SmallBatch {
  std::vector<int64_t> degree, n;
  std::vector<int64_t> o0, o1;
  BatchInput in;
  BatchOutput out;
  SmallBatch(std::vector<int64_t> d, std::vector<int64_t> x) : degree(std::move(d)), n(std::move(x)) {
    o0.resize(degree.size());
    o1.resize(degree.size());
    in.rows = static_cast<int64_t>(degree.size());
    in.columns = {degree.data(), n.data()};
    in.present = {nullptr, nullptr};
    in.dictionaries = {nullptr, nullptr};
    out.columns = {o0.data(), o1.data()};
    out.present = {nullptr, nullptr};
  }
};

const char* kSmall = R"(
enum Degree { high, low }
input { degree: Degree, n: int }
output q: int
output high: bool
rule r { then q = 100 / n }
rule h { then high = degree == Degree.high }
)";

TEST_P(SdkBatch, BadEnumCodeIsAFactsErrorNamingColumnAndRow) {
  Policy p = Compile(kSmall, "small.proviso");
  SmallBatch b({0, 1, 0, 2, 1}, {1, 2, 3, 4, 5});
  try {
    EvaluateBatch64(p, b.in, b.out, AsOf("2021-01-01"));
    FAIL() << "accepted code 2";
  } catch (const FactsError& e) {
    EXPECT_EQ(e.path(), "degree[3]");
    EXPECT_TRUE(Contains(e.what(), "`degree[3]`")) << e.what();
  }
  SmallBatch neg({0, -1}, {1, 2});
  try {
    EvaluateBatch64(p, neg.in, neg.out, AsOf("2021-01-01"));
    FAIL() << "accepted code -1";
  } catch (const FactsError& e) {
    EXPECT_EQ(e.path(), "degree[1]");
  }
}

TEST_P(SdkBatch, BadBoolAndTextCodesAreFactsErrors) {
  Policy p = Compile("input { ok: bool, country: text }\noutput o: bool\n"
                     "rule r { then o = ok and country == \"CN\" }\n", "codes.proviso");
  std::vector<std::string> dict = {"CN", "US"};
  std::vector<int64_t> ok = {1, 0, 2}, country = {0, 1, 0}, o(3);
  BatchInput in;
  in.rows = 3;
  in.columns = {ok.data(), country.data()};
  in.present = {nullptr, nullptr};
  in.dictionaries = {nullptr, &dict};
  BatchOutput out;
  out.columns = {o.data()};
  out.present = {nullptr};
  try {
    EvaluateBatch64(p, in, out, AsOf("2021-01-01"));
    FAIL() << "accepted 2 as a bool";
  } catch (const FactsError& e) {
    EXPECT_EQ(e.path(), "ok[2]");
  }
  ok[2] = 1;
  country[1] = 2;
  try {
    EvaluateBatch64(p, in, out, AsOf("2021-01-01"));
    FAIL() << "accepted a code outside the dictionary";
  } catch (const FactsError& e) {
    EXPECT_EQ(e.path(), "country[1]");
  }
  country[1] = 1;
  EvaluateBatch64(p, in, out, AsOf("2021-01-01"));
  EXPECT_EQ(o, (std::vector<int64_t>{1, 0, 1}));
  std::vector<std::string> empty;
  in.dictionaries = {nullptr, &empty};
  try {
    EvaluateBatch64(p, in, out, AsOf("2021-01-01"));
    FAIL() << "accepted code 0 of an empty dictionary";
  } catch (const FactsError& e) {
    EXPECT_EQ(e.path(), "country[0]");
  }
  in.dictionaries = {nullptr, nullptr};
  EXPECT_THROW(EvaluateBatch64(p, in, out, AsOf("2021-01-01")), Error);  // a text column needs its dictionary
}

// A date column holds day numbers of the calendar: one outside it (too large, negative beyond
// 0001-01-01, or a NaT-like INT64_MIN) is a FactsError naming the cell, before any row is decided
// (the JIT's date arithmetic counts on dates being in the calendar).
TEST_P(SdkBatch, DayNumbersOutsideTheCalendarAreFactsErrors) {
  Policy p = Compile("input { start: date, by: duration }\noutput later: date\n"
                     "rule r { then later = start + by }\n", "dates.proviso");
  std::vector<int64_t> start = {0, 18000, 0}, by = {86400, 2 * 86400, -(1000000000 - 1000)}, later(3);  // seconds
  BatchInput in;
  in.rows = 3;
  in.columns = {start.data(), by.data()};
  in.present = {nullptr, nullptr};
  BatchOutput out;
  out.columns = {later.data()};
  out.present = {nullptr};
  for (int64_t bad : {int64_t{1000000000}, int64_t{-719163}, int64_t{2932897}, INT64_MIN}) {
    start[2] = bad;
    try {
      EvaluateBatch64(p, in, out, AsOf("2021-01-01"));
      FAIL() << "accepted day number " << bad;
    } catch (const FactsError& e) {
      EXPECT_EQ(e.path(), "start[2]");
      EXPECT_TRUE(Contains(e.what(), "outside the calendar (0001-01-01 to 9999-12-31)")) << e.what();
    }
  }
  start[2] = 2932896;  // 9999-12-31
  by[2] = 0;
  EvaluateBatch64(p, in, out, AsOf("2021-01-01"));
  EXPECT_EQ(later, (std::vector<int64_t>{1, 18002, 2932896}));
}

TEST_P(SdkBatch, RowWithoutDecisionIsAnEvaluationErrorNamingTheRow) {
  Policy p = Compile(kSmall, "small.proviso");
  SmallBatch ok({0, 1, 0}, {1, 3, 7});
  EvaluateBatch64(p, ok.in, ok.out, AsOf("2021-01-01"));
  EXPECT_EQ(ok.o0, (std::vector<int64_t>{100, 33, 14}));
  EXPECT_EQ(ok.o1, (std::vector<int64_t>{1, 0, 1}));
  SmallBatch bad({0, 1, 0}, {1, 3, 0});
  try {
    EvaluateBatch64(p, bad.in, bad.out, AsOf("2021-01-01"));
    FAIL() << "divided by zero";
  } catch (const EvaluationError& e) {
    EXPECT_EQ(std::string(e.what()).rfind("row 2: ", 0), 0u) << e.what();
    EXPECT_TRUE(Contains(e.what(), "division by zero")) << e.what();
  }
}

TEST_P(SdkBatch, WrongNumberOfColumnsIsAnError) {
  Policy p = Compile(kSmall, "small.proviso");
  SmallBatch b({0}, {1});
  b.in.columns.pop_back();
  EXPECT_THROW(EvaluateBatch64(p, b.in, b.out, AsOf("2021-01-01")), Error);
  SmallBatch c({0}, {1});
  c.out.columns.pop_back();
  EXPECT_THROW(EvaluateBatch64(p, c.in, c.out, AsOf("2021-01-01")), Error);
}

}  // namespace
}  // namespace proviso

namespace proviso {
namespace {

// An input with a default may be left out of a batch: presence 0 means the default, as a field
// left out of JSON facts does. Both engines agree with row-by-row evaluation.
TEST(SdkBatchDefaults, AbsentValuesTakeTheFieldsDefault) {
  const std::string source = R"(
input { kept: int, approved: bool = true, country: text = "CN", grace: duration = 3 days }
output ok: bool
output place: text
output total: int
rule r { then ok = approved and kept > 2 }
rule w { then place = country }
rule t { then total = kept + days(grace) }
)";
  for (Backend backend : {Backend::kJit, Backend::kInterpreter}) {
    Policy p = Engine({backend, false}).CompileString(source, "defaults.proviso");
    std::vector<ColumnSpec> specs = p.BatchInputs();
    ASSERT_EQ(specs.size(), 4u);
    EXPECT_FALSE(specs[0].has_default);
    EXPECT_TRUE(specs[1].has_default && specs[1].optional);
    // Durations in seconds: grace 1 day.
    std::vector<int64_t> kept = {5, 1, 7}, approved = {0, 1, 0}, country = {0, 0, 1}, grace = {86400, 0, 0};
    std::vector<uint8_t> approved_present = {1, 0, 0}, country_present = {0, 1, 1}, grace_present = {1, 0, 0};
    std::vector<std::string> dict = {"FR", "JP"};
    BatchInput in;
    in.rows = 3;
    in.columns = {kept.data(), approved.data(), country.data(), grace.data()};
    in.present = {nullptr, approved_present.data(), country_present.data(), grace_present.data()};
    in.dictionaries = {nullptr, nullptr, &dict, nullptr};
    std::vector<int64_t> ok(3), where(3), total(3);
    BatchOutput out;
    out.columns = {ok.data(), where.data(), total.data()};
    EvaluateBatch64(p, in, out);
    // Row 0: approved given false, country default "CN", grace given 1 day.
    // Row 1: approved default true, country "FR", grace default 3 days.
    // Row 2: approved default true, country "JP", grace default.
    EXPECT_EQ(ok, (std::vector<int64_t>{0, 0, 1}));
    EXPECT_EQ(out.dictionary[where[0]], "CN");
    EXPECT_EQ(out.dictionary[where[1]], "FR");
    EXPECT_EQ(out.dictionary[where[2]], "JP");
    EXPECT_EQ(total, (std::vector<int64_t>{6, 4, 10}));
    Decision d = p.Evaluate(nlohmann::json{{"kept", 7}, {"country", "JP"}});
    EXPECT_EQ(d.output("ok"), true);
    EXPECT_EQ(d.output("total"), 10);
  }
}

}  // namespace
}  // namespace proviso

namespace proviso {
namespace {

// The schema's constraints hold for batch columns as for JSON facts: the first bad row is named.
TEST(SdkBatchConstraints, TheFirstRowBreakingAConstraintIsNamed) {
  const std::string source = R"(
enum Role { processor, entrusted, third_party }
input { minute: int in 0..1439, people: int >= 0, lead: text != "", role: Role != third_party, fee: decimal? <= 10.0 }
output ok: bool
rule r { then ok = minute > people }
)";
  for (Backend backend : {Backend::kJit, Backend::kInterpreter}) {
    Policy p = Engine({backend, false}).CompileString(source, "constraints.proviso");
    std::vector<int64_t> minute = {10, 1439, 0}, people = {1, 2, 3}, lead = {0, 1, 0}, role = {0, 1, 0},
                         fee = {5000000, 0, 10000000};
    std::vector<uint8_t> fee_present = {1, 0, 1};
    std::vector<std::string> dict = {"Li", "Wang"};
    BatchInput in;
    in.rows = 3;
    in.columns = {minute.data(), people.data(), lead.data(), role.data(), fee.data()};
    in.present = {nullptr, nullptr, nullptr, nullptr, fee_present.data()};
    in.dictionaries = {nullptr, nullptr, &dict, nullptr, nullptr};
    std::vector<int64_t> ok(3);
    BatchOutput out;
    out.columns = {ok.data()};
    EvaluateBatch64(p, in, out);
    EXPECT_EQ(ok, (std::vector<int64_t>{1, 1, 0}));
    auto message = [&] {
      try {
        EvaluateBatch64(p, in, out);
      } catch (const FactsError& e) {
        return std::string(e.what());
      }
      return std::string("no error");
    };
    minute[2] = 1440;
    EXPECT_EQ(message(), "`minute[2]`: 1440 does not satisfy `in 0..1439`");
    minute[2] = 0;
    people[1] = -1;
    EXPECT_EQ(message(), "`people[1]`: -1 does not satisfy `>= 0`");
    people[1] = 2;
    dict[1] = "";
    EXPECT_EQ(message(), "`lead[1]`: \"\" does not satisfy `!= \"\"`");
    dict[1] = "Wang";
    role[0] = 2;
    EXPECT_EQ(message(), "`role[0]`: third_party does not satisfy `!= third_party`");
    role[0] = 0;
    fee[1] = 99000000;  // absent: not checked
    EXPECT_EQ(message(), "no error");
    fee[2] = 10000001;
    EXPECT_EQ(message(), "`fee[2]`: 10.000001 does not satisfy `<= 10.0`");
  }
}

}  // namespace
}  // namespace proviso

namespace proviso {
namespace {

// Cells not known are facts not given: what depends on them is undetermined, with its missing
// facts per column; without BatchOutput::missing the batch refuses to pass such rows for decisions.
TEST(SdkBatchUnknowns, CellsNotKnownGiveUndeterminedResultsWithTheirMissingFacts) {
  const std::string source = R"(
input { verified: bool, operator: bool, ended_on: date }
output ok: bool
rule r { then ok = verified or not operator }
obligation verify {
  subject "operator"
  must "verify numbers"
  when operator
  violated when not verified
  cite "Art. 1"
}
)";
  for (Backend backend : {Backend::kJit, Backend::kInterpreter}) {
    Policy p = Engine({backend, false}).CompileString(source, "unknowns.proviso");
    EXPECT_EQ(p.Facts(), (std::vector<std::string>{"verified", "operator", "ended_on"}));
    EXPECT_EQ(p.MissingWords(), 1);
    // Row 0: everything known; row 1: `verified` not known; row 2: `operator` not known.
    std::vector<uint8_t> verified = {0, 0, 1}, op = {1, 1, 1};
    std::vector<int64_t> ended = {100, 100, 100};
    std::vector<uint8_t> verified_known = {1, 0, 1}, op_known = {1, 1, 0};
    BatchInput in;
    in.rows = 3;
    in.columns = {verified.data(), op.data(), ended.data()};
    in.present = {nullptr, nullptr, nullptr};
    in.known = {verified_known.data(), op_known.data(), nullptr};
    in.dictionaries = {nullptr, nullptr, nullptr};
    std::vector<uint8_t> ok(3), applies(3), violated(3);
    std::vector<int64_t> deadline(3);
    std::vector<uint8_t> deadline_present(3);
    BatchOutput out;
    out.columns = {ok.data(), applies.data(), violated.data(), deadline.data()};
    out.present = {nullptr, nullptr, nullptr, deadline_present.data()};
    try {
      p.EvaluateBatch(in, out);
      ADD_FAILURE() << "accepted without missing columns";
    } catch (const Error& e) {
      EXPECT_TRUE(Contains(e.what(), "no BatchOutput::missing for column `ok`")) << e.what();
    }
    std::vector<std::vector<uint64_t>> missing(4, std::vector<uint64_t>(3));
    out.missing = {missing[0].data(), missing[1].data(), missing[2].data(), missing[3].data()};
    p.EvaluateBatch(in, out);
    const uint64_t kVerified = 1 << 0, kOperator = 1 << 1;
    // ok: row 0 false (known), row 1 waits for `verified`, row 2 true (`verified` decides the `or`).
    EXPECT_EQ(ok[0], 0);
    EXPECT_EQ(missing[0], (std::vector<uint64_t>{0, kVerified, 0}));
    EXPECT_EQ(ok[2], 1);
    // The obligation: row 0 applies and is violated; row 1 applies, its violation waits for
    // `verified`; row 2 may apply (waits for `operator`) and would not be violated.
    EXPECT_EQ(applies, (std::vector<uint8_t>{1, 1, 0}));
    EXPECT_EQ(missing[1], (std::vector<uint64_t>{0, 0, kOperator}));
    EXPECT_EQ(violated, (std::vector<uint8_t>{1, 0, 0}));
    EXPECT_EQ(missing[2], (std::vector<uint64_t>{0, kVerified, 0}));
    // The same as evaluating each row as JSON facts with the fact left out.
    Decision d = p.Evaluate(json{{"operator", true}, {"ended_on", "1970-04-11"}});
    EXPECT_EQ(d.undetermined(), json::parse(R"({"ok": ["verified"]})"));
    EXPECT_EQ(d.missing_facts(), (std::vector<std::string>{"verified"}));
    ASSERT_EQ(d.obligations().size(), 1u);
    EXPECT_FALSE(d.obligations()[0].violated);
    EXPECT_TRUE(d.obligations()[0].violation_undetermined);
    EXPECT_EQ(d.obligations()[0].missing, (std::vector<std::string>{"verified"}));
    EXPECT_TRUE(d.violations().empty());
    try {
      d.output("ok");
      ADD_FAILURE() << "an undetermined output read as a value";
    } catch (const Error& e) {
      EXPECT_TRUE(Contains(e.what(), "output `ok` is undetermined: it depends on facts not given (`verified`)")) << e.what();
    }
  }
}

}  // namespace
}  // namespace proviso
