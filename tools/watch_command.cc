// `proviso watch`: check the policies and run their tests, then again at every change of a file.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <map>
#include <string>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "fmt_command.h"
#include "proviso/proviso.h"

namespace proviso::tools {
namespace {

namespace fs = std::filesystem;

std::atomic<bool> g_stop{false};

extern "C" void OnStopSignal(int) { g_stop = true; }

// What a file looked like: a change of either is a change of the file.
struct Stamp {
  fs::file_time_type mtime;
  uintmax_t size = 0;
  bool operator==(const Stamp& o) const { return mtime == o.mtime && size == o.size; }
};

// The .proviso and .law files below the paths (a path that is a file: itself), hidden folders left out.
std::map<std::string, Stamp> Snapshot(const std::vector<std::string>& paths) {
  std::map<std::string, Stamp> files;
  auto add = [&](const fs::path& p) {
    std::error_code ec;
    Stamp s{fs::last_write_time(p, ec), 0};
    if (ec) return;
    s.size = fs::file_size(p, ec);
    if (!ec) files[p.string()] = s;
  };
  for (const std::string& path : paths) {
    std::error_code ec;
    if (!fs::is_directory(path, ec)) {
      if (fs::exists(path, ec)) add(path);
      continue;
    }
    fs::recursive_directory_iterator it(path, fs::directory_options::skip_permission_denied, ec), end;
    for (; !ec && it != end; it.increment(ec)) {
      std::string name = it->path().filename().string();
      std::error_code e2;
      if (it->is_directory(e2) && name.size() > 1 && name[0] == '.') {
        it.disable_recursion_pending();
      } else if (it->is_regular_file(e2) &&
                 (it->path().extension() == ".proviso" || it->path().extension() == ".law")) {
        add(it->path());
      }
    }
  }
  return files;
}

// One round: every policy compiled (its diagnostics printed) and its tests run. True when all passed.
bool Report(const std::vector<std::string>& paths, const std::map<std::string, Stamp>& files, const std::string& root) {
  std::time_t now = std::time(nullptr);
  char when[32];
  std::strftime(when, sizeof when, "%H:%M:%S", std::localtime(&now));
  std::cout << fmt::format("---- proviso watch {} ({})\n", when, fmt::join(paths, ", "));
  EngineOptions options;
  options.backend = Backend::kInterpreter;  // the quickest to start; the JIT agrees (tests/differential)
  options.cache = false;                    // a law file's change must be seen
  options.import_root = root;
  Engine engine(options);
  int policies = 0, passed = 0, failed = 0, broken = 0;
  for (const auto& [file, stamp] : files) {
    if (fs::path(file).extension() != ".proviso") continue;
    ++policies;
    try {
      Policy p = engine.CompileFile(file);
      for (const PolicyDiagnostic& w : p.warnings()) std::cout << w.rendered << "\n";
      for (const TestOutcome& t : p.RunTests()) {
        if (t.passed) {
          ++passed;
          continue;
        }
        ++failed;
        std::cout << fmt::format("FAIL {}:{}:{}: {}\n", t.location.file, t.location.line, t.location.column, t.name);
        for (const std::string& f : t.failures) std::cout << "     " << f << "\n";
      }
    } catch (const CompileError& e) {
      ++broken;
      for (const PolicyDiagnostic& d : e.diagnostics()) std::cout << d.rendered << "\n";
      std::cout << fmt::format("error: `{}` does not compile\n", file);
    } catch (const Error& e) {
      ++broken;
      std::cout << fmt::format("error: `{}`: {}\n", file, e.what());
    }
  }
  bool ok = failed == 0 && broken == 0;
  std::cout << fmt::format("{}: {} polic{}, {} passed, {} failed{}\n", ok ? "ok" : "FAILED", policies,
                           policies == 1 ? "y" : "ies", passed, failed,
                           broken ? fmt::format(", {} did not compile", broken) : "");
  std::cout.flush();
  return ok;
}

}  // namespace

CLI::App* AddWatchCommand(CLI::App& app, WatchOptions& o) {
  CLI::App* cmd = app.add_subcommand("watch", "check and test policies again at every change (default: policies/)");
  cmd->add_option("paths", o.paths, "policy files or folders (their .proviso and .law files are watched)");
  cmd->add_flag("--once", o.once, "one report, then exit: 0 when everything compiles and passes, else 1");
  cmd->add_option("--interval", o.interval_ms, "how often to look at the files, in milliseconds")
      ->check(CLI::Range(20, 60000));
  cmd->add_option("--root", o.root, "the folder imports and law files must be under (as for `check`)");
  return cmd;
}

int RunWatch(const WatchOptions& o) {
  std::vector<std::string> paths = o.paths.empty() ? std::vector<std::string>{"policies"} : o.paths;
  for (const std::string& p : paths) {
    std::error_code ec;
    if (!fs::exists(p, ec)) {
      std::cerr << fmt::format("error: `{}`: no such file or folder\n", p);
      return 1;
    }
  }
  if (!o.once) {
    std::signal(SIGINT, OnStopSignal);
    std::signal(SIGTERM, OnStopSignal);
  }
  std::map<std::string, Stamp> files = Snapshot(paths);
  bool ok = Report(paths, files, o.root);
  if (o.once) return ok ? 0 : 1;
  if (g_stop) return 0;
  std::cout << fmt::format("watching {} files; Ctrl-C to stop\n", files.size());
  std::cout.flush();
  while (!g_stop) {
    std::this_thread::sleep_for(std::chrono::milliseconds(o.interval_ms));
    std::map<std::string, Stamp> now = Snapshot(paths);
    if (now == files) continue;
    // An editor may write a file in several steps: wait until it stays the same for one interval.
    while (!g_stop) {
      std::this_thread::sleep_for(std::chrono::milliseconds(std::min(o.interval_ms, 100)));
      std::map<std::string, Stamp> again = Snapshot(paths);
      if (again == now) break;
      now = std::move(again);
    }
    if (g_stop) break;
    files = std::move(now);
    Report(paths, files, o.root);
    std::cout << fmt::format("watching {} files; Ctrl-C to stop\n", files.size());
    std::cout.flush();
  }
  return 0;
}

}  // namespace proviso::tools
