// Internal: the typed row API's tables of a policy (row.cc builds them; emit_cpp.cc writes them as
// C++). Not installed.
#ifndef PROVISO_RUNTIME_SRC_ROW_INFO_H_
#define PROVISO_RUNTIME_SRC_ROW_INFO_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "compiler/types/types.h"
#include "runtime/src/policy_impl.h"

namespace proviso {

// The row tables of one policy: every field of the input schema reachable through records (lists,
// sets and optional records are fields of kind kOther, set with SetJson), where its slots are, and
// where each `for each` finds its collection's length.
struct RowInfo {
  struct Field {
    std::string path;
    const Type* type = nullptr;  // the field's type (an optional's included)
    int record = -1, index = -1;  // the field `index` of record type `record`
    int slot = 0;                 // its first slot (an optional's presence flag)
    int fact_slot = 0;
    int fact = -1;                // its fact's id
    std::vector<int> parents;     // the record fields above it (indexes in `fields`), outermost first
  };
  std::vector<Field> fields;
  std::map<std::string, int, std::less<>> by_path;
  // Each `for each`: the fact slots on the way to its collection (all 0: the collection is known),
  // and the slot of its [pointer, length].
  struct Collection {
    std::vector<int> fact_slots;
    int slot = -1;
  };
  std::vector<Collection> collections;
  // Every output is flat and nothing is decided per element: the out buffer is the whole decision
  // (else collections in it live in the thread's arena until its next row: Evaluate copies them).
  bool flat = true;
  bool keys = false;  // a `for each ... key` (native code does not check that keys are distinct)
  // A hash of the layout as the typed row API and generated headers see it (Policy::LayoutHash).
  uint64_t layout_hash = 0;
};

// The tables of `impl`'s policy, built on first use (thread-safe). Throws Error for a schema too
// large for them.
const RowInfo& InfoOf(const Policy::Impl& impl);

}  // namespace proviso

#endif  // PROVISO_RUNTIME_SRC_ROW_INFO_H_
