#include "reports.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <vector>

#include <fmt/format.h>

namespace proviso::tools {
namespace {

nlohmann::json Location(const nlohmann::json& d) {
  nlohmann::json region = {{"startLine", d.value("line", 0)}, {"startColumn", d.value("column", 0)}};
  if (d.value("end_line", 0) > 0) {
    region["endLine"] = d["end_line"];
    region["endColumn"] = d.value("end_column", 0);
  }
  return {{"physicalLocation", {{"artifactLocation", {{"uri", d.value("file", "")}}}, {"region", region}}}};
}

std::string Xml(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default:
        // XML 1.0 has no place for other control characters.
        if (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t' && c != '\r') out += ' ';
        else out += c;
    }
  }
  return out;
}

}  // namespace

nlohmann::json Sarif(const nlohmann::json& diagnostics, const std::string& version) {
  nlohmann::json results = nlohmann::json::array();
  std::map<std::string, nlohmann::json> rules;  // by code, sorted
  for (const nlohmann::json& d : diagnostics) {
    std::string code = d.value("code", "");
    std::string severity = d.value("severity", "error");
    std::string text = d.value("message", "");
    if (d.contains("help")) text += " (help: " + d["help"].get<std::string>() + ")";
    nlohmann::json r = {{"ruleId", code},
                        {"level", severity == "warning" ? "warning" : severity == "note" ? "note" : "error"},
                        {"message", {{"text", text}}}};
    if (d.value("line", 0) > 0) r["locations"] = nlohmann::json::array({Location(d)});
    nlohmann::json related = nlohmann::json::array();
    for (const nlohmann::json& n : d.value("notes", nlohmann::json::array())) {
      nlohmann::json loc = Location(n);
      loc["message"] = {{"text", n.value("message", "")}};
      related.push_back(loc);
    }
    if (!related.empty()) r["relatedLocations"] = related;
    results.push_back(r);
    rules.emplace(code, nlohmann::json{{"id", code}});  // the meaning of each code: docs/language.md §16
  }
  nlohmann::json rule_list = nlohmann::json::array();
  for (auto& [code, rule] : rules) rule_list.push_back(rule);
  return {{"$schema", "https://json.schemastore.org/sarif-2.1.0.json"},
          {"version", "2.1.0"},
          {"runs", nlohmann::json::array({{{"tool", {{"driver", {{"name", "proviso"},
                                                                 {"version", version},
                                                                 {"rules", rule_list}}}}},
                                           {"results", results}}})}};
}

std::string JUnit(const nlohmann::json& report) {
  // Suites in the order their files first appear.
  std::vector<std::string> files;
  std::map<std::string, std::vector<const nlohmann::json*>> by_file;
  for (const nlohmann::json& t : report["tests"]) {
    std::string f = t.value("file", "");
    if (!by_file.count(f)) files.push_back(f);
    by_file[f].push_back(&t);
  }
  int tests = 0, failures = 0, errors = 0;
  std::string suites;
  for (const std::string& f : files) {
    int failed = 0;
    std::string cases;
    for (const nlohmann::json* t : by_file[f]) {
      cases += fmt::format("    <testcase name=\"{}\" classname=\"{}\" file=\"{}\" line=\"{}\"", Xml(t->value("name", "")),
                           Xml(f), Xml(f), t->value("line", 0));
      if (t->value("passed", false)) {
        cases += "/>\n";
        continue;
      }
      ++failed;
      std::string all;
      for (const auto& line : t->value("failures", nlohmann::json::array())) all += line.get<std::string>() + "\n";
      std::string first = t->value("failures", nlohmann::json::array()).empty() ? "failed" : (*t)["failures"][0].get<std::string>();
      cases += fmt::format(">\n      <failure message=\"{}\">{}</failure>\n    </testcase>\n", Xml(first), Xml(all));
    }
    tests += static_cast<int>(by_file[f].size());
    failures += failed;
    suites += fmt::format("  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"0\">\n{}  </testsuite>\n", Xml(f),
                          by_file[f].size(), failed, cases);
  }
  for (const nlohmann::json& f : report["not_compiled"]) {
    ++tests;
    ++errors;
    std::string file = f.get<std::string>();
    suites += fmt::format("  <testsuite name=\"{0}\" tests=\"1\" failures=\"0\" errors=\"1\">\n"
                          "    <testcase name=\"compiles\" classname=\"{0}\" file=\"{0}\">\n"
                          "      <error message=\"the policy does not compile\">proviso check {0}</error>\n"
                          "    </testcase>\n  </testsuite>\n",
                          Xml(file));
  }
  return fmt::format("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                     "<testsuites name=\"proviso test\" tests=\"{}\" failures=\"{}\" errors=\"{}\">\n{}</testsuites>\n",
                     tests, failures, errors, suites);
}

