// The public C++ SDK's PolicyStore (runtime/include/proviso/store.h): policies served from a
// folder, reloaded on request and by the watch thread, versions named in decisions; and the bar's
// concurrency test (8 threads evaluating without pause while 100 reloads, half broken, happen).
#include "proviso/store.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "proviso/proviso.h"

namespace proviso {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

bool Contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

// A fresh folder per test, removed at the end.
class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() /
           (std::string("proviso_store_") + info->name() + "_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  void Write(const std::string& file, const std::string& text) {
    // Written then renamed, as editors and deployment tools do: a reader never sees half a file.
    fs::path tmp = dir_ / (file + ".tmp");
    std::ofstream(tmp, std::ios::binary) << text;
    fs::rename(tmp, dir_ / file);
  }
  std::string Path(const std::string& file) const { return (dir_ / file).string(); }

  fs::path dir_;
};

// A policy whose output is x + k, with a test that holds for that k (or `expect_k` if given).
std::string AddPolicy(int k, std::optional<int> expect_k = std::nullopt) {
  return "policy adder\n"
         "input { x: int }\n"
         "output o: int\n"
         "rule r { then o = x + " + std::to_string(k) + " }\n"
         "test \"adds k\" {\n"
         "  given x = 1\n"
         "  expect o = " + std::to_string(1 + expect_k.value_or(k)) + "\n"
         "}\n";
}

int64_t Eval(const Policy& p, int64_t x) { return p.Evaluate(json{{"x", x}}).output("o").get<int64_t>(); }

TEST_F(StoreTest, ServesEveryPolicyFileOfTheFolderByItsStem) {
  Write("adder.proviso", AddPolicy(10));
  Write("other.proviso", "// a comment first\n/* and a block */\npolicy other\ninput { x: int }\noutput o: int\n"
                         "rule r { then o = x * 2 }\n");
  Write("lib.proviso", "// no header: an import, not a policy\nparam k: int = 3\n");
  Write("notes.txt", "not a policy");
  PolicyStore store(dir_.string());
  EXPECT_EQ(store.Names(), (std::vector<std::string>{"adder", "other"}));
  EXPECT_EQ(Eval(store.Get("adder"), 5), 15);
  EXPECT_EQ(Eval(store.Get("other"), 5), 10);
  ReloadReport report = store.LastReport();
  ASSERT_EQ(report.policies.size(), 2u);
  EXPECT_TRUE(report.ok());
  EXPECT_EQ(report.policies[0].status, ReloadStatus::kLoaded);
  EXPECT_EQ(report.policies[0].version, store.Get("adder").version());
  EXPECT_FALSE(store.Find("lib"));
  try {
    store.Get("lib");
    FAIL() << "no exception";
  } catch (const Error& e) {
    EXPECT_TRUE(Contains(e.what(), "no policy `lib` is served")) << e.what();
    EXPECT_TRUE(Contains(e.what(), "`adder`, `other`")) << e.what();
  }
}

TEST_F(StoreTest, VersionIsAContentHashNamedByEveryDecision) {
  Write("adder.proviso", AddPolicy(1));
  PolicyStore store(dir_.string());
  Policy p = store.Get("adder");
  EXPECT_EQ(p.version().size(), 64u);
  EXPECT_EQ(p.version().find_first_not_of("0123456789abcdef"), std::string::npos);
  Decision d = p.Evaluate(json{{"x", 1}});
  EXPECT_EQ(d.version(), p.version());
  EXPECT_EQ(d.ToJson()["policy_version"], p.version());
  // The same text elsewhere, compiled by either back end, is the same version.
  EngineOptions interpreter;
  interpreter.backend = Backend::kInterpreter;
  Policy text = Engine(interpreter).CompileString(AddPolicy(1), "elsewhere.proviso");
  EXPECT_EQ(text.version(), p.version());
  EXPECT_EQ(text.Evaluate(json{{"x", 1}}).version(), p.version());
  EXPECT_NE(Engine().CompileString(AddPolicy(2), "elsewhere.proviso").version(), p.version());
}

