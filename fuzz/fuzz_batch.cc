// libFuzzer target: bytes as batch columns (Policy::EvaluateBatch, the path of evaluate_frame).
// The first byte chooses a policy of the corpus whose inputs are all batch columns; the rest is
// read as rows: for each column a cell of its width (bool and enum codes as raw bytes, so out of
// range codes come too; int64 cells at any value; text codes past the dictionary), a presence bit
// for optional and defaulted columns, and a "known" bit (facts not given). Both back ends must give
// the same outcome: the same output columns, or both an error of the same kind (FactsError,
// EvaluationError); anything else (a crash, a sanitizer report, another exception, different cells)
// aborts.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "proviso/proviso.h"

namespace {

namespace fs = std::filesystem;
using namespace proviso;

constexpr int64_t kMaxRows = 64;

struct Pair {
  std::unique_ptr<Policy> jit, interp;
  std::vector<ColumnSpec> ins, outs;
};

// The corpus policies whose inputs are all batch columns, compiled for each back end once.
std::vector<Pair>& Policies() {
  static std::vector<Pair> policies = [] {
    std::vector<std::string> paths;
    for (const char* dir : {"policies/cn", "tests/golden/good", "tests/conformance/dmn", "bench"}) {
      for (const auto& e : fs::directory_iterator(std::string(PROVISO_SOURCE_DIR) + "/" + dir)) {
        if (e.path().extension() == ".proviso") paths.push_back(e.path().string());
      }
    }
    std::sort(paths.begin(), paths.end());
    std::vector<Pair> out;
    for (const std::string& path : paths) {
      Pair p;
      try {
        p.jit = std::make_unique<Policy>(Engine(EngineOptions{Backend::kJit, true, ""}).CompileFile(path));
        p.ins = p.jit->BatchInputs();
        p.outs = p.jit->BatchOutputs();
        p.interp = std::make_unique<Policy>(Engine(EngineOptions{Backend::kInterpreter, true, ""}).CompileFile(path));
      } catch (const Error&) {
        continue;  // not batchable (lists, sets of texts, `for each` outputs), or a library
      }
      if (p.outs.empty()) continue;
      out.push_back(std::move(p));
    }
    if (out.empty()) {
      std::fprintf(stderr, "fuzz_batch: no batchable policy in the corpus\n");
      std::abort();
    }
    return out;
  }();
  return policies;
}

// Reads bytes in order; past the end, zeros.
struct Reader {
  const uint8_t* data;
  size_t size;
  size_t at = 0;
  uint8_t Byte() { return at < size ? data[at++] : 0; }
  int64_t Int() {
    uint8_t shape = Byte();
    if (shape < 200) return static_cast<int8_t>(Byte());  // small values, most of the time
    uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v = (v << 8) | Byte();
    return static_cast<int64_t>(v);
  }
};

// One back end's outcome as text: the output cells, or the error's kind.
std::string Run(const Policy& policy, const std::vector<ColumnSpec>& outs, const BatchInput& in) {
  std::vector<std::vector<uint8_t>> cols(outs.size()), present(outs.size());
  std::vector<std::vector<uint64_t>> missing(outs.size());
  BatchOutput out;
  for (size_t c = 0; c < outs.size(); ++c) {
    cols[c].assign(static_cast<size_t>(in.rows * outs[c].width), 0);
    present[c].assign(static_cast<size_t>(in.rows), 0);
    missing[c].assign(static_cast<size_t>(in.rows * std::max(1, policy.MissingWords())), 0);
    out.columns.push_back(cols[c].data());
    out.present.push_back(present[c].data());
    out.missing.push_back(missing[c].data());
  }
  EvalOptions options;
  options.as_of = "2024-06-01";
  try {
    policy.EvaluateBatch(in, out, options);
  } catch (const FactsError&) {
    return "FactsError";
  } catch (const EvaluationError&) {
    return "EvaluationError";
  }
  std::string s;
  for (size_t c = 0; c < outs.size(); ++c) {
    s += outs[c].name + ":";
    for (int64_t r = 0; r < in.rows; ++r) {
      bool shown = !outs[c].optional || present[c][static_cast<size_t>(r)];
      bool known = std::all_of(missing[c].begin() + r * std::max(1, policy.MissingWords()),
                               missing[c].begin() + (r + 1) * std::max(1, policy.MissingWords()),
                               [](uint64_t w) { return w == 0; });
      if (!known) {
        s += " ?";
        continue;
      }
      if (!shown) {
        s += " -";
        continue;
      }
      int64_t v = 0;
      std::memcpy(&v, cols[c].data() + r * outs[c].width, static_cast<size_t>(outs[c].width));
      if (outs[c].width == 1) v = static_cast<int8_t>(v);
      if (outs[c].width == 4) v = static_cast<int32_t>(v);
      // Text outputs are codes into the output's dictionary, which each run builds in its own
      // order: compare the texts.
      s += " " + (outs[c].kind == ColumnKind::kText ? out.dictionary.at(static_cast<size_t>(v)) : std::to_string(v));
    }
    s += "\n";
  }
  return s;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::vector<Pair>& policies = Policies();
  const Pair& p = policies[data[0] % policies.size()];
  Reader rd{data + 1, size - 1};
  int64_t rows = 1 + rd.Byte() % kMaxRows;
  BatchInput in;
  in.rows = rows;
  std::vector<std::vector<uint8_t>> cols(p.ins.size()), present(p.ins.size()), known(p.ins.size());
  std::vector<std::vector<std::string>> dicts(p.ins.size());
  for (size_t c = 0; c < p.ins.size(); ++c) {
    const ColumnSpec& spec = p.ins[c];
    cols[c].assign(static_cast<size_t>(rows * spec.width), 0);
    present[c].assign(static_cast<size_t>(rows), 1);
    known[c].assign(static_cast<size_t>(rows), 1);
    if (spec.kind == ColumnKind::kText) {
      for (int k = rd.Byte() % 4; k > 0; --k) dicts[c].push_back(std::string(1, static_cast<char>('a' + k)));
    }
    for (int64_t r = 0; r < rows; ++r) {
      int64_t v = spec.width == 8 ? rd.Int() : rd.Byte();
      std::memcpy(cols[c].data() + r * spec.width, &v, static_cast<size_t>(spec.width));
      uint8_t flags = rd.Byte();
      if (spec.optional || spec.has_default) present[c][static_cast<size_t>(r)] = flags & 1;
      known[c][static_cast<size_t>(r)] = (flags & 0x0e) != 0x0e;  // 1 in 8 not given
    }
    in.columns.push_back(cols[c].data());
    in.present.push_back(spec.optional || spec.has_default ? present[c].data() : nullptr);
    in.known.push_back(known[c].data());
    in.dictionaries.push_back(spec.kind == ColumnKind::kText ? &dicts[c] : nullptr);
  }
  std::string a = Run(*p.interp, p.outs, in);
  std::string b = Run(*p.jit, p.outs, in);
  if (a != b) {
    std::fprintf(stderr, "fuzz_batch: the back ends differ on a batch of %s (%lld rows)\ninterpreter:\n%s\nJIT:\n%s\n",
                 p.jit->name().c_str(), static_cast<long long>(rows), a.c_str(), b.c_str());
    std::abort();
  }
  return 0;
}
