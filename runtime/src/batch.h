// Internal: the column layout of batch evaluation, shared by the interpreter and JIT paths.
#ifndef PROVISO_RUNTIME_SRC_BATCH_H_
#define PROVISO_RUNTIME_SRC_BATCH_H_

#include <optional>
#include <string>
#include <vector>

#include "compiler/ir/ir.h"
#include "proviso/proviso.h"

namespace proviso {

// One scalar leaf of the input: the record field indexes leading to it.
struct InputLeaf {
  std::vector<int> fields;
  const Type* type = nullptr;  // the scalar type (optional stripped)
  ColumnSpec spec;
  std::optional<Value> dflt;   // the field's default, used when the row has no value
  std::vector<ir::FieldCheck> checks;  // the schema's constraints on the field (on each element of a set)
  int fact = -1;                       // the field's fact (ir::Program::facts): what a cell not known is
};

// Element access for columns of ColumnSpec::width bytes (bools unsigned, everything else signed).
int64_t ReadCell(const void* column, const ColumnSpec& spec, int64_t row);
void WriteCell(void* column, const ColumnSpec& spec, int64_t row, int64_t value);

// Throws Error naming the first field that cannot be a column.
std::vector<InputLeaf> InputLeaves(const ir::Program& p);
std::vector<ColumnSpec> OutputSpecs(const ir::Program& p);
// Words of a mask of missing facts (codegen::Layout::mask_words).
int MaskWords(const ir::Program& p);
// The categories of an `<obligation>.status` column, in code order: ir::DeadlineStatus's names,
// "none" for no status.
const std::vector<std::string>& DeadlineStatusCategories();

}  // namespace proviso

#endif  // PROVISO_RUNTIME_SRC_BATCH_H_
