// Proviso C++ SDK: serving named policies from a folder, reloaded without downtime.
//
//   proviso::StoreOptions options;
//   options.watch_interval = std::chrono::milliseconds(500);   // or call Reload() when told to
//   proviso::PolicyStore store("policies/cn", options);
//   proviso::Policy policy = store.Get("call_center");          // the version serving now
//   proviso::Decision d = policy.Evaluate(facts);               // d.version() says which one decided
//
// A reload compiles what changed (a policy, or a file it imports or a law file it cites), runs the
// new version's in-language tests, and swaps it in atomically; a version that does not compile or
// fails its tests is not served (the previous one goes on serving) and the ReloadReport says why.
// Evaluations in flight finish on the version they started with: a Policy keeps its version alive.
#ifndef PROVISO_STORE_H_
#define PROVISO_STORE_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "proviso/proviso.h"

namespace proviso {

// What a reload did to one policy.
enum class ReloadStatus {
  kLoaded,     // a new version serves (or the first one, when the policy is new)
  kUnchanged,  // the same version serves (none of its files changed, or they changed back)
  kFailed,     // its files on disk do not give a servable version: the previous one, if any, serves
  kRemoved,    // its file is gone: it is served no more (Policy objects already handed out stay valid)
};
// "loaded", "unchanged", "failed", "removed".
const char* ReloadStatusName(ReloadStatus s);

// One policy in a ReloadReport.
struct PolicyReload {
  std::string name;  // the policy file's stem: what PolicyStore::Get takes
  std::string path;  // the policy file
  ReloadStatus status = ReloadStatus::kUnchanged;
  // Whether this reload tried to load it anew (compiled it, or found its file no longer a
  // policy). A kFailed policy whose files have not changed since the failure is not tried again
  // by the watch thread: its entry repeats the failure, with attempted = false.
  bool attempted = false;
  std::string version;           // the version serving after the reload ("": none)
  std::string previous_version;  // the version serving before it ("": none)
  // kFailed: why, in one line: "FILE:LINE:COL: MESSAGE (N errors)" for a compile error, "test
  // `NAME` (FILE:LINE) fails: FAILURE" for the policy's own tests, or another reason (the file
  // cannot be read, it no longer starts with a `policy` header).
  std::string reason;
  std::vector<PolicyDiagnostic> diagnostics;  // kFailed by a compile error: every diagnostic
  std::vector<TestOutcome> failed_tests;      // kFailed by its own tests: those that failed
  std::vector<PolicyDiagnostic> warnings;     // kLoaded: the new version's compiler warnings
};

// What a reload did: one entry per policy of the folder and per policy removed, sorted by name.
struct ReloadReport {
  std::vector<PolicyReload> policies;
  // Watch mode only: the folder could not be read (PolicyStore::Reload throws instead); nothing
  // changed.
  std::string error;

  // No policy failed and there is no error.
  bool ok() const;
  // Something happened: a policy loaded, removed, or newly failed (attempted), or an error.
  bool changed() const;
  // The entry of `name`, or nullptr.
  const PolicyReload* Find(const std::string& name) const;
  // One line per policy that did not stay unchanged ("loaded call_center 3f2a...", "failed x:
  // REASON"), or "" when nothing changed.
  std::string ToText() const;
  // {"error"?, "policies": [{"name", "path", "status", "attempted", "version", "previous_version",
  // "reason"?, "diagnostics"?: [{"severity", "code", "message", "file", "line", "column"}],
  // "failed_tests"?: [{"name", "file", "line", "failures"}]}]}
  nlohmann::json ToJson() const;
};

struct StoreOptions {
  // How the policies are compiled: back end, compile cache, import root.
  EngineOptions engine;
  // > 0: a background thread checks the folder this often (re-reading and hashing every policy
  // file and every file the serving versions were compiled from) and reloads what changed. 0: no
  // thread; the store changes only when Reload() is called.
  std::chrono::milliseconds watch_interval{0};
  // Run each new version's in-language tests (Policy::RunTests) before serving it: a version
  // with a failing test is not served.
  bool run_tests = true;
  // The `today` of those tests ("YYYY-MM-DD"; default: today).
  std::optional<std::string> test_today;
  // Called after every reload whose report changed() (by the watch thread or by Reload(); not
  // for the constructor's load), on the thread that reloaded, outside the store's locks: it may
  // call Get, Reload and LastReport. It must not throw (an exception is ignored).
  std::function<void(const ReloadReport&)> on_reload;
};

// Serves the policies of one folder by name. A policy is a `*.proviso` file directly in the
// folder that starts with a `policy` header; its name is the file's stem. Files without a header
// (imports) and law files are not policies, but a change to one that a policy reads reloads it.
//
// Thread safety: every member is thread-safe. Get, Find and Names never wait for a compilation:
// they take a lock held only for a map lookup, which a reload takes only to swap the policies it
// loaded or removed, all at once. Reloads (Reload() and the watch thread) run one at a time and
// compile with no lock that readers take.
class PolicyStore {
 public:
  // Loads every policy of `folder`. A policy that fails is not served (LastReport() says why).
  // Throws Error if the folder cannot be read. Starts the watch thread if
  // options.watch_interval > 0.
  explicit PolicyStore(std::string folder, StoreOptions options = {});
  // Stops the watch thread (waiting for a reload in progress to finish). Policy objects handed
  // out stay valid.
  ~PolicyStore();
  PolicyStore(const PolicyStore&) = delete;
  PolicyStore& operator=(const PolicyStore&) = delete;

  // The version of `name` serving now. The Policy is a shared handle: it keeps its version alive
  // and evaluating after later reloads replace or remove it. Throws Error if no version of `name`
  // is served (the message lists those that are).
  Policy Get(const std::string& name) const;
  // The same, or nullopt.
  std::optional<Policy> Find(const std::string& name) const;
  // The names of the policies served, sorted.
  std::vector<std::string> Names() const;

  // Checks the folder now and reloads what changed: new policy files, policies whose file or any
  // file they were compiled from changed, removed files. A policy whose last attempt failed is
  // compiled again even if its files did not change. Returns the report (also LastReport()).
  // Throws Error if the folder cannot be read (nothing changes then).
  ReloadReport Reload();
  // The report of the last Reload() call or of the last watch check that changed() something
  // (the constructor's load, at first).
  ReloadReport LastReport() const;
  // Increases every time a reload changes what is served (a version loaded or a policy removed):
  // a cheap way to notice a reload, e.g. by the watch thread.
  uint64_t generation() const;
  // The folder, as given to the constructor.
  const std::string& folder() const;

  struct State;  // internal (store.cc)

 private:
  static Policy Wrap(std::shared_ptr<const Policy::Impl> impl);  // Policy's constructor is private
  std::unique_ptr<State> state_;
};

}  // namespace proviso

#endif  // PROVISO_STORE_H_
