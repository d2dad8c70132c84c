#include "tests/differential/fact_gen.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <initializer_list>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <utility>

#include "compiler/check/checker.h"
#include "compiler/interp/facts.h"
#include "compiler/interp/interp.h"
#include "compiler/support/calendar.h"

namespace proviso::testing {
namespace {

const Type* Strip(const Type* t) { return t && t->kind == TypeKind::kOptional ? t->elem : t; }
bool IsKind(const Type* t, TypeKind k) { return t && Strip(t)->kind == k; }

// Calls `f` on the root of every expression of the policy (lets, functions, tables, rules, every
// clause of obligations, `for each` scopes and `law as of`).
template <typename F>
void ForEachRoot(const ir::Program& p, F f) {
  for (const ir::Let& l : p.lets) f(l.value.get());
  for (const ir::Function& fn : p.functions) f(fn.body.get());
  for (const ir::Table& t : p.tables) {
    for (const ir::TableRow& row : t.rows) {
      for (const ir::Cell& cell : row.cells) {
        for (const ir::ExprPtr& v : cell.values) f(v.get());
      }
      f(row.result.get());
    }
    f(t.default_result.get());
  }
  for (const ir::Rule& r : p.rules) {
    f(r.when.get());
    f(r.value.get());
  }
  for (const ir::Obligation& o : p.obligations) {
    for (const ir::ExprPtr* e : {&o.when, &o.deadline, &o.not_before, &o.every, &o.every_from, &o.overdue,
                                 &o.done_at, &o.deleted_at, &o.violated}) {
      f(e->get());
    }
  }
  for (const ir::Scope& s : p.scopes) {
    f(s.collection.get());
    f(s.key.get());
    f(s.law.get());
  }
  f(p.law.get());
}

// The constants of a policy, by kind.
struct Constants {
  std::set<int64_t> ints;
  std::set<int64_t> decimals;  // units of 10^-6
  std::set<int64_t> dates;
  std::set<int64_t> instants;  // datetime constants (seconds)
  std::set<std::pair<int64_t, int64_t>> durations;  // (months, seconds)
  std::set<std::string> texts;
  std::set<int64_t> boundaries;  // effective from/until days
  std::set<int64_t> due_dates;   // of recurring deadlines with a constant period and first due date
  std::set<int64_t> calendar_edges;  // first and last days of each calendar
  bool time = false;  // the policy computes with instants or with parts of a day
};

void AddValue(const Value& v, Constants& c) {
  switch (v.kind) {
    case Value::Kind::kInt: c.ints.insert(v.i); break;
    case Value::Kind::kDecimal: c.decimals.insert(v.i); break;
    case Value::Kind::kText: c.texts.insert(v.text); break;
    case Value::Kind::kDate: c.dates.insert(v.i); break;
    case Value::Kind::kDateTime: c.instants.insert(v.i); break;
    case Value::Kind::kDuration:
      c.durations.insert({v.months, v.i});
      if (v.i % kSecondsPerDay != 0) c.time = true;
      break;
    case Value::Kind::kRecord:
    case Value::Kind::kList:
    case Value::Kind::kSet:
      for (const Value& x : v.elems()) AddValue(x, c);
      break;
    default: break;
  }
}

void AddExpr(const ir::Expr* e, Constants& c) {
  if (!e) return;
  if (e->op == ir::Op::kConst) AddValue(e->constant, c);
  if (e->op == ir::Op::kNow || IsKind(e->type, TypeKind::kDateTime)) c.time = true;
  if (e->op == ir::Op::kBuiltin) {
    switch (e->builtin) {
      case ast::Builtin::kHour: case ast::Builtin::kMinute: case ast::Builtin::kSecond:
      case ast::Builtin::kHours: case ast::Builtin::kMinutes: case ast::Builtin::kSeconds:
        c.time = true;
        break;
      default: break;
    }
  }
  for (const ir::ExprPtr& a : e->args) AddExpr(a.get(), c);
}

void AddEffective(const ir::Effective& e, Constants& c) {
  if (e.from != INT64_MIN) c.boundaries.insert(e.from);
  if (e.until != INT64_MAX) c.boundaries.insert(e.until);
}

// The due dates of a recurring deadline whose period and first due date are constants: from the
// first, at most 12 of them.
void AddDueDates(const ir::Obligation& o, Constants& c) {
  if (o.deadline_kind != ir::DeadlineKind::kRecurring || !o.every || !o.every_from) return;
  if (o.every->op != ir::Op::kConst || o.every_from->op != ir::Op::kConst) return;
  Duration period = o.every->constant.duration();
  int64_t first = o.every_from->constant.i;
  if (period.months < 0 || period.seconds < 0 || (period.months == 0) == (period.seconds == 0) ||
      !period.WholeDays()) {
    return;  // refused at evaluation (a bad period)
  }
  for (int64_t k = 0; k < 12; ++k) {
    int64_t d = period.months ? AddMonths(first, std::min(k * period.months, kMaxMonths))
                              : first + k * (period.seconds / kSecondsPerDay);
    if (d < kFirstDay || d > kLastDay) break;
    c.due_dates.insert(d);
  }
}

Constants Collect(const ir::Program& p) {
  Constants c;
  AddEffective(p.effective, c);
  for (const ir::Param& param : p.params) {
    for (const ir::ParamVersion& v : param.versions) {
      AddValue(v.value, c);
      AddEffective(v.effective, c);
    }
    if (IsKind(param.type, TypeKind::kDateTime)) c.time = true;
  }
  ForEachRoot(p, [&](const ir::Expr* e) { AddExpr(e, c); });
  for (const ir::Rule& r : p.rules) AddEffective(r.effective, c);
  for (const ir::Obligation& o : p.obligations) {
    AddEffective(o.effective, c);
    AddDueDates(o, c);
    if (o.instant) c.time = true;
  }
  for (const auto& record : p.field_defaults) {
    for (const auto& d : record) {
      if (d) AddValue(*d, c);
    }
  }
  for (const auto& record : p.field_checks) {  // the bounds of the schema's constraints
    for (const auto& checks : record) {
      for (const ir::FieldCheck& check : checks) {
        AddValue(check.lo, c);
        if (check.range) AddValue(check.hi, c);
      }
    }
  }
  for (const ir::Test& t : p.tests) {
    for (const auto& [param, value] : t.sets) AddValue(value, c);
  }
  for (const WorkingCalendar& cal : p.calendars) {
    c.calendar_edges.insert(cal.first_day());
    c.calendar_edges.insert(cal.last_day());
  }
  if (!c.instants.empty()) c.time = true;
  return c;
}

// What an int field of the facts is used for, when it feeds a calendar computation.
enum class Role { kNone, kWorkingCount, kYear, kMonth, kDay, kHour, kMinute, kSecond };
using FieldKey = std::pair<int, int>;  // (record, field)

// The int fields (of any record) read by the count of `n working days after d`, or by the parts of
// `date(y, m, d)` and `datetime(d, h, m, s)`, directly or through lets.
class RoleFinder {
 public:
  explicit RoleFinder(const ir::Program& p) : p_(p) {}

