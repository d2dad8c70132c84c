// The translation of quantifiers, calendar arithmetic and builtins to Z3: the civil calendar in
// integer arithmetic with constant divisors (H. Hinnant's algorithms, as compiler/support/calendar.cc).
#include <fmt/format.h>

#include "compiler/support/calendar.h"
#include "compiler/verify/symbolic.h"

namespace proviso::verify::internal {
namespace {

using ast::BinOp;
using ir::Expr;

// Floor division by a positive constant (Z3's integer division is Euclidean).
z3::expr FloorDiv(const z3::expr& a, int64_t k) { return a / a.ctx().int_val(k); }

z3::expr DaysFromCivil(const z3::expr& y0, const z3::expr& m, const z3::expr& d) {
  z3::context& c = y0.ctx();
  z3::expr y = y0 - z3::ite(m <= 2, c.int_val(1), c.int_val(0));
  z3::expr era = FloorDiv(y, 400);
  z3::expr yoe = y - era * c.int_val(400);
  z3::expr doy = FloorDiv(c.int_val(153) * z3::ite(m > 2, m - 3, m + 9) + 2, 5) + d - 1;
  z3::expr doe = yoe * c.int_val(365) + FloorDiv(yoe, 4) - FloorDiv(yoe, 100) + doy;
  return era * c.int_val(146097) + doe - c.int_val(719468);
}

z3::expr DaysInMonth(const z3::expr& y, const z3::expr& m) {
  z3::context& c = y.ctx();
  z3::expr leap = (z3::mod(y, 4) == 0 && z3::mod(y, 100) != 0) || z3::mod(y, 400) == 0;
  z3::expr feb = z3::ite(leap, c.int_val(29), c.int_val(28));
  z3::expr thirty = m == 4 || m == 6 || m == 9 || m == 11;
  return z3::ite(m == 2, feb, z3::ite(thirty, c.int_val(30), c.int_val(31)));
}

bool IsZero(const z3::expr& e) {
  int64_t v = 0;
  return e.simplify().is_numeral_i64(v) && v == 0;
}

}  // namespace

// The civil date of a day number: fresh year, month and day defined by the day they make (a
// definition asserted with the facts' validity; DaysFromCivil is a bijection), which the solver
// handles far better than the divisions of the inverse algorithm.
Translator::Civil Translator::CivilOf(const z3::expr& days) {
  int n = static_cast<int>(defs_.size());
  z3::expr y = c_.int_const(fmt::format("civil#{}#y", n).c_str());
  z3::expr m = c_.int_const(fmt::format("civil#{}#m", n).c_str());
  z3::expr d = c_.int_const(fmt::format("civil#{}#d", n).c_str());
  defs_.push_back(m >= 1 && m <= 12 && d >= 1 && d <= DaysInMonth(y, m) && days == DaysFromCivil(y, m, d));
  return Civil{y, m, d};
}

z3::expr Translator::AddMonths(const z3::expr& days, const z3::expr& months) {
  Civil civ = CivilOf(days);
  z3::expr total = civ.y * c_.int_val(12) + (civ.m - 1) + months;
  z3::expr y = FloorDiv(total, 12);
  z3::expr m = total - y * c_.int_val(12) + 1;
  z3::expr dim = DaysInMonth(y, m);
  return DaysFromCivil(y, m, z3::ite(civ.d > dim, dim, civ.d));
}

// date + duration (whole days), or instant + duration, within years 1 to 9999 (Evaluator::Shift).
Sym Translator::Shift(const Expr& e, const Sym& base, const Sym& d, int sign) {
  bool instant = base.kind == TypeKind::kDateTime;
  z3::expr s = c_.int_val(sign);
  if (!instant) {
    Fail(z3::mod(d.v, static_cast<int>(kSecondsPerDay)) != 0,
         fmt::format("`{}` adds a duration that is not whole days to a date", Src(e)), e.span());
  }
  z3::expr bounded = d.months <= c_.int_val(kMaxMonths) && d.months >= c_.int_val(-kMaxMonths) &&
                     d.v <= c_.int_val(kMaxSeconds) && d.v >= c_.int_val(-kMaxSeconds);
  Sym r(c_);
  r.kind = base.kind;
  if (instant) {
    z3::expr day = FloorDiv(base.v, kSecondsPerDay);
    z3::expr tod = base.v - day * c_.int_val(kSecondsPerDay);
    z3::expr moved = IsZero(d.months) ? day : AddMonths(day, s * d.months);
    r.v = moved * c_.int_val(kSecondsPerDay) + tod + s * d.v;
    bounded = bounded && r.v >= c_.int_val(kFirstSecond) && r.v <= c_.int_val(kLastSecond);
  } else {
    z3::expr moved = IsZero(d.months) ? base.v : AddMonths(base.v, s * d.months);
    r.v = moved + s * (d.v / c_.int_val(kSecondsPerDay));
    bounded = bounded && r.v >= c_.int_val(kFirstDay) && r.v <= c_.int_val(kLastDay);
  }
  Fail(!bounded, fmt::format("`{}` moves the date outside the calendar (years 1 to 9999)", Src(e)), e.span());
  return r;
}

// `any`, `all`, `count`, `sum`, `min`, `max`, `filter`, `map` over the candidates of a set (or a
// constant list). Over an enum's set the candidates are in the interpreter's order (by variant),
// so `any` and `all` stop where it stops; otherwise every element's failures count (more than the
// interpreter may meet: such a counterexample does not replay and is reported, never a proof).
Sym Translator::Quant(const Expr& e) {
  Sym coll = Eval(*e.args[0]);
  if (coll.kind != TypeKind::kSet && coll.kind != TypeKind::kList) throw Unsupported("a quantifier over this value", e.span());
  bool ordered = coll.kind == TypeKind::kList || (!coll.elems.empty() && coll.elems.size() == coll.members.size() &&
                                                  e.args[0]->type->elem->kind == TypeKind::kEnum);
  const Expr* where = e.args.size() > 2 ? e.args[2].get() : nullptr;
  Sym saved = locals_[e.index];
  Sym out(c_);
  out.kind = e.type->kind;
  z3::expr decided = c_.bool_val(false);  // any/all: an earlier element decided
  z3::expr acc_any = c_.bool_val(false), acc_all = c_.bool_val(true);
  z3::expr count = c_.int_val(0);
  std::optional<Sym> acc;
  z3::expr has = c_.bool_val(false);
  std::vector<Sym> made;
  std::vector<z3::expr> made_in;
  for (size_t k = 0; k < coll.elems.size(); ++k) {
    locals_[e.index] = coll.elems[k];
    z3::expr reach = coll.members[k];
    if (ordered) reach = reach && !decided;
    z3::expr w = where ? Under(reach, [&] { return Eval(*where).v; }) : c_.bool_val(true);
    z3::expr on = reach && w;
    Sym v = Under(on, [&] { return Eval(*e.args[1]); });
    z3::expr live = coll.members[k] && w;
    switch (e.quant) {
      case ast::QuantKind::kAny:
        acc_any = acc_any || (live && v.v);
        decided = decided || (live && v.v);
        break;
      case ast::QuantKind::kAll:
        acc_all = acc_all && (!live || v.v);
        decided = decided || (live && !v.v);
        break;
      case ast::QuantKind::kCount: count = count + z3::ite(live && v.v, c_.int_val(1), c_.int_val(0)); break;
      case ast::QuantKind::kSum: {
        if (!acc) acc = Default(e.type);
        ir::Expr add;
        add.source = e.source;
        add.bop = BinOp::kAdd;
        Sym next = Under(live, [&] { return Arith(add, *acc, v); });
        acc = Ite(live, next, *acc);
        break;
      }
      case ast::QuantKind::kMin:
      case ast::QuantKind::kMax: {
        z3::expr better = c_.bool_val(true);
        if (acc) {
          better = Under(live && has, [&] {
            return CompareOp(e, e.quant == ast::QuantKind::kMin ? BinOp::kLt : BinOp::kGt, v, *acc);
          });
        }
        z3::expr take = live && (!has || better);
        acc = acc ? Ite(take, v, *acc) : v;
        has = has || live;
        break;
      }
      case ast::QuantKind::kFilter:
        made.push_back(coll.elems[k]);
        made_in.push_back(live && v.v);
        break;
      case ast::QuantKind::kMap:
        made.push_back(v);
        made_in.push_back(live);
        break;
    }
  }
  locals_[e.index] = saved;
  switch (e.quant) {
    case ast::QuantKind::kAny: out.v = acc_any; return out;
    case ast::QuantKind::kAll: out.v = acc_all; return out;
    case ast::QuantKind::kCount: out.v = count; return out;
    case ast::QuantKind::kSum: return acc ? *acc : Default(e.type);
    case ast::QuantKind::kMin:
    case ast::QuantKind::kMax:
      Fail(!has, fmt::format("`{}` of an empty collection has no value", e.quant == ast::QuantKind::kMin ? "min" : "max"),
           e.span());
      if (!acc) return Default(e.type);
      return *acc;
    case ast::QuantKind::kFilter:
    case ast::QuantKind::kMap: {
      if (e.type->kind == TypeKind::kList) {  // the elements in order, where they are kept
        out.elems = made;
        out.members = made_in;
        out.gapped = true;
        return out;
      }
      if (e.quant == ast::QuantKind::kFilter) {
        out.elems = made;
        out.members = made_in;
        return out;
      }
      // map into a set: candidates may repeat; keep the first live copy of each
      out.elems = made;
      for (size_t i = 0; i < made.size(); ++i) {
        z3::expr fresh = made_in[i];
        for (size_t j = 0; j < i; ++j) fresh = fresh && !(made_in[j] && Equal(made[j], made[i]));
        out.members.push_back(fresh);
      }
      return Coerce(out, e.type);
    }
  }
  return out;
}

Sym Translator::Builtin(const Expr& e) {
  std::vector<Sym> a;
  for (auto& x : e.args) a.push_back(Eval(*x));
  Sym r(c_);
  r.kind = e.type->kind;
  auto day = [&](const Sym& s) { return s.kind == TypeKind::kDateTime ? FloorDiv(s.v, kSecondsPerDay) : s.v; };
  switch (e.builtin) {
    case ast::Builtin::kMin:
    case ast::Builtin::kMax: {
      BinOp better = e.builtin == ast::Builtin::kMin ? BinOp::kLt : BinOp::kGt;
      if (a.size() == 1) {  // of a collection: the best live element; none is a failure
        std::optional<Sym> best;
        z3::expr has = c_.bool_val(false);
        for (size_t k = 0; k < a[0].elems.size(); ++k) {
          const Sym& x = a[0].elems[k];
          z3::expr live = a[0].members[k];
          z3::expr take = live;
          if (best) take = take && (!has || Under(live && has, [&] { return CompareOp(e, better, x, *best); }));
          best = best ? Ite(take, x, *best) : x;
          has = has || live;
        }
        Fail(!has, fmt::format("`{}` of an empty collection has no value", e.builtin == ast::Builtin::kMin ? "min" : "max"),
             e.span());
        return best ? *best : Default(e.type);
      }
      Sym best = a[0];
      for (size_t k = 1; k < a.size(); ++k) best = Ite(CompareOp(e, better, a[k], best), a[k], best);
      return best;
    }
    case ast::Builtin::kCount: {
      z3::expr n = c_.int_val(0);
      for (auto& m : a[0].members) n = n + z3::ite(m, c_.int_val(1), c_.int_val(0));
      r.v = n;
      return r;
    }
    case ast::Builtin::kSum: {
      Sym acc = Default(e.type);
      ir::Expr add;
      add.source = e.source;
      add.bop = BinOp::kAdd;
      for (size_t k = 0; k < a[0].elems.size(); ++k) {
        Sym next = Under(a[0].members[k], [&] { return Arith(add, acc, a[0].elems[k]); });
        acc = Ite(a[0].members[k], next, acc);
      }
      return acc;
    }
    case ast::Builtin::kYear: r.v = CivilOf(day(a[0])).y; return r;
    case ast::Builtin::kMonth: r.v = CivilOf(day(a[0])).m; return r;
    case ast::Builtin::kDay: r.v = CivilOf(day(a[0])).d; return r;
    case ast::Builtin::kWeekday: r.v = z3::mod(day(a[0]) + 3, 7) + 1; return r;
    case ast::Builtin::kHour:
    case ast::Builtin::kMinute:
    case ast::Builtin::kSecond: {
      z3::expr tod = a[0].v - FloorDiv(a[0].v, kSecondsPerDay) * c_.int_val(kSecondsPerDay);
      r.v = e.builtin == ast::Builtin::kHour     ? FloorDiv(tod, 3600)
            : e.builtin == ast::Builtin::kMinute ? FloorDiv(z3::mod(tod, 3600), 60)
                                                 : z3::mod(tod, 60);
      return r;
    }
    case ast::Builtin::kDays:
    case ast::Builtin::kHours:
    case ast::Builtin::kMinutes:
    case ast::Builtin::kSeconds: {
      Fail(a[0].months != 0, "a duration of months has no fixed number of days", e.span());
      int64_t unit = e.builtin == ast::Builtin::kDays      ? kSecondsPerDay
                     : e.builtin == ast::Builtin::kHours   ? 3600
                     : e.builtin == ast::Builtin::kMinutes ? 60
                                                           : 1;
      r.v = TruncDiv(a[0].v, c_.int_val(unit));
      return r;
    }
    case ast::Builtin::kFirstDayOfMonth:
    case ast::Builtin::kLastDayOfMonth:
    case ast::Builtin::kFirstDayOfYear:
    case ast::Builtin::kLastDayOfYear: {
      Civil civ = CivilOf(a[0].v);
      switch (e.builtin) {
        case ast::Builtin::kFirstDayOfMonth: r.v = DaysFromCivil(civ.y, civ.m, c_.int_val(1)); break;
        case ast::Builtin::kLastDayOfMonth: r.v = DaysFromCivil(civ.y, civ.m, DaysInMonth(civ.y, civ.m)); break;
        case ast::Builtin::kFirstDayOfYear: r.v = DaysFromCivil(civ.y, c_.int_val(1), c_.int_val(1)); break;
        default: r.v = DaysFromCivil(civ.y, c_.int_val(12), c_.int_val(31)); break;
      }
      return r;
    }
    case ast::Builtin::kDate: {
      if (a.size() == 3) {
        const z3::expr &y = a[0].v, &mo = a[1].v, &d = a[2].v;
        Fail(y < 1 || y > 9999 || mo < 1 || mo > 12 || d < 1 || d > DaysInMonth(y, mo),
             fmt::format("`{}` is not a date", Src(e)), e.span());
        r.v = DaysFromCivil(y, mo, d);
        return r;
      }
      if (a.size() == 2) throw Unsupported("`date` of an instant at an offset", e.span());
      r.v = FloorDiv(a[0].v, kSecondsPerDay);
      return r;
    }
    case ast::Builtin::kDateTime: {
      if (a.size() == 1) {
        r.v = a[0].v * c_.int_val(kSecondsPerDay);
        return r;
      }
      const z3::expr &h = a[1].v, &mi = a[2].v, &sec = a[3].v;
      Fail(h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 59,
           fmt::format("`{}` is not a time of day", Src(e)), e.span());
      r.v = a[0].v * c_.int_val(kSecondsPerDay) + h * 3600 + mi * 60 + sec;
      return r;
    }
    default: break;
  }
  throw Unsupported(fmt::format("the builtin in `{}`", Src(e)), e.span());
}

}  // namespace proviso::verify::internal