TEST_F(StoreTest, AnEditIsANewVersionAndOldPoliciesKeepTheirLogic) {
  Write("adder.proviso", AddPolicy(10));
  PolicyStore store(dir_.string());
  Policy old = store.Get("adder");
  uint64_t generation = store.generation();

  ReloadReport same = store.Reload();
  ASSERT_EQ(same.policies.size(), 1u);
  EXPECT_EQ(same.policies[0].status, ReloadStatus::kUnchanged);
  EXPECT_FALSE(same.policies[0].attempted);
  EXPECT_FALSE(same.changed());
  EXPECT_EQ(store.generation(), generation);

  Write("adder.proviso", AddPolicy(20));
  ReloadReport report = store.Reload();
  ASSERT_EQ(report.policies.size(), 1u);
  const PolicyReload& r = report.policies[0];
  EXPECT_EQ(r.status, ReloadStatus::kLoaded);
  EXPECT_EQ(r.previous_version, old.version());
  EXPECT_NE(r.version, old.version());
  EXPECT_TRUE(report.changed());
  EXPECT_GT(store.generation(), generation);
  Policy now = store.Get("adder");
  EXPECT_EQ(now.version(), r.version);
  EXPECT_EQ(Eval(now, 1), 21);
  // A Policy handed out before keeps its version: old logic, old version in its decisions.
  EXPECT_EQ(Eval(old, 1), 11);
  EXPECT_EQ(old.Evaluate(json{{"x", 1}}).version(), r.previous_version);
  EXPECT_TRUE(Contains(report.ToText(), "loaded adder")) << report.ToText();
  EXPECT_EQ(report.ToJson()["policies"][0]["status"], "loaded");
}

TEST_F(StoreTest, ASyntaxErrorKeepsThePreviousVersionAndSaysWhere) {
  Write("adder.proviso", AddPolicy(10));
  PolicyStore store(dir_.string());
  std::string v1 = store.Get("adder").version();
  Write("adder.proviso", "policy adder\ninput { x: int }\noutput o: int\nrule r { then o = x + }\n");
  ReloadReport report = store.Reload();
  const PolicyReload* r = report.Find("adder");
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->status, ReloadStatus::kFailed);
  EXPECT_TRUE(r->attempted);
  EXPECT_FALSE(report.ok());
  EXPECT_EQ(r->version, v1);  // still serving
  EXPECT_TRUE(Contains(r->reason, Path("adder.proviso") + ":4:")) << r->reason;
  ASSERT_FALSE(r->diagnostics.empty());
  EXPECT_EQ(r->diagnostics[0].location.file, Path("adder.proviso"));
  EXPECT_EQ(r->diagnostics[0].location.line, 4);
  EXPECT_EQ(store.Get("adder").version(), v1);
  EXPECT_EQ(Eval(store.Get("adder"), 1), 11);
  EXPECT_TRUE(Contains(report.ToText(), "the previous version serves")) << report.ToText();
  EXPECT_EQ(store.LastReport().Find("adder")->status, ReloadStatus::kFailed);

  // Changed back: the same version, no failure any more.
  Write("adder.proviso", AddPolicy(10));
  report = store.Reload();
  EXPECT_EQ(report.Find("adder")->status, ReloadStatus::kUnchanged);
  EXPECT_EQ(report.Find("adder")->version, v1);
  EXPECT_TRUE(report.ok());
  EXPECT_FALSE(store.Reload().Find("adder")->attempted);

  // Fixed: served again.
  Write("adder.proviso", AddPolicy(30));
  report = store.Reload();
  EXPECT_EQ(report.Find("adder")->status, ReloadStatus::kLoaded);
  EXPECT_EQ(Eval(store.Get("adder"), 1), 31);
}

