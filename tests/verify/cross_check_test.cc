// Cross-check of `proviso verify` against the differential fact generator (issue 20's bar): on every
// policy of policies/ and of the golden corpus that verify proves never to fail, no generated fact
// set (complete, within verify's dates and list bound) makes the reference interpreter fail; and on
// a policy where the generator finds a failure, verify does not answer "proved".
#include <filesystem>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include <map>

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
  std::set<std::string> applied, applies, violated, chosen;
  std::map<std::string, std::set<Value, bool (*)(const Value&, const Value&)>> values;
  auto less = [](const Value& a, const Value& b) { return Compare(a, b) < 0; };
  for (const auto& o : p->outputs) values.emplace(o.name, std::set<Value, bool (*)(const Value&, const Value&)>(less));
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
    eo.explain = true;
    std::vector<std::vector<bool>> rows(p->tables.size());
    eo.table_rows = &rows;
    ++checked;
    try {
      interp::Result res = OnLargeStack([&] { return interp::Evaluate(*p, v, eo); });
      // What the findings say never happens, on facts where evaluation does not fail.
      for (const auto& t : res.trace) {
        for (const auto& rt : t.rules) {
          if (rt.status == interp::RuleStatus::kApplied || rt.status == interp::RuleStatus::kLostOnPriority) {
            applied.insert(p->rules[rt.rule].name);
          }
        }
      }
      for (const auto& o : res.obligations) {
        applies.insert(p->obligations[o.obligation].name);
        if (o.violated) violated.insert(p->obligations[o.obligation].name);
      }
      for (size_t k = 0; k < p->tables.size(); ++k) {
        if (p->tables[k].hit != ast::HitPolicy::kUnique && p->tables[k].hit != ast::HitPolicy::kFirst) continue;
        for (size_t r = 0; r < rows[k].size() && r < p->tables[k].rows.size(); ++r) {
          if (rows[k][r]) chosen.insert(p->tables[k].name + "#" + std::to_string(r + 1));
        }
      }
      for (size_t o = 0; o < res.outputs.size(); ++o) {
        if (!HasUnknownPart(res.outputs[o])) values[p->outputs[o].name].insert(res.outputs[o]);
      }
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
  // Every finding is a proof too: the generated facts never contradict one.
  std::smatch m;
  for (const std::string& f : r.findings) {
    if (std::regex_match(f, m, std::regex("rule `(\\w+)` never applies"))) {
      EXPECT_FALSE(applied.count(m[1])) << GetParam() << ": " << f;
    } else if (std::regex_match(f, m, std::regex("obligation `(\\w+)` never applies"))) {
      EXPECT_FALSE(applies.count(m[1])) << GetParam() << ": " << f;
    } else if (std::regex_match(f, m, std::regex("obligation `(\\w+)` is never violated"))) {
      EXPECT_FALSE(violated.count(m[1])) << GetParam() << ": " << f;
    } else if (std::regex_match(f, m, std::regex("row (\\d+) of table `(\\w+)` is never chosen"))) {
      EXPECT_FALSE(chosen.count(m[2].str() + "#" + m[1].str())) << GetParam() << ": " << f;
    } else if (std::regex_match(f, m, std::regex("output `(\\w+)` is constant"))) {
      EXPECT_LE(values[m[1]].size(), 1u) << GetParam() << ": " << f;
    }
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
