// The typed row API (proviso/row.h): the policy's field tables, built once, and Row.
#include "proviso/row.h"

#include <algorithm>

#include <fmt/format.h>

#include "compiler/codegen/layout.h"
#include "compiler/interp/facts.h"
#include "compiler/support/budget.h"
#include "compiler/support/calendar.h"
#include "runtime/src/native.h"
#include "runtime/src/policy_impl.h"
#include "runtime/src/row_info.h"

namespace proviso {

static_assert(static_cast<int>(ObligationStatus::kUndetermined) == static_cast<int>(ir::DeadlineStatus::kUndetermined));

namespace {

// Schemas of more fields than this (records used many times over) have no row tables.
constexpr size_t kMaxRowFields = 100000;

FieldKind KindOf(const Type* t, const TypeTable& types) {
  if (t->kind == TypeKind::kOptional) t = t->elem;
  switch (t->kind) {
    case TypeKind::kBool: return FieldKind::kBool;
    case TypeKind::kInt: return FieldKind::kInt;
    case TypeKind::kDecimal: return FieldKind::kDecimal;
    case TypeKind::kDate: return FieldKind::kDate;
    case TypeKind::kDateTime: return FieldKind::kDateTime;
    case TypeKind::kDuration: return FieldKind::kDuration;
    case TypeKind::kEnum: return FieldKind::kEnum;
    case TypeKind::kText: return FieldKind::kText;
    case TypeKind::kSet: return codegen::IsBitset(t, types) ? FieldKind::kEnumSet : FieldKind::kOther;
    default: return FieldKind::kOther;
  }
}

const char* KindName(FieldKind k) {
  static const char* const kNames[] = {"bool", "int", "decimal", "date", "datetime", "duration", "enum", "text",
                                       "enum set", "list, set or record"};
  return kNames[static_cast<int>(k)];
}

void AddFields(const ir::Program& p, int record, int node, int base, const std::string& prefix,
               const std::vector<int>& parents, RowInfo& info) {
  const TypeTable& types = p.types();
  const RecordInfo& r = types.record_info(record);
  const ir::Program::FactNode* n = node >= 0 ? &p.fact_nodes[node] : nullptr;
  for (size_t i = 0; i < r.fields.size(); ++i) {
    if (info.fields.size() >= kMaxRowFields) {
      throw Error(fmt::format("policy `{}`: its input schema has more than {} fields, too many for the typed row API "
                              "(use Policy::Evaluate)", p.name, kMaxRowFields));
    }
    RowInfo::Field f;
    f.path = prefix.empty() ? r.fields[i].name : prefix + "." + r.fields[i].name;
    f.type = r.fields[i].type;
    f.record = record;
    f.index = static_cast<int>(i);
    f.slot = base + codegen::FieldOffset(record, static_cast<int>(i), types);
    f.fact_slot = base + codegen::FactSlotOffset(record, static_cast<int>(i), types);
    f.fact = n ? n->fact[i] : -1;
    f.parents = parents;
    int at = static_cast<int>(info.fields.size());
    info.by_path.emplace(f.path, at);
    info.fields.push_back(f);
    if (f.type->kind == TypeKind::kRecord) {
      std::vector<int> inner = parents;
      inner.push_back(at);
      AddFields(p, f.type->index, n ? n->child[i] : -1, f.slot, f.path, inner, info);
    }
  }
}

// FNV-1a over a description of everything a generated header bakes in: the fields' paths, types
// and slots, the outputs' and obligations' offsets, the enums' values, the buffers' sizes.
uint64_t LayoutHashOf(const ir::Program& p, const codegen::Layout& layout, const RowInfo& info) {
  const TypeTable& types = p.types();
  std::string d = fmt::format("proviso layout 1 {} {} {}\n", layout.facts_slots, layout.out_slots, layout.mask_words);
  auto type = [&](const Type* t) {
    std::string s = types.Name(t);
    const Type* e = t->kind == TypeKind::kOptional ? t->elem : t;
    if (e->kind == TypeKind::kSet || e->kind == TypeKind::kList) e = e->elem;
    if (e->kind == TypeKind::kOptional) e = e->elem;
    if (e->kind == TypeKind::kEnum) s += "{" + fmt::format("{}", fmt::join(types.enum_info(e->index).variants, ",")) + "}";
    return s;
  };
  for (const RowInfo::Field& f : info.fields) d += fmt::format("f {} {} {} {}\n", f.path, type(f.type), f.slot, f.fact_slot);
  for (size_t o = 0; o < p.outputs.size(); ++o) {
    d += fmt::format("o {} {} {}\n", p.outputs[o].name, type(p.outputs[o].type), layout.output_offset[o]);
  }
  for (size_t k = 0; k < p.obligations.size(); ++k) {
    d += fmt::format("b {} {} {}\n", p.obligations[k].name, p.obligations[k].instant, layout.obligation_offset[k]);
  }
  uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : d) h = (h ^ c) * 0x100000001b3ULL;
  return h;
}

std::shared_ptr<const RowInfo> BuildRowInfo(const Policy::Impl& impl) {
  const ir::Program& p = *impl.program;
  auto info = std::make_shared<RowInfo>();
  AddFields(p, p.input_record, p.fact_nodes.empty() ? -1 : 0, 0, "", {}, *info);
  const TypeTable& types = p.types();
  for (const ir::Scope& sc : p.scopes) {
    // The collection is a path of the facts (the checker sees to it): input field, then fields.
    std::vector<int> path;
    const ir::Expr* at = sc.collection.get();
    for (; at->op == ir::Op::kField; at = at->args[0].get()) path.insert(path.begin(), at->index);
    path.insert(path.begin(), at->index);
    RowInfo::Collection c;
    int record = p.input_record, base = 0;
    for (int f : path) {
      c.fact_slots.push_back(base + codegen::FactSlotOffset(record, f, types));
      base += codegen::FieldOffset(record, f, types);
      const Type* t = types.record_info(record).fields[f].type;
      if (t->kind == TypeKind::kRecord) record = t->index;
    }
    c.slot = base;
    info->collections.push_back(std::move(c));
    info->keys = info->keys || sc.key;
  }
  info->layout_hash = LayoutHashOf(p, impl.native->layout(), *info);
  info->flat = p.scopes.empty() && std::all_of(p.outputs.begin(), p.outputs.end(), [&](const ir::Output& o) {
    return codegen::IsFlat(o.type, types);
  });
  return info;
}


}  // namespace

