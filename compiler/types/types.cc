#include "compiler/types/types.h"

namespace proviso {

int EnumInfo::Find(const std::string& v) const {
  for (size_t i = 0; i < variants.size(); ++i) {
    if (variants[i] == v) return static_cast<int>(i);
  }
  return -1;
}

int RecordInfo::Find(const std::string& f) const {
  for (size_t i = 0; i < fields.size(); ++i) {
    if (fields[i].name == f) return static_cast<int>(i);
  }
  return -1;
}

TypeTable::TypeTable() {
  for (TypeKind k : {TypeKind::kError, TypeKind::kAny, TypeKind::kBool, TypeKind::kInt,
                     TypeKind::kDecimal, TypeKind::kText, TypeKind::kDate, TypeKind::kDuration,
                     TypeKind::kDateTime}) {
    prim_.push_back(std::make_unique<Type>(Type{k, -1, nullptr}));
  }
}

const Type* TypeTable::Intern(TypeKind kind, int index, const Type* elem) {
  auto key = std::make_tuple(static_cast<int>(kind), index, elem);
  auto it = interned_.find(key);
  if (it != interned_.end()) return it->second.get();
  auto t = std::make_unique<Type>(Type{kind, index, elem});
  const Type* p = t.get();
  interned_.emplace(key, std::move(t));
  return p;
}

const Type* TypeTable::Enum(int i) { return Intern(TypeKind::kEnum, i, nullptr); }
const Type* TypeTable::Record(int i) { return Intern(TypeKind::kRecord, i, nullptr); }
const Type* TypeTable::Set(const Type* e) { return Intern(TypeKind::kSet, -1, e); }
const Type* TypeTable::List(const Type* e) { return Intern(TypeKind::kList, -1, e); }
const Type* TypeTable::Optional(const Type* e) {
  if (e->kind == TypeKind::kOptional) return e;
  return Intern(TypeKind::kOptional, -1, e);
}

int TypeTable::AddEnum(EnumInfo info) {
  enums_.push_back(std::move(info));
  return static_cast<int>(enums_.size()) - 1;
}

int TypeTable::AddRecord(RecordInfo info) {
  records_.push_back(std::move(info));
  return static_cast<int>(records_.size()) - 1;
}

std::string TypeTable::Name(const Type* t) const {
  switch (t->kind) {
    case TypeKind::kError: return "<error>";
    case TypeKind::kAny: return "_";
    case TypeKind::kBool: return "bool";
    case TypeKind::kInt: return "int";
    case TypeKind::kDecimal: return "decimal";
    case TypeKind::kText: return "text";
    case TypeKind::kDate: return "date";
    case TypeKind::kDuration: return "duration";
    case TypeKind::kDateTime: return "datetime";
    case TypeKind::kEnum: return enums_[t->index].name;
    case TypeKind::kRecord: return records_[t->index].name;
    case TypeKind::kSet: return "set<" + Name(t->elem) + ">";
    case TypeKind::kList: return "list<" + Name(t->elem) + ">";
    case TypeKind::kOptional:
      return t->elem->kind == TypeKind::kAny ? "none" : Name(t->elem) + "?";
  }
  return "?";
}

bool IsAssignable(const Type* from, const Type* to) {
  if (from == to) return true;
  if (from->kind == TypeKind::kError || to->kind == TypeKind::kError) return true;
  if (from->kind == TypeKind::kAny || to->kind == TypeKind::kAny) return true;
  if (to->kind == TypeKind::kOptional) {
    if (from->kind == TypeKind::kOptional) return IsAssignable(from->elem, to->elem);
    return IsAssignable(from, to->elem);
  }
  if ((from->kind == TypeKind::kSet && to->kind == TypeKind::kSet) ||
      (from->kind == TypeKind::kList && to->kind == TypeKind::kList)) {
    return IsAssignable(from->elem, to->elem);
  }
  return false;
}

const Type* Unify(TypeTable& types, const Type* a, const Type* b) {
  if (a == b) return a;
  if (a->kind == TypeKind::kError) return b;
  if (b->kind == TypeKind::kError) return a;
  if (a->kind == TypeKind::kAny) return b;
  if (b->kind == TypeKind::kAny) return a;
  if (a->kind == TypeKind::kOptional || b->kind == TypeKind::kOptional) {
    const Type* ea = a->kind == TypeKind::kOptional ? a->elem : a;
    const Type* eb = b->kind == TypeKind::kOptional ? b->elem : b;
    const Type* u = Unify(types, ea, eb);
    return u ? types.Optional(u) : nullptr;
  }
  if (a->kind == b->kind && (a->kind == TypeKind::kSet || a->kind == TypeKind::kList)) {
    const Type* u = Unify(types, a->elem, b->elem);
    if (!u) return nullptr;
    return a->kind == TypeKind::kSet ? types.Set(u) : types.List(u);
  }
  return nullptr;
}

bool IsNumeric(const Type* t) {
  return t->kind == TypeKind::kInt || t->kind == TypeKind::kDecimal;
}

bool Ranks(const Type* t, const TypeTable& types) {
  switch (t->kind) {
    case TypeKind::kEnum: case TypeKind::kInt: case TypeKind::kDecimal: case TypeKind::kDate: case TypeKind::kDateTime:
      return true;
    case TypeKind::kRecord:
      for (const auto& f : types.record_info(t->index).fields) if (Ranks(f.type, types)) return true;
      return false;
    default: return false;
  }
}

bool IsOrdered(const Type* t) {
  return IsNumeric(t) || t->kind == TypeKind::kDate || t->kind == TypeKind::kDateTime ||
         t->kind == TypeKind::kDuration;
}

}  // namespace proviso
