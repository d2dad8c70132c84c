// Symbolic facts for an input schema: one Z3 constant per scalar (named by its path), the
// constraints facts from JSON must meet (ranges of values, the schema's constraints), and a model
// read back as facts JSON.
#include <fmt/format.h>

#include "compiler/interp/facts.h"
#include "compiler/support/calendar.h"
#include "compiler/verify/symbolic.h"

namespace proviso::verify::internal {
namespace {

constexpr int kMaxNesting = 16;

struct Builder {
  z3::context& c;
  const ir::Program& p;
  z3::expr valid;
  int list_bound;
  std::vector<std::string> lists;

  // A check of the schema on a value `x` of (non-optional) type `t`, as a constraint.
  z3::expr Check(const Sym& x, const Type* t, const ir::FieldCheck& fc) {
    auto as_sym = [&](const Value& v) {
      Sym s(c);
      s.kind = t->kind;
      s.v = t->kind == TypeKind::kText ? c.string_val(v.text) : c.int_val(v.i);
      s.months = c.int_val(v.months);
      return s;
    };
    if (t->kind == TypeKind::kText || t->kind == TypeKind::kBool) {
      if (!fc.range && fc.op == ast::BinOp::kNe) return x.v != as_sym(fc.lo).v;
      throw Unsupported(fmt::format("the constraint `{}`", fc.text), fc.span);
    }
    auto cmp = [&](ast::BinOp op, const Value& bound) -> z3::expr {
      Sym b = as_sym(bound);
      z3::expr xv = x.v, bv = b.v, ok = c.bool_val(true);
      if (t->kind == TypeKind::kDuration) {
        z3::expr days = x.months == 0 && b.months == 0;
        z3::expr months = x.v == 0 && b.v == 0;
        ok = days || months;
        xv = z3::ite(days, x.v, x.months);
        bv = z3::ite(days, b.v, b.months);
      }
      switch (op) {
        case ast::BinOp::kGe: return ok && xv >= bv;
        case ast::BinOp::kGt: return ok && xv > bv;
        case ast::BinOp::kLe: return ok && xv <= bv;
        case ast::BinOp::kLt: return ok && xv < bv;
        case ast::BinOp::kNe:
          return t->kind == TypeKind::kDuration ? !(x.v == b.v && x.months == b.months) : x.v != b.v;
        default: return ok && xv == bv;
      }
    };
    if (fc.range) return cmp(ast::BinOp::kGe, fc.lo) && cmp(ast::BinOp::kLe, fc.hi);
    return cmp(fc.op, fc.lo);
  }