const RowInfo& InfoOf(const Policy::Impl& impl) {
  std::call_once(impl.row_once, [&] { impl.row_info = BuildRowInfo(impl); });
  return *impl.row_info;
}

namespace {

// The empty facts of the row: defaults, records of fields not given, other fields not given.
Value EmptyRecord(const ir::Program& p, int record, int node) {
  const RecordInfo& r = p.types().record_info(record);
  const auto& defaults = p.field_defaults.at(record);
  const ir::Program::FactNode* n = node >= 0 ? &p.fact_nodes[node] : nullptr;
  std::vector<Value> fields;
  for (size_t i = 0; i < r.fields.size(); ++i) {
    if (i < defaults.size() && defaults[i]) fields.push_back(*defaults[i]);
    else if (r.fields[i].type->kind == TypeKind::kRecord) fields.push_back(EmptyRecord(p, r.fields[i].type->index, n ? n->child[i] : -1));
    else fields.push_back(Value::Unknown({n ? n->fact[i] : 0}));
  }
  return Value::Record(std::move(fields));
}

// Facts as JSON, fields not given left out (in records at any depth, in lists too).
nlohmann::json KnownJson(const Value& v, const Type* t, const TypeTable& types) {
  if (t->kind == TypeKind::kOptional && !v.is_none()) t = t->elem;
  if (t->kind == TypeKind::kRecord) {
    const RecordInfo& r = types.record_info(t->index);
    nlohmann::json j = nlohmann::json::object();
    for (size_t i = 0; i < r.fields.size(); ++i) {
      if (!v.elems()[i].is_unknown()) j[r.fields[i].name] = KnownJson(v.elems()[i], r.fields[i].type, types);
    }
    return j;
  }
  if ((t->kind == TypeKind::kList || t->kind == TypeKind::kSet) && t->elem->kind != TypeKind::kEnum) {
    nlohmann::json j = nlohmann::json::array();
    for (const Value& x : v.elems()) j.push_back(KnownJson(x, t->elem, types));
    return j;
  }
  return interp::ValueToJson(v, t, types);
}

[[noreturn]] void ThrowNoSuch(const char* what, const std::string& name, const std::string& policy,
                              const std::vector<std::string>& known) {
  std::string list;
  for (size_t i = 0; i < known.size() && i < 20; ++i) list += (i ? ", `" : "`") + known[i] + "`";
  if (known.size() > 20) list += ", ...";
  throw Error(fmt::format("policy `{}` has no {} `{}` (its {}s: {})", policy, what, name, what,
                          list.empty() ? "none" : list));
}

}  // namespace

