// The `proviso` command line: check, compile, eval, explain, test.
// Only this file decides exit codes: 0 success, 1 a problem in the user's input (policy, facts,
// a failing test), 2 a usage error.
#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <regex>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "compiler/coverage/law_coverage.h"
#include "compiler/coverage/test_coverage.h"
#include "compiler/driver/driver.h"
#include "compiler/interp/facts.h"
#include "compiler/ir/ir.h"
#include "proviso/proviso.h"
#include "compiler/support/large_stack.h"
#include "compiler/support/read_file.h"
#include "doc_command.h"
#include "fmt_command.h"
#include "lsp_command.h"
#include "reports.h"
#include "verify_command.h"

namespace {

std::string g_root;  // --root: the import root ("": the default, see proviso::DefaultImportRoot)


namespace fs = std::filesystem;
using proviso::FrontEnd;

void PrintDiagnostics(const FrontEnd& fe, const std::string& format, std::ostream& out) {
  if (format == "json") {
    out << proviso::RenderJson(fe.diags.diagnostics(), fe.sources) << "\n";
  } else {
    out << proviso::RenderText(fe.diags.diagnostics(), fe.sources);
  }
}

// The policy text of `-` (standard input), read once.
std::string StdinPolicy() {
  static const std::string text = [] {
    std::string error;
    std::optional<std::string> t = proviso::ReadWholeFile("/dev/stdin", proviso::kMaxSourceBytes, &error);
    if (!t) throw std::runtime_error("cannot read the policy from standard input: " + error);
    return *t;
  }();
  return text;
}

int RunCheck(const std::vector<std::string>& files, const std::string& format) {
  bool failed = false;
  nlohmann::json all = nlohmann::json::array();  // --format json, sarif: one document for every file
  bool document = format == "json" || format == "sarif";
  for (const std::string& f : files) {
    auto fe = proviso::OnLargeStack([&] {
      // `-`: the policy on standard input, named <stdin>; its imports are relative to the current folder.
      return f == "-" ? proviso::CompileSource("<stdin>", StdinPolicy(), proviso::FrontEndOptions{g_root})
                      : proviso::CompileFile(f, proviso::FrontEndOptions{g_root});
    });
    bool ok = fe->ok();
    if (ok) {
      // The constants are computed when the policy is lowered: a param of `1 / 0` is a mistake too.
      try {
        proviso::OnLargeStack([&] { return proviso::ir::Lower(std::move(fe->program)) != nullptr; });
      } catch (const proviso::ir::ConstantError& e) {
        fe->diags.Error("E0507", e.span(), e.what());
      }
    }
    if (document) {
      for (auto& d : nlohmann::json::parse(proviso::RenderJson(fe->diags.diagnostics(), fe->sources))) all.push_back(d);
    } else {
      PrintDiagnostics(*fe, format, std::cerr);
    }
    failed |= !ok || fe->diags.HasErrors();
  }
  if (format == "json") std::cout << all.dump(2) << "\n";
  if (format == "sarif") std::cout << proviso::tools::Sarif(all, PROVISO_VERSION).dump(2) << "\n";
  return failed ? 1 : 0;
}

proviso::Backend g_backend = proviso::Backend::kJit;

// Compiles with the SDK, printing diagnostics (errors, and warnings when `warnings`) to stderr; with
// `diagnostics`, also collecting the errors there as JSON ({severity, code, message, file, line,
// column, help}).
std::optional<proviso::Policy> Compile(const std::string& file, bool warnings, nlohmann::json* diagnostics = nullptr) {
  try {
    proviso::EngineOptions options;
    options.backend = g_backend;
    options.import_root = g_root;
    proviso::Policy p = file == "-" ? proviso::Engine(options).CompileString(StdinPolicy(), "<stdin>")
                                    : proviso::Engine(options).CompileFile(file);
    if (warnings) for (const auto& w : p.warnings()) std::cerr << w.rendered << "\n";
    return p;
  } catch (const proviso::CompileError& e) {
    for (const auto& d : e.diagnostics()) {
      std::cerr << d.rendered << "\n";
      if (diagnostics) {
        diagnostics->push_back({{"severity", d.severity}, {"code", d.code}, {"message", d.message},
                                {"file", d.location.file}, {"line", d.location.line}, {"column", d.location.column},
                                {"help", d.help}});
      }
    }
    std::cerr << fmt::format("error: `{}` does not compile\n", file);
    return std::nullopt;
  }
}

int RunCompile(const std::string& file, const std::string& emit, const std::string& output) {
  auto policy = Compile(file, true);
  if (!policy) return 1;
  std::string text;
  try {
    text = policy->Dump(emit);
  } catch (const proviso::Error& e) {  // a stage this policy cannot reach (the JIT's, under --engine=interp)
    std::cerr << e.what() << fmt::format("error: `{}` cannot be dumped as {}\n", file, emit);
    return 1;
  }
  if (output.empty() || output == "-") {
    std::cout << text;
    return 0;
  }
  // Written whole or not at all: a build that generates a header never sees half of one.
  std::string tmp = output + ".tmp";
  std::ofstream out(tmp, std::ios::binary);
  out << text;
  out.close();
  std::error_code ec;
  if (!out || (std::filesystem::rename(tmp, output, ec), ec)) {
    std::filesystem::remove(tmp, ec);
    std::cerr << fmt::format("error: cannot write `{}`\n", output);
    return 1;
  }
  return 0;
}

struct EvalArgs {
  std::string policy;
  std::string facts;
  std::optional<std::string> as_of;  // given (even empty: an error) or not (now)
  std::vector<std::string> sets;
  bool explain = false;
  bool fail_on_violation = false;
  std::string format = "text";
  int64_t budget = 0;  // EvalOptions::budget
};

// Exit codes (docs/cli.md): 0 done, 1 the user's input is wrong (policy, facts, options' values)
// or there is no decision, 2 usage, 3 a decision with a violation under --fail-on-violation.
constexpr int kExitViolation = 3;

// A facts file: a regular file, or a pipe such as /dev/stdin (`-`: standard input); at most 256 MiB.
std::string ReadFacts(const std::string& path) {
  std::string error;
  std::optional<std::string> text = proviso::ReadWholeFile(path == "-" ? "/dev/stdin" : path, size_t{256} << 20, &error);
  if (!text) throw proviso::Error(fmt::format("cannot read `{}`: {}", path, error));
  return std::move(*text);
}

// An output as the text form shows it: text bare, decimals (the only numbers with a fraction) in
// plain notation with up to 6 places (0.000001, not 1e-06), anything else as JSON.
std::string OutputText(const nlohmann::json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (!v.is_number_float()) return v.dump();
  std::string s = fmt::format("{:.6f}", v.get<double>());
  s.erase(s.find_last_not_of('0') + 1);
  if (s.back() == '.') s += '0';
  return s;
}

// "a, b": the facts an undetermined result waits for.
std::string FactsText(const nlohmann::json& facts) {
  std::string out;
  for (const auto& f : facts) out += (out.empty() ? "" : ", ") + f.get<std::string>();
  return out;
}

void PrintOutputs(const nlohmann::json& values, const nlohmann::json& undetermined) {
  for (auto it = values.begin(); it != values.end(); ++it) {
    std::cout << fmt::format("  {} = {}\n", it.key(), OutputText(it.value()));
  }
  for (auto it = undetermined.begin(); it != undetermined.end(); ++it) {
    std::cout << fmt::format("  {} = undetermined (missing: {})\n", it.key(), FactsText(it.value()));
  }
}

void PrintDecisionText(const proviso::Decision& d, const std::string& policy) {
  std::cout << fmt::format("decision of `{}` as of {}\n\noutputs:\n", policy, d.as_of());
  PrintOutputs(d.outputs(), d.undetermined());
  for (const proviso::Item& item : d.items()) {
    std::cout << fmt::format("\nfor each {} = {} (law as of {}):\n", item.ref.scope, OutputText(item.ref.key),
                             item.law_as_of);
    PrintOutputs(item.outputs, item.undetermined);
  }
  std::cout << "\nobligations:\n";
  if (d.obligations().empty()) std::cout << "  (none)\n";
  for (const auto& o : d.obligations()) {
    std::string item = o.item ? fmt::format(" (for {} = {})", o.item->scope, OutputText(o.item->key)) : "";
    const char* mark = o.violated                 ? "[VIOLATED] "
                       : o.applies_undetermined   ? "[MAY APPLY] "
                       : o.violation_undetermined ? "[MAY BE VIOLATED] "
                                                  : "";
    std::cout << fmt::format("  {}{}{}: {} {} \"{}\"\n", mark, o.name, item, o.subject,
                             proviso::ModalityName(o.modality), o.action);
    std::string status = o.status.empty() ? "" : " [" + o.status + "]";
    if (o.deadline_kind == "open") std::cout << fmt::format("      deadline: {}{}\n", o.standard, status);
    else if (o.deadline_kind == "retention" && o.deadline) std::cout << fmt::format("      keep until: {}{}\n", *o.deadline, status);
    else if (o.deadline_kind == "recurring" && o.deadline) std::cout << fmt::format("      next due: {}{}\n", *o.deadline, status);
    else if (o.deadline) std::cout << fmt::format("      deadline: {}{}\n", *o.deadline, status);
    for (const auto& c : o.citations) {
      std::cout << fmt::format("      cites: {}{}\n", c.document.empty() ? "" : c.document + ", ", c.article);
    }
    if (!o.interpretation.empty()) std::cout << fmt::format("      interpretation: {}\n", o.interpretation);
    if (!o.missing.empty()) std::cout << fmt::format("      missing: {}\n", FactsText(o.missing));
  }
  auto v = d.violations();
  std::cout << fmt::format("\nviolations: {}\n", v.size());
  if (!d.missing_facts().empty()) {
    std::cout << fmt::format("\nundetermined: facts not given that would decide it: {}\n", FactsText(d.missing_facts()));
  }
  if (!d.explanation_text().empty()) std::cout << "\nwhy:\n" << d.explanation_text();
}

// Errors of eval and explain: text on standard error and, under --format json, a JSON document on
// standard output: {"error": message, "kind": "usage" | "policy" | "facts" | "param" | "evaluation",
// and "diagnostics" (policy), "path" (facts, param), "explanation" (evaluation, with --explain)}.
int RunEval(const EvalArgs& a) {
  auto fail = [&](const char* kind, const std::string& message, nlohmann::json extra, int code) {
    std::cerr << "error: " << message << "\n";
    if (a.format == "json") {
      extra["error"] = message;
      extra["kind"] = kind;
      std::cout << extra.dump(2) << "\n";
    }
    return code;
  };
  if (a.policy == "-" && a.facts == "-") {
    return fail("usage", "the policy and the facts cannot both come from standard input", nlohmann::json::object(), 2);
  }
  nlohmann::json diagnostics = nlohmann::json::array();
  auto policy = Compile(a.policy, false, &diagnostics);
  if (!policy) {
    return fail("policy", fmt::format("`{}` does not compile", a.policy), {{"diagnostics", diagnostics}}, 1);
  }
  try {
    nlohmann::json facts;
    std::string text = ReadFacts(a.facts);
    try {
      facts = proviso::interp::ParseFactsJson(text);
    } catch (const nlohmann::json::exception& e) {  // a syntax error, or a number out of range
      return fail("facts", fmt::format("`{}` is not valid JSON: {}", a.facts, e.what()), nlohmann::json::object(), 1);
    } catch (const proviso::interp::FactsError& e) {  // a key given twice
      return fail("facts", fmt::format("`{}`: {}", a.facts, e.what()), {{"path", e.path()}}, 1);
    }
    proviso::EvalOptions opts;
    if (a.as_of) opts.as_of = *a.as_of;  // "" is refused by the SDK, never read as now
    opts.explain = a.explain;
    opts.budget = a.budget;
    for (const std::string& s : a.sets) {
      size_t eq = s.find('=');
      if (eq == std::string::npos || eq == 0) {
        return fail("usage", fmt::format("`--set {}`: write name=value", s), nlohmann::json::object(), 2);
      }
      opts.params[s.substr(0, eq)] = s.substr(eq + 1);
    }
    proviso::Decision d = policy->Evaluate(facts, opts);
    if (a.format == "json") std::cout << d.ToJson().dump(2) << "\n";
    else PrintDecisionText(d, policy->name());
    return a.fail_on_violation && !d.violations().empty() ? kExitViolation : 0;
  } catch (const proviso::FactsError& e) {
    // A path into a param (`p`, `p.c`, `p[2]`) names a `--set`; any other, a fact.
    std::string head = e.path().substr(0, e.path().find_first_of(".["));
    bool is_param = false;
    for (const std::string& s : a.sets) is_param |= s.rfind(head + "=", 0) == 0;
    if (is_param) return fail("param", fmt::format("invalid `--set {}`: {}", head, e.what()), {{"path", e.path()}}, 1);
    return fail("facts", fmt::format("invalid facts in `{}`: {}", a.facts, e.what()), {{"path", e.path()}}, 1);
  } catch (const proviso::EvaluationError& e) {
    nlohmann::json extra = nlohmann::json::object();
    if (a.explain && !e.explanation_text().empty()) {  // what was decided up to the failure
      if (a.format == "json") extra["explanation"] = e.explanation();
      else std::cout << "why (up to the failure):\n" << e.explanation_text() << std::flush;
    }
    return fail("evaluation", fmt::format("no decision: {}", e.what()), extra, 1);
  } catch (const proviso::Error& e) {
    return fail("evaluation", e.what(), nlohmann::json::object(), 1);
  }
}


// `run`: only the tests whose name it matches (a regular expression, searched); `format` json: one
// document {passed, failed, not_compiled: [files], tests: [{file, line, column, name, passed,
// failures}]} on standard output.
// `coverage`: after the tests, what they reach (compiler/coverage/test_coverage.h), in text (or in
// the JSON report's "coverage"); exit 1 when rules, exceptions and rows are under `threshold` percent.
struct CoverageArgs {
  bool on = false;
  double threshold = 0;
};

int64_t Today() {
  using namespace std::chrono;
  return duration_cast<hours>(system_clock::now().time_since_epoch()).count() / 24;
}

int RunTest(const std::vector<std::string>& paths, bool verbose, const std::string& run, const std::string& format,
            const CoverageArgs& coverage) {
  int passed = 0, failed = 0, broken = 0;
  std::optional<std::regex> only;
  try {
    if (!run.empty()) only.emplace(run);
  } catch (const std::regex_error& e) {
    std::cerr << fmt::format("error: `--run {}` is not a regular expression: {}\n", run, e.what());
    return 2;
  }
  bool json = format == "json" || format == "junit";  // junit: rendered from the JSON report
  nlohmann::json report = {{"tests", nlohmann::json::array()}, {"not_compiled", nlohmann::json::array()}};
  for (const std::string& file : proviso::tools::CollectPolicies(paths.empty() ? std::vector<std::string>{"policies"} : paths)) {
    auto policy = Compile(file, false);
    if (!policy) {
      ++broken;
      report["not_compiled"].push_back(file);
      continue;
    }
    for (const proviso::TestOutcome& t : policy->RunTests()) {
      if (only && !std::regex_search(t.name, *only)) continue;
      if (json) {
        report["tests"].push_back({{"file", t.location.file}, {"line", t.location.line}, {"column", t.location.column},
                                   {"name", t.name}, {"passed", t.passed}, {"failures", t.failures}});
        ++(t.passed ? passed : failed);
        continue;
      }
      if (t.passed) {
        ++passed;
        if (verbose) std::cout << fmt::format("PASS {}:{}: {}\n", t.location.file, t.location.line, t.name);
        continue;
      }
      ++failed;
      std::cout << fmt::format("FAIL {}:{}:{}: {}\n", t.location.file, t.location.line, t.location.column, t.name);
      for (const std::string& f : t.failures) std::cout << "     " << f << "\n";
    }
  }
  bool under = false;
  std::optional<proviso::coverage::TestCoverageReport> cov;
  if (coverage.on) {
    cov = proviso::coverage::TestCoverage(proviso::tools::CollectPolicies(paths.empty() ? std::vector<std::string>{"policies"} : paths), Today());
    under = cov->Percent() < coverage.threshold;
  }
  if (json) {
    report["passed"] = passed;
    report["failed"] = failed;
    if (cov) report["coverage"] = proviso::coverage::ToJson(*cov);
    std::cout << (format == "junit" ? proviso::tools::JUnit(report) : report.dump(2) + "\n");
    return failed || broken || under ? 1 : 0;
  }
  std::cout << fmt::format("{} passed, {} failed\n", passed, failed);
  if (broken) std::cout << fmt::format("{} polic{} did not compile\n", broken, broken == 1 ? "y" : "ies");
  if (cov) {
    std::cout << "\n" << proviso::coverage::ToText(*cov);
    if (under) std::cout << fmt::format("coverage {:.1f}% is under the threshold of {}%\n", cov->Percent(), coverage.threshold);
  }
  return failed || broken || under ? 1 : 0;
}

// `coverage --law PATHS`: exit 0 when the law is covered, 1 when the report lists problems.
int RunCoverage(const std::vector<std::string>& paths, const std::string& format) {
  proviso::coverage::Report r = proviso::coverage::LawCoverage(paths, Today());
  if (format == "json") std::cout << proviso::coverage::ToJson(r).dump(2) << "\n";
  else if (format == "markdown") std::cout << proviso::coverage::ToMarkdown(r);
  else std::cout << proviso::coverage::ToText(r);
  return r.problems.empty() ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"proviso: check, test and evaluate policies written in Proviso"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("proviso ") + PROVISO_VERSION);
  app.footer("Examples:\n"
             "  proviso check policies/cn/call_center.proviso\n"
             "  proviso eval policies/cn/call_center.proviso --facts policies/cn/examples/call_center.json "
             "--as-of 2020-09-01 --explain\n"
             "  proviso eval POLICY --facts - --fail-on-violation < facts.json   (exit 3 on a violation)\n"
             "  proviso test policies/\n"
             "  proviso coverage --law policies/cn\n"
             "  proviso doc policies --out site\n"
             "Exit codes: 0 done, 1 bad policy, facts or values (or no decision), 2 usage, 3 violation "
             "(--fail-on-violation).");
  const std::vector<std::string> commands = {"check", "completion", "compile", "coverage", "diff", "doc", "eval", "explain", "fmt", "lsp", "test", "verify", "version", "watch"};
  if (argc > 1 && argv[1][0] != '-' &&
      std::find(commands.begin(), commands.end(), std::string(argv[1])) == commands.end()) {
    std::string near = proviso::SuggestName(argv[1], commands);
    std::cerr << fmt::format("error: unknown command `{}`{}; the commands: {}\n", argv[1],
                             near.empty() ? "" : " (" + near + ")",
                             "check, completion, compile, coverage, diff, doc, eval, explain, fmt, lsp, test, verify, version, watch");
    return 2;
  }
  auto* version = app.add_subcommand("version", "print the version");
  std::string format = "text";