TEST_F(StoreTest, ATypeErrorKeepsThePreviousVersion) {
  Write("adder.proviso", AddPolicy(10));
  PolicyStore store(dir_.string());
  std::string v1 = store.Get("adder").version();
  Write("adder.proviso", "policy adder\ninput { x: int }\noutput o: int\n\nrule r { then o = x + \"ten\" }\n");
  const PolicyReload* r = nullptr;
  ReloadReport report = store.Reload();
  r = report.Find("adder");
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->status, ReloadStatus::kFailed);
  ASSERT_FALSE(r->diagnostics.empty());
  EXPECT_EQ(r->diagnostics[0].severity, "error");
  EXPECT_EQ(r->diagnostics[0].location.line, 5);
  EXPECT_TRUE(Contains(r->reason, Path("adder.proviso") + ":5:")) << r->reason;
  EXPECT_EQ(store.Get("adder").version(), v1);
  EXPECT_EQ(Eval(store.Get("adder"), 1), 11);
}

TEST_F(StoreTest, AFailingInLanguageTestKeepsThePreviousVersion) {
  Write("adder.proviso", AddPolicy(10));
  PolicyStore store(dir_.string());
  std::string v1 = store.Get("adder").version();
  Write("adder.proviso", AddPolicy(20, /*expect_k=*/10));  // compiles, but its test expects 11
  ReloadReport report = store.Reload();
  const PolicyReload* r = report.Find("adder");
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->status, ReloadStatus::kFailed);
  EXPECT_TRUE(r->diagnostics.empty());
  ASSERT_EQ(r->failed_tests.size(), 1u);
  EXPECT_EQ(r->failed_tests[0].name, "adds k");
  EXPECT_EQ(r->failed_tests[0].location.line, 5);
  EXPECT_TRUE(Contains(r->reason, "test `adds k` (" + Path("adder.proviso") + ":5) fails")) << r->reason;
  EXPECT_EQ(store.Get("adder").version(), v1);
  EXPECT_EQ(Eval(store.Get("adder"), 1), 11);
  EXPECT_EQ(report.ToJson()["policies"][0]["failed_tests"][0]["line"], 5);

  // Without the tests, the same version is served.
  StoreOptions options;
  options.run_tests = false;
  PolicyStore untested(dir_.string(), options);
  EXPECT_EQ(Eval(untested.Get("adder"), 1), 21);
}

TEST_F(StoreTest, AChangedImportOrLawFileReloadsThePolicy) {
  Write("lib.proviso", "param k: int = 3\n");
  Write("rules.law",
        "document rules \"Rules\"\nsource \"the test\"\n\n[p1]\nAdd k.\n\n[p2]\nNothing else.\n");
  Write("adder.proviso",
        "policy adder\n  law \"rules.law\"\nimport \"lib.proviso\"\ninput { x: int }\noutput o: int\n"
        "rule r { then o = x + k cite \"p1\" }\n");
  PolicyStore store(dir_.string());
  ASSERT_TRUE(store.LastReport().ok()) << store.LastReport().ToText();
  Policy v1 = store.Get("adder");
  EXPECT_EQ(v1.SourceFiles().size(), 3u);
  EXPECT_EQ(Eval(v1, 1), 4);

  Write("lib.proviso", "param k: int = 5\n");
  ReloadReport report = store.Reload();
  EXPECT_EQ(report.Find("adder")->status, ReloadStatus::kLoaded) << report.ToText();
  Policy v2 = store.Get("adder");
  EXPECT_NE(v2.version(), v1.version());
  EXPECT_EQ(Eval(v2, 1), 6);
  EXPECT_EQ(Eval(v1, 1), 4);

  // The law's text changed: a new version, the same logic.
  Write("rules.law", "document rules \"Rules\"\nsource \"the test\"\n\n[p1]\nAdd k, always.\n\n[p2]\nNothing else.\n");
  report = store.Reload();
  EXPECT_EQ(report.Find("adder")->status, ReloadStatus::kLoaded) << report.ToText();
  Policy v3 = store.Get("adder");
  EXPECT_NE(v3.version(), v2.version());

  // The cited paragraph is gone: a failure at the citation, the previous version serves.
  Write("rules.law", "document rules \"Rules\"\nsource \"the test\"\n\n[p2]\nNothing else.\n");
  report = store.Reload();
  const PolicyReload* r = report.Find("adder");
  EXPECT_EQ(r->status, ReloadStatus::kFailed);
  EXPECT_TRUE(Contains(r->reason, Path("adder.proviso") + ":6:")) << r->reason;
  EXPECT_EQ(store.Get("adder").version(), v3.version());

  // The import is broken: the failure names the import's line.
  Write("rules.law", "document rules \"Rules\"\nsource \"the test\"\n\n[p1]\nAdd k.\n");
  Write("lib.proviso", "\nparam k: int = \"five\"\n");
  report = store.Reload();
  r = report.Find("adder");
  EXPECT_EQ(r->status, ReloadStatus::kFailed);
  EXPECT_TRUE(Contains(r->reason, Path("lib.proviso") + ":2:")) << r->reason;
  EXPECT_EQ(store.Get("adder").version(), v3.version());
  Write("lib.proviso", "param k: int = 7\n");
  EXPECT_EQ(store.Reload().Find("adder")->status, ReloadStatus::kLoaded);
  EXPECT_EQ(Eval(store.Get("adder"), 1), 8);
}

