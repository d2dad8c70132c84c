// The public C++ SDK (runtime/include/proviso/proviso.h) as an application uses it:
// compiling (errors, names, dumps, files, the cache).
// Shared helpers (kExport, AsOf, the SdkBackend fixture, PROVISO_SDK_SUITE, ...): sdk_test_util.h.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <unistd.h>

#include <nlohmann/json.hpp>

#include "proviso/proviso.h"
#include "tests/unit/sdk_test_util.h"

namespace proviso {
namespace sdk_test {
namespace {

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

}  // namespace
}  // namespace sdk_test
}  // namespace proviso
