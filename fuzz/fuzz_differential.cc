// libFuzzer target: the reference interpreter against the JIT, in two modes chosen by the first byte.
// - 0x00-0xFE: the byte chooses a policy of the differential corpus (policies/cn, tests/golden/good,
//   tests/conformance/dmn, bench; compiled for the JIT the first time it is chosen) and the rest seeds
//   tests/differential/fact_gen.h: 16 fact sets, their evaluation instants and, for half the inputs
//   of a policy with params, param overrides.
// - 0xFF: the rest is policy text (mutated programs): when it checks and the JIT compiles it, 4
//   generated fact sets.
// Every fact set is decided by the interpreter and by the JIT's quick and optimised rows; a
// difference (tests/differential/describe.h) aborts printing both decisions: a crash.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "compiler/driver/driver.h"
#include "compiler/interp/facts.h"
#include "compiler/interp/interp.h"
#include "compiler/ir/ir.h"
#include "runtime/src/native.h"
#include "tests/differential/describe.h"
#include "tests/differential/fact_gen.h"

namespace {

namespace fs = std::filesystem;
using namespace proviso;

constexpr int kFactSets = 16;  // per input

std::vector<std::string> Corpus() {
  std::vector<std::string> out;
  for (const char* dir : {"policies/cn", "tests/golden/good", "tests/conformance/dmn", "bench"}) {
    for (const auto& e : fs::directory_iterator(std::string(PROVISO_SOURCE_DIR) + "/" + dir)) {
      if (e.path().extension() == ".proviso") out.push_back(e.path().string());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

struct Compiled {
  std::unique_ptr<ir::Program> program;           // null: a library, nothing to evaluate
  std::unique_ptr<jit::CompiledPolicy> native;
};

const Compiled& Get(const std::string& path) {
  static std::map<std::string, Compiled> cache;
  auto it = cache.find(path);
  if (it != cache.end()) return it->second;
  Compiled c;
  std::unique_ptr<FrontEnd> fe = CompileFile(path);
  if (!fe->ok()) {
    std::fprintf(stderr, "fuzz_differential: %s does not compile:\n%s", path.c_str(),
                 RenderText(fe->diags.diagnostics(), fe->sources).c_str());
    std::abort();
  }
  c.program = ir::Lower(std::move(fe->program));
  if (c.program->outputs.empty() && c.program->obligations.empty()) {
    c.program.reset();
  } else {
    DiagnosticSink diags;
    c.native = CompileNative(*c.program, diags);
    if (!c.native) {
      std::fprintf(stderr, "fuzz_differential: %s does not compile for the JIT:\n%s", path.c_str(),
                   RenderText(diags.diagnostics(), fe->sources).c_str());
      std::abort();
    }
  }
  return cache.emplace(path, std::move(c)).first->second;
}

uint64_t Fnv1a(const uint8_t* data, size_t size) {
  uint64_t h = 1469598103934665603ull;
  for (size_t i = 0; i < size; ++i) h = (h ^ data[i]) * 1099511628211ull;
  return h;
}

// Decides `kFactSets` generated fact sets of `p` with the interpreter and with each tier of the JIT;
// aborts on a difference.
void Compare(const std::string& what, const ir::Program& p, const jit::CompiledPolicy& native, int fact_sets,
             uint64_t seed) {
  std::vector<nlohmann::json> facts = testing::GenerateFacts(p, fact_sets, seed);
  std::vector<Value> values;
  for (const nlohmann::json& f : facts) values.push_back(interp::FactsFromJson(f, p));
  std::vector<int64_t> instants = testing::EvaluationInstants(p, values, seed);
  interp::EvalOptions opts;
  std::string scenario;
  if (!p.params.empty() && (seed & 1)) {  // half of the inputs under generated param overrides (what-if)
    nlohmann::json params = testing::GenerateParams(p, 1, seed).front();
    for (const auto& [name, v] : params.items()) {
      int k = p.FindParam(name);
      opts.param_overrides[k] = interp::ValueFromJson(v, p.params[k].type, p, name);
    }
    scenario = " with params " + params.dump();
  }
  for (size_t i = 0; i < values.size(); ++i) {
    opts.set_now(instants[i]);
    std::optional<interp::Result> a;
    try {
      a = interp::Evaluate(p, values[i], opts);
    } catch (const interp::EvalError&) {
    }
    std::string da = testing::Describe(p, a ? &*a : nullptr);
    for (const auto& [tier, row] : {std::pair{"quick", native.quick_row()}, std::pair{"optimised", native.optimized_row()}}) {
      if (!row) continue;
      std::optional<interp::Result> b;
      try {
        b = EvaluateNative(p, native, values[i], opts, row, nullptr);
      } catch (const interp::EvalError&) {
      }
      std::string db = testing::Describe(p, b ? &*b : nullptr);
      if (da != db) {
        std::fprintf(stderr, "fuzz_differential: %s: interpreter and JIT (%s row) differ on facts %s as of %s%s\n"
                     "interpreter:\n%sJIT:\n%s", what.c_str(), tier, facts[i].dump().c_str(),
                     FormatDateTime(opts.now()).c_str(), scenario.c_str(), da.c_str(), db.c_str());
        std::abort();
      }
    }
  }
}

// Mode 0xFF: policy text, named in policies/cn so that seeds importing `common.proviso` resolve.
void CompareText(const uint8_t* data, size_t size) {
  static const std::string kName = std::string(PROVISO_SOURCE_DIR) + "/policies/cn/fuzz_input.proviso";
  std::string text(reinterpret_cast<const char*>(data), size);
  std::unique_ptr<FrontEnd> fe = CompileSource(kName, text);
  if (!fe->ok()) return;
  std::unique_ptr<ir::Program> program;
  try {
    program = ir::Lower(std::move(fe->program));
  } catch (const ir::ConstantError&) {
    return;
  }
  if (program->outputs.empty() && program->obligations.empty()) return;
  DiagnosticSink diags;
  std::unique_ptr<jit::CompiledPolicy> native = CompileNative(*program, diags);
  if (!native) return;  // a construct the JIT refuses (E0601) is a diagnostic
  Compare("the input's policy:\n" + text + "\n", *program, *native, 4, Fnv1a(data, size));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::vector<std::string> corpus = Corpus();
  if (size == 0) return 0;
  if (data[0] == 0xFF) {
    CompareText(data + 1, size - 1);
    return 0;
  }
  const std::string& path = corpus[data[0] % corpus.size()];
  const Compiled& c = Get(path);
  if (!c.program) return 0;
  Compare(path, *c.program, *c.native, kFactSets, Fnv1a(data + 1, size - 1));
  return 0;
}