// ---------------------------------------------------------------- handles

InputField Policy::FindInput(const std::string& path) const {
  const ir::Program& p = *impl_->program;
  if (!impl_->native) throw Error("the typed row API needs the JIT back end (Backend::kJit)");
  const RowInfo& info = InfoOf(*impl_);
  auto it = info.by_path.find(path);
  if (it == info.by_path.end()) {
    std::vector<std::string> known;
    for (const auto& f : info.fields) known.push_back(f.path);
    ThrowNoSuch("input field", path, p.name, known);
  }
  const RowInfo::Field& f = info.fields[it->second];
  const TypeTable& types = p.types();
  InputField h;
  h.policy = impl_.get();
  h.index = it->second;
  h.kind = KindOf(f.type, types);
  h.fact_slot = f.fact_slot;
  h.slot = f.slot;
  const Type* t = f.type;
  const codegen::Layout& layout = impl_->native->layout();
  h.presence = std::max(layout.facts_slots, 1);  // the row's scratch slot after the facts
  if (t->kind == TypeKind::kOptional) {
    h.optional = true;
    h.presence = f.slot;
    h.slot = f.slot + 1;
    t = t->elem;
  }
  h.slots = codegen::Slots(t, types);
  int64_t lo = std::numeric_limits<int64_t>::min(), hi = std::numeric_limits<int64_t>::max();
  switch (h.kind) {
    case FieldKind::kBool: lo = 0, hi = 1; break;
    case FieldKind::kEnum: lo = 0, hi = static_cast<int64_t>(types.enum_info(t->index).variants.size()) - 1; break;
    case FieldKind::kDate: lo = kFirstDay, hi = kLastDay; break;
    case FieldKind::kDateTime: lo = kFirstSecond, hi = kLastSecond; break;
    case FieldKind::kDuration: lo = -kMaxSeconds, hi = kMaxSeconds; break;
    case FieldKind::kText: lo = 0; break;  // ids of the row's texts (SetText checks the row)
    case FieldKind::kEnumSet: {
      size_t n = types.enum_info(t->elem->index).variants.size();
      lo = 0;
      if (n < 63) hi = (int64_t{1} << n) - 1;
      else h.check = true;  // a bitmask of 63 or 64 values is not a range of int64
      break;
    }
    case FieldKind::kOther: h.check = true; break;
    default: break;
  }
  h.min = lo;
  h.range = static_cast<uint64_t>(hi) - static_cast<uint64_t>(lo);
  bool checks = f.record < static_cast<int>(p.field_checks.size()) && !p.field_checks[f.record].empty() &&
                !p.field_checks[f.record][f.index].empty();
  if (checks || !f.parents.empty()) h.check = true;
  return h;
}

OutputField Policy::FindOutput(const std::string& name) const {
  const ir::Program& p = *impl_->program;
  if (!impl_->native) throw Error("the typed row API needs the JIT back end (Backend::kJit)");
  std::vector<std::string> known;
  for (size_t o = 0; o < p.outputs.size(); ++o) {
    if (p.outputs[o].scope >= 0) continue;  // decided per element: Row::ToDecision
    if (p.outputs[o].name != name) {
      known.push_back(p.outputs[o].name);
      continue;
    }
    OutputField h;
    h.policy = impl_.get();
    h.index = static_cast<int>(o);
    h.kind = KindOf(p.outputs[o].type, p.types());
    const codegen::Layout& layout = impl_->native->layout();
    h.slot = layout.output_offset[o];
    h.presence = std::max(layout.out_slots, 1);  // the row's slot that always holds 1
    if (p.outputs[o].type->kind == TypeKind::kOptional) h.optional = true, h.presence = h.slot++;
    return h;
  }
  ThrowNoSuch("output", name, p.name, known);
}

