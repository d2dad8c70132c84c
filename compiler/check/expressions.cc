// Checker: the type of each expression (operators, fields, quantifiers, calls, record values,
// `match`), and the type-mismatch diagnostic.
#include "compiler/check/checker_impl.h"

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include <fmt/format.h>

namespace proviso::check_internal {

void Checker::Mismatch(const Expr& e, const Type* expected, const Type* got,
                       const std::string& what) {
  if (got->kind == TypeKind::kError || expected->kind == TypeKind::kError) return;
  auto& d = diags_.Error("E0203", e.span,
                         fmt::format("{} must be `{}`, found `{}`", what, types_.Name(expected),
                                     types_.Name(got)));
  d.label = fmt::format("this is `{}`", types_.Name(got));
  if (expected->kind == TypeKind::kDecimal && got->kind == TypeKind::kInt) {
    d.help = "there are no implicit conversions: write the number with a decimal point, e.g. `2.0`";
  } else if (got->kind == TypeKind::kOptional && IsAssignable(got->elem, expected)) {
    d.help = IsPath(e) ? fmt::format("the value may be absent: test `{0} is present` first (where that holds, `{0}` is "
                                     "`{1}`), or give a default with `?? value`",
                                     ast::ToSource(e), types_.Name(got->elem))
                       : "the value may be absent: give a default with `?? value`";
  }
}

// Checks `e` in `ctx`; `expected` (may be null) resolves bare enum values, `{}`, `[]`, `none` and
// record literals. Returns the type, also stored in e.type.
const Type* Checker::CheckExpr(Expr& e, const Context& ctx, const Type* expected) {
  bool unnarrowed = unnarrowed_;
  unnarrowed_ = false;
  e.type = CheckExprInner(e, ctx, expected);
  if (!unnarrowed && (e.kind == ExprKind::kName || e.kind == ExprKind::kField)) e.type = Narrow(e, e.type);
  return e.type;
}

const Type* Checker::ExpectType(Expr& e, const Context& ctx, const Type* want,
                                const std::string& what) {
  const Type* t = CheckExpr(e, ctx, want);
  if (!IsAssignable(t, want)) Mismatch(e, want, t, what);
  return t;
}

const Type* Checker::CheckExprInner(Expr& e, const Context& ctx, const Type* expected) {
  switch (e.kind) {
    case ExprKind::kInt: return types_.Int();
    case ExprKind::kDecimal: {
      int64_t v;
      if (!ParseDecimal(e.text, &v)) {
        diags_.Error("E0505", e.span, fmt::format("decimal `{}` has more than 6 decimal places or is too large", e.text));
      }
      return types_.Decimal();
    }
    case ExprKind::kText: return types_.Text();
    case ExprKind::kDate: return types_.Date();
    case ExprKind::kDateTime: return types_.DateTime();
    case ExprKind::kDuration: return types_.Duration();
    case ExprKind::kBool: return types_.Bool();
    case ExprKind::kNone:
      if (expected && expected->kind == TypeKind::kOptional) return expected;
      return types_.Optional(types_.Any());
    case ExprKind::kAsOf:
      if (!ctx.facts) {
        diags_.Error("E0110", e.span, fmt::format("`as_of` cannot be used in {}", ctx.what));
        return Err();
      }
      return types_.Date();
    case ExprKind::kNow:
      if (!ctx.facts) {
        diags_.Error("E0110", e.span, fmt::format("`now` cannot be used in {}", ctx.what));
        return Err();
      }
      return types_.DateTime();
    case ExprKind::kWorkingDays: {
      ExpectType(*e.args[0], ctx, types_.Int(), "the number of working days");
      const Type* d = CheckExpr(*e.args[1], ctx);
      e.calendar = ResolveCalendar(e.name, e.span);
      if (d->kind == TypeKind::kDateTime) {
        diags_.Error("E0210", e.args[1]->span, "working days are counted from a date, not from an instant")
            .help = "take the date of the instant: `date(t)` (UTC) or `date(t, 8 hours)` (at UTC+8)";
      } else if (d->kind != TypeKind::kError && d->kind != TypeKind::kDate) {
        Mismatch(*e.args[1], types_.Date(), d, "the date working days are counted from");
      }
      return types_.Date();
    }
    case ExprKind::kName: return CheckName(e, ctx, expected);
    case ExprKind::kField: return CheckField(e, ctx);
    case ExprKind::kCall: return CheckCall(e, ctx, expected);
    case ExprKind::kNeg: {
      const Type* t = CheckExpr(*e.args[0], ctx, expected);
      if (t->kind == TypeKind::kError) return t;
      if (!IsNumeric(t) && t->kind != TypeKind::kDuration) {
        diags_.Error("E0204", e.span, fmt::format("cannot negate a `{}`", types_.Name(t)));
        return Err();
      }
      return t;
    }
    case ExprKind::kNot:
      ExpectType(*e.args[0], ctx, types_.Bool(), "the operand of `not`");
      return types_.Bool();
    case ExprKind::kAnd:
    case ExprKind::kOr: {
      const char* op = e.kind == ExprKind::kAnd ? "and" : "or";
      ExpectType(*e.args[0], ctx, types_.Bool(), fmt::format("the left side of `{}`", op));
      // The right side is evaluated only when the left is true (`and`) or false (`or`).
      Assumed left = Assume(e.args[0].get(), e.kind == ExprKind::kAnd);
      ExpectType(*e.args[1], ctx, types_.Bool(), fmt::format("the right side of `{}`", op));
      return types_.Bool();
    }
    case ExprKind::kBinary: return CheckBinary(e, ctx);
    case ExprKind::kIn: {
      // `degree in {serious, very_serious}`: the left side says which enum the literal holds.
      if (e.args[1]->kind == ExprKind::kSet || e.args[1]->kind == ExprKind::kList) {
        const Type* left = CheckExpr(*e.args[0], ctx);
        if (left->kind != TypeKind::kError) {
          const Type* want = e.args[1]->kind == ExprKind::kSet ? types_.Set(left) : types_.List(left);
          const Type* coll = CheckExpr(*e.args[1], ctx, want);
          if (coll->kind != TypeKind::kError && !IsAssignable(left, coll->elem) && !IsAssignable(coll->elem, left)) {
            Mismatch(*e.args[0], coll->elem, left, "the value tested with `in`");
          }
          return types_.Bool();
        }
      }
      const Type* coll = CheckExpr(*e.args[1], ctx);
      if (coll->kind == TypeKind::kError) {
        CheckExpr(*e.args[0], ctx);
        return types_.Bool();
      }
      if (coll->kind != TypeKind::kSet && coll->kind != TypeKind::kList) {
        diags_.Error("E0205", e.args[1]->span,
                     fmt::format("`in` needs a set or a list on its right, found `{}`", types_.Name(coll)));
        CheckExpr(*e.args[0], ctx);
        return types_.Bool();
      }
      const Type* elem = CheckExpr(*e.args[0], ctx, coll->elem);
      if (!IsAssignable(elem, coll->elem) && !IsAssignable(coll->elem, elem)) {
        Mismatch(*e.args[0], coll->elem, elem, "the value tested with `in`");
      }
      return types_.Bool();
    }
    case ExprKind::kCoalesce: {
      const Type* a = CheckUnnarrowed(*e.args[0], ctx, expected ? types_.Optional(expected) : nullptr);
      if (a->kind == TypeKind::kError) {
        CheckExpr(*e.args[1], ctx);
        return a;
      }
      if (a->kind != TypeKind::kOptional) {
        diags_.Error("E0206", e.args[0]->span,
                     fmt::format("the left side of `??` is never absent (it is `{}`)", types_.Name(a)))
            .help = "`??` gives a default to an optional value (`T?`)";
        CheckExpr(*e.args[1], ctx);
        return a;
      }
      const Type* b = CheckExpr(*e.args[1], ctx, a->elem);
      if (!IsAssignable(b, a)) Mismatch(*e.args[1], a->elem, b, "the default after `??`");
      return b->kind == TypeKind::kOptional ? a : (a->elem->kind == TypeKind::kAny ? b : a->elem);
    }
    case ExprKind::kIsPresent: {
      const Type* a = CheckUnnarrowed(*e.args[0], ctx);
      if (a->kind != TypeKind::kOptional && a->kind != TypeKind::kError) {
        diags_.Error("E0207", e.args[0]->span,
                     fmt::format("`is present` needs an optional value, found `{}`", types_.Name(a)));
      }
      return types_.Bool();
    }
    case ExprKind::kIf: {
      ExpectType(*e.args[0], ctx, types_.Bool(), "the condition of `if`");
      const Type* a;
      const Type* b;
      {
        Assumed then = Assume(e.args[0].get(), true);
        a = CheckExpr(*e.args[1], ctx, expected);
      }
      {
        Assumed otherwise = Assume(e.args[0].get(), false);
        b = CheckExpr(*e.args[2], ctx, expected ? expected : a);
      }
      const Type* u = Unify(types_, a, b);
      if (!u) {
        auto& d = diags_.Error("E0208", e.args[2]->span,
                               fmt::format("the branches of `if` have different types: `{}` and `{}`",
                                           types_.Name(a), types_.Name(b)));
        d.notes.push_back({e.args[1]->span, fmt::format("this branch is `{}`", types_.Name(a))});
        return Err();
      }
      return u;
    }
    case ExprKind::kQuant: return CheckQuant(e, ctx, expected);
    case ExprKind::kSetOp: return CheckSetOp(e, ctx, expected);
    case ExprKind::kItemOf: return CheckItemOf(e, ctx);
    case ExprKind::kIsEmpty: {
      const Type* a = CheckExpr(*e.args[0], ctx);
      if (a->kind != TypeKind::kList && a->kind != TypeKind::kSet && a->kind != TypeKind::kError) {
        diags_.Error("E0230", e.args[0]->span, fmt::format("`is empty` needs a list or a set, found `{}`", types_.Name(a)))
            .help = a->kind == TypeKind::kOptional ? "for an optional value, say `is not present`"
                    : a->kind == TypeKind::kText  ? "for a text, compare it with \"\""
                                                  : "";
      }
      return types_.Bool();
    }
    case ExprKind::kList:
    case ExprKind::kSet: {
      // `{}` where a record is expected is the record with every field at its default.
      const Type* record = expected && expected->kind == TypeKind::kOptional ? expected->elem : expected;
      if (e.kind == ExprKind::kSet && e.args.empty() && record && record->kind == TypeKind::kRecord) {
        e.kind = ExprKind::kRecord;
        return CheckRecordLit(e, ctx, expected);
      }
      bool is_set = e.kind == ExprKind::kSet;
      const Type* want = nullptr;
      if (expected && (expected->kind == TypeKind::kSet || expected->kind == TypeKind::kList)) want = expected->elem;
      if (expected && expected->kind == TypeKind::kOptional && expected->elem->kind != TypeKind::kAny &&
          (expected->elem->kind == TypeKind::kSet || expected->elem->kind == TypeKind::kList)) {
        want = expected->elem->elem;
      }
      const Type* elem = types_.Any();
      for (auto& a : e.args) {
        const Type* t = CheckExpr(*a, ctx, want ? want : (elem->kind == TypeKind::kAny ? nullptr : elem));
        const Type* u = Unify(types_, elem, t);
        if (!u) {
          diags_.Error("E0209", a->span,
                       fmt::format("all elements must have one type: `{}` and `{}`",
                                   types_.Name(elem), types_.Name(t)));
          return Err();
        }
        elem = u;
      }
      if (is_set && elem->kind != TypeKind::kAny &&
          (elem->kind == TypeKind::kRecord || elem->kind == TypeKind::kList ||
           elem->kind == TypeKind::kSet || elem->kind == TypeKind::kOptional)) {
        diags_.Error("E0202", e.span, fmt::format("a set cannot hold `{}`", types_.Name(elem)));
        return Err();
      }
      return is_set ? types_.Set(elem) : types_.List(elem);
    }
    case ExprKind::kRecord: return CheckRecordLit(e, ctx, expected);
    case ExprKind::kMatch: return CheckMatch(e, ctx, expected);
  }
  return Err();
}

const Type* Checker::CheckField(Expr& e, const Context& ctx) {
  Expr& base = *e.args[0];
  // `Degree.serious`: a qualified enum value.
  if (base.kind == ExprKind::kName && enum_index_.count(base.name) && !globals_.count(base.name)) {
    bool shadowed = std::any_of(locals_.begin(), locals_.end(), [&](const Local& l) { return l.name == base.name; });
    if (!shadowed) {
      int ei = enum_index_.at(base.name);
      MarkUsed(base.name);
      int v = types_.enum_info(ei).Find(e.name);
      if (v < 0) {
        auto& d = diags_.Error("E0112", e.span, fmt::format("enum `{}` has no value `{}`", base.name, e.name));
        d.help = Suggest(e.name, types_.enum_info(ei).variants);
        if (d.help.empty()) d.help = "its values are: " + JoinNames(types_.enum_info(ei).variants);
        return Err();
      }
      e.kind = ExprKind::kName;  // now an enum literal
      e.ref = RefKind::kEnumValue;
      e.index = ei;
      e.variant = v;
      e.args.clear();
      return types_.Enum(ei);
    }
  }
  const Type* t = CheckExpr(base, ctx);
  if (t->kind == TypeKind::kError) return t;
  if (t->kind == TypeKind::kOptional && t->elem->kind == TypeKind::kRecord) {
    diags_.Error("E0215", base.span,
                 fmt::format("`{}` may be absent, so `.{}` cannot be read directly", ast::ToSource(base), e.name))
        .help = "check `is present` first, or give a default with `??`";
    return Err();
  }
  if (t->kind != TypeKind::kRecord) {
    diags_.Error("E0216", e.span, fmt::format("`{}` values have no fields", types_.Name(t)));
    return Err();
  }
  const RecordInfo& r = types_.record_info(t->index);
  int f = r.Find(e.name);
  if (f < 0) {
    std::vector<std::string> names;
    for (auto& fi : r.fields) names.push_back(fi.name);
    auto& d = diags_.Error("E0113", e.span,
                           fmt::format("{} has no field `{}`",
                                       t->index == p_.input_record ? "the input" : "`" + r.name + "`", e.name));
    d.help = Suggest(e.name, names);
    return Err();
  }
  e.ref = RefKind::kRecordField;
  e.index = f;
  return r.fields[f].type;
}

std::string Checker::JoinNames(const std::vector<std::string>& names) {
  std::string out;
  for (size_t i = 0; i < names.size(); ++i) out += (i ? ", `" : "`") + names[i] + "`";
  return out;
}

const Type* Checker::CheckBinary(Expr& e, const Context& ctx) {
  using ast::BinOp;
  Expr& l = *e.args[0];
  Expr& r = *e.args[1];
  // `serious == degree`: a bare enum value on the left takes its enum from the right.
  auto bare = [&](const Expr& x) {
    return x.kind == ExprKind::kName && !globals_.count(x.name) &&
           std::none_of(locals_.begin(), locals_.end(), [&](const Local& v) { return v.name == x.name; });
  };
  const Type* a;
  const Type* b;
  if (bare(l) && !bare(r)) {
    b = CheckExpr(r, ctx);
    a = CheckExpr(l, ctx, b);
  } else {
    a = CheckExpr(l, ctx);
    // The left's type is a hint for the right (`tags == {}`, `price * 2`) only where both sides
    // have it: comparisons and int or decimal arithmetic (not `date + duration`, `duration * int`
    // or `3 * one_day`, where it would make `none` in the right side a `date?`).
    bool same_typed = e.op >= BinOp::kLt ||
                      (IsNumeric(a) && !(e.op == BinOp::kMul && a->kind == TypeKind::kInt));
    b = CheckExpr(r, ctx, same_typed ? a : nullptr);
    if (a->kind == TypeKind::kAny) a = CheckExpr(l, ctx, b);  // `none == x`
  }
  if (a->kind == TypeKind::kError || b->kind == TypeKind::kError) {
    return e.op >= BinOp::kLt ? types_.Bool() : Err();
  }
  auto k = [](const Type* t) { return t->kind; };
  const char* opname = "";
  switch (e.op) {
    case BinOp::kAdd:
      if (a == b && (IsNumeric(a) || k(a) == TypeKind::kDuration)) return a;
      if (k(a) == TypeKind::kDate && k(b) == TypeKind::kDuration) return CheckWholeDays(e, r, a);
      if (k(a) == TypeKind::kDuration && k(b) == TypeKind::kDate) return CheckWholeDays(e, l, b);
      if (k(a) == TypeKind::kDateTime && k(b) == TypeKind::kDuration) return a;
      if (k(a) == TypeKind::kDuration && k(b) == TypeKind::kDateTime) return b;
      opname = "add";
      break;
    case BinOp::kSub:
      if (a == b && (IsNumeric(a) || k(a) == TypeKind::kDuration)) return a;
      if (k(a) == TypeKind::kDate && k(b) == TypeKind::kDuration) return CheckWholeDays(e, r, a);
      if (k(a) == TypeKind::kDate && k(b) == TypeKind::kDate) return types_.Duration();
      if (k(a) == TypeKind::kDateTime && k(b) == TypeKind::kDuration) return a;
      if (k(a) == TypeKind::kDateTime && k(b) == TypeKind::kDateTime) return types_.Duration();
      opname = "subtract";
      break;
    case BinOp::kMul:
      if (a == b && IsNumeric(a)) return a;
      if (k(a) == TypeKind::kDuration && k(b) == TypeKind::kInt) return a;
      if (k(a) == TypeKind::kInt && k(b) == TypeKind::kDuration) return b;
      opname = "multiply";
      break;
    case BinOp::kDiv:
      if (a == b && IsNumeric(a)) return a;
      if (k(a) == TypeKind::kDuration && k(b) == TypeKind::kDuration) return types_.Int();
      opname = "divide";
      break;
    case BinOp::kLt: case BinOp::kLe: case BinOp::kGt: case BinOp::kGe:
      if (a == b && IsOrdered(a)) return types_.Bool();
      if (a == b) {
        diags_.Error("E0217", e.span, fmt::format("`{}` values cannot be ordered", types_.Name(a)))
            .help = "only int, decimal, date, datetime and duration have an order; compare with `==` or `!=`";
        return types_.Bool();
      }
      opname = "compare";
      break;
    case BinOp::kEq: case BinOp::kNe:
      if (Unify(types_, a, b)) return types_.Bool();
      opname = "compare";
      break;
  }
  auto& d = diags_.Error("E0210", e.span,
                         fmt::format("cannot {} `{}` and `{}`", opname, types_.Name(a), types_.Name(b)));
  if ((k(a) == TypeKind::kInt && k(b) == TypeKind::kDecimal) ||
      (k(a) == TypeKind::kDecimal && k(b) == TypeKind::kInt)) {
    d.help = "there are no implicit conversions between int and decimal: write `2.0` for a decimal";
  } else if ((k(a) == TypeKind::kInt && k(b) == TypeKind::kDuration) ||
             (k(a) == TypeKind::kDuration && k(b) == TypeKind::kInt)) {
    d.help = "give the number a unit: `30 days`";
  } else if ((k(a) == TypeKind::kDate && k(b) == TypeKind::kDateTime) ||
             (k(a) == TypeKind::kDateTime && k(b) == TypeKind::kDate)) {
    d.help = "a date is a day and a datetime an instant: convert one, `datetime(d)` (00:00 UTC) or `date(t)` (its UTC day)";
  } else if (k(a) == TypeKind::kOptional || k(b) == TypeKind::kOptional) {
    const Expr& side = k(a) == TypeKind::kOptional ? *e.args[0] : *e.args[1];
    const Type* t = k(a) == TypeKind::kOptional ? a : b;
    d.help = IsPath(side) ? fmt::format("`{0}` may be absent: test `{0} is present` first (where that holds, `{0}` is "
                                        "`{1}`), or give a default with `??`",
                                        ast::ToSource(side), types_.Name(t->elem))
                          : "a value that may be absent: give it a default with `??`";
  }
  return e.op >= BinOp::kLt ? types_.Bool() : Err();
}

// `late of t`: a let or an output decided in a `for each`, for an element of its collection,
// read outside that `for each` (inside, `late` is the current element's): a value that is not a
// record, list or set (each element's own storage is reused).
const Type* Checker::CheckItemOf(Expr& e, const Context& ctx) {
  const Type* elem = CheckExpr(*e.args[0], ctx);
  auto it = globals_.find(e.name);
  bool per_item = it != globals_.end() && it->second.scope >= 0 &&
                  (it->second.kind == SymKind::kLet || it->second.kind == SymKind::kOutput);
  if (!per_item) {
    auto& d = diags_.Error("E0231", e.span,
                           it == globals_.end()
                               ? fmt::format("unknown name `{}` before `of`", e.name)
                               : fmt::format("`{} of ...` reads a let or an output decided in a `for each`; {} `{}` is not",
                                             e.name, SymKindName(it->second.kind), e.name));
    d.help = "`NAME of ELEMENT` reads, for one element, what a `for each` decides for each (`late of t`)";
    return Err();
  }
  const Symbol& s = it->second;
  MarkUsed(e.name);
  const ScopeSymbol& sc = p_.scopes[s.scope];
  if (!ctx.facts || ctx.law_date) {
    diags_.Error("E0110", e.span, fmt::format("{} `{}` cannot be used in {}", SymKindName(s.kind), e.name, ctx.what));
    return Err();
  }
  if (scope_ == s.scope) {
    diags_.Error("E0231", e.span,
                 fmt::format("inside `for each {} in {}`, `{}` is the element's own: write `{}`", sc.decl->var,
                             ast::ToSource(*sc.decl->collection), e.name, e.name))
        .help = "`of` reads another element's value from outside the `for each` (e.g. in `count`)";
    return Err();
  }
  if (sc.element && elem->kind != TypeKind::kError && !IsAssignable(elem, sc.element)) {
    auto& d = diags_.Error("E0231", e.args[0]->span,
                           fmt::format("`{} of ...` needs an element of `{}` (a `{}`), found `{}`", e.name,
                                       ast::ToSource(*sc.decl->collection), types_.Name(sc.element), types_.Name(elem)));
    d.notes.push_back({sc.decl->span, "decided in this `for each`"});
    return Err();
  }
  const Type* t = s.kind == SymKind::kOutput ? p_.outputs[s.index].type : LetType(s.index);
  const Type* value = t->kind == TypeKind::kOptional ? t->elem : t;
  if (value->kind == TypeKind::kRecord || value->kind == TypeKind::kList || value->kind == TypeKind::kSet) {
    diags_.Error("E0231", e.span, fmt::format("`{}` is a `{}`: `of` reads values that are not records, lists or sets",
                                              e.name, types_.Name(t)))
        .help = "read a field or a count of it in a let or output of the `for each`, and that with `of`";
    return Err();
  }
  e.ref = s.kind == SymKind::kOutput ? RefKind::kOutput : RefKind::kLet;
  e.index = s.index;
  return t;
}

// `a union b`, `a intersect b`, `a minus b`: two sets of one element type (a literal on either side
// takes the other's type), giving a set of it.
const Type* Checker::CheckSetOp(Expr& e, const Context& ctx, const Type* expected) {
  // A literal, `filter` or `map` takes its type from the other side: check that side first.
  auto adapts = [](const Expr& x) {
    return x.kind == ExprKind::kSet || x.kind == ExprKind::kList ||
           (x.kind == ExprKind::kQuant && (x.quant == ast::QuantKind::kFilter || x.quant == ast::QuantKind::kMap));
  };
  bool literal_first = adapts(*e.args[0]) && !adapts(*e.args[1]);
  const Type* a = nullptr;
  const Type* b = nullptr;
  // Both sides are sets: the expected set (or a set of anything) is the hint for the first checked.
  const Type* hint = expected && expected->kind == TypeKind::kSet ? expected : types_.Set(types_.Any());
  if (literal_first) {
    b = CheckExpr(*e.args[1], ctx, hint);
    a = CheckExpr(*e.args[0], ctx, b->kind == TypeKind::kSet ? b : hint);
  } else {
    a = CheckExpr(*e.args[0], ctx, adapts(*e.args[0]) ? hint : expected);
    b = CheckExpr(*e.args[1], ctx, a->kind == TypeKind::kSet ? a : hint);
  }
  if (a->kind == TypeKind::kError || b->kind == TypeKind::kError) return Err();
  for (const Expr* side : {e.args[0].get(), e.args[1].get()}) {
    const Type* t = side == e.args[0].get() ? a : b;
    if (t->kind == TypeKind::kSet) continue;
    diags_.Error("E0230", side->span, fmt::format("`{}` needs a set on both sides, found `{}`", ast::SetOpText(e.set_op),
                                                  types_.Name(t)))
        .help = t->kind == TypeKind::kList ? "a list keeps order and repeats: `let s: set<T> = map x in LIST: x` makes a "
                                             "set of it (a `map` gives a set where one is expected)"
                                           : "";
    return Err();
  }
  const Type* u = Unify(types_, a, b);
  if (!u) {
    diags_.Error("E0230", e.span, fmt::format("`{}` needs sets of the same type, found `{}` and `{}`",
                                              ast::SetOpText(e.set_op), types_.Name(a), types_.Name(b)));
    return Err();
  }
  return u;
}

// `filter` and `map` make a list over a list and a set over a set, or a set where one is expected
// (`then kinds = map a in activities: a.kind` with `kinds: set<Kind>`).
const Type* Checker::CheckQuant(Expr& e, const Context& ctx, const Type* expected) {
  const Type* coll = CheckExpr(*e.args[0], ctx);
  const Type* elem = Err();
  if (coll->kind == TypeKind::kSet || coll->kind == TypeKind::kList) {
    elem = coll->elem;
  } else if (coll->kind != TypeKind::kError) {
    diags_.Error("E0218", e.args[0]->span,
                 fmt::format("`{}` needs a list or a set to range over, found `{}`", ast::QuantText(e.quant),
                             types_.Name(coll)));
  }
  int slot = static_cast<int>(locals_.size());
  locals_.push_back(Local{e.name, elem, slot});
  p_.max_locals = std::max(p_.max_locals, slot + 1);
  e.index = slot;
  std::vector<std::string> narrowed = Shadow(e.name);
  const Type* result = Err();
  Expr& body = *e.args[1];
  const Type* want = expected && expected->kind == TypeKind::kOptional ? expected->elem : expected;
  bool want_set = want && want->kind == TypeKind::kSet;
  // `where W: BODY`: the body is read only for the elements where W holds (narrowed by it).
  if (e.args.size() > 2) ExpectType(*e.args[2], ctx, types_.Bool(), "the condition after `where`");
  {
    Assumed where = Assume(e.args.size() > 2 ? e.args[2].get() : nullptr, true);
    switch (e.quant) {
      case ast::QuantKind::kAny:
      case ast::QuantKind::kAll:
        ExpectType(body, ctx, types_.Bool(), "the condition of a quantifier");
        result = types_.Bool();
        break;
      case ast::QuantKind::kCount:
        ExpectType(body, ctx, types_.Bool(), "the condition of `count`");
        result = types_.Int();
        break;
      case ast::QuantKind::kSum: {
        const Type* t = CheckExpr(body, ctx);
        if (IsNumeric(t) || t->kind == TypeKind::kDuration || t->kind == TypeKind::kError) result = t;
        else diags_.Error("E0219", body.span, fmt::format("cannot sum `{}` values", types_.Name(t)));
        break;
      }
      case ast::QuantKind::kMin:
      case ast::QuantKind::kMax: {
        const Type* t = CheckExpr(body, ctx);
        if (IsOrdered(t) || t->kind == TypeKind::kError) result = t;
        else diags_.Error("E0217", body.span, fmt::format("`{}` values cannot be ordered", types_.Name(t)));
        break;
      }
      case ast::QuantKind::kFilter:
        ExpectType(body, ctx, types_.Bool(), "the condition of `filter`");
        result = coll->kind == TypeKind::kError ? Err() : want_set ? types_.Set(elem) : coll;
        break;
      case ast::QuantKind::kMap: {
        const Type* t = CheckExpr(body, ctx);
        if (t->kind == TypeKind::kError || coll->kind == TypeKind::kError) break;
        if (t->kind == TypeKind::kAny || (t->elem && t->elem->kind == TypeKind::kAny)) {
          diags_.Error("E0230", body.span, "the value of `map` needs a type of its own (an empty literal has none)");
          break;
        }
        if (coll->kind == TypeKind::kSet || want_set) {
          if (t->kind == TypeKind::kRecord || t->kind == TypeKind::kList || t->kind == TypeKind::kSet ||
              t->kind == TypeKind::kOptional) {
            diags_.Error("E0202", body.span,
                         fmt::format("a set cannot hold `{}`, the value of this `map`", types_.Name(t)))
                .help = "sets hold bool, int, decimal, text, date, duration or enum values; map a list to get a list";
            break;
          }
          result = types_.Set(t);
        } else {
          result = types_.List(t);
        }
        break;
      }
    }
  }  // the narrowing of `where` ends
  locals_.pop_back();
  present_ = std::move(narrowed);
  return result;
}

const Type* Checker::CheckCall(Expr& e, const Context& ctx, const Type* expected) {
  auto it = globals_.find(e.name);
  if (it != globals_.end() && (it->second.kind == SymKind::kFunction || it->second.kind == SymKind::kTable)) {
    MarkUsed(e.name);
    if (ctx.law_date) {  // a function or table may read params, whose versions the law date chooses
      diags_.Error("E0110", e.span, fmt::format("{} `{}` cannot be used in {}", SymKindName(it->second.kind), e.name, ctx.what))
          .help = "the law date decides which versions of params and rules apply, so it is taken from facts only";
      for (auto& a : e.args) CheckExpr(*a, ctx);
      return Err();
    }
    const std::vector<const Type*>* params;
    const Type* result;
    std::vector<std::string> names;
    if (it->second.kind == SymKind::kFunction) {
      e.ref = RefKind::kFunction;
      FunctionSymbol& f = p_.functions[it->second.index];
      params = &f.params;
      result = f.result;
    } else {
      e.ref = RefKind::kTable;
      TableSymbol& t = p_.tables[it->second.index];
      params = &t.params;
      result = t.call;
    }
    e.index = it->second.index;
    if (e.args.size() != params->size()) {
      diags_.Error("E0220", e.span,
                   fmt::format("`{}` takes {} argument{}, found {}", e.name, params->size(),
                               params->size() == 1 ? "" : "s", e.args.size()));
      for (auto& a : e.args) CheckExpr(*a, ctx);
      return result;
    }
    for (size_t i = 0; i < e.args.size(); ++i) {
      ExpectType(*e.args[i], ctx, (*params)[i], fmt::format("argument {} of `{}`", i + 1, e.name));
    }
    return result;
  }
  return CheckBuiltin(e, ctx, expected);
}

const Type* Checker::CheckRecordLit(Expr& e, const Context& ctx, const Type* expected) {
  const Type* want = expected;
  if (want && want->kind == TypeKind::kOptional) want = want->elem;
  if (!want || want->kind != TypeKind::kRecord) {
    diags_.Error("E0222", e.span, "a record value can only be written where its record type is known")
        .help = "record values are written in `given` lines and as field values of other records";
    for (auto& a : e.args) CheckExpr(*a, ctx);
    return Err();
  }
  const RecordInfo& r = types_.record_info(want->index);
  e.record_order.assign(r.fields.size(), -1);
  for (size_t i = 0; i < e.args.size(); ++i) {
    int f = r.Find(e.field_names[i]);
    if (f < 0) {
      std::vector<std::string> names;
      for (auto& fi : r.fields) names.push_back(fi.name);
      diags_.Error("E0113", e.field_spans[i],
                   fmt::format("`{}` has no field `{}`", r.name, e.field_names[i]))
          .help = Suggest(e.field_names[i], names);
      CheckExpr(*e.args[i], ctx);
      continue;
    }
    if (e.record_order[f] >= 0) {
      diags_.Error("E0115", e.field_spans[i], fmt::format("field `{}` is given twice", e.field_names[i]));
      continue;
    }
    e.record_order[f] = static_cast<int>(i);
    ExpectType(*e.args[i], ctx, r.fields[f].type, fmt::format("field `{}`", e.field_names[i]));
  }
  // Facts in a test may be completed by other `given` lines: they are checked as facts when the
  // test runs. Everywhere else a value must be whole.
  if (!ctx.partial_records) {
    std::vector<std::string> missing;
    for (size_t f = 0; f < r.fields.size(); ++f) {
      if (e.record_order[f] < 0 && !r.fields[f].has_default && r.fields[f].type->kind != TypeKind::kOptional) {
        missing.push_back(r.fields[f].name);
      }
    }
    if (!missing.empty()) {
      diags_.Error("E0228", e.span, fmt::format("this `{}` value has no {}", r.name, JoinNames(missing)))
          .help = "give every field that has no default and is not optional";
    }
  }
  return want;
}

// `match` on an enum, or on an optional enum with a `none` arm (or `_`); in the other arms the
// scrutinee is present (narrowed, when it is a path).
const Type* Checker::CheckMatch(Expr& e, const Context& ctx, const Type* expected) {
  const Type* t = CheckExpr(*e.args[0], ctx);
  bool optional = t->kind == TypeKind::kOptional && t->elem->kind == TypeKind::kEnum;
  const Type* et = optional ? t->elem : t;
  if (et->kind != TypeKind::kEnum) {
    if (t->kind != TypeKind::kError) {
      diags_.Error("E0223", e.args[0]->span, fmt::format("`match` needs an enum value, found `{}`", types_.Name(t)))
          .help = t->kind == TypeKind::kOptional ? "give a default first: `match x ?? value { ... }`" : "";
    }
    for (auto& arm : e.arms) CheckExpr(*arm.body, ctx, expected);
    return Err();
  }
  const EnumInfo& info = types_.enum_info(et->index);
  const int none = static_cast<int>(info.variants.size());  // the variant index of `none`
  std::vector<int> covered(info.variants.size() + (optional ? 1 : 0), -1);
  bool wildcard = false;
  bool unknown_pattern = false;
  const Type* result = nullptr;
  bool none_arm = std::any_of(e.arms.begin(), e.arms.end(), [](const ast::MatchArm& a) {
    return std::find(a.patterns.begin(), a.patterns.end(), "none") != a.patterns.end();
  });
  for (size_t ai = 0; ai < e.arms.size(); ++ai) {
    ast::MatchArm& arm = e.arms[ai];
    if (wildcard) {
      diags_.Error("E0224", arm.span, "this arm is never reached: `_` above matches everything");
    }
    if (arm.patterns.empty()) wildcard = true;
    bool matches_none = arm.patterns.empty() ? !none_arm : false;
    for (size_t pi = 0; pi < arm.patterns.size(); ++pi) {
      int v = arm.patterns[pi] == "none" ? none : info.Find(arm.patterns[pi]);
      if (v == none && !optional) {
        diags_.Error("E0207", arm.pattern_spans[pi],
                     fmt::format("`none` matches an absent value, but the value matched is `{}`, never absent",
                                 types_.Name(t)));
        unknown_pattern = true;
        continue;
      }
      if (v < 0) {
        auto& d = diags_.Error("E0112", arm.pattern_spans[pi],
                               fmt::format("enum `{}` has no value `{}`", info.name, arm.patterns[pi]));
        d.help = Suggest(arm.patterns[pi], info.variants);
        unknown_pattern = true;
        continue;
      }
      if (covered[v] >= 0) {
        diags_.Error("E0225", arm.pattern_spans[pi], fmt::format("`{}` is matched twice", arm.patterns[pi]));
      }
      covered[v] = static_cast<int>(ai);
      arm.variants.push_back(v);
      matches_none = matches_none || v == none;
    }
    const Type* bt;
    {
      Assumed present = optional && !matches_none ? AssumePresent(*e.args[0]) : Assume(nullptr, true);
      bt = CheckExpr(*arm.body, ctx, expected ? expected : result);
    }
    if (!result) {
      result = bt;
    } else {
      const Type* u = Unify(types_, result, bt);
      if (!u) {
        diags_.Error("E0208", arm.body->span,
                     fmt::format("the arms of `match` have different types: `{}` and `{}`",
                                 types_.Name(result), types_.Name(bt)));
        result = Err();
      } else {
        result = u;
      }
    }
  }
  if (!wildcard && !unknown_pattern) {  // a misspelt pattern is reported once, not twice
    std::vector<std::string> missing;
    for (size_t v = 0; v < covered.size(); ++v) {
      if (covered[v] < 0) missing.push_back(static_cast<int>(v) == none ? "none" : info.variants[v]);
    }
    if (!missing.empty()) {
      auto& d = diags_.Error("E0226", e.span,
                             fmt::format("`match` does not cover {} of `{}`", JoinNames(missing), types_.Name(t)));
      d.help = "add an arm for each missing value, or `_ => ...`";
    }
  }
  return result ? result : Err();
}

}  // namespace proviso::check_internal
