#include "lsp_command.h"

#include <csignal>
#include <fstream>
#include <iostream>

#include <fmt/format.h>

#include "compiler/lsp/server.h"
#include "compiler/lsp/transport.h"

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
  // options.formatter: set once `proviso fmt` (compiler/format) is merged, e.g.
  //   options.formatter = [](const std::string& path, const std::string& text, std::string* error) { ... };
  lsp::Server server(transport, std::move(options));
  return server.Run();
}

}  // namespace proviso::tools
