// PolicyStore: named policies served from a folder, reloaded on request or by a watch thread.
//
// Synchronisation (there is no data race by design):
// - State::serving (name -> Policy) is the only thing readers touch. Get/Find/Names lock
//   serving_mu for a map lookup and copy a Policy out (a shared_ptr copy); a reload locks it only
//   to swap the entries it changed, all at once, and releases the versions it replaced after
//   unlocking (unloading native code must not hold readers up). A plain mutex, not a
//   shared_mutex: glibc's reader-preferring rwlock lets a stream of readers starve the reload,
//   and the critical sections are a map lookup either way. A Policy is immutable and keeps its
//   compiled version alive, so an evaluation in flight finishes on the version it started with.
// - Everything else a reload reads or writes (State::tracked) is guarded by reload_mu: one reload
//   at a time (Reload() callers and the watch thread). Compilation and tests run under reload_mu
//   only, never under serving_mu.
// - State::last (the last report) is guarded by report_mu; generation is atomic.
// - The watch thread sleeps on stop_cv (guarded by stop_mu) and is joined by the destructor.
// - Lock order: reload_mu, then serving_mu or report_mu (never the other way); on_reload is called
//   with no lock held.
#include "proviso/store.h"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <condition_variable>
#include <filesystem>
#include <map>
#include <mutex>
#include <thread>
#include <utility>

#include <fmt/format.h>

#include "compiler/jit/disk_cache.h"
#include "compiler/support/read_file.h"
#include "runtime/src/policy_impl.h"