  std::map<FieldKey, Role> Find() {
    ForEachRoot(p_, [&](const ir::Expr* e) { Walk(e); });
    return roles_;
  }

 private:
  void Walk(const ir::Expr* e) {
    if (!e) return;
    if (e->op == ir::Op::kWorkingDays && !e->args.empty()) Mark(e->args[0].get(), Role::kWorkingCount, 0);
    if (e->op == ir::Op::kBuiltin && e->builtin == ast::Builtin::kDate && e->args.size() == 3) {
      Mark(e->args[0].get(), Role::kYear, 0);
      Mark(e->args[1].get(), Role::kMonth, 0);
      Mark(e->args[2].get(), Role::kDay, 0);
    }
    if (e->op == ir::Op::kBuiltin && e->builtin == ast::Builtin::kDateTime && e->args.size() == 4) {
      Mark(e->args[1].get(), Role::kHour, 0);
      Mark(e->args[2].get(), Role::kMinute, 0);
      Mark(e->args[3].get(), Role::kSecond, 0);
    }
    for (const ir::ExprPtr& a : e->args) Walk(a.get());
  }

  void Mark(const ir::Expr* e, Role role, int depth) {
    if (!e || depth > 16) return;
    if (IsKind(e->type, TypeKind::kInt)) {
      if (e->op == ir::Op::kInput) roles_.emplace(FieldKey{p_.input_record, e->index}, role);
      if (e->op == ir::Op::kField && !e->args.empty() && IsKind(e->args[0]->type, TypeKind::kRecord)) {
        roles_.emplace(FieldKey{Strip(e->args[0]->type)->index, e->index}, role);
      }
    }
    if (e->op == ir::Op::kLet) Mark(p_.lets[e->index].value.get(), role, depth + 1);
    for (const ir::ExprPtr& a : e->args) Mark(a.get(), role, depth + 1);
  }

  const ir::Program& p_;
  std::map<FieldKey, Role> roles_;
};

// SplitMix64: the same sequence on every platform (std distributions are implementation-defined).
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t Next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  // Uniform in [0, n); n > 0.
  uint64_t Below(uint64_t n) { return Next() % n; }
  // Uniform in [lo, hi].
  int64_t Between(int64_t lo, int64_t hi) {
    return lo + static_cast<int64_t>(Below(static_cast<uint64_t>(hi - lo) + 1));
  }
  // True with probability percent/100.
  bool Percent(int percent) { return Below(100) < static_cast<uint64_t>(percent); }
  template <typename T>
  const T& Pick(const std::vector<T>& xs) { return xs[Below(xs.size())]; }
  template <typename T>
  T Pick(std::initializer_list<T> xs) { return xs.begin()[Below(xs.size())]; }

