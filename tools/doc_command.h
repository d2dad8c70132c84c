// `proviso doc [PATHS...] --out DIR`: the static documentation site (compiler/doc/site.h).
#ifndef PROVISO_TOOLS_DOC_COMMAND_H_
#define PROVISO_TOOLS_DOC_COMMAND_H_

#include <cstdint>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace proviso::tools {

struct DocArgs {
  std::vector<std::string> paths;  // empty: policies/
  std::string out;
};

// Adds the `doc` subcommand to `app`, parsing into `args` (which must outlive the parse).
CLI::App* AddDocCommand(CLI::App& app, DocArgs& args);

// Renders and writes the site. Exit code: 0 written; 1 a policy does not compile, a path does not
// exist or the site cannot be written (nothing is written unless every policy compiles).
int RunDoc(const DocArgs& args, int64_t today);

}  // namespace proviso::tools

#endif  // PROVISO_TOOLS_DOC_COMMAND_H_
