// The reference interpreter: the semantics of every construct, on small policies compiled from text.
// Each test states the value the language gives (docs/language.md) and checks the interpreter's.
#include "compiler/interp/interp.h"

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "compiler/diag/diagnostic.h"
#include "compiler/driver/driver.h"
#include "compiler/interp/facts.h"
#include "compiler/interp/test_runner.h"
#include "compiler/ir/ir.h"
#include "compiler/support/calendar.h"

namespace proviso {
namespace {

using nlohmann::json;

constexpr const char* kDay = "2020-06-01";

int64_t Day(const std::string& s) {
  auto d = ParseDate(s);
  EXPECT_TRUE(d.has_value()) << s;
  return d.value_or(0);
}

// A policy compiled from text and lowered to IR, with helpers to evaluate it.
class Policy {
 public:
  explicit Policy(const std::string& text) {
    auto fe = CompileSource("test.proviso", text);
    if (!fe->ok()) {
      ADD_FAILURE() << "the policy does not compile:\n" << RenderText(fe->diags.diagnostics(), fe->sources) << "\n" << text;
      return;
    }
    program_ = ir::Lower(std::move(fe->program));
  }

  bool ok() const { return program_ != nullptr; }
  const ir::Program& p() const { return *program_; }

  interp::EvalOptions Options(const std::string& as_of, const std::map<std::string, std::string>& sets = {},
                              bool explain = false) const {
    interp::EvalOptions o;
    o.as_of = Day(as_of);
    o.explain = explain;
    for (const auto& [name, text] : sets) {
      int i = program_->FindParam(name);
      EXPECT_GE(i, 0) << "no param " << name;
      if (i >= 0) o.param_overrides[i] = interp::ParseParamValue(text, program_->params[i].type, *program_, name);
    }
    return o;
  }

  // Evaluates the whole policy; EvalError and FactsError propagate.
  interp::Result Run(const json& facts, const std::string& as_of = kDay,
                     const std::map<std::string, std::string>& sets = {}, bool explain = false) const {
    Value input = interp::FactsFromJson(facts, *program_);
    return interp::Evaluate(*program_, input, Options(as_of, sets, explain));
  }

  // The value of the output or let `name` in Proviso spelling, or "error: <message>" when the
  // evaluation fails.
  std::string Get(const std::string& name, const json& facts = json::object(), const std::string& as_of = kDay,
                  const std::map<std::string, std::string>& sets = {}) const {
    if (!ok()) return "<policy does not compile>";
    try {
      Value input = interp::FactsFromJson(facts, *program_);
      interp::EvalOptions opts = Options(as_of, sets);
      int o = program_->FindOutput(name);
      if (o >= 0) {
        interp::Result r = interp::Evaluate(*program_, input, opts);
        return FormatValue(r.outputs[o], program_->outputs[o].type, program_->types());
      }
      for (size_t l = 0; l < program_->lets.size(); ++l) {
        if (program_->lets[l].name == name) {
          Value v = interp::EvaluateLet(*program_, input, opts, static_cast<int>(l));
          return FormatValue(v, program_->lets[l].type, program_->types());
        }
      }
      return "<no output or let " + name + ">";
    } catch (const interp::EvalError& e) {
      return std::string("error: ") + e.what();
    } catch (const interp::FactsError& e) {
      return std::string("facts error: ") + e.what();
    }
  }

  // The message of the EvalError the whole evaluation throws, or "" when it gives a decision.
  std::string Error(const json& facts = json::object(), const std::string& as_of = kDay,
                    const std::map<std::string, std::string>& sets = {}) const {
    if (!ok()) return "<policy does not compile>";
    try {
      Run(facts, as_of, sets);
      return "";
    } catch (const interp::EvalError& e) {
      return e.what();
    }
  }

  int Rule(const std::string& name) const {
    for (size_t i = 0; i < program_->rules.size(); ++i) {
      if (program_->rules[i].name == name) return static_cast<int>(i);
    }
    ADD_FAILURE() << "no rule " << name;
    return -1;
  }