TEST_F(StoreTest, RemovedAndAddedFiles) {
  Write("adder.proviso", AddPolicy(10));
  PolicyStore store(dir_.string());
  Policy held = store.Get("adder");
  Write("second.proviso", "policy second\ninput { x: int }\noutput o: int\nrule r { then o = x - 1 }\n");
  fs::remove(dir_ / "adder.proviso");
  ReloadReport report = store.Reload();
  EXPECT_EQ(report.Find("adder")->status, ReloadStatus::kRemoved);
  EXPECT_EQ(report.Find("adder")->previous_version, held.version());
  EXPECT_EQ(report.Find("second")->status, ReloadStatus::kLoaded);
  EXPECT_EQ(store.Names(), (std::vector<std::string>{"second"}));
  EXPECT_FALSE(store.Find("adder"));
  EXPECT_THROW(store.Get("adder"), Error);
  EXPECT_EQ(Eval(held, 1), 11);  // still valid
  EXPECT_TRUE(Contains(report.ToText(), "removed adder")) << report.ToText();
}

TEST_F(StoreTest, AFileThatLosesItsHeaderKeepsServingUntilDeleted) {
  Write("adder.proviso", AddPolicy(10));
  PolicyStore store(dir_.string());
  Write("adder.proviso", "polcy adder\ninput { x: int }\n");  // a typo in the header
  ReloadReport report = store.Reload();
  EXPECT_EQ(report.Find("adder")->status, ReloadStatus::kFailed);
  EXPECT_TRUE(Contains(report.Find("adder")->reason, "no longer starts with a `policy` header"));
  EXPECT_EQ(Eval(store.Get("adder"), 1), 11);
}

TEST_F(StoreTest, APolicyThatNeverCompiledIsNotServedAndIsRetried) {
  Write("adder.proviso", "policy adder\ninput { x: int }\noutput o: int\nrule r { then o = y }\n");
  PolicyStore store(dir_.string());
  EXPECT_TRUE(store.Names().empty());
  ReloadReport first = store.LastReport();  // a copy: Find points into it
  const PolicyReload* r = first.Find("adder");
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->status, ReloadStatus::kFailed);
  EXPECT_TRUE(r->version.empty());
  EXPECT_TRUE(Contains(first.ToText(), "(not served)"));
  Write("adder.proviso", AddPolicy(1));
  EXPECT_EQ(store.Reload().Find("adder")->status, ReloadStatus::kLoaded);
  EXPECT_EQ(Eval(store.Get("adder"), 1), 2);
}

