// Generated code checked directly against its reference: calendar arithmetic in IR against
// support/calendar.cc over whole ranges of dates, and the shape of the batch loop (vectorized).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <fmt/format.h>
#include <unistd.h>

#include "compiler/driver/driver.h"
#include "compiler/jit/disk_cache.h"
#include "compiler/jit/jit.h"
#include "compiler/interp/interp.h"
#include "compiler/support/calendar.h"
#include "runtime/src/native.h"

namespace proviso {
namespace {

std::unique_ptr<ir::Program> Program(const std::string& source) {
  auto fe = CompileSource("test.proviso", source);
  EXPECT_TRUE(fe->ok()) << RenderText(fe->diags.diagnostics(), fe->sources);
  return ir::Lower(std::move(fe->program));
}

// The policy most tests here compile: its facts are `start` and `by` (days, months).
constexpr const char* kMovingDates = R"(policy moving_dates
input { start: date, by: duration }
output moved: date
rule move { then moved = start + by cite "test" })";

// The buffers to run a row entry by hand, on facts laid out as kMovingDates's.
struct Row {
  explicit Row(const codegen::Layout& l)
      : ctx(std::max(l.ctx_slots, 1)), params(std::max(l.param_slots, 1)), out(std::max(l.out_slots, 1)) {}
  // The status of `row` on start + (days, months).
  int32_t Run(jit::RowFn row, int64_t start, int64_t days, int64_t months) {
    int64_t facts[5] = {start, 0, days, months, 0};  // each field, then its fact slot (0: given)
    return row(ctx.data(), facts, params.data(), 0, out.data());
  }
  std::vector<int64_t> ctx, params, out;
};

// kMovingDates's `moved` through native.row(), which must decide.
int64_t Moved(const jit::CompiledPolicy& native, int64_t start, int64_t months) {
  Row r(native.layout());
  EXPECT_EQ(r.Run(native.row(), start, 0, months), 0);
  return r.out[native.layout().output_offset[0]];
}

// `start + by` for every day of three stretches of the calendar (its first and last years and
// 1999-2001, leap days included) and every number of months from -30 to 30: the generated
// (vectorizable, branch-free) month arithmetic equals AddMonths, and a result outside the
// calendar is a failure, never a wrong date.
TEST(Codegen, AddingMonthsEqualsTheCalendarLibrary) {
  auto p = Program(kMovingDates);
  DiagnosticSink diags;
  auto native = CompileNative(*p, diags);
  ASSERT_NE(native, nullptr);
  const codegen::Layout& layout = native->layout();
  ASSERT_EQ(layout.facts_slots, 5);  // start, its fact slot, by (days, months), its fact slot
  Row r(layout);
  const int64_t first = DaysFromCivil(1, 1, 1), last = DaysFromCivil(9999, 12, 31);
  std::vector<std::pair<int64_t, int64_t>> stretches = {
      {first, first + 800}, {DaysFromCivil(1999, 1, 1), DaysFromCivil(2001, 12, 31)}, {last - 800, last}};
  int64_t checked = 0, outside = 0;
  for (jit::RowFn row : {native->quick_row(), native->optimized_row()}) {
    ASSERT_NE(row, nullptr) << native->optimized_error();
    for (auto [from, to] : stretches) {
      for (int64_t day = from; day <= to; ++day) {
        for (int64_t months = -30; months <= 30; ++months) {
          int32_t status = r.Run(row, day, 0, months);
          int64_t want = AddMonths(day, months);
          if (want < first || want > last) {
            EXPECT_NE(status, 0) << FormatDate(day) << " + " << months << " months is outside the calendar";
            ++outside;
          } else {
            ASSERT_EQ(status, 0) << FormatDate(day) << " + " << months << " months";
            ASSERT_EQ(r.out[layout.output_offset[0]], want) << FormatDate(day) << " + " << months << " months";
          }
          ++checked;
        }
      }
    }
  }
  EXPECT_GT(outside, 0);
  EXPECT_GT(checked, 2 * 160000);
}

// Adding and subtracting durations at and beyond their limits (kMaxDays, kMaxMonths, and the ends
// of int64, where the 64-bit addition wraps), from dates at both ends of the calendar: both tiers
// of the JIT fail exactly where the interpreter fails, and agree with it elsewhere.
TEST(Codegen, ShiftingDatesAtTheLimitsAgreesWithTheInterpreter) {
  auto p = Program(R"(policy shifting_dates
input { start: date, by: duration }
output later: date
output earlier: date
rule add { then later = start + by cite "test" }
rule subtract { then earlier = start - by cite "test" })");
  DiagnosticSink diags;
  auto native = CompileNative(*p, diags);
  ASSERT_NE(native, nullptr);
  ASSERT_NE(native->optimized_row(), nullptr) << native->optimized_error();
  const codegen::Layout& layout = native->layout();
  Row r(layout);
  const int64_t big = int64_t{1} << 62;
  std::vector<int64_t> days = {0, 1, -1, 3652058, -3652058, kMaxDays, -kMaxDays, kMaxDays + 1, -kMaxDays - 1,
                               big, -big, INT64_MAX, INT64_MIN, INT64_MAX - kLastDay, INT64_MIN + 5};
  std::vector<int64_t> months = {0, 1, -1, 119988, -119988, kMaxMonths, -kMaxMonths, kMaxMonths + 1,
                                 -kMaxMonths - 1, INT64_MAX, INT64_MIN};
  std::vector<int64_t> dates = {kFirstDay, kFirstDay + 59, DaysFromCivil(2020, 2, 29), kLastDay - 30, kLastDay};
  int64_t decided = 0, failed = 0;
  for (int64_t date : dates) {
    for (int64_t d : days) {
      for (int64_t m : months) {
        std::optional<interp::Result> want;
        try {
          want = interp::Evaluate(*p, Value::Record({Value::Date(date), Value::Dur({m, d})}), {});
        } catch (const interp::EvalError&) {
        }
        for (jit::RowFn row : {native->quick_row(), native->optimized_row()}) {
          int32_t status = r.Run(row, date, d, m);
          std::string what = fmt::format("{} +/- {} days {} months", FormatDate(date), d, m);
          ASSERT_EQ(status == 0, want.has_value()) << what;
          if (!want) continue;
          EXPECT_EQ(r.out[layout.output_offset[0]], want->outputs[0].i) << what;
          EXPECT_EQ(r.out[layout.output_offset[1]], want->outputs[1].i) << what;
        }
        want ? ++decided : ++failed;
      }
    }
  }
  EXPECT_GT(decided, 0);
  EXPECT_GT(failed, 0);
}

// The benchmark policies' batch loops are vectorized: their loads, stores and arithmetic work on
// several rows at once. (What stops it: a loop, a call or a memset in the row, an unknown overlap
// between columns, a first-error search the vectorizer does not know.) bench/deadlines.proviso
// lost it once to the zeroing of the obligation slots only the code following unknown facts writes.
class BatchLoop : public ::testing::TestWithParam<const char*> {};

TEST_P(BatchLoop, IsVectorized) {
  auto fe = CompileFile(std::string(PROVISO_SOURCE_DIR) + "/" + GetParam());
  ASSERT_TRUE(fe->ok());
  auto p = ir::Lower(std::move(fe->program));
  std::vector<codegen::BatchLeaf> leaves;
  std::vector<codegen::BatchOutput> outputs;
  ASSERT_TRUE(BatchShape(*p, leaves, outputs));
  DiagnosticSink diags;
  std::string ir = jit::EmitLLVM(*p, true, leaves, outputs, diags, /*optimize=*/true);
  size_t batch = ir.find("@proviso_batch(");
  ASSERT_NE(batch, std::string::npos);
  std::string body = ir.substr(batch, ir.find("\n}\n", batch) - batch);
  // Output columns written several rows per store (a loop over a set inside the row could be
  // vectorized on its own, but it stores nothing).
  EXPECT_NE(body.find("store <"), std::string::npos) << body;
}

INSTANTIATE_TEST_SUITE_P(Codegen, BatchLoop,
                         ::testing::Values("policies/cn/benchmark_policy.proviso", "bench/deadlines.proviso"),
                         [](const ::testing::TestParamInfo<const char*>& info) {
                           return info.index == 0 ? std::string("BenchmarkPolicy") : std::string("Deadlines");
                         });

// With PROVISO_CACHE_DIR, machine code is stored once and loaded by later compiles, and the loaded
// code computes the same; a damaged entry is recompiled, never loaded.
TEST(Codegen, TheDiskCacheStoresLoadsAndRejectsDamage) {
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / fmt::format("proviso-cache-test-{}", ::getpid());
  fs::remove_all(dir);
  ::setenv("PROVISO_CACHE_DIR", dir.c_str(), 1);
  auto p = Program(kMovingDates);
  const int64_t day = DaysFromCivil(2020, 1, 31);
  DiagnosticSink diags;
  jit::DiskCacheStats before = jit::DiskCacheCounts();
  auto first = CompileNative(*p, diags);  // the quick row: compiled and stored
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(jit::DiskCacheCounts().stored, before.stored + 1);
  EXPECT_EQ(Moved(*first, day, 1), DaysFromCivil(2020, 2, 29));
  auto second = CompileNative(*p, diags);  // the quick row loaded
  ASSERT_NE(second, nullptr);
  EXPECT_EQ(jit::DiskCacheCounts().loaded, before.loaded + 1);
  EXPECT_EQ(Moved(*second, day, 1), DaysFromCivil(2020, 2, 29));
  EXPECT_EQ(Moved(*second, day, 13), DaysFromCivil(2021, 2, 28));
  ASSERT_NE(second->optimized_row(), nullptr);  // the optimised row: compiled and stored
  EXPECT_EQ(jit::DiskCacheCounts().stored, before.stored + 2);
  auto third = CompileNative(*p, diags);  // the optimised row loaded: no quick row, no compiling
  ASSERT_NE(third, nullptr);
  EXPECT_EQ(jit::DiskCacheCounts().loaded, before.loaded + 2);
  EXPECT_EQ(third->row(), third->optimized_row());
  EXPECT_EQ(third->quick_row(), third->row());
  EXPECT_EQ(jit::DiskCacheCounts().stored, before.stored + 2);
  EXPECT_EQ(Moved(*third, day, 13), DaysFromCivil(2021, 2, 28));
  for (const auto& entry : fs::directory_iterator(dir)) {  // damage every entry
    std::fstream f(entry.path(), std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(-8, std::ios::end);
    f.write("damaged!", 8);
  }
  auto fourth = CompileNative(*p, diags);
  ASSERT_NE(fourth, nullptr);
  EXPECT_EQ(jit::DiskCacheCounts().loaded, before.loaded + 2);  // not loaded
  EXPECT_EQ(jit::DiskCacheCounts().stored, before.stored + 3);  // the quick row compiled and stored again
  EXPECT_EQ(Moved(*fourth, day, 1), DaysFromCivil(2020, 2, 29));
  ::unsetenv("PROVISO_CACHE_DIR");
  fs::remove_all(dir);
}

// An entry copied under another key (another policy's, another version's) is a miss: the checksum
// covers the key, so the code of one policy never answers for another.
TEST(Codegen, TheDiskCacheRefusesAnEntryUnderAnotherKey) {
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / fmt::format("proviso-cache-key-test-{}", ::getpid());
  fs::remove_all(dir);
  jit::DiskCache cache(dir.string());
  const std::string key_a(64, 'a'), key_b(64, 'b');
  cache.Store(key_a, "object of policy a");
  ASSERT_EQ(cache.Load(key_a), std::optional<std::string>("object of policy a"));
  fs::copy_file(dir / (key_a + ".o"), dir / (key_b + ".o"));
  EXPECT_EQ(cache.Load(key_b), std::nullopt);
  fs::remove_all(dir);
}

// A policy starts with its quick row; the row count that reaches kTierUpRows compiles the
// optimised row, which then replaces the quick one in row().
TEST(Codegen, AHotPolicyGetsItsOptimisedRow) {
  auto p = Program(kMovingDates);
  DiagnosticSink diags;
  auto native = CompileNative(*p, diags);
  ASSERT_NE(native, nullptr);
  EXPECT_EQ(native->row(), native->quick_row());
  native->CountRows(jit::CompiledPolicy::kTierUpRows - 1);
  EXPECT_EQ(native->row(), native->quick_row());
  native->CountRows(1);
  ASSERT_NE(native->row(), native->quick_row()) << native->optimized_error();
  EXPECT_EQ(native->row(), native->optimized_row());
  EXPECT_EQ(Moved(*native, DaysFromCivil(2020, 1, 31), 1), DaysFromCivil(2020, 2, 29));
}

// Param values that many rows are evaluated under get a row specialised to them: after
// kSpecializeRows rows, compiled with the params as constants (it reads no params: it is called
// here without any), texts the policy does not name interned first; other values get rows of their
// own, and a param with no version in force fails in the specialised row as in the others.
TEST(Codegen, ParamValuesUsedOftenGetASpecialisedRow) {
  auto p = Program(R"(policy specialised
param blocked: set<text> = {"AA"} cite "test"
param wait: duration = 30 days cite "test"
param fee: int = 5 effective from 2020-01-01 until 2021-01-01 cite "test"
input { country: text, start: date }
output denied: bool
output due: date
output charge: int
rule denying { then denied = country in blocked cite "test" }
rule falling_due { then due = start + wait cite "test" }
rule charging { then charge = fee * 2 cite "test" }
)");
  DiagnosticSink diags;
  auto native = CompileNative(*p, diags);
  ASSERT_NE(native, nullptr) << RenderText(diags.diagnostics(), SourceManager{});
  const codegen::Layout& l = native->layout();
  Value blocked = Value::Set({Value::Text("XA"), Value::Text("XB")});
  Value wait = Value::Dur({1, 2 * kSecondsPerDay});  // 1 month 2 days
  Value fee = Value::Int(7);
  std::vector<const Value*> values = {&blocked, &wait, &fee};
  using Compiled = jit::CompiledPolicy;
  EXPECT_EQ(native->Specialized(values, Compiled::kSpecializeRows - 1).row, nullptr);
  Compiled::SpecializedRow s = native->Specialized(values, 1);
  ASSERT_NE(s.row, nullptr);
  ASSERT_NE(s.texts, nullptr);
  EXPECT_EQ(*s.texts, (std::vector<std::string>{"XA", "XB"}));
  EXPECT_EQ(native->Specialized(values, 1).row, s.row);  // the same values: the same row

  // The facts of a row: `country` a text id (XB: the second text the policy does not name).
  auto run = [&](jit::RowFn row, int64_t country, std::vector<int64_t>& out) {
    std::vector<int64_t> ctx(std::max(l.ctx_slots, 1)), facts(std::max(l.facts_slots, 1));
    out.assign(std::max(l.out_slots, 1), 0);
    facts[0] = country;  // then its fact slot, 0: given
    facts[2] = DaysFromCivil(2020, 1, 31);
    return row(ctx.data(), facts.data(), nullptr, DaysFromCivil(2020, 6, 1) * kSecondsPerDay, out.data());
  };
  const int64_t xb = static_cast<int64_t>(l.texts.size()) + 1, other = xb + 1;
  std::vector<int64_t> out;
  ASSERT_EQ(run(s.row, xb, out), 0);
  EXPECT_EQ(out[l.output_offset[0]], 1);
  EXPECT_EQ(out[l.output_offset[1]], DaysFromCivil(2020, 3, 2));  // Jan 31 + 1 month = Feb 29, + 2 days
  EXPECT_EQ(out[l.output_offset[2]], 14);
  ASSERT_EQ(run(s.row, other, out), 0);
  EXPECT_EQ(out[l.output_offset[0]], 0);

  // Through EvaluateNative, as the SDK calls it: the same decision as the interpreter.
  interp::EvalOptions opts;
  opts.as_of = DaysFromCivil(2020, 6, 1);
  opts.param_overrides = {{0, blocked}, {1, wait}, {2, fee}};
  for (const char* country : {"XB", "AA", "ZZ"}) {
    Value facts = Value::Record({Value::Text(country), Value::Date(DaysFromCivil(2020, 1, 31))});
    interp::Result a = interp::Evaluate(*p, facts, opts);
    interp::Result b = EvaluateNative(*p, *native, facts, opts, s.row, s.texts);
    EXPECT_EQ(a.outputs, b.outputs) << country;
  }

  // A set of more than a few members is a constant bitmap rather than comparisons.
  Value many = Value::Set({Value::Text("AA"), Value::Text("XA"), Value::Text("XB"), Value::Text("XC"),
                           Value::Text("XD"), Value::Text("XE")});
  std::vector<const Value*> many_values = {&many, &wait, &fee};
  Compiled::SpecializedRow m = native->Specialized(many_values, Compiled::kSpecializeRows);
  ASSERT_NE(m.row, nullptr);
  opts.param_overrides[0] = many;
  for (const char* country : {"XE", "AA", "XC", "ZZ", ""}) {
    Value facts = Value::Record({Value::Text(country), Value::Date(DaysFromCivil(2020, 1, 31))});
    EXPECT_EQ(interp::Evaluate(*p, facts, opts).outputs, EvaluateNative(*p, *native, facts, opts, m.row, m.texts).outputs)
        << country;
  }

  // Other values: a row of their own. With no version of `fee` in force, the row fails.
  Value none_blocked = Value::Set({});
  std::vector<const Value*> others = {&none_blocked, &wait, nullptr};
  Compiled::SpecializedRow t = native->Specialized(others, Compiled::kSpecializeRows);
  ASSERT_NE(t.row, nullptr);
  EXPECT_NE(t.row, s.row);
  EXPECT_NE(run(t.row, xb, out), 0);
}

// Policies compiled, tiered up and unloaded in numbers, as a long-running service or notebook does:
// every module's code stays loaded until its policy goes, and unloading one leaves the others
// working. (LLVM 19 reads freed memory when a module's resource tracker is released before its
// JITDylib, and the benchmark run crashed of it: the JIT keeps them. The ctest
// differential/unload_under_valgrind runs this test under valgrind, which sees that read.)
TEST(Codegen, ManyPoliciesTierUpAndUnload) {
  auto p = Program(kMovingDates);
  const int64_t day = DaysFromCivil(2020, 1, 31);
  std::vector<std::unique_ptr<jit::CompiledPolicy>> alive;
  for (int i = 0; i < 150; ++i) {
    DiagnosticSink diags;
    auto native = CompileNative(*p, diags);
    ASSERT_NE(native, nullptr);
    ASSERT_NE(native->optimized_row(), nullptr) << native->optimized_error();
    alive.push_back(std::move(native));
    if (i % 3 == 2) alive.erase(alive.begin() + i % alive.size());
  }
  for (const auto& native : alive) EXPECT_EQ(Moved(*native, day, 1), DaysFromCivil(2020, 2, 29));
}

}  // namespace
}  // namespace proviso
