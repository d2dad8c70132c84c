// Runs the in-language tests of a policy (`test "..." { given ... expect ... }`).
#ifndef PROVISO_COMPILER_INTERP_TEST_RUNNER_H_
#define PROVISO_COMPILER_INTERP_TEST_RUNNER_H_

#include <string>
#include <vector>

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

// Runs every test of `p` with the reference interpreter. Never throws for a test's own failure.
std::vector<TestResult> RunTests(const ir::Program& p, int64_t today);

}  // namespace proviso::interp

#endif  // PROVISO_COMPILER_INTERP_TEST_RUNNER_H_