ObligationField Policy::FindObligation(const std::string& name) const {
  const ir::Program& p = *impl_->program;
  if (!impl_->native) throw Error("the typed row API needs the JIT back end (Backend::kJit)");
  std::vector<std::string> known;
  for (size_t k = 0; k < p.obligations.size(); ++k) {
    if (p.obligations[k].scope >= 0) continue;
    if (p.obligations[k].name != name) {
      known.push_back(p.obligations[k].name);
      continue;
    }
    return ObligationField{impl_.get(), impl_->native->layout().obligation_offset[k], static_cast<int>(k),
                           p.obligations[k].instant};
  }
  ThrowNoSuch("obligation", name, p.name, known);
}

namespace {
const EnumInfo* EnumOf(const Type* t, const TypeTable& types) {
  if (t->kind == TypeKind::kOptional) t = t->elem;
  if (t->kind == TypeKind::kSet || t->kind == TypeKind::kList) t = t->elem;
  if (t->kind == TypeKind::kOptional) t = t->elem;
  return t->kind == TypeKind::kEnum ? &types.enum_info(t->index) : nullptr;
}
}  // namespace

int32_t Policy::EnumCode(const InputField& field, const std::string& value) const {
  const ir::Program& p = *impl_->program;
  if (field.policy != impl_.get()) throw Error("EnumCode: the field is of another policy");
  const RowInfo::Field& f = InfoOf(*impl_).fields.at(field.index);
  const EnumInfo* e = EnumOf(f.type, p.types());
  if (!e) throw FactsError(fmt::format("`{}` is not an enum field", f.path), f.path);
  int code = e->Find(value);
  if (code < 0) {
    throw FactsError(fmt::format("`{}` is not a value of `{}` (its values: {})", value, e->name, fmt::join(e->variants, ", ")),
                     f.path);
  }
  return code;
}

std::vector<std::string> Policy::EnumValues(const InputField& field) const {
  if (field.policy != impl_.get()) throw Error("EnumValues: the field is of another policy");
  const RowInfo::Field& f = InfoOf(*impl_).fields.at(field.index);
  const EnumInfo* e = EnumOf(f.type, impl_->program->types());
  if (!e) throw FactsError(fmt::format("`{}` is not an enum field", f.path), f.path);
  return e->variants;
}

const std::string& Policy::EnumName(const OutputField& output, int32_t code) const {
  const ir::Program& p = *impl_->program;
  if (output.policy != impl_.get()) throw Error("EnumName: the output is of another policy");
  const ir::Output& o = p.outputs.at(output.index);
  const EnumInfo* e = EnumOf(o.type, p.types());
  if (!e) throw Error(fmt::format("output `{}` is not an enum", o.name));
  if (code < 0 || code >= static_cast<int32_t>(e->variants.size())) {
    throw Error(fmt::format("{} is not a code of `{}`", code, e->name));
  }
  return e->variants[code];
}

// ---------------------------------------------------------------- Row

struct Row::State {
  std::shared_ptr<const Policy::Impl> impl;
  const ir::Program* p = nullptr;
  const jit::CompiledPolicy* native = nullptr;
  const RowInfo* info = nullptr;
  interp::EvalOptions opts;
  std::vector<const Value*> param_values;
  TextInterner texts;
  size_t pinned_texts = 0;  // texts interned by Text() or the params (kept when others are dropped)
  std::vector<std::vector<int64_t>> arena;  // params' and defaults' lists, kept for the row's life
  // What SetJson set, by field: the lists' elements, and whether it holds facts not given.
  struct JsonField {
    int index = -1;
    std::vector<std::vector<int64_t>> lists;
    bool unknown = false;
  };
  std::vector<JsonField> json_fields;
  std::vector<int64_t> params, empty, facts, ctx, out;
  std::vector<std::vector<int64_t>> items;  // each `for each`'s elements
  std::optional<interp::Result> result;  // the last decision, when the out buffer is not all of it
  jit::RowFn row = nullptr;
  bool specialized = false;
  bool maybe_unknown = true;  // a fact slot may say "not given" (else every fact is known)
  int countdown = 1;          // rows until the tiers are asked again
  int64_t now = 0;

  explicit State(const codegen::Layout& layout) : texts(layout) {}
};

namespace {
// Rows between two looks at the JIT's tiers (counting them toward tier-up and specialisation).
constexpr int kTierCheckRows = 256;
}  // namespace