 private:
  std::unique_ptr<ir::Program> program_;
};

// The value of `let v = EXPR` (or `let v: TYPE = EXPR` when `type` is given) in a policy made of
// `decls`, in Proviso spelling, or "error: <message>".
std::string Ev(const std::string& expr, const std::string& decls = "", const json& facts = json::object(),
               const std::string& type = "", const std::string& as_of = kDay) {
  Policy p(decls + "\nlet v" + (type.empty() ? "" : ": " + type) + " = " + expr + "\n");
  return p.Get("v", facts, as_of);
}

bool Contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

const interp::ObligationResult* FindObligation(const ir::Program& p, const interp::Result& r, const std::string& name) {
  int index = p.FindObligation(name);
  EXPECT_GE(index, 0) << "no obligation " << name;
  for (const auto& o : r.obligations) {
    if (o.obligation == index) return &o;
  }
  return nullptr;
}

std::vector<std::string> ObligationNames(const ir::Program& p, const interp::Result& r) {
  std::vector<std::string> out;
  for (const auto& o : r.obligations) out.push_back(p.obligations[o.obligation].name);
  return out;
}

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

// ================================================================ tables

const char* kTables = R"(
enum Object { national_security, public_interest, individuals }
enum Degree { very_serious, serious, medium, light }
enum Decision { deny, review, permit }
param lo: int = 10
param hi: int = 20
input { object: Object, degree: Degree, score: int, country: text, on: date, kept: duration }

table impact(object: Object, degree: Degree) -> int hit unique cite "4.2" {
  national_security, very_serious => 5
  national_security, {serious, medium} => 4
  national_security, light => 3
  {public_interest, individuals}, very_serious => 3
  {public_interest, individuals}, {serious, medium, light} => 1
}
table band(score: int) -> text hit unique {
  < 0 => "invalid"
  0..49 => "low"
  50..79 => "medium"
  >= 80 => "high"
}
table overlapping(score: int) -> text hit unique {
  >= lo => "at least lo"
  <= hi => "at most hi"
}
table no_default(score: int) -> int hit unique {
  >= lo => 1
}
table with_default(score: int) -> int hit unique {
  >= lo => 1
  default => 0
}
table agree(score: int) -> bool hit any {
  >= lo => true
  <= hi => true
  default => false
}
table disagree(score: int) -> text hit any {
  >= lo => "big"
  <= hi => "small"
}
table vat(country: text, score: int) -> decimal hit first {
  "DE", > 1000 => 0.19
  "DE", _ => 0.07
  _, != 0 => 0.05
  default => 0.0
}
table decide(object: Object, score: int) -> Decision hit priority {
  _, _ => permit
  _, >= 50 => review
  national_security, _ => deny
}
table flags(object: Object, score: int) -> text hit collect {
  national_security, _ => "state-secret review"
  _, >= 50 => "manual review"
  _, >= 90 => "escalate"
}
table fine(object: Object, score: int) -> int hit collect sum {
  national_security, _ => 1000
  _, >= 50 => 200
}
table worst(object: Object, score: int) -> int hit collect max {
  national_security, _ => 5
  _, >= 50 => 3
  _, >= 0 => 1
}
table least(object: Object, score: int) -> int hit collect min {
  national_security, _ => 5
  _, >= 50 => 3
}
table hits(object: Object, score: int) -> int hit collect count {
  national_security, _ => 1
  _, >= 50 => 1
}
table era(on: date) -> int hit unique {
  < 2021-01-01 => 1
  >= 2021-01-01 => 2
}
table long_enough(kept: duration, minimum: duration) -> bool hit first {
  >= minimum, _ => true
  >= 30 days, _ => true
  default => false
}

let impact_v = impact(object, degree)
let band_v = band(score)
let overlapping_v = overlapping(score)
let no_default_v = no_default(score)
let with_default_v = with_default(score)
let agree_v = agree(score)
let disagree_v = disagree(score)
let vat_v = vat(country, score)
let decide_v = decide(object, score)
let flags_v = flags(object, score)
let fine_v = fine(object, score)
let worst_v = worst(object, score)
let least_v = least(object, score)
let hits_v = hits(object, score)
let era_v = era(on)
let long_enough_v = long_enough(kept, 60 days)
)";

json TableFacts(const std::string& object, int score, const std::string& country = "CN") {
  return json{{"object", object}, {"degree", "light"}, {"score", score}, {"country", country},
              {"on", "2020-12-31"}, {"kept", "10 days"}};
}

TEST(InterpTables, UniqueWithEnumsAndSetCells) {
  Policy p(kTables);
  ASSERT_TRUE(p.ok());
  auto impact = [&](const std::string& o, const std::string& d) {
    json f = TableFacts(o, 0);
    f["degree"] = d;
    return p.Get("impact_v", f);
  };
  EXPECT_EQ(impact("national_security", "very_serious"), "5");
  EXPECT_EQ(impact("national_security", "serious"), "4");
  EXPECT_EQ(impact("national_security", "medium"), "4");
  EXPECT_EQ(impact("national_security", "light"), "3");
  EXPECT_EQ(impact("individuals", "very_serious"), "3");
  EXPECT_EQ(impact("public_interest", "light"), "1");
}

TEST(InterpTables, RangeCellsAreInclusive) {
  Policy p(kTables);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p.Get("band_v", TableFacts("individuals", -1)), "\"invalid\"");
  EXPECT_EQ(p.Get("band_v", TableFacts("individuals", 0)), "\"low\"");
  EXPECT_EQ(p.Get("band_v", TableFacts("individuals", 49)), "\"low\"");
  EXPECT_EQ(p.Get("band_v", TableFacts("individuals", 50)), "\"medium\"");
  EXPECT_EQ(p.Get("band_v", TableFacts("individuals", 79)), "\"medium\"");
  EXPECT_EQ(p.Get("band_v", TableFacts("individuals", 80)), "\"high\"");
}

TEST(InterpTables, UniqueWithTwoMatchesIsAnErrorNamingBothRows) {
  Policy p(kTables);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p.Get("overlapping_v", TableFacts("individuals", 5)), "\"at most hi\"");
  EXPECT_EQ(p.Get("overlapping_v", TableFacts("individuals", 25)), "\"at least lo\"");
  std::string e = p.Get("overlapping_v", TableFacts("individuals", 15));
  EXPECT_TRUE(Contains(e, "error: rows 1 and 2 of table `overlapping` both match (15)")) << e;
  EXPECT_TRUE(Contains(e, "unique")) << e;
  // The bounds are params: moving them removes the overlap.
  EXPECT_EQ(p.Get("overlapping_v", TableFacts("individuals", 15), kDay, {{"lo", "16"}}), "\"at most hi\"");
}

TEST(InterpTables, NoMatchWithoutDefaultIsAnError) {
  Policy p(kTables);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p.Get("no_default_v", TableFacts("individuals", 10)), "1");
  std::string e = p.Get("no_default_v", TableFacts("individuals", 9));
  EXPECT_TRUE(Contains(e, "error: no row of table `no_default` matches (9)")) << e;
  EXPECT_EQ(p.Get("with_default_v", TableFacts("individuals", 9)), "0");
  EXPECT_EQ(p.Get("with_default_v", TableFacts("individuals", 10)), "1");
}

TEST(InterpTables, AnyAgreeingAndDisagreeing) {
  Policy p(kTables);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p.Get("agree_v", TableFacts("individuals", 15)), "true");   // both rows, same result
  EXPECT_EQ(p.Get("agree_v", TableFacts("individuals", 5)), "true");
  EXPECT_EQ(p.Get("disagree_v", TableFacts("individuals", 5)), "\"small\"");
  EXPECT_EQ(p.Get("disagree_v", TableFacts("individuals", 25)), "\"big\"");
  std::string e = p.Get("disagree_v", TableFacts("individuals", 15));
  EXPECT_TRUE(Contains(e, "error: rows 1 and 2 of table `disagree` both match (15) with different results")) << e;
  EXPECT_TRUE(Contains(e, "`any`")) << e;
}

