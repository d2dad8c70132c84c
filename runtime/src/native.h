// Internal: evaluation through the JIT-compiled code (flat facts in, flat outputs out).
#ifndef PROVISO_RUNTIME_SRC_NATIVE_H_
#define PROVISO_RUNTIME_SRC_NATIVE_H_

#include <memory>
#include <string>

#include "compiler/interp/interp.h"
#include "compiler/ir/ir.h"
#include "compiler/jit/jit.h"

namespace proviso {

// Texts seen in one evaluation: the policy's constants keep their ids, others get fresh ones.
class TextInterner {
 public:
  explicit TextInterner(const codegen::Layout& layout) : layout_(layout) {}
  int64_t Id(const std::string& text);
  const std::string& Text(int64_t id) const;

 private:
  const codegen::Layout& layout_;
  std::map<std::string, int64_t> extra_;
  std::vector<std::string> extra_texts_;
};

// Whether `p`'s types have the flat layout that native code needs (no record contains itself);
// if not, reports E0601 at the record. BatchShape, CompileNative and the LLVM dump need it.
bool HasNativeLayout(const ir::Program& p, DiagnosticSink& diags);

// The batch columns of `p` for the code generator; false when `p` has no batch form.
bool BatchShape(const ir::Program& p, std::vector<codegen::BatchLeaf>& leaves,
                std::vector<codegen::BatchOutput>& outputs);

// Compiles `p` for the JIT. Null (with diagnostics) when a construct cannot be compiled.
std::unique_ptr<jit::CompiledPolicy> CompileNative(const ir::Program& p, DiagnosticSink& diags);

// Evaluates with native code; the same contract as interp::Evaluate (throws interp::EvalError,
// whose message comes from re-running the interpreter on the failing input). No traces. Through
// `row` when given (one of native's tiers), else native.row(); a specialised row comes with the
// texts to intern first (CompiledPolicy::SpecializedRow::texts, never null for one), must be the
// one specialised to `options`' param values, and is given no params.
interp::Result EvaluateNative(const ir::Program& p, const jit::CompiledPolicy& native, const Value& facts,
                              const interp::EvalOptions& options, jit::RowFn row = nullptr,
                              const std::vector<std::string>* first_texts = nullptr);

// Each param's value for `options` (its override, else its version in force; null: none in force),
// pointing into `p` or `options`.
std::vector<const Value*> ParamValues(const ir::Program& p, const interp::EvalOptions& options);

// Flattens param values for `options` into the layout's param block.
std::vector<int64_t> FlattenParams(const ir::Program& p, const codegen::Layout& layout,
                                   const interp::EvalOptions& options, TextInterner& texts,
                                   std::vector<std::vector<int64_t>>& arena);

}  // namespace proviso

#endif  // PROVISO_RUNTIME_SRC_NATIVE_H_