 private:
  uint64_t state_;
};

const int64_t kMinDate = DaysFromCivil(1, 1, 1);
const int64_t kMaxDate = DaysFromCivil(9999, 12, 31);

int64_t ClampInstant(int64_t t) { return std::clamp(t, kFirstSecond, kLastSecond); }

// The days of a calendar that break its weekly pattern (holidays on weekdays, make-up working days on
// weekend days): for each ISO weekday, the days whose status differs from that of most such days.
std::vector<int64_t> CalendarExceptions(const WorkingCalendar& cal) {
  int working[8] = {0}, total[8] = {0};
  for (int64_t d = cal.first_day(); d <= cal.last_day(); ++d) {
    working[Weekday(d)] += cal.IsWorking(d);
    ++total[Weekday(d)];
  }
  std::vector<int64_t> out;
  for (int64_t d = cal.first_day(); d <= cal.last_day(); ++d) {
    bool usual = 2 * working[Weekday(d)] > total[Weekday(d)];
    if (cal.IsWorking(d) != usual) out.push_back(d);
  }
  return out;
}

// The values the generator draws from, with the neighbours of every constant.
struct Pools {
  std::vector<int64_t> ints;
  std::vector<int64_t> decimals;
  std::vector<int64_t> dates;
  std::vector<int64_t> instants;       // datetime constants ±1 s; first/last seconds of constant dates
  std::vector<Duration> durations;
  std::vector<Duration> shifts;        // duration constants (to move the anchor instant by)
  std::vector<int64_t> day_offsets;    // day-based duration constants ±1 day (for dates from an anchor)
  std::vector<int64_t> month_offsets;  // month-based duration constants
  std::vector<int64_t> calendar_days;  // calendar edges, holidays and make-up days, ±1 day
  std::vector<std::string> texts;
  bool months = false;  // the policy has month-based durations
  bool time = false;    // the policy computes with instants or parts of a day
  int64_t date_lo = 0;
  int64_t date_hi = 0;
};

template <typename T>
std::vector<T> Sorted(const std::set<T>& s) {
  return std::vector<T>(s.begin(), s.end());
}

Pools MakePools(const ir::Program& p) {
  Constants c = Collect(p);
  Pools pools;
  pools.time = c.time;
  std::set<int64_t> ints, decimals, dates, instants, day_offsets, month_offsets, calendar_days;
  for (int64_t x : c.ints) {
    ints.insert(x);
    if (x > INT64_MIN) ints.insert(x - 1);
    if (x < INT64_MAX) ints.insert(x + 1);
  }
  for (int64_t x : c.decimals) {
    for (int64_t d : {int64_t{0}, int64_t{1}, int64_t{-1}, kDecimalScale, -kDecimalScale}) {
      int64_t y;
      if (!__builtin_add_overflow(x, d, &y)) decimals.insert(y);
    }
  }
  std::set<int64_t> all_dates = c.dates;
  all_dates.insert(c.boundaries.begin(), c.boundaries.end());
  all_dates.insert(c.due_dates.begin(), c.due_dates.end());
  for (int64_t d : all_dates) {
    for (int64_t k : {-1, 0, 1}) {
      if (d + k >= kMinDate && d + k <= kMaxDate) dates.insert(d + k);
    }
  }
  for (int64_t t : c.instants) {
    for (int64_t k : {-1, 0, 1}) instants.insert(ClampInstant(t + k));
  }
  for (int64_t d : c.dates) {
    for (int64_t k : {int64_t{-1}, int64_t{0}, int64_t{1}, kSecondsPerDay - 1}) {
      instants.insert(ClampInstant(d * kSecondsPerDay + k));
    }
  }
  for (const WorkingCalendar& cal : p.calendars) {
    std::vector<int64_t> days = CalendarExceptions(cal);
    days.push_back(cal.first_day());
    days.push_back(cal.last_day());
    for (int64_t d : days) {
      for (int64_t k : {-1, 0, 1}) {
        if (d + k >= kMinDate && d + k <= kMaxDate) calendar_days.insert(d + k);
      }
    }
  }
  std::set<std::pair<int64_t, int64_t>> durations;
  for (const auto& [months, seconds] : c.durations) {
    durations.insert({months, seconds});
    pools.shifts.push_back(Duration{months, seconds});
    if (months == 0) {
      // The neighbours: a day, or a second for a duration with a part of a day; both for a policy
      // that computes with instants (72 hours against an elapsed time).
      int64_t step = seconds % kSecondsPerDay == 0 ? kSecondsPerDay : 1;
      durations.insert({0, seconds - step});
      durations.insert({0, seconds + step});
      if (step == kSecondsPerDay && c.time) {
        durations.insert({0, seconds - 1});
        durations.insert({0, seconds + 1});
      }
      if (step == kSecondsPerDay) {
        for (int64_t k : {-1, 0, 1}) day_offsets.insert(seconds / kSecondsPerDay + k);
      }
    } else {
      pools.months = true;
      if (seconds == 0) {
        durations.insert({months - 1, 0});
        durations.insert({months + 1, 0});
        month_offsets.insert(months);
      }
    }
  }
  for (const auto& [months, seconds] : durations) pools.durations.push_back(Duration{months, seconds});
  pools.ints = Sorted(ints);
  pools.decimals = Sorted(decimals);
  pools.dates = Sorted(dates);
  pools.instants = Sorted(instants);
  pools.day_offsets = Sorted(day_offsets);
  pools.month_offsets = Sorted(month_offsets);
  pools.calendar_days = Sorted(calendar_days);
  pools.texts = Sorted(c.texts);
  for (const char* extra : {"", "other", "ZZ", "CN", "US"}) {
    if (!c.texts.count(extra)) pools.texts.push_back(extra);
  }
  std::set<int64_t> range = c.dates;  // not the due dates of recurring deadlines: they go on
  range.insert(c.boundaries.begin(), c.boundaries.end());
  range.insert(c.calendar_edges.begin(), c.calendar_edges.end());
  for (int64_t t : c.instants) range.insert(DayOf(t));
  if (range.empty()) {
    pools.date_lo = DaysFromCivil(2018, 1, 1);
    pools.date_hi = DaysFromCivil(2023, 12, 31);
  } else {
    // A few years around the policy's dates, inside the years a facts file can write.
    pools.date_lo = std::max(*range.begin() - 3 * 365, DaysFromCivil(1900, 1, 1));
    pools.date_hi = std::min(*range.rbegin() + 3 * 365, DaysFromCivil(2200, 12, 31));
    if (pools.date_lo > pools.date_hi) std::swap(pools.date_lo, pools.date_hi);
  }
  return pools;
}

// Where a `done at` / `deleted at` of an obligation reads a fact: the field indexes from the input
// record, and the fact's type (a date or a datetime, maybe optional).
struct Patch {
  int obligation = -1;
  std::vector<int> path;
  const Type* type = nullptr;
};

// The path of input fields that `e` reads (`notified_at`, `call.deleted_on`), or nullopt.
std::optional<std::vector<int>> InputPath(const ir::Expr* e) {
  if (!e) return std::nullopt;
  if (e->op == ir::Op::kInput) return std::vector<int>{e->index};
  if (e->op == ir::Op::kField && !e->args.empty()) {
    auto base = InputPath(e->args[0].get());
    if (!base) return std::nullopt;
    base->push_back(e->index);
    return base;
  }
  return std::nullopt;
}

std::vector<Patch> Patches(const ir::Program& p) {
  std::vector<Patch> out;
  for (size_t k = 0; k < p.obligations.size(); ++k) {
    const ir::Obligation& o = p.obligations[k];
    if (o.scope >= 0) continue;
    if (o.deadline_kind != ir::DeadlineKind::kBy && o.deadline_kind != ir::DeadlineKind::kRetention &&
        o.deadline_kind != ir::DeadlineKind::kRecurring) {
      continue;
    }
    for (const ir::Expr* at : {o.done_at.get(), o.deleted_at.get()}) {
      auto path = InputPath(at);
      if (!path || !(IsKind(at->type, TypeKind::kDate) || IsKind(at->type, TypeKind::kDateTime))) continue;
      out.push_back(Patch{static_cast<int>(k), *path, at->type});
    }
  }
  return out;
}

// An instant as a user may write it: UTC with `Z` or at an offset, with or without seconds and a
// zero fraction.
std::string FormatInstant(int64_t t, Rng& rng) {
  static const int kOffsets[] = {8 * 60, -(5 * 60 + 30), 5 * 60 + 30, -5 * 60, 5 * 60 + 45, 14 * 60, -12 * 60, 0};
  int64_t offset = 0;
  std::string suffix = "Z";
  uint64_t r = rng.Below(100);
  if (r < 40) {
    int minutes = kOffsets[rng.Below(sizeof kOffsets / sizeof kOffsets[0])];
    int a = minutes < 0 ? -minutes : minutes;
    char buf[16];
    std::snprintf(buf, sizeof buf, "%c%02d:%02d", minutes < 0 ? '-' : '+', a / 60, a % 60);
    offset = int64_t{minutes} * 60;
    suffix = buf;
  } else if (r < 43) {
    suffix = "z";
  }
  int64_t local = t + offset;
  if (DayOf(local) < kFirstDay || DayOf(local) > kLastDay) {
    local = t;
    suffix = "Z";
  }
  std::string s = FormatDateTime(local);  // "YYYY-MM-DDTHH:MM:SSZ"
  std::string out = s.substr(0, 19);
  if (local % 60 == 0 && rng.Percent(10)) {
    out = s.substr(0, 16);  // "HH:MM"
  } else if (rng.Percent(15)) {
    out += rng.Pick({".000", ".0", ".000000"});
  }
  return out + suffix;
}

// A duration as a user may write it: "30 days", "72 hours", "90 minutes", "P30D", "PT72H",
// "P1DT2H30M5S", "P1Y2M".
std::string FormatDurationText(const Duration& d, Rng& rng) {
  if (d.seconds < 0 || d.months < 0) return FormatDuration(d);
  int64_t days = d.seconds / kSecondsPerDay, rest = d.seconds % kSecondsPerDay;
  int64_t h = rest / 3600, m = rest % 3600 / 60, s = rest % 60;
  if (days > 999999999 || d.seconds / 3600 > 999999999) return FormatDuration(d);
  uint64_t r = rng.Below(100);
  if (r < 15) {  // ISO 8601 with every part
    std::string out = "P";
    if (d.months >= 12 && d.months % 12 == 0) out += std::to_string(d.months / 12) + "Y";
    else if (d.months) out += std::to_string(d.months) + "M";
    if (days) out += std::to_string(days) + "D";
    if (rest) {
      out += "T";
      if (h) out += std::to_string(h) + "H";
      if (m) out += std::to_string(m) + "M";
      if (s) out += std::to_string(s) + "S";
    }
    if (out == "P") out = rng.Percent(50) ? "P0D" : "PT0S";
    return out;
  }
  if (d.months != 0) return FormatDuration(d);
  auto unit = [](int64_t n, const char* u) { return std::to_string(n) + " " + u + (n == 1 ? "" : "s"); };
  if (r < 25 && d.seconds % 3600 == 0 && d.seconds > 0) return "PT" + std::to_string(d.seconds / 3600) + "H";
  if (r < 30 && d.seconds > 0 && d.seconds <= 999999999) return "PT" + std::to_string(d.seconds) + "S";
  if (r < 45) {  // one unit below a day, as a law writes "72 hours"
    if (d.seconds % 3600 == 0) return unit(d.seconds / 3600, "hour");
    if (d.seconds % 60 == 0) return unit(d.seconds / 60, "minute");
    return unit(d.seconds, "second");
  }
  return FormatDuration(d);
}

class Generator {
 public:
  Generator(const ir::Program& p, uint64_t seed)
      : p_(p), types_(p.types()), pools_(MakePools(p)), roles_(RoleFinder(p).Find()), patches_(Patches(p)),
        rng_(seed) {}

