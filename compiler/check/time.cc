// Dates, date-times and durations (what the checker knows of them before evaluation), and
// working-day calendars: their declarations and the names that choose one.
#include "compiler/check/checker_impl.h"

#include <map>
#include <set>
#include <string>

#include <fmt/format.h>

namespace proviso::check_internal {

// The value of a duration known when the policy is checked: a literal, sums and differences of
// them, a negation, a param whose versions all are such constants (the longest of their seconds
// that is not whole days). nullopt when it depends on facts.
std::optional<Duration> Checker::ConstDuration(const Expr& e) {
  switch (e.kind) {
    case ExprKind::kDuration: {
      int64_t n = e.int_value;
      switch (e.unit) {
        case ast::DurationUnit::kSecond: return Duration{0, n};
        case ast::DurationUnit::kMinute: return Duration{0, 60 * n};
        case ast::DurationUnit::kHour: return Duration{0, 3600 * n};
        case ast::DurationUnit::kDay: return Duration::Days(n);
        case ast::DurationUnit::kWeek: return Duration::Days(7 * n);
        case ast::DurationUnit::kMonth: return Duration::Months(n);
        case ast::DurationUnit::kYear: return Duration::Months(12 * n);
      }
      return std::nullopt;
    }
    case ExprKind::kNeg: {
      auto d = ConstDuration(*e.args[0]);
      if (d) return Duration{-d->months, -d->seconds};
      return std::nullopt;
    }
    case ExprKind::kBinary: {
      if (e.op != ast::BinOp::kAdd && e.op != ast::BinOp::kSub) return std::nullopt;
      auto a = ConstDuration(*e.args[0]);
      auto b = ConstDuration(*e.args[1]);
      if (!a || !b) return std::nullopt;
      int sign = e.op == ast::BinOp::kAdd ? 1 : -1;
      return Duration{a->months + sign * b->months, a->seconds + sign * b->seconds};
    }
    case ExprKind::kName:
      if (e.ref == RefKind::kParam && e.index >= 0) {
        for (const ast::ParamDecl* v : p_.params[e.index].versions) {
          auto d = ConstDuration(*v->value);
          if (d && !d->WholeDays()) return d;
        }
      }
      return std::nullopt;
    default: return std::nullopt;
  }
}

// `date + d` where `d` is known to have a part of a day: an error, since a date has no time of day.
const Type* Checker::CheckWholeDays(const Expr& e, const Expr& duration, const Type* date) {
  auto d = ConstDuration(duration);
  if (d && !d->WholeDays()) {
    diags_.Error("E0229", e.span,
                 fmt::format("a date has no time of day, so `{}` cannot be added to or subtracted from it",
                             ast::ToSource(duration)))
        .help = "make the date an instant with `datetime(d)` (00:00 UTC), or use whole days (`3 days`)";
  }
  return date;
}

void Checker::DeclareCalendars() {
  for (auto& m : p_.modules) {
    for (const ast::CalendarDecl& c : m->calendars) {
      auto [it, fresh] = calendar_index_.emplace(c.name, static_cast<int>(p_.calendars.size()));
      if (!fresh) {
        diags_.Error("E0101", c.span, fmt::format("calendar `{}` is declared twice", c.name))
            .notes.push_back({p_.calendars[it->second]->span, "first declared here"});
        continue;
      }
      CheckCalendar(c);
      p_.calendars.push_back(&c);
    }
  }
}

void Checker::CheckCalendar(const ast::CalendarDecl& c) {
  if (c.last_year < c.first_year) {
    diags_.Error("E0506", c.span, fmt::format("calendar `{}` does not say which years it covers", c.name)).help =
        "add `years FIRST..LAST`: a date outside them is an evaluation error, never a guess";
    return;
  }
  if (c.first_year < 1 || c.last_year > 9999 || c.last_year - c.first_year >= 200) {
    diags_.Error("E0506", c.years_span, fmt::format("calendar `{}` covers years {} to {}", c.name, c.first_year, c.last_year))
        .help = "a calendar covers at most 200 years, within years 1 to 9999";
    return;
  }
  if (!c.has_weekend) {
    diags_.Error("E0506", c.span, fmt::format("calendar `{}` does not say which days are the weekend", c.name)).help =
        "add `weekend saturday, sunday` (or the days it has)";
  }
  int64_t first = DaysFromCivil(c.first_year, 1, 1), last = DaysFromCivil(c.last_year, 12, 31);
  std::map<int64_t, const ast::CalendarDays*> seen;
  for (const ast::CalendarDays& d : c.days) {
    if (d.until < d.from) {
      diags_.Error("E0506", d.span, "this range of days is empty: it ends before it starts");
      continue;
    }
    if (d.from < first || d.until > last) {
      diags_.Error("E0506", d.span,
                   fmt::format("{} is outside the years calendar `{}` covers ({} to {})",
                               FormatDate(d.from < first ? d.from : d.until), c.name, c.first_year, c.last_year));
      continue;
    }
    for (int64_t day = d.from; day <= d.until; ++day) {
      auto [it, fresh] = seen.emplace(day, &d);
      if (!fresh) {
        auto& diag = diags_.Error("E0506", d.span, fmt::format("{} is listed twice in calendar `{}`", FormatDate(day), c.name));
        diag.notes.push_back({it->second->span, "first listed here"});
        break;
      }
      if (d.working && !(c.weekend >> Weekday(day) & 1u)) {
        diags_.Warning("W0104", d.span,
                       fmt::format("{} is not a weekend day, so listing it as a working day changes nothing",
                                   FormatDate(day)))
            .help = "`working` lists the weekend days that are working days";
      }
    }
  }
  std::set<int> sourced;
  for (size_t i = 0; i < c.sources.size(); ++i) {
    int year = c.sources[i].first;
    if (year < c.first_year || year > c.last_year) {
      diags_.Error("E0506", c.source_spans[i],
                   fmt::format("calendar `{}` does not cover {}, so it has no source for it", c.name, year));
    }
    sourced.insert(year);
  }
  for (int year = c.first_year; year <= c.last_year; ++year) {
    if (sourced.count(year)) continue;
    diags_.Warning("W0104", c.years_span, fmt::format("calendar `{}` cites no source for {}", c.name, year))
        .help = fmt::format("add `source {} \"...\"`: where the year's holidays come from", year);
    break;
  }
}

// The calendar `name` names, or the only one when `name` is empty. -1 (reported) when none fits.
int Checker::ResolveCalendar(const std::string& name, Span span) {
  if (!name.empty()) {
    auto it = calendar_index_.find(name);
    if (it != calendar_index_.end()) return it->second;
    std::vector<std::string> names;
    for (auto& [n, _] : calendar_index_) names.push_back(n);
    auto& d = diags_.Error("E0123", span, fmt::format("unknown calendar `{}`", name));
    d.help = Suggest(name, names);
    return -1;
  }
  if (p_.calendars.size() == 1) return 0;
  if (p_.calendars.empty()) {
    diags_.Error("E0123", span, "working days need a calendar, and none is declared or imported")
        .help = "import one (`import \"../calendars/cn_official.proviso\"`) or declare a `calendar`";
    return -1;
  }
  std::vector<std::string> names;
  for (const ast::CalendarDecl* c : p_.calendars) names.push_back(c->name);
  diags_.Error("E0124", span, fmt::format("several calendars are visible ({}): say which", JoinNames(names)))
      .help = fmt::format("write `... working days of {} after ...`", p_.calendars.front()->name);
  return -1;
}


// A date, or an instant (whose UTC day is taken).
void Checker::DateOrInstant(Expr& e, const Context& ctx, const std::string& what) {
  const Type* t = CheckExpr(e, ctx);
  if (t->kind != TypeKind::kDate && t->kind != TypeKind::kDateTime) Mismatch(e, types_.Date(), t, what);
}

}  // namespace proviso::check_internal
