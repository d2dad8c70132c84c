// Calls of the builtin functions: min, max, count, sum; the calendar (year, weekday, date,
// datetime, months_between ...); working days (is_working_day, working_days_between).
#include "compiler/check/checker_impl.h"

#include <map>
#include <string>

#include <fmt/format.h>

namespace proviso::check_internal {

namespace {

// The builtin functions by name (also listed by proviso::BuiltinNames, for the language server).
const std::map<std::string, ast::Builtin>& BuiltinTable() {
  using B = ast::Builtin;
  static const std::map<std::string, ast::Builtin> kBuiltins = {
      {"min", B::kMin}, {"max", B::kMax}, {"count", B::kCount}, {"sum", B::kSum},
      {"year", B::kYear}, {"month", B::kMonth}, {"day", B::kDay}, {"weekday", B::kWeekday},
      {"hour", B::kHour}, {"minute", B::kMinute}, {"second", B::kSecond},
      {"days", B::kDays}, {"hours", B::kHours}, {"minutes", B::kMinutes}, {"seconds", B::kSeconds},
      {"first_day_of_month", B::kFirstDayOfMonth}, {"last_day_of_month", B::kLastDayOfMonth},
      {"first_day_of_year", B::kFirstDayOfYear}, {"last_day_of_year", B::kLastDayOfYear},
      {"date", B::kDate}, {"datetime", B::kDateTime}, {"months_between", B::kMonthsBetween},
      {"is_working_day", B::kIsWorkingDay}, {"working_days_between", B::kWorkingDaysBetween}};
  return kBuiltins;
}

}  // namespace

// `e` calls no function or table of the policy: a builtin, or an unknown name.
const Type* Checker::CheckBuiltin(Expr& e, const Context& ctx, const Type* expected) {
  using B = ast::Builtin;
  const std::map<std::string, ast::Builtin>& kBuiltins = BuiltinTable();
  auto b = kBuiltins.find(e.name);
  if (b == kBuiltins.end()) {
    std::vector<std::string> names;
    for (auto& [n, s] : globals_) if (s.kind == SymKind::kFunction || s.kind == SymKind::kTable) names.push_back(n);
    for (auto& [n, _] : kBuiltins) names.push_back(n);
    unknown_uses_.push_back(e.name);
    auto& d = diags_.Error("E0114", e.span, fmt::format("unknown function `{}`", e.name));
    d.help = Suggest(e.name, names);
    for (auto& a : e.args) CheckExpr(*a, ctx);
    return Err();
  }
  e.ref = RefKind::kBuiltin;
  e.builtin = b->second;
  auto arity = [&](size_t n) {
    if (e.args.size() == n) return true;
    diags_.Error("E0220", e.span, fmt::format("`{}` takes {} argument{}, found {}", e.name, n, n == 1 ? "" : "s", e.args.size()));
    for (auto& a : e.args) CheckExpr(*a, ctx);
    return false;
  };
  switch (b->second) {
    case ast::Builtin::kMin:
    case ast::Builtin::kMax: {
      if (e.args.size() == 1) {  // min(list)
        const Type* t = CheckExpr(*e.args[0], ctx);
        if ((t->kind == TypeKind::kList || t->kind == TypeKind::kSet) && IsOrdered(t->elem)) return t->elem;
        if (t->kind == TypeKind::kError) return t;
        diags_.Error("E0221", e.args[0]->span,
                     fmt::format("`{}` needs ordered values (or a list of them), found `{}`", e.name, types_.Name(t)));
        return Err();
      }
      if (e.args.empty()) return arity(2) ? Err() : Err();
      const Type* t = CheckExpr(*e.args[0], ctx, expected);
      for (size_t i = 1; i < e.args.size(); ++i) {
        const Type* u = CheckExpr(*e.args[i], ctx, t);
        if (u != t && u->kind != TypeKind::kError && t->kind != TypeKind::kError) {
          Mismatch(*e.args[i], t, u, fmt::format("argument {} of `{}`", i + 1, e.name));
        }
      }
      if (!IsOrdered(t) && t->kind != TypeKind::kError) {
        diags_.Error("E0221", e.span, fmt::format("`{}` needs ordered values, found `{}`", e.name, types_.Name(t)));
        return Err();
      }
      return t;
    }
    case ast::Builtin::kCount: {
      if (!arity(1)) return types_.Int();
      const Type* t = CheckExpr(*e.args[0], ctx);
      if (t->kind != TypeKind::kList && t->kind != TypeKind::kSet && t->kind != TypeKind::kError) {
        diags_.Error("E0221", e.args[0]->span, fmt::format("`count` needs a list or a set, found `{}`", types_.Name(t)));
      }
      return types_.Int();
    }
    case ast::Builtin::kSum: {
      if (!arity(1)) return Err();
      const Type* t = CheckExpr(*e.args[0], ctx);
      if ((t->kind == TypeKind::kList || t->kind == TypeKind::kSet) &&
          (IsNumeric(t->elem) || t->elem->kind == TypeKind::kDuration)) {
        return t->elem;
      }
      if (t->kind != TypeKind::kError) {
        diags_.Error("E0221", e.args[0]->span, fmt::format("`sum` needs a list of numbers, found `{}`", types_.Name(t)));
      }
      return Err();
    }
    case B::kYear:
    case B::kMonth:
    case B::kDay:
    case B::kWeekday:
      if (arity(1)) DateOrInstant(*e.args[0], ctx, fmt::format("the argument of `{}`", e.name));
      return types_.Int();
    case B::kHour:
    case B::kMinute:
    case B::kSecond:
      if (arity(1)) ExpectType(*e.args[0], ctx, types_.DateTime(), fmt::format("the argument of `{}`", e.name));
      return types_.Int();
    case B::kDays:
    case B::kHours:
    case B::kMinutes:
    case B::kSeconds:
      if (arity(1)) ExpectType(*e.args[0], ctx, types_.Duration(), fmt::format("the argument of `{}`", e.name));
      return types_.Int();
    case B::kFirstDayOfMonth:
    case B::kLastDayOfMonth:
    case B::kFirstDayOfYear:
    case B::kLastDayOfYear:
      if (arity(1)) ExpectType(*e.args[0], ctx, types_.Date(), fmt::format("the argument of `{}`", e.name));
      return types_.Date();
    case B::kDate:
      if (e.args.size() == 3) {  // date(year, month, day)
        for (size_t i = 0; i < 3; ++i) ExpectType(*e.args[i], ctx, types_.Int(), fmt::format("argument {} of `date`", i + 1));
        return types_.Date();
      }
      if (e.args.size() == 1 || e.args.size() == 2) {  // date(t), date(t, offset)
        ExpectType(*e.args[0], ctx, types_.DateTime(), "the instant of `date`");
        if (e.args.size() == 2) ExpectType(*e.args[1], ctx, types_.Duration(), "the offset from UTC of `date`");
        return types_.Date();
      }
      diags_.Error("E0220", e.span, fmt::format("`date` takes 1 (an instant), 2 (an instant and an offset from UTC) or "
                                                "3 arguments (year, month, day), found {}", e.args.size()));
      for (auto& a : e.args) CheckExpr(*a, ctx);
      return types_.Date();
    case B::kDateTime:
      if (e.args.size() == 1 || e.args.size() == 4) {  // datetime(d), datetime(d, hour, minute, second)
        ExpectType(*e.args[0], ctx, types_.Date(), "the date of `datetime`");
        for (size_t i = 1; i < e.args.size(); ++i) {
          ExpectType(*e.args[i], ctx, types_.Int(), fmt::format("argument {} of `datetime`", i + 1));
        }
        return types_.DateTime();
      }
      diags_.Error("E0220", e.span, fmt::format("`datetime` takes 1 (a date) or 4 arguments (a date, hour, minute, "
                                                "second), found {}", e.args.size()));
      for (auto& a : e.args) CheckExpr(*a, ctx);
      return types_.DateTime();
    case B::kMonthsBetween:
      if (arity(2)) {
        ExpectType(*e.args[0], ctx, types_.Date(), "the first date of `months_between`");
        ExpectType(*e.args[1], ctx, types_.Date(), "the second date of `months_between`");
      }
      return types_.Int();
    case B::kIsWorkingDay:
    case B::kWorkingDaysBetween: {
      size_t dates = b->second == B::kIsWorkingDay ? 1 : 2;
      if (e.args.size() != dates && e.args.size() != dates + 1) {
        arity(dates);
        return b->second == B::kIsWorkingDay ? types_.Bool() : types_.Int();
      }
      for (size_t i = 0; i < dates; ++i) {
        ExpectType(*e.args[i], ctx, types_.Date(), fmt::format("argument {} of `{}`", i + 1, e.name));
      }
      if (e.args.size() > dates) {
        Expr& cal = *e.args[dates];
        if (cal.kind != ExprKind::kName) {
          diags_.Error("E0123", cal.span, fmt::format("the last argument of `{}` names a calendar", e.name));
        } else {
          e.calendar = ResolveCalendar(cal.name, cal.span);
          cal.type = types_.Bool();  // not a value: the calendar named
        }
      } else {
        e.calendar = ResolveCalendar("", e.span);
      }
      return b->second == B::kIsWorkingDay ? types_.Bool() : types_.Int();
    }
  }
  return Err();
}

}  // namespace proviso::check_internal

namespace proviso {

std::vector<std::string> BuiltinNames() {
  std::vector<std::string> names;
  for (const auto& [name, b] : check_internal::BuiltinTable()) names.push_back(name);
  return names;
}

}  // namespace proviso