namespace proviso {

namespace fs = std::filesystem;

const char* ReloadStatusName(ReloadStatus s) {
  switch (s) {
    case ReloadStatus::kLoaded: return "loaded";
    case ReloadStatus::kUnchanged: return "unchanged";
    case ReloadStatus::kFailed: return "failed";
    case ReloadStatus::kRemoved: return "removed";
  }
  return "unchanged";
}

bool ReloadReport::ok() const {
  if (!error.empty()) return false;
  for (const PolicyReload& p : policies) {
    if (p.status == ReloadStatus::kFailed) return false;
  }
  return true;
}

bool ReloadReport::changed() const {
  if (!error.empty()) return true;
  for (const PolicyReload& p : policies) {
    if (p.status == ReloadStatus::kLoaded || p.status == ReloadStatus::kRemoved) return true;
    if (p.status == ReloadStatus::kFailed && p.attempted) return true;
  }
  return false;
}

const PolicyReload* ReloadReport::Find(const std::string& name) const {
  for (const PolicyReload& p : policies) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

std::string ReloadReport::ToText() const {
  std::string out;
  if (!error.empty()) out += "error: " + error + "\n";
  for (const PolicyReload& p : policies) {
    switch (p.status) {
      case ReloadStatus::kUnchanged: break;
      case ReloadStatus::kLoaded: out += fmt::format("loaded {} (version {})\n", p.name, p.version); break;
      case ReloadStatus::kRemoved: out += fmt::format("removed {}\n", p.name); break;
      case ReloadStatus::kFailed:
        out += fmt::format("failed {}: {}{}\n", p.name, p.reason,
                           p.version.empty() ? " (not served)" : " (the previous version serves)");
        break;
    }
  }
  return out;
}

nlohmann::json ReloadReport::ToJson() const {
  nlohmann::json j = nlohmann::json::object();
  if (!error.empty()) j["error"] = error;
  j["policies"] = nlohmann::json::array();
  for (const PolicyReload& p : policies) {
    nlohmann::json e = {{"name", p.name},
                        {"path", p.path},
                        {"status", ReloadStatusName(p.status)},
                        {"attempted", p.attempted},
                        {"version", p.version},
                        {"previous_version", p.previous_version}};
    if (!p.reason.empty()) e["reason"] = p.reason;
    if (!p.diagnostics.empty()) {
      e["diagnostics"] = nlohmann::json::array();
      for (const PolicyDiagnostic& d : p.diagnostics) {
        e["diagnostics"].push_back({{"severity", d.severity}, {"code", d.code}, {"message", d.message},
                                    {"file", d.location.file}, {"line", d.location.line},
                                    {"column", d.location.column}});
      }
    }
    if (!p.failed_tests.empty()) {
      e["failed_tests"] = nlohmann::json::array();
      for (const TestOutcome& t : p.failed_tests) {
        e["failed_tests"].push_back({{"name", t.name}, {"file", t.location.file}, {"line", t.location.line},
                                     {"failures", t.failures}});
      }
    }
    j["policies"].push_back(std::move(e));
  }
  return j;
}

namespace {

// Files as (path, SHA-256 of the content, "" when the file could not be read).
using Files = std::vector<std::pair<std::string, std::string>>;

Files Hashed(const std::vector<std::pair<std::string, std::string>>& contents) {
  Files out;
  for (const auto& [path, text] : contents) out.push_back({path, jit::Sha256Hex(text)});
  return out;
}

// The files as one check of the folder finds them: each read and hashed at most once per check.
class Snapshot {
 public:
  // The SHA-256 of the file's content now, or "" when it cannot be read.
  const std::string& Hash(const std::string& path) {
    auto it = hashes_.find(path);
    if (it != hashes_.end()) return it->second;
    std::string error;
    std::optional<std::string> text = ReadWholeFile(path, kMaxSourceBytes, &error);
    return hashes_[path] = text ? jit::Sha256Hex(*text) : "";
  }
  void Remember(const std::string& path, const std::string& text) { hashes_[path] = jit::Sha256Hex(text); }
  // Whether any of `files` has another content now (or cannot be read any more).
  bool Changed(const Files& files) {
    for (const auto& [path, hash] : files) {
      if (Hash(path) != hash) return true;
    }
    return false;
  }

 private:
  std::map<std::string, std::string> hashes_;
};

// Whether policy text starts with a `policy` header: after a UTF-8 byte order mark, white space
// and comments, the word `policy` (what the grammar's header rule starts with).
bool HasPolicyHeader(const std::string& text) {
  size_t i = text.compare(0, 3, "\xEF\xBB\xBF") == 0 ? 3 : 0;
  const size_t n = text.size();
  while (i < n) {
    char c = text[i];
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      ++i;
    } else if (text.compare(i, 2, "//") == 0) {
      i = text.find('\n', i);
      if (i == std::string::npos) return false;
    } else if (text.compare(i, 2, "/*") == 0) {
      i = text.find("*/", i + 2);
      if (i == std::string::npos) return false;
      i += 2;
    } else {
      break;
    }
  }
  if (text.compare(i, 6, "policy") != 0) return false;
  if (i + 6 == n) return true;
  unsigned char next = static_cast<unsigned char>(text[i + 6]);
  return !(std::isalnum(next) || next == '_');
}

// "cannot read the policy folder `F`: no such file or directory" (the system's reason, lowercased
// as every message is).
Error FolderError(const std::string& folder, const std::error_code& ec) {
  std::string why = ec.message();
  if (!why.empty()) why[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(why[0])));
  return Error(fmt::format("cannot read the policy folder `{}`: {}", folder, why));
}

// What a store knows of one policy between reloads.
struct Tracked {
  std::string path;
  std::optional<Policy> serving;  // the version served (also in State::serving), if any
  Files serving_files;            // what it was compiled from
  std::optional<PolicyReload> failure;  // the last attempt failed (the previous version serves)
  Files failure_files;                  // what that attempt read
};

// One attempt at loading a policy file: its report entry (status kLoaded or kFailed), the new
// version when it may serve, and the files the attempt read.
struct Attempt {
  PolicyReload entry;
  std::optional<Policy> policy;
  Files files;
};

std::string TestsFailReason(const std::vector<TestOutcome>& failed) {
  const TestOutcome& t = failed.front();
  std::string out = fmt::format("test `{}` ({}:{}) fails: {}", t.name, t.location.file, t.location.line,
                                t.failures.empty() ? "" : t.failures.front());
  if (failed.size() > 1) {
    out += fmt::format(" (and {} more failing test{})", failed.size() - 1, failed.size() == 2 ? "" : "s");
  }
  return out;
}

}  // namespace

struct PolicyStore::State {
  std::string folder;
  StoreOptions options;

  mutable std::mutex serving_mu;
  std::map<std::string, Policy> serving;  // guarded by serving_mu

  std::mutex reload_mu;
  std::map<std::string, Tracked> tracked;  // guarded by reload_mu

  mutable std::mutex report_mu;
  ReloadReport last;  // guarded by report_mu
  std::atomic<uint64_t> generation{0};

  std::mutex stop_mu;
  std::condition_variable stop_cv;
  bool stop = false;  // guarded by stop_mu
  std::thread watcher;

  Policy (*wrap)(std::shared_ptr<const Policy::Impl>) = nullptr;

