#include "runtime/src/batch.h"

#include <type_traits>
#include <unordered_map>

#include <fmt/format.h>

#include "compiler/interp/facts.h"
#include "compiler/support/budget.h"
#include "compiler/support/calendar.h"
#include "compiler/support/large_stack.h"
#include "runtime/src/native.h"
#include "runtime/src/policy_impl.h"

namespace proviso {
namespace {

// An enum set column holds one bit per value in a uint64.
constexpr size_t kMaxEnumSetValues = 64;

// The column kind of a scalar type (or a set of a small enum), or nullopt.
std::optional<ColumnKind> KindOf(const Type* t, const TypeTable& types) {
  switch (t->kind) {
    case TypeKind::kSet:
      if (t->elem->kind == TypeKind::kEnum && types.enum_info(t->elem->index).variants.size() <= kMaxEnumSetValues) {
        return ColumnKind::kEnumSet;
      }
      return std::nullopt;
    case TypeKind::kBool: return ColumnKind::kBool;
    case TypeKind::kInt: return ColumnKind::kInt;
    case TypeKind::kDecimal: return ColumnKind::kDecimal;
    case TypeKind::kDate: return ColumnKind::kDate;
    case TypeKind::kDateTime: return ColumnKind::kDateTime;
    case TypeKind::kDuration: return ColumnKind::kDuration;
    case TypeKind::kEnum: return ColumnKind::kEnum;
    case TypeKind::kText: return ColumnKind::kText;
    default: return std::nullopt;
  }
}

ColumnSpec Spec(const std::string& name, const Type* t, bool optional, const TypeTable& types) {
  ColumnSpec s;
  s.name = name;
  s.kind = *KindOf(t, types);
  s.optional = optional;
  if (t->kind == TypeKind::kEnum) s.categories = types.enum_info(t->index).variants;
  if (t->kind == TypeKind::kSet) s.categories = types.enum_info(t->elem->index).variants;
  // Narrow where numpy/pandas are narrow: bools are bytes, categorical codes int8.
  s.width = s.kind == ColumnKind::kBool ? 1 : s.kind == ColumnKind::kEnum ? (s.categories.size() <= 127 ? 1 : 4) : 8;
  return s;
}

void Leaves(const ir::Program& p, int record, std::vector<int>& path, const std::string& prefix,
            std::vector<InputLeaf>& out) {
  const TypeTable& types = p.types();
  const RecordInfo& r = types.record_info(record);
  for (size_t i = 0; i < r.fields.size(); ++i) {
    std::string name = prefix.empty() ? r.fields[i].name : prefix + "." + r.fields[i].name;
    const Type* t = r.fields[i].type;
    bool optional = t->kind == TypeKind::kOptional;
    if (optional) t = t->elem;
    path.push_back(static_cast<int>(i));
    if (t->kind == TypeKind::kRecord && !optional) {
      Leaves(p, t->index, path, name, out);
    } else if (KindOf(t, types)) {
      const auto& defaults = p.field_defaults.at(record);
      std::optional<Value> dflt = i < defaults.size() ? defaults[i] : std::nullopt;
      if (dflt && dflt->is_none()) dflt.reset();  // `x: T? = none` is just optional
      InputLeaf leaf{path, t, Spec(name, t, optional || dflt.has_value(), types), dflt, {}};
      leaf.spec.has_default = dflt.has_value();
      if (record < static_cast<int>(p.field_checks.size()) && i < p.field_checks[record].size()) {
        leaf.checks = p.field_checks[record][i];
      }
      out.push_back(std::move(leaf));
    } else {
      throw Error(fmt::format("`{}` is `{}`: batch evaluation takes scalar fields and sets of enums of at most "
                              "{} values only (evaluate such facts row by row with Evaluate)",
                              name, types.Name(r.fields[i].type), kMaxEnumSetValues));
    }
    path.pop_back();
  }
}

int64_t Encode(const Value& v, std::unordered_map<std::string, int64_t>& dict, std::vector<std::string>& texts) {
  if (v.kind == Value::Kind::kText) {
    auto [it, fresh] = dict.emplace(v.text, static_cast<int64_t>(texts.size()));
    if (fresh) texts.push_back(v.text);
    return it->second;
  }
  return v.i;  // bool, int, decimal units, date days, datetime seconds, enum variant, duration seconds
}

}  // namespace

int64_t ReadCell(const void* column, const ColumnSpec& spec, int64_t row) {
  switch (spec.width) {
    case 1:
      return spec.kind == ColumnKind::kBool ? static_cast<const uint8_t*>(column)[row]
                                             : static_cast<const int8_t*>(column)[row];
    case 4: return static_cast<const int32_t*>(column)[row];
    default: return static_cast<const int64_t*>(column)[row];
  }
}

void WriteCell(void* column, const ColumnSpec& spec, int64_t row, int64_t value) {
  switch (spec.width) {
    case 1: static_cast<int8_t*>(column)[row] = static_cast<int8_t>(value); break;
    case 4: static_cast<int32_t*>(column)[row] = static_cast<int32_t>(value); break;
    default: static_cast<int64_t*>(column)[row] = value; break;
  }
}

std::vector<InputLeaf> InputLeaves(const ir::Program& p) {
  std::vector<InputLeaf> out;
  std::vector<int> path;
  Leaves(p, p.input_record, path, "", out);
  for (InputLeaf& leaf : out) {  // the leaf's fact: down the schema's tree of facts
    int node = p.fact_nodes.empty() ? -1 : 0;
    for (int f : leaf.fields) {
      if (node < 0) break;
      leaf.fact = p.fact_nodes[node].fact[f];
      node = p.fact_nodes[node].child[f];
    }
  }
  return out;
}

std::vector<ColumnSpec> OutputSpecs(const ir::Program& p) {
  const TypeTable& types = p.types();
  std::vector<ColumnSpec> out;
  // What a `for each` decides is per element, not per row: not a column.
  for (const ir::Output& o : p.outputs) {
    if (o.scope >= 0) continue;
    const Type* t = o.type;
    bool optional = t->kind == TypeKind::kOptional;
    if (optional) t = t->elem;
    if (!KindOf(t, types) || t->kind == TypeKind::kDuration || t->kind == TypeKind::kSet) {
      throw Error(fmt::format("output `{}` is `{}`: batch evaluation produces scalar outputs only", o.name,
                              types.Name(o.type)));
    }
    out.push_back(Spec(o.name, t, optional, types));
  }
  for (const ir::Obligation& o : p.obligations) {
    if (o.scope >= 0) continue;
    out.push_back(Spec(o.name + ".applies", types.Bool(), false, types));
    out.push_back(Spec(o.name + ".violated", types.Bool(), false, types));
    out.push_back(Spec(o.name + ".deadline", o.instant ? types.DateTime() : types.Date(), true, types));
    if (o.deadline_kind != ir::DeadlineKind::kNone) {
      ColumnSpec status;
      status.name = o.name + ".status";
      status.kind = ColumnKind::kEnum;
      status.categories = DeadlineStatusCategories();
      status.width = 1;
      out.push_back(std::move(status));
    }
  }
  return out;
}

const std::vector<std::string>& DeadlineStatusCategories() {
  static const std::vector<std::string> kNames = [] {
    std::vector<std::string> names;
    for (int s = 0; s <= static_cast<int>(ir::DeadlineStatus::kUndetermined); ++s) {
      const char* name = ir::DeadlineStatusName(static_cast<ir::DeadlineStatus>(s));
      names.push_back(*name ? name : "none");
    }
    return names;
  }();
  return kNames;
}

std::vector<ColumnSpec> Policy::BatchInputs() const {
  std::vector<ColumnSpec> out;
  for (InputLeaf& l : InputLeaves(*impl_->program)) out.push_back(std::move(l.spec));
  return out;
}

std::vector<ColumnSpec> Policy::BatchOutputs() const { return OutputSpecs(*impl_->program); }

const std::vector<std::string>& Policy::Facts() const { return impl_->program->facts; }

int Policy::MissingWords() const { return MaskWords(*impl_->program); }

std::vector<std::string> Policy::OptionalFacts() const {
  const ir::Program& p = *impl_->program;
  std::vector<std::string> out;
  for (const ir::Program::FactNode& node : p.fact_nodes) {
    const RecordInfo& info = p.checked->types.record_info(node.record);
    for (size_t f = 0; f < info.fields.size() && f < node.fact.size(); ++f) {
      int k = node.fact[f];
      const std::string& name = info.fields[f].name;
      // (beyond the limit of facts, a field reports its record's fact: not its own)
      bool own = k >= 0 && p.facts[k].size() >= name.size() &&
                 p.facts[k].compare(p.facts[k].size() - name.size(), name.size(), name) == 0;
      if (info.fields[f].type->kind == TypeKind::kOptional && own) {
        out.push_back(p.facts[k]);
      }
    }
  }
  return out;
}

int MaskWords(const ir::Program& p) { return std::max<int>(1, static_cast<int>((p.facts.size() + 63) / 64)); }

namespace {

// A date column's cell that is no day of the calendar.
std::string OutsideCalendar(int64_t day) {
  return fmt::format("day number {} is outside the calendar ({} to {})", day, FormatDate(kFirstDay), FormatDate(kLastDay));
}

// A datetime column's cell that is no instant of the calendar.
std::string OutsideCalendarSeconds(int64_t t) {
  return fmt::format("{} seconds since 1970 is outside the calendar ({} to {})", t, FormatDateTime(kFirstSecond),
                     FormatDateTime(kLastSecond));
}

std::string EnumSetBits(uint64_t mask, const std::string& enum_name) {
  return fmt::format("mask {:#x} has bits that are not values of `{}`", mask, enum_name);
}

// Why the value of a cell breaks its field's constraints (on each element of a set), or nullopt.
std::optional<std::string> CheckCell(const ir::Program& p, const InputLeaf& leaf, const Value& v) {
  const Type* et = leaf.type->kind == TypeKind::kSet ? leaf.type->elem : leaf.type;
  for (const ir::FieldCheck& c : leaf.checks) {
    if (leaf.type->kind == TypeKind::kSet) {
      for (const Value& x : v.elems()) if (auto why = ir::CheckViolation(x, c, et, p.types())) return why;
    } else if (auto why = ir::CheckViolation(v, c, et, p.types())) {
      return why;
    }
  }
  return std::nullopt;
}

// The value of a cell already known to be a valid code (Validate), for a constraint's message.
Value CellValue(const InputLeaf& leaf, int64_t v, const std::vector<std::string>* dictionary) {
  switch (leaf.type->kind) {
    case TypeKind::kBool: return Value::Bool(v != 0);
    case TypeKind::kDecimal: return Value::Decimal(v);
    case TypeKind::kDate: return Value::Date(v);
    case TypeKind::kDateTime: return Value::DateTime(v);
    case TypeKind::kDuration: return Value::Dur({0, v});
    case TypeKind::kEnum: return Value::Enum(v);
    case TypeKind::kText: return Value::Text(dictionary ? dictionary->at(static_cast<size_t>(v)) : std::string());
    case TypeKind::kSet: {
      std::vector<Value> items;
      for (size_t k = 0; k < 64; ++k) if ((static_cast<uint64_t>(v) >> k) & 1) items.push_back(Value::Enum(static_cast<int64_t>(k)));
      return Value::Set(std::move(items));
    }
    default: return Value::Int(v);
  }
}

// The reference path: rows [begin, end) become facts values and go through the interpreter.
void InterpretBatch(const Policy::Impl& impl, const std::vector<InputLeaf>& leaves, const std::vector<ColumnSpec>& outs,
                    const BatchInput& in, BatchOutput& out, const interp::EvalOptions& opts, int64_t begin,
                    int64_t end) {
  const ir::Program& p = *impl.program;
  std::unordered_map<std::string, int64_t> dict;
  out.dictionary.clear();
  for (int64_t row = begin; row < end; ++row) {
    // Build the facts record of this row.
    std::function<Value(int, std::vector<int>&)> build = [&](int record, std::vector<int>& path) -> Value {
      const RecordInfo& r = p.types().record_info(record);
      std::vector<Value> fields;
      for (size_t i = 0; i < r.fields.size(); ++i) {
        path.push_back(static_cast<int>(i));
        const Type* t = r.fields[i].type;
        if (t->kind == TypeKind::kRecord) {
          fields.push_back(build(t->index, path));
        } else {
          size_t c = 0;
          while (c < leaves.size() && leaves[c].fields != path) ++c;
          const InputLeaf& leaf = leaves[c];
          bool present = !(c < in.present.size() && in.present[c]) || in.present[c][row];
          bool known = !(c < in.known.size() && in.known[c]) || in.known[c][row];
          if (!known) {  // a fact not given
            fields.push_back(Value::Unknown({leaf.fact}));
          } else if (!present && leaf.dflt) {
            fields.push_back(*leaf.dflt);
          } else if (!present && leaf.spec.optional) {
            fields.push_back(Value::None());
          } else {
            int64_t v = ReadCell(in.columns[c], leaf.spec, row);
            auto bad = [&](const std::string& why) {
              return FactsError(fmt::format("`{}[{}]`: {}", leaf.spec.name, row, why), fmt::format("{}[{}]", leaf.spec.name, row));
            };
            switch (leaf.type->kind) {
              case TypeKind::kBool:
                if (v != 0 && v != 1) throw bad(fmt::format("{} is not a boolean (0 or 1)", v));
                fields.push_back(Value::Bool(v));
                break;
              case TypeKind::kInt: fields.push_back(Value::Int(v)); break;
              case TypeKind::kDecimal: fields.push_back(Value::Decimal(v)); break;
              case TypeKind::kDate:
                if (v < kFirstDay || v > kLastDay) throw bad(OutsideCalendar(v));
                fields.push_back(Value::Date(v));
                break;
              case TypeKind::kDateTime:
                if (v < kFirstSecond || v > kLastSecond) throw bad(OutsideCalendarSeconds(v));
                fields.push_back(Value::DateTime(v));
                break;
              case TypeKind::kDuration:
                if (v < -kMaxSeconds || v > kMaxSeconds) throw bad(fmt::format("{} seconds is out of range", v));
                fields.push_back(Value::Dur({0, v}));
                break;
              case TypeKind::kEnum:
                if (v < 0 || v >= static_cast<int64_t>(leaf.spec.categories.size())) {
                  throw bad(fmt::format("code {} is not a value of `{}`", v, p.types().Name(leaf.type)));
                }
                fields.push_back(Value::Enum(v));
                break;
              case TypeKind::kText: {
                const std::vector<std::string>* d = c < in.dictionaries.size() ? in.dictionaries[c] : nullptr;
                if (!d) throw Error(fmt::format("text column `{}` has no dictionary", leaf.spec.name));
                if (v < 0 || v >= static_cast<int64_t>(d->size())) throw bad(fmt::format("code {} is outside its dictionary", v));
                fields.push_back(Value::Text((*d)[v]));
                break;
              }
              case TypeKind::kSet: {
                uint64_t mask = static_cast<uint64_t>(v);
                size_t n = leaf.spec.categories.size();
                if (n < kMaxEnumSetValues && (mask >> n) != 0) throw bad(EnumSetBits(mask, p.types().Name(leaf.type->elem)));
                std::vector<Value> items;
                for (size_t k = 0; k < n; ++k) if ((mask >> k) & 1) items.push_back(Value::Enum(static_cast<int64_t>(k)));
                fields.push_back(Value::Set(std::move(items)));
                break;
              }
              default: break;
            }
            if (!leaf.checks.empty()) {
              if (auto why = CheckCell(p, leaf, fields.back())) throw bad(*why);
            }
          }
        }
        path.pop_back();
      }
      return Value::Record(std::move(fields));
    };
    std::vector<int> path;
    Value facts = build(p.input_record, path);
    interp::Result r;
    try {
      r = Interpret(p, facts, opts);
    } catch (const interp::EvalError& e) {
      throw ToPublicError(e, impl.front->sources, fmt::format("row {}: ", row));
    }
    // The missing facts of column `col` in this row (when the caller asks for them).
    int words = MaskWords(p);
    auto missing = [&](size_t col, const std::vector<int>& ids) {
      if (col >= out.missing.size() || !out.missing[col]) return;
      uint64_t* at = out.missing[col] + row * words;
      std::fill(at, at + words, 0);
      for (int id : ids) at[id / 64] |= uint64_t{1} << (id % 64);
    };
    size_t c = 0;
    for (size_t o = 0; o < p.outputs.size(); ++o, ++c) {
      if (p.outputs[o].scope >= 0) {
        --c;
        continue;
      }
      const Value& v = r.outputs[o];
      bool none = v.is_none() || v.is_unknown();  // an undetermined value: 0 (the missing facts say so)
      if (outs[c].optional && out.present.size() > c && out.present[c]) out.present[c][row] = !none;
      WriteCell(out.columns[c], outs[c], row, none ? 0 : Encode(v, dict, out.dictionary));
      missing(c, MissingOf(v));
    }
    for (size_t k = 0; k < p.obligations.size(); ++k) {
      if (p.obligations[k].scope >= 0) continue;
      const interp::ObligationResult* found = nullptr;
      for (const auto& res : r.obligations) if (res.obligation == static_cast<int>(k)) found = &res;
      const std::vector<int> none;
      auto when = [&](bool undetermined) -> const std::vector<int>& { return found && undetermined ? found->missing : none; };
      bool status_open = found && found->status == ir::DeadlineStatus::kUndetermined;
      WriteCell(out.columns[c], outs[c], row, found && !found->applies_undetermined);
      missing(c, when(found && found->applies_undetermined));
      WriteCell(out.columns[c + 1], outs[c + 1], row, found && found->violated);
      missing(c + 1, when(found && found->violation_undetermined));
      bool has_deadline = found && found->deadline;
      WriteCell(out.columns[c + 2], outs[c + 2], row, has_deadline ? *found->deadline : 0);
      if (out.present.size() > c + 2 && out.present[c + 2]) out.present[c + 2][row] = has_deadline;
      missing(c + 2, when(!has_deadline));  // a deadline computed is known, whatever the status
      c += 3;
      if (p.obligations[k].deadline_kind != ir::DeadlineKind::kNone) {
        WriteCell(out.columns[c], outs[c], row, found ? static_cast<int64_t>(found->status) : 0);
        missing(c, when(status_open));
        ++c;
      }
    }
  }
}


// The first row whose code is outside [lo, hi] (rows without a value excepted), or -1. The common
// case, no bad code, is one branch-free pass the compiler vectorizes.
template <typename T>
int64_t FirstOutOfRange(const T* col, const uint8_t* present, int64_t rows, int64_t lo, int64_t hi) {
  // Compared in the column's own unsigned type, from lo: a code below it is a large one. lo and hi
  // fit the type.
  if (hi < lo) {  // an empty dictionary: every present code is bad
    for (int64_t r = 0; r < rows; ++r) if (!present || present[r]) return r;
    return -1;
  }
  using U = std::make_unsigned_t<T>;
  const U l = static_cast<U>(lo), h = static_cast<U>(static_cast<U>(hi) - l);
  auto out = [&](int64_t r) { return static_cast<U>(static_cast<U>(col[r]) - l) > h; };
  U any = 0;
  if (present) {
    for (int64_t r = 0; r < rows; ++r) any |= static_cast<U>(out(r)) & static_cast<U>(present[r] != 0);
  } else {
    for (int64_t r = 0; r < rows; ++r) any |= static_cast<U>(out(r));
  }
  if (!any) return -1;
  for (int64_t r = 0; r < rows; ++r) {
    if (out(r) && (!present || present[r])) return r;
  }
  return -1;
}

// The first row (with a value) that breaks the constraints of `leaf`'s field, or -1. Constraints
// that are intervals on an ordered column are one vectorized pass over the codes (which keep the
// values' order); others (`!=`, texts, enum sets) are checked value by value.
int64_t FirstBrokenConstraint(const InputLeaf& leaf, const void* col, const uint8_t* present, int64_t rows,
                              const std::vector<std::string>* dictionary, const ir::Program& p) {
  bool ordered = leaf.type->kind == TypeKind::kInt || leaf.type->kind == TypeKind::kDecimal ||
                 leaf.type->kind == TypeKind::kDate || leaf.type->kind == TypeKind::kDateTime ||
                 leaf.type->kind == TypeKind::kDuration;
  int64_t lo = INT64_MIN, hi = INT64_MAX;
  bool slow = !ordered;
  for (const ir::FieldCheck& c : leaf.checks) {
    if (!ordered || (!c.range && c.op == ast::BinOp::kNe)) {
      slow = true;
      continue;
    }
    int64_t a = c.lo.i;  // durations in batch columns are seconds; their bounds have no months (E0227)
    if (c.range) {
      lo = std::max(lo, a);
      hi = std::min(hi, c.hi.i);
    } else if (c.op == ast::BinOp::kGe) {
      lo = std::max(lo, a);
    } else if (c.op == ast::BinOp::kGt) {
      lo = std::max(lo, a == INT64_MAX ? a : a + 1);
      if (a == INT64_MAX) hi = INT64_MIN;  // nothing is above the largest number
    } else if (c.op == ast::BinOp::kLe) {
      hi = std::min(hi, a);
    } else {
      hi = std::min(hi, a == INT64_MIN ? a : a - 1);
      if (a == INT64_MIN) lo = INT64_MAX;
    }
  }
  int64_t first = -1;
  if (ordered && (lo != INT64_MIN || hi != INT64_MAX)) {
    first = hi < lo ? FirstOutOfRange(static_cast<const int64_t*>(col), present, rows, 1, 0)
                    : FirstOutOfRange(static_cast<const int64_t*>(col), present, rows, lo, hi);
  }
  if (!slow) return first;
  int64_t end = first < 0 ? rows : first;
  for (int64_t r = 0; r < end; ++r) {
    if (present && !present[r]) continue;
    if (CheckCell(p, leaf, CellValue(leaf, ReadCell(col, leaf.spec, r), dictionary))) return r;
  }
  return first;
}

// Every code must be one the policy can read: a bool 0/1, an enum value, a text in its dictionary,
// a day of the calendar.
void Validate(const ir::Program& p, const std::vector<InputLeaf>& leaves, const BatchInput& in) {
  // The cells that hold a value: present (optional columns) and known. Cells not known are facts
  // not given: nothing in them is read.
  std::vector<std::vector<uint8_t>> combined(leaves.size());
  auto has_value = [&](size_t c) -> const uint8_t* {
    const uint8_t* present = leaves[c].spec.optional && c < in.present.size() ? in.present[c] : nullptr;
    const uint8_t* known = c < in.known.size() ? in.known[c] : nullptr;
    if (!known) return present;
    if (combined[c].empty()) {
      combined[c].resize(static_cast<size_t>(in.rows));
      for (int64_t r = 0; r < in.rows; ++r) combined[c][r] = known[r] && (!present || present[r]);
    }
    return combined[c].data();
  };
  for (size_t c = 0; c < leaves.size(); ++c) {
    const InputLeaf& leaf = leaves[c];
    const void* col = in.columns[c];
    const uint8_t* present = has_value(c);
    int64_t lo = 0, hi;
    switch (leaf.type->kind) {
      case TypeKind::kBool: hi = 1; break;
      case TypeKind::kDate:
        lo = kFirstDay;
        hi = kLastDay;
        break;
      case TypeKind::kDateTime:
        lo = kFirstSecond;
        hi = kLastSecond;
        break;
      case TypeKind::kDuration:
        lo = -kMaxSeconds;
        hi = kMaxSeconds;
        break;
      case TypeKind::kEnum: hi = static_cast<int64_t>(leaf.spec.categories.size()) - 1; break;
      case TypeKind::kSet:  // bits above the enum's values
        if (leaf.spec.categories.size() >= kMaxEnumSetValues) continue;
        hi = static_cast<int64_t>((uint64_t{1} << leaf.spec.categories.size()) - 1);
        break;
      case TypeKind::kText: {
        const std::vector<std::string>* d = c < in.dictionaries.size() ? in.dictionaries[c] : nullptr;
        if (!d) throw Error(fmt::format("text column `{}` has no dictionary", leaf.spec.name));
        hi = static_cast<int64_t>(d->size()) - 1;
        break;
      }
      default: continue;
    }
    const uint8_t* mask = present;
    int64_t bad = leaf.spec.width == 1   ? leaf.spec.kind == ColumnKind::kBool
                                               ? FirstOutOfRange(static_cast<const uint8_t*>(col), mask, in.rows, lo, hi)
                                               : FirstOutOfRange(static_cast<const int8_t*>(col), mask, in.rows, lo, hi)
                  : leaf.spec.width == 4 ? FirstOutOfRange(static_cast<const int32_t*>(col), mask, in.rows, lo, hi)
                                         : FirstOutOfRange(static_cast<const int64_t*>(col), mask, in.rows, lo, hi);
    if (bad < 0) continue;
    // The same words as the interpreter's path.
    int64_t v = ReadCell(col, leaf.spec, bad);
    std::string why = leaf.type->kind == TypeKind::kBool ? fmt::format("{} is not a boolean (0 or 1)", v)
                      : leaf.type->kind == TypeKind::kEnum
                          ? fmt::format("code {} is not a value of `{}`", v, p.types().Name(leaf.type))
                      : leaf.type->kind == TypeKind::kSet ? EnumSetBits(static_cast<uint64_t>(v), p.types().Name(leaf.type->elem))
                      : leaf.type->kind == TypeKind::kDate ? OutsideCalendar(v)
                      : leaf.type->kind == TypeKind::kDateTime ? OutsideCalendarSeconds(v)
                      : leaf.type->kind == TypeKind::kDuration ? fmt::format("{} seconds is out of range", v)
                                                               : fmt::format("code {} is outside its dictionary", v);
    throw FactsError(fmt::format("`{}[{}]`: {}", leaf.spec.name, bad, why), fmt::format("{}[{}]", leaf.spec.name, bad));
  }
  // Then the schema's constraints (`in 0..1439`, `>= 0`), on codes now known to be valid.
  for (size_t c = 0; c < leaves.size(); ++c) {
    const InputLeaf& leaf = leaves[c];
    if (leaf.checks.empty()) continue;
    const uint8_t* present = has_value(c);
    const std::vector<std::string>* dictionary = c < in.dictionaries.size() ? in.dictionaries[c] : nullptr;
    int64_t bad = FirstBrokenConstraint(leaf, in.columns[c], present, in.rows, dictionary, p);
    if (bad < 0) continue;
    std::string why = *CheckCell(p, leaf, CellValue(leaf, ReadCell(in.columns[c], leaf.spec, bad), dictionary));
    throw FactsError(fmt::format("`{}[{}]`: {}", leaf.spec.name, bad, why), fmt::format("{}[{}]", leaf.spec.name, bad));
  }
}

// Output buffers must overlap nothing else of the batch (the JIT's loop reads and writes several
// rows at once on that promise): a caller's mistake is an Error, not a wrong result.
void CheckNoOverlap(const std::vector<InputLeaf>& leaves, const std::vector<ColumnSpec>& outs, const BatchInput& in,
                    const BatchOutput& out) {
  struct Range {
    uintptr_t begin, end;
    std::string what;
  };
  std::vector<Range> reads, writes;
  auto range = [&](const void* p, int64_t bytes, std::string what) {
    uintptr_t b = reinterpret_cast<uintptr_t>(p);
    return Range{b, b + static_cast<uintptr_t>(std::max<int64_t>(bytes, 0)), std::move(what)};
  };
  for (size_t c = 0; c < leaves.size(); ++c) {
    if (in.columns[c]) reads.push_back(range(in.columns[c], in.rows * leaves[c].spec.width, "input column `" + leaves[c].spec.name + "`"));
    if (c < in.present.size() && in.present[c]) reads.push_back(range(in.present[c], in.rows, "the mask of `" + leaves[c].spec.name + "`"));
  }
  for (size_t c = 0; c < outs.size(); ++c) {
    if (out.columns[c]) writes.push_back(range(out.columns[c], in.rows * outs[c].width, "output column `" + outs[c].name + "`"));
    if (outs[c].optional && c < out.present.size() && out.present[c]) {
      writes.push_back(range(out.present[c], in.rows, "the mask of output `" + outs[c].name + "`"));
    }
  }
  auto overlap = [](const Range& a, const Range& b) { return a.begin < b.end && b.begin < a.end; };
  for (size_t i = 0; i < writes.size(); ++i) {
    for (const Range& r : reads) {
      if (overlap(writes[i], r)) throw Error(fmt::format("batch: {} overlaps {}", writes[i].what, r.what));
    }
    for (size_t j = i + 1; j < writes.size(); ++j) {
      if (overlap(writes[i], writes[j])) throw Error(fmt::format("batch: {} overlaps {}", writes[i].what, writes[j].what));
    }
  }
}

}  // namespace

void Policy::EvaluateBatch(const BatchInput& in, BatchOutput& out, const EvalOptions& options) const {
  const ir::Program& p = *impl_->program;
  std::vector<InputLeaf> leaves = InputLeaves(p);
  std::vector<ColumnSpec> outs = OutputSpecs(p);
  if (in.columns.size() != leaves.size()) {
    throw Error(fmt::format("batch has {} input columns, policy `{}` takes {}", in.columns.size(), p.name, leaves.size()));
  }
  if (out.columns.size() != outs.size()) {
    throw Error(fmt::format("batch has {} output columns, policy `{}` produces {}", out.columns.size(), p.name, outs.size()));
  }
  CheckNoOverlap(leaves, outs, in, out);
  interp::EvalOptions opts = ToInterpOptions(*impl_, options);
  // Cells not known: what depends on them is undetermined, which only the missing facts can say.
  bool unknowns = false;
  for (size_t c = 0; c < in.known.size() && c < leaves.size() && !unknowns; ++c) {
    if (!in.known[c]) continue;
    for (int64_t r = 0; r < in.rows && !unknowns; ++r) unknowns = in.known[c][r] == 0;
  }
  int words = MaskWords(p);
  if (unknowns) {
    for (size_t c = 0; c < outs.size(); ++c) {
      if (c >= out.missing.size() || !out.missing[c]) {
        throw Error(fmt::format("batch has cells not known but no BatchOutput::missing for column `{}`: without it, "
                                "undetermined results would pass for decisions",
                                outs[c].name));
      }
    }
  } else {  // everything is determined
    for (size_t c = 0; c < out.missing.size() && c < outs.size(); ++c) {
      if (out.missing[c]) std::fill(out.missing[c], out.missing[c] + in.rows * words, 0);
    }
  }
  // Every cell is read before any row is decided, on either back end: a bad code anywhere is a
  // FactsError, whatever a row before it would have given (found by fuzz/fuzz_batch).
  Validate(p, leaves, in);
  const jit::CompiledPolicy* native = impl_->native.get();
  if (!native || !native->has_batch()) {
    InterpretBatch(*impl_, leaves, outs, in, out, opts, 0, in.rows);
    return;
  }
  // The batch entry is compiled on first use (recursive code generation: on a large stack for a
  // deeply nested policy).
  auto compile = [&](auto get) { return p.max_depth <= kShallow ? get() : OnLargeStack(get); };
  jit::BatchFn batch = nullptr;
  jit::UnknownBatchFn unknown_batch = nullptr;
  if (unknowns) {
    unknown_batch = compile([&] { return native->unknown_batch(); });
    if (!unknown_batch) {  // a schema too large for the native masks: the interpreter
      InterpretBatch(*impl_, leaves, outs, in, out, opts, 0, in.rows);
      return;
    }
  } else {
    batch = compile([&] { return native->batch(); });
    if (!batch) throw Error(fmt::format("internal error: compiling the batch entry failed: {}", native->batch_error()));
  }
  // Native code: texts become ids (the policy's constants keep theirs), params are laid out flat.
  const codegen::Layout& layout = native->layout();
  TextInterner texts(layout);
  std::vector<std::vector<int64_t>> arena;
  std::vector<int64_t> params = FlattenParams(p, layout, opts, texts, arena);
  std::vector<std::vector<int64_t>> maps(leaves.size());
  std::vector<const int64_t*> map_ptrs(leaves.size(), nullptr);
  std::vector<const uint8_t*> present(leaves.size(), nullptr);
  for (size_t c = 0; c < leaves.size(); ++c) {
    if (leaves[c].type->kind == TypeKind::kText) {
      for (const std::string& t : *in.dictionaries[c]) maps[c].push_back(texts.Id(t));
      if (maps[c].empty()) maps[c].push_back(0);  // an all-absent column still reads entry 0
      map_ptrs[c] = maps[c].data();
    }
    if (leaves[c].spec.optional && c < in.present.size()) present[c] = in.present[c];
  }
  std::vector<uint8_t*> out_present(outs.size(), nullptr);
  for (size_t c = 0; c < outs.size() && c < out.present.size(); ++c) out_present[c] = out.present[c];
  std::vector<int64_t> ctx(std::max(layout.ctx_slots, 1));
  int64_t first_error = -1;
  int32_t status = 0;
  jit::SetBudget(opts.budget);  // for each row
  if (unknown_batch) {
    std::vector<const uint8_t*> known(leaves.size(), nullptr);
    for (size_t c = 0; c < leaves.size() && c < in.known.size(); ++c) known[c] = in.known[c];
    std::vector<uint64_t*> missing(out.missing.begin(), out.missing.begin() + static_cast<long>(outs.size()));
    status = unknown_batch(ctx.data(), in.columns.data(), present.data(), map_ptrs.data(), params.data(), opts.now(),
                           out.columns.data(), out_present.data(), in.rows, &first_error, known.data(), missing.data());
  } else {
    status = batch(ctx.data(), in.columns.data(), present.data(), map_ptrs.data(), params.data(), opts.now(),
                   out.columns.data(), out_present.data(), in.rows, &first_error);
  }
  if (status != 0) {
    if (jit::OverBudget()) {
      throw EvaluationError(fmt::format("row {}: {}", first_error, OverBudgetMessage(EffectiveBudget(opts.budget))), {});
    }
    // The interpreter gives the message for the first row without a decision.
    InterpretBatch(*impl_, leaves, outs, in, out, opts, first_error, first_error + 1);
    throw EvaluationError(fmt::format("row {}: internal error: native code failed where the interpreter decided",
                                      first_error), {});
  }
  // Text outputs come out as ids: turn them into codes of the output dictionary.
  out.dictionary.clear();
  std::unordered_map<int64_t, int64_t> codes;
  for (size_t c = 0; c < outs.size(); ++c) {
    if (outs[c].kind != ColumnKind::kText) continue;
    for (int64_t r = 0; r < in.rows; ++r) {
      if (outs[c].optional && out_present[c] && !out_present[c][r]) continue;
      int64_t* col = static_cast<int64_t*>(out.columns[c]);  // text columns are int64
      if (unknowns && std::any_of(out.missing[c] + r * words, out.missing[c] + (r + 1) * words,
                                  [](uint64_t w) { return w != 0; })) {
        col[r] = 0;  // undetermined: no text (the missing facts say so)
        continue;
      }
      auto [it, fresh] = codes.emplace(col[r], static_cast<int64_t>(out.dictionary.size()));
      if (fresh) out.dictionary.push_back(texts.Text(col[r]));
      col[r] = it->second;
    }
  }
}

}  // namespace proviso