  std::vector<std::string> check_files;
  auto* check = app.add_subcommand("check", "check policies and print their diagnostics (exit 1 on errors)");
  check->add_option("files", check_files, "policy files (- for standard input)")->required();
  check->add_option("--format", format, "text, json (one array) or sarif (SARIF 2.1.0, for code scanning)")
      ->check(CLI::IsMember({"text", "json", "sarif"}));

  std::string compile_file, emit = "typed";
  auto* compile = app.add_subcommand("compile", "compile a policy and dump one stage");
  compile->add_option("file", compile_file, "policy file")->required();
  compile->add_option("--emit", emit, "ast, typed, ir, llvm, or cpp (a C++ header of the policy's typed facts and outputs)")
      ->check(CLI::IsMember({"ast", "typed", "ir", "llvm", "cpp"}));
  std::string compile_output;
  compile->add_option("-o,--output", compile_output, "write to this file (default: standard output)");
  std::string engine = "jit";
  auto engine_option = [&](CLI::App* cmd) {
    cmd->add_option("--engine", engine, "jit (native code, the default) or interp (the reference interpreter)")
        ->check(CLI::IsMember({"jit", "interp"}));
  };
  engine_option(compile);
  auto root_option = [&](CLI::App* cmd) {
    cmd->add_option("--root", g_root,
                    "the folder imports and law files must be under (default: the nearest folder up from the "
                    "policy holding a .proviso-root file, else the policy's folder)");
  };
  for (CLI::App* cmd : {check, compile}) root_option(cmd);

