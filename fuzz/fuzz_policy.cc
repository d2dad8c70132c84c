// libFuzzer target: arbitrary bytes as policy text. Parse, check and render the diagnostics (text and
// JSON, which quote the bytes back with carets); a program that checks is dumped, lowered to IR,
// its in-language tests are run, and the interpreter evaluates it on a few generated fact sets
// (tests/differential/fact_gen.h), with and without explanations. Diagnostics, ir::ConstantError
// (E0507) and evaluation errors (EvalError) are fine; anything else (a crash, a sanitizer report, another exception) is a
// finding.
//
// The text is named policies/cn/fuzz_input.proviso in the source tree, so that seeds importing
// `common.proviso` or citing `law/*.law` resolve as they do for the real policies.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "compiler/ast/ast.h"
#include "compiler/driver/driver.h"
#include "compiler/interp/facts.h"
#include "compiler/interp/interp.h"
#include "compiler/interp/test_runner.h"
#include "compiler/ir/ir.h"
#include "tests/differential/fact_gen.h"

namespace {

constexpr int kFactSets = 4;               // evaluations per program that checks: a small budget
constexpr int64_t kToday = 20454;          // 2026-01-01: `today` for tests without `as of`

uint64_t Fnv1a(const uint8_t* data, size_t size) {
  uint64_t h = 1469598103934665603ull;
  for (size_t i = 0; i < size; ++i) h = (h ^ data[i]) * 1099511628211ull;
  return h;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace proviso;
  static const std::string kName = std::string(PROVISO_SOURCE_DIR) + "/policies/cn/fuzz_input.proviso";
  std::unique_ptr<FrontEnd> fe = CompileSource(kName, std::string(reinterpret_cast<const char*>(data), size));
  (void)RenderText(fe->diags.diagnostics(), fe->sources);
  (void)RenderJson(fe->diags.diagnostics(), fe->sources);
  if (!fe->ok()) return 0;
  (void)ast::Dump(*fe->program->modules.front());
  (void)DumpTyped(*fe->program);
  std::unique_ptr<ir::Program> program;
  try {
    program = ir::Lower(std::move(fe->program));
  } catch (const ir::ConstantError&) {  // E0507: a constant that cannot be computed is a diagnostic
    return 0;
  }
  const ir::Program& p = *program;
  (void)ir::Dump(p);
  (void)interp::RunTests(p, kToday);
  if (p.outputs.empty() && p.obligations.empty()) return 0;  // a library

  uint64_t seed = Fnv1a(data, size);
  std::vector<nlohmann::json> facts = testing::GenerateFacts(p, kFactSets, seed);
  std::vector<Value> values;
  for (const nlohmann::json& f : facts) values.push_back(interp::FactsFromJson(f, p));  // fact_gen's promise
  std::vector<int64_t> instants = testing::EvaluationInstants(p, values, seed);
  for (size_t i = 0; i < values.size(); ++i) {
    interp::EvalOptions opts;
    opts.set_now(instants[i]);
    opts.explain = i % 2 == 1;
    try {
      interp::Result r = interp::Evaluate(p, values[i], opts);
      for (size_t o = 0; o < p.outputs.size(); ++o) {
        if (!r.outputs[o].is_unknown()) (void)interp::ValueToJson(r.outputs[o], p.outputs[o].type, p.types());
      }
    } catch (const interp::EvalError&) {
    }
  }
  return 0;
}
