// `proviso fmt` and `proviso watch`: the command-line glue (the formatter is compiler/format).
#ifndef PROVISO_TOOLS_FMT_COMMAND_H_
#define PROVISO_TOOLS_FMT_COMMAND_H_

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace proviso::tools {

// The options of `proviso fmt` (docs/cli.md).
struct FmtOptions {
  std::vector<std::string> paths;  // files, folders (every .proviso below), or `-` (standard input)
  bool write = false;              // -w: rewrite the files that change
  bool list = false;               // -l: list the files that change
  bool diff = false;               // -d: print a unified diff of each change
  bool check = false;              // --check: exit 1 when a file would change
};

// Adds the `fmt` subcommand to `app`, filling `options` when it is parsed.
CLI::App* AddFmtCommand(CLI::App& app, FmtOptions& options);

// Runs `proviso fmt`. Exit codes: 0 done (with --check: every file is formatted), 1 a file does not
// parse, cannot be read or written, or was refused (E0901), or with --check would change; 2 usage.
// Formatted text and lists go to standard output, diagnostics to standard error.
int RunFmt(const FmtOptions& options);

// The options of `proviso watch`.
struct WatchOptions {
  std::vector<std::string> paths;  // files or folders (default: policies)
  bool once = false;               // one report, then exit 0 (all passed) or 1
  int interval_ms = 300;           // how often the files are looked at
  std::string root;                // --root, as for `check`
};

// Adds the `watch` subcommand to `app`, filling `options` when it is parsed.
CLI::App* AddWatchCommand(CLI::App& app, WatchOptions& options);

// Runs `proviso watch`: checks the policies below the paths and runs their tests, prints a report,
// and again each time a .proviso or .law file below them changes, appears or disappears. Returns 0
// on Ctrl-C (SIGINT) or SIGTERM; with `once`, 0 when everything compiled and passed, else 1.
int RunWatch(const WatchOptions& options);

}  // namespace proviso::tools

#endif  // PROVISO_TOOLS_FMT_COMMAND_H_
