// Diagnostics: a user's mistake in a policy (or in facts) is data, not an exception.
#ifndef PROVISO_COMPILER_DIAG_DIAGNOSTIC_H_
#define PROVISO_COMPILER_DIAG_DIAGNOSTIC_H_

#include <string>
#include <vector>

#include "compiler/source/source.h"

namespace proviso {

enum class Severity { kError, kWarning, kNote };

// A secondary location with its own message ("first declared here").
struct DiagNote {
  Span span;
  std::string message;
};

// One finding. Messages are lowercase, one line, no final period, names in backticks.
struct Diagnostic {
  Severity severity = Severity::kError;
  std::string code;     // stable identifier, e.g. "E0201"
  std::string message;  // what is wrong
  Span span;            // where (may be invalid for whole-run problems)
  std::string label;    // short text printed under the caret, optional
  std::vector<DiagNote> notes;
  std::string help;     // how to fix it, when known
};

// Collects every diagnostic of a run. Not thread-safe; one per compilation.
class DiagnosticSink {
 public:
  Diagnostic& Error(std::string code, Span span, std::string message);
  Diagnostic& Warning(std::string code, Span span, std::string message);
  void Add(Diagnostic d) { diags_.push_back(std::move(d)); }

  bool HasErrors() const;
  int ErrorCount() const;
  const std::vector<Diagnostic>& diagnostics() const { return diags_; }
  // Sorts by file, line, column (stable, so equal positions keep report order).
  void Sort();

 private:
  std::vector<Diagnostic> diags_;
};

// Renders like a compiler: `error[E0201]: message`, ` --> file:line:col`, the source line and a caret.
std::string RenderText(const Diagnostic& d, const SourceManager& sm);
std::string RenderText(const std::vector<Diagnostic>& ds, const SourceManager& sm);
// Renders as a JSON array of objects {severity, code, message, file, line, column, end_line,
// end_column, label, notes:[{message, file, line, column}], help}.
std::string RenderJson(const std::vector<Diagnostic>& ds, const SourceManager& sm);
// "file:line:col" or "<unknown>".
std::string FormatLocation(const Span& span, const SourceManager& sm);

}  // namespace proviso

#endif  // PROVISO_COMPILER_DIAG_DIAGNOSTIC_H_