TEST(InterpTables, FirstTakesTheFirstMatchingRow) {
  Policy p(kTables);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p.Get("vat_v", TableFacts("individuals", 1001, "DE")), "0.19");
  EXPECT_EQ(p.Get("vat_v", TableFacts("individuals", 1000, "DE")), "0.07");
  EXPECT_EQ(p.Get("vat_v", TableFacts("individuals", 0, "DE")), "0.07");
  EXPECT_EQ(p.Get("vat_v", TableFacts("individuals", 5, "FR")), "0.05");
  EXPECT_EQ(p.Get("vat_v", TableFacts("individuals", 0, "FR")), "0");
}

TEST(InterpTables, PriorityFollowsEnumOrder) {
  Policy p(kTables);
  ASSERT_TRUE(p.ok());
  // Decision { deny, review, permit }: the value declared first wins, whatever the row order.
  EXPECT_EQ(p.Get("decide_v", TableFacts("individuals", 10)), "permit");
  EXPECT_EQ(p.Get("decide_v", TableFacts("individuals", 50)), "review");
  EXPECT_EQ(p.Get("decide_v", TableFacts("national_security", 10)), "deny");
  EXPECT_EQ(p.Get("decide_v", TableFacts("national_security", 50)), "deny");
}

TEST(InterpTables, CollectAndAggregations) {
  Policy p(kTables);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p.Get("flags_v", TableFacts("national_security", 95)),
            "[\"state-secret review\", \"manual review\", \"escalate\"]");
  EXPECT_EQ(p.Get("flags_v", TableFacts("individuals", 60)), "[\"manual review\"]");
  EXPECT_EQ(p.Get("flags_v", TableFacts("individuals", 10)), "[]");
  EXPECT_EQ(p.Get("fine_v", TableFacts("national_security", 60)), "1200");
  EXPECT_EQ(p.Get("fine_v", TableFacts("individuals", 60)), "200");
  EXPECT_EQ(p.Get("fine_v", TableFacts("individuals", 10)), "0");
  EXPECT_EQ(p.Get("worst_v", TableFacts("national_security", 60)), "5");
  EXPECT_EQ(p.Get("worst_v", TableFacts("individuals", 60)), "3");
  EXPECT_EQ(p.Get("worst_v", TableFacts("individuals", 10)), "1");
  EXPECT_EQ(p.Get("least_v", TableFacts("national_security", 60)), "3");
  EXPECT_EQ(p.Get("least_v", TableFacts("national_security", 10)), "5");
  std::string e = p.Get("least_v", TableFacts("individuals", 10));
  EXPECT_TRUE(Contains(e, "error: no row of table `least` matches")) << e;
  e = p.Get("worst_v", TableFacts("individuals", -1));
  EXPECT_TRUE(Contains(e, "error: no row of table `worst` matches")) << e;
  EXPECT_EQ(p.Get("hits_v", TableFacts("national_security", 60)), "2");
  EXPECT_EQ(p.Get("hits_v", TableFacts("individuals", 60)), "1");
  EXPECT_EQ(p.Get("hits_v", TableFacts("individuals", 10)), "0");
}

TEST(InterpTables, CollectAggregationsUseTheDefaultRowWhenNothingMatches) {
  // docs/language.md: "`default => EXPR` ... is the result when no row matches".
  Policy p(R"(
input { n: int }
table fine(n: int) -> int hit collect sum {
  > 10 => 100
  > 20 => 50
  default => 7
}
table most(n: int) -> int hit collect max {
  > 10 => 100
  default => 7
}
let fine_v = fine(n)
let most_v = most(n)
)");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p.Get("fine_v", json{{"n", 25}}), "150");
  EXPECT_EQ(p.Get("most_v", json{{"n", 5}}), "7");
  EXPECT_EQ(p.Get("fine_v", json{{"n", 5}}), "7");
}

TEST(InterpTables, DateAndDurationCellsAndColumnReferences) {
  Policy p(kTables);
  ASSERT_TRUE(p.ok());
  json f = TableFacts("individuals", 0);
  EXPECT_EQ(p.Get("era_v", f), "1");
  f["on"] = "2021-01-01";
  EXPECT_EQ(p.Get("era_v", f), "2");
  f["kept"] = "29 days";
  EXPECT_EQ(p.Get("long_enough_v", f), "false");
  f["kept"] = "30 days";
  EXPECT_EQ(p.Get("long_enough_v", f), "true");   // second row
  f["kept"] = "61 days";
  EXPECT_EQ(p.Get("long_enough_v", f), "true");   // first row: compares with the other column
  f["kept"] = "2 months";
  std::string e = p.Get("long_enough_v", f);
  EXPECT_TRUE(Contains(e, "error: cannot compare `2 months` with `60 days`")) << e;
}

TEST(InterpTables, TableInsideQuantifierAndFunction) {
  Policy p(R"(
enum Degree { very_serious, serious, medium, light }
record Impact { degree: Degree, weight: int }
input { impacts: list<Impact> }
table level(degree: Degree, weight: int) -> int hit first {
  very_serious, _ => 4
  _, >= 10 => 3
  _, _ => 1
}
function scaled(d: Degree, w: int) -> int = level(d, w) * 10 + w
let total = sum i in impacts: scaled(i.degree, i.weight)
let top = max i in impacts: level(i.degree, i.weight)
)");
  ASSERT_TRUE(p.ok());
  json f = {{"impacts",
             {{{"degree", "light"}, {"weight", 12}},
              {{"degree", "very_serious"}, {"weight", 1}},
              {{"degree", "medium"}, {"weight", 2}}}}};
  EXPECT_EQ(p.Get("total", f), "95");  // (3*10+12) + (4*10+1) + (1*10+2)
  EXPECT_EQ(p.Get("top", f), "4");
}

// ================================================================ default logic

const char* kExport = R"(
policy export_control
  document "Export Control Law"

enum ExportDecision { permit, review, deny }
input { controlled_item: bool, approved: bool, destination: text, overseas_law_enforcement: bool, reexport: bool = false }

param sanctioned: set<text> = {"XX", "YY"} cite "Annex 2"

output export: ExportDecision
output note: text?

/// Everything not forbidden is permitted.
rule permit_by_default { then export = permit cite "Art. 1" }

rule deny_controlled exception to permit_by_default {
  when controlled_item
  then export = deny
  cite "Art. 23"
}

rule approved_controlled exception to deny_controlled {
  when approved
  then export = permit
  cite "Art. 24"
}

