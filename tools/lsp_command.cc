#include "lsp_command.h"

#include <csignal>
#include <fstream>
#include <iostream>

#include <fmt/format.h>

#include "compiler/format/format.h"
#include "compiler/lsp/server.h"
#include "compiler/lsp/transport.h"
#include "compiler/support/large_stack.h"

namespace proviso::tools {

CLI::App* AddLspCommand(CLI::App& app, LspArgs& args) {
  CLI::App* lsp = app.add_subcommand("lsp", "run the language server (LSP over standard input and output)");
  lsp->add_option("--log", args.log, "append a trace of every message to this file");
  lsp->footer("  editors start it themselves: see docs/editors.md");
  return lsp;
}

int RunLsp(const LspArgs& args, const std::string& root, const std::string& version) {
  std::ofstream log;
  if (!args.log.empty()) {
    log.open(args.log, std::ios::app);
    if (!log) {
      std::cerr << fmt::format("error: cannot open the log file `{}`\n", args.log);
      return 1;
    }
  }
  std::signal(SIGPIPE, SIG_IGN);  // a client that goes away ends the server at its next read, not by a signal
  std::ios::sync_with_stdio(false);
  lsp::Transport transport(std::cin, std::cout);
  lsp::ServerOptions options;
  options.import_root = root;
  options.log = args.log.empty() ? nullptr : &log;
  options.version = version;
  // textDocument/formatting is `proviso fmt` (compiler/format): a text that does not parse is refused
  // with its first syntax error (`file:line:col: message`).
  options.formatter = [](const std::string& path, const std::string& text, std::string* error) -> std::optional<std::string> {
    format::FormatResult r = OnLargeStack([&] { return format::FormatSource(path, text); });
    if (r.ok) return r.text;
    *error = r.diagnostics.empty() ? "the policy cannot be formatted"
                                   : FormatLocation(r.diagnostics[0].span, r.sources) + ": " + r.diagnostics[0].message;
    return std::nullopt;
  };
  lsp::Server server(transport, std::move(options));
  return server.Run();
}

}  // namespace proviso::tools
