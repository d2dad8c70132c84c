// Benchmarks of bench/deadlines.proviso (date-time deadlines, working days of the Chinese official
// calendar, deadline statuses): the same decision hand-written in C++ over the same calendar tables
// (the baseline), the JIT's single-row entry on prepared facts, and the JIT's batch entry against
// the hand-written loop over the same columns. policy_bench.cc prints the ratios.
#include <algorithm>
#include <random>

#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include "bench/deadline_bench.h"
#include "compiler/driver/driver.h"
#include "compiler/interp/interp.h"
#include "compiler/support/calendar.h"
#include "compiler/support/working_days.h"
#include "runtime/src/batch.h"
#include "runtime/src/native.h"

namespace proviso::bench {
namespace {

const std::string kPolicy = std::string(PROVISO_SOURCE_DIR) + "/bench/deadlines.proviso";
constexpr int kRows = 1 << 20;
constexpr int kSample = 4096;
constexpr int kRowRepetitions = 12;
constexpr int64_t kNotifyWithin = 72 * 3600;
constexpr int64_t kReplyWithin = 15;

// The facts as a C++ programmer would hold them: instants in seconds, dates in days.
struct Facts {
  int64_t aware_at;
  bool notified;
  int64_t notified_at;
  int64_t received_on;
  bool replied;
  int64_t replied_on;
  int8_t severity;  // 0 low, 1 high
};

// Statuses as the SDK numbers them (ir::DeadlineStatus): 1 pending, 2 met, 3 overdue.
struct Decision {
  int64_t reply_due;
  bool notified_late;
  bool notify_applies, notify_violated;
  int64_t notify_deadline;
  int8_t notify_status;
  bool reply_violated;
  int8_t reply_status;
};

// The n-th working day after `day` from the calendar's tables (support/working_days.h), as one would
// write it with them; false outside the calendar's years.
inline bool AddWorkingDaysInline(const WorkingDayTables& t, int64_t day, int64_t n, int64_t* out) {
  int64_t k = day - t.first_day;
  if (static_cast<uint64_t>(k) >= static_cast<uint64_t>(t.days)) return false;
  int64_t c = t.count_before[k + 1] + n - 1;
  if (c < 0 || c >= t.working_count) return false;
  *out = t.first_day + t.nth[c];
  return true;
}

// The policy's logic; false when it has no decision (a date outside the calendar's years).
inline bool HandWritten(const Facts& f, const WorkingDayTables& cal, int64_t now, Decision& d) {
  int64_t today = DayOf(now);
  bool ok = AddWorkingDaysInline(cal, f.received_on, kReplyWithin, &d.reply_due);
  int64_t deadline = f.aware_at + kNotifyWithin;
  d.notified_late = (f.notified ? f.notified_at : now) > deadline;
  d.notify_applies = f.severity == 1;
  d.notify_deadline = deadline;
  d.notify_status = f.notified ? (f.notified_at <= deadline ? 2 : 3) : (now > deadline ? 3 : 1);
  d.notify_violated = d.notify_applies && d.notify_status == 3;
  d.reply_status = f.replied ? (f.replied_on <= d.reply_due ? 2 : 3) : (today > d.reply_due ? 3 : 1);
  d.reply_violated = d.reply_status == 3;
  return ok;
}

__attribute__((noinline)) bool HandWrittenCall(const Facts& f, const WorkingDayTables& cal, int64_t now, Decision& d) {
  return HandWritten(f, cal, now, d);
}

struct Data {
  std::unique_ptr<FrontEnd> front;
  std::unique_ptr<ir::Program> program;
  std::unique_ptr<jit::CompiledPolicy> native;
  WorkingDayTables calendar;
  std::vector<Facts> facts;
  std::vector<int64_t> rows;                  // kSample prepared flat rows
  std::vector<std::vector<uint8_t>> columns;  // per input leaf, kRows, at the spec's width
  std::vector<std::vector<uint8_t>> present;  // per input leaf
  std::vector<int64_t> params;
  std::vector<std::vector<int64_t>> params_arena;
  int64_t now = 0;
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
    d->calendar = p.calendars.at(0).tables();
    d->now = *ParseDateTime("2024-10-20T12:00:00Z");
    interp::EvalOptions opts;
    opts.set_now(d->now);
    TextInterner texts(d->native->layout());
    d->params = FlattenParams(p, d->native->layout(), opts, texts, d->params_arena);
    std::mt19937_64 rng(7);
    auto pick = [&](int64_t n) { return static_cast<int64_t>(rng() % static_cast<uint64_t>(n)); };
    int64_t base = *ParseDate("2024-06-01");
    for (int i = 0; i < kRows; ++i) {
      Facts f;
      f.aware_at = (base + pick(140)) * kSecondsPerDay + pick(kSecondsPerDay);
      f.notified = pick(3) != 0;
      f.notified_at = f.aware_at + pick(100 * 3600);
      f.received_on = base + pick(140);
      f.replied = pick(2) == 0;
      f.replied_on = f.received_on + pick(30);
      f.severity = static_cast<int8_t>(pick(2));
      d->facts.push_back(f);
    }
    // Columns in BatchInputs() order.
    std::vector<InputLeaf> leaves = InputLeaves(p);
    for (const InputLeaf& leaf : leaves) {
      const std::string& name = leaf.spec.name;
      d->columns.emplace_back(static_cast<size_t>(kRows) * leaf.spec.width);
      d->present.emplace_back(kRows, 1);
      for (int i = 0; i < kRows; ++i) {
        const Facts& f = d->facts[i];
        int64_t v = 0;
        if (name == "aware_at") v = f.aware_at;
        else if (name == "notified_at") { v = f.notified_at; d->present.back()[i] = f.notified; }
        else if (name == "received_on") v = f.received_on;
        else if (name == "replied_on") { v = f.replied_on; d->present.back()[i] = f.replied; }
        else if (name == "severity") v = f.severity;
        else { fmt::print(stderr, "unexpected input `{}`\n", name); std::abort(); }
        WriteCell(d->columns.back().data(), leaf.spec, i, v);
      }
    }
    // Prepared rows in the input's flat layout: a slot each, an optional a presence slot first,
    // each field followed by its fact slot (0: given).
    for (int i = 0; i < kSample; ++i) {
      const Facts& f = d->facts[i];
      for (int64_t v : {f.aware_at, int64_t{0}, int64_t{f.notified}, f.notified_at, int64_t{0}, f.received_on,
                        int64_t{0}, int64_t{f.replied}, f.replied_on, int64_t{0}, int64_t{f.severity}, int64_t{0}}) {
        d->rows.push_back(v);
      }
    }
    if (static_cast<int>(d->rows.size()) != kSample * d->native->layout().facts_slots) std::abort();
    return d;
  }();
  return *d;
}

void BM_DeadlineHandWrittenCall(benchmark::State& state) {
  Data& d = Shared();
  size_t i = 0;
  for (auto _ : state) {
    Decision r;
    bool ok = HandWrittenCall(d.facts[i], d.calendar, d.now, r);
    benchmark::DoNotOptimize(ok);
    benchmark::DoNotOptimize(r);
    i = (i + 1) & (kSample - 1);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_DeadlineHandWrittenCall)->Repetitions(kRowRepetitions);

void BM_DeadlineJitRow(benchmark::State& state) {
  Data& d = Shared();
  const codegen::Layout& l = d.native->layout();
  jit::RowFn row = d.native->optimized_row();
  if (!row) std::abort();
  std::vector<int64_t> ctx(std::max(l.ctx_slots, 1)), out(std::max(l.out_slots, 1));
  int64_t* const ctx_p = ctx.data();
  int64_t* const out_p = out.data();
  const int64_t* const params = d.params.data();
  const int64_t now = d.now;
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
BENCHMARK(BM_DeadlineJitRow)->Repetitions(kRowRepetitions);

// The row specialised to the params' own values (72 hours, 15 working days), which the SDK compiles
// once a policy has evaluated CompiledPolicy::kSpecializeRows rows under them.
void BM_DeadlineJitRowSpecialized(benchmark::State& state) {
  Data& d = Shared();
  const codegen::Layout& l = d.native->layout();
  interp::EvalOptions opts;
  opts.set_now(d.now);
  jit::CompiledPolicy::SpecializedRow s =
      d.native->Specialized(ParamValues(*d.program, opts), jit::CompiledPolicy::kSpecializeRows);
  if (!s.row) std::abort();
  std::vector<int64_t> ctx(std::max(l.ctx_slots, 1)), out(std::max(l.out_slots, 1));
  int64_t* const ctx_p = ctx.data();
  int64_t* const out_p = out.data();
  const int64_t now = d.now;
  const int64_t* const first = d.rows.data();
  const size_t stride = static_cast<size_t>(l.facts_slots);
  const int64_t* const end = first + kSample * stride;
  const int64_t* facts = first;
  jit::RowFn row = s.row;
  for (auto _ : state) {
    int32_t st = row(ctx_p, facts, nullptr, now, out_p);
    benchmark::DoNotOptimize(st);
    benchmark::DoNotOptimize(out_p);
    facts += stride;
    if (facts == end) facts = first;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_DeadlineJitRowSpecialized)->Repetitions(kRowRepetitions);

void BM_DeadlineHandWrittenColumns(benchmark::State& state) {
  Data& d = Shared();
  const int rows = static_cast<int>(state.range(0));
  std::vector<InputLeaf> leaves = InputLeaves(*d.program);
  auto col = [&](const char* name) -> size_t {
    for (size_t k = 0; k < leaves.size(); ++k) if (leaves[k].spec.name == name) return k;
    std::abort();
  };
  const int64_t* aware = reinterpret_cast<const int64_t*>(d.columns[col("aware_at")].data());
  const int64_t* notified_at = reinterpret_cast<const int64_t*>(d.columns[col("notified_at")].data());
  const uint8_t* notified = d.present[col("notified_at")].data();
  const int64_t* received = reinterpret_cast<const int64_t*>(d.columns[col("received_on")].data());
  const int64_t* replied_on = reinterpret_cast<const int64_t*>(d.columns[col("replied_on")].data());
  const uint8_t* replied = d.present[col("replied_on")].data();
  const int8_t* severity = reinterpret_cast<const int8_t*>(d.columns[col("severity")].data());
  std::vector<int64_t> due(rows), notify_deadline(rows);
  std::vector<uint8_t> late(rows), applies(rows), notify_violated(rows), reply_violated(rows), failed(rows);
  std::vector<int8_t> notify_status(rows), reply_status(rows);
  const WorkingDayTables cal = d.calendar;
  const int64_t now = d.now, today = DayOf(now);
  for (auto _ : state) {
    for (int i = 0; i < rows; ++i) {
      int64_t r = 0;
      failed[i] = !AddWorkingDaysInline(cal, received[i], kReplyWithin, &r);
      due[i] = r;
      int64_t deadline = aware[i] + kNotifyWithin;
      notify_deadline[i] = deadline;
      late[i] = (notified[i] ? notified_at[i] : now) > deadline;
      applies[i] = severity[i] == 1;
      int8_t ns = notified[i] ? (notified_at[i] <= deadline ? 2 : 3) : (now > deadline ? 3 : 1);
      notify_status[i] = ns;
      notify_violated[i] = applies[i] && ns == 3;
      int8_t rs = replied[i] ? (replied_on[i] <= r ? 2 : 3) : (today > r ? 3 : 1);
      reply_status[i] = rs;
      reply_violated[i] = rs == 3;
    }
    benchmark::DoNotOptimize(due.data());
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations() * rows);
}
BENCHMARK(BM_DeadlineHandWrittenColumns)->Arg(16384)->Arg(kRows)->Unit(benchmark::kMicrosecond);

void BM_DeadlineJitBatch(benchmark::State& state) {
  Data& d = Shared();
  const ir::Program& p = *d.program;
  std::vector<InputLeaf> leaves = InputLeaves(p);
  std::vector<ColumnSpec> outs = OutputSpecs(p);
  std::vector<const void*> cols;
  std::vector<const uint8_t*> pres;
  std::vector<const int64_t*> maps(leaves.size(), nullptr);
  for (size_t k = 0; k < leaves.size(); ++k) {
    cols.push_back(d.columns[k].data());
    pres.push_back(leaves[k].spec.optional ? d.present[k].data() : nullptr);
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
    int32_t st = batch(ctx.data(), cols.data(), pres.data(), maps.data(), d.params.data(), d.now, out_ptrs.data(),
                       out_pres.data(), rows, &first_error);
    benchmark::DoNotOptimize(st);
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations() * rows);
}
BENCHMARK(BM_DeadlineJitBatch)->Arg(16384)->Arg(kRows)->Unit(benchmark::kMicrosecond);

}  // namespace

// The hand-written decision and the JIT's (row entry, and the interpreter) agree on the sample:
// the benchmark compares the same work. Aborts with the first row that differs.
void CheckDeadlineBaseline() {
  Data& d = Shared();
  const ir::Program& p = *d.program;
  interp::EvalOptions opts;
  opts.set_now(d.now);
  for (int i = 0; i < kSample; ++i) {
    const Facts& f = d.facts[i];
    Decision want{};
    bool ok = HandWritten(f, d.calendar, d.now, want);
    Value facts = Value::Record({Value::DateTime(f.aware_at), f.notified ? Value::DateTime(f.notified_at) : Value::None(),
                                 Value::Date(f.received_on), f.replied ? Value::Date(f.replied_on) : Value::None(),
                                 Value::Enum(f.severity)});
    interp::Result r;
    try {
      r = EvaluateNative(p, *d.native, facts, opts);
    } catch (const std::exception&) {
      if (ok) std::abort();
      continue;
    }
    auto status = [&](const char* name) -> int {
      int o = p.FindObligation(name);
      for (const auto& ob : r.obligations) if (ob.obligation == o) return static_cast<int>(ob.status);
      return 0;
    };
    bool notify_applies = status("notify") != 0;
    if (!ok || r.outputs[p.FindOutput("reply_due")].i != want.reply_due ||
        r.outputs[p.FindOutput("notified_late")].b() != want.notified_late || notify_applies != want.notify_applies ||
        (notify_applies && status("notify") != want.notify_status) || status("reply") != want.reply_status) {
      fmt::print(stderr, "deadline baseline differs from the policy on sample row {}\n", i);
      std::abort();
    }
  }
}

}  // namespace proviso::bench
