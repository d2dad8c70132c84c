// Parse: source text -> AST. The only part of Proviso that sees ANTLR.
#ifndef PROVISO_COMPILER_PARSER_PARSER_H_
#define PROVISO_COMPILER_PARSER_PARSER_H_

#include <memory>

#include "compiler/ast/ast.h"
#include "compiler/diag/diagnostic.h"
#include "compiler/source/source.h"

namespace proviso {

// Parses file `file` of `sm`. Syntax errors are added to `diags` (all of them, with positions);
// the module is returned only when the file has no syntax error, else nullptr. Never throws on
// any input bytes. Thread-safe for distinct sinks.
std::unique_ptr<ast::Module> Parse(const SourceManager& sm, int file, DiagnosticSink& diags);

}  // namespace proviso

#endif  // PROVISO_COMPILER_PARSER_PARSER_H_
