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

// The generated fact sets that give every fact (the others leave some out, not known): for the
// tests of how values are drawn.
std::vector<json> KnownFacts(const ir::Program& p, int n, uint64_t seed) {
  std::vector<json> out;
  for (json& f : testing::GenerateFacts(p, n, seed)) {
    if (!HasUnknownPart(interp::FactsFromJson(f, p))) out.push_back(std::move(f));
  }
  return out;
}


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

// How deep objects and arrays nest in `j` (a scalar: 0).
int JsonDepth(const json& j) {
  int deepest = 0;
  if (j.is_structured()) {
    for (const json& x : j) deepest = std::max(deepest, JsonDepth(x));
    return deepest + 1;
  }
  return 0;
}

// A record type that contains itself (through a list and an optional) gives facts that end, a few
// levels deep and valid. fuzz/fuzz_policy found the generator recursing until the stack overflowed.
TEST(FactGen, ARecordThatContainsItselfNestsAFewLevelsAndEnds) {
  auto p = FromText(R"(policy shape
record R { name: text  kids: list<R>  next: R? }
input { r: R }
output n: int
rule count_kids { then n = count k in r.kids where k.name == "x" }
)");
  ASSERT_TRUE(p);
  int deepest = 0;
  for (const json& f : testing::GenerateFacts(*p, 200, 22)) {
    EXPECT_NO_THROW(interp::FactsFromJson(f, *p)) << f.dump();
    deepest = std::max(deepest, JsonDepth(f));
  }
  EXPECT_GE(deepest, 4);  // it does recurse
  EXPECT_LE(deepest, interp::kMaxFactsDepth);
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
  const std::vector<json> facts = KnownFacts(*p, 2800, 2020);
  const int n = static_cast<int>(facts.size());  // about 2000
  for (const json& f : facts) {
    Value v = interp::FactsFromJson(f, *p);
    interp::EvalOptions opts;
    opts.as_of = Day("2020-09-01");
    Value k = interp::EvaluateLet(*p, v, opts, kept_for);
    if (f.contains("operator") && f["operator"].contains("services")) {
      for (const json& s : f["operator"]["services"]) services.insert(s.get<std::string>());
    }
    if (f.contains("call") && f["call"].contains("deleted_on") && !f["call"]["deleted_on"].is_null()) ++deleted;
    if (k.is_unknown()) continue;  // a date left out
    ASSERT_EQ(k.months, 0);
    ASSERT_EQ(k.i % kSecondsPerDay, 0);  // a difference of two dates: whole days, held in seconds
    ++days[k.i / kSecondsPerDay];
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
  // The optional deleted_on is null about a fifth of the time (and sometimes left out).
  EXPECT_GT(n - deleted, n / 10);
  EXPECT_LT(n - deleted, n * 35 / 100);
}

TEST(FactGen, BenchmarkRetentionDurationTakesTheThresholdAndItsNeighbours) {
  auto p = FromFrontEnd(CompileFile(std::string(PROVISO_SOURCE_DIR) + "/policies/cn/benchmark_policy.proviso"), "bench");
  ASSERT_TRUE(p);
  std::set<std::string> kept;
  for (const json& f : KnownFacts(*p, 500, 3)) {
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
  int with_unknowns = 0;
  for (const json& f : testing::GenerateFacts(*p, n, 11)) {
    Value v = interp::FactsFromJson(f, *p);
    auto known = [&](const char* name) {
      const Value& x = Field(*p, v, name);
      return x.is_unknown() ? nullptr : &x;
    };
    if (auto* x = known("n")) ints.insert(x->i);
    if (auto* x = known("fee")) fees.insert(x->i);
    if (auto* x = known("country")) texts.insert(x->text);
    if (auto* x = known("on")) dates.insert(x->i);
    if (auto* x = known("kept")) durations.insert(FormatDuration(x->duration()));
    if (auto* x = known("xs")) lengths.insert(x->elems().size());
    if (auto* x = known("kinds")) for (const Value& k : x->elems()) kinds.insert(k.i);
    absent += Field(*p, v, "maybe").is_none();
    flag_given += f.contains("flag");
    with_unknowns += HasUnknownPart(v);
  }
  // About 30% of fact sets leave facts out (not known); the others give every fact.
  EXPECT_GT(with_unknowns, n / 5);
  EXPECT_LT(with_unknowns, n * 35 / 100);
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
  EXPECT_GT(absent, n / 10);  // `maybe` is null (known absent) about a fifth of the time
  EXPECT_LT(absent, n * 30 / 100);
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

// ---------------------------------------------------------------- date-times and calendars

int64_t Instant(const std::string& s) { return ParseDateTime(s).value(); }

std::string PolicyPath(const std::string& rel) { return std::string(PROVISO_SOURCE_DIR) + "/" + rel; }

const char* kHours = R"(
policy hours
  effective from 2024-01-01
input {
  aware_at: datetime
  notified_at: datetime
  took: duration
  on: date
}
let elapsed: duration = notified_at - aware_at
let late: bool = elapsed > 72 hours
let slow: bool = took > 90 minutes
let after_cutoff: bool = aware_at >= 2024-03-07T16:00:00Z
let early: bool = on < 2024-03-01
)";

TEST(FactGen, SubDayDurationsTakeTheConstantAndItsNeighbouringSeconds) {
  auto p = FromText(kHours);
  ASSERT_TRUE(p);
  std::set<int64_t> took, elapsed;
  std::set<std::string> spellings;
  int elapsed_let = -1;
  for (size_t l = 0; l < p->lets.size(); ++l) if (p->lets[l].name == "elapsed") elapsed_let = static_cast<int>(l);
  ASSERT_GE(elapsed_let, 0);
  for (const json& f : KnownFacts(*p, 3000, 17)) {
    Value v = interp::FactsFromJson(f, *p);
    Duration d = Field(*p, v, "took").duration();
    ASSERT_EQ(d.months, 0);
    took.insert(d.seconds);
    std::string text = f["took"].get<std::string>();
    if (text.rfind("PT", 0) == 0) spellings.insert("PT");
    else if (text.rfind("P", 0) == 0) spellings.insert("P");
    if (text.find("hour") != std::string::npos) spellings.insert("hours");
    if (text.find("minute") != std::string::npos) spellings.insert("minutes");
    interp::EvalOptions opts;
    opts.as_of = Day("2024-06-01");
    elapsed.insert(interp::EvaluateLet(*p, v, opts, elapsed_let).i);
  }
  // The constants `72 hours` (whole days: ±1 day and ±1 s) and `90 minutes` (±1 s).
  for (int64_t s : {259199, 259200, 259201, 172800, 345600, 5399, 5400, 5401}) EXPECT_TRUE(took.count(s)) << s;
  // Two instants of one fact set: the anchor and the anchor moved by a constant, ±1 s.
  for (int64_t s : {259199, 259200, 259201, 5399, 5400, 5401, 0}) EXPECT_TRUE(elapsed.count(s)) << s;
  // Durations below a day are written in every form a user may write them.
  for (const char* form : {"PT", "P", "hours", "minutes"}) EXPECT_TRUE(spellings.count(form)) << form;
  // Not all whole days.
  int parts = 0;
  for (int64_t s : took) parts += s % kSecondsPerDay != 0;
  EXPECT_GT(parts, 50);
}

TEST(FactGen, DateTimesHitConstantInstantsAndTheEdgesOfDays) {
  auto p = FromText(kHours);
  ASSERT_TRUE(p);
  std::set<int64_t> at;
  std::map<std::string, int> forms;
  const std::vector<json> facts = KnownFacts(*p, 4300, 5);
  const int n = static_cast<int>(facts.size());
  for (const json& f : facts) {
    Value v = interp::FactsFromJson(f, *p);
    at.insert(Field(*p, v, "aware_at").i);
    at.insert(Field(*p, v, "notified_at").i);
    for (const char* field : {"aware_at", "notified_at"}) {
      std::string s = f[field].get<std::string>();
      if (s.back() == 'Z') ++forms["Z"];
      if (s.find("+08:00") != std::string::npos) ++forms["+08:00"];
      if (s.find("-05:30") != std::string::npos) ++forms["-05:30"];
      if (s.find(".0") != std::string::npos) ++forms["fraction"];
    }
  }
  // The datetime constant ±1 s.
  for (const char* t : {"2024-03-07T15:59:59Z", "2024-03-07T16:00:00Z", "2024-03-07T16:00:01Z"}) {
    EXPECT_TRUE(at.count(Instant(t))) << t;
  }
  // The first and last seconds of the date constant and of its neighbours.
  for (const char* t : {"2024-02-29T23:59:59Z", "2024-03-01T00:00:00Z", "2024-03-01T00:00:01Z", "2024-03-01T23:59:59Z"}) {
    EXPECT_TRUE(at.count(Instant(t))) << t;
  }
  // Many instants at midnight and at 23:59:59.
  int midnights = 0, last_seconds = 0;
  for (int64_t t : at) {
    midnights += t % kSecondsPerDay == 0;
    last_seconds += t % kSecondsPerDay == kSecondsPerDay - 1;
  }
  EXPECT_GT(midnights, 100);
  EXPECT_GT(last_seconds, 100);
  // Written with `Z` mostly, but also at offsets and with a zero fraction.
  EXPECT_GT(forms["Z"], n);
  EXPECT_GT(forms["+08:00"], n / 50);
  EXPECT_GT(forms["-05:30"], n / 50);
  EXPECT_GT(forms["fraction"], n / 20);
}

TEST(FactGen, DatesIncludeMonthEndsLeapDaysAndTurnsOfTheYear) {
  auto p = FromText(kThresholds);
  ASSERT_TRUE(p);
  std::map<std::string, int> kinds;
  const int n = 3000;
  for (const json& f : KnownFacts(*p, n, 23)) {
    Value v = interp::FactsFromJson(f, *p);
    CivilDate c = CivilFromDays(Field(*p, v, "on").i);
    if (c.month == 2 && c.day == 29) ++kinds["29 February"];
    if (c.month == 12 && c.day == 31) ++kinds["31 December"];
    if (c.month == 1 && c.day == 1) ++kinds["1 January"];
    if (c.day == DaysInMonth(c.year, c.month)) ++kinds["month end " + std::to_string(c.day)];
  }
  for (const char* k : {"29 February", "31 December", "1 January", "month end 28", "month end 29", "month end 30",
                        "month end 31"}) {
    EXPECT_GT(kinds[k], 0) << k;
  }
  // Far more often than chance (about 1 in 30 for a month end, 1 in 1461 for 29 February).
  EXPECT_GT(kinds["29 February"], n / 100);
  EXPECT_GT(kinds["month end 28"] + kinds["month end 29"] + kinds["month end 30"] + kinds["month end 31"], n / 10);
}

TEST(FactGen, WorkingDayPoliciesGetCalendarEdgesExceptionsAndZeroOrNegativeCounts) {
  auto p = FromFrontEnd(CompileFile(PolicyPath("tests/golden/good/working_days.proviso")), "working_days");
  ASSERT_TRUE(p);
  ASSERT_EQ(p->calendars.size(), 1u);
  const WorkingCalendar& cal = p->calendars[0];
  ASSERT_EQ(FormatDate(cal.first_day()), "2020-01-01");
  ASSERT_EQ(FormatDate(cal.last_day()), "2026-12-31");
  std::set<int64_t> received;
  std::map<int64_t, int> counts;
  const int n = 4300;  // about 3000 that give every fact
  for (const json& f : KnownFacts(*p, n, 31)) {
    Value v = interp::FactsFromJson(f, *p);
    received.insert(Field(*p, v, "received_on").i);
    ++counts[Field(*p, v, "n").i];
  }
  // The calendar's first and last days, and the days just outside.
  for (const char* d : {"2019-12-31", "2020-01-01", "2020-01-02", "2026-12-30", "2026-12-31", "2027-01-01"}) {
    EXPECT_TRUE(received.count(Day(d))) << d;
  }
  // Holidays on weekdays and make-up working days on weekends (the days that break the weekly
  // pattern), far more often than chance: nearly every one of them in 20000 fact sets.
  std::set<int64_t> exceptions, hit;
  for (int64_t d = cal.first_day(); d <= cal.last_day(); ++d) {
    if (cal.IsWorking(d) != (Weekday(d) <= 5)) exceptions.insert(d);
  }
  for (const char* d : {"2020-01-19", "2020-01-31", "2024-10-01", "2024-10-07", "2024-10-12"}) {
    ASSERT_TRUE(exceptions.count(Day(d))) << d;
  }
  ASSERT_GT(exceptions.size(), 150u);
  int on_exceptions = 0;
  for (const json& f : KnownFacts(*p, 20000, 31)) {
    int64_t d = Day(f["received_on"].get<std::string>());
    if (exceptions.count(d)) {
      hit.insert(d);
      ++on_exceptions;
    }
  }
  EXPECT_GT(hit.size(), exceptions.size() * 9 / 10);
  EXPECT_GT(on_exceptions, 20000 / 40);
  // `n working days after`: 0 and negative counts, and minus the param (15 ±1).
  int zero = counts[0], negative = 0;
  for (const auto& [k, c] : counts) negative += k < 0 ? c : 0;
  EXPECT_GT(zero, n / 50);
  EXPECT_GT(negative, n / 5);
  for (int64_t k : {-14, -15, -16, -1}) EXPECT_GT(counts[k], 0) << k;
}

TEST(FactGen, DoneAtFactsLandOnTheDeadlineAndBesideIt) {
  auto p = FromFrontEnd(CompileFile(PolicyPath("tests/golden/good/working_days.proviso")), "working_days");
  ASSERT_TRUE(p);
  int reply_due = -1;
  for (size_t l = 0; l < p->lets.size(); ++l) if (p->lets[l].name == "reply_due") reply_due = static_cast<int>(l);
  ASSERT_GE(reply_due, 0);
  std::map<int64_t, int> offsets;  // replied_on - reply_due -> how many
  const int n = 2000;
  for (const json& f : KnownFacts(*p, n, 9)) {
    Value v = interp::FactsFromJson(f, *p);
    const Value& replied = Field(*p, v, "replied_on");
    if (replied.is_none()) continue;
    interp::EvalOptions opts;
    opts.as_of = Day("2022-01-01");
    try {
      ++offsets[replied.i - interp::EvaluateLet(*p, v, opts, reply_due).i];
    } catch (const interp::EvalError&) {  // outside the calendar
    }
  }
  // 15 working days after a fact date: hit only by computing the deadline.
  EXPECT_GT(offsets[0], n / 30);
  EXPECT_GT(offsets[-1], n / 100);
  EXPECT_GT(offsets[1], n / 100);
}

TEST(FactGen, IntsOfDatePartsAreBiasedToTheEdgesOfTheirRanges) {
  auto p = FromFrontEnd(CompileFile(PolicyPath("tests/golden/good/calendar_functions.proviso")), "calendar_functions");
  ASSERT_TRUE(p);
  std::set<int64_t> months, days;
  for (const json& f : KnownFacts(*p, 1000, 3)) {
    months.insert(f["m"].get<int64_t>());
    days.insert(f["d"].get<int64_t>());
  }
  for (int64_t m : {0, 1, 2, 12, 13}) EXPECT_TRUE(months.count(m)) << m;
  for (int64_t d : {0, 1, 28, 29, 30, 31, 32}) EXPECT_TRUE(days.count(d)) << d;
}

TEST(FactGen, InterestingInstantsAreTheFirstAndLastSecondsOfInterestingDatesAndConstantInstants) {
  auto p = FromText(kHours);
  ASSERT_TRUE(p);
  std::vector<int64_t> expected;
  for (int64_t d : testing::InterestingDates(*p)) {
    expected.push_back(d * kSecondsPerDay);
    expected.push_back(d * kSecondsPerDay + kSecondsPerDay - 1);
  }
  for (const char* t : {"2024-03-07T15:59:59Z", "2024-03-07T16:00:00Z", "2024-03-07T16:00:01Z"}) {
    expected.push_back(Instant(t));
  }
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(testing::InterestingInstants(*p), expected);
  // The interesting dates: the policy's from-date and the constant date, with neighbours.
  EXPECT_EQ(testing::InterestingDates(*p).size(), 6u);
}

TEST(FactGen, EvaluationInstantsStraddleEachFactSetsDeadlines) {
  auto p = FromFrontEnd(CompileFile(PolicyPath("tests/golden/good/deadline_kinds.proviso")), "deadline_kinds");
  ASSERT_TRUE(p);
  int notify = p->FindObligation("notify"), window = p->FindObligation("file_in_window");
  ASSERT_GE(notify, 0);
  ASSERT_GE(window, 0);
  std::vector<json> facts = testing::GenerateFacts(*p, 2000, 20201128);
  std::vector<Value> values;
  for (const json& f : facts) values.push_back(interp::FactsFromJson(f, *p));
  std::vector<int64_t> instants = testing::EvaluationInstants(*p, values, 1128);
  ASSERT_EQ(instants.size(), values.size());
  EXPECT_EQ(instants, testing::EvaluationInstants(*p, values, 1128));
  std::map<int64_t, int> from_notify;  // instant - notify deadline (instants) -> how many
  std::map<std::string, int> statuses;  // of notify without `notified_at`
  std::set<int64_t> at;
  std::set<std::string> seen;  // "obligation status"
  for (size_t i = 0; i < values.size(); ++i) {
    at.insert(instants[i]);
    interp::EvalOptions opts;
    opts.set_now(instants[i]);
    try {
      interp::Result r = interp::Evaluate(*p, values[i], opts);
      for (const auto& ob : r.obligations) {
        seen.insert(p->obligations[ob.obligation].name + " " + ir::DeadlineStatusName(ob.status));
        if (ob.obligation != notify || !ob.deadline) continue;
        int64_t off = instants[i] - *ob.deadline;
        if (off >= -1 && off <= 1) ++from_notify[off];
        if (off >= -1 && off <= 1 && Field(*p, values[i], "notified_at").is_none()) {
          ++statuses[ir::DeadlineStatusName(ob.status)];
        }
      }
    } catch (const interp::EvalError&) {
    }
  }
  // The instant deadline: the second before, the second itself and the second after.
  for (int64_t off : {-1, 0, 1}) EXPECT_GT(from_notify[off], 3) << off;
  // ... so that with nothing done, it is judged pending and then overdue.
  EXPECT_GT(statuses["pending"], 0);
  EXPECT_GT(statuses["overdue"], 0);
  // Every status each kind of deadline can have.
  for (const char* want : {"notify pending", "notify met", "notify overdue", "file_in_window pending",
                           "file_in_window met", "file_in_window overdue", "file_in_window early",
                           "keep_records pending", "keep_records met", "keep_records breached",
                           "annual_report pending", "annual_report met", "annual_report overdue",
                           "inform_promptly pending", "inform_promptly overdue", "stated_only met",
                           "stated_only overdue"}) {
    EXPECT_TRUE(seen.count(want)) << want;
  }
  // The date deadline 2024-03-31: its last second and the next day's first.
  for (const char* t : {"2024-03-31T00:00:00Z", "2024-03-31T23:59:59Z", "2024-04-01T00:00:00Z"}) {
    EXPECT_TRUE(at.count(Instant(t))) << t;
  }
  // Not all at midnight.
  int timed = 0;
  for (int64_t t : instants) timed += t % kSecondsPerDay != 0;
  EXPECT_GT(timed, static_cast<int>(instants.size()) / 4);
}

}  // namespace
}  // namespace proviso
