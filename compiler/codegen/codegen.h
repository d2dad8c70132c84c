// Codegen: typed IR -> LLVM IR. Every construct of the language is compiled; a policy that uses
// something the code generator cannot compile gets a diagnostic (E0601) and no module.
#ifndef PROVISO_COMPILER_CODEGEN_CODEGEN_H_
#define PROVISO_COMPILER_CODEGEN_CODEGEN_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "compiler/codegen/layout.h"
#include "compiler/diag/diagnostic.h"
#include "compiler/ir/ir.h"

namespace llvm {
class Function;
class LLVMContext;
class Module;
}  // namespace llvm

namespace proviso::codegen {

// Entry points of a generated module (C ABI):
//
//   int32_t proviso_row(int64_t* ctx, const int64_t* facts, const int64_t* params, int64_t as_of,
//                       int64_t* out);
//     Evaluates one row laid out as Layout says. Returns 0, or non-zero when the evaluation has
//     no decision (the host asks the interpreter for the message).
//
//   int32_t proviso_batch(int64_t* ctx, const void* const* columns, const uint8_t* const* present,
//                         const int64_t* const* text_maps, const int64_t* params, int64_t as_of,
//                         void* const* out_columns, uint8_t* const* out_present, int64_t rows,
//                         int64_t* first_error_row);
//     Columnar form over scalar input leaves (runtime/src/batch.h order) and output columns
//     (obligations: applies, violated, deadline). Only generated when `batch` is true. Following
//     unknown facts (`track`), two more arguments: `const uint8_t* const* known` (per input column,
//     null or 0 = the cell is not known) and `uint64_t* const* out_missing` (per output column, null
//     or Layout::mask_words words per row: BatchOutput::mask_slot).
inline constexpr const char* kRowEntry = "proviso_row";
inline constexpr const char* kBatchEntry = "proviso_batch";
// Named metadata of a module with a batch entry: the alias scope of everything the batch reads.
inline constexpr const char* kBatchReadScope = "proviso.batch.reads";

struct BatchLeaf {
  int slot = 0;           // offset in the facts row of the leaf (of its presence flag when optional)
  bool optional = false;  // an optional field: a presence slot precedes the value
  bool duration = false;  // days only; months are 0
  bool text = false;      // codes translated through a per-column map
  bool has_default = false;             // absent rows take `default_slots` (a non-none default)
  int64_t default_slots[2] = {0, 0};    // the default's slots, as the row lays them out
  int width = 8;                        // bytes per element (1: bool/enum, 4: large enum, 8)
  int fact_slot = 0;                    // offset in the facts row of the leaf field's fact slot
  int64_t fact = 0;                     // what it holds when the cell is not known: 1 + the fact id
};

struct BatchOutput {
  int slot = 0;           // offset in the out buffer
  bool optional = false;  // presence flag first
  int width = 8;          // bytes per element of the output column
  // Following unknown facts: the mask of missing facts of the column's value (Layout::mask_words
  // slots at `mask_slot`), which counts where `gate_slot` is non-zero (or, with gate_value >= 0,
  // equals it; -1: always); and a value that is 0 where `clear_slot` is non-zero (an obligation's
  // `.applies` where it only may apply). -1: none.
  int mask_slot = -1;
  int gate_slot = -1;
  int64_t gate_value = -1;
  int clear_slot = -1;
};

// Param values a row entry is specialised to: compiled in as constants, so that what depends only
// on them folds away (an application's settings or an analyst's what-if, evaluated over many rows).
// The entry still takes a params argument, and ignores it.
struct Specialization {
  std::vector<std::optional<Value>> params;  // each param's value; nullopt: no version in force
  // Texts in `params` that the policy does not name: the specialised layout gives them the ids
  // from Layout::texts.size() up, in this order, so the host must intern them first.
  std::vector<std::string> texts;
};

struct Generated {
  std::unique_ptr<llvm::Module> module;
  Layout layout;
  bool batch = false;
};

// Generates the module for `p` in `context`: the row entry, or with `batch_ok` the batch entry
// over the columns `leaves`/`outputs` (with its own, internal, copy of the row). Constructs that
// cannot be compiled are reported to `diags` and the result has no module. With `spec`, the row
// entry is specialised to its param values (no batch), and the layout's texts include spec->texts.
// With `track`, the code follows unknown facts (fact slots in the facts, masks written after each
// output and obligation): the entry for facts that leave some out. A schema of more facts than
// Layout::kMaxMaskWords * 64 cannot have it (E0601).
Generated Generate(const ir::Program& p, llvm::LLVMContext& context, bool batch_ok,
                   const std::vector<BatchLeaf>& leaves, const std::vector<BatchOutput>& outputs,
                   DiagnosticSink& diags, const Specialization* spec = nullptr, bool track = false);

// Puts every load of the batch entry `f` (other functions are left alone) in the module's batch
// read scope, which the batch's output stores exclude: run after inlining, before the loop
// vectorizer, so that it needs no run-time overlap checks. Valid because the host passes output
// columns that overlap nothing the policy reads.
void MarkBatchReads(llvm::Function& f);

}  // namespace proviso::codegen

#endif  // PROVISO_COMPILER_CODEGEN_CODEGEN_H_
