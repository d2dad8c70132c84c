// JIT: LLVM ORC LLJIT with the host target machine; one JITDylib (and resource tracker) per policy,
// so that a policy's code is freed when its last user lets go.
#ifndef PROVISO_COMPILER_JIT_JIT_H_
#define PROVISO_COMPILER_JIT_JIT_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "compiler/codegen/codegen.h"
#include "compiler/diag/diagnostic.h"
#include "compiler/ir/ir.h"

namespace proviso::jit {

using RowFn = int32_t (*)(int64_t* ctx, const int64_t* facts, const int64_t* params, int64_t as_of,
                          int64_t* out);
using BatchFn = int32_t (*)(int64_t* ctx, const void* const* columns, const uint8_t* const* present,
                            const int64_t* const* text_maps, const int64_t* params, int64_t as_of,
                            void* const* out_columns, uint8_t* const* out_present, int64_t rows,
                            int64_t* first_error_row);

// Native code of one policy. Immutable; the entry points are thread-safe given distinct ctx/out
// buffers. Destroying it unloads the code.
class CompiledPolicy {
 public:
  ~CompiledPolicy();
  RowFn row() const { return row_; }
  BatchFn batch() const { return batch_; }  // null when the policy has no batch form
  const codegen::Layout& layout() const { return layout_; }

 private:
  friend std::unique_ptr<CompiledPolicy> Compile(const ir::Program&, bool, const std::vector<codegen::BatchLeaf>&,
                                                 const std::vector<codegen::BatchOutput>&, DiagnosticSink&);
  CompiledPolicy() = default;
  struct Handle;
  std::unique_ptr<Handle> handle_;
  RowFn row_ = nullptr;
  BatchFn batch_ = nullptr;
  codegen::Layout layout_;
};

// Generates, optimises (O2, host CPU) and JIT-compiles `p`. Returns null after reporting to
// `diags` (E0601 a construct the JIT cannot compile, E0603 an LLVM failure). Thread-safe.
std::unique_ptr<CompiledPolicy> Compile(const ir::Program& p, bool batch, const std::vector<codegen::BatchLeaf>& leaves,
                                        const std::vector<codegen::BatchOutput>& outputs, DiagnosticSink& diags);

// The optimised LLVM IR of `p` as text (`proviso compile --emit=llvm`).
std::string EmitLLVM(const ir::Program& p, bool batch, const std::vector<codegen::BatchLeaf>& leaves,
                     const std::vector<codegen::BatchOutput>& outputs, DiagnosticSink& diags, bool optimize);

}  // namespace proviso::jit

#endif  // PROVISO_COMPILER_JIT_JIT_H_