Row::Row(const Policy& policy, const EvalOptions& options) {
  const Policy::Impl& impl = *policy.impl_;
  if (!impl.native) throw Error("the typed row API needs the JIT back end (Backend::kJit)");
  const ir::Program& p = *impl.program;
  const codegen::Layout& layout = impl.native->layout();
  state_ = std::make_unique<State>(layout);
  State& s = *state_;
  s.impl = policy.impl_;
  s.p = &p;
  s.native = impl.native.get();
  s.info = &InfoOf(impl);
  s.opts = ToInterpOptions(impl, options);
  s.now = s.opts.now();
  s.param_values = ParamValues(p, s.opts);
  s.params = FlattenParams(p, layout, s.opts, s.texts, s.arena);
  // The empty facts (their texts are the policy's constants, or interned here once).
  s.empty.assign(std::max(layout.facts_slots, 1) + 1, 0);  // + the setters' scratch slot
  FlattenRecord(EmptyRecord(p, p.input_record, p.fact_nodes.empty() ? -1 : 0), p.input_record, p.types(),
                s.empty.data(), s.texts, s.arena);
  s.pinned_texts = s.texts.size();
  s.facts = s.empty;
  s.ctx.assign(std::max({layout.ctx_slots, s.native->unknown_ctx_slots(), 1}), 0);
  s.out.assign(std::max(layout.out_slots, 1) + 1, 0);
  s.out.back() = 1;  // the presence of every output that is not optional
  s.items.resize(p.scopes.size(), std::vector<int64_t>(1, 0));
  s.row = s.native->row();
  policy_ = &impl;
  facts_ = s.facts.data();
  out_ = s.out.data();
}

Row::~Row() = default;
Row::Row(Row&&) noexcept = default;
Row& Row::operator=(Row&&) noexcept = default;

void Row::Clear() {
  State& s = *state_;
  std::copy(s.empty.begin(), s.empty.end(), s.facts.begin());
  s.json_fields.clear();
  s.maybe_unknown = true;
  // Texts set since the row was made are dropped now that no fact holds them (a bound on the
  // memory of a row fed ever new texts).
  if (s.texts.size() > s.pinned_texts + 4096) s.texts.Truncate(s.pinned_texts);
}

namespace {
const RowInfo::Field& FieldOf(const RowInfo& info, const InputField& f) { return info.fields.at(f.index); }
}  // namespace

namespace {
// The field is given now, and so are the records above it (their other fields, if they were not
// given, stay not given).
void MarkGiven(Row::State& s, const RowInfo::Field& field) {
  for (int r : field.parents) {
    const RowInfo::Field& up = s.info->fields[r];
    if (s.facts[up.fact_slot] != 0) {
      int n = codegen::Slots(up.type, s.p->types());
      std::copy(s.empty.begin() + up.slot, s.empty.begin() + up.slot + n, s.facts.begin() + up.slot);
      s.facts[up.fact_slot] = 0;
      s.maybe_unknown = true;
    }
  }
  s.facts[field.fact_slot] = 0;
}
}  // namespace

void Row::PutChecked(const InputField& f, FieldKind kind, int64_t v) {
  State& s = *state_;
  if (f.policy != policy_) throw Error("typed row: the field handle is of another policy");
  const RowInfo::Field& field = FieldOf(*s.info, f);
  const TypeTable& types = s.p->types();
  if (f.kind != kind) {
    throw FactsError(fmt::format("`{}` is of type `{}`, not {}", field.path, types.Name(field.type), KindName(kind)),
                     field.path);
  }
  if (static_cast<uint64_t>(v) - static_cast<uint64_t>(f.min) > f.range) {
    throw FactsError(fmt::format("{} is not a value of `{}` (it takes {} to {})", v, types.Name(field.type), f.min,
                                 static_cast<int64_t>(static_cast<uint64_t>(f.min) + f.range)), field.path);
  }
  const Type* t = field.type->kind == TypeKind::kOptional ? field.type->elem : field.type;
  if (kind == FieldKind::kEnumSet) {
    size_t n = types.enum_info(t->elem->index).variants.size();
    if (n < 64 && (static_cast<uint64_t>(v) >> n) != 0) {
      throw FactsError(fmt::format("bit {} is not a value of `{}`", 63 - __builtin_clzll(static_cast<uint64_t>(v)),
                                   types.Name(field.type)), field.path);
    }
  }
  // The schema's constraints (`in 0..1439`, `>= 0`).
  const ir::Program& p = *s.p;
  if (field.record < static_cast<int>(p.field_checks.size()) && !p.field_checks[field.record].empty()) {
    Value x;
    switch (kind) {
      case FieldKind::kInt: x = Value::Int(v); break;
      case FieldKind::kDecimal: x = Value::Decimal(v); break;
      case FieldKind::kDate: x = Value::Date(v); break;
      case FieldKind::kDateTime: x = Value::DateTime(v); break;
      case FieldKind::kEnum: x = Value::Enum(v); break;
      case FieldKind::kBool: x = Value::Bool(v != 0); break;
      default: x = Value::None(); break;
    }
    if (!x.is_none()) {
      for (const ir::FieldCheck& c : p.field_checks[field.record][field.index]) {
        if (auto why = ir::CheckViolation(x, c, t, types)) throw FactsError(*why, field.path);
      }
    }
  }
  MarkGiven(s, field);
  facts_[f.slot] = v;
  facts_[f.presence] = 1;
  facts_[f.fact_slot] = 0;
}

