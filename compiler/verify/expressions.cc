// Expressions in the translation to Z3: values, operators, arithmetic (with the interpreter's
// overflow and calendar checks as failures), comparisons, sets, quantifiers and builtins.
#include <fmt/format.h>

#include "compiler/support/calendar.h"
#include "compiler/verify/symbolic.h"

namespace proviso::verify::internal {
namespace {

using ast::BinOp;
using ir::Expr;
using ir::Op;

bool IsZero(const z3::expr& e) {
  int64_t v = 0;
  return e.simplify().is_numeral_i64(v) && v == 0;
}

}  // namespace

std::string Translator::Src(const Expr& e) const { return e.source ? ast::ToSource(*e.source) : "?"; }

void Translator::Fail(const z3::expr& cond, const std::string& what, Span span) {
  // No simplify() here: on the large terms of inlined functions it costs more than the query.
  if (cond.is_false() || guard_.is_false()) return;
  fails_.push_back(FailSite{what, span, guard_ && cond});
}

z3::expr Translator::Checked(const Expr& e, const z3::expr& r) {
  Fail(r < c_.int_val(INT64_MIN) || r > c_.int_val(INT64_MAX), "number overflow", e.span());
  return r;
}

z3::expr Translator::TruncDiv(const z3::expr& a, const z3::expr& b) {
  return z3::ite(a >= 0, a / b, -((-a) / b));
}

z3::expr Translator::InForce(const ir::Effective& eff) {
  z3::expr r = c_.bool_val(true);
  if (eff.from != INT64_MIN) r = r && law_ >= c_.int_val(eff.from);
  if (eff.until != INT64_MAX) r = r && law_ < c_.int_val(eff.until);
  return r;
}

Sym Translator::Default(const Type* t) {
  Sym s(c_);
  s.kind = t->kind;
  switch (t->kind) {
    case TypeKind::kBool: s.v = c_.bool_val(false); break;
    case TypeKind::kText: s.v = c_.string_val(""); break;
    case TypeKind::kDuration:
      s.v = c_.int_val(0);
      s.months = c_.int_val(0);
      break;
    case TypeKind::kOptional:
      s.present = c_.bool_val(false);
      s.parts.push_back(Default(t->elem));
      break;
    case TypeKind::kRecord:
      for (const FieldInfo& f : p_.types().record_info(t->index).fields) s.parts.push_back(Default(f.type));
      break;
    case TypeKind::kList: break;  // no element
    case TypeKind::kSet:
      if (t->elem->kind == TypeKind::kEnum) {  // sets of an enum: one candidate per variant
        int n = static_cast<int>(p_.types().enum_info(t->elem->index).variants.size());
        for (int k = 0; k < n; ++k) {
          Sym x(c_);
          x.kind = TypeKind::kEnum;
          x.v = c_.int_val(k);
          s.elems.push_back(x);
          s.members.push_back(c_.bool_val(false));
        }
      }
      break;
    default: s.v = c_.int_val(0); break;
  }
  return s;
}

Sym Translator::Const(const Value& v, const Type* t) {
  if (t->kind == TypeKind::kOptional) {
    Sym s = Default(t);
    if (v.is_none()) return s;
    s.present = c_.bool_val(true);
    s.parts[0] = Const(v, t->elem);
    return s;
  }
  Sym s(c_);
  s.kind = t->kind;
  switch (t->kind) {
    case TypeKind::kBool: s.v = c_.bool_val(v.b()); break;
    case TypeKind::kText: s.v = c_.string_val(v.text); break;
    case TypeKind::kDuration:
      s.v = c_.int_val(v.i);
      s.months = c_.int_val(v.months);
      break;
    case TypeKind::kInt:
    case TypeKind::kDecimal:
    case TypeKind::kDate:
    case TypeKind::kDateTime:
    case TypeKind::kEnum: s.v = c_.int_val(v.i); break;
    case TypeKind::kRecord: {
      const RecordInfo& r = p_.types().record_info(t->index);
      for (size_t i = 0; i < r.fields.size(); ++i) s.parts.push_back(Const(v.elems().at(i), r.fields[i].type));
      break;
    }
    case TypeKind::kSet:
    case TypeKind::kList: {
      if (t->elem->kind == TypeKind::kAny) {  // `{}` or `[]` before context fixes it: no element
        return s;
      }
      if (t->kind == TypeKind::kSet && t->elem->kind == TypeKind::kEnum) {
        s = Default(t);
        for (const Value& x : v.elems()) s.members.at(x.i) = c_.bool_val(true);
        return s;
      }
      for (const Value& x : v.elems()) {  // a set's items are distinct; a list may repeat
        s.elems.push_back(Const(x, t->elem));
        s.members.push_back(c_.bool_val(true));
      }
      break;
    }
    default: throw Unsupported(fmt::format("a constant of type `{}`", p_.types().Name(t)), Span{});
  }
  return s;
}

Sym Translator::Coerce(const Sym& s, const Type* t) {
  if (t->kind == TypeKind::kOptional && s.kind != TypeKind::kOptional) {
    Sym o(c_);
    o.kind = TypeKind::kOptional;
    o.present = c_.bool_val(true);
    o.parts.push_back(Coerce(s, t->elem));
    return o;
  }
  if (t->kind == TypeKind::kSet && t->elem->kind == TypeKind::kEnum &&
      s.elems.size() != p_.types().enum_info(t->elem->index).variants.size()) {
    // An enum set built from other candidates (`{}`, a list of values): one candidate per variant.
    Sym n = Default(t);
    for (size_t k = 0; k < n.elems.size(); ++k) {
      z3::expr in = c_.bool_val(false);
      for (size_t j = 0; j < s.elems.size(); ++j) in = in || (s.members[j] && s.elems[j].v == n.elems[k].v);
      n.members[k] = in.simplify();
    }
    n.kind = t->kind;
    return n;
  }
  return s;
}

Sym Translator::Ite(const z3::expr& c, const Sym& a, const Sym& b) {
  // A value of no type yet (what an absent optional holds before context fixes its type) stands for
  // nothing: the other side's shape.
  if (a.kind == TypeKind::kAny) return b;
  if (b.kind == TypeKind::kAny) return a;
  if (a.kind == TypeKind::kOptional && b.kind != TypeKind::kOptional) {
    Sym o(c_);
    o.kind = TypeKind::kOptional;
    o.present = c_.bool_val(true);
    o.parts.push_back(b);
    return Ite(c, a, o);
  }
  if (b.kind == TypeKind::kOptional && a.kind != TypeKind::kOptional) {
    Sym o(c_);
    o.kind = TypeKind::kOptional;
    o.present = c_.bool_val(true);
    o.parts.push_back(a);
    return Ite(c, o, b);
  }
  Sym s(c_);
  s.kind = a.kind;
  s.gapped = a.gapped || b.gapped;
  // A part one side lacks (the value of a `none` whose type context did not fix) takes the other's.
  auto pick = [&](const z3::expr& x, const z3::expr& y) -> z3::expr {
    if (IsNull(x)) return y;
    if (IsNull(y)) return x;
    if (x.get_sort().id() != y.get_sort().id()) throw Unsupported("values of different shapes", Span{});
    return z3::ite(c, x, y);
  };
  s.v = pick(a.v, b.v);
  s.months = pick(a.months, b.months);
  s.present = pick(a.present, b.present);
  if (a.parts.size() != b.parts.size()) throw Unsupported("values of different shapes", Span{});
  for (size_t i = 0; i < a.parts.size(); ++i) s.parts.push_back(Ite(c, a.parts[i], b.parts[i]));
  if (a.kind == TypeKind::kSet || a.kind == TypeKind::kList) {
    bool same = a.elems.size() == b.elems.size();
    for (size_t k = 0; same && k < a.elems.size(); ++k) same = z3::eq(a.elems[k].v, b.elems[k].v);
    if (same) {  // the same candidates (an enum's variants): choose the memberships
      s.elems = a.elems;
      for (size_t k = 0; k < a.elems.size(); ++k) s.members.push_back(z3::ite(c, a.members[k], b.members[k]));
    } else {  // both candidate lists, each live on its side
      if (a.kind == TypeKind::kList) {  // position by position (each side keeps its own order)
        size_t n = std::max(a.elems.size(), b.elems.size());
        for (size_t k = 0; k < n; ++k) {
          const Sym& ea = k < a.elems.size() ? a.elems[k] : b.elems[k];
          const Sym& eb = k < b.elems.size() ? b.elems[k] : a.elems[k];
          z3::expr ma = k < a.elems.size() ? a.members[k] : c_.bool_val(false);
          z3::expr mb = k < b.elems.size() ? b.members[k] : c_.bool_val(false);
          s.elems.push_back(Ite(c, ea, eb));
          s.members.push_back(z3::ite(c, ma, mb));
        }
        return s;
      }
      for (size_t k = 0; k < a.elems.size(); ++k) {
        s.elems.push_back(a.elems[k]);
        s.members.push_back(c && a.members[k]);
      }
      for (size_t k = 0; k < b.elems.size(); ++k) {
        s.elems.push_back(b.elems[k]);
        s.members.push_back(!c && b.members[k]);
      }
    }
  }
  return s;
}

z3::expr Translator::Equal(const Sym& a, const Sym& b) {
  if (a.kind == TypeKind::kOptional || b.kind == TypeKind::kOptional) {
    if (a.kind != TypeKind::kOptional) return b.present && Equal(a, b.parts[0]);
    if (b.kind != TypeKind::kOptional) return a.present && Equal(a.parts[0], b);
    return (a.present == b.present) && (!a.present || Equal(a.parts[0], b.parts[0]));
  }
  switch (a.kind) {
    case TypeKind::kDuration: return a.v == b.v && a.months == b.months;
    case TypeKind::kRecord: {
      z3::expr r = c_.bool_val(true);
      for (size_t i = 0; i < a.parts.size(); ++i) r = r && Equal(a.parts[i], b.parts[i]);
      return r;
    }
    case TypeKind::kSet: {
      auto in = [&](const Sym& x, const Sym& s) {
        z3::expr r = c_.bool_val(false);
        for (size_t k = 0; k < s.elems.size(); ++k) r = r || (s.members[k] && Equal(x, s.elems[k]));
        return r;
      };
      z3::expr r = c_.bool_val(true);
      for (size_t k = 0; k < a.elems.size(); ++k) r = r && (!a.members[k] || in(a.elems[k], b));
      for (size_t k = 0; k < b.elems.size(); ++k) r = r && (!b.members[k] || in(b.elems[k], a));
      return r;
    }
    case TypeKind::kList: {
      // The same number of live elements, and the live elements at the same position equal (a
      // position counts the live candidates before it: lists made by filter or map have gaps).
      auto positions = [&](const Sym& l) {
        std::vector<z3::expr> pos;
        z3::expr n = c_.int_val(0);
        for (const z3::expr& m : l.members) {
          pos.push_back(n);
          n = n + z3::ite(m, c_.int_val(1), c_.int_val(0));
        }
        pos.push_back(n);
        return pos;
      };
      std::vector<z3::expr> pa = positions(a), pb = positions(b);
      z3::expr r = pa.back() == pb.back();
      for (size_t i = 0; i < a.elems.size(); ++i) {
        for (size_t j = 0; j < b.elems.size(); ++j) {
          r = r && z3::implies(a.members[i] && b.members[j] && pa[i] == pb[j], Equal(a.elems[i], b.elems[j]));
        }
      }
      return r;
    }
    default: return a.v == b.v;
  }
}

Sym Translator::Param(int i) {
  const ir::Param& param = p_.params[i];
  if (param.versions.empty()) throw Unsupported(fmt::format("param `{}` without a value", param.name), param.span);
  // The versions in force on the law date: memoised for the policy's own date only (an element of a
  // `for each` may have its own). A param with no version in force fails where it is read.
  bool own = z3::eq(law_, global_law_);
  if (!own || !params_[i]) {
    Sym v = Const(param.versions.back().value, param.type);
    z3::expr any = InForce(param.versions.back().effective);
    for (size_t k = param.versions.size() - 1; k-- > 0;) {
      z3::expr in = InForce(param.versions[k].effective);
      v = Ite(in, Const(param.versions[k].value, param.type), v);
      any = any || in;
    }
    if (!own) {
      Fail(!any, fmt::format("param `{}` has no version in force", param.name), param.span);
      return v;
    }
    params_[i] = v;
    param_any_[i] = any;
  }
  Fail(!*param_any_[i], fmt::format("param `{}` has no version in force", param.name), param.span);
  return *params_[i];
}

Sym Translator::LetValue(int i) {
  const ir::Let& let = p_.lets[i];
  if (let.scope < 0) {
    return Global([&] {
      let_reached_[i] = let_reached_[i] || guard_;
      return LetIn(i, lets_[i], let_state_[i], let_fails_[i]);
    });
  }
  if (frame_.scope != let.scope) throw Unsupported(fmt::format("let `{}` read outside its `for each`", let.name), let.span);
  frame_.let_reached[i] = frame_.let_reached[i] || guard_;
  return LetIn(i, frame_.lets[i], frame_.let_state[i], frame_.let_fails[i]);
}

// Translated once per frame, with the path condition `true`: its failures are kept apart and
// count where the let is reached (Run, Leave).
Sym Translator::LetIn(int i, std::optional<Sym>& memo, int& state, std::vector<FailSite>& kept) {
  const ir::Let& let = p_.lets[i];
  if (state == 2) return *memo;
  if (state == 1) throw Unsupported(fmt::format("`{}` depends on itself", let.name), let.span);
  state = 1;
  std::vector<FailSite> outer;
  std::swap(outer, fails_);
  z3::expr saved = guard_;
  guard_ = c_.bool_val(true);
  Sym v = Coerce(Eval(*let.value), let.type);
  guard_ = saved;
  std::swap(outer, fails_);
  kept = std::move(outer);
  memo = v;
  state = 2;
  return v;
}

Sym Translator::Eval(const Expr& e) {
  // Inlined functions and tables may double at each level: a translation that grows past this is
  // "unknown", not hours of work.
  if (++nodes_ > kMaxNodes) {
    throw Unsupported(fmt::format("the translation grows past {} expression nodes (functions or tables inlined many times)",
                                  kMaxNodes),
                      e.span());
  }
  auto make = [&](TypeKind k, const z3::expr& v) {
    Sym s(c_);
    s.kind = k;
    s.v = v;
    return s;
  };
  switch (e.op) {
    case Op::kConst: return Const(e.constant, e.type);
    case Op::kInput: return facts_.input.parts.at(e.index);
    case Op::kParam: return Param(e.index);
    case Op::kLet: return LetValue(e.index);
    case Op::kOutput: return Output(e.index);
    case Op::kLocal: return locals_.at(e.index);
    case Op::kAsOf: return make(TypeKind::kDate, facts_.as_of);
    case Op::kNow: return make(TypeKind::kDateTime, facts_.as_of * c_.int_val(kSecondsPerDay));
    case Op::kField: {
      Sym base = Eval(*e.args[0]);
      if (base.kind == TypeKind::kOptional) {
        Fail(!base.present, fmt::format("`{}` is absent", Src(*e.args[0])), e.span());
        return base.parts[0].parts.at(e.index);
      }
      return base.parts.at(e.index);
    }
    case Op::kNeg: {
      Sym v = Eval(*e.args[0]);
      if (v.kind == TypeKind::kInt) Fail(v.v == c_.int_val(INT64_MIN), "integer overflow", e.span());
      v.v = -v.v;
      if (v.kind == TypeKind::kDuration) v.months = -v.months;
      return v;
    }
    case Op::kNot: {
      Sym v = Eval(*e.args[0]);
      v.v = !v.v;
      return v;
    }
    case Op::kAnd: {
      Sym a = Eval(*e.args[0]);
      Sym b = Under(a.v, [&] { return Eval(*e.args[1]); });
      return make(TypeKind::kBool, a.v && b.v);
    }
    case Op::kOr: {
      Sym a = Eval(*e.args[0]);
      Sym b = Under(!a.v, [&] { return Eval(*e.args[1]); });
      return make(TypeKind::kBool, a.v || b.v);
    }
    case Op::kArith: {
      Sym a = Eval(*e.args[0]);
      Sym b = Eval(*e.args[1]);
      return Arith(e, a, b);
    }
    case Op::kCompare: {
      Sym a = Eval(*e.args[0]);
      Sym b = Eval(*e.args[1]);
      return make(TypeKind::kBool, CompareOp(e, e.bop, a, b));
    }
    case Op::kIn: return In(e);
    case Op::kCoalesce: {
      Sym a = Eval(*e.args[0]);
      if (a.kind != TypeKind::kOptional) return Coerce(a, e.type);
      Sym b = Under(!a.present, [&] { return Eval(*e.args[1]); });
      return Coerce(Ite(a.present, Coerce(a.parts[0], e.type), Coerce(b, e.type)), e.type);
    }
    case Op::kIsPresent: {
      Sym a = Eval(*e.args[0]);
      z3::expr pr = a.kind == TypeKind::kOptional ? a.present : c_.bool_val(true);
      return make(TypeKind::kBool, e.negated ? !pr : pr);
    }
    case Op::kUnwrap: {
      Sym v = Eval(*e.args[0]);
      if (v.kind != TypeKind::kOptional) return v;
      Fail(!v.present, fmt::format("internal error: `{}` is absent where it was known present", Src(e)), e.span());
      return v.parts[0];
    }
    case Op::kIf: {
      Sym c = Eval(*e.args[0]);
      Sym a = Under(c.v, [&] { return Coerce(Eval(*e.args[1]), e.type); });
      Sym b = Under(!c.v, [&] { return Coerce(Eval(*e.args[2]), e.type); });
      return Coerce(Ite(c.v, a, b), e.type);
    }
    case Op::kQuant: return Quant(e);
    case Op::kSetOp: return SetOp(e);
    case Op::kIsEmpty: {
      Sym a = Eval(*e.args[0]);
      z3::expr none = c_.bool_val(true);
      for (auto& m : a.members) none = none && !m;
      return make(TypeKind::kBool, e.negated ? !none : none);
    }
    case Op::kMakeSet:
    case Op::kMakeList: {
      std::vector<Sym> items;
      for (auto& a : e.args) items.push_back(Coerce(Eval(*a), e.type->elem));
      if (e.op == Op::kMakeList) {
        Sym s(c_);
        s.kind = TypeKind::kList;
        for (auto& x : items) {
          s.elems.push_back(x);
          s.members.push_back(c_.bool_val(true));
        }
        return s;
      }
      Sym s = MakeSet(items);
      return Coerce(s, e.type);
    }
    case Op::kMakeRecord: {
      Sym s(c_);
      s.kind = TypeKind::kRecord;
      const RecordInfo& r = p_.types().record_info(e.type->index);
      for (size_t i = 0; i < e.args.size(); ++i) s.parts.push_back(Coerce(Eval(*e.args[i]), r.fields[i].type));
      return s;
    }
    case Op::kMatch: {
      Sym s = Eval(*e.args[0]);
      bool optional = s.kind == TypeKind::kOptional;
      const Sym& inner = optional ? s.parts[0] : s;
      size_t variants = e.arm_of_variant.size() - (optional ? 1 : 0);
      int arms = static_cast<int>(e.args.size()) - 1;
      std::vector<z3::expr> when(arms, c_.bool_val(false));
      for (size_t v = 0; v < variants; ++v) {
        z3::expr is = inner.kind == TypeKind::kBool ? (v ? inner.v : !inner.v) : inner.v == c_.int_val(static_cast<int64_t>(v));
        if (optional) is = s.present && is;
        when[e.arm_of_variant[v]] = when[e.arm_of_variant[v]] || is;
      }
      if (optional) when[e.arm_of_variant.back()] = when[e.arm_of_variant.back()] || !s.present;
      std::optional<Sym> out;
      for (int k = arms; k-- > 0;) {
        Sym arm = Under(when[k], [&] { return Coerce(Eval(*e.args[1 + k]), e.type); });
        out = out ? Ite(when[k], arm, *out) : arm;
      }
      return *out;
    }
    case Op::kCall: {
      if (++call_depth_ > 64) throw Unsupported("recursion deeper than 64 calls", e.span());
      const ir::Function& f = p_.functions[e.index];
      std::vector<Sym> frame(locals_.size(), Sym(c_));
      for (size_t i = 0; i < e.args.size(); ++i) frame[i] = Coerce(Eval(*e.args[i]), f.params[i]);
      std::swap(frame, locals_);
      Sym v = Coerce(Eval(*f.body), f.result);
      std::swap(frame, locals_);
      --call_depth_;
      return v;
    }
    case Op::kTable: return Table(e);
    case Op::kBuiltin: return Builtin(e);
    case Op::kWorkingDays: throw Unsupported("working days", e.span());
    case Op::kItem:
      if (frame_.scope < 0) throw Unsupported("an element outside its `for each`", e.span());
      return frame_.element;
    case Op::kItemOutput:
    case Op::kItemLet: return ItemOf(e);
  }
  throw Unsupported("an unknown operation", e.span());
}

Sym Translator::MakeSet(const std::vector<Sym>& items) {
  Sym s(c_);
  s.kind = TypeKind::kSet;
  for (size_t i = 0; i < items.size(); ++i) {
    z3::expr fresh = c_.bool_val(true);
    for (size_t j = 0; j < i; ++j) fresh = fresh && !Equal(items[j], items[i]);
    s.elems.push_back(items[i]);
    s.members.push_back(fresh.simplify());
  }
  return s;
}

Sym Translator::In(const Expr& e) {
  Sym x = Eval(*e.args[0]);
  Sym coll = Eval(*e.args[1]);
  if (coll.kind != TypeKind::kSet && coll.kind != TypeKind::kList) throw Unsupported("`in` on this value", e.span());
  z3::expr r = c_.bool_val(false);
  for (size_t k = 0; k < coll.elems.size(); ++k) r = r || (coll.members[k] && Equal(x, coll.elems[k]));
  Sym s(c_);
  s.kind = TypeKind::kBool;
  s.v = e.negated ? !r : r;
  return s;
}

Sym Translator::SetOp(const Expr& e) {
  Sym a = Coerce(Eval(*e.args[0]), e.type);
  Sym b = Coerce(Eval(*e.args[1]), e.type);
  auto in = [&](const Sym& x, const Sym& s) {
    z3::expr r = c_.bool_val(false);
    for (size_t k = 0; k < s.elems.size(); ++k) r = r || (s.members[k] && Equal(x, s.elems[k]));
    return r;
  };
  Sym s(c_);
  s.kind = TypeKind::kSet;
  bool same = a.elems.size() == b.elems.size();
  for (size_t k = 0; same && k < a.elems.size(); ++k) same = z3::eq(a.elems[k].v, b.elems[k].v);
  auto op = static_cast<ast::SetOp>(e.index);
  if (same) {
    s.elems = a.elems;
    for (size_t k = 0; k < a.elems.size(); ++k) {
      s.members.push_back(op == ast::SetOp::kUnion       ? a.members[k] || b.members[k]
                          : op == ast::SetOp::kIntersect ? a.members[k] && b.members[k]
                                                         : a.members[k] && !b.members[k]);
    }
    return s;
  }
  for (size_t k = 0; k < a.elems.size(); ++k) {
    s.elems.push_back(a.elems[k]);
    s.members.push_back(op == ast::SetOp::kUnion       ? a.members[k]
                        : op == ast::SetOp::kIntersect ? a.members[k] && in(a.elems[k], b)
                                                       : a.members[k] && !in(a.elems[k], b));
  }
  if (op == ast::SetOp::kUnion) {
    for (size_t k = 0; k < b.elems.size(); ++k) {
      s.elems.push_back(b.elems[k]);
      s.members.push_back(b.members[k] && !in(b.elems[k], a));
    }
  }
  return Coerce(s, e.type);
}

z3::expr Translator::CompareOp(const Expr& e, BinOp op, const Sym& a, const Sym& b) {
  if (op == BinOp::kEq) return Equal(a, b);
  if (op == BinOp::kNe) return !Equal(a, b);
  z3::expr x = a.v, y = b.v;
  if (a.kind == TypeKind::kDuration) {
    z3::expr days = a.months == 0 && b.months == 0;
    z3::expr months = a.v == 0 && b.v == 0;
    Fail(!days && !months, "cannot compare durations mixing months and days: a month has no fixed number of days",
         e.span());
    x = z3::ite(days, a.v, a.months);
    y = z3::ite(days, b.v, b.months);
  } else if (a.kind != TypeKind::kInt && a.kind != TypeKind::kDecimal && a.kind != TypeKind::kDate &&
             a.kind != TypeKind::kDateTime && a.kind != TypeKind::kEnum) {
    throw Unsupported("ordering this kind of value", e.span());
  }
  switch (op) {
    case BinOp::kLt: return x < y;
    case BinOp::kLe: return x <= y;
    case BinOp::kGt: return x > y;
    case BinOp::kGe: return x >= y;
    default: throw Unsupported("a comparison", e.span());
  }
}

Sym Translator::Arith(const Expr& e, const Sym& a, const Sym& b) {
  using K = TypeKind;
  auto dateish = [](const Sym& s) { return s.kind == K::kDate || s.kind == K::kDateTime; };
  Sym r(c_);
  r.kind = a.kind;
  switch (e.bop) {
    case BinOp::kAdd:
      if (dateish(a) && b.kind == K::kDuration) return Shift(e, a, b, 1);
      if (a.kind == K::kDuration && dateish(b)) return Shift(e, b, a, 1);
      if (a.kind == K::kDuration) {
        r.months = Checked(e, a.months + b.months);
        r.v = Checked(e, a.v + b.v);
        return r;
      }
      r.v = Checked(e, a.v + b.v);
      return r;
    case BinOp::kSub:
      if (dateish(a) && b.kind == K::kDuration) return Shift(e, a, b, -1);
      if (a.kind == K::kDate && b.kind == K::kDate) {
        r.kind = K::kDuration;
        r.months = c_.int_val(0);
        r.v = (a.v - b.v) * c_.int_val(kSecondsPerDay);
        return r;
      }
      if (a.kind == K::kDateTime && b.kind == K::kDateTime) {
        r.kind = K::kDuration;
        r.months = c_.int_val(0);
        r.v = a.v - b.v;
        return r;
      }
      if (a.kind == K::kDuration) {
        r.months = Checked(e, a.months - b.months);
        r.v = Checked(e, a.v - b.v);
        return r;
      }
      r.v = Checked(e, a.v - b.v);
      return r;
    case BinOp::kMul:
      if (a.kind == K::kDuration || b.kind == K::kDuration) {
        const Sym& d = a.kind == K::kDuration ? a : b;
        const Sym& n = a.kind == K::kDuration ? b : a;
        r.kind = K::kDuration;
        r.months = Checked(e, d.months * n.v);
        r.v = Checked(e, d.v * n.v);
        return r;
      }
      if (a.kind == K::kDecimal) {
        r.v = Checked(e, TruncDiv(a.v * b.v, c_.int_val(kDecimalScale)));
        return r;
      }
      r.v = Checked(e, a.v * b.v);
      return r;
    case BinOp::kDiv:
      if (a.kind == K::kDuration) {
        if (!IsZero(a.months) || !IsZero(b.months)) throw Unsupported("dividing durations of months", e.span());
        Fail(b.v == 0, fmt::format("division by zero in `{}`", Src(e)), e.span());
        r.kind = K::kInt;
        r.v = Under(b.v != 0, [&] { return Checked(e, TruncDiv(a.v, b.v)); });
        return r;
      }
      // Z3 leaves x / 0 unspecified: the quotient's checks hold only where the divisor is not 0.
      Fail(b.v == 0, fmt::format("division by zero in `{}`", Src(e)), e.span());
      if (a.kind == K::kDecimal) {
        r.v = Under(b.v != 0, [&] { return Checked(e, TruncDiv(a.v * c_.int_val(kDecimalScale), b.v)); });
        return r;
      }
      r.v = Under(b.v != 0, [&] { return Checked(e, TruncDiv(a.v, b.v)); });
      return r;
    default: break;
  }
  throw Unsupported("this arithmetic", e.span());
}

}  // namespace proviso::verify::internal
