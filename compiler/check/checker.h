// Check: names, types, tables, exception graph. AST -> CheckedProgram + diagnostics.
#ifndef PROVISO_COMPILER_CHECK_CHECKER_H_
#define PROVISO_COMPILER_CHECK_CHECKER_H_

#include <memory>
#include <string>
#include <vector>

#include "compiler/ast/ast.h"
#include "compiler/diag/diagnostic.h"
#include "compiler/law/law.h"
#include "compiler/types/types.h"

namespace proviso {

// A policy parameter: one name, one type, one or more versions with disjoint effective periods.
struct ParamSymbol {
  std::string name;
  const Type* type = nullptr;
  std::vector<const ast::ParamDecl*> versions;
};

struct LetSymbol {
  const ast::LetDecl* decl = nullptr;
  const Type* type = nullptr;
  int scope = -1;  // the `for each` it is decided in (index in CheckedProgram::scopes), or -1
};

struct FunctionSymbol {
  const ast::FunctionDecl* decl = nullptr;
  std::vector<const Type*> params;
  const Type* result = nullptr;
};

struct TableSymbol {
  const ast::TableDecl* decl = nullptr;
  std::vector<const Type*> params;
  const Type* result = nullptr;  // the declared row result type
  const Type* call = nullptr;    // the type of a call (list<T> for collect, int for count ...)
};

struct OutputSymbol {
  const ast::OutputDecl* decl = nullptr;
  const Type* type = nullptr;
  std::vector<int> rules;  // indexes into CheckedProgram::rules
  int scope = -1;
};

// A `for each` of the main file: what is decided for each element of a collection.
struct ScopeSymbol {
  const ast::ScopeDecl* decl = nullptr;
  const Type* element = nullptr;  // the collection's element type
  const Type* key = nullptr;      // the key's type (int: the index, when there is no `key`)
};

// A program whose names are resolved and whose expressions carry types. The AST nodes are owned here
// and annotated in place; indexes in ast::Expr refer to the vectors below.
// Immutable after Check returns; safe to read from many threads.
struct CheckedProgram {
  std::vector<std::unique_ptr<ast::Module>> modules;  // [0] is the main file, then its imports
  TypeTable types;
  int input_record = -1;  // record type of the facts (named "input")
  std::vector<ParamSymbol> params;
  std::vector<LetSymbol> lets;
  std::vector<FunctionSymbol> functions;
  std::vector<TableSymbol> tables;
  std::vector<OutputSymbol> outputs;
  std::vector<const ast::RuleDecl*> rules;
  std::vector<std::vector<int>> rule_parents;  // the rules each rule is an exception to
  std::vector<const ast::ObligationDecl*> obligations;
  std::vector<std::vector<int>> obligation_parents;  // the obligations each one is an exception to
  std::vector<ast::TestDecl*> tests;
  std::vector<const ast::CalendarDecl*> calendars;  // every calendar, main file and imports
  std::vector<ScopeSymbol> scopes;                  // the main file's `for each`, in order
  // Locals needed by the deepest expression (function parameters and quantifier variables).
  int max_locals = 0;

  std::string main_path;  // the main file's path (names a policy without a header)
  // The law documents cited (`law "PATH"`); ast::Citation::law and ::paragraph index them.
  std::vector<law::Document> laws;

  const ast::Module& main() const { return *modules.front(); }
  std::string name() const;      // the policy name, or the file's stem
  std::string document() const;  // the header's document, or ""
};

// Checks `modules` (main file first, then every imported file). Every problem found is reported
// to `diags`; the returned program is usable only when `diags` has no errors.
// `laws` are the documents the modules' `law "PATH"` loaded (ast::LawSource::law indexes them).
std::unique_ptr<CheckedProgram> Check(std::vector<std::unique_ptr<ast::Module>> modules,
                                      DiagnosticSink& diags, std::vector<law::Document> laws = {});

// The names of the builtin functions (`year`, `months_between` ...), sorted: for completion in editors.
std::vector<std::string> BuiltinNames();
// Parses a decimal literal ("12.5") into units of 10^-6; false when it has more than 6 decimals
// or does not fit.
bool ParseDecimal(const std::string& text, int64_t* out);
// "did you mean `x`?" for the candidate nearest to `name` (a slip of a letter or a few), or "".
std::string SuggestName(const std::string& name, const std::vector<std::string>& candidates);
constexpr int64_t kDecimalScale = 1000000;
// The largest whole part a decimal fact may have (a decimal is an int64 count of 10^-6 units).
constexpr int64_t kMaxDecimalWhole = 9'000'000'000'000;

}  // namespace proviso

#endif  // PROVISO_COMPILER_CHECK_CHECKER_H_
