// Expressions in the reference interpreter: operators, arithmetic and comparisons, quantifiers and
// builtins, with unknown values as evaluator.h says.
#include <algorithm>
#include <iterator>
#include <optional>
#include <vector>

#include <fmt/format.h>

#include "compiler/interp/evaluator.h"
#include "compiler/support/budget.h"

namespace proviso::interp::internal {

Value Evaluator::Eval(const Expr& e) {
  switch (e.op) {
    case Op::kConst: return e.constant;
    case Op::kInput: return facts_.elems().at(e.index);
    case Op::kParam: return Param(e);
    case Op::kItem: return frame_.element;
    case Op::kLet: return LetValue(e.index);
    case Op::kOutput: return Output(e.index);
    case Op::kLocal: return locals_.at(e.index);
    case Op::kAsOf: return Value::Date(opts_.as_of);
    case Op::kNow: return Value::DateTime(opts_.now());
    case Op::kWorkingDays: {
      Value n = Eval(*e.args[0]);
      Value d = Eval(*e.args[1]);
      if (n.is_unknown() || d.is_unknown()) return UnknownOf({&n, &d});
      const WorkingCalendar& cal = p_.calendars.at(e.index);
      int64_t steps = e.negated ? -n.i : n.i;
      int64_t out = 0;
      if (n.i == INT64_MIN || !cal.AddWorkingDays(d.i, steps, &out)) WorkingDaysOutside(e, cal, d.i, steps);
      return Value::Date(out);
    }
    case Op::kField: {
      Value base = Eval(*e.args[0]);
      if (base.is_unknown()) return base;  // a record not known: nor are its fields
      if (base.is_none()) Fail(e, fmt::format("`{}` is absent", Src(*e.args[0])));
      return base.elems().at(e.index);
    }
    case Op::kNeg: {
      Value v = Eval(*e.args[0]);
      if (v.is_unknown()) return v;
      if (v.kind == Value::Kind::kInt && v.i == INT64_MIN) Fail(e, "integer overflow");
      v.i = -v.i;
      v.months = -v.months;
      return v;
    }
    case Op::kNot: return KleeneNot(Eval(*e.args[0]));
    case Op::kAnd: {  // the right side only where the left does not decide
      Value a = Eval(*e.args[0]);
      if (IsFalse(a)) return a;
      return KleeneAnd(a, Eval(*e.args[1]));
    }
    case Op::kOr: {
      Value a = Eval(*e.args[0]);
      if (IsTrue(a)) return a;
      return KleeneOr(a, Eval(*e.args[1]));
    }
    case Op::kArith: {
      Value a = Eval(*e.args[0]);
      Value b = Eval(*e.args[1]);
      if (a.is_unknown() || b.is_unknown()) return UnknownOf({&a, &b});
      return Arith(e, a, b);
    }
    case Op::kCompare: {  // records and lists of facts compare whole: any unknown field makes it unknown
      Value a = Eval(*e.args[0]);
      Value b = Eval(*e.args[1]);
      if (HasUnknownPart(a) || HasUnknownPart(b)) return DeepUnknownOf(a, b);
      return Value::Bool(CompareOp(e, e.bop, a, b));
    }
    case Op::kIn: {
      Value x = Eval(*e.args[0]);
      Value coll = Eval(*e.args[1]);
      if (HasUnknownPart(x) || HasUnknownPart(coll)) return DeepUnknownOf(x, coll);
      const auto& xs = coll.elems();
      bool found = coll.kind == Value::Kind::kSet
                       ? std::binary_search(xs.begin(), xs.end(), x,
                                            [](const Value& a, const Value& b) { return Compare(a, b) < 0; })
                       : std::find(xs.begin(), xs.end(), x) != xs.end();
      return Value::Bool(found != e.negated);
    }
    case Op::kCoalesce: {  // the default only when the value is known to be absent
      Value a = Eval(*e.args[0]);
      return a.is_none() ? Eval(*e.args[1]) : a;
    }
    case Op::kIsPresent: {
      Value a = Eval(*e.args[0]);
      if (a.is_unknown()) return a;
      return Value::Bool(a.is_none() == e.negated);
    }
    case Op::kUnwrap: {
      Value v = Eval(*e.args[0]);
      if (v.is_none()) Fail(e, fmt::format("internal error: `{}` is absent where it was known present", Src(e)));
      return v;
    }
    case Op::kIf: {
      Value c = Eval(*e.args[0]);
      if (c.is_unknown()) return c;
      return c.b() ? Eval(*e.args[1]) : Eval(*e.args[2]);
    }
    case Op::kQuant: return Quant(e);
    case Op::kSetOp: return SetOp(e);
    case Op::kItemOutput:
    case Op::kItemLet: return ItemOf(e);
    case Op::kIsEmpty: {
      Value a = Eval(*e.args[0]);
      if (a.is_unknown()) return a;
      return Value::Bool(a.elems().empty() != e.negated);
    }
    case Op::kMakeList:
    case Op::kMakeSet:
    case Op::kMakeRecord: {  // one unknown part: the whole value is unknown
      std::vector<Value> items;
      Missing m;
      for (auto& a : e.args) {
        items.push_back(Eval(*a));
        AddMissing(m, items.back());
      }
      if (!m.empty()) return Value::Unknown(m);
      if (e.op == Op::kMakeRecord) return Value::Record(std::move(items));
      return e.op == Op::kMakeSet ? Value::Set(std::move(items)) : Value::List(std::move(items));
    }
    case Op::kMatch: {
      Value s = Eval(*e.args[0]);
      if (s.is_unknown()) return s;
      int arm = s.is_none() ? e.arm_of_variant.back() : e.arm_of_variant.at(s.i);
      return Eval(*e.args[1 + arm]);
    }
    case Op::kCall: return InFrame(e, [&] { return Eval(*p_.functions[e.index].body); });
    case Op::kTable: return Table(e);
    case Op::kBuiltin: return Builtin(e);
  }
  Fail(e, "internal error: unknown operation");
}

int64_t Evaluator::Add(const Expr& e, int64_t a, int64_t b) {
  int64_t r;
  if (__builtin_add_overflow(a, b, &r)) Fail(e, "number overflow");
  return r;
}

int64_t Evaluator::Sub(const Expr& e, int64_t a, int64_t b) {
  int64_t r;
  if (__builtin_sub_overflow(a, b, &r)) Fail(e, "number overflow");
  return r;
}

int64_t Evaluator::Mul(const Expr& e, int64_t a, int64_t b) {
  int64_t r;
  if (__builtin_mul_overflow(a, b, &r)) Fail(e, "number overflow");
  return r;
}

void Evaluator::WorkingDaysOutside(const Expr& e, const WorkingCalendar& cal, int64_t day, int64_t steps) {
  if (!cal.Covers(day)) Fail(e, cal.OutsideMessage(day));
  Fail(e, fmt::format("`{}` falls {} the years calendar `{}` covers ({} to {})", Src(e), steps > 0 ? "after" : "before",
                      cal.name(), cal.first_year(), cal.last_year()));
}

// date + duration (whole days: a date has no time of day), or instant + duration, within the
// calendar (years 1 to 9999).
Value Evaluator::Shift(const Expr& e, const Value& base, Duration d, int sign) {
  bool instant = base.kind == Value::Kind::kDateTime;
  int64_t date = base.i;
  if (!instant && !d.WholeDays()) {
    Fail(e, fmt::format("`{}` adds `{}` to a date, which has no time of day: make the date a date-time with "
                        "`datetime(...)`, or add whole days",
                        Src(e), FormatDuration(d)));
  }
  int64_t r = 0;
  bool inside = d.months <= kMaxMonths && d.months >= -kMaxMonths && d.seconds <= kMaxSeconds &&
                d.seconds >= -kMaxSeconds &&
                (instant ? ((r = AddDurationToInstant(date, d, sign)) >= kFirstSecond && r <= kLastSecond)
                         : ((r = AddDuration(date, d, sign)) >= kFirstDay && r <= kLastDay));
  if (inside) return instant ? Value::DateTime(r) : Value::Date(r);
  // An obligation's `deadline D after E` is E + D with the source of E (ir/lower.cc): name the
  // whole clause, not the event date.
  bool deadline = e.source && e.args.size() == 2 && e.args[0]->source == e.source;
  std::string what = deadline ? fmt::format("{} after {}", Src(*e.args[1]), Src(*e.args[0])) : Src(e);
  throw EvalError(fmt::format("`{}` moves the date outside the calendar (years 1 to 9999)", what),
                  deadline ? e.args[1]->span().To(e.args[0]->span()) : e.span());
}

Value Evaluator::Arith(const Expr& e, const Value& a, const Value& b) {
  using K = Value::Kind;
  switch (e.bop) {
    case BinOp::kAdd:
      if ((a.kind == K::kDate || a.kind == K::kDateTime) && b.kind == K::kDuration) return Shift(e, a, b.duration(), 1);
      if (a.kind == K::kDuration && (b.kind == K::kDate || b.kind == K::kDateTime)) return Shift(e, b, a.duration(), 1);
      if (a.kind == K::kDuration) return Value::Dur({Add(e, a.months, b.months), Add(e, a.i, b.i)});
      {
        Value v = a;
        v.i = Add(e, a.i, b.i);
        return v;
      }
    case BinOp::kSub:
      if ((a.kind == K::kDate || a.kind == K::kDateTime) && b.kind == K::kDuration) return Shift(e, a, b.duration(), -1);
      if (a.kind == K::kDate && b.kind == K::kDate) return Value::Dur(Duration::Days(a.i - b.i));
      if (a.kind == K::kDateTime && b.kind == K::kDateTime) return Value::Dur({0, a.i - b.i});
      if (a.kind == K::kDuration) return Value::Dur({Sub(e, a.months, b.months), Sub(e, a.i, b.i)});
      {
        Value v = a;
        v.i = Sub(e, a.i, b.i);
        return v;
      }
    case BinOp::kMul:
      if (a.kind == K::kDuration) return Value::Dur({Mul(e, a.months, b.i), Mul(e, a.i, b.i)});
      if (b.kind == K::kDuration) return Value::Dur({Mul(e, b.months, a.i), Mul(e, b.i, a.i)});
      if (a.kind == K::kDecimal) {
        __int128 p = static_cast<__int128>(a.i) * b.i / 1000000;
        if (p > INT64_MAX || p < INT64_MIN) Fail(e, "number overflow");
        return Value::Decimal(static_cast<int64_t>(p));
      }
      return Value::Int(Mul(e, a.i, b.i));
    case BinOp::kDiv:
      if (a.kind == K::kDuration) {  // duration / duration: how many times the one fits in the other
        if (a.months == 0 && b.months == 0 && b.i != 0) return Value::Int(b.i == -1 ? Sub(e, 0, a.i) : a.i / b.i);
        if (a.i == 0 && b.i == 0 && b.months != 0) {
          return Value::Int(b.months == -1 ? Sub(e, 0, a.months) : a.months / b.months);
        }
        if (b.i == 0 && b.months == 0) Fail(e, fmt::format("division by zero in `{}`", Src(e)));
        Fail(e, fmt::format("cannot divide `{}` by `{}`: a month has no fixed number of days",
                            FormatDuration(a.duration()), FormatDuration(b.duration())));
      }
      if (b.i == 0) Fail(e, fmt::format("division by zero in `{}`", Src(e)));
      if (a.kind == K::kDecimal) {
        __int128 q = static_cast<__int128>(a.i) * 1000000 / b.i;
        if (q > INT64_MAX || q < INT64_MIN) Fail(e, "number overflow");
        return Value::Decimal(static_cast<int64_t>(q));
      }
      if (a.i == INT64_MIN && b.i == -1) Fail(e, "number overflow");
      return Value::Int(a.i / b.i);
    default: break;
  }
  Fail(e, "internal error: bad arithmetic");
}

// The language's comparison of known values. Durations mixing months and days have no order.
bool Evaluator::CompareOp(const Expr& e, BinOp op, const Value& a, const Value& b) {
  if (op == BinOp::kEq) return a == b;
  if (op == BinOp::kNe) return a != b;
  int c;
  if (a.kind == Value::Kind::kDuration) {
    if (a.months == 0 && b.months == 0) {
      c = a.i < b.i ? -1 : a.i > b.i;
    } else if (a.i == 0 && b.i == 0) {
      c = a.months < b.months ? -1 : a.months > b.months;
    } else {
      Fail(e, fmt::format("cannot compare `{}` with `{}`: a month has no fixed number of days",
                          FormatDuration(a.duration()), FormatDuration(b.duration())));
    }
  } else {
    c = a.i < b.i ? -1 : a.i > b.i;
  }
  switch (op) {
    case BinOp::kLt: return c < 0;
    case BinOp::kLe: return c <= 0;
    case BinOp::kGt: return c > 0;
    case BinOp::kGe: return c >= 0;
    default: return false;
  }
}

// `any` and `all` decide on the first element that decides them, whatever is unknown before it;
// otherwise an unknown element makes them unknown. `count`, `sum`, `min`, `max`, `filter` and `map`
// are unknown when an element's value is (every element is still evaluated). `where W` (of `sum`,
// `min`, `max` and `map`: lowering folds it into the others' condition) skips the elements where W
// is false; an element where W is unknown is unknown.
Value Evaluator::Quant(const Expr& e) {
  Value coll = Eval(*e.args[0]);
  if (coll.is_unknown()) return coll;
  const auto& xs = coll.elems();
  Value saved = locals_[e.index];
  struct Restore {
    Evaluator* self;
    int slot;
    Value* saved;
    ~Restore() { self->locals_[slot] = std::move(*saved); }
  } restore{this, e.index, &saved};
  const Expr* where = e.args.size() > 2 ? e.args[2].get() : nullptr;
  std::optional<Value> acc;
  int64_t count = 0;
  std::vector<Value> made;  // filter, map
  Missing m;
  for (const Value& x : xs) {
    if (--budget_left_ < 0) throw EvalError(OverBudgetMessage(EffectiveBudget(opts_.budget)), e.span());
    locals_[e.index] = x;
    if (where) {
      Value w = Eval(*where);
      if (w.is_unknown()) {
        AddMissing(m, w);
        continue;
      }
      if (!w.b()) continue;
    }
    Value v = Eval(*e.args[1]);
    if (v.is_unknown()) {
      AddMissing(m, v);
      continue;
    }
    switch (e.quant) {
      case ast::QuantKind::kAny:
        if (v.b()) return Value::Bool(true);
        break;
      case ast::QuantKind::kAll:
        if (!v.b()) return Value::Bool(false);
        break;
      case ast::QuantKind::kCount: count += v.b(); break;
      case ast::QuantKind::kSum: acc = acc ? Arith(AddExpr(e), *acc, v) : v; break;
      case ast::QuantKind::kMin:
      case ast::QuantKind::kMax: {
        bool better = !acc || CompareOp(e, e.quant == ast::QuantKind::kMin ? BinOp::kLt : BinOp::kGt, v, *acc);
        if (better) acc = v;
        break;
      }
      case ast::QuantKind::kFilter:
        if (v.b()) made.push_back(x);
        break;
      case ast::QuantKind::kMap: made.push_back(std::move(v)); break;
    }
  }
  if (!m.empty()) return Value::Unknown(m);
  switch (e.quant) {
    case ast::QuantKind::kAny: return Value::Bool(false);
    case ast::QuantKind::kAll: return Value::Bool(true);
    case ast::QuantKind::kCount: return Value::Int(count);
    case ast::QuantKind::kSum: return acc ? *acc : Zero(e.type);
    case ast::QuantKind::kFilter:
    case ast::QuantKind::kMap:
      return e.type->kind == TypeKind::kSet ? Value::Set(std::move(made)) : Value::List(std::move(made));
    default:
      if (!acc) Fail(e, fmt::format("`{}` of an empty collection has no value", e.quant == ast::QuantKind::kMin ? "min" : "max"));
      return *acc;
  }
}

// `a union b`, `a intersect b`, `a minus b` on two sets (sorted, without repeats).
Value Evaluator::SetOp(const Expr& e) {
  Value a = Eval(*e.args[0]);
  Value b = Eval(*e.args[1]);
  if (HasUnknownPart(a) || HasUnknownPart(b)) return DeepUnknownOf(a, b);
  const auto& xs = a.elems();
  const auto& ys = b.elems();
  auto less = [](const Value& p, const Value& q) { return Compare(p, q) < 0; };
  std::vector<Value> out;
  switch (static_cast<ast::SetOp>(e.index)) {
    case ast::SetOp::kUnion: std::set_union(xs.begin(), xs.end(), ys.begin(), ys.end(), std::back_inserter(out), less); break;
    case ast::SetOp::kIntersect:
      std::set_intersection(xs.begin(), xs.end(), ys.begin(), ys.end(), std::back_inserter(out), less);
      break;
    case ast::SetOp::kMinus:
      std::set_difference(xs.begin(), xs.end(), ys.begin(), ys.end(), std::back_inserter(out), less);
      break;
  }
  return Value::Set(std::move(out));
}

const Expr& Evaluator::AddExpr(const Expr& e) {
  add_expr_.source = e.source;
  add_expr_.bop = BinOp::kAdd;
  return add_expr_;
}

Value Evaluator::Zero(const Type* t) {
  switch (t->kind) {
    case TypeKind::kDecimal: return Value::Decimal(0);
    case TypeKind::kDuration: return Value::Dur({0, 0});
    default: return Value::Int(0);
  }
}

// The first is the best so far and is not compared with itself: a duration of months and days is
// ordered against nothing, not even itself, but a single one is its own least and greatest.
Value Evaluator::Best(const Expr& e, const std::vector<Value>& xs, BinOp better) {
  Value best = xs[0];
  for (size_t k = 1; k < xs.size(); ++k) if (CompareOp(e, better, xs[k], best)) best = xs[k];
  return best;
}

// Every argument is evaluated first; an unknown one makes the call unknown.
Value Evaluator::Builtin(const Expr& e) {
  size_t n = e.args.size();
  std::vector<Value> a;
  a.reserve(n);
  Missing m;
  for (auto& x : e.args) {
    a.push_back(Eval(*x));
    AddMissing(m, a.back());
  }
  if (!m.empty()) return Value::Unknown(m);
  auto day = [&](const Value& v) { return v.kind == Value::Kind::kDateTime ? DayOf(v.i) : v.i; };
  switch (e.builtin) {
    case ast::Builtin::kMin:
    case ast::Builtin::kMax: {
      BinOp better = e.builtin == ast::Builtin::kMin ? BinOp::kLt : BinOp::kGt;
      std::vector<Value> xs = n == 1 ? a[0].elems() : a;
      if (xs.empty()) Fail(e, fmt::format("`{}` of an empty collection has no value", e.builtin == ast::Builtin::kMin ? "min" : "max"));
      return Best(e, xs, better);
    }
    case ast::Builtin::kCount: return Value::Int(static_cast<int64_t>(a[0].elems().size()));
    case ast::Builtin::kSum: {
      Value acc = Zero(e.type);
      for (const Value& v : a[0].elems()) acc = Arith(AddExpr(e), acc, v);
      return acc;
    }
    case ast::Builtin::kYear: return Value::Int(CivilFromDays(day(a[0])).year);
    case ast::Builtin::kMonth: return Value::Int(CivilFromDays(day(a[0])).month);
    case ast::Builtin::kDay: return Value::Int(CivilFromDays(day(a[0])).day);
    case ast::Builtin::kWeekday: return Value::Int(Weekday(day(a[0])));
    case ast::Builtin::kHour:
    case ast::Builtin::kMinute:
    case ast::Builtin::kSecond: {
      int64_t t = a[0].i;
      int64_t tod = t - DayOf(t) * kSecondsPerDay;
      return Value::Int(e.builtin == ast::Builtin::kHour     ? tod / 3600
                        : e.builtin == ast::Builtin::kMinute ? tod % 3600 / 60
                                                             : tod % 60);
    }
    case ast::Builtin::kDays:
    case ast::Builtin::kHours:
    case ast::Builtin::kMinutes:
    case ast::Builtin::kSeconds: {
      const Value& d = a[0];
      if (d.months != 0) Fail(e, fmt::format("`{}` has no fixed number of days", FormatDuration(d.duration())));
      int64_t unit = e.builtin == ast::Builtin::kDays    ? kSecondsPerDay
                     : e.builtin == ast::Builtin::kHours ? 3600
                     : e.builtin == ast::Builtin::kMinutes ? 60
                                                           : 1;
      return Value::Int(d.i / unit);
    }
    case ast::Builtin::kFirstDayOfMonth:
    case ast::Builtin::kLastDayOfMonth:
    case ast::Builtin::kFirstDayOfYear:
    case ast::Builtin::kLastDayOfYear: {
      CivilDate c = CivilFromDays(a[0].i);
      switch (e.builtin) {
        case ast::Builtin::kFirstDayOfMonth: return Value::Date(DaysFromCivil(c.year, c.month, 1));
        case ast::Builtin::kLastDayOfMonth: return Value::Date(DaysFromCivil(c.year, c.month, DaysInMonth(c.year, c.month)));
        case ast::Builtin::kFirstDayOfYear: return Value::Date(DaysFromCivil(c.year, 1, 1));
        default: return Value::Date(DaysFromCivil(c.year, 12, 31));
      }
    }
    case ast::Builtin::kDate: {
      if (n == 3) {  // date(year, month, day)
        int64_t y = a[0].i, mo = a[1].i, d = a[2].i;
        if (y < 1 || y > 9999 || mo < 1 || mo > 12 || d < 1 || d > DaysInMonth(static_cast<int>(y), static_cast<int>(mo))) {
          Fail(e, fmt::format("`{}` is not a date: year {}, month {}, day {}", Src(e), y, mo, d));
        }
        return Value::Date(DaysFromCivil(static_cast<int>(y), static_cast<int>(mo), static_cast<int>(d)));
      }
      int64_t t = a[0].i;
      if (n == 2) {  // the local date at UTC + offset
        Duration offset = a[1].duration();
        if (offset.months != 0 || offset.seconds <= -kSecondsPerDay || offset.seconds >= kSecondsPerDay) {
          Fail(e, fmt::format("`{}` is not an offset from UTC (less than a day, no months)", FormatDuration(offset)));
        }
        t += offset.seconds;
      }
      return Value::Date(DayOf(t));
    }
    case ast::Builtin::kDateTime: {
      int64_t d = a[0].i;
      if (n == 1) return Value::DateTime(d * kSecondsPerDay);
      int64_t h = a[1].i, mi = a[2].i, sec = a[3].i;
      if (h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 59) {
        Fail(e, fmt::format("`{}` is not a time of day: hour {}, minute {}, second {}", Src(e), h, mi, sec));
      }
      return Value::DateTime(d * kSecondsPerDay + h * 3600 + mi * 60 + sec);
    }
    case ast::Builtin::kMonthsBetween: return Value::Int(MonthsBetween(a[0].i, a[1].i));
    case ast::Builtin::kIsWorkingDay: {
      const WorkingCalendar& cal = p_.calendars.at(e.index);
      if (!cal.Covers(a[0].i)) Fail(e, cal.OutsideMessage(a[0].i));
      return Value::Bool(cal.IsWorking(a[0].i));
    }
    case ast::Builtin::kWorkingDaysBetween: {
      const WorkingCalendar& cal = p_.calendars.at(e.index);
      int64_t count = 0;
      if (!cal.WorkingDaysBetween(a[0].i, a[1].i, &count)) Fail(e, cal.OutsideMessage(cal.Covers(a[0].i) ? a[1].i : a[0].i));
      return Value::Int(count);
    }
  }
  Fail(e, "internal error: bad builtin");
}

}  // namespace proviso::interp::internal
