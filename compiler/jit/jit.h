// JIT: LLVM ORC LLJIT with the host target machine; one JITDylib per policy (each of its modules
// under a resource tracker of its own), removed, code and all, when its last user lets go.
#ifndef PROVISO_COMPILER_JIT_JIT_H_
#define PROVISO_COMPILER_JIT_JIT_H_

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "compiler/codegen/codegen.h"
#include "compiler/diag/diagnostic.h"
#include "compiler/ir/ir.h"

namespace llvm::orc {
class JITDylib;
}  // namespace llvm::orc

namespace proviso::jit {

using RowFn = int32_t (*)(int64_t* ctx, const int64_t* facts, const int64_t* params, int64_t as_of,
                          int64_t* out);
using BatchFn = int32_t (*)(int64_t* ctx, const void* const* columns, const uint8_t* const* present,
                            const int64_t* const* text_maps, const int64_t* params, int64_t as_of,
                            void* const* out_columns, uint8_t* const* out_present, int64_t rows,
                            int64_t* first_error_row);

// The batch entry that follows unknown facts: BatchFn's arguments, then `known` (per input column,
// null or 0 = not known) and `out_missing` (per output column, null or mask words per row).
using UnknownBatchFn = int32_t (*)(int64_t* ctx, const void* const* columns, const uint8_t* const* present,
                                   const int64_t* const* text_maps, const int64_t* params, int64_t as_of,
                                   void* const* out_columns, uint8_t* const* out_present, int64_t rows,
                                   int64_t* first_error_row, const uint8_t* const* known,
                                   uint64_t* const* out_missing);

// Native code of one policy, in two tiers. Compile makes a quick row entry (a short pass pipeline,
// machine code without optimisation) so that a policy can be evaluated as soon as it is checked;
// the optimised row entry (O2, host CPU) replaces it when optimized_row() is first called, which
// CountRows does once it has counted kTierUpRows rows. The batch entry, a module of its own (its
// vectorized loop costs as much to compile as the rest), is compiled at O2 on the first call of
// batch(). A third tier specialises the optimised row to param values that many rows are
// evaluated under (Specialized): the params become constants. The entry points are thread-safe
// given distinct ctx/out buffers; a caller still holding the quick entry may go on using it. Destroying the object unloads the code. The program given
// to Compile must outlive this object.
class CompiledPolicy {
 public:
  // Rows evaluated through row() after which the optimised row is compiled.
  static constexpr int64_t kTierUpRows = 10000;

  ~CompiledPolicy();
  // The row entry: the optimised one once it is ready, the quick one until then.
  RowFn row() const { return row_.load(std::memory_order_acquire); }
  // The quick tier's row entry (the same as the optimised one when that came from the disk cache).
  RowFn quick_row() const { return quick_row_; }
  // The optimised row entry, compiled now if it is not yet (thread-safe: concurrent callers wait
  // for one compilation); null when compiling it failed (optimized_error() says why: an LLVM
  // failure, never a policy error), and row() then stays quick.
  RowFn optimized_row() const;
  // Why compiling the optimised row failed; read it once optimized_row() has returned null.
  const std::string& optimized_error() const { return optimized_error_; }
  // Counts `rows` evaluations through row(); the call whose count reaches kTierUpRows compiles the
  // optimised row (10-50 ms, once) unless it is there already. Thread-safe: other threads go on
  // with the quick row meanwhile.
  void CountRows(int64_t rows) const;
  // Whether the policy has a batch form (scalar inputs and outputs).
  bool has_batch() const { return has_batch_; }
  // The row entry for facts that leave some out (it follows unknown facts: codegen::Generate's
  // `track`), compiled at O2 on first use (thread-safe); null when it cannot be (unknown_error()
  // says why: a schema too large for its masks, or an LLVM failure), and such facts then go to the
  // interpreter.
  RowFn unknown_row() const;
  const std::string& unknown_error() const { return unknown_error_; }
  // The scratch (ctx) slots unknown_row() needs (more than layout().ctx_slots: masks follow values).
  int unknown_ctx_slots() const { return unknown_ctx_slots_; }
  // The batch entry, compiled on first use (thread-safe); null without a batch form, or when
  // compiling it failed (batch_error() says why: an LLVM failure, never a policy error).
  BatchFn batch() const;
  const std::string& batch_error() const { return batch_error_; }
  // The batch entry for columns with cells not known, compiled on first use; null as unknown_row()
  // can be (unknown_batch_error() says why).
  UnknownBatchFn unknown_batch() const;
  const std::string& unknown_batch_error() const { return unknown_batch_error_; }
  const codegen::Layout& layout() const { return layout_; }