  nlohmann::json Facts() {
    uint64_t r = rng_.Below(100);
    anchor_ = !pools_.dates.empty() && r < 55 ? rng_.Pick(pools_.dates)
              : r < 70                        ? CalendarEdge()  // a month end: months added clamp
                                              : rng_.Between(pools_.date_lo, pools_.date_hi);
    anchor_instant_ = ClampInstant(anchor_ * kSecondsPerDay + TimeOfDay());
    unknowns_ = rng_.Percent(30);
    nlohmann::json facts = Record(p_.input_record);
    if (!patches_.empty() && rng_.Percent(40)) OntoDeadline(facts);
    return facts;
  }

  nlohmann::json Params() {
    anchor_ = rng_.Between(pools_.date_lo, pools_.date_hi);
    anchor_instant_ = ClampInstant(anchor_ * kSecondsPerDay + TimeOfDay());
    nlohmann::json o = nlohmann::json::object();
    for (const ir::Param& pa : p_.params) {
      if (rng_.Percent(20)) continue;  // the param's own value
      const Type* t = pa.type->kind == TypeKind::kOptional ? pa.type->elem : pa.type;
      if (t->kind == TypeKind::kDuration && rng_.Percent(40)) {
        o[pa.name] = FormatDuration(Duration{rng_.Between(1, 24), rng_.Percent(50) ? 0 : rng_.Between(0, 40) * kSecondsPerDay});
      } else {
        o[pa.name] = Of(pa.type);
      }
    }
    return o;
  }

