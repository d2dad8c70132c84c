// Run-time values of the reference interpreter, and constants in the IR.
#ifndef PROVISO_COMPILER_IR_VALUE_H_
#define PROVISO_COMPILER_IR_VALUE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "compiler/support/calendar.h"
#include "compiler/types/types.h"

namespace proviso {

// A Proviso value. Cheap to copy: aggregates share their immutable items.
// Sets keep their items sorted and unique (by Compare), so equality is structural.
// kUnknown is a value that depends on facts that were not given (docs/language.md §6): `items`
// holds the ids of those facts (ir::Program::facts) as ints, sorted and unique.
struct Value {
  enum class Kind : uint8_t {
    kNone, kBool, kInt, kDecimal, kText, kDate, kDuration, kEnum, kRecord, kList, kSet, kDateTime, kUnknown
  };
  Kind kind = Kind::kNone;
  int64_t i = 0;       // bool, int, decimal (units of 10^-6), date (days since 1970-01-01), datetime (seconds
                       // since 1970-01-01T00:00:00Z), enum variant, duration seconds
  int64_t months = 0;  // duration months
  std::string text;    // text
  std::shared_ptr<const std::vector<Value>> items;  // record fields in declaration order, list, set

  static Value None() { return Value{}; }
  static Value Bool(bool b) { Value v; v.kind = Kind::kBool; v.i = b; return v; }
  static Value Int(int64_t x) { Value v; v.kind = Kind::kInt; v.i = x; return v; }
  static Value Decimal(int64_t units) { Value v; v.kind = Kind::kDecimal; v.i = units; return v; }
  static Value Text(std::string s) { Value v; v.kind = Kind::kText; v.text = std::move(s); return v; }
  static Value Date(int64_t d) { Value v; v.kind = Kind::kDate; v.i = d; return v; }
  static Value DateTime(int64_t s) { Value v; v.kind = Kind::kDateTime; v.i = s; return v; }
  static Value Dur(Duration d) { Value v; v.kind = Kind::kDuration; v.i = d.seconds; v.months = d.months; return v; }
  static Value Enum(int64_t variant) { Value v; v.kind = Kind::kEnum; v.i = variant; return v; }
  static Value Record(std::vector<Value> fields);
  static Value List(std::vector<Value> items);
  static Value Set(std::vector<Value> items);  // sorts and removes duplicates
  // A value that depends on the facts `missing` (ids, sorted and unique; at least one).
  static Value Unknown(const std::vector<int>& missing);

  bool is_none() const { return kind == Kind::kNone; }
  bool is_unknown() const { return kind == Kind::kUnknown; }
  bool b() const { return i != 0; }
  Duration duration() const { return Duration{months, i}; }
  const std::vector<Value>& elems() const;
};

// The facts an unknown value depends on, added to `into` (sorted, unique); nothing for a known value.
void AddMissing(std::vector<int>& into, const Value& v);
void AddMissing(std::vector<int>& into, const std::vector<int>& more);
// The fact ids of an unknown value (empty for a known one).
std::vector<int> MissingOf(const Value& v);
// The facts any part of `v` waits for: a record or list of facts may hold unknown fields. A
// comparison of whole values, an output's value and a key are unknown when a part is.
std::vector<int> DeepMissingOf(const Value& v);
bool HasUnknownPart(const Value& v);

// Total order used for sets and table analysis (not the language's `<`): by kind, then contents.
int Compare(const Value& a, const Value& b);
inline bool operator==(const Value& a, const Value& b) { return Compare(a, b) == 0; }
inline bool operator!=(const Value& a, const Value& b) { return Compare(a, b) != 0; }

// The rank of decision-table results (`hit priority`, `hit output order`): enums by declaration
// order (the first declared ranks first), int, decimal, date and datetime ascending, records field
// by field over the fields that rank; other values (text, bool, durations, optionals, collections)
// do not rank and compare equal. <0: `a` ranks before `b`.
int CompareRank(const Value& a, const Value& b, const Type* t, const TypeTable& types);

// Proviso spelling of a value of type `t`: `30 days`, `2020-07-31`, `very_serious`, `{"A", "B"}`.
std::string FormatValue(const Value& v, const Type* t, const TypeTable& types);
// A decimal in units of 10^-6 as text without trailing zeros: "12.5", "3".
std::string FormatDecimal(int64_t units);

}  // namespace proviso

#endif  // PROVISO_COMPILER_IR_VALUE_H_
