#include "compiler/codegen/layout.h"

#include <algorithm>
#include <set>

namespace proviso::codegen {

bool IsBitset(const Type* t, const TypeTable& types) {
  return t->kind == TypeKind::kSet && t->elem->kind == TypeKind::kEnum &&
         types.enum_info(t->elem->index).variants.size() <= static_cast<size_t>(kMaxBitsetValues);
}

int64_t BitsetOf(const Value& set) {
  uint64_t bits = 0;
  for (const Value& x : set.elems()) bits |= uint64_t{1} << x.i;
  return static_cast<int64_t>(bits);
}

namespace {

// Whether record `r` reaches a record on `path` through its fields' types (a depth-first walk;
// `done` holds records known to reach none).
bool ReachesPath(int r, const TypeTable& types, std::vector<bool>& on_path, std::vector<bool>& done) {
  if (on_path[r]) return true;
  if (done[r]) return false;
  on_path[r] = true;
  for (const FieldInfo& f : types.record_info(r).fields) {
    // Lists and sets hold their elements out of line: only optionals and records nest in place.
    const Type* t = f.type;
    while (t->kind == TypeKind::kOptional) t = t->elem;
    if (t->kind == TypeKind::kRecord && ReachesPath(t->index, types, on_path, done)) return true;
  }
  on_path[r] = false;
  done[r] = true;
  return false;
}

}  // namespace

int RecursiveRecord(const TypeTable& types) {
  std::vector<bool> on_path(types.record_count()), done(types.record_count());
  for (int r = 0; r < types.record_count(); ++r) {
    if (ReachesPath(r, types, on_path, done)) return r;
  }
  return -1;
}

int Slots(const Type* t, const TypeTable& types) {
  switch (t->kind) {
    case TypeKind::kDuration: return 2;
    case TypeKind::kOptional: return 1 + Slots(t->elem, types);
    case TypeKind::kRecord: {
      int n = 0;
      for (const FieldInfo& f : types.record_info(t->index).fields) n += Slots(f.type, types) + 1;  // + fact slot
      return n;
    }
    case TypeKind::kList: return 2;
    case TypeKind::kSet: return IsBitset(t, types) ? 1 : 2;
    default: return 1;
  }
}

int FieldOffset(int record, int field, const TypeTable& types) {
  int n = 0;
  const RecordInfo& r = types.record_info(record);
  for (int i = 0; i < field; ++i) n += Slots(r.fields[i].type, types) + 1;
  return n;
}

int FactSlotOffset(int record, int field, const TypeTable& types) {
  return FieldOffset(record, field, types) + Slots(types.record_info(record).fields[field].type, types);
}

bool IsFlat(const Type* t, const TypeTable& types) {
  switch (t->kind) {
    case TypeKind::kOptional: return IsFlat(t->elem, types);
    case TypeKind::kRecord:
      for (const FieldInfo& f : types.record_info(t->index).fields) if (!IsFlat(f.type, types)) return false;
      return true;
    case TypeKind::kList: return false;
    case TypeKind::kSet: return IsBitset(t, types);
    default: return true;
  }
}

namespace {

void CollectTexts(const Value& v, std::set<std::string>& out) {
  if (v.kind == Value::Kind::kText) out.insert(v.text);
  for (const Value& x : v.elems()) CollectTexts(x, out);
}

void CollectTexts(const ir::Expr* e, std::set<std::string>& out) {
  if (!e) return;
  if (e->op == ir::Op::kConst) CollectTexts(e->constant, out);
  for (const auto& a : e->args) CollectTexts(a.get(), out);
}

}  // namespace

bool VersionedParams(const ir::Program& p) {
  return p.law || std::any_of(p.scopes.begin(), p.scopes.end(), [](const ir::Scope& s) { return s.law != nullptr; });
}

Layout Layout::For(const ir::Program& p) {
  const TypeTable& types = p.types();
  Layout l;
  for (const FieldInfo& f : types.record_info(p.input_record).fields) l.facts_slots += Slots(f.type, types) + 1;
  l.mask_words = std::max<int>(1, static_cast<int>((p.facts.size() + 63) / 64));
  for (const ir::Param& pa : p.params) {
    l.param_offset.push_back(l.param_slots);
    l.param_slots += 1 + Slots(pa.type, types);
    bool bitmap = pa.type->kind == TypeKind::kSet && !IsBitset(pa.type, types) &&
                  (pa.type->elem->kind == TypeKind::kEnum || pa.type->elem->kind == TypeKind::kText);
    l.param_bitmap.push_back(bitmap ? l.param_slots : -1);
    if (bitmap) l.param_slots += 2;
    int versions = std::max<int>(1, static_cast<int>(pa.versions.size()));
    bool versioned = VersionedParams(p);
    l.param_versions.push_back(versioned ? l.param_slots : -1);
    l.param_version_count.push_back(versioned ? versions : 0);
    if (versioned) l.param_slots += 1 + versions * (2 + Slots(pa.type, types));
  }
  for (const ir::Output& o : p.outputs) {
    l.output_offset.push_back(o.scope < 0 ? l.out_slots : -1);
    if (o.scope < 0) l.out_slots += Slots(o.type, types) + l.mask_words;
  }
  if (p.law) l.law_offset = l.out_slots++;
  for (size_t i = 0; i < p.obligations.size(); ++i) {
    l.obligation_offset.push_back(p.obligations[i].scope < 0 ? l.out_slots : -1);
    if (p.obligations[i].scope < 0) l.out_slots += l.obligation_slots();
  }
  for (const ir::Scope& sc : p.scopes) {
    l.scope_offset.push_back(l.out_slots);
    l.out_slots += 2;
    ItemLayout item;
    item.key = item.stride;
    item.stride += Slots(sc.key_type, types);
    item.law = item.stride++;
    for (int o : sc.outputs) {
      item.outputs.push_back(item.stride);
      item.stride += Slots(p.outputs[o].type, types) + l.mask_words;
    }
    for (size_t k = 0; k < sc.obligations.size(); ++k) {
      item.obligations.push_back(item.stride);
      item.stride += l.obligation_slots();
    }
    l.items.push_back(std::move(item));
  }
  std::set<std::string> texts;
  for (const ir::Param& pa : p.params) for (const auto& v : pa.versions) CollectTexts(v.value, texts);
  for (const auto& d : p.field_defaults) for (const auto& v : d) if (v) CollectTexts(*v, texts);
  for (const ir::Let& x : p.lets) CollectTexts(x.value.get(), texts);
  CollectTexts(p.law.get(), texts);
  for (const ir::Scope& sc : p.scopes) {
    CollectTexts(sc.collection.get(), texts);
    CollectTexts(sc.key.get(), texts);
    CollectTexts(sc.law.get(), texts);
  }
  for (const ir::Function& f : p.functions) CollectTexts(f.body.get(), texts);
  for (const ir::Table& t : p.tables) {
    for (const auto& r : t.rows) {
      for (const auto& c : r.cells) for (const auto& v : c.values) CollectTexts(v.get(), texts);
      CollectTexts(r.result.get(), texts);
    }
    CollectTexts(t.default_result.get(), texts);
  }
  for (const ir::Rule& r : p.rules) {
    CollectTexts(r.when.get(), texts);
    CollectTexts(r.value.get(), texts);
  }
  for (const ir::Obligation& o : p.obligations) {
    CollectTexts(o.when.get(), texts);
    for (const ir::Expr* e : {o.deadline.get(), o.violated.get(), o.not_before.get(), o.every.get(),
                              o.every_from.get(), o.overdue.get(), o.done_at.get(), o.deleted_at.get()}) {
      CollectTexts(e, texts);
    }
  }
  for (const std::string& t : texts) {
    l.text_ids[t] = static_cast<int64_t>(l.texts.size());
    l.texts.push_back(t);
  }
  return l;
}

}  // namespace proviso::codegen
