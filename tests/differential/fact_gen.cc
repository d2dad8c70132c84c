#include "tests/differential/fact_gen.h"

#include <algorithm>
#include <set>
#include <string>
#include <utility>

#include "compiler/check/checker.h"
#include "compiler/support/calendar.h"

namespace proviso::testing {
namespace {

// The constants of a policy, by kind.
struct Constants {
  std::set<int64_t> ints;
  std::set<int64_t> decimals;  // units of 10^-6
  std::set<int64_t> dates;
  std::set<std::pair<int64_t, int64_t>> durations;  // (months, seconds)
  std::set<std::string> texts;
  std::set<int64_t> boundaries;  // effective from/until days
};

void AddValue(const Value& v, Constants& c) {
  switch (v.kind) {
    case Value::Kind::kInt: c.ints.insert(v.i); break;
    case Value::Kind::kDecimal: c.decimals.insert(v.i); break;
    case Value::Kind::kText: c.texts.insert(v.text); break;
    case Value::Kind::kDate: c.dates.insert(v.i); break;
    case Value::Kind::kDuration: c.durations.insert({v.months, v.i}); break;
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
  for (const ir::ExprPtr& a : e->args) AddExpr(a.get(), c);
}

void AddEffective(const ir::Effective& e, Constants& c) {
  if (e.from != INT64_MIN) c.boundaries.insert(e.from);
  if (e.until != INT64_MAX) c.boundaries.insert(e.until);
}

Constants Collect(const ir::Program& p) {
  Constants c;
  AddEffective(p.effective, c);
  for (const ir::Param& param : p.params) {
    for (const ir::ParamVersion& v : param.versions) {
      AddValue(v.value, c);
      AddEffective(v.effective, c);
    }
  }
  for (const ir::Let& l : p.lets) AddExpr(l.value.get(), c);
  for (const ir::Function& f : p.functions) AddExpr(f.body.get(), c);
  for (const ir::Table& t : p.tables) {
    for (const ir::TableRow& row : t.rows) {
      for (const ir::Cell& cell : row.cells) {
        for (const ir::ExprPtr& v : cell.values) AddExpr(v.get(), c);
      }
      AddExpr(row.result.get(), c);
    }
    AddExpr(t.default_result.get(), c);
  }
  for (const ir::Rule& r : p.rules) {
    AddExpr(r.when.get(), c);
    AddExpr(r.value.get(), c);
    AddEffective(r.effective, c);
  }
  for (const ir::Obligation& o : p.obligations) {
    AddExpr(o.when.get(), c);
    AddExpr(o.deadline.get(), c);
    AddExpr(o.violated.get(), c);
    AddEffective(o.effective, c);
  }
  for (const auto& record : p.field_defaults) {
    for (const auto& d : record) {
      if (d) AddValue(*d, c);
    }
  }
  for (const ir::Test& t : p.tests) {
    for (const auto& [param, value] : t.sets) AddValue(value, c);
  }
  return c;
}

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

 private:
  uint64_t state_;
};

const int64_t kMinDate = DaysFromCivil(1, 1, 1);
const int64_t kMaxDate = DaysFromCivil(9999, 12, 31);

// The values the generator draws from, with the neighbours of every constant.
struct Pools {
  std::vector<int64_t> ints;
  std::vector<int64_t> decimals;
  std::vector<int64_t> dates;
  std::vector<Duration> durations;
  std::vector<int64_t> day_offsets;    // day-based duration constants ±1 day (for dates from an anchor)
  std::vector<int64_t> month_offsets;  // month-based duration constants
  std::vector<std::string> texts;
  bool months = false;  // the policy has month-based durations
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
  std::set<int64_t> ints, decimals, dates, day_offsets, month_offsets;
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
  for (int64_t d : all_dates) {
    for (int64_t k : {-1, 0, 1}) {
      if (d + k >= kMinDate && d + k <= kMaxDate) dates.insert(d + k);
    }
  }
  std::set<std::pair<int64_t, int64_t>> durations;
  for (const auto& [months, seconds] : c.durations) {
    durations.insert({months, seconds});
    if (months == 0) {
      // The neighbours: a day, or a second for a duration with a part of a day.
      int64_t step = seconds % kSecondsPerDay == 0 ? kSecondsPerDay : 1;
      durations.insert({0, seconds - step});
      durations.insert({0, seconds + step});
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
  pools.day_offsets = Sorted(day_offsets);
  pools.month_offsets = Sorted(month_offsets);
  pools.texts = Sorted(c.texts);
  for (const char* extra : {"", "other", "ZZ", "CN", "US"}) {
    if (!c.texts.count(extra)) pools.texts.push_back(extra);
  }
  if (all_dates.empty()) {
    pools.date_lo = DaysFromCivil(2018, 1, 1);
    pools.date_hi = DaysFromCivil(2023, 12, 31);
  } else {
    // A few years around the policy's dates, inside the years a facts file can write.
    pools.date_lo = std::max(*all_dates.begin() - 3 * 365, DaysFromCivil(1900, 1, 1));
    pools.date_hi = std::min(*all_dates.rbegin() + 3 * 365, DaysFromCivil(2200, 12, 31));
    if (pools.date_lo > pools.date_hi) std::swap(pools.date_lo, pools.date_hi);
  }
  return pools;
}

class Generator {
 public:
  Generator(const ir::Program& p, uint64_t seed) : p_(p), types_(p.types()), pools_(MakePools(p)), rng_(seed) {}

  nlohmann::json Facts() {
    anchor_ = !pools_.dates.empty() && rng_.Percent(60) ? rng_.Pick(pools_.dates)
                                                         : rng_.Between(pools_.date_lo, pools_.date_hi);
    return Record(p_.input_record);
  }

  nlohmann::json Params() {
    anchor_ = rng_.Between(pools_.date_lo, pools_.date_hi);
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
  nlohmann::json Record(int record) {
    const RecordInfo& info = types_.record_info(record);
    const auto& defaults = p_.field_defaults.at(record);
    nlohmann::json o = nlohmann::json::object();
    for (size_t i = 0; i < info.fields.size(); ++i) {
      const FieldInfo& f = info.fields[i];
      bool has_default = f.has_default || (i < defaults.size() && defaults[i].has_value());
      if (has_default && rng_.Percent(25)) continue;  // the default applies
      if (f.type->kind == TypeKind::kOptional && rng_.Percent(20)) {
        if (rng_.Percent(25)) o[f.name] = nullptr;  // written as null rather than left out
        continue;
      }
      o[f.name] = Of(f.type->kind == TypeKind::kOptional ? f.type->elem : f.type);
    }
    return o;
  }

  nlohmann::json Of(const Type* t) {
    switch (t->kind) {
      case TypeKind::kOptional:
        if (rng_.Percent(20)) return nullptr;
        return Of(t->elem);
      case TypeKind::kBool: return rng_.Percent(50);
      case TypeKind::kInt:
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
      case TypeKind::kDuration: {
        Duration d;
        if (!pools_.durations.empty() && rng_.Percent(70)) {
          d = rng_.Pick(pools_.durations);
        } else if (pools_.months && rng_.Percent(30)) {
          d.months = rng_.Between(0, 36);
          // Sometimes both parts: such a duration is ordered against no other, not even itself.
          if (rng_.Percent(15)) d.seconds = rng_.Between(1, 40) * kSecondsPerDay;
        } else {
          d.seconds = rng_.Between(0, 800) * kSecondsPerDay;
        }
        if (d.months == 0 && d.seconds >= 0 && d.WholeDays() && rng_.Percent(10)) {
          return "P" + std::to_string(d.seconds / kSecondsPerDay) + "D";
        }
        return FormatDuration(d);
      }
      case TypeKind::kEnum: return rng_.Pick(types_.enum_info(t->index).variants);
      case TypeKind::kRecord: return Record(t->index);
      case TypeKind::kList:
      case TypeKind::kSet: {
        nlohmann::json a = nlohmann::json::array();
        int n = static_cast<int>(rng_.Below(5));
        for (int k = 0; k < n; ++k) {
          nlohmann::json x = Of(t->elem);
          if (t->kind == TypeKind::kSet && std::find(a.begin(), a.end(), x) != a.end()) continue;
          a.push_back(std::move(x));
        }
        return a;
      }
      default: return nullptr;  // not an input type
    }
  }

  // A constant date (±1 day), the fact's anchor date (±1 day) or the anchor moved by a duration
  // constant (so that the difference of two date facts hits that duration), or any date near the
  // policy's dates.
  int64_t Date() {
    int64_t d;
    uint64_t r = rng_.Below(100);
    if (r < 30 && !pools_.dates.empty()) {
      d = rng_.Pick(pools_.dates);
    } else if (r < 75) {
      d = anchor_;
      if (rng_.Percent(50)) {
        int sign = rng_.Percent(75) ? 1 : -1;
        if (!pools_.month_offsets.empty() && (pools_.day_offsets.empty() || rng_.Percent(30))) {
          d = AddMonths(anchor_, sign * rng_.Pick(pools_.month_offsets));
        } else if (!pools_.day_offsets.empty()) {
          d = anchor_ + sign * rng_.Pick(pools_.day_offsets);
        } else {
          d = anchor_ + rng_.Between(-1, 1);
        }
      }
    } else {
      d = rng_.Between(pools_.date_lo, pools_.date_hi);
    }
    return std::clamp(d, kMinDate, kMaxDate);
  }

  const ir::Program& p_;
  const TypeTable& types_;
  Pools pools_;
  Rng rng_;
  int64_t anchor_ = 0;
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
  for (int64_t d : all) {
    for (int64_t k : {-1, 0, 1}) {
      if (d + k >= kMinDate && d + k <= kMaxDate) out.insert(d + k);
    }
  }
  if (out.empty()) out.insert(DaysFromCivil(2020, 1, 1));
  return std::vector<int64_t>(out.begin(), out.end());
}

}  // namespace proviso::testing