rule review_sanctioned exception to permit_by_default priority 1 {
  when destination in sanctioned
  then export = review
  cite "Art. 25"
}

rule deny_judicial exception to permit_by_default priority 2 {
  when overseas_law_enforcement and not approved
  then export = deny
  cite "Art. 36" of "Data Security Law"
}

rule sanctioned_note {
  when destination in sanctioned
  then note = "destination under sanctions"
  effective from 2021-01-01 until 2030-01-01
  cite "Annex 2"
}
)";

json ExportFacts(bool controlled, bool approved, const std::string& dest, bool law_enforcement) {
  return json{{"controlled_item", controlled}, {"approved", approved}, {"destination", dest},
              {"overseas_law_enforcement", law_enforcement}};
}

TEST(InterpRules, DefaultRuleAndException) {
  Policy p(kExport);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p.Get("export", ExportFacts(false, false, "DE", false)), "permit");
  EXPECT_EQ(p.Get("export", ExportFacts(true, false, "DE", false)), "deny");
}

TEST(InterpRules, MostSpecificExceptionWins) {
  Policy p(kExport);
  ASSERT_TRUE(p.ok());
  // approved_controlled is an exception to deny_controlled, itself an exception to the default.
  EXPECT_EQ(p.Get("export", ExportFacts(true, true, "DE", false)), "permit");
  // The exception to an exception applies even when its parent's condition does not hold.
  EXPECT_EQ(p.Get("export", ExportFacts(false, true, "DE", false)), "permit");
}

TEST(InterpRules, PriorityBetweenSiblings) {
  Policy p(kExport);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p.Get("export", ExportFacts(false, false, "XX", false)), "review");
  // deny_controlled (priority 0) and review_sanctioned (priority 1) both apply: review wins.
  EXPECT_EQ(p.Get("export", ExportFacts(true, false, "XX", false)), "review");
  // deny_judicial (priority 2) beats both.
  EXPECT_EQ(p.Get("export", ExportFacts(true, false, "XX", true)), "deny");
  EXPECT_EQ(p.Get("export", ExportFacts(false, false, "DE", true)), "deny");
  // The winner's own exceptions still count: approved_controlled under deny_controlled, which
  // loses to review_sanctioned.
  EXPECT_EQ(p.Get("export", ExportFacts(true, true, "XX", false)), "review");
}

TEST(InterpRules, OptionalOutputWithoutApplicableRuleIsNone) {
  Policy p(kExport);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p.Get("note", ExportFacts(false, false, "DE", false), "2021-06-01"), "none");
  EXPECT_EQ(p.Get("note", ExportFacts(false, false, "XX", false), "2021-06-01"), "\"destination under sanctions\"");
  // Not in force yet: none, and no error.
  EXPECT_EQ(p.Get("note", ExportFacts(false, false, "XX", false), "2020-12-31"), "none");
  EXPECT_EQ(p.Error(ExportFacts(false, false, "XX", false), "2020-12-31"), "");
}

// Exceptions to one rule, with and without priorities.
const char* kSiblings = R"(
enum Level { low, mid, high }
input { a: bool, b: bool, c: bool, d: bool }
output level: Level
rule base { then level = low }
rule ea exception to base { when a then level = mid }
rule eb exception to base { when b then level = high }
rule ec exception to base priority 5 { when c then level = mid }
rule ed exception to base priority 5 { when d then level = high }
)";

// Roots only (no rule that always applies), for an optional and a required output.
const char* kRoots = R"(
input { a: bool, b: bool, c: bool, d: bool }
output opt: int?
output flag: bool
rule opt_a { when a then opt = 1 }
rule opt_b { when b then opt = 2 }
rule flag_c { when c then flag = true }
rule flag_d { when d then flag = true }
)";

json Abcd(bool a, bool b, bool c, bool d) { return json{{"a", a}, {"b", b}, {"c", c}, {"d", d}}; }

TEST(InterpRules, TwoApplicableSiblingsWithoutPriorityConflict) {
  Policy p(kSiblings);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p.Get("level", Abcd(false, false, false, false)), "low");
  EXPECT_EQ(p.Get("level", Abcd(true, false, false, false)), "mid");
  EXPECT_EQ(p.Get("level", Abcd(false, true, false, false)), "high");
  std::string e = p.Get("level", Abcd(true, true, false, false));
  EXPECT_TRUE(Contains(e, "error: rules `ea` and `eb`, exceptions to `base`, give output `level` "
                          "different values")) << e;
  EXPECT_TRUE(Contains(e, "conflict")) << e;
  // Same priority 5, different values.
  e = p.Get("level", Abcd(false, false, true, true));
  EXPECT_TRUE(Contains(e, "`ec`") && Contains(e, "`ed`") && Contains(e, "conflict")) << e;
}

TEST(InterpRules, HigherPrioritySiblingWins) {
  Policy p(kSiblings);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p.Get("level", Abcd(false, true, true, false)), "mid");   // ec (5) beats eb (0)
  EXPECT_EQ(p.Get("level", Abcd(true, false, false, true)), "high");  // ed (5) beats ea (0)
  // The two priority-0 rules conflict, but a priority-5 rule applies too: no conflict.
  EXPECT_EQ(p.Get("level", Abcd(true, true, false, true)), "high");
}

TEST(InterpRules, TwoApplicableRootsWithoutPriorityConflict) {
  Policy p(kRoots);
  ASSERT_TRUE(p.ok());
  std::string e = p.Get("opt", Abcd(true, true, true, false));
  EXPECT_TRUE(Contains(e, "error: rules `opt_a` and `opt_b` give output `opt`")) << e;
  EXPECT_TRUE(Contains(e, "conflict")) << e;
  EXPECT_EQ(p.Get("opt", Abcd(false, true, true, false)), "2");
  EXPECT_EQ(p.Get("opt", Abcd(true, false, true, false)), "1");
  EXPECT_EQ(p.Get("opt", Abcd(false, false, true, false)), "none");
}

