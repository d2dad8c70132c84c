// Working-day calendars: which days of a range of years are working days (weekends, public
// holidays, and weekend days made working days), and counting working days from a date. Built
// from a `calendar` declaration; read by the interpreter and, as constant arrays, by generated code.
#ifndef PROVISO_COMPILER_SUPPORT_WORKING_DAYS_H_
#define PROVISO_COMPILER_SUPPORT_WORKING_DAYS_H_

#include <cstdint>
#include <string>
#include <vector>

namespace proviso {

class WorkingCalendar {
 public:
  WorkingCalendar() = default;
  // The years `first_year`..`last_year` (inclusive). `weekend` has bit w set for ISO weekday w
  // (1 = Monday ... 7 = Sunday). `holidays` and `working_days` are day numbers inside the years (a
  // working day listed on a weekend day makes it a working day; a holiday makes any day a day off).
  WorkingCalendar(std::string name, int first_year, int last_year, unsigned weekend,
                  const std::vector<int64_t>& holidays, const std::vector<int64_t>& working_days);

  const std::string& name() const { return name_; }
  int first_year() const { return first_year_; }
  int last_year() const { return last_year_; }
  int64_t first_day() const { return first_day_; }
  int64_t last_day() const { return first_day_ + static_cast<int64_t>(working_.size()) - 1; }
  bool Covers(int64_t day) const { return day >= first_day_ && day <= last_day(); }
  // Day `day` (Covers(day)) is a working day.
  bool IsWorking(int64_t day) const { return working_[day - first_day_] != 0; }

  // The day `n` working days after `day` (before it when n < 0; `day` itself when n == 0): the n-th
  // working day strictly after `day`. False when `day` is not covered or the result would fall
  // outside the covered years.
  bool AddWorkingDays(int64_t day, int64_t n, int64_t* out) const;
  // Working days in (from, to] (negative when to < from: minus those in (to, from]). False when
  // either day is not covered.
  bool WorkingDaysBetween(int64_t from, int64_t to, int64_t* out) const;

  // The tables generated code reads: working_[k] (1 = working) for the day first_day + k;
  // count_before_[k] = working days in [first_day, first_day + k), k = 0 .. days; nth_[c] = offset
  // from first_day of the working day number c (0-based).
  const std::vector<uint8_t>& working() const { return working_; }
  const std::vector<int32_t>& count_before() const { return count_before_; }
  const std::vector<int32_t>& nth() const { return nth_; }

  // "calendar `cn_official` covers 2020 to 2026": the message of an evaluation error about `day`.
  std::string OutsideMessage(int64_t day) const;

 private:
  std::string name_;
  int first_year_ = 0;
  int last_year_ = -1;
  int64_t first_day_ = 0;
  std::vector<uint8_t> working_;
  std::vector<int32_t> count_before_;
  std::vector<int32_t> nth_;
};

}  // namespace proviso

#endif  // PROVISO_COMPILER_SUPPORT_WORKING_DAYS_H_
