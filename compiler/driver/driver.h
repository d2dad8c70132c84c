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

// Where a policy may read: its imports and law files must be under `import_root` (after symlinks
// are resolved), be regular files, and end in `.proviso` and `.law`. Untrusted policy text reads
// nothing else, and no other file's content is ever echoed in a diagnostic (E0006).
struct FrontEndOptions {
  // "": DefaultImportRoot of the policy.
  std::string import_root;
};

// The import root of a policy at `policy_path` (or of text named so) by default: the nearest folder
// at or above the policy's that holds a file named `.proviso-root` (a project's top), else the
// policy's own folder.
std::string DefaultImportRoot(const std::string& policy_path);

// Loads the policy at `path` and every file it imports, parses and checks them. A file that
// cannot be read is a diagnostic (E0005), never an exception. Diagnostics come out sorted.
std::unique_ptr<FrontEnd> CompileFile(const std::string& path, const FrontEndOptions& options = {});
// The same for policy text held in memory; `name` is the path shown in diagnostics, and relative
// imports are resolved against the directory of `name` (the current directory for a bare name).
std::unique_ptr<FrontEnd> CompileSource(const std::string& name, const std::string& text,
                                        const FrontEndOptions& options = {});

// `--emit=typed`: every declaration with its resolved type.
std::string DumpTyped(const CheckedProgram& p);

}  // namespace proviso

#endif  // PROVISO_COMPILER_DRIVER_DRIVER_H_