  // Compiles `path` (and tests it, with options.run_tests).
  Attempt Try(const std::string& name, const std::string& path) const {
    Attempt a;
    a.entry.name = name;
    a.entry.path = path;
    a.entry.attempted = true;
    a.entry.status = ReloadStatus::kFailed;
    std::vector<std::pair<std::string, std::string>> read;
    try {
      Policy p = wrap(CompileFileImpl(options.engine, path, &read));
      if (options.run_tests) {
        for (TestOutcome& t : p.RunTests(options.test_today)) {
          if (!t.passed) a.entry.failed_tests.push_back(std::move(t));
        }
      }
      if (!a.entry.failed_tests.empty()) {
        a.entry.reason = TestsFailReason(a.entry.failed_tests);
      } else {
        a.entry.status = ReloadStatus::kLoaded;
        a.entry.version = p.version();
        a.entry.warnings = p.warnings();
        a.policy = std::move(p);
      }
    } catch (const CompileError& e) {
      a.entry.reason = e.what();
      a.entry.diagnostics = e.diagnostics();
    } catch (const std::exception& e) {  // Error from the tests, or a failure of the system
      a.entry.reason = e.what();
    }
    // A main file that could not be read gave no sources: watch it for when it can be.
    a.files = read.empty() ? Files{{path, ""}} : Hashed(read);
    return a;
  }

  // One check of the folder; reloads what changed. See PolicyStore::Reload.
  ReloadReport Check(bool retry_failed) {
    std::lock_guard<std::mutex> reload_lock(reload_mu);
    Snapshot now;
    std::map<std::string, std::string> found;     // name -> path: the policy files
    std::map<std::string, std::string> unusable;  // name -> why: files of tracked policies that are none now
    std::error_code ec;
    fs::directory_iterator it(folder, ec);
    if (ec) throw FolderError(folder, ec);
    for (; it != fs::directory_iterator(); it.increment(ec)) {
      if (ec) throw FolderError(folder, ec);
      const fs::path& file = it->path();
      std::error_code fe;
      if (file.extension() != ".proviso" || !fs::is_regular_file(file, fe)) continue;  // follows links
      std::string name = file.stem().string();
      std::string path = (fs::path(folder) / file.filename()).string();
      std::string error;
      std::optional<std::string> text = ReadWholeFile(path, kMaxSourceBytes, &error);
      if (!text) {
        unusable[name] = fmt::format("cannot read `{}`: {}", path, error);
        continue;
      }
      now.Remember(path, *text);
      if (HasPolicyHeader(*text)) {
        found[name] = path;
      } else {
        unusable[name] = fmt::format(
            "`{}` no longer starts with a `policy` header (delete the file to remove the policy)", path);
      }
    }

    std::vector<PolicyReload> entries;
    std::map<std::string, std::optional<Policy>> swaps;  // name -> the new version, or nullopt: removed
    for (const auto& [name, path] : found) {
      auto t = tracked.find(name);
      if (t == tracked.end()) t = tracked.emplace(name, Tracked{path, std::nullopt, {}, std::nullopt, {}}).first;
      Tracked& tr = t->second;
      tr.path = path;
      std::string before = tr.serving ? tr.serving->version() : "";
      bool failing = tr.failure.has_value();
      bool changed = !tr.serving && !failing ? true : now.Changed(failing ? tr.failure_files : tr.serving_files);
      if (!changed && !(failing && retry_failed)) {
        PolicyReload e;
        if (failing) e = *tr.failure;
        e.name = name;
        e.path = path;
        e.status = failing ? ReloadStatus::kFailed : ReloadStatus::kUnchanged;
        e.attempted = false;
        e.version = e.previous_version = before;
        entries.push_back(std::move(e));
        continue;
      }
      Attempt a = Try(name, path);
      a.entry.previous_version = before;
      if (a.policy) {
        if (a.policy->version() == before) {
          a.entry.status = ReloadStatus::kUnchanged;  // changed back, or only in what it does not read
        } else {
          swaps.insert_or_assign(name, a.policy);
          tr.serving = a.policy;
        }
        tr.serving_files = std::move(a.files);
        tr.failure.reset();
        tr.failure_files.clear();
      } else {
        a.entry.version = before;
        tr.failure = a.entry;
        tr.failure_files = std::move(a.files);
      }
      entries.push_back(std::move(a.entry));
    }
    for (auto t = tracked.begin(); t != tracked.end();) {
      const std::string& name = t->first;
      Tracked& tr = t->second;
      if (found.count(name)) {
        ++t;
        continue;
      }
      std::string before = tr.serving ? tr.serving->version() : "";
      auto why = unusable.find(name);
      if (why != unusable.end() && tr.serving) {  // still there, but not a policy: keep serving
        PolicyReload e;
        e.name = name;
        e.path = tr.path;
        e.status = ReloadStatus::kFailed;
        e.version = e.previous_version = before;
        Files files = {{tr.path, now.Hash(tr.path)}};
        e.attempted = !tr.failure || now.Changed(tr.failure_files);
        e.reason = why->second;
        tr.failure = e;
        tr.failure_files = std::move(files);
        entries.push_back(std::move(e));
        ++t;
        continue;
      }
      PolicyReload e;  // gone (or never served and no policy any more)
      e.name = name;
      e.path = tr.path;
      e.status = ReloadStatus::kRemoved;
      e.attempted = true;
      e.previous_version = before;
      if (tr.serving) swaps.insert_or_assign(name, std::nullopt);
      entries.push_back(std::move(e));
      t = tracked.erase(t);
    }

    // Swap everything at once; the replaced versions are released after the lock.
    std::vector<Policy> replaced;
    if (!swaps.empty()) {
      std::lock_guard<std::mutex> lock(serving_mu);
      for (auto& [name, policy] : swaps) {
        auto s = serving.find(name);
        if (s != serving.end()) {
          replaced.push_back(s->second);
          serving.erase(s);
        }
        if (policy) serving.emplace(name, std::move(*policy));
      }
    }
    if (!swaps.empty()) generation.fetch_add(1);

    ReloadReport report;
    std::sort(entries.begin(), entries.end(),
              [](const PolicyReload& a, const PolicyReload& b) { return a.name < b.name; });
    report.policies = std::move(entries);
    if (retry_failed || report.changed()) {  // Reload() calls, and the watch thread's changes
      std::lock_guard<std::mutex> lock(report_mu);
      last = report;
    }
    return report;
  }