TEST(InterpRules, SiblingsGivingTheSameValueAreAlternativesNotAConflict) {
  // docs/language.md §12: any of several triggers gives the value; only different values conflict.
  Policy p(kRoots);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p.Error(Abcd(false, false, true, false)), "");
  EXPECT_EQ(p.Get("flag", Abcd(false, false, true, true)), "true");
  std::string e = p.Error(Abcd(true, true, true, true));
  EXPECT_TRUE(Contains(e, "rules `opt_a` and `opt_b` give output `opt` different values")) << e;
  EXPECT_TRUE(Contains(e, "`opt_a` applies and gives 1; `opt_b` applies and gives 2")) << e;
}

TEST(InterpRules, AnExceptionToSeveralRulesOverridesEach) {
  Policy p(R"(
input { a: bool, b: bool, c: bool }
output fee: int
rule base { then fee = 0 }
rule for_a exception to base { when a then fee = 10 }
rule for_b exception to base { when b then fee = 20 }
rule waiver exception to for_a, for_b { when c then fee = 5 }
)");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p.Get("fee", json{{"a", false}, {"b", false}, {"c", true}}), "5");  // it overrides the general rule too
  EXPECT_EQ(p.Get("fee", json{{"a", true}, {"b", false}, {"c", false}}), "10");
  EXPECT_EQ(p.Get("fee", json{{"a", true}, {"b", true}, {"c", true}}), "5");  // one value through both parents
  std::string e = p.Get("fee", json{{"a", true}, {"b", true}, {"c", false}});
  EXPECT_TRUE(Contains(e, "rules `for_a` and `for_b`, exceptions to `base`, give output `fee`")) << e;
}

TEST(InterpRules, NoApplicableRuleForARequiredOutputIsAnError) {
  Policy p(kRoots);
  ASSERT_TRUE(p.ok());
  std::string e = p.Error(Abcd(true, false, false, false));
  EXPECT_TRUE(Contains(e, "no rule applies to output `flag`")) << e;
  // No partial decision: the whole evaluation fails even though `opt` has a value.
  EXPECT_THROW(p.Run(Abcd(true, false, false, false)), interp::EvalError);
}

TEST(InterpRules, ExceptionsCountOnlyWhileInForce) {
  Policy p(R"(
input { big: bool }
output fee: int
rule standard { then fee = 10 }
rule big_fee exception to standard {
  when big
  then fee = 20
  effective from 2021-01-01 until 2022-01-01
}
)");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p.Get("fee", json{{"big", true}}, "2020-12-31"), "10");
  EXPECT_EQ(p.Get("fee", json{{"big", true}}, "2021-01-01"), "20");
  EXPECT_EQ(p.Get("fee", json{{"big", true}}, "2021-12-31"), "20");
  EXPECT_EQ(p.Get("fee", json{{"big", true}}, "2022-01-01"), "10");
  EXPECT_EQ(p.Get("fee", json{{"big", false}}, "2021-06-01"), "10");
}

TEST(InterpRules, OutputsAndLetsMayUseOtherOutputs) {
  Policy p(R"(
input { n: int }
output big: bool
output label: text
rule big_yes { when n > 10 then big = true }
rule big_no { when n <= 10 then big = false }
rule label_default { then label = "small" }
rule label_big exception to label_default { when big then label = "big" }
let twice = if big then n * 2 else n
)");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p.Get("label", json{{"n", 11}}), "\"big\"");
  EXPECT_EQ(p.Get("label", json{{"n", 10}}), "\"small\"");
  EXPECT_EQ(p.Get("twice", json{{"n", 11}}), "22");
  EXPECT_EQ(p.Get("twice", json{{"n", 3}}), "3");
}

// ================================================================ effective dates and params

const char* kRetention = R"(
policy retention
  effective from 2020-06-08

input { ended_on: date, deleted_on: date? }

param min_retention: duration = 30 days
  effective from 2020-06-08 until 2022-01-01 cite "para. 4"
param min_retention: duration = 60 days
  effective from 2022-01-01 cite "para. 4, amended"

output regime: text
rule old_regime {
  then regime = "2020 circular"
  effective from 2020-06-08 until 2022-01-01
}
rule new_regime {
  then regime = "2022 amendment"
  effective from 2022-01-01
}

let kept_for: duration = (deleted_on ?? as_of) - ended_on
let too_short = kept_for < min_retention
let minimum = min_retention
)";

TEST(InterpEffective, RulesAreSelectedByAsOf) {
  Policy p(kRetention);
  ASSERT_TRUE(p.ok());
  json f = {{"ended_on", "2020-07-01"}};
  EXPECT_EQ(p.Get("regime", f, "2020-06-08"), "\"2020 circular\"");   // from is inclusive
  EXPECT_EQ(p.Get("regime", f, "2021-12-31"), "\"2020 circular\"");
  EXPECT_EQ(p.Get("regime", f, "2022-01-01"), "\"2022 amendment\"");  // until is exclusive
  EXPECT_EQ(p.Get("regime", f, "2030-01-01"), "\"2022 amendment\"");
  std::string e = p.Get("regime", f, "2020-06-07");
  EXPECT_TRUE(Contains(e, "error: no rule applies to output `regime`")) << e;
}

TEST(InterpEffective, ParamVersionsAreSelectedByAsOf) {
  Policy p(kRetention);
  ASSERT_TRUE(p.ok());
  json f = {{"ended_on", "2021-11-01"}, {"deleted_on", "2021-12-16"}};  // kept 45 days
  EXPECT_EQ(p.Get("minimum", f, "2021-12-31"), "30 days");
  EXPECT_EQ(p.Get("minimum", f, "2022-01-01"), "60 days");
  EXPECT_EQ(p.Get("too_short", f, "2021-12-31"), "false");
  EXPECT_EQ(p.Get("too_short", f, "2022-01-01"), "true");
  // No version in force: an error only where the param is used.
  std::string e = p.Get("minimum", f, "2020-06-07");
  EXPECT_TRUE(Contains(e, "error: param `min_retention` has no version in force on 2020-06-07")) << e;
  EXPECT_EQ(p.Get("kept_for", f, "2020-06-07"), "45 days");
}

