// Reports for CI systems: SARIF 2.1.0 for `check --format sarif` (code scanning) and JUnit XML for
// `test --format junit` (test dashboards).
#ifndef PROVISO_TOOLS_REPORTS_H_
#define PROVISO_TOOLS_REPORTS_H_

#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

namespace proviso::tools {

// SARIF 2.1.0 (one run, tool `proviso` at `version`) from diagnostics in the form of RenderJson:
// [{severity, code, message, file, line, column, end_line, end_column, notes, help?}].
nlohmann::json Sarif(const nlohmann::json& diagnostics, const std::string& version);

// JUnit XML from the report of `test --format json` ({tests: [{file, line, column, name, passed,
// failures}], not_compiled: [files]}): one <testsuite> per policy file; a policy that does not
// compile is a suite with one errored case.
std::string JUnit(const nlohmann::json& report);

// A completion script for `shell` ("bash" or "zsh") of the commands and options of `app`: commands,
// then each command's options (and values for those limited to a set), then files.
std::string Completion(CLI::App& app, const std::string& shell);

// The policy files under `paths`: a file as given, a folder searched recursively for .proviso files
// (sorted); what `test`, `coverage` and `verify` run over.
std::vector<std::string> CollectPolicies(const std::vector<std::string>& paths);

}  // namespace proviso::tools

#endif  // PROVISO_TOOLS_REPORTS_H_
