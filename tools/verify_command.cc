// `proviso verify` and `proviso diff`: the CLI over compiler/verify, with the replay of every
// counterexample and witness on both engines.
#include "verify_command.h"

#include <algorithm>
#include <iostream>

#include <fmt/format.h>

#include "compiler/driver/driver.h"
#include "compiler/ir/ir.h"
#include "compiler/support/calendar.h"
#include "compiler/support/large_stack.h"
#include "compiler/verify/verify.h"
#include "proviso/proviso.h"
#include "reports.h"

namespace proviso::tools {
namespace {

constexpr int kExitUnknown = 4;
constexpr int kExitBug = 5;


// The lowered program of `file`, or null after printing why not.
std::unique_ptr<ir::Program> Load(const std::string& file, const std::string& root) {
  auto fe = OnLargeStack([&] { return CompileFile(file, FrontEndOptions{root}); });
  if (!fe->ok()) {
    std::cerr << fmt::format("error: `{}` does not compile (run `proviso check {}`)\n", file, file);
    return nullptr;
  }
  try {
    return OnLargeStack([&] { return ir::Lower(std::move(fe->program)); });
  } catch (const ir::ConstantError& e) {
    std::cerr << fmt::format("error: `{}`: {}\n", file, e.what());
    return nullptr;
  }
}

// The two engines' compilations of one policy.
struct Engines {
  Policy jit, interp;
};

std::optional<Engines> Compiled(const std::string& file, const std::string& root) {
  try {
    EngineOptions o;
    o.import_root = root;
    o.backend = Backend::kJit;
    Policy jit = Engine(o).CompileFile(file);
    o.backend = Backend::kInterpreter;
    Policy interp = Engine(o).CompileFile(file);
    return Engines{jit, interp};
  } catch (const CompileError& e) {
    std::cerr << fmt::format("error: `{}` does not compile: {}\n", file, e.what());
    return std::nullopt;
  }
}

// What an evaluation decides, to compare: {"error": message} or {"outputs", "obligations"}.
nlohmann::json Outcome(const Policy& p, const nlohmann::json& facts, const std::string& as_of) {
  try {
    EvalOptions o;
    o.as_of = as_of;
    Decision d = p.Evaluate(facts, o);
    nlohmann::json obligations = nlohmann::json::object();
    // Of a `for each`: per output, its values element by element; per obligation, per element
    // (by index) what it decides.
    nlohmann::json item_outputs = nlohmann::json::object(), item_obligations = nlohmann::json::object();
    for (const Obligation& ob : d.obligations()) {
      nlohmann::json entry = {{"violated", ob.violated},
                              {"deadline", ob.deadline ? nlohmann::json(*ob.deadline) : nullptr},
                              {"status", ob.status}};
      if (ob.item) {
        item_obligations[ob.name][std::to_string(ob.item->index)] = entry;
      } else {
        obligations[ob.name] = entry;
      }
    }
    for (const Item& item : d.items()) {
      for (auto& [name, value] : item.outputs.items()) item_outputs[name].push_back(value);
    }
    return {{"outputs", d.outputs()}, {"obligations", obligations}, {"item_outputs", item_outputs},
            {"item_obligations", item_obligations}};
  } catch (const FactsError& e) {
    return {{"facts_error", fmt::format("{}: {}", e.path(), e.what())}};
  } catch (const Error& e) {
    return {{"error", e.what()}};
  }
}

// The part of an outcome a difference names: "failure", "output x ...", "obligation y ...".
nlohmann::json Part(const nlohmann::json& outcome, const std::string& what) {
  if (outcome.contains("error") || outcome.contains("facts_error")) return outcome;
  auto name = [&](size_t skip) {
    std::string n = what.substr(skip);
    return n.substr(0, n.find(' '));
  };
  if (what.rfind("item output ", 0) == 0) {
    std::string n = what.substr(12);
    return outcome["item_outputs"].contains(n) ? outcome["item_outputs"][n] : nlohmann::json::array();
  }
  if (what.rfind("item obligation ", 0) == 0) {  // "item obligation NAME ASPECT": per element
    std::string rest = what.substr(16);
    std::string n = rest.substr(0, rest.find(' '));
    std::string aspect = rest.substr(n.size() + 1);
    if (!outcome["item_obligations"].contains(n)) return nlohmann::json::object();
    nlohmann::json per = nlohmann::json::object();
    for (auto& [index, o] : outcome["item_obligations"][n].items()) per[index] = aspect == "applies" ? nlohmann::json(true) : o[aspect];
    return per;
  }
  if (what.rfind("output ", 0) == 0) {
    std::string n = name(7);
    return outcome["outputs"].contains(n) ? outcome["outputs"][n] : nlohmann::json(nullptr);
  }
  if (what.rfind("obligation ", 0) == 0) {  // "obligation NAME ASPECT"
    std::string n = name(11);
    std::string aspect = what.substr(11 + n.size() + (what.size() > 11 + n.size() ? 1 : 0));
    if (!outcome["obligations"].contains(n)) return "does not apply";
    const nlohmann::json& o = outcome["obligations"][n];
    if (aspect == "violated" || aspect == "deadline" || aspect == "status") return o[aspect];
    return o;
  }
  return nlohmann::json{{"fails", false}};
}

std::string Status(verify::VerifyResult::Status s) {
  switch (s) {
    case verify::VerifyResult::Status::kProved: return "proved";
    case verify::VerifyResult::Status::kFails: return "fails";
    default: return "unknown";
  }
}

verify::Options OptionsOf(const VerifyArgs& a) {
  verify::Options o;
  o.query_timeout_ms = a.timeout_ms;
  if (a.list_bound < 0 || a.list_bound > 16) throw std::invalid_argument("--list-bound takes 0 to 16");
  o.list_bound = a.list_bound;
  if (a.as_of) {
    auto d = ParseDate(*a.as_of);
    if (!d) throw std::invalid_argument(fmt::format("`{}` is not a date (YYYY-MM-DD)", *a.as_of));
    o.as_of = *d;
  }
  return o;
}

}  // namespace

namespace {
// The options `verify` and `diff` share.
void AddSolverOptions(CLI::App* cmd, VerifyArgs& a) {
  cmd->add_option("--format", a.format, "text or json")->check(CLI::IsMember({"text", "json"}));
  cmd->add_option("--timeout", a.timeout_ms, "milliseconds per solver query (a timeout is `unknown`)");
  cmd->add_option("--list-bound", a.list_bound, "list facts have at most this many elements (default 3; said in the result)");
  cmd->add_option("--root", a.root, "the folder imports and law files must be under");
}
}  // namespace

void AddVerifyCommands(CLI::App& app, VerifyArgs& v, VerifyArgs& d, CLI::App** verify_cmd, CLI::App** diff_cmd) {
  auto* verify = app.add_subcommand("verify", "prove that policies never fail, or show counterexamples (Z3)");
  verify->add_option("paths", v.paths, "policy files or folders")->required();
  verify->add_option("--as-of", v.as_of, "a fixed evaluation date YYYY-MM-DD (default: any date from 2000 to 2099)");
  verify->add_option("--between", v.between, "any evaluation date from D1 to D2")->expected(2);
  AddSolverOptions(verify, v);
  auto* diff = app.add_subcommand("diff", "show facts on which two versions of a policy decide differently (Z3)");
  diff->add_option("policies", d.paths, "OLD NEW, or one policy with --between D1 D2")->required()->expected(1, 2);
  diff->add_option("--as-of", d.as_of, "a fixed evaluation date YYYY-MM-DD (default: any date from 2000 to 2099)");
  diff->add_option("--between", d.between, "compare the policy as of D1 with itself as of D2")->expected(2);
  AddSolverOptions(diff, d);
  *verify_cmd = verify;
  *diff_cmd = diff;
}

int RunVerify(const VerifyArgs& args) {
  verify::Options o;
  try {
    o = OptionsOf(args);
    if (args.between.size() == 2) {
      auto a = ParseDate(args.between[0]), b = ParseDate(args.between[1]);
      if (!a || !b) throw std::invalid_argument("--between takes two dates YYYY-MM-DD");
      o.from = *a;
      o.until = *b;
    }
  } catch (const std::invalid_argument& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 2;
  }
  int exit = 0;
  nlohmann::json all = nlohmann::json::array();
  for (const std::string& file : CollectPolicies(args.paths)) {
    auto program = Load(file, args.root);
    auto engines = program ? Compiled(file, args.root) : std::nullopt;
    if (!program || !engines) {
      exit = std::max(exit, 1);
      continue;
    }
    if (program->name.empty()) continue;  // a file of declarations only (imported by policies)
    verify::VerifyResult r = OnLargeStack([&] { return verify::Verify(*program, o); });
    nlohmann::json report = {{"policy", file}, {"status", Status(r.status)}};
    if (!r.reason.empty()) report["reason"] = r.reason;
    if (!r.bound.empty()) report["bound"] = r.bound;
    nlohmann::json cex = nlohmann::json::array(), bugs = nlohmann::json::array();
    for (const verify::Witness& w : r.counterexamples) {
      nlohmann::json a = Outcome(engines->jit, w.facts, w.as_of);
      nlohmann::json b = Outcome(engines->interp, w.facts, w.as_of);
      nlohmann::json item = {{"facts", w.facts}, {"as_of", w.as_of}, {"failure", w.differences.at(0)},
                             {"where", fmt::format("{}:{}", file, w.where)}};
      if (a.contains("error") && b.contains("error")) {
        item["error"] = b["error"];
        cex.push_back(item);
      } else {
        item["jit"] = a;
        item["interpreter"] = b;
        bugs.push_back(item);
      }
    }
    if (r.status == verify::VerifyResult::Status::kFails && cex.empty()) report["status"] = "unknown";
    report["counterexamples"] = cex;
    if (!bugs.empty()) report["internal_bugs"] = bugs;
    report["findings"] = r.findings;
    report["notes"] = r.notes;
    std::string status = report["status"];
    exit = std::max(exit, !bugs.empty() ? kExitBug : status == "unknown" ? kExitUnknown : status == "fails" ? 1 : 0);
    if (args.format == "json") {
      all.push_back(report);
      continue;
    }
    if (status == "proved") {
      std::cout << fmt::format("{}: proved: evaluation never fails{}\n", file, r.bound.empty() ? "" : " (" + r.bound + ")");
    } else if (status == "fails") {
      std::cout << fmt::format("{}: fails: {} counterexample{}\n", file, cex.size(), cex.size() == 1 ? "" : "s");
    } else {
      std::cout << fmt::format("{}: unknown: {}\n", file, r.reason.empty() ? "counterexamples did not reproduce" : r.reason);
    }
    for (const auto& c : cex) {
      std::cout << fmt::format("  at {}: {}\n    as of {} with facts {}\n", c["where"].get<std::string>(),
                               c["error"].get<std::string>(), c["as_of"].get<std::string>(), c["facts"].dump());
    }
    for (const auto& b : bugs) {
      std::cout << fmt::format("  internal bug: a counterexample for `{}` does not reproduce: as of {} with facts {}\n",
                               b["failure"].get<std::string>(), b["as_of"].get<std::string>(), b["facts"].dump());
    }
    for (const auto& f : r.findings) std::cout << "  " << f << "\n";
    for (const auto& n : r.notes) std::cout << "  note: " << n << "\n";
  }
  if (args.format == "json") std::cout << (all.size() == 1 ? all[0] : all).dump(2) << "\n";
  return exit;
}

int RunDiff(const VerifyArgs& args) {
  verify::Options o;
  std::optional<int64_t> first, second;
  try {
    o = OptionsOf(args);
    if (args.between.size() == 2) {
      first = ParseDate(args.between[0]);
      second = ParseDate(args.between[1]);
      if (!first || !second) throw std::invalid_argument("--between takes two dates YYYY-MM-DD");
    }
    if (args.paths.size() != (first ? 1u : 2u)) {
      throw std::invalid_argument("diff takes OLD NEW, or one policy with --between D1 D2");
    }
  } catch (const std::invalid_argument& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 2;
  }
  const std::string& old_file = args.paths[0];
  const std::string& new_file = args.paths.back();
  auto old_p = Load(old_file, args.root);
  auto new_p = first ? nullptr : Load(new_file, args.root);
  if (!old_p || (!first && !new_p)) return 1;
  auto old_e = Compiled(old_file, args.root);
  auto new_e = first ? old_e : Compiled(new_file, args.root);
  if (!old_e || !new_e) return 1;
  verify::DiffResult r = OnLargeStack([&] {
    return first ? verify::DiffBetween(*old_p, *first, *second, o) : verify::Diff(*old_p, *new_p, o);
  });
  nlohmann::json witnesses = nlohmann::json::array(), bugs = nlohmann::json::array();
  for (const verify::Witness& w : r.witnesses) {
    std::string old_as_of = w.old_as_of.empty() ? w.as_of : w.old_as_of;
    nlohmann::json oj = Outcome(old_e->jit, w.facts, old_as_of), oi = Outcome(old_e->interp, w.facts, old_as_of);
    nlohmann::json nj = Outcome(new_e->jit, w.facts, w.as_of), ni = Outcome(new_e->interp, w.facts, w.as_of);
    const std::string& what = w.differences.at(0);
    bool failure = what == "failure";
    auto fails = [](const nlohmann::json& x) { return x.contains("error"); };
    bool reproduces = failure ? fails(oj) != fails(nj) && fails(oi) != fails(ni) && fails(oj) == fails(oi)
                              : !fails(oj) && !fails(nj) && Part(oj, what) != Part(nj, what) &&
                                    Part(oi, what) == Part(oj, what) && Part(ni, what) == Part(nj, what);
    nlohmann::json item = {{"facts", w.facts}, {"as_of", w.as_of}};
    if (!w.old_as_of.empty()) item["old_as_of"] = w.old_as_of;
    item["differences"] = nlohmann::json::array(
        {{{"what", what}, {"old", Part(oi, what)}, {"new", Part(ni, what)}}});
    if (reproduces) {
      witnesses.push_back(item);
    } else {
      item["old_jit"] = oj;
      item["new_jit"] = nj;
      bugs.push_back(item);
    }
  }
  std::string status = r.status == verify::DiffResult::Status::kEquivalent ? "equivalent"
                       : r.status == verify::DiffResult::Status::kDifferent ? "different"
                                                                            : "unknown";
  if (status == "different" && witnesses.empty()) status = "unknown";
  nlohmann::json report = {{"equivalent", status == "equivalent"}, {"status", status}, {"witnesses", witnesses}};
  if (!r.reason.empty()) report["reason"] = r.reason;
  if (!r.bound.empty()) report["bound"] = r.bound;
  if (!bugs.empty()) report["internal_bugs"] = bugs;
  report["notes"] = r.notes;
  int exit = !bugs.empty() ? kExitBug : status == "unknown" ? kExitUnknown : status == "different" ? 1 : 0;
  if (args.format == "json") {
    std::cout << report.dump(2) << "\n";
    return exit;
  }
  if (status == "equivalent") std::cout << "equivalent" << (r.bound.empty() ? "" : " (" + r.bound + ")") << "\n";
  else if (status == "unknown") std::cout << "unknown: " << (r.reason.empty() ? "witnesses did not reproduce" : r.reason) << "\n";
  else std::cout << fmt::format("different: {} witness{}\n", witnesses.size(), witnesses.size() == 1 ? "" : "es");
  for (const auto& w : witnesses) {
    const auto& d = w["differences"][0];
    std::cout << fmt::format("  {}: old {} / new {}\n    as of {}{} with facts {}\n", d["what"].get<std::string>(),
                             d["old"].dump(), d["new"].dump(), w["as_of"].get<std::string>(),
                             w.contains("old_as_of") ? " (old as of " + w["old_as_of"].get<std::string>() + ")" : "",
                             w["facts"].dump());
  }
  for (const auto& b : bugs) std::cout << "  internal bug: a witness does not reproduce: " << b.dump() << "\n";
  for (const auto& n : r.notes) std::cout << "  note: " << n << "\n";
  return exit;
}

}  // namespace proviso::tools
