// JIT: LLVM ORC LLJIT with the host target machine; one JITDylib (and resource tracker) per policy,
// so that a policy's code is freed when its last user lets go.
#ifndef PROVISO_COMPILER_JIT_JIT_H_
#define PROVISO_COMPILER_JIT_JIT_H_

#include <cstdint>
#include <memory>
#include <mutex>
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

// Native code of one policy. The entry points are thread-safe given distinct ctx/out buffers.
// Destroying it unloads the code. The row entry is compiled by Compile; the batch entry, a module
// of its own (the vectorized loop costs as much to compile as the rest), on the first call of
// batch(). The program given to Compile must outlive this object.
class CompiledPolicy {
 public:
  ~CompiledPolicy();
  RowFn row() const { return row_; }
  // Whether the policy has a batch form (scalar inputs and outputs).
  bool has_batch() const { return has_batch_; }
  // The batch entry, compiled on first use (thread-safe); null without a batch form, or when
  // compiling it failed (batch_error() says why: an LLVM failure, never a policy error).
  BatchFn batch() const;
  const std::string& batch_error() const { return batch_error_; }
  const codegen::Layout& layout() const { return layout_; }

 private:
  friend std::unique_ptr<CompiledPolicy> Compile(const ir::Program&, bool, const std::vector<codegen::BatchLeaf>&,
                                                 const std::vector<codegen::BatchOutput>&, DiagnosticSink&);
  CompiledPolicy();
  // Generates, optimises and adds the row (or batch) module; returns its entry point or null.
  // `layout` (if not null) receives the module's layout.
  void* AddModule(bool batch, DiagnosticSink& diags, codegen::Layout* layout) const;
  struct Handle;
  std::unique_ptr<Handle> handle_;
  const ir::Program* program_ = nullptr;
  std::vector<codegen::BatchLeaf> leaves_;
  std::vector<codegen::BatchOutput> outputs_;
  bool has_batch_ = false;
  RowFn row_ = nullptr;
  mutable std::once_flag batch_once_;
  mutable BatchFn batch_ = nullptr;
  mutable std::string batch_error_;
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
