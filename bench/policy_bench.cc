// Benchmarks of policies/cn/benchmark_policy.proviso: the same decision hand-written in C++ (the
// baseline), the reference interpreter, the JIT's single-row entry on prepared facts, and the JIT's
// batch entry over 1M rows against a hand-written scalar loop over the same columns; then the
// compile time of every policy, cold, warm (from the cache), from the disk cache and of its batch
// entry (compiled on first use). Ratios to the baselines are printed at the end.
#include <algorithm>
#include <filesystem>
#include <map>
#include <random>

#include <stdlib.h>

#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include "compiler/driver/driver.h"
#include "compiler/support/calendar.h"
#include "compiler/interp/facts.h"
#include "compiler/interp/interp.h"
#include "proviso/proviso.h"
#include "proviso/proviso_c.h"
#include "proviso/row.h"
#include "proviso_gen/benchmark_policy.h"
#include "runtime/src/batch.h"
#include "runtime/src/native.h"
#include "bench/deadline_bench.h"

namespace {

using namespace proviso;

const std::string kPolicy = std::string(PROVISO_SOURCE_DIR) + "/policies/cn/benchmark_policy.proviso";
constexpr int kRows = 1 << 20;  // ~1M rows for batch runs
constexpr int kSample = 4096;   // distinct facts cycled through by single-row runs
// Repetitions of each single-row benchmark (a few nanoseconds, whose best of 5 still varies by 20%
// on this machine from one run to the next; 12 take 6 seconds).
constexpr int kRowRepetitions = 12;

// ---------------------------------------------------------------- the hand-written baseline

// The benchmark policy's facts as a C++ programmer would hold them.
struct Facts {
  int8_t object, degree, pfi;  // pfi: -1 when absent
  bool controlled_item, overseas_law_enforcement, approved, call_center_operator;
  int64_t destination;  // an id; the retaliation list is a sorted vector of ids
  int64_t call_ended_on, kept_days;  // the policy's duration is in seconds: the JIT's facts hold kept_days * 86400
};

struct Decision {
  int64_t level, export_, reason;  // reason -1: none
  bool retention_violation, keep_applies, keep_violated;
  int64_t keep_deadline;
};

// The same logic as the policy: the level table (object x degree), the PFI class, the higher of
// the two; export denied for judicial assistance, export control, retaliation (that priority).
inline Decision HandWritten(const Facts& f, const std::vector<int64_t>& retaliation, int64_t min_retention) {
  static const int8_t kImpact[4][4] = {{5, 5, 4, 3}, {5, 4, 3, 2}, {4, 3, 2, 1}, {4, 3, 2, 1}};
  static const int8_t kPfi[3] = {4, 3, 2};
  Decision d;
  d.level = std::max<int64_t>(kImpact[f.object][f.degree], f.pfi >= 0 ? kPfi[f.pfi] : 1);
  if (f.overseas_law_enforcement && !f.approved) d.reason = 0;
  else if (f.controlled_item) d.reason = 1;
  else if (std::binary_search(retaliation.begin(), retaliation.end(), f.destination)) d.reason = 2;
  else d.reason = -1;
  d.export_ = d.reason >= 0;
  // The retention duty is an operator's of call-center business.
  d.retention_violation = f.call_center_operator && f.kept_days < min_retention;
  d.keep_applies = f.call_center_operator;
  d.keep_violated = d.retention_violation;
  d.keep_deadline = f.call_ended_on + min_retention;
  return d;
}

// The same, as a function the caller cannot inline: how the JIT's row entry is called (through a
// pointer, from code compiled before it existed). A second baseline, to show the call's share.
__attribute__((noinline)) Decision HandWrittenCall(const Facts& f, const std::vector<int64_t>& retaliation,
                                                   int64_t min_retention) {
  return HandWritten(f, retaliation, min_retention);
}

// The same again with the checks the policy's semantics make, as the JIT's row makes them (a third
// baseline, to show what they cost): durations are days and months (ordered only when both are
// days or both are months), params are data (the retaliation list a bitmap of text ids, the
// minimum retention days + months), a deadline must stay in the calendar; the status says whether
// the row has a decision. Out of line, as the JIT's row entry.
struct CheckedFacts {
  int64_t object, degree, pfi;  // pfi: -1 when absent
  bool controlled_item, overseas_law_enforcement, approved, call_center_operator;
  int64_t destination;  // a text id
  int64_t call_ended_on, kept_seconds, kept_months;
};
struct CheckedParams {
  const uint64_t* retaliation;  // bitmap over text ids
  int64_t retaliation_ids;      // ids the bitmap covers
  int64_t min_seconds, min_months;
};

__attribute__((noinline)) int HandWrittenChecked(const CheckedFacts& f, const CheckedParams& p, Decision& d) {
  static const int8_t kImpact[4][4] = {{5, 5, 4, 3}, {5, 4, 3, 2}, {4, 3, 2, 1}, {4, 3, 2, 1}};
  static const int8_t kPfi[3] = {4, 3, 2};
  bool failed = false;
  d.level = std::max<int64_t>(kImpact[f.object][f.degree], f.pfi >= 0 ? kPfi[f.pfi] : 1);
  uint64_t id = static_cast<uint64_t>(f.destination);
  bool listed = id < static_cast<uint64_t>(p.retaliation_ids) && ((p.retaliation[id >> 6] >> (id & 63)) & 1);
  if (f.overseas_law_enforcement && !f.approved) d.reason = 0;
  else if (f.controlled_item) d.reason = 1;
  else if (listed) d.reason = 2;
  else d.reason = -1;
  d.export_ = d.reason >= 0;
  if (f.kept_months == 0 && p.min_months == 0) d.retention_violation = f.kept_seconds < p.min_seconds;
  else if (f.kept_seconds == 0 && p.min_seconds == 0) d.retention_violation = f.kept_months < p.min_months;
  else failed = true;  // days against months: no order
  d.retention_violation = f.call_center_operator && d.retention_violation;
  d.keep_applies = f.call_center_operator;
  d.keep_violated = d.retention_violation;
  if (p.min_seconds % kSecondsPerDay != 0 || p.min_seconds > kMaxSeconds || p.min_seconds < -kMaxSeconds ||
      p.min_months > kMaxMonths || p.min_months < -kMaxMonths) {
    failed = true;  // a date has no time of day; beyond the limits
    d.keep_deadline = 0;
  } else {
    d.keep_deadline = (p.min_months != 0 ? AddMonths(f.call_ended_on, p.min_months) : f.call_ended_on) +
                      p.min_seconds / kSecondsPerDay;
    failed |= d.keep_deadline < kFirstDay || d.keep_deadline > kLastDay;
  }
  return failed;
}

// ---------------------------------------------------------------- shared data

struct Data {
  std::unique_ptr<FrontEnd> front;
  std::unique_ptr<ir::Program> program;
  std::unique_ptr<jit::CompiledPolicy> native;
  std::vector<Facts> facts;           // kRows
  std::vector<Value> values;          // kSample, for the interpreter
  std::vector<int64_t> rows;  // kSample prepared flat rows for the JIT, one after the other
  std::vector<std::vector<int64_t>> columns;  // per input leaf, kRows
  std::vector<std::vector<uint8_t>> typed;    // the same at each column's width (uint8 bools, int8 enums)
  std::vector<uint8_t> pfi_present;
  std::vector<std::string> destinations;
  std::vector<int64_t> destination_ids;  // text map: dictionary code -> policy text id
  std::vector<int64_t> params;
  std::vector<std::vector<int64_t>> params_arena;
  std::vector<int64_t> retaliation_ids;
  int64_t as_of = 0;
  interp::EvalOptions opts;  // as_of and the param override the single-row runs use
};

Data& Shared() {
  static Data* d = [] {
    auto* d = new Data;
    d->front = CompileFile(kPolicy);
    if (!d->front->ok()) {
      fmt::print(stderr, "{}", RenderText(d->front->diags.diagnostics(), d->front->sources));
      std::abort();
    }
    d->program = ir::Lower(std::move(d->front->program));
    DiagnosticSink diags;
    d->native = CompileNative(*d->program, diags);
    if (!d->native || !d->native->batch()) std::abort();
    const ir::Program& p = *d->program;
    d->as_of = *ParseDate("2020-09-01");
    // Two countries on the retaliation list (a what-if the policy allows).
    interp::EvalOptions opts;
    opts.as_of = d->as_of;
    int rp = p.FindParam("retaliation_countries");
    opts.param_overrides[rp] = Value::Set({Value::Text("XA"), Value::Text("XB")});
    d->opts = opts;
    TextInterner texts(d->native->layout());
    d->params = FlattenParams(p, d->native->layout(), opts, texts, d->params_arena);
    d->destinations = {"DE", "XA", "US", "XB", "JP", "FR", "BR", "IN"};
    for (const auto& s : d->destinations) d->destination_ids.push_back(texts.Id(s));
    d->retaliation_ids = {texts.Id("XA"), texts.Id("XB")};
    std::sort(d->retaliation_ids.begin(), d->retaliation_ids.end());
    std::mt19937_64 rng(42);
    auto pick = [&](int n) { return static_cast<int>(rng() % n); };
    for (int i = 0; i < kRows; ++i) {
      Facts f;
      f.object = pick(4);
      f.degree = pick(4);
      f.pfi = static_cast<int8_t>(pick(4) - 1);
      f.controlled_item = pick(10) == 0;
      f.overseas_law_enforcement = pick(8) == 0;
      f.approved = pick(2) == 0;
      f.destination = pick(8);  // a dictionary code
      f.call_ended_on = d->as_of - pick(90);
      f.kept_days = 20 + pick(20);
      f.call_center_operator = pick(8) != 0;  // most entities here operate call-center business
      d->facts.push_back(f);
    }
    // Columns in BatchInputs() order, by name.
    std::vector<InputLeaf> leaves = InputLeaves(p);
    d->columns.assign(leaves.size(), std::vector<int64_t>(kRows));
    d->pfi_present.assign(kRows, 1);
    for (size_t k = 0; k < leaves.size(); ++k) {
      const std::string& name = leaves[k].spec.name;
      for (int i = 0; i < kRows; ++i) {
        const Facts& f = d->facts[i];
        int64_t v = 0;
        if (name == "object") v = f.object;
        else if (name == "degree") v = f.degree;
        else if (name == "pfi_class") { v = std::max<int8_t>(f.pfi, 0); d->pfi_present[i] = f.pfi >= 0; }
        else if (name == "destination") v = f.destination;
        else if (name == "controlled_item") v = f.controlled_item;
        else if (name == "overseas_law_enforcement") v = f.overseas_law_enforcement;
        else if (name == "approved") v = f.approved;
        else if (name == "call_center_operator") v = f.call_center_operator;
        else if (name == "call_ended_on") v = f.call_ended_on;
        else if (name == "records_kept_for") v = f.kept_days * kSecondsPerDay;  // duration columns: seconds
        else { fmt::print(stderr, "unexpected input `{}`\n", name); std::abort(); }
        d->columns[k][i] = v;
      }
      d->typed.emplace_back(static_cast<size_t>(kRows) * leaves[k].spec.width);
      for (int i = 0; i < kRows; ++i) WriteCell(d->typed[k].data(), leaves[k].spec, i, d->columns[k][i]);
    }
    // Interpreter values and prepared JIT rows for the single-row benchmarks.
    const RecordInfo& in = p.input();
    for (int i = 0; i < kSample; ++i) {
      const Facts& f = d->facts[i];
      std::vector<Value> fields(in.fields.size());
      for (size_t k = 0; k < in.fields.size(); ++k) {
        const std::string& n = in.fields[k].name;
        if (n == "object") fields[k] = Value::Enum(f.object);
        else if (n == "degree") fields[k] = Value::Enum(f.degree);
        else if (n == "pfi_class") fields[k] = f.pfi >= 0 ? Value::Enum(f.pfi) : Value::None();
        else if (n == "destination") fields[k] = Value::Text(d->destinations[f.destination]);
        else if (n == "controlled_item") fields[k] = Value::Bool(f.controlled_item);
        else if (n == "overseas_law_enforcement") fields[k] = Value::Bool(f.overseas_law_enforcement);
        else if (n == "approved") fields[k] = Value::Bool(f.approved);
        else if (n == "call_center_operator") fields[k] = Value::Bool(f.call_center_operator);
        else if (n == "call_ended_on") fields[k] = Value::Date(f.call_ended_on);
        else if (n == "records_kept_for") fields[k] = Value::Dur(Duration::Days(f.kept_days));
      }
      d->values.push_back(Value::Record(std::move(fields)));
      std::vector<int64_t> row(d->native->layout().facts_slots);
      // The batch leaves know each field's slot: reuse them to lay out a prepared row.
      int slot = 0;
      for (size_t k = 0; k < in.fields.size(); ++k) {
        const Type* t = in.fields[k].type;
        const Value& v = d->values.back().elems()[k];
        if (t->kind == TypeKind::kOptional) {
          row[slot] = !v.is_none();
          row[slot + 1] = v.is_none() ? 0 : v.i;
          slot += 2;
        } else if (t->kind == TypeKind::kDuration) {
          row[slot] = v.i;
          row[slot + 1] = 0;
          slot += 2;
        } else if (t->kind == TypeKind::kText) {
          row[slot++] = d->destination_ids[f.destination];
        } else {
          row[slot++] = v.i;
        }
        row[slot++] = 0;  // the field's fact slot: given
      }
      d->rows.insert(d->rows.end(), row.begin(), row.end());
    }
    return d;
  }();
  return *d;
}

// ---------------------------------------------------------------- single row

// One row at a time through `Decide`: HandWritten (inlined) or HandWrittenCall (called).
template <Decision (*Decide)(const Facts&, const std::vector<int64_t>&, int64_t)>
void BM_HandWrittenBy(benchmark::State& state) {
  Data& d = Shared();
  std::vector<Facts> sample(d.facts.begin(), d.facts.begin() + kSample);
  for (auto& f : sample) f.destination = d.destination_ids[f.destination];
  size_t i = 0;
  for (auto _ : state) {
    Decision r = Decide(sample[i], d.retaliation_ids, 30);
    benchmark::DoNotOptimize(r);
    i = (i + 1) & (kSample - 1);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_HandWrittenBy<HandWritten>)->Name("BM_HandWritten")->Repetitions(kRowRepetitions);
BENCHMARK(BM_HandWrittenBy<HandWrittenCall>)->Name("BM_HandWrittenCall")->Repetitions(kRowRepetitions);

void BM_HandWrittenChecked(benchmark::State& state) {
  Data& d = Shared();
  std::vector<CheckedFacts> sample;
  for (int i = 0; i < kSample; ++i) {
    const Facts& f = d.facts[i];
    sample.push_back({f.object, f.degree, f.pfi, f.controlled_item, f.overseas_law_enforcement, f.approved,
                      f.call_center_operator, d.destination_ids[f.destination], f.call_ended_on,
                      f.kept_days * kSecondsPerDay, 0});
  }
  int64_t ids = *std::max_element(d.destination_ids.begin(), d.destination_ids.end()) + 1;
  std::vector<uint64_t> bitmap((ids + 63) / 64);
  for (int64_t id : d.retaliation_ids) bitmap[id >> 6] |= uint64_t{1} << (id & 63);
  CheckedParams params{bitmap.data(), ids, 30 * kSecondsPerDay, 0};
  size_t i = 0;
  for (auto _ : state) {
    Decision r;
    int st = HandWrittenChecked(sample[i], params, r);
    benchmark::DoNotOptimize(st);
    benchmark::DoNotOptimize(r);
    i = (i + 1) & (kSample - 1);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_HandWrittenChecked)->Repetitions(kRowRepetitions);

void BM_Interpreter(benchmark::State& state) {
  Data& d = Shared();
  interp::EvalOptions opts;
  opts.as_of = d.as_of;
  opts.param_overrides[d.program->FindParam("retaliation_countries")] =
      Value::Set({Value::Text("XA"), Value::Text("XB")});
  size_t i = 0;
  for (auto _ : state) {
    interp::Result r = interp::Evaluate(*d.program, d.values[i], opts);
    benchmark::DoNotOptimize(r);
    i = (i + 1) & (kSample - 1);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Interpreter);

// One row through the public SDK, as an application calls it: JSON facts in, a Decision (outputs
// as JSON, obligations with their citations) out, on the JIT (the default) or the interpreter.
void BM_SdkEvaluate(benchmark::State& state, Backend backend) {
  Data& d = Shared();
  const ir::Program& p = *d.program;
  const RecordInfo& in = p.input();
  std::vector<nlohmann::json> facts;
  for (const Value& v : d.values) {
    nlohmann::json f = nlohmann::json::object();
    for (size_t k = 0; k < in.fields.size(); ++k) {
      f[in.fields[k].name] = interp::ValueToJson(v.elems()[k], in.fields[k].type, p.types());
    }
    facts.push_back(std::move(f));
  }
  Policy policy = Engine({.backend = backend}).CompileFile(kPolicy);
  EvalOptions opts{.as_of = "2020-09-01", .params = {{"retaliation_countries", R"(["XA", "XB"])"}}};
  for (int i = 0; i < 2 * jit::CompiledPolicy::kTierUpRows; ++i) policy.Evaluate(facts[i % kSample], opts);  // hot
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(policy.Evaluate(facts[i], opts));
    i = (i + 1) & (kSample - 1);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK_CAPTURE(BM_SdkEvaluate, jit, Backend::kJit)->Name("BM_SdkEvaluate/jit");
BENCHMARK_CAPTURE(BM_SdkEvaluate, interpreter, Backend::kInterpreter)->Name("BM_SdkEvaluate/interpreter");

// One row through the typed row API (proviso/row.h), as an application embeds the SDK at native
// speed: handles resolved once, every field of the facts set, the row evaluated, the outputs and the
// obligation read through typed getters; the same facts and param override as BM_SdkEvaluate.
void BM_SdkTypedRow(benchmark::State& state) {
  Data& d = Shared();
  Policy policy = Engine().CompileFile(kPolicy);
  Row row(policy, EvalOptions{.as_of = "2020-09-01", .params = {{"retaliation_countries", R"(["XA", "XB"])"}}});
  const InputField object = policy.FindInput("object"), degree = policy.FindInput("degree"),
                   pfi = policy.FindInput("pfi_class"), destination = policy.FindInput("destination"),
                   controlled = policy.FindInput("controlled_item"),
                   overseas = policy.FindInput("overseas_law_enforcement"), approved = policy.FindInput("approved"),
                   operator_ = policy.FindInput("call_center_operator"), ended = policy.FindInput("call_ended_on"),
                   kept = policy.FindInput("records_kept_for");
  const OutputField level = policy.FindOutput("level"), export_ = policy.FindOutput("export"),
                    reason = policy.FindOutput("deny_reason"), violation = policy.FindOutput("retention_violation");
  const ObligationField keep = policy.FindObligation("keep_call_records");
  std::vector<TextId> countries;
  for (const std::string& c : d.destinations) countries.push_back(row.Text(c));
  const Facts* sample = d.facts.data();
  auto one = [&](const Facts& f) {
    row.SetEnum(object, f.object);
    row.SetEnum(degree, f.degree);
    if (f.pfi >= 0) row.SetEnum(pfi, f.pfi);
    else row.SetNone(pfi);
    row.SetText(destination, countries[f.destination]);
    row.SetBool(controlled, f.controlled_item);
    row.SetBool(overseas, f.overseas_law_enforcement);
    row.SetBool(approved, f.approved);
    row.SetBool(operator_, f.call_center_operator);
    row.SetDate(ended, f.call_ended_on);
    row.SetDuration(kept, f.kept_days * kSecondsPerDay);
    row.Evaluate();
    Decision r;
    r.level = row.GetInt(level);
    r.export_ = row.GetEnum(export_);
    r.reason = row.Present(reason) ? row.GetEnum(reason) : -1;
    r.retention_violation = row.GetBool(violation);
    ObligationState k = row.GetObligation(keep);
    r.keep_applies = k.applies;
    r.keep_violated = k.violated;
    r.keep_deadline = k.deadline.value_or(0);
    return r;
  };
  for (int i = 0; i < 2 * jit::CompiledPolicy::kSpecializeRows; ++i) one(sample[i % kSample]);  // hot
  size_t i = 0;
  for (auto _ : state) {
    Decision r = one(sample[i]);
    benchmark::DoNotOptimize(r);
    i = (i + 1) & (kSample - 1);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SdkTypedRow)->Repetitions(kRowRepetitions);

// The same through the policy's generated C++ types (`proviso compile --emit=cpp`,
// proviso_policy_header in bench/CMakeLists.txt): the facts written in place at constant offsets.
void BM_SdkGeneratedRow(benchmark::State& state) {
  namespace bp = proviso_gen::benchmark_policy;
  Data& d = Shared();
  Policy policy = Engine().CompileFile(kPolicy);
  Row row(policy, EvalOptions{.as_of = "2020-09-01", .params = {{"retaliation_countries", R"(["XA", "XB"])"}}});
  bp::Facts facts(row);
  const bp::Outputs outputs(row);
  std::vector<TextId> countries;
  for (const std::string& c : d.destinations) countries.push_back(row.Text(c));
  const Facts* sample = d.facts.data();
  auto one = [&](const Facts& f) {
    facts.set_object(static_cast<bp::ImpactObject>(f.object));
    facts.set_degree(static_cast<bp::ImpactDegree>(f.degree));
    if (f.pfi >= 0) facts.set_pfi_class(static_cast<bp::PfiClass>(f.pfi));
    else facts.set_pfi_class(std::nullopt);
    facts.set_destination(countries[f.destination]);
    facts.set_controlled_item(f.controlled_item);
    facts.set_overseas_law_enforcement(f.overseas_law_enforcement);
    facts.set_approved(f.approved);
    facts.set_call_center_operator(f.call_center_operator);
    facts.set_call_ended_on(f.call_ended_on);
    facts.set_records_kept_for(f.kept_days * kSecondsPerDay);
    row.Evaluate();
    Decision r;
    r.level = outputs.level();
    r.export_ = static_cast<int64_t>(outputs.export_());
    std::optional<bp::DenyReason> reason = outputs.deny_reason();
    r.reason = reason ? static_cast<int64_t>(*reason) : -1;
    r.retention_violation = outputs.retention_violation();
    ObligationState k = outputs.keep_call_records();
    r.keep_applies = k.applies;
    r.keep_violated = k.violated;
    r.keep_deadline = k.deadline.value_or(0);
    return r;
  };
  for (int i = 0; i < 2 * jit::CompiledPolicy::kSpecializeRows; ++i) one(sample[i % kSample]);  // hot
  size_t i = 0;
  for (auto _ : state) {
    Decision r = one(sample[i]);
    benchmark::DoNotOptimize(r);
    i = (i + 1) & (kSample - 1);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SdkGeneratedRow)->Repetitions(kRowRepetitions);

// The same through the C ABI's typed row (proviso/proviso_c.h), as a Go, Rust or Java binding calls
// it: a call per field and per output, each returning a status.
void BM_CAbiTypedRow(benchmark::State& state) {
  Data& d = Shared();
  proviso_policy* policy = nullptr;
  if (proviso_compile_file(kPolicy.c_str(), PROVISO_BACKEND_JIT, &policy, nullptr) != PROVISO_OK) std::abort();
  proviso_row* row = nullptr;
  if (proviso_row_new(policy, "2020-09-01", R"({"retaliation_countries": "[\"XA\", \"XB\"]"})", &row, nullptr) != PROVISO_OK) {
    std::abort();
  }
  auto in = [&](const char* name) {
    proviso_handle h;
    if (proviso_input(policy, name, &h, nullptr) != PROVISO_OK) std::abort();
    return h;
  };
  auto out = [&](const char* name) {
    proviso_handle h;
    if (proviso_output(policy, name, &h, nullptr) != PROVISO_OK) std::abort();
    return h;
  };
  const proviso_handle object = in("object"), degree = in("degree"), pfi = in("pfi_class"), dest = in("destination"),
                       controlled = in("controlled_item"), overseas = in("overseas_law_enforcement"),
                       approved = in("approved"), operator_ = in("call_center_operator"), ended = in("call_ended_on"),
                       kept = in("records_kept_for");
  const proviso_handle level = out("level"), export_ = out("export"), reason = out("deny_reason"),
                       violation = out("retention_violation");
  proviso_handle keep;
  if (proviso_obligation(policy, "keep_call_records", &keep, nullptr) != PROVISO_OK) std::abort();
  const Facts* sample = d.facts.data();
  auto one = [&](const Facts& f) {
    int st = proviso_row_set_enum(row, &object, f.object, nullptr) | proviso_row_set_enum(row, &degree, f.degree, nullptr) |
             (f.pfi >= 0 ? proviso_row_set_enum(row, &pfi, f.pfi, nullptr) : proviso_row_set_none(row, &pfi, nullptr));
    const std::string& country = d.destinations[f.destination];
    st |= proviso_row_set_text(row, &dest, country.data(), country.size(), nullptr) |
          proviso_row_set_bool(row, &controlled, f.controlled_item, nullptr) |
          proviso_row_set_bool(row, &overseas, f.overseas_law_enforcement, nullptr) |
          proviso_row_set_bool(row, &approved, f.approved, nullptr) |
          proviso_row_set_bool(row, &operator_, f.call_center_operator, nullptr) |
          proviso_row_set_date(row, &ended, f.call_ended_on, nullptr) |
          proviso_row_set_duration(row, &kept, f.kept_days * kSecondsPerDay, 0, nullptr) |
          proviso_row_evaluate(row, nullptr);
    Decision r;
    long long level_value = 0;
    int code = 0, present = 0, flag = 0;
    st |= proviso_row_get_int(row, &level, &level_value, nullptr) | proviso_row_get_enum(row, &export_, &code, nullptr);
    r.level = level_value;
    r.export_ = code;
    st |= proviso_row_present(row, &reason, &present, nullptr);
    r.reason = present && proviso_row_get_enum(row, &reason, &code, nullptr) == PROVISO_OK ? code : -1;
    st |= proviso_row_get_bool(row, &violation, &flag, nullptr);
    r.retention_violation = flag;
    proviso_obligation_state k;
    st |= proviso_row_get_obligation(row, &keep, &k, nullptr);
    r.keep_applies = k.applies;
    r.keep_violated = k.violated;
    r.keep_deadline = k.deadline;
    if (st != PROVISO_OK) std::abort();
    return r;
  };
  for (int i = 0; i < 2 * jit::CompiledPolicy::kSpecializeRows; ++i) one(sample[i % kSample]);  // hot
  size_t i = 0;
  for (auto _ : state) {
    Decision r = one(sample[i]);
    benchmark::DoNotOptimize(r);
    i = (i + 1) & (kSample - 1);
  }
  state.SetItemsProcessed(state.iterations());
  proviso_row_free(row);
  proviso_policy_free(policy);
}
BENCHMARK(BM_CAbiTypedRow)->Repetitions(kRowRepetitions);

// One row through the JSON API as an application calls it with its own data: the JSON facts built
// from a struct, Policy::Evaluate, five outputs read from the Decision.
void BM_SdkEvaluateJson(benchmark::State& state) {
  Data& d = Shared();
  Policy policy = Engine().CompileFile(kPolicy);
  EvalOptions opts{.as_of = "2020-09-01", .params = {{"retaliation_countries", R"(["XA", "XB"])"}}};
  // The enums' names, as an application has them.
  const TypeTable& types = d.program->types();
  const RecordInfo& in = d.program->input();
  const auto& objects = types.enum_info(in.fields[in.Find("object")].type->index).variants;
  const auto& degrees = types.enum_info(in.fields[in.Find("degree")].type->index).variants;
  const auto& classes = types.enum_info(in.fields[in.Find("pfi_class")].type->elem->index).variants;
  const Facts* sample = d.facts.data();
  auto facts = [&](const Facts& f) {
    nlohmann::json j;
    j["object"] = objects[f.object];
    j["degree"] = degrees[f.degree];
    if (f.pfi >= 0) j["pfi_class"] = classes[f.pfi];
    else j["pfi_class"] = nullptr;
    j["destination"] = d.destinations[f.destination];
    j["controlled_item"] = f.controlled_item;
    j["overseas_law_enforcement"] = f.overseas_law_enforcement;
    j["approved"] = f.approved;
    j["call_center_operator"] = f.call_center_operator;
    j["call_ended_on"] = FormatDate(f.call_ended_on);
    j["records_kept_for"] = fmt::format("{} days", f.kept_days);
    return j;
  };
  for (int i = 0; i < 2 * jit::CompiledPolicy::kTierUpRows; ++i) policy.Evaluate(facts(sample[i % kSample]), opts);
  size_t i = 0;
  for (auto _ : state) {
    proviso::Decision r = policy.Evaluate(facts(sample[i]), opts);
    int64_t sum = r.output("level").get<int64_t>() + r.output("export").get<std::string>().size() +
                  r.output("deny_reason").is_null() + r.output("retention_violation").get<bool>() +
                  r.obligations().size();
    benchmark::DoNotOptimize(sum);
    i = (i + 1) & (kSample - 1);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SdkEvaluateJson)->Repetitions(5);

// Rows one at a time through `row`, as an application's loop calls a row entry: its buffers and
// arguments in locals (in registers across the call), the next row's facts a pointer bump away.
void RunRows(benchmark::State& state, jit::RowFn row, const codegen::Layout& l) {
  Data& d = Shared();
  std::vector<int64_t> ctx(std::max(l.ctx_slots, 1)), out(std::max(l.out_slots, 1));
  int64_t* const ctx_p = ctx.data();
  int64_t* const out_p = out.data();
  const int64_t* const params = d.params.data();
  const int64_t now = d.as_of * kSecondsPerDay;  // the row entry takes the evaluation instant
  const int64_t* const first = d.rows.data();
  const size_t stride = static_cast<size_t>(l.facts_slots);
  const int64_t* const end = first + kSample * stride;
  const int64_t* facts = first;
  for (auto _ : state) {
    int32_t st = row(ctx_p, facts, params, now, out_p);
    benchmark::DoNotOptimize(st);
    benchmark::DoNotOptimize(out_p);
    facts += stride;
    if (facts == end) facts = first;
  }
  state.SetItemsProcessed(state.iterations());
}

// One row through a row entry of the JIT: the optimised one (`quick` false) or the quick tier's.
void BM_JitRowBy(benchmark::State& state, bool quick) {
  Data& d = Shared();
  const codegen::Layout& l = d.native->layout();
  jit::RowFn row = quick ? d.native->quick_row() : d.native->optimized_row();
  if (!row) std::abort();
  RunRows(state, row, l);
}
BENCHMARK_CAPTURE(BM_JitRowBy, optimized, false)->Name("BM_JitRow")->Repetitions(kRowRepetitions);

// One row through the row specialised to the run's param values (the retaliation list of two
// countries, the default minimum retention), which a policy gets once it has evaluated
// CompiledPolicy::kSpecializeRows rows under them: the params are constants in its code.
void BM_JitRowSpecialized(benchmark::State& state) {
  Data& d = Shared();
  const codegen::Layout& l = d.native->layout();
  jit::CompiledPolicy::SpecializedRow s =
      d.native->Specialized(ParamValues(*d.program, d.opts), jit::CompiledPolicy::kSpecializeRows);
  if (!s.row) std::abort();
  // The prepared rows' text ids must be those the specialised row expects (its texts first).
  TextInterner texts(l);
  for (const std::string& t : *s.texts) texts.Id(t);
  for (size_t k = 0; k < d.destinations.size(); ++k) {
    if (texts.Id(d.destinations[k]) != d.destination_ids[k]) std::abort();
  }
  RunRows(state, s.row, l);
}
BENCHMARK(BM_JitRowSpecialized)->Repetitions(kRowRepetitions);
BENCHMARK_CAPTURE(BM_JitRowBy, quick, true)->Name("BM_JitRowQuick")->Repetitions(kRowRepetitions);

// ---------------------------------------------------------------- batch, 1M rows

void BM_HandWrittenColumns(benchmark::State& state) {
  Data& d = Shared();
  std::vector<InputLeaf> leaves = InputLeaves(*d.program);
  auto col = [&](const char* name) -> const void* {
    for (size_t k = 0; k < leaves.size(); ++k) if (leaves[k].spec.name == name) return d.typed[k].data();
    std::abort();
  };
  // The same narrow columns the JIT reads: int8 enum codes, uint8 bools, int64 otherwise.
  const int8_t *object = static_cast<const int8_t*>(col("object")), *degree = static_cast<const int8_t*>(col("degree")),
               *pfi = static_cast<const int8_t*>(col("pfi_class"));
  const uint8_t *controlled = static_cast<const uint8_t*>(col("controlled_item")),
                *ole = static_cast<const uint8_t*>(col("overseas_law_enforcement")),
                *approved = static_cast<const uint8_t*>(col("approved")),
                *operates = static_cast<const uint8_t*>(col("call_center_operator"));
  const int64_t *dest = static_cast<const int64_t*>(col("destination")),
                *ended = static_cast<const int64_t*>(col("call_ended_on")),
                *kept = static_cast<const int64_t*>(col("records_kept_for"));
  const uint8_t* pfi_present = d.pfi_present.data();
  const int rows = static_cast<int>(state.range(0));
  // Outputs at the widths the JIT writes them: int64 level and deadline, int8 enums, uint8 bools.
  std::vector<int64_t> level(rows), deadline(rows);
  std::vector<int8_t> export_(rows), reason(rows);
  std::vector<uint8_t> violation(rows), applies(rows), violated(rows), reason_present(rows);
  static const int64_t kImpact[4][4] = {{5, 5, 4, 3}, {5, 4, 3, 2}, {4, 3, 2, 1}, {4, 3, 2, 1}};
  static const int64_t kPfi[3] = {4, 3, 2};
  std::vector<int64_t> dict_ids = d.destination_ids;
  for (auto _ : state) {
    for (int i = 0; i < rows; ++i) {
      int64_t lv = kImpact[object[i]][degree[i]];
      int64_t pl = pfi_present[i] ? kPfi[pfi[i]] : 1;
      level[i] = lv > pl ? lv : pl;
      int64_t id = dict_ids[dest[i]];
      int64_t r = -1;
      if (ole[i] && !approved[i]) r = 0;
      else if (controlled[i]) r = 1;
      else if (std::binary_search(d.retaliation_ids.begin(), d.retaliation_ids.end(), id)) r = 2;
      reason[i] = static_cast<int8_t>(r < 0 ? 0 : r);
      reason_present[i] = r >= 0;
      export_[i] = r >= 0;
      violation[i] = operates[i] && kept[i] < 30 * kSecondsPerDay;  // duration columns: seconds
      applies[i] = operates[i];
      violated[i] = operates[i] && kept[i] < 30 * kSecondsPerDay;
      deadline[i] = ended[i] + 30;
    }
    benchmark::DoNotOptimize(level.data());
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations() * rows);
}
BENCHMARK(BM_HandWrittenColumns)->Arg(16384)->Arg(kRows)->Unit(benchmark::kMicrosecond);


void BM_JitBatch(benchmark::State& state) {
  Data& d = Shared();
  const ir::Program& p = *d.program;
  std::vector<InputLeaf> leaves = InputLeaves(p);
  std::vector<ColumnSpec> outs = OutputSpecs(p);
  std::vector<const void*> cols;
  std::vector<const uint8_t*> pres;
  std::vector<const int64_t*> maps;
  for (size_t k = 0; k < leaves.size(); ++k) {
    cols.push_back(d.typed[k].data());
    pres.push_back(leaves[k].spec.optional ? d.pfi_present.data() : nullptr);
    maps.push_back(leaves[k].spec.kind == ColumnKind::kText ? d.destination_ids.data() : nullptr);
  }
  const int rows = static_cast<int>(state.range(0));
  std::vector<std::vector<uint8_t>> out(outs.size());
  std::vector<std::vector<uint8_t>> out_present(outs.size(), std::vector<uint8_t>(rows));
  std::vector<void*> out_ptrs;
  std::vector<uint8_t*> out_pres;
  for (size_t c = 0; c < outs.size(); ++c) {
    out[c].resize(static_cast<size_t>(rows) * outs[c].width);
    out_ptrs.push_back(out[c].data());
    out_pres.push_back(outs[c].optional ? out_present[c].data() : nullptr);
  }
  std::vector<int64_t> ctx(std::max(d.native->layout().ctx_slots, 1));
  jit::BatchFn batch = d.native->batch();
  for (auto _ : state) {
    int64_t first_error = -1;
    int32_t st = batch(ctx.data(), cols.data(), pres.data(), maps.data(), d.params.data(), d.as_of * kSecondsPerDay, out_ptrs.data(),
                       out_pres.data(), rows, &first_error);
    benchmark::DoNotOptimize(st);
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations() * rows);
}
BENCHMARK(BM_JitBatch)->Arg(16384)->Arg(kRows)->Unit(benchmark::kMicrosecond);

// ---------------------------------------------------------------- compile time

std::vector<std::string> Policies() {
  std::vector<std::string> out;
  for (const auto& e : std::filesystem::directory_iterator(std::string(PROVISO_SOURCE_DIR) + "/policies/cn")) {
    if (e.path().extension() == ".proviso" && e.path().stem() != "common") out.push_back(e.path().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

void BM_CompileCold(benchmark::State& state, std::string path) {
  Engine engine({Backend::kJit, /*cache=*/false});
  for (auto _ : state) benchmark::DoNotOptimize(engine.CompileFile(path));
}

// A new process with the disk cache (PROVISO_CACHE_DIR) filled by an earlier one, in which the
// policy got its optimised row: no memory cache; the optimised row is loaded.
void BM_CompileFromDisk(benchmark::State& state, std::string path) {
  std::string dir = (std::filesystem::temp_directory_path() / "proviso-bench-object-cache").string();
  ::setenv("PROVISO_CACHE_DIR", dir.c_str(), 1);
  auto front = CompileFile(path);
  auto program = ir::Lower(std::move(front->program));
  DiagnosticSink diags;
  if (!CompileNative(*program, diags)->optimized_row()) std::abort();  // fills the disk cache
  Engine engine({Backend::kJit, /*cache=*/false});
  for (auto _ : state) benchmark::DoNotOptimize(engine.CompileFile(path));
  ::unsetenv("PROVISO_CACHE_DIR");
}

// Compiling what a CompiledPolicy makes on demand, alone: `Entry` is optimized_row (the optimised
// row, which replaces the quick one when a policy is hot) or batch (the batch entry, compiled on
// its first use); see jit::CompiledPolicy.
template <auto Entry>
void BM_CompileOnDemand(benchmark::State& state, std::string path) {
  auto front = CompileFile(path);
  auto program = ir::Lower(std::move(front->program));
  for (auto _ : state) {
    state.PauseTiming();
    DiagnosticSink diags;
    auto native = CompileNative(*program, diags);
    state.ResumeTiming();
    benchmark::DoNotOptimize(((*native).*Entry)());
    state.PauseTiming();
    native.reset();
    state.ResumeTiming();
  }
}

void BM_CompileWarm(benchmark::State& state, std::string path) {
  Engine engine({Backend::kJit, /*cache=*/true});
  engine.CompileFile(path);
  for (auto _ : state) benchmark::DoNotOptimize(engine.CompileFile(path));
}

// Collects results to print ratios after the normal report.
class RatioReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    // The best of the repetitions: this machine's timings vary by tens of percent from one
    // moment to the next, and a disturbance only ever makes a run slower.
    for (const Run& r : runs) {
      if (r.run_type != Run::RT_Iteration || r.iterations == 0) continue;
      double ns = r.GetAdjustedRealTime() * NsPer(r.time_unit);
      std::string name = r.benchmark_name();
      if (size_t at = name.find("/repeats:"); at != std::string::npos) name.erase(at);  // ->Repetitions(n)
      auto [at, fresh] = ns_.emplace(name, ns);
      if (!fresh) at->second = std::min(at->second, ns);
      auto it = r.counters.find("items_per_second");
      if (it != r.counters.end()) rate_[name] = std::max(rate_[name], double(it->second));
    }
  }

  void PrintRatios() const {
    auto get = [&](const std::map<std::string, double>& m, const std::string& k) {
      auto it = m.find(k);
      return it == m.end() ? 0.0 : it->second;
    };
    double base = get(ns_, "BM_HandWritten");
    fmt::print("\n== ratios (lower is better for time; best of the repetitions of this run, which are interleaved)\n");
    for (const char* name : {"BM_Interpreter", "BM_JitRowSpecialized", "BM_JitRow", "BM_JitRowQuick"}) {
      if (base > 0 && get(ns_, name) > 0) {
        fmt::print("{:<28} {:>10.2f} ns/row  {:>8.2f}x the hand-written C++ ({:.2f} ns/row)\n", name, get(ns_, name),
                   get(ns_, name) / base, base);
      }
    }
    double called = get(ns_, "BM_HandWrittenCall"), checked = get(ns_, "BM_HandWrittenChecked");
    for (const char* name : {"BM_JitRowSpecialized", "BM_JitRow"}) {
      double jit_row = get(ns_, name);
      if (called > 0 && jit_row > 0) {
        fmt::print("{:<28} {:>10.2f} ns/row  {:>8.2f}x the hand-written C++ called out of line ({:.2f} ns/row)\n",
                   name, jit_row, jit_row / called, called);
      }
      if (checked > 0 && jit_row > 0) {
        fmt::print("{:<28} {:>10.2f} ns/row  {:>8.2f}x the hand-written C++ with the policy's checks ({:.2f} ns/row)\n",
                   name, jit_row, jit_row / checked, checked);
      }
    }
    double typed = get(ns_, "BM_SdkTypedRow");
    if (typed > 0 && called > 0) {
      fmt::print("{:<28} {:>10.2f} ns/row  {:>8.2f}x the hand-written C++ called out of line ({:.2f} ns/row; bar: 2x)\n",
                 "BM_SdkTypedRow", typed, typed / called, called);
    }
    double generated = get(ns_, "BM_SdkGeneratedRow");
    if (generated > 0 && called > 0) {
      fmt::print("{:<28} {:>10.2f} ns/row  {:>8.2f}x the hand-written C++ called out of line ({:.2f} ns/row; bar: 2x)\n",
                 "BM_SdkGeneratedRow", generated, generated / called, called);
    }
    double cabi = get(ns_, "BM_CAbiTypedRow");
    if (cabi > 0 && called > 0) {
      fmt::print("{:<28} {:>10.2f} ns/row  {:>8.2f}x the hand-written C++ called out of line ({:.2f} ns/row; bar: 2.5x)\n",
                 "BM_CAbiTypedRow", cabi, cabi / called, called);
    }
    double json = get(ns_, "BM_SdkEvaluateJson");
    if (json > 0 && called > 0) {
      fmt::print("{:<28} {:>10.2f} ns/row  {:>8.2f}x the hand-written C++ called out of line (bar: 500 ns)\n",
                 "BM_SdkEvaluateJson", json, json / called);
    }
    double sdk_jit = get(ns_, "BM_SdkEvaluate/jit"), sdk_interp = get(ns_, "BM_SdkEvaluate/interpreter");
    if (sdk_jit > 0 && sdk_interp > 0) {
      fmt::print("{:<28} {:>10.2f} us/row  {:>8.2f}x the SDK on the interpreter ({:.2f} us/row)\n", "BM_SdkEvaluate/jit",
                 sdk_jit / 1e3, sdk_jit / sdk_interp, sdk_interp / 1e3);
    }
    for (const std::string& size : std::vector<std::string>{"16384", std::to_string(kRows)}) {
      double hand = get(rate_, "BM_HandWrittenColumns/" + size), jit = get(rate_, "BM_JitBatch/" + size);
      if (hand > 0 && jit > 0) {
        fmt::print("{:<28} {:>10.1f} M rows/s  {:>8.2f}x the hand-written scalar loop ({:.1f} M rows/s)\n",
                   "BM_JitBatch/" + size, jit / 1e6, jit / hand, hand / 1e6);
      }
    }
    // Date-time deadlines and working days (bench/deadline_bench.cc).
    double deadline_hand = get(ns_, "BM_DeadlineHandWrittenCall");
    for (const char* name : {"BM_DeadlineJitRowSpecialized", "BM_DeadlineJitRow"}) {
      double row = get(ns_, name);
      if (deadline_hand > 0 && row > 0) {
        fmt::print("{:<28} {:>10.2f} ns/row  {:>8.2f}x the hand-written C++ called out of line ({:.2f} ns/row)\n",
                   name, row, row / deadline_hand, deadline_hand);
      }
    }
    for (const std::string& size : std::vector<std::string>{"16384", std::to_string(kRows)}) {
      double hand = get(rate_, "BM_DeadlineHandWrittenColumns/" + size), jit = get(rate_, "BM_DeadlineJitBatch/" + size);
      if (hand > 0 && jit > 0) {
        fmt::print("{:<28} {:>10.1f} M rows/s  {:>8.2f}x the hand-written scalar loop ({:.1f} M rows/s)\n",
                   "BM_DeadlineJitBatch/" + size, jit / 1e6, jit / hand, hand / 1e6);
      }
    }
    for (const auto& [name, ns] : ns_) {
      if (name.rfind("BM_Compile", 0) == 0) fmt::print("{:<60} {:>10.3f} ms\n", name, ns / 1e6);
    }
  }

 private:
  static double NsPer(benchmark::TimeUnit u) {
    switch (u) {
      case benchmark::kNanosecond: return 1;
      case benchmark::kMicrosecond: return 1e3;
      case benchmark::kMillisecond: return 1e6;
      default: return 1e9;
    }
  }
  std::map<std::string, double> ns_;
  std::map<std::string, double> rate_;
};

}  // namespace

int main(int argc, char** argv) {
  // Compiling runs on a thread of its own (a large stack): wall-clock time, which also decides how
  // many iterations make a run (the calling thread's CPU time is nearly nothing).
  auto compile = [](const std::string& name, void (*fn)(benchmark::State&, std::string), const std::string& path) {
    benchmark::RegisterBenchmark(name.c_str(), fn, path)->Unit(benchmark::kMillisecond)->UseRealTime();
  };
  for (const std::string& path : Policies()) {
    std::string stem = std::filesystem::path(path).stem().string();
    compile("BM_CompileCold/" + stem, BM_CompileCold, path);
    compile("BM_CompileOptimizedRow/" + stem, BM_CompileOnDemand<&jit::CompiledPolicy::optimized_row>, path);
    compile("BM_CompileWarm/" + stem, BM_CompileWarm, path);
    compile("BM_CompileFromDisk/" + stem, BM_CompileFromDisk, path);
    std::vector<codegen::BatchLeaf> leaves;
    std::vector<codegen::BatchOutput> outputs;
    auto front = CompileFile(path);
    if (front->ok() && BatchShape(*ir::Lower(std::move(front->program)), leaves, outputs)) {
      compile("BM_CompileBatchEntry/" + stem, BM_CompileOnDemand<&jit::CompiledPolicy::batch>, path);
    }
  }
  // Defaults (flags given on the command line come later and win): repetitions in random order,
  // so that the ratios compare runs made under the same conditions.
  std::vector<char*> args(argv, argv + argc);
  std::string repetitions = "--benchmark_repetitions=5", interleave = "--benchmark_enable_random_interleaving=true";
  args.insert(args.begin() + 1, {repetitions.data(), interleave.data()});
  argc = static_cast<int>(args.size());
  argv = args.data();
  benchmark::Initialize(&argc, argv);
  proviso::bench::CheckDeadlineBaseline();
  RatioReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  reporter.PrintRatios();
  benchmark::Shutdown();
  return 0;
}
