// Cross-check of `proviso verify` against the differential fact generator (issue 20's bar): on every
// policy of policies/ and of the golden corpus that verify proves never to fail, no generated fact
// set (complete, within verify's dates and list bound) makes the reference interpreter fail; and on
// a policy where the generator finds a failure, verify does not answer "proved".
#include <filesystem>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "compiler/driver/driver.h"
#include "compiler/interp/facts.h"
#include "compiler/interp/interp.h"
#include "compiler/ir/ir.h"
#include "compiler/support/large_stack.h"
#include "compiler/verify/verify.h"
#include "tests/differential/fact_gen.h"

namespace proviso {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> Corpus() {
  std::vector<std::string> out;
  for (const char* dir : {"policies/cn", "tests/golden/good", "tests/verify/cases"}) {
    for (const auto& e : fs::directory_iterator(fs::path(PROVISO_SOURCE_DIR) / dir)) {
      if (e.path().extension() == ".proviso") out.push_back(e.path().string());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

// The longest list anywhere in `v`.
size_t LongestList(const Value& v) {
  size_t n = 0;
  if (v.kind == Value::Kind::kList) n = v.elems().size();
  if (v.kind == Value::Kind::kList || v.kind == Value::Kind::kRecord || v.kind == Value::Kind::kSet) {
    for (const Value& x : v.elems()) n = std::max(n, LongestList(x));
  }
  return n;
}

class CrossCheck : public ::testing::TestWithParam<std::string> {};

TEST_P(CrossCheck, GeneratedFailuresAreNeverProvedAway) {
  auto fe = OnLargeStack([&] { return CompileFile(GetParam()); });
  ASSERT_TRUE(fe->ok()) << GetParam();
  std::unique_ptr<ir::Program> p = OnLargeStack([&] { return ir::Lower(std::move(fe->program)); });
  verify::Options o;
  o.list_bound = 4;  // the generator makes lists of 0 to 4 elements
  verify::VerifyResult r = OnLargeStack([&] { return verify::Verify(*p, o); });
  std::vector<nlohmann::json> facts = testing::GenerateFacts(*p, 300, 20);
  std::vector<int64_t> dates = testing::InterestingDates(*p);
  int checked = 0, failed = 0;
  std::string example;
  for (size_t i = 0; i < facts.size(); ++i) {
    Value v;
    try {
      v = interp::FactsFromJson(facts[i], *p);
    } catch (const std::exception&) {
      continue;
    }
    if (HasUnknownPart(v) || LongestList(v) > 4) continue;  // verify's facts are complete
    int64_t day = dates[i % dates.size()];
    if (day < o.from || day > o.until) continue;
    interp::EvalOptions eo;
    eo.as_of = day;
    ++checked;
    try {
      OnLargeStack([&] { return interp::Evaluate(*p, v, eo).outputs.size(); });
    } catch (const interp::EvalError& e) {
      ++failed;
      if (example.empty()) example = facts[i].dump() + ": " + e.what();
    } catch (const std::exception&) {
    }
  }
  if (failed > 0) {
    EXPECT_NE(r.status, verify::VerifyResult::Status::kProved)
        << GetParam() << ": verify proved never-fails, but the generator found " << failed << " failing fact sets, e.g. "
        << example;
  }
  RecordProperty("checked", checked);
}

INSTANTIATE_TEST_SUITE_P(Corpus, CrossCheck, ::testing::ValuesIn(Corpus()), [](const auto& info) {
  std::string name = fs::path(info.param).parent_path().filename().string() + "_" + fs::path(info.param).stem().string();
  for (char& ch : name) if (!isalnum(static_cast<unsigned char>(ch))) ch = '_';
  return name;
});

}  // namespace
}  // namespace proviso