TEST(InterpEffective, InForceBoundariesOfTheIr) {
  Policy p(kRetention);
  ASSERT_TRUE(p.ok());
  const ir::Param& param = p.p().params[p.p().FindParam("min_retention")];
  ASSERT_EQ(param.versions.size(), 2u);
  EXPECT_EQ(FormatValue(*interp::ParamInForce(param, Day("2021-12-31")), param.type, p.p().types()), "30 days");
  EXPECT_EQ(FormatValue(*interp::ParamInForce(param, Day("2022-01-01")), param.type, p.p().types()), "60 days");
  EXPECT_EQ(interp::ParamInForce(param, Day("2020-06-07")), nullptr);
}

TEST(InterpParams, OverridesReplaceTheVersionInForce) {
  Policy p(kRetention);
  ASSERT_TRUE(p.ok());
  json f = {{"ended_on", "2021-11-01"}, {"deleted_on", "2021-12-16"}};  // kept 45 days
  EXPECT_EQ(p.Get("too_short", f, "2021-06-01", {{"min_retention", "60 days"}}), "true");
  EXPECT_EQ(p.Get("too_short", f, "2022-06-01", {{"min_retention", "45 days"}}), "false");
  EXPECT_EQ(p.Get("minimum", f, "2022-06-01", {{"min_retention", "2 weeks"}}), "14 days");
  // An override also stands in for a param with no version in force.
  EXPECT_EQ(p.Get("minimum", f, "2020-01-01", {{"min_retention", "10 days"}}), "10 days");
}

TEST(InterpParams, OverridesOfSetsTextsAndEnums) {
  Policy p(R"(
enum Country { cn, us, de }
param restricted: set<Country> = {us}
param names: set<text> = {"XX"}
param home: Country = cn
param rate: decimal = 0.05
input { c: Country, name: text, amount: decimal }
let restricted_c = c in restricted
let named = name in names
let at_home = c == home
let tax = amount * rate
)");
  ASSERT_TRUE(p.ok());
  json f = {{"c", "de"}, {"name", "ZZ"}, {"amount", 200}};
  EXPECT_EQ(p.Get("restricted_c", f), "false");
  EXPECT_EQ(p.Get("restricted_c", f, kDay, {{"restricted", "[\"us\", \"de\"]"}}), "true");
  EXPECT_EQ(p.Get("named", f, kDay, {{"names", "[\"ZZ\"]"}}), "true");
  EXPECT_EQ(p.Get("at_home", f, kDay, {{"home", "de"}}), "true");
  EXPECT_EQ(p.Get("tax", f), "10");
  EXPECT_EQ(p.Get("tax", f, kDay, {{"rate", "0.075"}}), "15");
}

// ================================================================ obligations

const char* kObligations = R"(
policy calls
  document "Circular"

input { operates: bool, resells: bool, approved: bool, ended_on: date, deleted_on: date?, due: date? }

param min_retention: duration = 30 days

let kept_for: duration = (deleted_on ?? as_of) - ended_on

obligation keep_records {
  subject "operator"
  must "keep call records"
  when operates
  deadline min_retention after ended_on
  violated when deleted_on is present and kept_for < min_retention
  cite "para. 4"
}

obligation self_examination {
  subject "operator"
  must "carry out a self-examination"
  deadline 2020-12-31
  cite "work requirements"
}

obligation report {
  subject "operator"
  must "report"
  when operates
  deadline due
  cite "para. 9" of "Other Notice"
}

obligation monthly {
  subject "operator"
  must "file monthly"
  when operates
  deadline 1 month after ended_on
  effective from 2021-01-01 until 2022-01-01
  cite "para. 10"
}

obligation no_resale {
  subject "operator"
  must not "resell trunk lines without approval"
  when resells
  violated when resells
  cite "para. 5"
}

obligation approved_resale exception to no_resale {
  subject "operator"
  may "resell trunk lines with approval"
  when resells and approved
  cite "para. 5"
}

obligation audited_resale exception to approved_resale {
  subject "operator"
  may "resell trunk lines after an audit"
  when resells and approved and operates
  cite "para. 6"
}
)";

json CallFacts(bool operates, const std::string& ended, const std::string& deleted = "") {
  json f = {{"operates", operates}, {"resells", false}, {"approved", false}, {"ended_on", ended}};
  if (!deleted.empty()) f["deleted_on"] = deleted;
  return f;
}

TEST(InterpObligations, WhenDeadlineAndViolation) {
  Policy p(kObligations);
  ASSERT_TRUE(p.ok());
  const ir::Program& prog = p.p();
  // Deleted after 29 days: violated; the deadline is 30 days after the end of the call.
  interp::Result r = p.Run(CallFacts(true, "2020-07-01", "2020-07-30"), "2020-09-01");
  const interp::ObligationResult* keep = FindObligation(prog, r, "keep_records");
  ASSERT_NE(keep, nullptr);
  EXPECT_TRUE(keep->violated);
  ASSERT_TRUE(keep->deadline.has_value());
  EXPECT_EQ(FormatDate(*keep->deadline), "2020-07-31");
  // Exactly 30 days: complies.
  r = p.Run(CallFacts(true, "2020-07-01", "2020-07-31"), "2020-09-01");
  keep = FindObligation(prog, r, "keep_records");
  ASSERT_NE(keep, nullptr);
  EXPECT_FALSE(keep->violated);
  // Still kept: not violated even before 30 days.
  r = p.Run(CallFacts(true, "2020-07-01"), "2020-07-10");
  keep = FindObligation(prog, r, "keep_records");
  ASSERT_NE(keep, nullptr);
  EXPECT_FALSE(keep->violated);
  // `when` false: not in the decision.
  r = p.Run(CallFacts(false, "2020-07-01", "2020-07-02"), "2020-09-01");
  EXPECT_EQ(FindObligation(prog, r, "keep_records"), nullptr);
}

TEST(InterpObligations, AlwaysApplyingAndConstantDeadline) {
  Policy p(kObligations);
  ASSERT_TRUE(p.ok());
  interp::Result r = p.Run(CallFacts(false, "2020-07-01"), "2020-09-01");
  EXPECT_EQ(ObligationNames(p.p(), r), std::vector<std::string>{"self_examination"});
  const interp::ObligationResult* s = FindObligation(p.p(), r, "self_examination");
  ASSERT_NE(s, nullptr);
  EXPECT_FALSE(s->violated);  // no `violated when`: never violated
  ASSERT_TRUE(s->deadline.has_value());
  EXPECT_EQ(FormatDate(*s->deadline), "2020-12-31");
}

