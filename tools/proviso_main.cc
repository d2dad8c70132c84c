// The `proviso` command line: check, compile, eval, test, explain.
// Only this file decides exit codes: 0 success, 1 a problem in the user's input, 2 a usage error.
#include <iostream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "compiler/ast/ast.h"
#include "compiler/driver/driver.h"

namespace {

using proviso::FrontEnd;

void PrintDiagnostics(const FrontEnd& fe, const std::string& format, std::ostream& out) {
  if (format == "json") {
    out << proviso::RenderJson(fe.diags.diagnostics(), fe.sources) << "\n";
  } else {
    out << proviso::RenderText(fe.diags.diagnostics(), fe.sources);
  }
}

int RunCheck(const std::vector<std::string>& files, const std::string& format) {
  bool failed = false;
  for (const std::string& f : files) {
    auto fe = proviso::CompileFile(f);
    PrintDiagnostics(*fe, format, format == "json" ? std::cout : std::cerr);
    failed |= !fe->ok();
  }
  return failed ? 1 : 0;
}

int RunCompile(const std::string& file, const std::string& emit, const std::string& format) {
  auto fe = proviso::CompileFile(file);
  PrintDiagnostics(*fe, format, std::cerr);
  if (!fe->ok()) return 1;
  if (emit == "ast") {
    std::cout << proviso::ast::Dump(fe->program->main());
  } else if (emit == "typed") {
    std::cout << proviso::DumpTyped(*fe->program);
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"proviso: compile, check, test and evaluate policies written in Proviso"};
  app.require_subcommand(1);
  std::string format = "text";

  std::vector<std::string> check_files;
  auto* check = app.add_subcommand("check", "check policies and print their diagnostics");
  check->add_option("files", check_files, "policy files")->required();
  check->add_option("--format", format, "text or json")->check(CLI::IsMember({"text", "json"}));

  std::string compile_file, emit = "typed";
  auto* compile = app.add_subcommand("compile", "compile a policy and dump one stage");
  compile->add_option("file", compile_file, "policy file")->required();
  compile->add_option("--emit", emit, "ast or typed")->check(CLI::IsMember({"ast", "typed"}));

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  if (check->parsed()) return RunCheck(check_files, format);
  if (compile->parsed()) return RunCompile(compile_file, emit, format);
  return 2;
}
