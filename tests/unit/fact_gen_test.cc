// The random facts generator of the differential tests: valid facts, thresholds hit on both
// sides, deterministic per seed.
#include "tests/differential/fact_gen.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "compiler/diag/diagnostic.h"
#include "compiler/driver/driver.h"
#include "compiler/interp/facts.h"
#include "compiler/interp/interp.h"
#include "compiler/ir/ir.h"
#include "compiler/support/calendar.h"

namespace proviso {
namespace {

using nlohmann::json;

std::unique_ptr<ir::Program> FromFrontEnd(std::unique_ptr<FrontEnd> fe, const std::string& what) {
  if (!fe->ok()) {
    ADD_FAILURE() << what << " does not compile:\n" << RenderText(fe->diags.diagnostics(), fe->sources);
    return nullptr;
  }
  return ir::Lower(std::move(fe->program));
}

std::unique_ptr<ir::Program> FromText(const std::string& text) {
  return FromFrontEnd(CompileSource("gen.proviso", text), text);
}

std::vector<std::string> PoliciesIn(const std::string& folder) {
  std::vector<std::string> out;
  for (const auto& e : std::filesystem::directory_iterator(std::string(PROVISO_SOURCE_DIR) + "/" + folder)) {
    if (e.path().extension() == ".proviso") out.push_back(e.path().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::string> ShippedPolicies() { return PoliciesIn("policies/cn"); }

int64_t Day(const std::string& s) { return ParseDate(s).value(); }

// Field `name` of a facts record.
const Value& Field(const ir::Program& p, const Value& facts, const std::string& name) {
  int i = p.input().Find(name);
  EXPECT_GE(i, 0) << name;
  return facts.elems().at(i);
}

TEST(FactGen, EveryFactSetIsValidForEveryShippedPolicy) {
  std::vector<std::string> policies = ShippedPolicies();
  ASSERT_GE(policies.size(), 8u);
  for (const std::string& path : policies) {
    auto p = FromFrontEnd(CompileFile(path), path);
    ASSERT_TRUE(p) << path;
    std::vector<json> facts = testing::GenerateFacts(*p, 300, 7);
    ASSERT_EQ(facts.size(), 300u) << path;
    std::vector<int64_t> dates = testing::InterestingDates(*p);
    ASSERT_FALSE(dates.empty()) << path;
    int decided = 0;
    for (size_t i = 0; i < facts.size(); ++i) {
      ASSERT_TRUE(facts[i].is_object()) << path;
      Value v;
      try {
        v = interp::FactsFromJson(facts[i], *p);
      } catch (const interp::FactsError& e) {
        FAIL() << path << ": generated facts are invalid: " << e.what() << "\n" << facts[i].dump();
      }
      // Evaluation either decides or fails with an EvalError; nothing else escapes.
      interp::EvalOptions opts;
      opts.as_of = dates[i % dates.size()];
      try {
        interp::Evaluate(*p, v, opts);
        ++decided;
      } catch (const interp::EvalError&) {
      }
    }
    EXPECT_GT(decided, 0) << path << ": no generated facts give a decision";
  }
}

TEST(FactGen, EveryFactSetIsValidForTheGoldenCorpus) {
  std::vector<std::string> policies = PoliciesIn("tests/golden/good");
  ASSERT_GE(policies.size(), 10u);
  for (const std::string& path : policies) {
    auto p = FromFrontEnd(CompileFile(path), path);
    ASSERT_TRUE(p) << path;
    for (const json& f : testing::GenerateFacts(*p, 100, 5)) {
      try {
        interp::FactsFromJson(f, *p);
      } catch (const interp::FactsError& e) {
        FAIL() << path << ": generated facts are invalid: " << e.what() << "\n" << f.dump();
      }
    }
  }
}

TEST(FactGen, DeterministicPerSeed) {
  auto p = FromFrontEnd(CompileFile(std::string(PROVISO_SOURCE_DIR) + "/policies/cn/data_security_law.proviso"), "dsl");
  ASSERT_TRUE(p);
  std::vector<json> a = testing::GenerateFacts(*p, 50, 42);
  std::vector<json> b = testing::GenerateFacts(*p, 50, 42);
  std::vector<json> c = testing::GenerateFacts(*p, 50, 43);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  // A longer run starts with the same facts.
  std::vector<json> longer = testing::GenerateFacts(*p, 80, 42);
  EXPECT_TRUE(std::equal(a.begin(), a.end(), longer.begin()));
  // The facts differ from each other.
  std::set<std::string> distinct;
  for (const json& j : a) distinct.insert(j.dump());
  EXPECT_GT(distinct.size(), 40u);
  EXPECT_TRUE(testing::GenerateFacts(*p, 0, 1).empty());
}

TEST(FactGen, CallCenterRetentionHitsBothSidesOf30Days) {
  auto p = FromFrontEnd(CompileFile(std::string(PROVISO_SOURCE_DIR) + "/policies/cn/call_center.proviso"), "call_center");
  ASSERT_TRUE(p);
  int kept_for = -1;
  for (size_t l = 0; l < p->lets.size(); ++l) {
    if (p->lets[l].name == "kept_for") kept_for = static_cast<int>(l);
  }
  ASSERT_GE(kept_for, 0);
  std::map<int64_t, int> days;  // kept_for in days -> how many facts
  std::set<std::string> services;
  int deleted = 0;
  const int n = 2000;
  for (const json& f : testing::GenerateFacts(*p, n, 2020)) {
    Value v = interp::FactsFromJson(f, *p);
    interp::EvalOptions opts;
    opts.as_of = Day("2020-09-01");
    Value k = interp::EvaluateLet(*p, v, opts, kept_for);
    ASSERT_EQ(k.months, 0);
    ASSERT_EQ(k.i % kSecondsPerDay, 0);  // a difference of two dates: whole days, held in seconds
    ++days[k.i / kSecondsPerDay];
    for (const json& s : f["operator"]["services"]) services.insert(s.get<std::string>());
    if (f["call"].contains("deleted_on") && !f["call"]["deleted_on"].is_null()) ++deleted;
  }
  EXPECT_GT(days[29], 0);
  EXPECT_GT(days[30], 0);
  EXPECT_GT(days[31], 0);
  int below = 0, above = 0;
  for (const auto& [d, count] : days) {
    if (d < 30) below += count;
    if (d > 30) above += count;
  }
  EXPECT_GT(below, n / 20);
  EXPECT_GT(above, n / 20);
  // Every enum value appears.
  EXPECT_EQ(services.size(), 6u);
  // The optional deleted_on is absent about a fifth of the time.
  EXPECT_GT(n - deleted, n / 10);
  EXPECT_LT(n - deleted, n * 35 / 100);
}

TEST(FactGen, BenchmarkRetentionDurationTakesTheThresholdAndItsNeighbours) {
  auto p = FromFrontEnd(CompileFile(std::string(PROVISO_SOURCE_DIR) + "/policies/cn/benchmark_policy.proviso"), "bench");
  ASSERT_TRUE(p);
  std::set<std::string> kept;
  for (const json& f : testing::GenerateFacts(*p, 500, 3)) {
    Value v = interp::FactsFromJson(f, *p);
    kept.insert(FormatDuration(Field(*p, v, "records_kept_for").duration()));
  }
  EXPECT_TRUE(kept.count("29 days"));
  EXPECT_TRUE(kept.count("30 days"));
  EXPECT_TRUE(kept.count("31 days"));
}

const char* kThresholds = R"(
policy thresholds
  effective from 2020-06-08 until 2022-01-01
enum Kind { a, b, c }
input {
  n: int
  fee: decimal
  country: text
  on: date
  kept: duration
  xs: list<int>
  kinds: set<Kind>
  maybe: int?
  flag: bool = false
}
param limit: int = 10 cite "x"
param rate: decimal = 2.5
param countries: set<text> = {"DE", "FR"}
let big = n > limit
let pricey = fee >= rate
let eu = country in countries
let early = on < 2021-03-01
let long = kept >= 2 months
table adult(n: int) -> int hit first {
  >= 18 => 1
  default => 0
}
let adult_v = adult(n)
obligation report {
  subject "s"
  must "report"
  deadline 45 days after on
  effective from 2021-01-01
  cite "x"
}
)";

TEST(FactGen, ConstantsAndTheirNeighboursAreGenerated) {
  auto p = FromText(kThresholds);
  ASSERT_TRUE(p);
  std::set<int64_t> ints, fees, dates;
  std::set<std::string> texts, durations;
  std::set<size_t> lengths;
  std::set<int64_t> kinds;
  int absent = 0, flag_given = 0;
  const int n = 3000;
  for (const json& f : testing::GenerateFacts(*p, n, 11)) {
    Value v = interp::FactsFromJson(f, *p);
    ints.insert(Field(*p, v, "n").i);
    fees.insert(Field(*p, v, "fee").i);
    texts.insert(Field(*p, v, "country").text);
    dates.insert(Field(*p, v, "on").i);
    durations.insert(FormatDuration(Field(*p, v, "kept").duration()));
    lengths.insert(Field(*p, v, "xs").elems().size());
    for (const Value& k : Field(*p, v, "kinds").elems()) kinds.insert(k.i);
    absent += Field(*p, v, "maybe").is_none();
    flag_given += f.contains("flag");
  }
  for (int64_t x : {9, 10, 11, 17, 18, 19}) EXPECT_TRUE(ints.count(x)) << x;
  for (int64_t units : {2499999, 2500000, 2500001, 1500000, 3500000}) EXPECT_TRUE(fees.count(units)) << units;
  for (const char* t : {"DE", "FR"}) EXPECT_TRUE(texts.count(t)) << t;
  EXPECT_GT(texts.size(), 3u);  // and others
  for (const char* d : {"2021-02-28", "2021-03-01", "2021-03-02", "2020-06-07", "2020-06-08", "2021-12-31",
                        "2022-01-01"}) {
    EXPECT_TRUE(dates.count(Day(d))) << d;
  }
  for (const char* d : {"1 month", "2 months", "3 months", "44 days", "45 days", "46 days"}) {
    EXPECT_TRUE(durations.count(d)) << d;
  }
  EXPECT_EQ(lengths, (std::set<size_t>{0, 1, 2, 3, 4}));
  EXPECT_EQ(kinds, (std::set<int64_t>{0, 1, 2}));
  EXPECT_GT(absent, n / 10);
  EXPECT_LT(absent, n * 35 / 100);
  EXPECT_GT(flag_given, n / 2);
  EXPECT_LT(flag_given, n * 9 / 10);
  // Dates stay within a few years of the policy's dates.
  EXPECT_GE(*dates.begin(), Day("2016-01-01"));
  EXPECT_LE(*dates.rbegin(), Day("2026-01-01"));
}

TEST(FactGen, InterestingDatesAreTheBoundariesAndConstantDatesWithNeighbours) {
  auto p = FromText(kThresholds);
  ASSERT_TRUE(p);
  std::vector<int64_t> expected;
  for (const char* d : {"2020-06-07", "2020-06-08", "2020-06-09", "2020-12-31", "2021-01-01", "2021-01-02",
                        "2021-02-28", "2021-03-01", "2021-03-02", "2021-12-31", "2022-01-01", "2022-01-02"}) {
    expected.push_back(Day(d));
  }
  EXPECT_EQ(testing::InterestingDates(*p), expected);
}

TEST(FactGen, InterestingDatesOfAPolicyWithoutDates) {
  auto p = FromText("input { n: int }\nlet big = n > 3\n");
  ASSERT_TRUE(p);
  EXPECT_EQ(testing::InterestingDates(*p), std::vector<int64_t>{Day("2020-01-01")});
  std::vector<json> facts = testing::GenerateFacts(*p, 20, 1);
  ASSERT_EQ(facts.size(), 20u);
  for (const json& f : facts) EXPECT_NO_THROW(interp::FactsFromJson(f, *p)) << f.dump();
}

}  // namespace
}  // namespace proviso
