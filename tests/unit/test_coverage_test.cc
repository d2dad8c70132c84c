// `proviso test --coverage` (compiler/coverage/test_coverage.h): what a policy's own tests reach.
#include "compiler/coverage/test_coverage.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>

namespace proviso {
namespace {

namespace fs = std::filesystem;

constexpr const char* kLibrary = R"(table level(n: int) -> int hit first {
  < 10 => 1
  < 100 => 2
  default => 3
}
)";

constexpr const char* kPolicy = R"(policy p
import "lib.proviso"
input { n: int, flagged: bool, kept: int }
output l: int
rule by_level { then l = level(n) }
output blocked: bool
rule open { then blocked = false }
rule flagged_blocked exception to open { when flagged then blocked = true }
obligation keep { subject "s" must "keep 30 days" when not blocked violated when kept < 30 }
test "small" { given n = 5 given flagged = false given kept = 40 expect l = 1 }
test "medium" { given n = 50 given flagged = false given kept = 40 expect l = 2 }
)";

TEST(TestCoverage, ReportsWhatNoTestReachesIncludingImportedTables) {
  fs::path dir = fs::temp_directory_path() / ("proviso_test_coverage_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::ofstream(dir / "lib.proviso") << kLibrary;
  std::ofstream(dir / "p.proviso") << kPolicy;
  coverage::TestCoverageReport r = coverage::TestCoverage({(dir / "p.proviso").string()}, 0);
  std::map<std::string, bool> covered;
  for (const auto& f : r.files) {
    for (const auto& i : f.items) covered[i.name] = i.covered;
  }
  EXPECT_TRUE(covered.at("rule `by_level`"));
  EXPECT_TRUE(covered.at("rule `open`"));
  EXPECT_FALSE(covered.at("rule `flagged_blocked`"));  // no test flags anything
  EXPECT_TRUE(covered.at("row 1 of table `level`"));     // the library's rows, reached through the policy
  EXPECT_TRUE(covered.at("row 2 of table `level`"));
  EXPECT_FALSE(covered.at("the default row of table `level`"));
  EXPECT_TRUE(covered.at("obligation `keep` applies"));
  EXPECT_FALSE(covered.at("obligation `keep` violated"));
  // Rules 2 of 2, exception 0 of 1, rows 2 of 3.
  EXPECT_NEAR(r.Percent(), 100.0 * 4 / 6, 1e-9);
  std::string text = coverage::ToText(r);
  EXPECT_NE(text.find("not reached: rule `flagged_blocked`"), std::string::npos) << text;
  EXPECT_NE(text.find("not reached: the default row of table `level`"), std::string::npos) << text;
  EXPECT_EQ(coverage::ToJson(r)["files"].size(), 2u);  // the policy and its library
  fs::remove_all(dir);
}

}  // namespace
}  // namespace proviso
