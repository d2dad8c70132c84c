#include "compiler/check/checker.h"

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "compiler/check/checker_impl.h"

namespace proviso {

bool ParseDecimal(const std::string& text, int64_t* out) {
  size_t dot = text.find('.');
  std::string ip = text.substr(0, dot);
  std::string fp = dot == std::string::npos ? "" : text.substr(dot + 1);
  if (fp.size() > 6 || ip.size() > 12) return false;
  while (fp.size() < 6) fp += '0';
  *out = std::stoll(ip) * kDecimalScale + std::stoll(fp);
  return true;
}

std::string CheckedProgram::name() const {
  const ast::Module& m = main();
  if (m.header) return m.header->name;
  std::string stem = main_path.substr(main_path.find_last_of('/') + 1);
  stem = stem.substr(0, stem.find('.'));
  return stem.empty() ? "policy" : stem;
}

std::string CheckedProgram::document() const {
  const ast::Module& m = main();
  return m.header ? m.header->document : "";
}

namespace check_internal {

// The passes, each in the file named after what it checks: DeclareTypes, DeclareValues and
// ResolveSignatures in names.cc (calendars in time.cc), CheckScopes in scopes.cc, CheckBodies in bodies.cc (its tables in tables.cc), CheckRules
// in default_logic.cc, then obligations.cc, dependencies.cc, tests.cc, law.cc (citations), and WarnUnused in names.cc.
void Checker::Run() {
  DeclareCalendars();
  DeclareTypes();
  DeclareValues();
  ResolveSignatures();
  let_state_.assign(p_.lets.size(), 0);
  CheckScopes();
  CheckBodies();
  CheckRules();
  CheckObligations();
  CheckDependencyCycles();
  CheckTests();
  CheckCitations();
  WarnUnused();
}

}  // namespace check_internal

std::unique_ptr<CheckedProgram> Check(std::vector<std::unique_ptr<ast::Module>> modules,
                                      DiagnosticSink& diags, std::vector<law::Document> laws) {
  auto p = std::make_unique<CheckedProgram>();
  p->modules = std::move(modules);
  p->laws = std::move(laws);
  check_internal::Checker(*p, diags).Run();
  return p;
}

}  // namespace proviso
