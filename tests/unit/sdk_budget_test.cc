// The evaluation budget (EvalOptions::budget, compiler/support/budget.h): nested quantifiers
// multiply, and an evaluation over its budget fails with a message naming it, on both back ends, in
// a row and in a batch, instead of running for hours.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "proviso/proviso.h"
#include "tests/unit/sdk_test_util.h"

namespace proviso {
namespace sdk_test {
namespace {

PROVISO_SDK_SUITE(SdkBudget);

// Three nested quantifiers over `xs`: n^3 elements visited (plus n^2 + n for the outer loops).
constexpr const char* kNested = R"(policy nested
input { xs: list<int> }
output ok: bool
rule r { then ok = all a in xs: all b in xs: all c in xs: a + b + c >= 0 }
)";

json Facts(int n) {
  json xs = json::array();
  for (int i = 0; i < n; ++i) xs.push_back(i);
  return json{{"xs", xs}};
}

// Whether evaluating throws an EvaluationError that names the budget.
bool OverBudget(const Policy& p, const json& facts, int64_t budget) {
  EvalOptions o;
  o.as_of = "2021-01-01";
  o.budget = budget;
  try {
    p.Evaluate(facts, o);
    return false;
  } catch (const EvaluationError& e) {
    EXPECT_TRUE(Contains(e.what(), "budget of " + std::to_string(budget))) << e.what();
    return true;
  }
}

TEST_P(SdkBudget, NestedQuantifiersOverTheBudgetFail) {
  Policy p = Compile(kNested, "nested.proviso");
  // 20^3 = 8,000 innermost visits: over 5,000, within 10,000 (and the default).
  EXPECT_TRUE(OverBudget(p, Facts(20), 5000));
  EXPECT_FALSE(OverBudget(p, Facts(20), 10000));
  EvalOptions o;
  o.as_of = "2021-01-01";
  EXPECT_EQ(p.Evaluate(Facts(20), o).output("ok"), true);
  o.budget = -1;  // no limit
  EXPECT_EQ(p.Evaluate(Facts(20), o).output("ok"), true);
}

// The default budget stops what would otherwise run for hours: 500^3 = 1.25e8 visits is over the
// default 1e8 (natively: a fraction of a second to find out).
TEST(SdkBudgetDefault, StopsARunawayEvaluationNatively) {
  Policy p = Engine(EngineOptions{Backend::kJit}).CompileString(kNested, "nested.proviso");
  EvalOptions o;
  o.as_of = "2021-01-01";
  try {
    p.Evaluate(Facts(500), o);
    ADD_FAILURE() << "no error over the default budget";
  } catch (const EvaluationError& e) {
    EXPECT_TRUE(Contains(e.what(), "budget of 100000000")) << e.what();
  }
}

// Over budget in one row of a batch: the error names the row and the budget; the batch is not
// half-written as a success. (The lists are params: batch columns are scalars.)
TEST_P(SdkBudget, ABatchRowOverTheBudgetFails) {
  Policy p = Compile(R"(policy nested_batch
input { k: int }
param xs: list<int> = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]
output ok: bool
rule r { then ok = k < 0 or (all a in xs: all b in xs: all c in xs: a + b + c > k) }
)", "nested_batch.proviso");
  std::vector<int64_t> k = {-1, 2, 3};  // row 1 visits all 1,110 elements; row 2 stops at the first
  BatchInput in;
  in.rows = 3;
  in.columns = {k.data()};
  in.present = {nullptr};
  in.dictionaries = {nullptr};
  std::vector<int64_t> ok(3);
  BatchOutput out;
  out.columns = {ok.data()};
  EvalOptions o;
  o.as_of = "2021-01-01";
  o.budget = 500;
  try {
    EvaluateBatch64(p, in, out, o);
    ADD_FAILURE() << "no error over the budget";
  } catch (const EvaluationError& e) {
    EXPECT_TRUE(Contains(e.what(), "row ")) << e.what();
    EXPECT_TRUE(Contains(e.what(), "budget of 500")) << e.what();
  }
  o.budget = 2000;  // per row: each row's 1,110 visits at most fit
  EvaluateBatch64(p, in, out, o);
  EXPECT_EQ(ok, (std::vector<int64_t>{1, 1, 0}));
}

}  // namespace
}  // namespace sdk_test
}  // namespace proviso