TEST(InterpObligations, OptionalDeadline) {
  Policy p(kObligations);
  ASSERT_TRUE(p.ok());
  json f = CallFacts(true, "2020-07-01");
  interp::Result r = p.Run(f, "2020-09-01");
  const interp::ObligationResult* rep = FindObligation(p.p(), r, "report");
  ASSERT_NE(rep, nullptr);
  EXPECT_FALSE(rep->deadline.has_value());
  f["due"] = "2020-10-15";
  r = p.Run(f, "2020-09-01");
  rep = FindObligation(p.p(), r, "report");
  ASSERT_NE(rep, nullptr);
  ASSERT_TRUE(rep->deadline.has_value());
  EXPECT_EQ(FormatDate(*rep->deadline), "2020-10-15");
}

TEST(InterpObligations, EffectivePeriodAndMonthDeadline) {
  Policy p(kObligations);
  ASSERT_TRUE(p.ok());
  json f = CallFacts(true, "2021-01-31");
  EXPECT_EQ(FindObligation(p.p(), p.Run(f, "2020-12-31"), "monthly"), nullptr);
  EXPECT_EQ(FindObligation(p.p(), p.Run(f, "2022-01-01"), "monthly"), nullptr);
  interp::Result r = p.Run(f, "2021-01-01");
  const interp::ObligationResult* m = FindObligation(p.p(), r, "monthly");
  ASSERT_NE(m, nullptr);
  ASSERT_TRUE(m->deadline.has_value());
  EXPECT_EQ(FormatDate(*m->deadline), "2021-02-28");
  EXPECT_NE(FindObligation(p.p(), p.Run(f, "2021-12-31"), "monthly"), nullptr);
}

TEST(InterpObligations, ParamOverrideMovesDeadlineAndViolation) {
  Policy p(kObligations);
  ASSERT_TRUE(p.ok());
  interp::Result r = p.Run(CallFacts(true, "2020-07-01", "2020-08-15"), "2020-09-01", {{"min_retention", "60 days"}});
  const interp::ObligationResult* keep = FindObligation(p.p(), r, "keep_records");
  ASSERT_NE(keep, nullptr);
  EXPECT_TRUE(keep->violated);
  EXPECT_EQ(FormatDate(keep->deadline.value_or(0)), "2020-08-30");
}

TEST(InterpObligations, ExceptionReplacesTheObligation) {
  Policy p(kObligations);
  ASSERT_TRUE(p.ok());
  const ir::Program& prog = p.p();
  json f = CallFacts(false, "2020-07-01");
  f["resells"] = true;
  interp::Result r = p.Run(f, "2020-09-01");
  const interp::ObligationResult* no_resale = FindObligation(prog, r, "no_resale");
  ASSERT_NE(no_resale, nullptr);
  EXPECT_TRUE(no_resale->violated);
  EXPECT_EQ(FindObligation(prog, r, "approved_resale"), nullptr);
  EXPECT_TRUE(r.suppressed_obligations.empty());

  f["approved"] = true;
  r = p.Run(f, "2020-09-01", {}, /*explain=*/true);
  EXPECT_EQ(FindObligation(prog, r, "no_resale"), nullptr);
  const interp::ObligationResult* approved = FindObligation(prog, r, "approved_resale");
  ASSERT_NE(approved, nullptr);
  EXPECT_FALSE(approved->violated);
  EXPECT_EQ(approved->replaces, std::vector<int>{prog.FindObligation("no_resale")});
  EXPECT_EQ(r.suppressed_obligations, std::vector<int>{prog.FindObligation("no_resale")});

  // The most specific exception replaces both the rule and the first exception.
  f["operates"] = true;
  r = p.Run(f, "2020-09-01");
  EXPECT_EQ(FindObligation(prog, r, "no_resale"), nullptr);
  EXPECT_EQ(FindObligation(prog, r, "approved_resale"), nullptr);
  EXPECT_NE(FindObligation(prog, r, "audited_resale"), nullptr);
  EXPECT_EQ(r.suppressed_obligations.size(), 2u);
}

TEST(InterpObligations, DeclarationOrder) {
  Policy p(kObligations);
  ASSERT_TRUE(p.ok());
  json f = CallFacts(true, "2021-03-01");
  f["due"] = "2021-04-01";
  interp::Result r = p.Run(f, "2021-03-02");
  EXPECT_EQ(ObligationNames(p.p(), r),
            (std::vector<std::string>{"keep_records", "self_examination", "report", "monthly"}));
}

TEST(InterpObligations, AnErrorInAConditionGivesNoDecision) {
  Policy p(R"(
input { n: int, d: int }
output ok: bool
rule always { then ok = true }
obligation divide {
  subject "s"
  must "divide"
  when n / d > 1
  cite "x"
}
)");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p.Error(json{{"n", 4}, {"d", 2}}), "");
  EXPECT_TRUE(Contains(p.Error(json{{"n", 4}, {"d", 0}}), "division by zero"));
}

// ================================================================ explanations

