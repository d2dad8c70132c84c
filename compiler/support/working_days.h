// Working-day calendars: which days of a range of years are working days (weekends, public
// holidays, and weekend days made working days), and counting working days from a date. Built
// from a `calendar` declaration; read by the interpreter and, as constant arrays, by generated code.
#ifndef PROVISO_COMPILER_SUPPORT_WORKING_DAYS_H_
#define PROVISO_COMPILER_SUPPORT_WORKING_DAYS_H_

#include <cstdint>
#include <string>
#include <vector>

namespace proviso {

// A calendar's tables as plain memory: what generated code holds as constants and passes to the
// runtime helpers. Field order and types are part of the generated code's ABI (an LLVM struct of
// i64, i64, ptr, ptr, ptr, i64).
struct WorkingDayTables {
  int64_t first_day;            // day number of the first day covered
  int64_t days;                 // days covered
  const uint8_t* working;       // [days]: 1 for a working day
  const int32_t* count_before;  // [days + 1]: working days before first_day + k
  const int32_t* nth;           // [working_count]: offset of the working day number c (from 0)
  int64_t working_count;
};

// The operations of WorkingCalendar on its tables (the same code for the interpreter and the JIT).
bool AddWorkingDays(const WorkingDayTables& t, int64_t day, int64_t n, int64_t* out);
bool WorkingDaysBetween(const WorkingDayTables& t, int64_t from, int64_t to, int64_t* out);
// 1 for a working day, 0 for a day off, -1 when `day` is not covered.
int IsWorkingDay(const WorkingDayTables& t, int64_t day);

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

  // A view of the tables, valid while this calendar lives unchanged.
  WorkingDayTables tables() const {
    return WorkingDayTables{first_day_, static_cast<int64_t>(working_.size()), working_.data(), count_before_.data(),
                            nth_.data(), static_cast<int64_t>(nth_.size())};
  }

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