 private:
  // Records nested deeper than kMaxNesting (only a record type that contains itself gets there) have
  // empty lists and sets, absent optionals and record fields left out (not known): otherwise
  // `record R { kids: list<R> }` nests without end (found by fuzz/fuzz_policy).
  static constexpr int kMaxNesting = 8;

  nlohmann::json Record(int record) {
    struct Nest {
      int& depth;
      explicit Nest(int& d) : depth(++d) {}
      ~Nest() { --depth; }
    } nest(depth_);
    const bool deepest = depth_ >= kMaxNesting;
    const RecordInfo& info = types_.record_info(record);
    const auto& defaults = p_.field_defaults.at(record);
    nlohmann::json o = nlohmann::json::object();
    for (size_t i = 0; i < info.fields.size(); ++i) {
      const FieldInfo& f = info.fields[i];
      bool has_default = f.has_default || (i < defaults.size() && defaults[i].has_value());
      if (has_default && rng_.Percent(25)) continue;  // the default applies
      // Left out: not known (booleans most often, as facts a user did not state).
      if (unknowns_ && !has_default && rng_.Percent(f.type->kind == TypeKind::kBool ? 35 : 12)) continue;
      if (f.type->kind == TypeKind::kOptional && (rng_.Percent(20) || deepest)) {
        o[f.name] = nullptr;  // known to be absent
        continue;
      }
      if (deepest && f.type->kind == TypeKind::kRecord) continue;
      auto role = roles_.find({record, static_cast<int>(i)});
      const std::vector<ir::FieldCheck>* checks =
          record < static_cast<int>(p_.field_checks.size()) && i < p_.field_checks[record].size() &&
                  !p_.field_checks[record][i].empty()
              ? &p_.field_checks[record][i]
              : nullptr;
      o[f.name] = Of(f.type->kind == TypeKind::kOptional ? f.type->elem : f.type,
                     role == roles_.end() ? Role::kNone : role->second, checks);
    }
    return o;
  }

  // A value of `t` that satisfies the schema's constraints `checks` (on each element of a list or
  // set): drawn as any other until one does, else a bound that satisfies them all.
  nlohmann::json Of(const Type* t, Role role, const std::vector<ir::FieldCheck>* checks) {
    if (!checks) return Of(t, role);
    if (t->kind == TypeKind::kList || t->kind == TypeKind::kSet) {
      nlohmann::json a = nlohmann::json::array();
      int n = static_cast<int>(rng_.Below(5));
      if (depth_ >= kMaxNesting) n = 0;
      for (int k = 0; k < n; ++k) {
        nlohmann::json x = Of(t->elem, role, checks);
        if (x.is_null()) continue;
        if (t->kind == TypeKind::kSet && std::find(a.begin(), a.end(), x) != a.end()) continue;
        a.push_back(std::move(x));
      }
      return a;
    }
    auto satisfies = [&](const Value& v) {
      return std::none_of(checks->begin(), checks->end(),
                          [&](const ir::FieldCheck& c) { return ir::CheckViolation(v, c, t, types_).has_value(); });
    };
    for (int attempt = 0; attempt < 20; ++attempt) {
      nlohmann::json x = Of(t, role);
      if (satisfies(interp::ValueFromJson(x, t, p_, "generated"))) return x;
    }
    for (const ir::FieldCheck& c : *checks) {  // a bound, or the next value inside it
      for (const Value& bound : {c.lo, c.hi}) {
        if (bound.kind == Value::Kind::kNone) continue;
        int64_t step = bound.kind == Value::Kind::kDuration ? kSecondsPerDay : 1;
        for (int64_t delta : {int64_t{0}, step, -step}) {
          Value v = bound;
          v.i += delta;
          if (satisfies(v)) return interp::ValueToJson(v, t, types_);
        }
      }
    }
    throw std::runtime_error("fact_gen: no value satisfies the constraints of a field of type " + types_.Name(t));
  }

