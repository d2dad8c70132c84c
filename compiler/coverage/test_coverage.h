// `proviso test --coverage`: what a policy's own tests exercise. For legal engineers the risk is an
// exception no test reaches: each rule (exceptions apart) whose condition held in some test, each
// table row some test's decision matched (and the default row), each obligation that applied and,
// for a duty, was found violated in some test, and the deadline statuses the tests saw.
#ifndef PROVISO_COMPILER_COVERAGE_TEST_COVERAGE_H_
#define PROVISO_COMPILER_COVERAGE_TEST_COVERAGE_H_

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace proviso::coverage {

// One thing the tests should reach, and whether they do.
struct Item {
  std::string kind;  // "rule", "exception", "row", "obligation", "violation"
  std::string name;  // `rule x`, `row 3 of table t`, `obligation o` (violated)
  std::string file;
  int line = 0;
  bool covered = false;
};

struct FileCoverage {
  std::string file;
  bool compiled = true;
  std::string error;                  // why it did not compile
  std::vector<Item> items;            // in declaration order
  std::vector<std::string> statuses;  // "obligation o: pending, met" for obligations with a deadline
};

struct TestCoverageReport {
  std::vector<FileCoverage> files;
  // Percent of rules, exceptions and table rows covered, over every file (100 when there are none).
  double Percent() const;
};

// Compiles each policy file (imports are libraries: not counted on their own), runs its tests on the
// reference interpreter (as of `today` when a test has no `as of`), and records what they reach.
TestCoverageReport TestCoverage(const std::vector<std::string>& policy_files, int64_t today);

// Per file: counts by kind and what is not covered; then the total.
std::string ToText(const TestCoverageReport& r);
// {files: [{file, compiled, error?, counts: {kind: {covered, total}}, uncovered: [{kind, name, line}],
// statuses}], percent}
nlohmann::json ToJson(const TestCoverageReport& r);

}  // namespace proviso::coverage

#endif  // PROVISO_COMPILER_COVERAGE_TEST_COVERAGE_H_
