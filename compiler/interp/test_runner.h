// Runs the in-language tests of a policy (`test "..." { given ... expect ... }`).
#ifndef PROVISO_COMPILER_INTERP_TEST_RUNNER_H_
#define PROVISO_COMPILER_INTERP_TEST_RUNNER_H_

#include <functional>
#include <string>
#include <vector>

#include "compiler/interp/interp.h"
#include "compiler/ir/ir.h"

namespace proviso::interp {

struct TestResult {
  std::string name;
  Span span;
  bool passed = false;
  std::vector<std::string> failures;  // one line each, lowercase
};

// The evaluation date of a test without `as of`: the policy's `effective from`, else `today`.
int64_t DefaultAsOf(const ir::Program& p, int64_t today);

// Evaluates facts (the back end under test); the same contract as interp::Evaluate.
using Evaluator = std::function<Result(const Value& facts, const EvalOptions& options)>;

// Sees the decision of each test that decided (evaluated with explanations): coverage.
using TestObserver = std::function<void(const ir::Test& test, const Result& decision)>;

// Runs every test of `p`, deciding with `evaluate` (default: the reference interpreter; `expect`
// on a let always uses the interpreter). Never throws for a test's own failure. With `observe`,
// decisions are made with explanations (their traces) and shown to it.
// With `table_rows` (sized to p.tables), the rows every test's decision matched are marked
// (EvalOptions::table_rows).
std::vector<TestResult> RunTests(const ir::Program& p, int64_t today, const Evaluator& evaluate = nullptr,
                                 const TestObserver& observe = nullptr,
                                 std::vector<std::vector<bool>>* table_rows = nullptr);

}  // namespace proviso::interp

#endif  // PROVISO_COMPILER_INTERP_TEST_RUNNER_H_
