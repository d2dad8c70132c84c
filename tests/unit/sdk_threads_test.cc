// The public C++ SDK (runtime/include/proviso/proviso.h) as an application uses it:
// policies shared and compiled across threads.
// Shared helpers (kExport, AsOf, the SdkBackend fixture, PROVISO_SDK_SUITE, ...): sdk_test_util.h.
#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "proviso/proviso.h"
#include "tests/unit/sdk_test_util.h"

namespace proviso {
namespace sdk_test {
namespace {

PROVISO_SDK_SUITE(SdkThreads);

// ================================================================ threads

// Evaluates every facts 50 times in an order of its own (thread `t`); `got[i]` is the decision of
// facts i as JSON, or a marker when the rounds disagree. (Four threads of 50 rounds of 60 facts
// pass the JIT's tier-up count: the optimised row replaces the quick one while they run.)
void EvaluateRounds(const Policy& policy, int t, const std::vector<json>& facts, const std::vector<std::string>& days,
         std::vector<json>& got) {
  got.assign(facts.size(), json());
  for (int round = 0; round < 50; ++round) {
    for (size_t k = 0; k < facts.size(); ++k) {
      size_t i = (k + t * 13) % facts.size();
      json j = policy.Evaluate(facts[i], AsOf(days[i], i % 7 == 0)).ToJson();
      if (round == 0) {
        got[i] = j;
      } else if (j != got[i]) {
        got[i] = json("differs between rounds");
      }
    }
  }
}

TEST_P(SdkThreads, PolicyCopiesShareAndEvaluateConcurrently) {
  Policy original = Compile(kExport, "export.proviso");
  std::vector<json> facts;
  std::vector<std::string> days;
  for (int i = 0; i < 60; ++i) {
    facts.push_back(ExportFacts(i % 2 == 0, i % 3 == 0 ? "XX" : "DE", i % 4 == 0 ? "" : "2021-04-" + std::to_string(10 + i % 19)));
    days.push_back(i % 5 == 0 ? "2022-02-01" : "2021-06-01");
  }
  std::vector<json> expected;
  for (size_t i = 0; i < facts.size(); ++i) {
    expected.push_back(original.Evaluate(facts[i], AsOf(days[i], i % 7 == 0)).ToJson());
  }
  const int kThreads = 4;
  std::vector<std::vector<json>> got(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    Policy copy = original;  // shares the compiled policy
    threads.emplace_back([copy, t, &facts, &days, &got] {
      try {
        EvaluateRounds(copy, t, facts, days, got[t]);
      } catch (const std::exception& e) {
        got[t].assign(1, json(e.what()));
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int t = 0; t < kThreads; ++t) {
    ASSERT_EQ(got[t].size(), facts.size()) << got[t].front();
    for (size_t i = 0; i < facts.size(); ++i) EXPECT_EQ(got[t][i], expected[i]) << "thread " << t << " facts " << i;
  }
}

TEST_P(SdkThreads, EnginesCompileConcurrently) {
  std::vector<std::string> names(4);
  const Backend backend = GetParam();
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([t, backend, &names] {
      try {
        Engine engine(EngineOptions{backend});
        Policy p = engine.CompileString(kExport, "export" + std::to_string(t) + ".proviso");
        names[t] = p.name() + ":" + p.Evaluate(ExportFacts(true, "DE"), AsOf("2021-06-01")).output("export").get<std::string>();
      } catch (const std::exception& e) {
        names[t] = e.what();
      }
    });
  }
  for (auto& th : threads) th.join();
  for (const auto& n : names) EXPECT_EQ(n, "export_control:deny");
}

}  // namespace
}  // namespace sdk_test
}  // namespace proviso
