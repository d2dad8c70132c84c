// `proviso lsp`: the language server on standard input and output (compiler/lsp/server.h).
#ifndef PROVISO_TOOLS_LSP_COMMAND_H_
#define PROVISO_TOOLS_LSP_COMMAND_H_

#include <string>

#include <CLI/CLI.hpp>

namespace proviso::tools {

struct LspArgs {
  std::string log;  // --log FILE: a trace of the messages ("": none)
};

// Adds the `lsp` subcommand (and its --log option) to `app`; `args` must outlive the parse.
CLI::App* AddLspCommand(CLI::App& app, LspArgs& args);

// Serves one client on stdin/stdout until `exit`; the exit code is 0 after `shutdown` then `exit`, else
// 1 (and 1 when the log file cannot be opened). `root`: the import root ("": each policy's default).
int RunLsp(const LspArgs& args, const std::string& root, const std::string& version);

}  // namespace proviso::tools

#endif  // PROVISO_TOOLS_LSP_COMMAND_H_