  EvalArgs eval_args;
  auto add_eval = [&](CLI::App* cmd) {
    cmd->add_option("policy", eval_args.policy, "policy file (- for standard input)")->required();
    cmd->add_option("--facts", eval_args.facts, "facts (JSON file; - for standard input)")->required();
    cmd->add_option("--as-of", eval_args.as_of, "evaluation date YYYY-MM-DD or instant YYYY-MM-DDTHH:MM:SSZ (default: now)");
    cmd->add_option("--set", eval_args.sets, "override a param: name=value (repeatable)");
    cmd->add_option("--budget", eval_args.budget,
                    "collection elements the evaluation's loops may visit (0: the default, 100000000; -1: no limit)");
    cmd->add_option("--format", eval_args.format, "text or json")->check(CLI::IsMember({"text", "json"}));
  };
  auto* eval = app.add_subcommand("eval", "evaluate a policy on facts");
  add_eval(eval);
  engine_option(eval);
  eval->add_flag("--explain", eval_args.explain, "show why: rules, exceptions, values, citations");
  eval->add_flag("--fail-on-violation", eval_args.fail_on_violation,
                 "exit 3 when the decision has a violated obligation (for CI gates)");
  auto* explain = app.add_subcommand("explain", "evaluate and show why (eval --explain)");
  add_eval(explain);
  explain->add_flag("--fail-on-violation", eval_args.fail_on_violation,
                    "exit 3 when the decision has a violated obligation (for CI gates)");
  engine_option(explain);
  root_option(eval);
  root_option(explain);