TEST_F(StoreTest, AFolderThatCannotBeReadIsAnError) {
  try {
    PolicyStore missing((dir_ / "missing").string());
    FAIL() << "no exception";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()),
              "cannot read the policy folder `" + (dir_ / "missing").string() + "`: no such file or directory");
  }
  Write("adder.proviso", AddPolicy(10));
  PolicyStore store(dir_.string());
  fs::remove_all(dir_);
  EXPECT_THROW(store.Reload(), Error);
  EXPECT_EQ(Eval(store.Get("adder"), 1), 11);  // nothing changed
  fs::create_directories(dir_);
}

// Polls until `done` holds, for at most 20 s.
template <typename F>
bool WaitFor(F done) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return done();
}

TEST_F(StoreTest, WatchModePicksUpChanges) {
  Write("adder.proviso", AddPolicy(10));
  StoreOptions options;
  options.watch_interval = std::chrono::milliseconds(20);
  std::atomic<int> notified{0};
  options.on_reload = [&](const ReloadReport& r) {
    if (r.changed()) ++notified;
  };
  PolicyStore store(dir_.string(), options);
  uint64_t generation = store.generation();
  Write("adder.proviso", AddPolicy(20));
  ASSERT_TRUE(WaitFor([&] { return store.generation() != generation; }));
  EXPECT_EQ(Eval(store.Get("adder"), 1), 21);
  // The callback runs after the swap that bumps the generation: wait for it as well.
  EXPECT_TRUE(WaitFor([&] { return notified.load() >= 1; }));

  // A broken edit is reported once (not compiled again at every check) and changes nothing.
  int before = notified.load();
  Write("adder.proviso", AddPolicy(30, /*expect_k=*/0));
  ASSERT_TRUE(WaitFor([&] { return notified.load() > before; }));
  ReloadReport last = store.LastReport();
  ASSERT_NE(last.Find("adder"), nullptr);
  EXPECT_EQ(last.Find("adder")->status, ReloadStatus::kFailed);
  std::this_thread::sleep_for(std::chrono::milliseconds(100));  // several checks: no new report
  EXPECT_EQ(notified.load(), before + 1);
  EXPECT_EQ(Eval(store.Get("adder"), 1), 21);

  // A changed import is seen too.
  generation = store.generation();
  Write("lib.proviso", "param k: int = 40\n");
  Write("adder.proviso", "policy adder\nimport \"lib.proviso\"\ninput { x: int }\noutput o: int\nrule r { then o = x + k }\n");
  ASSERT_TRUE(WaitFor([&] { return store.generation() != generation; }));
  EXPECT_EQ(Eval(store.Get("adder"), 1), 41);
  generation = store.generation();
  Write("lib.proviso", "param k: int = 50\n");
  ASSERT_TRUE(WaitFor([&] { return store.generation() != generation; }));
  EXPECT_EQ(Eval(store.Get("adder"), 1), 51);
}

TEST_F(StoreTest, WatchModeRecordsAFolderItCannotReadAndGoesOn) {
  Write("adder.proviso", AddPolicy(10));
  StoreOptions options;
  options.watch_interval = std::chrono::milliseconds(10);
  PolicyStore store(dir_.string(), options);
  fs::path moved = dir_.string() + "_moved";
  fs::rename(dir_, moved);
  ASSERT_TRUE(WaitFor([&] { return Contains(store.LastReport().error, "cannot read the policy folder"); }));
  EXPECT_FALSE(store.LastReport().ok());
  EXPECT_EQ(Eval(store.Get("adder"), 1), 11);  // still serving
  fs::rename(moved, dir_);
  Write("adder.proviso", AddPolicy(20));
  ASSERT_TRUE(WaitFor([&] { return Eval(store.Get("adder"), 1) == 21; }));
  EXPECT_TRUE(store.LastReport().error.empty());
}

