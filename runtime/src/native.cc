#include "runtime/src/native.h"

#include <algorithm>
#include <deque>

#include <fmt/format.h>

#include "compiler/codegen/layout.h"
#include "compiler/support/budget.h"
#include "runtime/src/batch.h"
#include "runtime/src/policy_impl.h"

namespace proviso {

int64_t TextInterner::Id(std::string_view text) {
  if (int64_t id = Find(text); id >= 0) return id;
  int64_t id = static_cast<int64_t>(layout_.texts.size() + extra_texts_.size());
  extra_.emplace(std::string(text), id);
  extra_texts_.emplace_back(text);
  return id;
}

int64_t TextInterner::Find(std::string_view text) const {
  auto it = layout_.text_ids.find(text);
  if (it != layout_.text_ids.end()) return it->second;
  auto e = extra_.find(text);
  return e != extra_.end() ? e->second : -1;
}

void TextInterner::Truncate(size_t size) {
  size_t keep = size > layout_.texts.size() ? size - layout_.texts.size() : 0;
  for (size_t k = keep; k < extra_texts_.size(); ++k) extra_.erase(extra_texts_[k]);
  if (keep < extra_texts_.size()) extra_texts_.resize(keep);
}

const std::string& TextInterner::Text(int64_t id) const {
  if (id >= 0 && id < static_cast<int64_t>(layout_.texts.size())) return layout_.texts[id];
  return extra_texts_.at(id - layout_.texts.size());
}

void FlattenRecord(const Value& v, int record, const TypeTable& types, int64_t* dst, TextInterner& texts,
                   std::vector<std::vector<int64_t>>& arena) {
  const RecordInfo& r = types.record_info(record);
  for (size_t f = 0; f < r.fields.size(); ++f) {  // each field at its FieldOffset, then its fact slot
    int n = codegen::Slots(r.fields[f].type, types);
    const Value& x = v.elems()[f];
    if (x.is_unknown()) {  // a fact left out: no value, and which fact it is
      std::fill(dst, dst + n, 0);
      dst[n] = 1 + MissingOf(x).at(0);
    } else {
      Flatten(x, r.fields[f].type, types, dst, texts, arena);
      dst[n] = 0;
    }
    dst += n + 1;
  }
}

// Writes the slots of `v` (type `t`) at `dst`; list elements go to `arena` (stable storage).
void Flatten(const Value& v, const Type* t, const TypeTable& types, int64_t* dst, TextInterner& texts,
             std::vector<std::vector<int64_t>>& arena) {
  switch (t->kind) {
    case TypeKind::kOptional:
      dst[0] = !v.is_none();
      if (v.is_none()) {
        for (int k = 0; k < codegen::Slots(t->elem, types); ++k) dst[1 + k] = 0;
      } else {
        Flatten(v, t->elem, types, dst + 1, texts, arena);
      }
      return;
    case TypeKind::kDuration:
      dst[0] = v.i;
      dst[1] = v.months;
      return;
    case TypeKind::kText: dst[0] = texts.Id(v.text); return;
    case TypeKind::kRecord: FlattenRecord(v, t->index, types, dst, texts, arena); return;
    case TypeKind::kSet:
      if (codegen::IsBitset(t, types)) {
        dst[0] = codegen::BitsetOf(v);
        return;
      }
      [[fallthrough]];
    case TypeKind::kList: {
      int stride = codegen::Slots(t->elem, types);
      const auto& items = v.elems();
      // Reserve first: nested flattening appends to the arena and must not move this buffer.
      arena.emplace_back(std::max<size_t>(1, items.size() * stride), 0);
      size_t at = arena.size() - 1;
      for (size_t i = 0; i < items.size(); ++i) {
        Flatten(items[i], t->elem, types, arena[at].data() + i * stride, texts, arena);
      }
      dst[0] = reinterpret_cast<int64_t>(arena[at].data());
      dst[1] = static_cast<int64_t>(items.size());
      return;
    }
    default: dst[0] = v.i; return;
  }
}

Value Unflatten(const int64_t* src, const Type* t, const TypeTable& types, const TextInterner& texts) {
  switch (t->kind) {
    case TypeKind::kOptional:
      if (!src[0]) return Value::None();
      return Unflatten(src + 1, t->elem, types, texts);
    case TypeKind::kBool: return Value::Bool(src[0] != 0);
    case TypeKind::kInt: return Value::Int(src[0]);
    case TypeKind::kDecimal: return Value::Decimal(src[0]);
    case TypeKind::kDate: return Value::Date(src[0]);
    case TypeKind::kDateTime: return Value::DateTime(src[0]);
    case TypeKind::kEnum: return Value::Enum(src[0]);
    case TypeKind::kText: return Value::Text(texts.Text(src[0]));
    case TypeKind::kDuration: return Value::Dur({src[1], src[0]});
    case TypeKind::kRecord: {
      const RecordInfo& r = types.record_info(t->index);
      std::vector<Value> fields;
      fields.reserve(r.fields.size());
      for (size_t f = 0; f < r.fields.size(); ++f) {  // each field at its FieldOffset
        int n = codegen::Slots(r.fields[f].type, types);
        fields.push_back(src[n] ? Value::Unknown({static_cast<int>(src[n] - 1)}) : Unflatten(src, r.fields[f].type, types, texts));
        src += n + 1;
      }
      return Value::Record(std::move(fields));
    }
    case TypeKind::kSet:
      if (codegen::IsBitset(t, types)) {
        std::vector<Value> out;
        uint64_t bits = static_cast<uint64_t>(src[0]);
        for (int k = 0; k < codegen::kMaxBitsetValues; ++k) if ((bits >> k) & 1) out.push_back(Value::Enum(k));
        return Value::Set(std::move(out));
      }
      [[fallthrough]];
    case TypeKind::kList: {
      const int64_t* items = reinterpret_cast<const int64_t*>(src[0]);
      int stride = codegen::Slots(t->elem, types);
      std::vector<Value> out;
      for (int64_t i = 0; i < src[1]; ++i) out.push_back(Unflatten(items + i * stride, t->elem, types, texts));
      return t->kind == TypeKind::kSet ? Value::Set(std::move(out)) : Value::List(std::move(out));
    }
    default: return Value::None();
  }
}

std::vector<const Value*> ParamValues(const ir::Program& p, const interp::EvalOptions& options) {
  std::vector<const Value*> values(p.params.size());
  for (size_t i = 0; i < p.params.size(); ++i) {
    auto ov = options.param_overrides.find(static_cast<int>(i));
    values[i] = ov != options.param_overrides.end() ? &ov->second : interp::ParamInForce(p.params[i], options.as_of);
  }
  return values;
}

std::vector<int64_t> FlattenParams(const ir::Program& p, const codegen::Layout& layout,
                                   const interp::EvalOptions& options, TextInterner& texts,
                                   std::vector<std::vector<int64_t>>& arena) {
  std::vector<int64_t> params(std::max(layout.param_slots, 1), 0);
  std::vector<const Value*> values = ParamValues(p, options);
  for (size_t i = 0; i < p.params.size(); ++i) {
    const Value* v = values[i];
    int off = layout.param_offset[i];
    params[off] = v != nullptr;
    if (v) Flatten(*v, p.params[i].type, p.types(), params.data() + off + 1, texts, arena);
    if (int bm = layout.param_bitmap[i]; bm >= 0) {
      // Members are enum codes or text ids: small and non-negative.
      const int64_t* items = v ? reinterpret_cast<const int64_t*>(params[off + 1]) : nullptr;
      int64_t n = v ? params[off + 2] : 0, bound = 0;
      for (int64_t k = 0; k < n; ++k) bound = std::max(bound, items[k] + 1);
      arena.emplace_back(static_cast<size_t>(bound / 64 + 1), 0);
      std::vector<int64_t>& words = arena.back();
      for (int64_t k = 0; k < n; ++k) words[items[k] / 64] |= static_cast<int64_t>(uint64_t{1} << (items[k] % 64));
      params[bm] = reinterpret_cast<int64_t>(words.data());
      params[bm + 1] = bound;
    }
    if (int vs = layout.param_versions[i]; vs >= 0) {
      // `law as of`: every version (the law day picks one in the row), or the override alone.
      int stride = 2 + codegen::Slots(p.params[i].type, p.types());
      auto put = [&](int k, const ir::Effective& eff, const Value& value) {
        int64_t* at = params.data() + vs + 1 + k * stride;
        at[0] = eff.from;
        at[1] = eff.until;
        Flatten(value, p.params[i].type, p.types(), at + 2, texts, arena);
      };
      auto ov = options.param_overrides.find(static_cast<int>(i));
      if (ov != options.param_overrides.end()) {
        params[vs] = 1;
        put(0, ir::Effective{}, ov->second);
      } else {
        params[vs] = static_cast<int64_t>(p.params[i].versions.size());
        for (size_t k = 0; k < p.params[i].versions.size(); ++k) {
          put(static_cast<int>(k), p.params[i].versions[k].effective, p.params[i].versions[k].value);
        }
      }
    }
  }
  return params;
}

// Whether the leaf's field has an optional type (its slots start with a presence flag).
bool IsOptionalField(const ir::Program& p, const InputLeaf& leaf) {
  const TypeTable& types = p.types();
  int record = p.input_record;
  const Type* t = nullptr;
  for (int f : leaf.fields) {
    t = types.record_info(record).fields[f].type;
    if (t->kind == TypeKind::kRecord) record = t->index;
  }
  return t && t->kind == TypeKind::kOptional;
}

bool BatchShape(const ir::Program& p, std::vector<codegen::BatchLeaf>& leaves,
                std::vector<codegen::BatchOutput>& outputs) {
  // The batch form exists when every input leaf is a scalar column and every output a scalar (and
  // nothing is decided for each element of a collection).
  bool batch = p.scopes.empty();
  if (!batch) return false;
  std::vector<std::pair<size_t, const InputLeaf*>> defaults;
  try {
    const TypeTable& types = p.types();
    std::vector<InputLeaf> inputs = InputLeaves(p);
    for (const InputLeaf& leaf : inputs) {
      codegen::BatchLeaf l;
      int record = p.input_record;
      for (size_t k = 0; k < leaf.fields.size(); ++k) {
        if (k + 1 == leaf.fields.size()) l.fact_slot = l.slot + codegen::FactSlotOffset(record, leaf.fields[k], types);
        l.slot += codegen::FieldOffset(record, leaf.fields[k], types);
        const Type* ft = types.record_info(record).fields[leaf.fields[k]].type;
        if (ft->kind == TypeKind::kRecord) record = ft->index;
      }
      l.fact = 1 + leaf.fact;
      l.optional = leaf.fields.empty() ? false : IsOptionalField(p, leaf);
      l.duration = leaf.type->kind == TypeKind::kDuration;
      l.text = leaf.type->kind == TypeKind::kText;
      l.width = leaf.spec.width;
      leaves.push_back(l);
      if (leaf.dflt) {
        leaves.back().has_default = true;
        defaults.push_back({leaves.size() - 1, &leaf});
      }
    }
    codegen::Layout layout = codegen::Layout::For(p);
    // A default's slots as the row lays them out (a text default is among the text constants).
    TextInterner texts(layout);
    std::vector<std::vector<int64_t>> arena;
    for (auto& [k, leaf] : defaults) Flatten(*leaf->dflt, leaf->type, types, leaves[k].default_slots, texts, arena);
    std::vector<ColumnSpec> specs = OutputSpecs(p);
    size_t c = 0;
    for (size_t o = 0; o < p.outputs.size(); ++o, ++c) {
      codegen::BatchOutput out{layout.output_offset[o], specs[c].optional, specs[c].width};
      out.mask_slot = layout.output_offset[o] + codegen::Slots(p.outputs[o].type, types);
      outputs.push_back(out);
    }
    for (size_t k = 0; k < p.obligations.size(); ++k) {
      // Following unknown facts: the obligation's mask, for each column where that part of it is
      // undetermined (Layout: applies undetermined at +5, violation at +6, status "undetermined").
      int off = layout.obligation_offset[k];
      int mask = off + codegen::Layout::kObligationFixedSlots;
      const int64_t undetermined = static_cast<int64_t>(ir::DeadlineStatus::kUndetermined);
      outputs.push_back({off, false, specs[c++].width, mask, off + 5, -1, off + 5});
      outputs.push_back({off + 1, false, specs[c++].width, mask, off + 6, -1, -1});
      outputs.push_back({off + 2, true, specs[c++].width, mask, off + 2, 0, -1});  // undetermined: none computed
      if (p.obligations[k].deadline_kind != ir::DeadlineKind::kNone) {
        outputs.push_back({off + 4, false, specs[c++].width, mask, off + 4, undetermined, -1});
      }
    }
  } catch (const Error&) {
    batch = false;
    leaves.clear();
    outputs.clear();
  }
  return batch;
}

bool HasNativeLayout(const ir::Program& p, DiagnosticSink& diags) {
  int r = codegen::RecursiveRecord(p.types());
  if (r < 0) return true;
  const RecordInfo& info = p.types().record_info(r);
  diags.Error("E0601", info.span, fmt::format("the JIT cannot compile record `{}`, which contains itself", info.name))
      .help = "evaluate this policy with `--engine=interp`";
  return false;
}

std::unique_ptr<jit::CompiledPolicy> CompileNative(const ir::Program& p, DiagnosticSink& diags) {
  if (!HasNativeLayout(p, diags)) return nullptr;
  std::vector<codegen::BatchLeaf> leaves;
  std::vector<codegen::BatchOutput> outputs;
  bool batch = BatchShape(p, leaves, outputs);
  return jit::Compile(p, batch, leaves, outputs, diags);
}

// The number of elements of a `for each` collection (a path of the facts: the checker sees to it).
size_t CollectionSize(const ir::Expr& e, const Value& facts) {
  std::vector<int> path;
  const ir::Expr* at = &e;
  for (; at->op == ir::Op::kField; at = at->args[0].get()) path.insert(path.begin(), at->index);
  Value v = facts.elems().at(at->index);  // Op::kInput
  for (int f : path) {
    if (v.is_unknown()) return 0;  // not known: the row fails before it writes an element
    v = v.elems().at(f);
  }
  return v.is_unknown() ? 0 : v.elems().size();
}

// Whether a fact, or a fact inside it, was not given.
bool HasUnknown(const Value& v) {
  if (v.is_unknown()) return true;
  if (v.kind != Value::Kind::kRecord && v.kind != Value::Kind::kList) return false;
  for (const Value& x : v.elems()) if (HasUnknown(x)) return true;
  return false;
}

interp::Result EvaluateNative(const ir::Program& p, const jit::CompiledPolicy& native, const Value& facts,
                              const interp::EvalOptions& options, jit::RowFn row,
                              const std::vector<std::string>* first_texts) {
  // Facts that leave some out go through the row that follows unknown facts (or, for a schema too
  // large for its masks, the interpreter).
  bool unknowns = HasUnknown(facts);
  if (unknowns) {
    row = native.unknown_row();
    if (!row) return Interpret(p, facts, options);
    first_texts = nullptr;  // not specialised
  }
  const codegen::Layout& layout = native.layout();
  const TypeTable& types = p.types();
  TextInterner texts(layout);
  if (first_texts) for (const std::string& t : *first_texts) texts.Id(t);
  std::vector<std::vector<int64_t>> arena;
  arena.reserve(64);
  std::vector<int64_t> flat(std::max(layout.facts_slots, 1), 0);
  FlattenRecord(facts, p.input_record, types, flat.data(), texts, arena);
  // A specialised row has its params in its code: none to flatten.
  std::vector<int64_t> params;
  if (!first_texts) params = FlattenParams(p, layout, options, texts, arena);
  std::vector<int64_t> ctx(std::max(unknowns ? native.unknown_ctx_slots() : layout.ctx_slots, 1), 0);
  std::vector<int64_t> out(std::max(layout.out_slots, 1), 0);
  // Room for what each `for each` decides: one item per element of its collection (of the facts).
  std::vector<std::vector<int64_t>> items(p.scopes.size());
  for (size_t s = 0; s < p.scopes.size(); ++s) {
    size_t n = CollectionSize(*p.scopes[s].collection, facts);
    items[s].assign(std::max<size_t>(1, n * layout.items[s].stride), 0);
    out[layout.scope_offset[s]] = reinterpret_cast<int64_t>(items[s].data());
  }
  if (!row) row = native.row();
  jit::SetBudget(options.budget);
  int32_t status = row(ctx.data(), flat.data(), first_texts ? nullptr : params.data(), options.now(), out.data());
  if (status != 0) {
    // Over its budget: the interpreter (which computes shared calls once) might not be.
    if (jit::OverBudget()) throw interp::EvalError(OverBudgetMessage(EffectiveBudget(options.budget)), Span{});
    // The interpreter says why, with the policy location; it must fail too.
    Interpret(p, facts, options);
    throw interp::EvalError(fmt::format("internal error: native code of `{}` failed where the interpreter "
                                        "decided; please report this policy and facts", p.name), Span{});
  }
  interp::Result r = NativeResult(p, layout, out.data(), unknowns, texts, options.as_of);
  if (DuplicateKeys(p, r)) {  // two elements of one key: the interpreter's error
    Interpret(p, facts, options);
    throw interp::EvalError(fmt::format("internal error: native code of `{}` decided elements of one key", p.name),
                            Span{});
  }
  return r;
}

interp::Result NativeResult(const ir::Program& p, const codegen::Layout& layout, const int64_t* out, bool unknowns,
                            const TextInterner& texts, int64_t as_of) {
  const TypeTable& types = p.types();
  interp::Result r;
  r.law = p.law ? out[layout.law_offset] : as_of;
  // The facts (ids) of a mask of `layout.mask_words` words (none unless the row followed them).
  auto missing = [&](const int64_t* words) {
    std::vector<int> ids;
    if (!unknowns) return ids;
    for (int w = 0; w < layout.mask_words; ++w) {
      for (uint64_t bits = static_cast<uint64_t>(words[w]); bits; bits &= bits - 1) {
        ids.push_back(w * 64 + __builtin_ctzll(bits));
      }
    }
    return ids;
  };
  // An output's value and the mask after it.
  auto value = [&](const int64_t* at, const Type* t) {
    std::vector<int> m = missing(at + codegen::Slots(t, types));
    return m.empty() ? Unflatten(at, t, types, texts) : Value::Unknown(m);
  };
  for (size_t o = 0; o < p.outputs.size(); ++o) {
    r.outputs.push_back(p.outputs[o].scope >= 0 ? Value::None() : value(out + layout.output_offset[o], p.outputs[o].type));
  }
  auto obligation = [&](int k, const int64_t* ob, std::vector<interp::ObligationResult>& into) {
    if (!ob[0]) return;
    interp::ObligationResult res;
    res.obligation = k;
    res.violated = ob[1] != 0;
    if (ob[2]) res.deadline = ob[3];
    res.status = static_cast<ir::DeadlineStatus>(ob[4]);
    if (unknowns) {
      res.applies_undetermined = ob[5] != 0;
      res.violation_undetermined = ob[6] != 0;
      res.missing = missing(ob + codegen::Layout::kObligationFixedSlots);
    }
    into.push_back(std::move(res));
  };
  for (size_t k = 0; k < p.obligations.size(); ++k) {
    if (p.obligations[k].scope < 0) obligation(static_cast<int>(k), out + layout.obligation_offset[k], r.obligations);
  }
  for (size_t s = 0; s < p.scopes.size(); ++s) {
    const ir::Scope& sc = p.scopes[s];
    const codegen::Layout::ItemLayout& il = layout.items[s];
    for (int64_t i = 0; i < out[layout.scope_offset[s] + 1]; ++i) {
      const int64_t* at = reinterpret_cast<const int64_t*>(out[layout.scope_offset[s]]) + i * il.stride;
      interp::ItemResult item;
      item.scope = static_cast<int>(s);
      item.index = static_cast<int>(i);
      item.key = Unflatten(at + il.key, sc.key_type, types, texts);
      item.law = at[il.law];
      for (size_t k = 0; k < sc.outputs.size(); ++k) item.outputs.push_back(value(at + il.outputs[k], p.outputs[sc.outputs[k]].type));
      for (size_t k = 0; k < sc.obligations.size(); ++k) obligation(sc.obligations[k], at + il.obligations[k], item.obligations);
      r.items.push_back(std::move(item));
    }
  }
  return r;
}

bool DuplicateKeys(const ir::Program& p, const interp::Result& r) {
  for (size_t s = 0; s < p.scopes.size(); ++s) {
    if (!p.scopes[s].key) continue;
    std::vector<Value> keys;
    for (const interp::ItemResult& item : r.items) if (item.scope == static_cast<int>(s)) keys.push_back(item.key);
    std::sort(keys.begin(), keys.end(), [](const Value& a, const Value& b) { return Compare(a, b) < 0; });
    if (std::adjacent_find(keys.begin(), keys.end()) != keys.end()) return true;
  }
  return false;
}

}  // namespace proviso