  nlohmann::json Of(const Type* t, Role role = Role::kNone) {
    switch (t->kind) {
      case TypeKind::kOptional:
        if (rng_.Percent(20)) return nullptr;
        return Of(t->elem, role);
      case TypeKind::kBool: return rng_.Percent(50);
      case TypeKind::kInt:
        if (role != Role::kNone && rng_.Percent(70)) return RoleInt(role);
        if (!pools_.ints.empty() && rng_.Percent(65)) return rng_.Pick(pools_.ints);
        return rng_.Between(-5, 200);
      case TypeKind::kDecimal: {
        int64_t units = !pools_.decimals.empty() && rng_.Percent(65)
                            ? rng_.Pick(pools_.decimals)
                            : rng_.Between(-1000, 1000000) * 10000;  // -10.00 .. 10000.00
        if (units % kDecimalScale == 0 && rng_.Percent(50)) return units / kDecimalScale;  // `12` for 12.0
        return static_cast<double>(units) / kDecimalScale;
      }
      case TypeKind::kText:
        if (rng_.Percent(85)) return rng_.Pick(pools_.texts);
        return "t" + std::to_string(rng_.Below(1000));
      case TypeKind::kDate: return FormatDate(Date());
      case TypeKind::kDateTime: return FormatInstant(Instant(), rng_);
      case TypeKind::kDuration: {
        Duration d;
        if (!pools_.durations.empty() && rng_.Percent(70)) {
          d = rng_.Pick(pools_.durations);
        } else if (pools_.months && rng_.Percent(30)) {
          d.months = rng_.Between(0, 36);
          // Sometimes both parts: such a duration is ordered against no other, not even itself.
          if (rng_.Percent(15)) d.seconds = rng_.Between(1, 40) * kSecondsPerDay;
        } else if (pools_.time && rng_.Percent(5)) {  // the largest a fact may be, and the smallest
          d = rng_.Pick<Duration>({Duration{0, kMaxSeconds}, Duration{0, -kMaxSeconds}, Duration{0, 1}, Duration{0, -1},
                                   Duration{0, -3600}});
          if (pools_.months && rng_.Percent(30)) d = Duration{rng_.Percent(50) ? kMaxMonths : -kMaxMonths, 0};
        } else if ((pools_.time && rng_.Percent(50)) || rng_.Percent(3)) {
          d.seconds = PartOfDays();
        } else {
          d.seconds = rng_.Between(0, 800) * kSecondsPerDay;
        }
        return FormatDurationText(d, rng_);
      }
      case TypeKind::kEnum: return rng_.Pick(types_.enum_info(t->index).variants);
      case TypeKind::kRecord: return Record(t->index);
      case TypeKind::kList:
      case TypeKind::kSet: {
        nlohmann::json a = nlohmann::json::array();
        int n = static_cast<int>(rng_.Below(5));
      if (depth_ >= kMaxNesting) n = 0;
        for (int k = 0; k < n; ++k) {
          nlohmann::json x = Of(t->elem, role);
          if (t->kind == TypeKind::kSet && std::find(a.begin(), a.end(), x) != a.end()) continue;
          a.push_back(std::move(x));
        }
        return a;
      }
      default: return nullptr;  // not an input type
    }
  }

  // An int for a calendar computation: the edges of its range, and 0 and negative working days.
  int64_t RoleInt(Role role) {
    switch (role) {
      case Role::kWorkingCount: {
        uint64_t r = rng_.Below(100);
        if (r < 40) return rng_.Pick<int64_t>({0, 0, 1, -1, 2, -2, 3, 5, -5, 10, -10});
        if (r < 70 && !pools_.ints.empty()) {  // minus a constant (±1)
          int64_t x = rng_.Pick(pools_.ints);
          return x == INT64_MIN ? 0 : -x;
        }
        if (r < 90) return rng_.Between(-40, 40);
        return rng_.Pick<int64_t>({250, -250, 1000, -1000, 3000, -3000});  // off the calendar
      }
      case Role::kYear: {
        if (rng_.Percent(80)) return rng_.Between(CivilFromDays(pools_.date_lo).year, CivilFromDays(pools_.date_hi).year);
        return rng_.Pick<int64_t>({2000, 2100, 2024, 2023, 1900, 0, 1, 9999, 10000});
      }
      case Role::kMonth:
        if (rng_.Percent(15)) return rng_.Pick<int64_t>({0, 13, -1});
        if (rng_.Percent(50)) return rng_.Pick<int64_t>({1, 2, 12});
        return rng_.Between(1, 12);
      case Role::kDay:
        if (rng_.Percent(40)) return rng_.Pick<int64_t>({28, 29, 30, 31});
        if (rng_.Percent(15)) return rng_.Pick<int64_t>({0, 32, -1});
        if (rng_.Percent(15)) return 1;
        return rng_.Between(1, 31);
      case Role::kHour:
        if (rng_.Percent(50)) return rng_.Pick<int64_t>({0, 23, 24, -1, 12});
        return rng_.Between(0, 23);
      case Role::kMinute:
      case Role::kSecond:
        if (rng_.Percent(50)) return rng_.Pick<int64_t>({0, 59, 60, -1});
        return rng_.Between(0, 59);
      case Role::kNone: break;
    }
    return 0;
  }

  // A time of day for the anchor instant: often midnight or the last second of the day.
  int64_t TimeOfDay() {
    uint64_t r = rng_.Below(100);
    if (r < 30) return 0;
    if (r < 45) return kSecondsPerDay - 1;
    if (r < 50) return 1;
    if (r < 55) return 12 * 3600;
    return rng_.Between(0, kSecondsPerDay - 1);
  }

  // Seconds of a duration with parts of a day: hours, minutes, seconds, or days and a time.
  int64_t PartOfDays() {
    switch (rng_.Below(4)) {
      case 0: return rng_.Between(0, 200) * 3600;
      case 1: return rng_.Between(0, 3000) * 60;
      case 2: return rng_.Between(0, 400000);
      default: return rng_.Between(0, 40) * kSecondsPerDay + rng_.Between(0, kSecondsPerDay - 1);
    }
  }

  // A constant date (±1 day), the fact's anchor date (±1 day) or the anchor moved by a duration
  // constant (so that the difference of two date facts hits that duration), a month or year edge, a
  // calendar's edge or exception, or any date near the policy's dates; for a policy that computes
  // with instants, rarely a limit of the calendar or a day around 1970.
  int64_t Date() {
    if (pools_.time && rng_.Percent(2)) return std::clamp(DayOf(Extreme()), kMinDate, kMaxDate);
    int64_t d;
    uint64_t r = rng_.Below(100);
    if (r < 25 && !pools_.dates.empty()) {
      d = rng_.Pick(pools_.dates);
    } else if (r < 62) {
      d = anchor_;
      if (rng_.Percent(50)) {
        int sign = rng_.Percent(75) ? 1 : -1;
        if (!pools_.month_offsets.empty() && (pools_.day_offsets.empty() || rng_.Percent(30))) {
          d = AddMonths(anchor_, sign * rng_.Pick(pools_.month_offsets));
          if (rng_.Percent(40)) d += rng_.Pick<int64_t>({-1, 1});
        } else if (!pools_.day_offsets.empty()) {
          d = anchor_ + sign * rng_.Pick(pools_.day_offsets);
        } else {
          d = anchor_ + rng_.Between(-1, 1);
        }
      }
    } else if (r < 74) {
      d = CalendarEdge();
    } else if (r < 86 && !pools_.calendar_days.empty()) {
      d = rng_.Pick(pools_.calendar_days);
    } else {
      d = rng_.Between(pools_.date_lo, pools_.date_hi);
    }
    return std::clamp(d, kMinDate, kMaxDate);
  }