  void Notify(const ReloadReport& report) const {
    if (!options.on_reload || !report.changed()) return;
    try {
      options.on_reload(report);
    } catch (...) {  // the contract says it must not throw; a reload must not fail for it
    }
  }

  // The watch thread: a check every options.watch_interval until stop.
  void Watch() {
    std::unique_lock<std::mutex> lock(stop_mu);
    while (!stop_cv.wait_for(lock, options.watch_interval, [this] { return stop; })) {
      lock.unlock();
      ReloadReport report;
      try {
        report = Check(/*retry_failed=*/false);
      } catch (const std::exception& e) {  // the folder cannot be read: say so once, keep serving
        std::lock_guard<std::mutex> report_lock(report_mu);
        if (last.error != e.what()) {
          report.error = e.what();
          last = report;
        }
      }
      Notify(report);
      lock.lock();
    }
  }
};

Policy PolicyStore::Wrap(std::shared_ptr<const Policy::Impl> impl) { return Policy(std::move(impl)); }

PolicyStore::PolicyStore(std::string folder, StoreOptions options) : state_(std::make_unique<State>()) {
  state_->folder = std::move(folder);
  state_->options = std::move(options);
  state_->wrap = &PolicyStore::Wrap;
  state_->Check(/*retry_failed=*/true);
  if (state_->options.watch_interval.count() > 0) {
    state_->watcher = std::thread([s = state_.get()] { s->Watch(); });
  }
}

PolicyStore::~PolicyStore() {
  {
    std::lock_guard<std::mutex> lock(state_->stop_mu);
    state_->stop = true;
  }
  state_->stop_cv.notify_all();
  if (state_->watcher.joinable()) state_->watcher.join();
}

std::optional<Policy> PolicyStore::Find(const std::string& name) const {
  std::lock_guard<std::mutex> lock(state_->serving_mu);
  auto it = state_->serving.find(name);
  if (it == state_->serving.end()) return std::nullopt;
  return it->second;
}

Policy PolicyStore::Get(const std::string& name) const {
  if (std::optional<Policy> p = Find(name)) return *p;
  std::string served;
  for (const std::string& n : Names()) served += (served.empty() ? "`" : ", `") + n + "`";
  throw Error(fmt::format("no policy `{}` is served from `{}` (served: {})", name, state_->folder,
                          served.empty() ? "none" : served));
}

std::vector<std::string> PolicyStore::Names() const {
  std::lock_guard<std::mutex> lock(state_->serving_mu);
  std::vector<std::string> out;
  for (const auto& [name, policy] : state_->serving) out.push_back(name);
  return out;
}

ReloadReport PolicyStore::Reload() {
  ReloadReport report = state_->Check(/*retry_failed=*/true);
  state_->Notify(report);
  return report;
}

ReloadReport PolicyStore::LastReport() const {
  std::lock_guard<std::mutex> lock(state_->report_mu);
  return state_->last;
}

uint64_t PolicyStore::generation() const { return state_->generation.load(); }

const std::string& PolicyStore::folder() const { return state_->folder; }

}  // namespace proviso
