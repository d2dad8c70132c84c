// libFuzzer target: arbitrary bytes as facts JSON, for a fixed set of policies (policies/cn and a few
// golden programs with records, lists, sets, optionals, dates and `for each`, compiled once at
// start). Each input takes the CLI's facts path (interp::ParseFactsJson, then interp::FactsFromJson
// against each policy's schema) and, when the facts fit, the interpreter with explanations and the
// JSON form of the decision. Errors (nlohmann exceptions for bad JSON, FactsError, EvalError) are
// fine; a crash, a sanitizer report, another exception or a hang is a finding.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "compiler/driver/driver.h"
#include "compiler/interp/facts.h"
#include "compiler/interp/interp.h"
#include "compiler/ir/ir.h"
#include "tests/differential/fact_gen.h"

namespace {

namespace fs = std::filesystem;

// Golden programs whose schemas reach what policies/cn does not (nested records, lists and sets of
// records, optionals, datetimes, per-element decisions).
constexpr const char* kGolden[] = {
    "collection_logic", "collections",  "deep_equality",    "enum_sets",      "input_constraints",
    "law_at_event_date", "per_item_aggregates", "datetime_arithmetic", "deadline_kinds", "dates_durations",
    "working_days",
};

struct Policy {
  std::unique_ptr<proviso::ir::Program> program;
  int64_t as_of;  // its first interesting date
};

std::vector<Policy> LoadPolicies() {
  std::vector<std::string> paths;
  for (const auto& e : fs::directory_iterator(std::string(PROVISO_SOURCE_DIR) + "/policies/cn")) {
    if (e.path().extension() == ".proviso") paths.push_back(e.path().string());
  }
  std::sort(paths.begin(), paths.end());
  for (const char* g : kGolden) paths.push_back(std::string(PROVISO_SOURCE_DIR) + "/tests/golden/good/" + g + ".proviso");
  std::vector<Policy> out;
  for (const std::string& path : paths) {
    std::unique_ptr<proviso::FrontEnd> fe = proviso::CompileFile(path);
    if (!fe->ok()) {
      std::fprintf(stderr, "fuzz_facts: %s does not compile:\n%s", path.c_str(),
                   proviso::RenderText(fe->diags.diagnostics(), fe->sources).c_str());
      std::abort();
    }
    auto p = proviso::ir::Lower(std::move(fe->program));
    if (p->outputs.empty() && p->obligations.empty()) continue;  // a library
    int64_t as_of = proviso::testing::InterestingDates(*p).front();
    out.push_back({std::move(p), as_of});
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace proviso;
  static const std::vector<Policy> policies = LoadPolicies();
  nlohmann::json facts;
  try {
    facts = interp::ParseFactsJson(std::string(reinterpret_cast<const char*>(data), size));
  } catch (const nlohmann::json::exception&) {  // a syntax error, or a number out of range
    return 0;
  } catch (const interp::FactsError&) {  // a key given twice
    return 0;
  }
  for (const Policy& policy : policies) {
    const ir::Program& p = *policy.program;
    Value input;
    try {
      input = interp::FactsFromJson(facts, p);
    } catch (const interp::FactsError&) {
      continue;
    }
    for (bool explain : {false, true}) {
      interp::EvalOptions opts;
      opts.as_of = policy.as_of;
      opts.explain = explain;
      try {
        interp::Result r = interp::Evaluate(p, input, opts);
        for (size_t o = 0; o < p.outputs.size(); ++o) {
          (void)interp::ValueToJson(r.outputs[o], p.outputs[o].type, p.types()).dump();
        }
        for (const interp::ItemResult& item : r.items) {
          (void)interp::ValueToJson(item.key, p.scopes[item.scope].key_type, p.types()).dump();
        }
        (void)interp::MissingFacts(r);
      } catch (const interp::EvalError&) {
      }
    }
  }
  return 0;
}