void Row::SetDurationChecked(const InputField& f, int64_t seconds, int64_t months) {
  if (f.policy == policy_ && f.kind == FieldKind::kDuration) {
    const RowInfo::Field& field = FieldOf(*state_->info, f);
    if (seconds > kMaxSeconds || seconds < -kMaxSeconds || months > kMaxMonths || months < -kMaxMonths) {
      throw FactsError(fmt::format("the duration is beyond {} days or {} months", kMaxDays, kMaxMonths), field.path);
    }
    facts_[f.slot + 1] = months;
  }
  PutChecked(f, FieldKind::kDuration, seconds);
}

void Row::SetText(const InputField& f, std::string_view text) { Put(f, FieldKind::kText, state_->texts.Id(text)); }

void Row::BadText() { throw Error("typed row: the text id is of another row (Row::Text)"); }

TextId Row::Text(std::string_view text) {
  State& s = *state_;
  int64_t id = s.texts.Id(text);
  // Kept for the row's life: what Clear() drops starts after it.
  if (static_cast<size_t>(id) >= s.pinned_texts) s.pinned_texts = s.texts.size();
  return TextId{state_.get(), id};
}

void Row::SetNoneChecked(const InputField& f) {
  State& s = *state_;
  if (f.policy != policy_) throw Error("typed row: the field handle is of another policy");
  const RowInfo::Field& field = FieldOf(*s.info, f);
  if (!f.optional) {
    throw FactsError(fmt::format("`{}` is of type `{}`, not optional: it cannot be none", field.path,
                                 s.p->types().Name(field.type)), field.path);
  }
  SetJson(f, nullptr);
}

void Row::SetUnknown(const InputField& f) {
  State& s = *state_;
  if (f.policy != policy_) throw Error("typed row: the field handle is of another policy");
  const RowInfo::Field& field = FieldOf(*s.info, f);
  int n = codegen::Slots(field.type, s.p->types());
  std::fill(s.facts.begin() + field.slot, s.facts.begin() + field.slot + n, 0);
  s.facts[field.fact_slot] = 1 + field.fact;
  s.maybe_unknown = true;
}

namespace {
// Whether a fact, or a fact inside it, was not given.
bool AnyUnknown(const Value& v) {
  if (v.is_unknown()) return true;
  if (v.kind != Value::Kind::kRecord && v.kind != Value::Kind::kList) return false;
  for (const Value& x : v.elems()) if (AnyUnknown(x)) return true;
  return false;
}

}  // namespace

void Row::SetJson(const InputField& f, const nlohmann::json& value) {
  State& s = *state_;
  if (f.policy != policy_) throw Error("typed row: the field handle is of another policy");
  const RowInfo::Field& field = FieldOf(*s.info, f);
  const ir::Program& p = *s.p;
  // Read as facts of that one field (the same checks and messages as Policy::Evaluate), then take it.
  std::vector<std::string> names;
  for (int r : field.parents) names.push_back(s.info->fields[r].path.substr(s.info->fields[r].path.rfind('.') + 1));
  names.push_back(field.path.substr(field.path.rfind('.') + 1));
  nlohmann::json facts = value;
  for (auto it = names.rbegin(); it != names.rend(); ++it) facts = nlohmann::json{{*it, std::move(facts)}};
  Value v;
  try {
    Value all = interp::FactsFromJson(facts, p);
    const Value* at = &all;
    for (int r : field.parents) at = &at->elems().at(s.info->fields[r].index);
    v = at->elems().at(field.index);
  } catch (const interp::FactsError& e) {
    throw FactsError(e.what(), e.path());
  }
  MarkGiven(s, field);
  std::vector<std::vector<int64_t>> lists;
  Flatten(v, field.type, p.types(), s.facts.data() + field.slot, s.texts, lists);
  auto old = std::find_if(s.json_fields.begin(), s.json_fields.end(), [&](const auto& e) { return e.index == f.index; });
  if (old == s.json_fields.end()) old = s.json_fields.insert(old, State::JsonField{f.index});
  old->lists = std::move(lists);
  // Records and lists may hold fields not given (and then the row that follows them decides).
  old->unknown = AnyUnknown(v);
  s.maybe_unknown = true;
}

