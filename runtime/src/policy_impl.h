// Internal: what a compiled Policy holds. Not installed.
#ifndef PROVISO_RUNTIME_SRC_POLICY_IMPL_H_
#define PROVISO_RUNTIME_SRC_POLICY_IMPL_H_

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "compiler/driver/driver.h"
#include "compiler/interp/interp.h"
#include "compiler/ir/ir.h"
#include "compiler/jit/jit.h"
#include "proviso/proviso.h"

namespace proviso {

struct RowInfo;  // the typed row API's tables (row.cc)

struct Policy::Impl {
  std::unique_ptr<FrontEnd> front;  // sources (for locations) and diagnostics
  std::unique_ptr<ir::Program> program;
  std::vector<PolicyDiagnostic> warnings;
  std::unique_ptr<jit::CompiledPolicy> native;  // null with Backend::kInterpreter
  std::string version;  // Policy::version(): set once, when compiled
  // The parsed param overrides of the last few EvalOptions::params seen (parsing a set literal
  // costs more than evaluating a row natively; callers repeat the same overrides).
  mutable std::mutex overrides_mu;
  mutable std::map<std::map<std::string, std::string>, std::shared_ptr<const std::map<int, Value>>> overrides;
  // The typed row API's tables, built on first use.
  mutable std::once_flag row_once;
  mutable std::shared_ptr<const RowInfo> row_info;
};

// The most distinct override sets Impl::overrides keeps (it starts again when full).
constexpr size_t kCachedOverrides = 64;

// Every file of `sm` as (path, content), in load order: Policy::SourceFiles().
std::vector<std::pair<std::string, std::string>> FilesOf(const SourceManager& sm);

// What Engine(options).CompileFile(path) does; `files_read`, when not null, receives the files the
// compilation read (path, content: the main file first), whether it succeeds or throws
// CompileError: what a PolicyStore watches to know when a failed policy is worth compiling again.
std::shared_ptr<const Policy::Impl> CompileFileImpl(const EngineOptions& options, const std::string& path,
                                                    std::vector<std::pair<std::string, std::string>>* files_read);

// Programs deeper than this are interpreted on a large stack (see large_stack.h).
constexpr int kShallow = 400;
// The interpreter, on a large stack when the program is deep. Throws interp::EvalError.
interp::Result Interpret(const ir::Program& p, const Value& facts, const interp::EvalOptions& options);

// Builds decisions (a friend of Decision).
struct DecisionAccess {
  // The decision of `r` (the interpreter's or NativeResult's result) under `opts`, without explanation.
  static Decision Make(const Policy::Impl& impl, const interp::Result& r, const interp::EvalOptions& opts);
};

// Public options -> interpreter options (as_of parsed, param overrides parsed and type-checked,
// or taken from impl.overrides). Throws Error / FactsError.
interp::EvalOptions ToInterpOptions(const Policy::Impl& impl, const EvalOptions& options);
// An interpreter error as the public EvaluationError, with its file:line:col; `prefix` goes first.
EvaluationError ToPublicError(const interp::EvalError& e, const SourceManager& sm, const std::string& prefix = "");

}  // namespace proviso

#endif  // PROVISO_RUNTIME_SRC_POLICY_IMPL_H_
