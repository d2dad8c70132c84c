// `proviso verify PATHS` and `proviso diff OLD NEW` / `proviso diff P --between D1 D2`
// (compiler/verify/verify.h): proofs and counterexamples, every counterexample and witness replayed
// on both engines (the JIT and the interpreter, through the public SDK) before it is reported.
#ifndef PROVISO_TOOLS_VERIFY_COMMAND_H_
#define PROVISO_TOOLS_VERIFY_COMMAND_H_

#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace proviso::tools {

struct VerifyArgs {
  std::vector<std::string> paths;      // policy files or folders (verify); OLD [NEW] (diff)
  std::optional<std::string> as_of;    // a fixed evaluation date
  std::vector<std::string> between;    // verify: the range of dates; diff: the two dates
  std::string format = "text";
  unsigned timeout_ms = 2000;          // per solver query
  int list_bound = 3;                  // list facts have at most this many elements
  std::string root;                    // --root of the other commands
};

// Adds `verify` and `diff` to `app`, parsing into `verify` and `diff` (which must outlive the parse).
void AddVerifyCommands(CLI::App& app, VerifyArgs& verify, VerifyArgs& diff, CLI::App** verify_cmd, CLI::App** diff_cmd);

// Exit codes: 0 proved (verify) / equivalent (diff); 1 counterexamples / differences, or a policy
// that does not compile; 2 usage; 4 unknown (a construct not translated, a timeout); 5 an internal
// bug (a counterexample or witness that does not reproduce on an engine).
int RunVerify(const VerifyArgs& args);
int RunDiff(const VerifyArgs& args);

}  // namespace proviso::tools

#endif  // PROVISO_TOOLS_VERIFY_COMMAND_H_