// THE BAR: 8 threads evaluate without pause while the main thread performs 100 reloads, half of
// them broken edits (a syntax error, a type error, a failing in-language test, in turn). The
// policy's output encodes its version's constant (o = x + K), and the writer records the version
// id of each K it loads: every decision must be one its version gives, and no evaluation fails.
TEST_F(StoreTest, EightThreadsEvaluateWhileAHundredReloadsHappenHalfBroken) {
  Write("adder.proviso", AddPolicy(0));
  PolicyStore store(dir_.string());
  std::map<std::string, int64_t> k_of_version = {{store.Get("adder").version(), 0}};

  constexpr int kThreads = 8;
  std::atomic<bool> done{false};
  struct Seen {
    int64_t evaluations = 0;
    int64_t failures = 0;
    int64_t version_mismatches = 0;
    std::string first_failure;
    std::map<std::string, std::set<int64_t>> k_by_version;  // the K each version's decisions showed
  };
  std::vector<Seen> seen(kThreads);
  std::vector<std::thread> readers;
  for (int t = 0; t < kThreads; ++t) {
    readers.emplace_back([&store, &done, &s = seen[t], t] {
      int64_t x = t * 1000;
      while (!done.load(std::memory_order_relaxed)) {
        try {
          Policy p = store.Get("adder");
          Decision d = p.Evaluate(json{{"x", x}});
          if (d.version() != p.version()) ++s.version_mismatches;
          s.k_by_version[d.version()].insert(d.output("o").get<int64_t>() - x);
        } catch (const std::exception& e) {
          if (s.failures++ == 0) s.first_failure = e.what();
        }
        ++s.evaluations;
        ++x;
      }
    });
  }

  int loaded = 0, failed = 0;
  for (int i = 1; i <= 100; ++i) {
    int k = i;
    if (i % 2 == 0) {
      switch (i / 2 % 3) {
        case 0: Write("adder.proviso", "policy adder\ninput { x: int }\noutput o: int\nrule r { then o = x + }\n"); break;
        case 1: Write("adder.proviso", "policy adder\ninput { x: int }\noutput o: int\nrule r { then o = x + true }\n"); break;
        default: Write("adder.proviso", AddPolicy(k, /*expect_k=*/k + 1)); break;
      }
    } else {
      Write("adder.proviso", AddPolicy(k));
    }
    ReloadReport report = store.Reload();
    const PolicyReload* r = report.Find("adder");
    ASSERT_NE(r, nullptr);
    if (i % 2 == 0) {
      EXPECT_EQ(r->status, ReloadStatus::kFailed) << "reload " << i;
      EXPECT_EQ(r->version, r->previous_version);
      ++failed;
    } else {
      EXPECT_EQ(r->status, ReloadStatus::kLoaded) << "reload " << i << ": " << r->reason;
      k_of_version[r->version] = k;
      ++loaded;
    }
    // Let the readers run on each version for a moment (without it they may never see one).
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  done = true;
  for (auto& th : readers) th.join();

  EXPECT_EQ(loaded, 50);
  EXPECT_EQ(failed, 50);
  int64_t evaluations = 0;
  std::set<std::string> versions_seen;
  for (int t = 0; t < kThreads; ++t) {
    const Seen& s = seen[t];
    EXPECT_EQ(s.failures, 0) << "thread " << t << ": " << s.first_failure;
    EXPECT_EQ(s.version_mismatches, 0) << "thread " << t;
    EXPECT_GT(s.evaluations, 0) << "thread " << t;
    evaluations += s.evaluations;
    for (const auto& [version, ks] : s.k_by_version) {
      versions_seen.insert(version);
      auto k = k_of_version.find(version);
      ASSERT_NE(k, k_of_version.end()) << "thread " << t << " saw a version no reload served: " << version;
      EXPECT_EQ(ks, std::set<int64_t>{k->second}) << "thread " << t << ", version of K = " << k->second;
    }
  }
  // The readers saw the versions change under them (most of the 51).
  EXPECT_GT(versions_seen.size(), 10u);
  std::cout << "[ info ] " << evaluations << " evaluations over " << versions_seen.size() << " versions\n";
}

}  // namespace
}  // namespace proviso
