// The reference interpreter: explanations (rule traces, obligation bindings).
// Each test states the value the language gives (docs/language.md) and checks the interpreter's.
// Shared helpers (Policy, Ev, Contains, ...): interp_test_util.h.
#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <string>

#include "tests/unit/interp_test_util.h"

namespace proviso {
namespace interp_test {
namespace {

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

}  // namespace
}  // namespace interp_test
}  // namespace proviso