namespace {
Value FactsValue(const ir::Program& p, const std::vector<int64_t>& facts, const TextInterner& texts) {
  const Type input{TypeKind::kRecord, p.input_record, nullptr};
  return Unflatten(facts.data(), &input, p.types(), texts);
}
}  // namespace

void Row::Evaluate() {
  State& s = *state_;
  const ir::Program& p = *s.p;
  const codegen::Layout& layout = s.native->layout();
  // Facts not given: the row that follows them (it never is specialised).
  bool unknowns = false;
  if (s.maybe_unknown) {
    for (const RowInfo::Field& f : s.info->fields) {
      if (s.facts[f.fact_slot] != 0) unknowns = true;
    }
    // (A field set by SetJson and since by a setter may still count: the row that follows facts
    // not given decides complete facts too.)
    for (const State::JsonField& j : s.json_fields) unknowns = unknowns || j.unknown;
    s.maybe_unknown = unknowns;
  }
  if (--s.countdown == 0) {
    s.countdown = kTierCheckRows;
    s.native->CountRows(kTierCheckRows);
    s.row = s.native->row();
    s.specialized = false;
    jit::CompiledPolicy::SpecializedRow spec = s.native->Specialized(s.param_values, kTierCheckRows);
    if (spec.row) {
      // Its texts must have the ids the row gave them (the params' texts, interned first).
      bool same = true;
      for (size_t k = 0; k < spec.texts->size() && same; ++k) {
        same = s.texts.Find((*spec.texts)[k]) == static_cast<int64_t>(layout.texts.size() + k);
      }
      if (same) s.row = spec.row, s.specialized = true;
    }
  }
  jit::RowFn row = s.row;
  const int64_t* params = s.specialized ? nullptr : s.params.data();
  if (unknowns) {
    row = s.native->unknown_row();  // compiled on first use: its scratch size is known from then on
    params = s.params.data();
    if (!row) {
      throw Error(fmt::format("typed row: policy `{}` cannot evaluate facts not given natively ({}); use "
                              "Policy::Evaluate", p.name, s.native->unknown_error()));
    }
    if (s.ctx.size() < static_cast<size_t>(s.native->unknown_ctx_slots())) s.ctx.resize(s.native->unknown_ctx_slots());
  }
  // Room for what each `for each` decides.
  for (size_t c = 0; c < s.info->collections.size(); ++c) {
    const RowInfo::Collection& col = s.info->collections[c];
    int64_t n = 0;
    if (std::all_of(col.fact_slots.begin(), col.fact_slots.end(), [&](int k) { return s.facts[k] == 0; })) {
      n = s.facts[col.slot + 1];
    }
    size_t need = std::max<size_t>(1, static_cast<size_t>(n) * layout.items[c].stride);
    if (s.items[c].size() < need) s.items[c].resize(need);
    std::fill(s.items[c].begin(), s.items[c].begin() + need, 0);
    s.out[layout.scope_offset[c]] = reinterpret_cast<int64_t>(s.items[c].data());
  }
  if (layout.budget) jit::SetBudget(s.opts.budget);  // a thread-local: only for rows that loop
  int32_t status = row(s.ctx.data(), s.facts.data(), params, s.now, s.out.data());
  tracked_ = unknowns;
  s.result.reset();
  if (status == 0 && !s.info->flat) {
    s.result = NativeResult(p, layout, s.out.data(), unknowns, s.texts, s.opts.as_of);
    if (s.info->keys && DuplicateKeys(p, *s.result)) status = -1;
  }
  if (status != 0) {
    s.result.reset();
    Value facts = FactsValue(p, s.facts, s.texts);
    bool over = jit::OverBudget();
    try {
      if (over) throw interp::EvalError(OverBudgetMessage(EffectiveBudget(s.opts.budget)), Span{});
      Interpret(p, facts, s.opts);  // says why, with the policy's location
    } catch (const interp::EvalError& e) {
      throw ToPublicError(e, s.impl->front->sources);
    }
    throw EvaluationError(fmt::format("internal error: native code of `{}` failed where the interpreter decided; "
                                      "please report this policy and facts", p.name), SourceLocation{});
  }
}

