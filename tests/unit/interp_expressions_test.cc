// The reference interpreter: arithmetic, dates and durations, texts, sets and lists,
// quantifiers, optionals, if, match and functions.
// Each test states the value the language gives (docs/language.md) and checks the interpreter's.
// Shared helpers (Policy, Ev, Contains, ...): interp_test_util.h.
#include <gtest/gtest.h>

#include <string>

#include "tests/unit/interp_test_util.h"

namespace proviso {
namespace interp_test {
namespace {

// ================================================================ arithmetic

TEST(InterpArith, IntegerDivisionTruncatesTowardZero) {
  EXPECT_EQ(Ev("7 / 2"), "3");
  EXPECT_EQ(Ev("-7 / 2"), "-3");
  EXPECT_EQ(Ev("7 / -2"), "-3");
  EXPECT_EQ(Ev("-7 / -2"), "3");
  EXPECT_EQ(Ev("1 / 3"), "0");
  EXPECT_EQ(Ev("6 / 3"), "2");
}

TEST(InterpArith, PrecedenceAndAssociativity) {
  EXPECT_EQ(Ev("7 - 10 * 2"), "-13");
  EXPECT_EQ(Ev("(7 - 10) * 2"), "-6");
  EXPECT_EQ(Ev("10 - 3 - 2"), "5");
  EXPECT_EQ(Ev("100 / 10 / 5"), "2");
  EXPECT_EQ(Ev("- 3 * 4"), "-12");
  EXPECT_EQ(Ev("-(3 - 5)"), "2");
}

TEST(InterpArith, IntegerOverflowIsAnError) {
  const std::string decls = "input { a: int, b: int }";
  json big = {{"a", INT64_MAX}, {"b", 1}};
  EXPECT_TRUE(Contains(Ev("a + b", decls, big), "overflow")) << Ev("a + b", decls, big);
  EXPECT_TRUE(Contains(Ev("a * 2", decls, big), "overflow"));
  json small = {{"a", INT64_MIN}, {"b", 1}};
  EXPECT_TRUE(Contains(Ev("a - b", decls, small), "overflow"));
  EXPECT_TRUE(Contains(Ev("-a", decls, small), "overflow"));
  json div = {{"a", INT64_MIN}, {"b", -1}};
  EXPECT_TRUE(Contains(Ev("a / b", decls, div), "overflow"));
  // Just below the limits is fine.
  EXPECT_EQ(Ev("a + b", decls, json{{"a", INT64_MAX - 1}, {"b", 1}}), std::to_string(INT64_MAX));
  EXPECT_EQ(Ev("a - b", decls, json{{"a", INT64_MIN + 1}, {"b", 1}}), std::to_string(INT64_MIN));
}

TEST(InterpArith, DivisionByZeroIsAnError) {
  const std::string decls = "input { a: int, b: int, x: decimal, y: decimal }";
  json f = {{"a", 5}, {"b", 0}, {"x", 1.5}, {"y", 0}};
  std::string e = Ev("a / b", decls, f);
  EXPECT_TRUE(Contains(e, "error: division by zero")) << e;
  EXPECT_TRUE(Contains(e, "a / b")) << e;
  EXPECT_TRUE(Contains(Ev("x / y", decls, f), "division by zero"));
  EXPECT_EQ(Ev("a / 5", decls, f), "1");
}

TEST(InterpArith, DecimalAdditionIsExact) {
  EXPECT_EQ(Ev("0.1 + 0.2 == 0.3"), "true");
  EXPECT_EQ(Ev("0.1 + 0.2"), "0.3");
  EXPECT_EQ(Ev("1.000001 - 0.000002"), "0.999999");
  EXPECT_EQ(Ev("2.5 - 3.75"), "-1.25");
}

TEST(InterpArith, DecimalMultiplicationAndDivisionTruncateToSixDigits) {
  EXPECT_EQ(Ev("1.5 * 2.0"), "3");
  EXPECT_EQ(Ev("1.06 * 100.0"), "106");
  EXPECT_EQ(Ev("0.001 * 0.001"), "0.000001");
  EXPECT_EQ(Ev("0.000001 * 0.5"), "0");          // 0.0000005 truncated
  EXPECT_EQ(Ev("1.0 / 3.0"), "0.333333");
  EXPECT_EQ(Ev("2.0 / 3.0"), "0.666666");        // truncated, not rounded
  EXPECT_EQ(Ev("-2.0 / 3.0"), "-0.666666");      // toward zero
  EXPECT_EQ(Ev("10.0 / 4.0"), "2.5");
  EXPECT_EQ(Ev("12.5 * -2.0"), "-25");
  EXPECT_EQ(Ev("1.0 / 3.0 * 3.0"), "0.999999");
}

TEST(InterpArith, DecimalOverflowIsAnError) {
  const std::string decls = "input { x: decimal }";
  std::string e = Ev("x * 10.0", decls, json{{"x", "999999999999.0"}});
  EXPECT_TRUE(Contains(e, "overflow")) << e;
  e = Ev("x / 0.000001", decls, json{{"x", "999999999999.0"}});
  EXPECT_TRUE(Contains(e, "overflow")) << e;
  e = Ev("x + x + x + x + x + x + x + x + x + x", decls, json{{"x", "999999999999.0"}});
  EXPECT_TRUE(Contains(e, "overflow")) << e;
  EXPECT_EQ(Ev("x * 2.0", decls, json{{"x", "999999999999.0"}}), "1999999999998");
}

TEST(InterpArith, DurationOverflowIsAnError) {
  const std::string decls = "input { n: int, d: duration }";
  json f = {{"n", INT64_MAX}, {"d", "2 days"}};
  std::string e = Ev("d * n", decls, f);
  EXPECT_TRUE(Contains(e, "error: ") && Contains(e, "overflow")) << "2 days * " << INT64_MAX << " -> " << e;
  e = Ev("d - d * n", decls, f);
  EXPECT_TRUE(Contains(e, "error: ") && Contains(e, "overflow")) << e;
  EXPECT_EQ(Ev("d * 3", decls, f), "6 days");
}

TEST(InterpArith, DatesBeyondTheCalendarAreAnError) {
  // Dates are years 1-9999 (docs/language.md §4); a result outside cannot be written back as a fact.
  const std::string decls = "input { n: int, on: date }";
  std::string e = Ev("on + 1 year * n", decls, json{{"n", 1000000000}, {"on", "2020-01-01"}});
  EXPECT_TRUE(Contains(e, "error: ")) << "2020-01-01 + 1000000000 years -> " << e;
  e = Ev("on + 1 day * n", decls, json{{"n", 4000000}, {"on", "2020-01-01"}});
  EXPECT_TRUE(Contains(e, "error: ")) << "2020-01-01 + 4000000 days -> " << e;
  EXPECT_EQ(Ev("on + 1 day * n", decls, json{{"n", 366}, {"on", "2020-01-01"}}), "2021-01-01");
}

TEST(InterpArith, ComparisonsOfNumbers) {
  EXPECT_EQ(Ev("3 < 4"), "true");
  EXPECT_EQ(Ev("4 <= 4"), "true");
  EXPECT_EQ(Ev("4 > 4"), "false");
  EXPECT_EQ(Ev("-1 >= -2"), "true");
  EXPECT_EQ(Ev("2.5 > 2.499999"), "true");
  EXPECT_EQ(Ev("2.5 == 2.50"), "true");
  EXPECT_EQ(Ev("3 != 3"), "false");
}

TEST(InterpArith, MinMaxBuiltins) {
  EXPECT_EQ(Ev("min(3, 1, 2)"), "1");
  EXPECT_EQ(Ev("max(3, 1, 2)"), "3");
  EXPECT_EQ(Ev("max([1, 5, 3])"), "5");
  EXPECT_EQ(Ev("min(2.5, 2.25)"), "2.25");
  EXPECT_EQ(Ev("max(2020-01-01, 2019-12-31)"), "2020-01-01");
  EXPECT_EQ(Ev("min(3 days, 1 week)"), "3 days");
  EXPECT_EQ(Ev("count([1, 1, 2])"), "3");
  EXPECT_EQ(Ev("count({1, 1, 2})"), "2");
  EXPECT_EQ(Ev("sum([1, 2, 3])"), "6");
  EXPECT_EQ(Ev("sum([1.5, 2.25])"), "3.75");
  EXPECT_EQ(Ev("sum([1 week, 3 days])"), "10 days");
}

// ================================================================ dates and durations

TEST(InterpDates, DatePlusDurationClampsToMonthEnd) {
  EXPECT_EQ(Ev("2021-01-31 + 1 month"), "2021-02-28");
  EXPECT_EQ(Ev("2020-01-31 + 1 month"), "2020-02-29");
  EXPECT_EQ(Ev("2020-03-31 - 1 month"), "2020-02-29");
  EXPECT_EQ(Ev("2020-02-29 + 1 year"), "2021-02-28");
  EXPECT_EQ(Ev("2020-05-31 + 1 month"), "2020-06-30");
  EXPECT_EQ(Ev("2020-01-15 + 13 months"), "2021-02-15");
  EXPECT_EQ(Ev("2020-12-31 + 1 day"), "2021-01-01");
  EXPECT_EQ(Ev("2020-03-01 - 1 day"), "2020-02-29");
  EXPECT_EQ(Ev("2020-07-01 + 30 days"), "2020-07-31");
  EXPECT_EQ(Ev("2020-07-01 + 2 weeks"), "2020-07-15");
  EXPECT_EQ(Ev("30 days + 2020-07-01"), "2020-07-31");
}

TEST(InterpDates, MonthsAreAddedBeforeDays) {
  // 2020-01-31 + 1 month = 2020-02-29 (clamped), then + 1 day.
  EXPECT_EQ(Ev("2020-01-31 + (1 month + 1 day)"), "2020-03-01");
  // Month by month is not the same as two months at once.
  EXPECT_EQ(Ev("2020-01-31 + 1 month + 1 month"), "2020-03-29");
  EXPECT_EQ(Ev("2020-01-31 + 2 months"), "2020-03-31");
  EXPECT_EQ(Ev("2021-01-31 + 1 year - 1 day"), "2022-01-30");
}

TEST(InterpDates, DateMinusDateIsDays) {
  EXPECT_EQ(Ev("2020-03-01 - 2020-02-01"), "29 days");
  EXPECT_EQ(Ev("2021-03-01 - 2021-02-01"), "28 days");
  EXPECT_EQ(Ev("2020-02-01 - 2020-03-01"), "-29 days");
  EXPECT_EQ(Ev("2020-07-31 - 2020-07-31"), "0 days");
  EXPECT_EQ(Ev("2021-01-01 - 2020-01-01"), "366 days");
  EXPECT_EQ(Ev("2020-07-31 - 2020-07-01 < 30 days"), "false");
  EXPECT_EQ(Ev("2020-07-30 - 2020-07-01 < 30 days"), "true");
}

TEST(InterpDates, DurationArithmetic) {
  EXPECT_EQ(Ev("2 weeks + 3 days"), "17 days");
  EXPECT_EQ(Ev("30 days * 2"), "60 days");
  EXPECT_EQ(Ev("2 * 1 month"), "2 months");
  EXPECT_EQ(Ev("1 year + 1 month"), "13 months");
  EXPECT_EQ(Ev("1 year - 12 months"), "0 days");
  EXPECT_EQ(Ev("-(1 month + 2 days)"), "-1 month -2 days");
  EXPECT_EQ(Ev("1 year"), "1 year");
  EXPECT_EQ(Ev("days(2 weeks)"), "14");
  EXPECT_TRUE(Contains(Ev("days(1 month)"), "error: ")) << Ev("days(1 month)");
}

TEST(InterpDates, DateParts) {
  EXPECT_EQ(Ev("year(2020-07-31)"), "2020");
  EXPECT_EQ(Ev("month(2020-07-31)"), "7");
  EXPECT_EQ(Ev("day(2020-07-31)"), "31");
  EXPECT_EQ(Ev("2020-07-31 < 2020-08-01"), "true");
  EXPECT_EQ(Ev("2020-07-31 >= 2020-08-01"), "false");
}

TEST(InterpDates, DurationsInDaysCompareWithDays) {
  EXPECT_EQ(Ev("30 days < 31 days"), "true");
  EXPECT_EQ(Ev("1 week == 7 days"), "true");
  EXPECT_EQ(Ev("2 weeks > 13 days"), "true");
  EXPECT_EQ(Ev("30 days >= 30 days"), "true");
  EXPECT_EQ(Ev("-1 day < 0 days"), "true");
}

TEST(InterpDates, DurationsInMonthsCompareWithMonths) {
  EXPECT_EQ(Ev("1 month < 2 months"), "true");
  EXPECT_EQ(Ev("1 year == 12 months"), "true");
  EXPECT_EQ(Ev("1 year > 11 months"), "true");
  EXPECT_EQ(Ev("6 months <= 6 months"), "true");
}

TEST(InterpDates, OrderingMonthsAgainstDaysIsAnError) {
  for (const char* e : {"1 month < 30 days", "30 days > 1 month", "1 year >= 365 days", "1 month <= 31 days",
                        "1 month + 1 day < 2 months", "max(1 month, 30 days) == 1 month"}) {
    std::string got = Ev(e);
    EXPECT_TRUE(Contains(got, "error: cannot compare")) << e << " -> " << got;
    EXPECT_TRUE(Contains(got, "month")) << e << " -> " << got;
  }
  // From facts too: the checker cannot see it.
  const std::string decls = "input { kept: duration }";
  std::string got = Ev("kept < 30 days", decls, json{{"kept", "1 month"}});
  EXPECT_TRUE(Contains(got, "error: cannot compare `1 month` with `30 days`")) << got;
  EXPECT_EQ(Ev("kept < 30 days", decls, json{{"kept", "29 days"}}), "true");
  EXPECT_EQ(Ev("kept < 2 months", decls, json{{"kept", "1 month"}}), "true");
}

TEST(InterpDates, ZeroDurationComparesWithBothKinds) {
  EXPECT_EQ(Ev("0 days < 1 month"), "true");
  EXPECT_EQ(Ev("0 days < 1 day"), "true");
}

TEST(InterpDates, AsOfIsTheEvaluationDate) {
  EXPECT_EQ(Ev("as_of", "", json::object(), "", "2021-03-04"), "2021-03-04");
  EXPECT_EQ(Ev("as_of - 2021-03-01", "", json::object(), "", "2021-03-04"), "3 days");
  const std::string decls = "input { ended_on: date, deleted_on: date? }";
  json kept = {{"ended_on", "2020-07-01"}, {"deleted_on", nullptr}};
  EXPECT_EQ(Ev("(deleted_on ?? as_of) - ended_on", decls, kept, "", "2020-07-10"), "9 days");
  kept["deleted_on"] = "2020-07-30";
  EXPECT_EQ(Ev("(deleted_on ?? as_of) - ended_on", decls, kept, "", "2020-07-10"), "29 days");
}

// ================================================================ text, sets, lists

TEST(InterpCollections, TextEquality) {
  EXPECT_EQ(Ev("\"abc\" == \"abc\""), "true");
  EXPECT_EQ(Ev("\"abc\" == \"ABC\""), "false");
  EXPECT_EQ(Ev("\"abc\" != \"ab\""), "true");
  EXPECT_EQ(Ev("\"\" == \"\""), "true");
  const std::string decls = "input { t: text }";
  EXPECT_EQ(Ev("t == \"say \\\"no\\\"\"", decls, json{{"t", "say \"no\""}}), "true");
  EXPECT_EQ(Ev("t == \"CN\"", decls, json{{"t", "CN "}}), "false");
  EXPECT_EQ(Ev("t == \"d\u00e9j\u00e0 vu\"", decls, json{{"t", "d\u00e9j\u00e0 vu"}}), "true");
}

TEST(InterpCollections, Membership) {
  EXPECT_EQ(Ev("3 in [1, 2, 3]"), "true");
  EXPECT_EQ(Ev("4 in [1, 2, 3]"), "false");
  EXPECT_EQ(Ev("4 not in [1, 2, 3]"), "true");
  EXPECT_EQ(Ev("3 not in {1, 2, 3}"), "false");
  EXPECT_EQ(Ev("\"DE\" in {\"FR\", \"DE\"}"), "true");
  EXPECT_EQ(Ev("2020-07-31 in {2020-07-31, 2020-08-31}"), "true");
  EXPECT_EQ(Ev("30 days in {1 month, 30 days}"), "true");
  EXPECT_EQ(Ev("1 month in {30 days}"), "false");
  const std::string decls =
      "enum Country { cn, us, de }\n"
      "input { c: Country, cs: set<Country>, names: set<text>, xs: list<int> }\n";
  json f = {{"c", "us"}, {"cs", {"de", "us", "us"}}, {"names", {"b", "a"}}, {"xs", {3, 1, 3}}};
  EXPECT_EQ(Ev("c in cs", decls, f), "true");
  EXPECT_EQ(Ev("Country.cn in cs", decls, f), "false");
  EXPECT_EQ(Ev("c in {cn, de}", decls, f), "false");
  EXPECT_EQ(Ev("\"a\" in names", decls, f), "true");
  EXPECT_EQ(Ev("\"c\" not in names", decls, f), "true");
  EXPECT_EQ(Ev("1 in xs", decls, f), "true");
  EXPECT_EQ(Ev("count(cs)", decls, f), "2");     // a set keeps one of each
  EXPECT_EQ(Ev("count(xs)", decls, f), "3");     // a list keeps them all
  EXPECT_EQ(Ev("cs == {us, de}", decls, f), "true");
}

TEST(InterpCollections, SetAndListEquality) {
  EXPECT_EQ(Ev("{1, 2} == {2, 1}"), "true");
  EXPECT_EQ(Ev("{1, 1, 2} == {1, 2}"), "true");
  EXPECT_EQ(Ev("[1, 2] == [2, 1]"), "false");
  EXPECT_EQ(Ev("[1, 2] == [1, 2]"), "true");
  EXPECT_EQ(Ev("{\"a\"} != {\"b\"}"), "true");
}

TEST(InterpCollections, RecordsAndDefaults) {
  const std::string decls =
      "record R { a: int, b: int = 7, c: text? }\n"
      "input { r: R }\n"
      "let lit: R = {a: 1}\n";
  EXPECT_EQ(Ev("lit.b", decls, json{{"r", {{"a", 2}}}}), "7");
  EXPECT_EQ(Ev("lit.c is present", decls, json{{"r", {{"a", 2}}}}), "false");
  EXPECT_EQ(Ev("r.b + r.a", decls, json{{"r", {{"a", 2}}}}), "9");
  EXPECT_EQ(Ev("r.b", decls, json{{"r", {{"a", 2}, {"b", 3}}}}), "3");
  EXPECT_EQ(Ev("r == lit", decls, json{{"r", {{"a", 1}, {"c", nullptr}}}}), "true");
  EXPECT_EQ(Ev("r == lit", decls, json{{"r", {{"a", 1}, {"c", "x"}}}}), "false");
  // A field left out is not known, and neither is the record as a whole.
  EXPECT_EQ(Ev("r == lit", decls, json{{"r", {{"a", 1}}}}), "unknown");
  EXPECT_EQ(Ev("r.a", decls, json{{"r", {{"a", 1}}}}), "1");
}

// ================================================================ quantifiers

TEST(InterpQuantifiers, OnElements) {
  const std::string decls = "input { xs: list<int> }";
  json f = {{"xs", {4, -1, 7, 2}}};
  EXPECT_EQ(Ev("any x in xs: x > 5", decls, f), "true");
  EXPECT_EQ(Ev("any x in xs: x > 7", decls, f), "false");
  EXPECT_EQ(Ev("all x in xs: x > -2", decls, f), "true");
  EXPECT_EQ(Ev("all x in xs: x > -1", decls, f), "false");
  EXPECT_EQ(Ev("count x in xs: x >= 2", decls, f), "3");
  EXPECT_EQ(Ev("sum x in xs: x * 2", decls, f), "24");
  EXPECT_EQ(Ev("min x in xs: x", decls, f), "-1");
  EXPECT_EQ(Ev("max x in xs: x * x", decls, f), "49");
  EXPECT_EQ(Ev("sum x in xs: 1", decls, f), "4");
}

TEST(InterpQuantifiers, OnEmptyCollections) {
  const std::string decls = "input { xs: list<int>, ds: set<decimal>, ts: list<duration> }";
  json f = {{"xs", json::array()}, {"ds", json::array()}, {"ts", json::array()}};
  EXPECT_EQ(Ev("any x in xs: x > 0", decls, f), "false");
  EXPECT_EQ(Ev("all x in xs: x > 0", decls, f), "true");
  EXPECT_EQ(Ev("count x in xs: x > 0", decls, f), "0");
  EXPECT_EQ(Ev("sum x in xs: x", decls, f), "0");
  EXPECT_EQ(Ev("sum d in ds: d", decls, f), "0");
  EXPECT_EQ(Ev("sum t in ts: t", decls, f), "0 days");
  EXPECT_EQ(Ev("sum(ts)", decls, f), "0 days");
  EXPECT_EQ(Ev("count(xs)", decls, f), "0");
  std::string e = Ev("min x in xs: x", decls, f);
  EXPECT_TRUE(Contains(e, "error: `min` of an empty collection")) << e;
  e = Ev("max d in ds: d", decls, f);
  EXPECT_TRUE(Contains(e, "error: `max` of an empty collection")) << e;
  e = Ev("min(xs)", decls, f);
  EXPECT_TRUE(Contains(e, "error: `min` of an empty collection")) << e;
  e = Ev("max(ts)", decls, f);
  EXPECT_TRUE(Contains(e, "error: `max` of an empty collection")) << e;
}

TEST(InterpQuantifiers, OverRecordsDatesAndDecimals) {
  const std::string decls =
      "enum Risk { high, low }\n"
      "record T { amount: decimal, on: date, risk: Risk }\n"
      "input { ts: list<T> }\n";
  json f = {{"ts",
             {{{"amount", 10.5}, {"on", "2021-03-01"}, {"risk", "low"}},
              {{"amount", 2.25}, {"on", "2020-12-31"}, {"risk", "high"}},
              {{"amount", 100}, {"on", "2021-01-15"}, {"risk", "low"}}}}};
  EXPECT_EQ(Ev("sum t in ts: t.amount", decls, f), "112.75");
  EXPECT_EQ(Ev("min t in ts: t.on", decls, f), "2020-12-31");
  EXPECT_EQ(Ev("max t in ts: t.on", decls, f), "2021-03-01");
  EXPECT_EQ(Ev("count t in ts: t.risk == low", decls, f), "2");
  EXPECT_EQ(Ev("all t in ts: t.on >= 2021-01-01", decls, f), "false");
  EXPECT_EQ(Ev("any t in ts: t.risk == high and t.amount > 2.0", decls, f), "true");
}

TEST(InterpQuantifiers, NestedAndShadowed) {
  const std::string decls = "input { xs: list<int>, ys: list<int> }";
  json f = {{"xs", {1, 5}}, {"ys", {2, 3}}};
  EXPECT_EQ(Ev("any x in xs: all y in ys: x > y", decls, f), "true");
  EXPECT_EQ(Ev("all x in xs: any y in ys: x > y", decls, f), "false");
  EXPECT_EQ(Ev("sum x in xs: sum y in ys: x * y", decls, f), "30");
  EXPECT_EQ(Ev("sum x in xs: count y in ys: y < x", decls, f), "2");
  // The variable's value is restored after an inner quantifier over another list.
  EXPECT_EQ(Ev("sum x in xs: (count y in ys: y > 0) * 0 + x", decls, f), "6");
}

TEST(InterpQuantifiers, SumOverflowIsAnError) {
  const std::string decls = "input { xs: list<int> }";
  std::string e = Ev("sum x in xs: x", decls, json{{"xs", {INT64_MAX, 1}}});
  EXPECT_TRUE(Contains(e, "overflow")) << e;
  e = Ev("sum(xs)", decls, json{{"xs", {INT64_MAX, 1}}});
  EXPECT_TRUE(Contains(e, "overflow")) << e;
}

// ================================================================ optionals, if, match, functions

TEST(InterpOptionals, CoalesceAndPresence) {
  const std::string decls = "input { o: int?, p: int? }";
  json absent = {{"o", nullptr}, {"p", nullptr}};  // known to be absent
  json null_ = {{"o", nullptr}};
  json three = {{"o", 3}};
  EXPECT_EQ(Ev("o ?? 5", decls, absent), "5");
  EXPECT_EQ(Ev("o ?? 5", decls, null_), "5");
  EXPECT_EQ(Ev("o ?? 5", decls, three), "3");
  EXPECT_EQ(Ev("o is present", decls, absent), "false");
  EXPECT_EQ(Ev("o is present", decls, three), "true");
  EXPECT_EQ(Ev("o is not present", decls, absent), "true");
  EXPECT_EQ(Ev("o is not present", decls, three), "false");
  EXPECT_EQ(Ev("o == none", decls, absent), "true");
  EXPECT_EQ(Ev("o == none", decls, three), "false");
  EXPECT_EQ(Ev("o == 3", decls, three), "true");
  EXPECT_EQ(Ev("o != 3", decls, absent), "true");
  EXPECT_EQ(Ev("o ?? p ?? 9", decls, json{{"o", nullptr}, {"p", 4}}), "4");
  EXPECT_EQ(Ev("o ?? p ?? 9", decls, absent), "9");
  EXPECT_EQ(Ev("o ?? 1 + 2", decls, absent), "3");  // `o ?? (1 + 2)`
  EXPECT_EQ(Ev("o", decls, absent, "int?"), "none");
}

TEST(InterpOptionals, OptionalRecordWithFallback) {
  const std::string decls =
      "record Addr { country: text }\n"
      "input { addr: Addr? }\n"
      "let fallback: Addr = {country: \"CN\"}\n";
  EXPECT_EQ(Ev("(addr ?? fallback).country", decls, json{{"addr", nullptr}}), "\"CN\"");
  EXPECT_EQ(Ev("(addr ?? fallback).country", decls, json::object()), "unknown");  // not known whether there is one
  EXPECT_EQ(Ev("(addr ?? fallback).country", decls, json{{"addr", {{"country", "DE"}}}}), "\"DE\"");
}

TEST(InterpControl, IfIsLazy) {
  const std::string decls = "input { a: int, b: int }";
  json zero = {{"a", 7}, {"b", 0}};
  EXPECT_EQ(Ev("if b == 0 then 0 else a / b", decls, zero), "0");
  EXPECT_EQ(Ev("if b != 0 then a / b else -1", decls, json{{"a", 7}, {"b", 2}}), "3");
  EXPECT_EQ(Ev("if a > 5 then \"large\" else \"small\"", decls, zero), "\"large\"");
}

TEST(InterpControl, AndOrShortCircuit) {
  const std::string decls = "input { a: int, b: int }";
  json zero = {{"a", 7}, {"b", 0}};
  EXPECT_EQ(Ev("b != 0 and a / b > 1", decls, zero), "false");
  EXPECT_EQ(Ev("b == 0 or a / b > 1", decls, zero), "true");
  EXPECT_TRUE(Contains(Ev("a / b > 1 or b == 0", decls, zero), "division by zero"));
  EXPECT_EQ(Ev("not b == 0", decls, zero), "false");
  EXPECT_EQ(Ev("not (a == 7) or b == 0", decls, zero), "true");
}

TEST(InterpControl, Match) {
  const std::string decls =
      "enum Degree { very_serious, serious, medium, light }\n"
      "enum PfiClass { c1, c2, c3 }\n"
      "enum Kind { system_provider, seat_rental, self_use }\n"
      "input { degree: Degree, pfi: PfiClass?, kind: Kind }\n";
  auto weight = [&](const std::string& d) {
    return Ev("match degree { very_serious => 4, serious => 3, medium => 2, light => 1 }", decls,
              json{{"degree", d}, {"kind", "self_use"}});
  };
  EXPECT_EQ(weight("very_serious"), "4");
  EXPECT_EQ(weight("serious"), "3");
  EXPECT_EQ(weight("medium"), "2");
  EXPECT_EQ(weight("light"), "1");
  const std::string level = "match pfi ?? PfiClass.c1 { c3 => 4, c2 => 3, c1 => 2 }";
  EXPECT_EQ(Ev(level, decls, json{{"degree", "light"}, {"kind", "self_use"}, {"pfi", nullptr}}), "2");
  EXPECT_EQ(Ev(level, decls, json{{"degree", "light"}, {"kind", "self_use"}}), "unknown");
  EXPECT_EQ(Ev(level, decls, json{{"degree", "light"}, {"kind", "self_use"}, {"pfi", "c3"}}), "4");
  const std::string provider = "match kind { system_provider | seat_rental => true, _ => false }";
  EXPECT_EQ(Ev(provider, decls, json{{"degree", "light"}, {"kind", "seat_rental"}}), "true");
  EXPECT_EQ(Ev(provider, decls, json{{"degree", "light"}, {"kind", "system_provider"}}), "true");
  EXPECT_EQ(Ev(provider, decls, json{{"degree", "light"}, {"kind", "self_use"}}), "false");
}

TEST(InterpControl, EnumComparison) {
  const std::string decls =
      "enum Degree { very_serious, serious, medium, light }\n"
      "enum Risk { serious, low }\n"
      "input { degree: Degree, risk: Risk }\n";
  json f = {{"degree", "serious"}, {"risk", "low"}};
  EXPECT_EQ(Ev("degree == serious", decls, f), "true");
  EXPECT_EQ(Ev("risk == Risk.serious", decls, f), "false");
  EXPECT_EQ(Ev("risk == low", decls, f), "true");
  EXPECT_EQ(Ev("degree in {very_serious, serious}", decls, f), "true");
  EXPECT_EQ(Ev("degree != Degree.light", decls, f), "true");
}

TEST(InterpFunctions, CallsAndLocals) {
  const std::string decls =
      "param floor_fee: int = 5\n"
      "function higher(a: int, b: int) -> int = if a > b then a else b\n"
      "function fee(amount: int) -> int = higher(amount / 100, floor_fee)\n"
      "function over(xs: list<int>, t: int) -> int = count x in xs: x > t\n"
      "input { amounts: list<int> }\n";
  json f = {{"amounts", {250, 1200, 90}}};
  EXPECT_EQ(Ev("higher(3, 9)", decls, f), "9");
  EXPECT_EQ(Ev("higher(9, 3)", decls, f), "9");
  EXPECT_EQ(Ev("fee(1200)", decls, f), "12");
  EXPECT_EQ(Ev("fee(250)", decls, f), "5");
  EXPECT_EQ(Ev("sum x in amounts: fee(x)", decls, f), "22");
  // A function's parameters do not clobber the caller's quantifier variable.
  EXPECT_EQ(Ev("sum x in amounts: x + higher(1, 2) - 2", decls, f), "1540");
  EXPECT_EQ(Ev("over(amounts, 100)", decls, f), "2");
  EXPECT_EQ(Ev("sum x in amounts: over(amounts, x)", decls, f), "3");  // 1 + 0 + 2
}

TEST(InterpFunctions, ParamsInFunctionsFollowOverrides) {
  Policy p(
      "param floor_fee: int = 5\n"
      "function fee(amount: int) -> int = max(amount / 100, floor_fee)\n"
      "let f = fee(100)\n");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p.Get("f"), "5");
  EXPECT_EQ(p.Get("f", json::object(), kDay, {{"floor_fee", "0"}}), "1");
}

}  // namespace
}  // namespace interp_test
}  // namespace proviso
