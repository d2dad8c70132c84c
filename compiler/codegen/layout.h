// The flat memory layout that generated code and its host agree on. Every value is a run of
// int64 "slots": bool/int/decimal/date/enum/text take 1 (text as an interned id), a duration 2
// (days, months), an optional 1 + its payload (presence first), a record its fields one after the
// other, each followed by its *fact slot* (0 when the field is known, else 1 + the id of the fact
// it is: ir::Program::facts), a set of an enum of at most 64 values 1 (a bitset: bit k for the
// value of code k), any other list or set 2 (pointer to the first element's slots, length; a set's
// elements in ascending order).
//
// Unknown facts: a value that depends on facts not given carries a *mask* of them (bit k for fact
// k), kMaskWords() slots in memory. Only fields of facts records hold one fact (their fact slot);
// what the code computes carries masks in registers, and where it is stored (lets, outputs,
// arguments of called functions, results) a mask follows its value.
#ifndef PROVISO_COMPILER_CODEGEN_LAYOUT_H_
#define PROVISO_COMPILER_CODEGEN_LAYOUT_H_

#include <map>
#include <string>
#include <vector>

#include "compiler/ir/ir.h"

namespace proviso::codegen {

// The most values an enum may have for its sets to be bitsets.
inline constexpr int kMaxBitsetValues = 64;
// True for a set laid out as a bitset (a set of an enum of at most kMaxBitsetValues values).
bool IsBitset(const Type* t, const TypeTable& types);

// The bitset of a set of enum values (IsBitset): bit k for the value of code k.
int64_t BitsetOf(const Value& set);

// A record that contains itself (through optionals: `record R { next: R? }`), which has no flat
// layout; -1 when there is none. Slots, FieldOffset and IsFlat must not be asked about it.
int RecursiveRecord(const TypeTable& types);

int Slots(const Type* t, const TypeTable& types);
// Offset of field `field` of record `record`, in slots, and of its fact slot (after its value).
int FieldOffset(int record, int field, const TypeTable& types);
int FactSlotOffset(int record, int field, const TypeTable& types);
// True when the value's slots hold no pointer (it can be compared slot by slot).
bool IsFlat(const Type* t, const TypeTable& types);

// Whether params are read by version at a law date other than the evaluation date (`law as of`,
// for the policy or a `for each`): then the params buffer holds every version (Layout::param_versions).
bool VersionedParams(const ir::Program& p);

// Where everything lives for one compiled policy.
struct Layout {
  int facts_slots = 0;
  std::vector<int> param_offset;  // each param: [available, value...]
  // Each param that is a set of texts or of a large enum: the offset of [words, bound], a bitmap of
  // its members (bit k of words[k / 64] for the member of code or id k < bound), so that
  // membership is a load, not a loop; -1 for other params. The host fills it with the value.
  std::vector<int> param_bitmap;
  int param_slots = 0;
  // With `law as of` (the law of a date read from the facts): each param's versions, at
  // param_versions[i]: [count, then count times (from day, until day, value...)], room for
  // param_version_count[i] versions (an override is one version in force on every day).
  std::vector<int> param_versions;
  std::vector<int> param_version_count;
  // Words of a mask of unknown facts: ceil(facts / 64), at least 1. At most kMaxMaskWords for the
  // code that follows unknown facts (larger schemas evaluate them with the interpreter).
  int mask_words = 1;
  static constexpr int kMaxMaskWords = 8;
  std::vector<int> output_offset;      // each output's value in the out buffer, followed by its mask
  // Each obligation: [applies, violated, deadline present, deadline, status (ir::DeadlineStatus),
  // applies undetermined, violation undetermined, mask of the missing facts (mask_words)].
  std::vector<int> obligation_offset;
  static constexpr int kObligationFixedSlots = 7;
  static constexpr int kObligationDecidedSlots = 5;  // applies .. status: all that complete facts decide
  int obligation_slots() const { return kObligationFixedSlots + mask_words; }
  // Each `for each` (ir::Scope): at scope_offset[s] in the out buffer, [items, count]: the host
  // writes `items`, the address of count * item_stride slots (count: the collection's size, known
  // from the facts), before the call; the row writes each element's result there.
  struct ItemLayout {
    int stride = 0;
    int key = 0;  // the key's slots
    int law = 0;  // the law day
    std::vector<int> outputs;      // by position in ir::Scope::outputs, each followed by its mask
    std::vector<int> obligations;  // by position in ir::Scope::obligations, obligation_slots() each
  };
  std::vector<int> scope_offset;
  std::vector<ItemLayout> items;
  int law_offset = -1;  // `law as of`: the law day, in the out buffer
  int out_slots = 0;
  // The row takes the evaluation budget at its start (jit::SetBudget): its loops count it down.
  bool budget = false;
  int ctx_slots = 0;  // per-evaluation scratch (memo of lets/outputs, built lists and records)
  // Text constants: id = index. Other texts get ids from texts.size() upward, per evaluation.
  std::vector<std::string> texts;
  std::map<std::string, int64_t, std::less<>> text_ids;

  static Layout For(const ir::Program& p);
};

}  // namespace proviso::codegen

#endif  // PROVISO_COMPILER_CODEGEN_LAYOUT_H_
