#include "compiler/support/working_days.h"

#include <fmt/format.h>

#include "compiler/support/calendar.h"

namespace proviso {

WorkingCalendar::WorkingCalendar(std::string name, int first_year, int last_year, unsigned weekend,
                                 const std::vector<int64_t>& holidays, const std::vector<int64_t>& working_days)
    : name_(std::move(name)), first_year_(first_year), last_year_(last_year) {
  first_day_ = DaysFromCivil(first_year, 1, 1);
  int64_t end = DaysFromCivil(last_year, 12, 31);
  working_.resize(static_cast<size_t>(end - first_day_ + 1));
  for (int64_t d = first_day_; d <= end; ++d) {
    working_[d - first_day_] = (weekend >> Weekday(d) & 1u) ? 0 : 1;
  }
  for (int64_t d : working_days) if (Covers(d)) working_[d - first_day_] = 1;
  for (int64_t d : holidays) if (Covers(d)) working_[d - first_day_] = 0;
  count_before_.assign(working_.size() + 1, 0);
  for (size_t k = 0; k < working_.size(); ++k) {
    count_before_[k + 1] = count_before_[k] + working_[k];
    if (working_[k]) nth_.push_back(static_cast<int32_t>(k));
  }
}

bool AddWorkingDays(const WorkingDayTables& t, int64_t day, int64_t n, int64_t* out) {
  if (day < t.first_day || day >= t.first_day + t.days) return false;
  if (n == 0) {
    *out = day;
    return true;
  }
  int64_t k = day - t.first_day;
  // Working days numbered from 0 in date order: those up to and including `day` are
  // count_before[k + 1]; the n-th after is number count_before[k + 1] + n - 1. Before `day`: those
  // strictly before it are count_before[k]; the n-th before is number count_before[k] - n.
  if (n > t.working_count || n < -t.working_count) return false;
  int64_t c = n > 0 ? t.count_before[k + 1] + n - 1 : t.count_before[k] + n;
  if (c < 0 || c >= t.working_count) return false;
  *out = t.first_day + t.nth[c];
  return true;
}

bool WorkingDaysBetween(const WorkingDayTables& t, int64_t from, int64_t to, int64_t* out) {
  int64_t end = t.first_day + t.days;
  if (from < t.first_day || from >= end || to < t.first_day || to >= end) return false;
  *out = static_cast<int64_t>(t.count_before[to - t.first_day + 1]) - t.count_before[from - t.first_day + 1];
  return true;
}

int IsWorkingDay(const WorkingDayTables& t, int64_t day) {
  if (day < t.first_day || day >= t.first_day + t.days) return -1;
  return t.working[day - t.first_day];
}

bool WorkingCalendar::AddWorkingDays(int64_t day, int64_t n, int64_t* out) const {
  return proviso::AddWorkingDays(tables(), day, n, out);
}

bool WorkingCalendar::WorkingDaysBetween(int64_t from, int64_t to, int64_t* out) const {
  return proviso::WorkingDaysBetween(tables(), from, to, out);
}

std::string WorkingCalendar::OutsideMessage(int64_t day) const {
  return fmt::format("{} is outside the years calendar `{}` covers ({} to {})", FormatDate(day), name_,
                     first_year_, last_year_);
}

}  // namespace proviso