  Sym Make(const Type* t, const std::string& path, const std::vector<ir::FieldCheck>* checks, int depth) {
    if (depth > kMaxNesting) throw Unsupported(fmt::format("facts nested deeper than {} at `{}`", kMaxNesting, path), Span{});
    Sym s(c);
    s.kind = t->kind;
    auto int_in = [&](int64_t lo, int64_t hi) {
      s.v = c.int_const(path.c_str());
      valid = valid && s.v >= c.int_val(lo) && s.v <= c.int_val(hi);
    };
    switch (t->kind) {
      case TypeKind::kBool: s.v = c.bool_const(path.c_str()); break;
      case TypeKind::kInt: int_in(INT64_MIN, INT64_MAX); break;
      case TypeKind::kDecimal: int_in(-kMaxDecimalWhole * kDecimalScale, kMaxDecimalWhole * kDecimalScale); break;
      case TypeKind::kDate: int_in(kFirstDay, kLastDay); break;
      case TypeKind::kDateTime: int_in(kFirstSecond, kLastSecond); break;
      case TypeKind::kEnum:
        int_in(0, static_cast<int64_t>(p.types().enum_info(t->index).variants.size()) - 1);
        break;
      case TypeKind::kDuration:
        int_in(-kMaxSeconds, kMaxSeconds);
        s.months = c.int_const((path + "#months").c_str());
        valid = valid && s.months >= c.int_val(-kMaxMonths) && s.months <= c.int_val(kMaxMonths);
        break;
      case TypeKind::kText:
        // Any text: a witness prefers printable ASCII (verify.cc), and one whose text does not
        // survive JSON unchanged does not replay, so is never reported as a counterexample.
        s.v = c.constant(path.c_str(), c.string_sort());
        break;
      case TypeKind::kOptional: {
        s.present = c.bool_const((path + "#present").c_str());
        s.parts.push_back(Make(t->elem, path, nullptr, depth + 1));
        if (checks) {
          for (const auto& fc : *checks) valid = valid && (!s.present || Check(s.parts[0], t->elem, fc));
        }
        return s;
      }
      case TypeKind::kRecord: {
        const RecordInfo& r = p.types().record_info(t->index);
        for (size_t i = 0; i < r.fields.size(); ++i) {
          const std::vector<ir::FieldCheck>* fc = nullptr;
          if (t->index < static_cast<int>(p.field_checks.size()) && i < p.field_checks[t->index].size() &&
              !p.field_checks[t->index][i].empty()) {
            fc = &p.field_checks[t->index][i];
          }
          s.parts.push_back(Make(r.fields[i].type, path.empty() ? r.fields[i].name : path + "." + r.fields[i].name, fc,
                                 depth + 1));
        }
        return s;
      }
      case TypeKind::kSet: {
        if (t->elem->kind != TypeKind::kEnum) {
          // Bounded like a list: its elements distinct, in increasing order where they have one.
          TypeKind k = t->elem->kind;
          bool ordered = k == TypeKind::kInt || k == TypeKind::kDecimal || k == TypeKind::kDate ||
                         k == TypeKind::kDateTime;
          if (!ordered && k != TypeKind::kText && k != TypeKind::kBool) {
            throw Unsupported(fmt::format("the set fact `{}` (sets of records or collections are not translated)", path),
                              Span{});
          }
          z3::expr length = c.int_const((path + "#length").c_str());
          valid = valid && length >= 0 && length <= list_bound;
          lists.push_back(path);
          for (int e = 0; e < list_bound; ++e) {
            s.elems.push_back(Make(t->elem, fmt::format("{}[{}]", path, e), nullptr, depth + 1));
            s.members.push_back(length > e);
            if (checks) {
              for (const auto& fc : *checks) valid = valid && (length <= e || Check(s.elems.back(), t->elem, fc));
            }
            for (int d = 0; d < e; ++d) {
              z3::expr apart = ordered ? s.elems[d].v < s.elems[e].v : s.elems[d].v != s.elems[e].v;
              valid = valid && (length <= e || apart);
            }
          }
          return s;
        }
        const EnumInfo& info = p.types().enum_info(t->elem->index);
        for (size_t k = 0; k < info.variants.size(); ++k) {
          Sym x(c);
          x.kind = TypeKind::kEnum;
          x.v = c.int_val(static_cast<int64_t>(k));
          s.elems.push_back(x);
          z3::expr in = c.bool_const(fmt::format("{}#{}", path, info.variants[k]).c_str());
          s.members.push_back(in);
          if (checks) {
            for (const auto& fc : *checks) valid = valid && (!in || Check(x, t->elem, fc));
          }
        }
        return s;
      }
      case TypeKind::kList: {
        // At most `list_bound` elements: element k is live when k < length.
        z3::expr length = c.int_const((path + "#length").c_str());
        valid = valid && length >= 0 && length <= list_bound;
        lists.push_back(path);
        for (int k = 0; k < list_bound; ++k) {
          s.elems.push_back(Make(t->elem, fmt::format("{}[{}]", path, k), nullptr, depth + 1));
          s.members.push_back(length > k);
          if (checks) {
            for (const auto& fc : *checks) valid = valid && (length <= k || Check(s.elems.back(), t->elem, fc));
          }
        }
        return s;
      }
      default: throw Unsupported(fmt::format("the fact `{}`", path), Span{});
    }
    if (checks) {
      for (const auto& fc : *checks) valid = valid && Check(s, t, fc);
    }
    return s;
  }
};

Value ValueOf(const z3::model& m, const Sym& s, const Type* t, const ir::Program& p) {
  auto num = [&](const z3::expr& e) {
    z3::expr v = m.eval(e, true);
    int64_t i = 0;
    if (!v.is_numeral_i64(i)) throw Unsupported("a model value out of range", Span{});
    return i;
  };
  switch (t->kind) {
    case TypeKind::kBool: return Value::Bool(m.eval(s.v, true).is_true());
    case TypeKind::kInt: return Value::Int(num(s.v));
    case TypeKind::kDecimal: return Value::Decimal(num(s.v));
    case TypeKind::kDate: return Value::Date(num(s.v));
    case TypeKind::kDateTime: return Value::DateTime(num(s.v));
    case TypeKind::kEnum: return Value::Enum(num(s.v));
    case TypeKind::kDuration: return Value::Dur(Duration{num(s.months), num(s.v)});
    case TypeKind::kText: return Value::Text(m.eval(s.v, true).get_string());
    case TypeKind::kOptional:
      if (!m.eval(s.present, true).is_true()) return Value::None();
      return ValueOf(m, s.parts[0], t->elem, p);
    case TypeKind::kRecord: {
      const RecordInfo& r = p.types().record_info(t->index);
      std::vector<Value> fields;
      for (size_t i = 0; i < r.fields.size(); ++i) fields.push_back(ValueOf(m, s.parts[i], r.fields[i].type, p));
      return Value::Record(std::move(fields));
    }
    case TypeKind::kSet: {
      std::vector<Value> items;
      for (size_t k = 0; k < s.elems.size(); ++k) {
        if (!m.eval(s.members[k], true).is_true()) continue;
        items.push_back(t->elem->kind == TypeKind::kEnum ? Value::Enum(static_cast<int64_t>(k))
                                                         : ValueOf(m, s.elems[k], t->elem, p));
      }
      return Value::Set(std::move(items));
    }
    case TypeKind::kList: {
      std::vector<Value> items;
      for (size_t k = 0; k < s.elems.size(); ++k) {
        if (m.eval(s.members[k], true).is_true()) items.push_back(ValueOf(m, s.elems[k], t->elem, p));
      }
      return Value::List(std::move(items));
    }
    default: throw Unsupported("a fact of this type", Span{});
  }
}

}  // namespace

SymFacts MakeFacts(z3::context& c, const ir::Program& p, int list_bound) {
  Builder b{c, p, c.bool_val(true), list_bound, {}};
  const Type* input = p.checked->types.Record(p.input_record);
  SymFacts f(c);
  f.input = b.Make(input, "", nullptr, 0);
  f.valid = b.valid;
  f.bounded_lists = b.lists;
  f.list_bound = list_bound;
  return f;
}

nlohmann::json FactsFromModel(const z3::model& m, const Sym& input, const ir::Program& p) {
  const Type* t = p.checked->types.Record(p.input_record);
  return interp::ValueToJson(ValueOf(m, input, t, p), t, p.types());
}

}  // namespace proviso::verify::internal
