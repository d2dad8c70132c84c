// The reference interpreter: the policies' own in-language tests.
// Each test states the value the language gives (docs/language.md) and checks the interpreter's.
// Shared helpers (Policy, Ev, Contains, ...): interp_test_util.h.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "compiler/interp/test_runner.h"
#include "tests/unit/interp_test_util.h"

namespace proviso {
namespace interp_test {
namespace {

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
}  // namespace interp_test
}  // namespace proviso