  // A row entry specialised to one set of param values (see codegen::Specialization).
  struct SpecializedRow {
    RowFn row = nullptr;  // ignores its params argument
    // Texts the host interns, in this order, before any other: they have the ids the row expects.
    const std::vector<std::string>* texts = nullptr;
  };
  // Rows evaluated under the same param values after which a row is specialised to them (after
  // kTierUpRows, so that the optimised row and this one are not compiled by the same call).
  static constexpr int64_t kSpecializeRows = 2 * kTierUpRows;
  // Distinct param values counted, and specialised rows compiled, at most per policy.
  static constexpr size_t kMaxCandidates = 64;
  static constexpr size_t kMaxSpecializations = 16;
  // Counts `rows` evaluations under `params` (each param's value; null: no version in force) and
  // returns the row specialised to them once they have one: the call whose count for them reaches
  // kSpecializeRows compiles it (O2, 10-50 ms, once; concurrent callers go on without). Empty until
  // then, for a policy without params, for param values beyond the first kMaxCandidates seen or
  // kMaxSpecializations compiled, and when compiling failed (the optimised row serves them).
  // Thread-safe; looking up param values seen before takes no lock.
  SpecializedRow Specialized(const std::vector<const Value*>& params, int64_t rows) const;

 private:
  friend std::unique_ptr<CompiledPolicy> Compile(const ir::Program&, bool, const std::vector<codegen::BatchLeaf>&,
                                                 const std::vector<codegen::BatchOutput>&, DiagnosticSink&);
  enum class Build { kQuickRow, kRow, kBatch, kSpecializedRow, kUnknownRow, kUnknownBatch };
  struct Candidate;  // param values counted for specialisation (jit.cc)
  struct Generated;  // a generated module waiting for its machine code (jit.cc)
  CompiledPolicy();
  // Generates the batch module, or the row module (the same for both tiers of the row); null after
  // reporting to `diags`.
  std::unique_ptr<Generated> Generate(bool batch, DiagnosticSink& diags,
                                      const codegen::Specialization* spec = nullptr, bool track = false) const;
  // Adds the machine code of `gen` built as `build`: loaded from the disk cache, or optimised and
  // emitted from the module, which that consumes. Returns the entry point, or null after reporting
  // to `diags`. With `cached_only`, returns null (reporting nothing, consuming nothing) unless the
  // disk cache holds the machine code. A specialised row's entry is named after `specialization`.
  void* AddModule(Build build, Generated& gen, DiagnosticSink& diags, bool cached_only = false,
                  size_t specialization = 0) const;
  llvm::orc::JITDylib* dylib_ = nullptr;  // the policy's code; removing it frees every module
  struct Trackers;  // one per module, kept until the policy is unloaded (jit.cc)
  std::unique_ptr<Trackers> trackers_;
  const ir::Program* program_ = nullptr;
  std::vector<codegen::BatchLeaf> leaves_;
  std::vector<codegen::BatchOutput> outputs_;
  bool has_batch_ = false;
  RowFn quick_row_ = nullptr;
  mutable std::atomic<RowFn> row_{nullptr};
  mutable std::once_flag optimized_once_;
  mutable RowFn optimized_row_ = nullptr;
  mutable std::string optimized_error_;
  mutable std::atomic<bool> optimized_{false};
  mutable std::atomic<int64_t> rows_counted_{0};
  mutable std::once_flag unknown_once_;
  mutable RowFn unknown_row_ = nullptr;
  mutable int unknown_ctx_slots_ = 0;
  mutable std::string unknown_error_;
  mutable std::once_flag unknown_batch_once_;
  mutable UnknownBatchFn unknown_batch_ = nullptr;
  mutable std::string unknown_batch_error_;
  mutable std::once_flag batch_once_;
  mutable BatchFn batch_ = nullptr;
  mutable std::string batch_error_;
  mutable std::mutex candidates_mu_;  // adding a candidate, counting specializations_
  mutable std::array<std::unique_ptr<Candidate>, kMaxCandidates> candidates_;
  mutable std::atomic<size_t> candidates_published_{0};  // candidates_[0, this) are there, read-only
  mutable size_t specializations_ = 0;  // compiled or being compiled (under candidates_mu_)
  codegen::Layout layout_;
};

// The evaluation budget (compiler/support/budget.h) of the rows and batches this thread runs next:
// 0 the default, < 0 no limit. A row over it fails (status non-zero) with OverBudget() true.
void SetBudget(int64_t requested);
// Whether the last row this thread ran failed because it went over its budget.
bool OverBudget();

// Generates `p` and JIT-compiles its quick row entry (or loads its optimised one from the disk
// cache). Returns null after reporting to
// `diags` (E0601 a construct the JIT cannot compile, E0603 an LLVM failure). Thread-safe.
std::unique_ptr<CompiledPolicy> Compile(const ir::Program& p, bool batch, const std::vector<codegen::BatchLeaf>& leaves,
                                        const std::vector<codegen::BatchOutput>& outputs, DiagnosticSink& diags);

// The LLVM IR of `p` as text (`proviso compile --emit=llvm`), optimised as the O2 tier does.
std::string EmitLLVM(const ir::Program& p, bool batch, const std::vector<codegen::BatchLeaf>& leaves,
                     const std::vector<codegen::BatchOutput>& outputs, DiagnosticSink& diags, bool optimize);

}  // namespace proviso::jit

#endif  // PROVISO_COMPILER_JIT_JIT_H_
