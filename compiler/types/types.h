// Static types of Proviso values. Types are interned in a TypeTable: compare them by pointer.
#ifndef PROVISO_COMPILER_TYPES_TYPES_H_
#define PROVISO_COMPILER_TYPES_TYPES_H_

#include <map>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "compiler/source/source.h"

namespace proviso {

enum class TypeKind {
  kError,  // after a reported error: compatible with everything, so one mistake gives one message
  kAny,    // element type of `{}`, `[]` and `none` until context fixes it
  kBool, kInt, kDecimal, kText, kDate, kDuration, kDateTime,
  kEnum, kRecord, kSet, kList, kOptional,
};

struct Type {
  TypeKind kind;
  int index = -1;              // enum or record id in the TypeTable
  const Type* elem = nullptr;  // set, list, optional
};

struct EnumInfo {
  std::string name;
  std::vector<std::string> variants;
  Span span;
  // Index of a variant by name, or -1.
  int Find(const std::string& variant) const;
};

struct FieldInfo {
  std::string name;
  const Type* type = nullptr;
  bool has_default = false;
  Span span;
};

struct RecordInfo {
  std::string name;
  std::vector<FieldInfo> fields;
  Span span;
  int Find(const std::string& field) const;
};

// Owns all types of one compilation. Not thread-safe while types are being created; immutable after.
class TypeTable {
 public:
  TypeTable();
  const Type* Error() const { return prim_[0].get(); }
  const Type* Any() const { return prim_[1].get(); }
  const Type* Bool() const { return prim_[2].get(); }
  const Type* Int() const { return prim_[3].get(); }
  const Type* Decimal() const { return prim_[4].get(); }
  const Type* Text() const { return prim_[5].get(); }
  const Type* Date() const { return prim_[6].get(); }
  const Type* Duration() const { return prim_[7].get(); }
  const Type* DateTime() const { return prim_[8].get(); }
  const Type* Enum(int index);
  const Type* Record(int index);
  const Type* Set(const Type* elem);
  const Type* List(const Type* elem);
  const Type* Optional(const Type* elem);

  int AddEnum(EnumInfo info);
  int AddRecord(RecordInfo info);
  EnumInfo& enum_info(int i) { return enums_.at(i); }
  const EnumInfo& enum_info(int i) const { return enums_.at(i); }
  RecordInfo& record_info(int i) { return records_.at(i); }
  const RecordInfo& record_info(int i) const { return records_.at(i); }
  int enum_count() const { return static_cast<int>(enums_.size()); }
  int record_count() const { return static_cast<int>(records_.size()); }

  // Proviso spelling of a type: `int`, `set<text>`, `Degree?`.
  std::string Name(const Type* t) const;

 private:
  const Type* Intern(TypeKind kind, int index, const Type* elem);
  std::vector<std::unique_ptr<Type>> prim_;
  std::map<std::tuple<int, int, const Type*>, std::unique_ptr<Type>> interned_;
  std::vector<EnumInfo> enums_;
  std::vector<RecordInfo> records_;
};

// True if a value of type `from` may be used where `to` is expected: equal types, `T` into `T?`,
// `{}`/`[]`/`none` into any set/list/optional, and the error type anywhere.
bool IsAssignable(const Type* from, const Type* to);
// The common type of two branches (if/match/table rows), or nullptr if they have none.
const Type* Unify(TypeTable& types, const Type* a, const Type* b);
bool IsNumeric(const Type* t);  // int or decimal
bool IsOrdered(const Type* t);  // int, decimal, date, datetime, duration
// Whether decision-table results of type `t` rank (`hit priority`, `hit output order`): enums (in
// declaration order), int, decimal, date, datetime (ascending), records with a field that ranks.
bool Ranks(const Type* t, const TypeTable& types);

}  // namespace proviso

#endif  // PROVISO_COMPILER_TYPES_TYPES_H_