  // The limits of the calendar and the turn of 1970 (instants before it are negative: floor, not
  // truncating, division), as an instant.
  int64_t Extreme() {
    switch (rng_.Below(8)) {
      case 0: return kFirstSecond + rng_.Pick<int64_t>({0, 1, kSecondsPerDay - 1, kSecondsPerDay});
      case 1: return kLastSecond - rng_.Pick<int64_t>({0, 1, kSecondsPerDay - 1, kSecondsPerDay});
      case 2: case 3: return rng_.Pick<int64_t>({-kSecondsPerDay, -kSecondsPerDay + 1, -3601, -3600, -61, -60, -1, 0, 1});
      case 4: return DaysFromCivil(1900, 2, 28) * kSecondsPerDay + rng_.Between(0, 2 * kSecondsPerDay);  // not a leap year
      case 5: return DaysFromCivil(2000, 2, 29) * kSecondsPerDay + rng_.Between(0, kSecondsPerDay - 1);
      default: return rng_.Between(DaysFromCivil(1900, 1, 1), -1) * kSecondsPerDay + rng_.Between(0, kSecondsPerDay - 1);
    }
  }

  // A month end (or the day after), 29 February (or its neighbours), 31 December or 1 January, in
  // the years of the policy's dates.
  int64_t CalendarEdge() {
    int y = static_cast<int>(rng_.Between(CivilFromDays(pools_.date_lo).year, CivilFromDays(pools_.date_hi).year));
    int64_t d;
    uint64_t r = rng_.Below(100);
    if (r < 25) {
      int leap = y;
      while (DaysInMonth(leap, 2) != 29) ++leap;
      d = DaysFromCivil(leap, 2, 29) + rng_.Pick<int64_t>({-1, 0, 0, 0, 1});
    } else if (r < 45) {
      d = DaysFromCivil(y, 12, 31) + rng_.Pick<int64_t>({-1, 0, 1, 2});
    } else {
      int m = static_cast<int>(rng_.Between(1, 12));
      d = DaysFromCivil(y, m, DaysInMonth(y, m)) + rng_.Pick<int64_t>({-1, 0, 0, 1});
    }
    if (d < pools_.date_lo || d > pools_.date_hi) d = rng_.Between(pools_.date_lo, pools_.date_hi);
    return d;
  }

  // A datetime constant (±1 s), the first or last seconds of a constant date, the fact's anchor
  // instant (±1 s) moved by a duration constant, the first or last second of a generated date, or
  // any instant near the policy's dates.
  int64_t Instant() {
    int64_t t;
    uint64_t r = rng_.Below(100);
    if (r < 20 && !pools_.instants.empty()) {
      t = rng_.Pick(pools_.instants);
    } else if (r < 65) {
      t = anchor_instant_;
      if (!pools_.shifts.empty() && rng_.Percent(60)) {
        int sign = rng_.Percent(75) ? 1 : -1;
        t = AddDurationToInstant(t, rng_.Pick(pools_.shifts), sign);
        t += rng_.Pick<int64_t>({-1, 0, 0, 1, -kSecondsPerDay, kSecondsPerDay});
      } else {
        t += rng_.Pick<int64_t>({-1, 0, 0, 1});
      }
    } else if (r < 82) {
      t = Date() * kSecondsPerDay + rng_.Pick<int64_t>({0, 0, -1, 1, kSecondsPerDay - 1, kSecondsPerDay});
    } else if (r < 86) {
      t = Extreme();
    } else {
      t = rng_.Between(pools_.date_lo, pools_.date_hi) * kSecondsPerDay + rng_.Between(0, kSecondsPerDay - 1);
    }
    return ClampInstant(t);
  }

  // Moves the `done at` / `deleted at` fact of one obligation that applies onto its deadline (as the
  // interpreter computes it on the anchor date), or next to it.
  void OntoDeadline(nlohmann::json& facts) {
    const Patch& patch = rng_.Pick(patches_);
    const ir::Obligation& o = p_.obligations[patch.obligation];
    // The fact must be given: absent and null facts keep their rates.
    nlohmann::json* at = &facts;
    const RecordInfo* info = &p_.input();
    for (size_t k = 0; k < patch.path.size(); ++k) {
      const FieldInfo& f = info->fields[patch.path[k]];
      if (!at->is_object() || !at->contains(f.name) || (*at)[f.name].is_null()) return;
      at = &(*at)[f.name];
      if (k + 1 < patch.path.size()) {
        const Type* t = Strip(f.type);
        if (t->kind != TypeKind::kRecord) return;
        info = &types_.record_info(t->index);
      }
    }
    std::optional<int64_t> deadline;
    try {
      Value v = interp::FactsFromJson(facts, p_);
      interp::EvalOptions opts;
      opts.as_of = std::clamp(anchor_, p_.effective.from, p_.effective.until == INT64_MAX ? INT64_MAX
                                                                                             : p_.effective.until - 1);
      interp::Result r = interp::Evaluate(p_, v, opts);
      for (const interp::ObligationResult& ob : r.obligations) {
        if (ob.obligation == patch.obligation) deadline = ob.deadline;
      }
    } catch (const std::exception&) {
      return;
    }
    if (!deadline) return;
    int64_t d = *deadline;
    // A recurring deadline: also the due date before (the previous period's) when computable.
    if (o.deadline_kind == ir::DeadlineKind::kRecurring && o.every && o.every_from &&
        o.every->op == ir::Op::kConst && o.every_from->op == ir::Op::kConst && rng_.Percent(50)) {
      RecurringDue due;
      if (RecurringDueDates(o.every_from->constant.i, o.every->constant.duration(), d, &due) ==
              RecurringError::kNone && due.has_previous) {
        d = due.previous;
      }
    }
    if (IsKind(patch.type, TypeKind::kDateTime)) {
      int64_t t = o.instant ? d + rng_.Pick<int64_t>({-1, 0, 0, 1, -kSecondsPerDay, kSecondsPerDay})
                            : d * kSecondsPerDay + rng_.Pick<int64_t>({-1, 0, kSecondsPerDay - 1, kSecondsPerDay});
      *at = FormatInstant(ClampInstant(t), rng_);
    } else {
      int64_t day = (o.instant ? DayOf(d) : d) + rng_.Pick<int64_t>({-1, 0, 0, 1});
      *at = FormatDate(std::clamp(day, kMinDate, kMaxDate));
    }
  }

