// Differential testing: for every policy in policies/ and every good golden program, thousands of
// generated fact sets are evaluated by the reference interpreter and by the JIT (row and batch
// entry points); any difference fails with the facts that differ.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <tuple>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "compiler/codegen/layout.h"
#include "compiler/driver/driver.h"
#include "compiler/interp/facts.h"
#include "compiler/interp/interp.h"
#include "compiler/ir/ir.h"
#include "compiler/jit/disk_cache.h"
#include "runtime/src/batch.h"
#include "runtime/src/native.h"
#include "tests/differential/describe.h"
#include "tests/differential/fact_gen.h"

namespace proviso {
namespace {

namespace fs = std::filesystem;

constexpr int kFactsPerPolicy = 10000;
constexpr int kScenarios = 8;         // generated param overrides per policy
constexpr int kScenarioRows = 1500;   // fact sets evaluated under each

using testing::Corpus;
using testing::Describe;
using testing::ValueText;

constexpr auto Facts = testing::FactsText;

class Differential : public ::testing::TestWithParam<std::string> {};

// The instants the batch comparison of all the fact sets runs at (a batch call has one evaluation
// instant): the first interesting date at 00:00:00 (what it ran at before instants), and up to
// kBatchInstants - 1 more spread over the interesting instants that have a time of day (23:59:59,
// datetime constants ±1 s), so that instant deadlines and `now` are judged inside a day too.
constexpr size_t kBatchInstants = 4;
std::vector<int64_t> BatchInstants(const ir::Program& p) {
  std::vector<int64_t> all = testing::InterestingInstants(p);
  std::vector<int64_t> out = {testing::InterestingDates(p).front() * kSecondsPerDay};
  std::vector<int64_t> timed;
  for (int64_t t : all) {
    if (t % kSecondsPerDay != 0) timed.push_back(t);
  }
  const std::vector<int64_t>& from = timed.empty() ? all : timed;
  for (size_t k = 1; k < kBatchInstants && k <= from.size(); ++k) {
    int64_t t = from[(k * from.size()) / kBatchInstants];
    if (std::find(out.begin(), out.end(), t) == out.end()) out.push_back(t);
  }
  return out;
}

// Every tier of the row entry against the interpreter on the first `n` fact sets, each at its own
// evaluation instant (`instants[i]`, testing::EvaluationInstants: interesting dates at 00:00:00 and
// 23:59:59, datetime constants ±1 s, deadlines of the fact set ±1 s): the quick and optimised rows,
// and the row specialised to the param values in force (one per distinct set of values, while the
// policy compiles more). Returns how many the interpreter could not decide; adds to `specialised`
// how many went through a specialised row.
int CompareRows(const ir::Program& p, const jit::CompiledPolicy& native, const std::vector<nlohmann::json>& facts,
                const std::vector<Value>& values, interp::EvalOptions opts, const std::vector<int64_t>& instants,
                size_t n, const std::string& scenario, int& specialised) {
  int differences = 0, errors = 0;
  for (size_t i = 0; i < n; ++i) {
    opts.set_now(instants[i]);
    jit::CompiledPolicy::SpecializedRow s =
        native.Specialized(ParamValues(p, opts), jit::CompiledPolicy::kSpecializeRows);
    const std::tuple<const char*, jit::RowFn, const std::vector<std::string>*> tiers[] = {
        {"quick", native.quick_row(), nullptr}, {"optimised", native.optimized_row(), nullptr},
        {"specialised", s.row, s.texts}};
    specialised += s.row != nullptr;
    std::optional<interp::Result> a;
    try {
      a = interp::Evaluate(p, values[i], opts);
    } catch (const interp::EvalError&) {
    }
    errors += !a;
    std::string da = Describe(p, a ? &*a : nullptr);
    for (const auto& [tier, row, texts] : tiers) {
      if (!row) continue;
      std::optional<interp::Result> b;
      try {
        b = EvaluateNative(p, native, values[i], opts, row, texts);
      } catch (const interp::EvalError&) {
      }
      std::string db = Describe(p, b ? &*b : nullptr);
      if (da != db && ++differences <= 3) {
        ADD_FAILURE() << "interpreter and JIT (" << tier << " row) differ on facts " << facts[i].dump() << " as of "
                      << FormatDateTime(opts.now()) << scenario << "\ninterpreter:\n" << da << "JIT:\n" << db;
      }
    }
  }
  EXPECT_EQ(differences, 0) << scenario;
  return errors;
}

// `v` with the duration at `path` (field indexes from the record `v`) in days, a month counted as
// 30: what a batch column, which holds days, can carry.
Value InDays(const Value& v, const std::vector<int>& path, size_t at = 0) {
  if (v.is_none()) return v;
  if (at == path.size()) {
    return v.kind == Value::Kind::kDuration ? Value::Dur({0, v.i + 30 * kSecondsPerDay * v.months}) : v;
  }
  std::vector<Value> fields = v.elems();
  fields[path[at]] = InDays(fields[path[at]], path, at + 1);
  return Value::Record(std::move(fields));
}

// `v` (a record of type `record`, at `node` of the schema's tree of facts) as batch columns see it:
// a record of facts left out is its leaves left out, each its own fact (columns are leaves).
Value AsColumns(const ir::Program& p, const Value& v, int record, int node) {
  const RecordInfo& info = p.types().record_info(record);
  std::vector<Value> fields;
  for (size_t f = 0; f < info.fields.size(); ++f) {
    const Type* t = info.fields[f].type;
    int fact = node >= 0 ? p.fact_nodes[node].fact[f] : -1;
    int child = node >= 0 ? p.fact_nodes[node].child[f] : -1;
    if (t->kind == TypeKind::kRecord) {
      Value x = v.is_unknown() ? v : v.elems()[f];
      if (x.is_unknown()) {  // every leaf below, not known
        std::vector<Value> unknown_fields;
        Value expanded = AsColumns(p, Value::Unknown({fact}), t->index, child);
        fields.push_back(expanded);
        (void)unknown_fields;
      } else {
        fields.push_back(AsColumns(p, x, t->index, child));
      }
    } else {
      fields.push_back(v.is_unknown() ? Value::Unknown({fact}) : v.elems()[f]);
    }
  }
  return Value::Record(std::move(fields));
}

// The batch entry against the interpreter on the first `n` fact sets, for policies whose inputs are
// scalar columns. Durations in months become days first (duration columns hold seconds), for both.
// Facts left out are cells not known (the entry that follows unknown facts, when there are any);
// the missing facts of each column are compared too.
void CompareBatch(const ir::Program& p, const jit::CompiledPolicy& native, const std::vector<nlohmann::json>& facts,
                  const std::vector<Value>& given, const interp::EvalOptions& opts, int64_t rows,
                  const std::string& scenario) {
  std::vector<InputLeaf> leaves = InputLeaves(p);
  std::vector<Value> values;
  for (int64_t r = 0; r < rows; ++r) values.push_back(AsColumns(p, given[r], p.input_record, 0));
  for (Value& v : values) {
    for (const InputLeaf& leaf : leaves) {
      if (leaf.type->kind == TypeKind::kDuration) v = InDays(v, leaf.fields);
    }
  }
  std::vector<ColumnSpec> outs = OutputSpecs(p);
  std::vector<std::vector<int64_t>> cols(leaves.size(), std::vector<int64_t>(rows));
  std::vector<std::vector<uint8_t>> pres(leaves.size(), std::vector<uint8_t>(rows, 1));
  std::vector<std::vector<uint8_t>> known(leaves.size(), std::vector<uint8_t>(rows, 1));
  std::vector<std::vector<std::string>> dicts(leaves.size());
  std::vector<std::map<std::string, int64_t>> codes(leaves.size());
  bool unknowns = false;
  for (int64_t r = 0; r < rows; ++r) {
    for (size_t k = 0; k < leaves.size(); ++k) {
      Value v = values[r];
      for (int f : leaves[k].fields) v = v.elems()[f];
      if (v.is_unknown()) {
        known[k][r] = 0;
        unknowns = true;
        continue;
      }
      if (v.is_none()) {
        pres[k][r] = 0;
        continue;
      }
      if (v.kind == Value::Kind::kText) {
        auto [it, fresh] = codes[k].emplace(v.text, static_cast<int64_t>(dicts[k].size()));
        if (fresh) dicts[k].push_back(v.text);
        cols[k][r] = it->second;
      } else if (v.kind == Value::Kind::kSet) {  // an enum set: its bitmask
        uint64_t mask = 0;
        for (const Value& x : v.elems()) mask |= uint64_t{1} << x.i;
        cols[k][r] = static_cast<int64_t>(mask);
      } else {
        cols[k][r] = v.i;
      }
    }
  }
  // Columns of each spec's width, as the SDK takes them.
  std::vector<std::vector<uint8_t>> typed(leaves.size());
  for (size_t k = 0; k < leaves.size(); ++k) {
    typed[k].resize(static_cast<size_t>(rows) * leaves[k].spec.width);
    for (int64_t r = 0; r < rows; ++r) WriteCell(typed[k].data(), leaves[k].spec, r, cols[k][r]);
  }
  BatchInput in;
  in.rows = rows;
  std::vector<const uint8_t*> known_ptrs;
  for (size_t k = 0; k < leaves.size(); ++k) {
    in.columns.push_back(typed[k].data());
    in.present.push_back(leaves[k].spec.optional ? pres[k].data() : nullptr);
    in.dictionaries.push_back(leaves[k].spec.kind == ColumnKind::kText ? &dicts[k] : nullptr);
    known_ptrs.push_back(known[k].data());
  }
  const TypeTable& types = p.types();
  TextInterner texts(native.layout());
  std::vector<std::vector<int64_t>> maps(leaves.size());
  std::vector<const int64_t*> map_ptrs(leaves.size(), nullptr);
  for (size_t k = 0; k < leaves.size(); ++k) {
    for (const std::string& s : dicts[k]) maps[k].push_back(texts.Id(s));
    if (maps[k].empty()) maps[k].push_back(0);  // an all-absent text column still reads entry 0
    if (in.dictionaries[k]) map_ptrs[k] = maps[k].data();
  }
  std::vector<std::vector<int64_t>> params_arena;
  std::vector<int64_t> params = FlattenParams(p, native.layout(), opts, texts, params_arena);
  const int words = native.layout().mask_words;
  std::vector<std::vector<uint8_t>> out_raw(outs.size());
  std::vector<std::vector<uint8_t>> out_pres(outs.size(), std::vector<uint8_t>(rows));
  std::vector<std::vector<uint64_t>> out_missing(outs.size(), std::vector<uint64_t>(static_cast<size_t>(rows) * words));
  std::vector<void*> out_ptrs;
  std::vector<uint8_t*> out_pres_ptrs;
  std::vector<uint64_t*> out_missing_ptrs;
  for (size_t c = 0; c < outs.size(); ++c) {
    out_raw[c].resize(static_cast<size_t>(rows) * outs[c].width);
    out_ptrs.push_back(out_raw[c].data());
    out_pres_ptrs.push_back(out_pres[c].data());
    out_missing_ptrs.push_back(out_missing[c].data());
  }
  std::vector<int64_t> ctx(std::max(native.layout().ctx_slots, 1));
  int64_t first_error = -1;
  int32_t status = 0;
  if (unknowns) {
    ASSERT_NE(native.unknown_batch(), nullptr) << native.unknown_batch_error();
    status = native.unknown_batch()(ctx.data(), in.columns.data(), in.present.data(), map_ptrs.data(), params.data(),
                                    opts.now(), out_ptrs.data(), out_pres_ptrs.data(), rows, &first_error,
                                    known_ptrs.data(), out_missing_ptrs.data());
  } else {
    ASSERT_NE(native.batch(), nullptr) << native.batch_error();
    status = native.batch()(ctx.data(), in.columns.data(), in.present.data(), map_ptrs.data(), params.data(),
                            opts.now(), out_ptrs.data(), out_pres_ptrs.data(), rows, &first_error);
  }
  auto out_cell = [&](size_t c, int64_t r) { return ReadCell(out_raw[c].data(), outs[c], r); };
  // The missing facts of column `c` in row `r`, as the entry wrote them (none without unknowns).
  auto out_facts = [&](size_t c, int64_t r) {
    std::vector<int> ids;
    if (!unknowns) return ids;
    for (int w = 0; w < words; ++w) {
      for (uint64_t bits = out_missing[c][r * words + w]; bits; bits &= bits - 1) ids.push_back(w * 64 + __builtin_ctzll(bits));
    }
    return ids;
  };
  int batch_differences = 0;
  int64_t first_failing = -1;
  for (int64_t r = 0; r < rows && batch_differences < 3; ++r) {
    std::optional<interp::Result> a;
    try {
      a = interp::Evaluate(p, values[r], opts);
    } catch (const interp::EvalError&) {
    }
    if (!a) {
      if (first_failing < 0) first_failing = r;
      continue;
    }
    size_t c = 0;
    std::string got, want;
    for (size_t o = 0; o < p.outputs.size(); ++o, ++c) {
      const Value& v = a->outputs[o];
      want += ValueText(p, v, p.outputs[o].type) + " ";
      std::vector<int> m = out_facts(c, r);
      bool present = !outs[c].optional || out_pres[c][r];
      if (!m.empty()) {
        got += "undetermined " + Facts(p, m) + " ";
      } else if (!present) {
        got += "none ";
      } else if (outs[c].kind == ColumnKind::kText) {
        const Type* t = p.outputs[o].type->kind == TypeKind::kOptional ? p.outputs[o].type->elem : p.outputs[o].type;
        got += FormatValue(Value::Text(texts.Text(out_cell(c, r))), t, types) + " ";  // quoted as `want`
      } else {
        const Type* t = p.outputs[o].type->kind == TypeKind::kOptional ? p.outputs[o].type->elem : p.outputs[o].type;
        Value x;
        x.kind = v.is_none() || v.is_unknown() ? Value::Kind::kInt : v.kind;
        x.i = out_cell(c, r);
        got += FormatValue(x, t, types) + " ";
      }
    }
    for (size_t k = 0; k < p.obligations.size(); ++k) {
      const interp::ObligationResult* found = nullptr;
      for (const auto& ob : a->obligations) if (ob.obligation == static_cast<int>(k)) found = &ob;
      auto when = [&](int64_t v) { return p.obligations[k].instant ? FormatDateTime(v) : FormatDate(v); };
      bool status = p.obligations[k].deadline_kind != ir::DeadlineKind::kNone;
      std::vector<int> none;
      auto part = [&](bool undetermined) { return found && undetermined ? found->missing : none; };
      bool open = found && found->status == ir::DeadlineStatus::kUndetermined;
      want += fmt::format("[{} {} {} {} {} {} {}] ", found && !found->applies_undetermined, found && found->violated,
                          found && found->deadline ? when(*found->deadline) : "none",
                          found ? ir::DeadlineStatusName(found->status) : "",
                          Facts(p, part(found && found->applies_undetermined)),
                          Facts(p, part(found && found->violation_undetermined)),
                          Facts(p, part(found && !found->deadline)));  // a deadline computed is known
      if (status) want += Facts(p, part(open)) + " ";
      got += fmt::format("[{} {} {} {} {} {} {}] ", out_cell(c, r) != 0, out_cell(c + 1, r) != 0,
                         out_pres[c + 2][r] ? when(out_cell(c + 2, r)) : "none",
                         status ? ir::DeadlineStatusName(static_cast<ir::DeadlineStatus>(out_cell(c + 3, r))) : "",
                         Facts(p, out_facts(c, r)), Facts(p, out_facts(c + 1, r)), Facts(p, out_facts(c + 2, r)));
      if (status) got += Facts(p, out_facts(c + 3, r)) + " ";
      c += status ? 4 : 3;
    }
    if (got != want) {
      ++batch_differences;
      ADD_FAILURE() << "batch and interpreter differ on row " << r << " facts " << facts[r].dump() << " as of "
                    << FormatDateTime(opts.now()) << scenario << "\ninterpreter: " << want << "\nbatch:       " << got;
    }
  }
  EXPECT_EQ(batch_differences, 0) << scenario;
  // The batch reports exactly the first row the interpreter cannot decide.
  EXPECT_EQ(status != 0, first_failing >= 0) << scenario;
  EXPECT_EQ(first_error, first_failing) << scenario;
}

TEST_P(Differential, InterpreterAndJitAgree) {
  auto fe = CompileFile(GetParam());
  ASSERT_TRUE(fe->ok()) << RenderText(fe->diags.diagnostics(), fe->sources);
  auto program = ir::Lower(std::move(fe->program));
  const ir::Program& p = *program;
  if (p.outputs.empty() && p.obligations.empty()) GTEST_SKIP() << "a library: nothing to evaluate";
  DiagnosticSink diags;
  auto native = CompileNative(p, diags);
  ASSERT_NE(native, nullptr) << RenderText(diags.diagnostics(), fe->sources);
  ASSERT_NE(native->optimized_row(), nullptr) << native->optimized_error();

  std::vector<nlohmann::json> facts = testing::GenerateFacts(p, kFactsPerPolicy, 20201128);
  std::vector<Value> values;
  for (const auto& f : facts) values.push_back(interp::FactsFromJson(f, p));

  std::vector<int64_t> instants = testing::EvaluationInstants(p, values, 1128);
  std::vector<int64_t> batch_instants = BatchInstants(p);
  std::vector<int64_t> interesting = testing::InterestingInstants(p);

  // Every fact set with the params' own values...
  int specialised = 0;
  int errors = CompareRows(p, *native, facts, values, {}, instants, facts.size(), "", specialised);
  // The params' own values take fewer distinct values than the policy may specialise to (a policy
  // that reads params by version at a law day is not specialised).
  EXPECT_EQ(specialised, p.params.empty() || codegen::VersionedParams(p) ? 0 : kFactsPerPolicy);
  // The generated facts must exercise decisions, not only errors.
  EXPECT_LT(errors, kFactsPerPolicy) << "every generated fact set failed to evaluate";
  RecordProperty("evaluations", kFactsPerPolicy);
  RecordProperty("errors", errors);
  if (native->has_batch()) {
    for (int64_t t : batch_instants) {
      interp::EvalOptions opts;
      opts.set_now(t);
      CompareBatch(p, *native, facts, values, opts, static_cast<int64_t>(values.size()), "");
    }
  }

  // ...and the first rows again under generated param overrides (what-if), which take other paths:
  // sets of params as bitmaps, durations of whole months.
  if (p.params.empty()) return;
  std::vector<nlohmann::json> scenarios = testing::GenerateParams(p, kScenarios, 1128);
  for (size_t s = 0; s < scenarios.size(); ++s) {
    interp::EvalOptions with;
    for (const auto& [name, v] : scenarios[s].items()) {
      int k = p.FindParam(name);
      with.param_overrides[k] = interp::ValueFromJson(v, p.params[k].type, p, name);
    }
    std::string what = " with params " + scenarios[s].dump();
    CompareRows(p, *native, facts, values, with, instants, kScenarioRows, what, specialised);
    with.set_now(interesting[s * interesting.size() / scenarios.size()]);
    if (native->has_batch()) CompareBatch(p, *native, facts, values, with, kScenarioRows, what);
  }
}

std::string TestName(const ::testing::TestParamInfo<std::string>& info) {
  fs::path path(info.param);
  std::string name = path.parent_path().filename().string() + "_" + path.stem().string();
  for (char& c : name) if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  return name;
}

INSTANTIATE_TEST_SUITE_P(Corpus, Differential, ::testing::ValuesIn(Corpus()), TestName);

// With the disk cache, says at the end how many objects this run loaded and stored (the ctest
// differential/with_disk_cache requires a second run to store none).
class DiskCacheReport : public ::testing::Environment {
 public:
  void TearDown() override {
    if (!jit::DiskCache::FromEnvironment()) return;
    jit::DiskCacheStats n = jit::DiskCacheCounts();
    std::printf("disk cache: loaded %lld, stored %lld\n", static_cast<long long>(n.loaded),
                static_cast<long long>(n.stored));
  }
};
const auto* const kDiskCacheReport = ::testing::AddGlobalTestEnvironment(new DiskCacheReport);

}  // namespace
}  // namespace proviso