  std::vector<std::string> test_paths;
  bool verbose = false;
  auto* test = app.add_subcommand("test", "run the in-language tests of policies (default: policies/)");
  test->add_option("paths", test_paths, "policy files or folders");
  test->add_flag("-v,--verbose", verbose, "list passing tests too");
  std::string test_run, test_format = "text";
  test->add_option("--run", test_run, "only the tests whose name matches this regular expression");
  CoverageArgs test_coverage;
  test->add_flag("--coverage", test_coverage.on,
                 "also report what the tests reach: rules, exceptions, table rows, obligations applied and violated");
  test->add_option("--threshold", test_coverage.threshold,
                   "with --coverage: exit 1 when under this percent of rules, exceptions and table rows")
      ->check(CLI::Range(0.0, 100.0));
  test->add_option("--format", test_format, "text, json or junit (JUnit XML, for CI test reports)")
      ->check(CLI::IsMember({"text", "json", "junit"}));
  engine_option(test);
  root_option(test);

  std::vector<std::string> coverage_paths;
  bool coverage_law = false;
  std::string coverage_format = "text";
  auto* coverage = app.add_subcommand("coverage", "map the law against the policies and their tests (--law)");
  coverage->add_flag("--law", coverage_law,
                     "for each paragraph of each law document: what cites it, its positive and negative tests, or why "
                     "it is not encoded; exit 1 on any problem")->required();
  coverage->add_option("paths", coverage_paths, "policy files, .law files, or folders of both")->required();
  coverage->add_option("--format", coverage_format, "text, json or markdown")
      ->check(CLI::IsMember({"text", "json", "markdown"}));

