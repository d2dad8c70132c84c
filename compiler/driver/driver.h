// The pipeline in one readable place: load -> parse (with imports) -> check.
#ifndef PROVISO_COMPILER_DRIVER_DRIVER_H_
#define PROVISO_COMPILER_DRIVER_DRIVER_H_

#include <memory>
#include <string>

#include "compiler/check/checker.h"
#include "compiler/diag/diagnostic.h"
#include "compiler/source/source.h"

namespace proviso {

// The result of the front end for one policy. `program` is null when parsing failed; it is
// complete (safe to lower) only when `diags` has no error.
struct FrontEnd {
  SourceManager sources;
  DiagnosticSink diags;
  std::unique_ptr<CheckedProgram> program;

  bool ok() const { return program && !diags.HasErrors(); }
};

// Loads the policy at `path` and every file it imports, parses and checks them. A file that
// cannot be read is a diagnostic (E0005), never an exception. Diagnostics come out sorted.
std::unique_ptr<FrontEnd> CompileFile(const std::string& path);
// The same for policy text held in memory; `name` is the path shown in diagnostics, and relative
// imports are resolved against the current directory.
std::unique_ptr<FrontEnd> CompileSource(const std::string& name, const std::string& text);

// `--emit=typed`: every declaration with its resolved type.
std::string DumpTyped(const CheckedProgram& p);

}  // namespace proviso

#endif  // PROVISO_COMPILER_DRIVER_DRIVER_H_
