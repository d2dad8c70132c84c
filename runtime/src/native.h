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
  int64_t Id(std::string_view text);
  // The id of a text interned already, else -1.
  int64_t Find(std::string_view text) const;
  const std::string& Text(int64_t id) const;
  // Ids given so far (the next fresh one).
  size_t size() const { return layout_.texts.size() + extra_texts_.size(); }
  // Forgets the texts of ids `size` and over.
  void Truncate(size_t size);

 private:
  const codegen::Layout& layout_;
  std::map<std::string, int64_t, std::less<>> extra_;
  std::vector<std::string> extra_texts_;
};

// Whether `p`'s types have the flat layout that native code needs (no record contains itself);
// if not, reports E0601 at the record. BatchShape, CompileNative and the LLVM dump need it.
bool HasNativeLayout(const ir::Program& p, DiagnosticSink& diags);

// The batch columns of `p` for the code generator; false when `p` has no batch form.
bool BatchShape(const ir::Program& p, std::vector<codegen::BatchLeaf>& leaves,
                std::vector<codegen::BatchOutput>& outputs);

// Writes the slots of `v` (of type `t`; of record `record`: each field then its fact slot) at
// `dst`; list elements go to `arena` (stable storage), texts are interned in `texts`.
void Flatten(const Value& v, const Type* t, const TypeTable& types, int64_t* dst, TextInterner& texts,
             std::vector<std::vector<int64_t>>& arena);
void FlattenRecord(const Value& v, int record, const TypeTable& types, int64_t* dst, TextInterner& texts,
                   std::vector<std::vector<int64_t>>& arena);
// The value of the slots at `src` (of type `t`); a record's fields not given are Value::Unknown.
Value Unflatten(const int64_t* src, const Type* t, const TypeTable& types, const TextInterner& texts);

// What a native row wrote to `out` (each `for each`'s elements where out[scope_offset] points), as
// the interpreter's result; `unknowns`: the row followed facts not given (masks follow values).
interp::Result NativeResult(const ir::Program& p, const codegen::Layout& layout, const int64_t* out, bool unknowns,
                            const TextInterner& texts, int64_t as_of);
// Whether a `for each ... key` decided two elements of one key (native code does not check it).
bool DuplicateKeys(const ir::Program& p, const interp::Result& r);

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