  proviso::tools::DocArgs doc_args;
  auto* doc = proviso::tools::AddDocCommand(app, doc_args);
  proviso::tools::LspArgs lsp_args;
  auto* lsp = proviso::tools::AddLspCommand(app, lsp_args);
  root_option(lsp);
  proviso::tools::FmtOptions fmt_options;
  auto* fmt_command = proviso::tools::AddFmtCommand(app, fmt_options);
  proviso::tools::WatchOptions watch_options;
  auto* watch = proviso::tools::AddWatchCommand(app, watch_options);
  proviso::tools::VerifyArgs verify_args, diff_args;
  CLI::App *verify = nullptr, *diff = nullptr;
  proviso::tools::AddVerifyCommands(app, verify_args, diff_args, &verify, &diff);

  std::string shell;
  auto* completion = app.add_subcommand("completion", "print a shell completion script: bash or zsh");
  completion->add_option("shell", shell, "bash or zsh")->required()->check(CLI::IsMember({"bash", "zsh"}));
  completion->footer("  source <(proviso completion bash)      # in ~/.bashrc\n"
                     "  source <(proviso completion zsh)       # in ~/.zshrc");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  g_backend = engine == "interp" ? proviso::Backend::kInterpreter : proviso::Backend::kJit;
  // The commands report the user's mistakes themselves; what reaches here is the system's
  // (out of memory, a folder that cannot be listed), said plainly rather than by std::terminate.
  try {
    if (version->parsed()) {
      std::cout << "proviso " << PROVISO_VERSION << "\n";
      return 0;
    }
    if (check->parsed()) return RunCheck(check_files, format);
    if (compile->parsed()) return RunCompile(compile_file, emit, compile_output);
    if (eval->parsed()) return RunEval(eval_args);
    if (explain->parsed()) {
      eval_args.explain = true;
      return RunEval(eval_args);
    }
    if (test->parsed()) return RunTest(test_paths, verbose, test_run, test_format, test_coverage);
    if (coverage->parsed()) return RunCoverage(coverage_paths, coverage_format);
    if (doc->parsed()) return proviso::tools::RunDoc(doc_args, Today());
    if (lsp->parsed()) return proviso::tools::RunLsp(lsp_args, g_root, PROVISO_VERSION);
    if (fmt_command->parsed()) return proviso::tools::RunFmt(fmt_options);
    if (watch->parsed()) return proviso::tools::RunWatch(watch_options);
    if (verify->parsed()) return proviso::tools::RunVerify(verify_args);
    if (diff->parsed()) return proviso::tools::RunDiff(diff_args);
    if (completion->parsed()) {
      std::cout << proviso::tools::Completion(app, shell);
      return 0;
    }
  } catch (const std::bad_alloc&) {
    std::cerr << "error: out of memory\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << fmt::format("error: {}\n", e.what());
    return 1;
  }
  return 2;
}
