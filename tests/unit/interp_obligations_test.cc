// The reference interpreter: obligations (when, deadlines, violations, exceptions).
// Each test states the value the language gives (docs/language.md) and checks the interpreter's.
// Shared helpers (Policy, Ev, Contains, ...): interp_test_util.h.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/unit/interp_test_util.h"

namespace proviso {
namespace interp_test {
namespace {

// ================================================================ obligations

// kObligations and CallFacts: interp_test_util.h.

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

}  // namespace
}  // namespace interp_test
}  // namespace proviso