int64_t Row::GetChecked(const OutputField& o, FieldKind kind) const {
  const State& s = *state_;
  if (o.policy != policy_) throw Error("typed row: the output handle is of another policy");
  const ir::Output& out = s.p->outputs.at(o.index);
  if (o.kind != kind) {
    throw Error(fmt::format("output `{}` is of type `{}`, not {}", out.name, s.p->types().Name(out.type), KindName(kind)));
  }
  if (!Determined(o)) throw Error(fmt::format("output `{}` is undetermined (it depends on facts not given)", out.name));
  if (!out_[o.presence]) throw Error(fmt::format("output `{}` is none", out.name));
  return out_[o.slot];
}

uint64_t Policy::LayoutHash() const {
  if (!impl_->native) throw Error("the typed row API needs the JIT back end (Backend::kJit)");
  return InfoOf(*impl_).layout_hash;
}

int64_t* Row::RawFacts(uint64_t layout_hash) {
  if (layout_hash != state_->info->layout_hash) {
    throw Error(fmt::format("the generated header of policy `{}` is of another layout (its hash {:016x}, the "
                            "policy's {:016x}): generate it again with `proviso compile --emit=cpp`",
                            state_->p->name, layout_hash, state_->info->layout_hash));
  }
  return facts_;
}

const int64_t* Row::RawOutputs(uint64_t layout_hash) const {
  return const_cast<Row*>(this)->RawFacts(layout_hash) ? out_ : nullptr;
}

const std::string& Row::TextOf(int64_t id) const { return state_->texts.Text(id); }

void Row::OutOfRange(const char* field, int64_t value) {
  throw FactsError(fmt::format("{} is out of the range of `{}`", value, field), field);
}

void Row::Undetermined(const char* output) {
  throw Error(fmt::format("output `{}` is undetermined (it depends on facts not given)", output));
}

void Row::CheckDetermined(const char* output, int32_t mask) const {
  for (int w = 0; w < state_->native->layout().mask_words; ++w) if (out_[mask + w] != 0) Undetermined(output);
}

void Row::BadHandle() { throw Error("typed row: the handle is of another policy"); }

bool Row::DeterminedChecked(const OutputField& o) const {
  const State& s = *state_;
  if (o.policy != policy_) BadHandle();
  if (!tracked_) return true;
  const codegen::Layout& layout = s.native->layout();
  int mask = layout.output_offset[o.index] + codegen::Slots(s.p->outputs[o.index].type, s.p->types());
  for (int w = 0; w < layout.mask_words; ++w) if (out_[mask + w] != 0) return false;
  return true;
}

bool Row::PresentChecked(const OutputField& o) const {
  if (o.policy != policy_) BadHandle();
  if (!o.optional) return true;
  if (!Determined(o)) throw Error(fmt::format("output `{}` is undetermined", state_->p->outputs.at(o.index).name));
  return out_[o.presence] != 0;
}

std::pair<int64_t, int64_t> Row::GetDuration(const OutputField& o) const {
  int64_t seconds = GetChecked(o, FieldKind::kDuration);
  return {seconds, out_[o.slot + 1]};
}

const std::string& Row::GetText(const OutputField& o) const {
  return state_->texts.Text(GetChecked(o, FieldKind::kText));
}

Decision Row::ToDecision() const {
  const State& s = *state_;
  if (s.result) return DecisionAccess::Make(*s.impl, *s.result, s.opts);
  interp::Result r = NativeResult(*s.p, s.native->layout(), s.out.data(), tracked_, s.texts, s.opts.as_of);
  return DecisionAccess::Make(*s.impl, r, s.opts);
}

nlohmann::json Row::FactsJson() const {
  const State& s = *state_;
  const Type input{TypeKind::kRecord, s.p->input_record, nullptr};
  return KnownJson(FactsValue(*s.p, s.facts, s.texts), &input, s.p->types());
}

}  // namespace proviso