std::string Completion(CLI::App& app, const std::string& shell) {
  std::string commands, cases;
  for (CLI::App* sub : app.get_subcommands({})) {
    commands += (commands.empty() ? "" : " ") + sub->get_name();
    std::string options;
    for (const CLI::Option* o : sub->get_options()) {
      for (const std::string& name : o->get_lnames()) options += " --" + name;
      for (const std::string& name : o->get_snames()) options += " -" + name;
    }
    cases += fmt::format("    {}) opts=\"{}\" ;;\n", sub->get_name(), options.empty() ? "" : options.substr(1));
  }
  std::string bash = fmt::format(
      "# proviso completion (bash): source <(proviso completion bash)\n"
      "_proviso() {{\n"
      "  local cur=${{COMP_WORDS[COMP_CWORD]}} cmd=${{COMP_WORDS[1]}} opts\n"
      "  if [ \"$COMP_CWORD\" -eq 1 ]; then\n"
      "    COMPREPLY=($(compgen -W \"{} --version --help\" -- \"$cur\")); return\n"
      "  fi\n"
      "  case \"${{COMP_WORDS[COMP_CWORD-1]}}\" in\n"
      "    --engine) COMPREPLY=($(compgen -W \"jit interp\" -- \"$cur\")); return ;;\n"
      "    --format) COMPREPLY=($(compgen -W \"text json sarif junit markdown\" -- \"$cur\")); return ;;\n"
      "    --emit) COMPREPLY=($(compgen -W \"ast typed ir llvm\" -- \"$cur\")); return ;;\n"
      "  esac\n"
      "  case \"$cmd\" in\n{}    *) opts=\"\" ;;\n  esac\n"
      "  if [[ $cur == -* ]]; then COMPREPLY=($(compgen -W \"$opts --help\" -- \"$cur\")); return; fi\n"
      "  if [ \"$cmd\" = completion ]; then COMPREPLY=($(compgen -W \"bash zsh\" -- \"$cur\")); return; fi\n"
      "  COMPREPLY=($(compgen -f -- \"$cur\"))\n"
      "}}\n"
      "complete -o filenames -F _proviso proviso\n",
      commands, cases);
  if (shell == "bash") return bash;
  // zsh runs the same function through its bash compatibility layer.
  return "# proviso completion (zsh): source <(proviso completion zsh)\n"
         "autoload -U +X bashcompinit && bashcompinit\n" + bash;
}

std::vector<std::string> CollectPolicies(const std::vector<std::string>& paths) {
  namespace fs = std::filesystem;
  std::vector<std::string> out;
  for (const std::string& p : paths) {
    if (fs::is_directory(p)) {
      std::vector<std::string> found;
      for (const auto& e : fs::recursive_directory_iterator(p)) {
        if (e.is_regular_file() && e.path().extension() == ".proviso") found.push_back(e.path().string());
      }
      std::sort(found.begin(), found.end());
      out.insert(out.end(), found.begin(), found.end());
    } else {
      out.push_back(p);
    }
  }
  return out;
}

}  // namespace proviso::tools