TEST(InterpExplain, RuleTraces) {
  Policy p(kExport);
  ASSERT_TRUE(p.ok());
  const ir::Program& prog = p.p();
  interp::Result r = p.Run(ExportFacts(true, false, "DE", false), "2021-06-01", {}, /*explain=*/true);
  int export_out = prog.FindOutput("export");
  ASSERT_EQ(r.trace.size(), prog.outputs.size());
  const interp::OutputTrace& t = r.trace[export_out];
  EXPECT_EQ(t.winner, p.Rule("deny_controlled"));
  auto find = [&](const std::string& rule) -> const interp::RuleTrace* {
    for (const auto& rt : t.rules) if (rt.rule == p.Rule(rule)) return &rt;
    return nullptr;
  };
  const interp::RuleTrace* base = find("permit_by_default");
  ASSERT_NE(base, nullptr);
  EXPECT_EQ(base->status, interp::RuleStatus::kOverridden);
  EXPECT_EQ(base->overridden_by, p.Rule("deny_controlled"));
  const interp::RuleTrace* deny = find("deny_controlled");
  ASSERT_NE(deny, nullptr);
  EXPECT_EQ(deny->status, interp::RuleStatus::kApplied);
  ASSERT_TRUE(deny->condition.has_value());
  EXPECT_TRUE(*deny->condition);
  ASSERT_EQ(deny->bindings.size(), 1u);
  EXPECT_EQ(deny->bindings[0].expr, "controlled_item");
  EXPECT_EQ(deny->bindings[0].value, "true");
  const interp::RuleTrace* approved = find("approved_controlled");
  ASSERT_NE(approved, nullptr);
  EXPECT_EQ(approved->status, interp::RuleStatus::kNotApplicable);
  EXPECT_EQ(approved->condition, std::optional<bool>(false));
  const interp::RuleTrace* review = find("review_sanctioned");
  ASSERT_NE(review, nullptr);
  EXPECT_EQ(review->status, interp::RuleStatus::kNotApplicable);
  // The bindings of `destination in sanctioned` show the fact and the param.
  std::map<std::string, std::string> b;
  for (const auto& x : review->bindings) b[x.expr] = x.value;
  EXPECT_EQ(b["destination"], "\"DE\"");
  EXPECT_EQ(b["sanctioned"], "{\"XX\", \"YY\"}");
}

TEST(InterpExplain, LostOnPriorityAndNotInForce) {
  Policy p(kExport);
  ASSERT_TRUE(p.ok());
  const ir::Program& prog = p.p();
  interp::Result r = p.Run(ExportFacts(true, false, "XX", false), "2020-06-01", {}, /*explain=*/true);
  const interp::OutputTrace& t = r.trace[prog.FindOutput("export")];
  EXPECT_EQ(t.winner, p.Rule("review_sanctioned"));
  bool lost = false;
  for (const auto& rt : t.rules) {
    if (rt.rule == p.Rule("deny_controlled")) lost = rt.status == interp::RuleStatus::kLostOnPriority;
  }
  EXPECT_TRUE(lost);
  const interp::OutputTrace& note = r.trace[prog.FindOutput("note")];
  EXPECT_EQ(note.winner, -1);
  ASSERT_EQ(note.rules.size(), 1u);
  EXPECT_EQ(note.rules[0].status, interp::RuleStatus::kNotInForce);
}

TEST(InterpExplain, ObligationBindings) {
  Policy p(kObligations);
  ASSERT_TRUE(p.ok());
  interp::Result r = p.Run(CallFacts(true, "2020-07-01", "2020-07-30"), "2020-09-01", {}, /*explain=*/true);
  const interp::ObligationResult* keep = FindObligation(p.p(), r, "keep_records");
  ASSERT_NE(keep, nullptr);
  ASSERT_EQ(keep->bindings.size(), 1u);
  EXPECT_EQ(keep->bindings[0].expr, "operates");
  EXPECT_EQ(keep->bindings[0].value, "true");
  std::map<std::string, std::string> v;
  for (const auto& x : keep->violation_bindings) v[x.expr] = x.value;
  EXPECT_EQ(v["deleted_on"], "2020-07-30");
  EXPECT_EQ(v["kept_for"], "29 days");
  EXPECT_EQ(v["min_retention"], "30 days");
  EXPECT_TRUE(keep->replaces.empty());
}

TEST(InterpExplain, NoTraceWithoutExplain) {
  Policy p(kExport);
  ASSERT_TRUE(p.ok());
  interp::Result r = p.Run(ExportFacts(true, false, "DE", false), "2021-06-01");
  EXPECT_TRUE(r.trace.empty());
  EXPECT_EQ(r.outputs.size(), 2u);
}

TEST(InterpExplain, ExplainDoesNotChangeTheDecision) {
  Policy p(kExport);
  ASSERT_TRUE(p.ok());
  for (bool controlled : {false, true}) {
    for (bool approved : {false, true}) {
      for (const char* dest : {"DE", "XX"}) {
        for (bool law : {false, true}) {
          json f = ExportFacts(controlled, approved, dest, law);
          interp::Result a = p.Run(f, "2021-06-01");
          interp::Result b = p.Run(f, "2021-06-01", {}, true);
          EXPECT_EQ(a.outputs, b.outputs) << f.dump();
        }
      }
    }
  }
}

// ================================================================ the policies' own tests

TEST(InterpPolicies, InLanguageTestsOfTheShippedPolicyPass) {
  auto fe = CompileFile(std::string(PROVISO_SOURCE_DIR) + "/policies/cn/call_center.proviso");
  ASSERT_TRUE(fe->ok()) << RenderText(fe->diags.diagnostics(), fe->sources);
  auto p = ir::Lower(std::move(fe->program));
  std::vector<interp::TestResult> results = interp::RunTests(*p, Day("2020-09-01"));
  ASSERT_GE(results.size(), 20u);
  for (const auto& t : results) {
    EXPECT_TRUE(t.passed) << t.name << ": " << (t.failures.empty() ? "" : t.failures[0]);
  }
}

TEST(InterpPolicies, FailingInLanguageTestsReportWhy) {
  Policy p(R"(
policy t
  effective from 2020-01-01
input { n: int }
output big: bool
rule r { then big = n > 10 }
test "wrong value" {
  given n = 11
  expect big = false
}
test "expects an error that does not happen" {
  given n = 1
  expect error "conflict"
}
test "passes" {
  given n = 11
  expect big = true
}
)");
  ASSERT_TRUE(p.ok());
  std::vector<interp::TestResult> results = interp::RunTests(p.p(), Day("2024-01-01"));
  ASSERT_EQ(results.size(), 3u);
  EXPECT_FALSE(results[0].passed);
  ASSERT_EQ(results[0].failures.size(), 1u);
  EXPECT_EQ(results[0].failures[0], "expected `big` = false, got true");
  EXPECT_FALSE(results[1].passed);
  EXPECT_TRUE(Contains(results[1].failures.at(0), "expected the evaluation to fail")) << results[1].failures.at(0);
  EXPECT_TRUE(results[2].passed);
  EXPECT_EQ(interp::DefaultAsOf(p.p(), Day("2024-01-01")), Day("2020-01-01"));
}

}  // namespace
}  // namespace proviso
