// The reference interpreter: default logic (rules, exceptions, priorities, conflicts),
// effective dates and params.
// Each test states the value the language gives (docs/language.md) and checks the interpreter's.
// Shared helpers (Policy, Ev, Contains, ...): interp_test_util.h.
#include <gtest/gtest.h>

#include <string>

#include "tests/unit/interp_test_util.h"

namespace proviso {
namespace interp_test {
namespace {

// ================================================================ default logic

// kExport and ExportFacts: interp_test_util.h.

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

}  // namespace
}  // namespace interp_test
}  // namespace proviso
