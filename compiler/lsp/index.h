// The symbol index of one compiled policy, for the language server: every declaration (with its kind,
// type and doc comment) and every use of a name resolved to its declaration, with source spans. Built
// by a pass over the checked AST (the checker's resolutions: ast::Expr::ref and ::index), so that the
// checker itself is unchanged.
#ifndef PROVISO_COMPILER_LSP_INDEX_H_
#define PROVISO_COMPILER_LSP_INDEX_H_

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "compiler/driver/driver.h"
#include "compiler/source/source.h"
#include "compiler/types/types.h"

namespace proviso::lsp {

enum class SymbolKind {
  kEnum, kEnumValue, kRecord, kField, kInputField, kParam, kLet, kFunction, kParameter, kTable, kOutput,
  kRule, kObligation, kTest, kCalendar, kVariable, kItem,
};

// "enum", "enum value", "input field", "parameter" (of a function or table), "variable" ...
const char* KindName(SymbolKind k);

struct Declaration {
  SymbolKind kind = SymbolKind::kLet;
  std::string name;
  Span span;                     // the name where it is declared
  const Type* type = nullptr;    // its value's type (a function's or table's: its result), if any
  std::string type_text;         // the type's spelling when there is no `type` (an enum value: its enum)
  std::string signature;         // what hover shows: `param x: int`, `function f(a: int) -> bool`
  std::string doc;               // the `///` lines above it
  int parent = -1;               // the record of a field, the enum of a value, the function of a parameter
  Span scope;                    // kParameter, kVariable, kItem: where the name is visible
  // Names that may not be declared twice together: "global" (values, rules, obligations), "type",
  // "field:<record decl>", "value:<enum decl>", "local:<owner decl or span>", "test", "calendar".
  std::string ns;
};

// A use of a name (including each later version of a param) and the declaration it resolves to.
struct Reference {
  Span span;
  int decl = -1;
};

// A `cite "p3"` (or an id of `not encoded`) that resolved to a paragraph of a law document.
struct LawReference {
  Span span;
  int law = -1;        // CheckedProgram::laws
  int paragraph = -1;  // law::Document::paragraphs
};

// An `import "PATH"` or `law "PATH"` line and the file it loaded (an id in the front end's sources).
struct FileReference {
  Span span;
  int file = -1;
};

// Immutable after Build; safe to read from many threads. Holds the front end it was built from.
class Index {
 public:
  // Indexes `fe`, which must have a program (parsed; checked with or without errors).
  static std::unique_ptr<Index> Build(std::shared_ptr<const FrontEnd> fe);

  const FrontEnd& front_end() const { return *fe_; }
  const CheckedProgram& program() const { return *fe_->program; }
  const std::vector<Declaration>& decls() const { return decls_; }
  const std::vector<Reference>& refs() const { return refs_; }
  const std::vector<LawReference>& law_refs() const { return law_refs_; }
  const std::vector<FileReference>& file_refs() const { return file_refs_; }

  // The declaration named at (file, 1-based line, 1-based code-point column): a reference to it or
  // its own name; -1 when there is none. `span` (if not null) is set to the name found there.
  int DeclAt(int file, int line, int col, Span* span = nullptr) const;
  // The citation at that place, or null.
  const LawReference* LawAt(int file, int line, int col) const;
  // The import or law line at that place, or null.
  const FileReference* FileAt(int file, int line, int col) const;
  // Every place that names declaration `decl` (its own name first when `include_declaration`).
  std::vector<Span> Occurrences(int decl, bool include_declaration) const;
  // The id of a file of the compilation by path, or -1.
  int FileId(const std::string& path) const { return fe_->sources.Find(path); }

 private:
  friend class IndexBuilder;
  std::shared_ptr<const FrontEnd> fe_;
  std::vector<Declaration> decls_;
  std::vector<Reference> refs_;
  std::vector<LawReference> law_refs_;
  std::vector<FileReference> file_refs_;
};

// Whether `span` contains (line, col): columns are inclusive at the start, and the end column counts too
// (a cursor just after a name is on it).
bool Contains(const Span& span, int line, int col);

}  // namespace proviso::lsp

#endif  // PROVISO_COMPILER_LSP_INDEX_H_