  const ir::Program& p_;
  const TypeTable& types_;
  Pools pools_;
  std::map<FieldKey, Role> roles_;
  std::vector<Patch> patches_;
  Rng rng_;
  int depth_ = 0;  // records being generated, one inside the other
  int64_t anchor_ = 0;
  bool unknowns_ = false;  // this fact set leaves some facts out
  int64_t anchor_instant_ = 0;
};

}  // namespace

std::vector<nlohmann::json> GenerateFacts(const ir::Program& p, int n, uint64_t seed) {
  Generator g(p, seed);
  std::vector<nlohmann::json> out;
  out.reserve(std::max(n, 0));
  for (int i = 0; i < n; ++i) out.push_back(g.Facts());
  return out;
}

std::vector<nlohmann::json> GenerateParams(const ir::Program& p, int n, uint64_t seed) {
  Generator g(p, seed);
  std::vector<nlohmann::json> out;
  for (int i = 0; i < n; ++i) out.push_back(g.Params());
  return out;
}

std::vector<int64_t> InterestingDates(const ir::Program& p) {
  Constants c = Collect(p);
  std::set<int64_t> out;
  std::set<int64_t> all = c.dates;
  all.insert(c.boundaries.begin(), c.boundaries.end());
  all.insert(c.due_dates.begin(), c.due_dates.end());
  all.insert(c.calendar_edges.begin(), c.calendar_edges.end());
  for (int64_t d : all) {
    for (int64_t k : {-1, 0, 1}) {
      if (d + k >= kMinDate && d + k <= kMaxDate) out.insert(d + k);
    }
  }
  if (out.empty()) out.insert(DaysFromCivil(2020, 1, 1));
  return std::vector<int64_t>(out.begin(), out.end());
}

std::vector<int64_t> InterestingInstants(const ir::Program& p) {
  std::set<int64_t> out;
  for (int64_t d : InterestingDates(p)) {
    out.insert(d * kSecondsPerDay);
    out.insert(d * kSecondsPerDay + kSecondsPerDay - 1);
  }
  for (int64_t t : Collect(p).instants) {
    for (int64_t k : {-1, 0, 1}) out.insert(ClampInstant(t + k));
  }
  return std::vector<int64_t>(out.begin(), out.end());
}

std::vector<int64_t> EvaluationInstants(const ir::Program& p, const std::vector<Value>& facts, uint64_t seed) {
  std::vector<int64_t> base = InterestingInstants(p);
  bool deadlines = false;
  for (const ir::Obligation& o : p.obligations) {
    deadlines |= o.scope < 0 && o.deadline_kind != ir::DeadlineKind::kNone && o.deadline_kind != ir::DeadlineKind::kOpen;
  }
  Rng rng(seed);
  std::vector<int64_t> out;
  out.reserve(facts.size());
  for (size_t i = 0; i < facts.size(); ++i) {
    int64_t t = base[i % base.size()];
    if (deadlines && rng.Percent(50)) {
      interp::EvalOptions opts;
      opts.set_now(t);
      std::vector<std::pair<int64_t, bool>> found;  // (deadline, instant)
      try {
        interp::Result r = interp::Evaluate(p, facts[i], opts);
        for (const interp::ObligationResult& ob : r.obligations) {
          if (ob.deadline) found.push_back({*ob.deadline, p.obligations[ob.obligation].instant});
        }
      } catch (const std::exception&) {
      }
      if (!found.empty()) {
        auto [d, instant] = rng.Pick(found);
        t = instant ? d + rng.Pick<int64_t>({-1, 0, 1})
                    : d * kSecondsPerDay + rng.Pick<int64_t>({-1, 0, kSecondsPerDay - 1, kSecondsPerDay});
      }
    }
    out.push_back(ClampInstant(t));
  }
  return out;
}

std::vector<std::string> Corpus() {
  std::vector<std::string> dirs;
  for (const char* dir : {"policies/cn", "tests/golden/good", "tests/conformance/dmn", "bench"}) {
    dirs.push_back(std::string(PROVISO_SOURCE_DIR) + "/" + dir);
  }
  if (const char* extra = std::getenv("PROVISO_DIFFERENTIAL_DIR")) dirs.push_back(extra);
  std::vector<std::string> out;
  for (const std::string& dir : dirs) {
    for (const auto& e : std::filesystem::directory_iterator(dir)) {
      if (e.path().extension() == ".proviso") out.push_back(e.path().string());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace proviso::testing
