// Calendar arithmetic on proleptic Gregorian dates held as day numbers (days since 1970-01-01) and
// on instants held as seconds since 1970-01-01T00:00:00Z (UTC, no leap seconds). Shared by the
// checker (literals), the interpreter, facts and the generated code's helpers.
#ifndef PROVISO_COMPILER_SUPPORT_CALENDAR_H_
#define PROVISO_COMPILER_SUPPORT_CALENDAR_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace proviso {

inline constexpr int64_t kSecondsPerDay = 86400;

struct CivilDate {
  int year;
  int month;  // 1..12
  int day;    // 1..31
};

// Days since 1970-01-01 of a valid civil date (Howard Hinnant's algorithm).
int64_t DaysFromCivil(int year, int month, int day);
CivilDate CivilFromDays(int64_t days);
bool IsValidDate(int year, int month, int day);
int DaysInMonth(int year, int month);
// ISO weekday of a day number: 1 = Monday ... 7 = Sunday.
int Weekday(int64_t days);
// Adds calendar months; the day is clamped to the end of the target month (Jan 31 + 1 month = Feb 28/29).
int64_t AddMonths(int64_t days, int64_t months);
// Whole calendar months from `from` to `to` (negative when `to` is earlier): the largest n with
// AddMonths(from, n) <= to (for to >= from), so that 2021-01-31 to 2021-02-28 is 1 month.
int64_t MonthsBetween(int64_t from, int64_t to);
// Parses exactly "YYYY-MM-DD"; nullopt when malformed or not a real date (2020-02-30).
std::optional<int64_t> ParseDate(std::string_view text);
// "YYYY-MM-DD".
std::string FormatDate(int64_t days);

// The day of an instant (floor division: instants before 1970 belong to the day before).
inline int64_t DayOf(int64_t seconds) {
  return seconds >= 0 ? seconds / kSecondsPerDay : -((-seconds + kSecondsPerDay - 1) / kSecondsPerDay);
}
// Parses an ISO 8601 instant "YYYY-MM-DDTHH:MM[:SS[.000]](Z|+HH:MM|-HH:MM)" and normalises it to
// UTC. A fraction of a second other than zero is refused (instants are to the second). nullopt when
// malformed, not a real date or time, or outside years 1..9999 once in UTC.
std::optional<int64_t> ParseDateTime(std::string_view text);
// "YYYY-MM-DDTHH:MM:SSZ".
std::string FormatDateTime(int64_t seconds);

// A length of time: calendar months plus seconds. A minute is 60 seconds, an hour 3600, a day
// 86400 (instants are UTC: every day has 24 hours), a week 7 days, a year 12 months.
struct Duration {
  int64_t months = 0;
  int64_t seconds = 0;
  static Duration Days(int64_t n) { return Duration{0, n * kSecondsPerDay}; }
  static Duration Months(int64_t n) { return Duration{n, 0}; }
  bool WholeDays() const { return seconds % kSecondsPerDay == 0; }
  bool operator==(const Duration& o) const { return months == o.months && seconds == o.seconds; }
};
// "30 days", "1 month", "1 year 2 days", "72 hours", "1 day 2 hours 30 minutes", "0 days". The
// seconds are written in days when whole days, else in hours, minutes and seconds (days too when
// at least one day).
std::string FormatDuration(const Duration& d);
// Parses "<n> <unit>" parts (units second(s), minute(s), hour(s), day(s), week(s), month(s),
// year(s); e.g. "1 year 2 days", "72 hours"), or ISO 8601 "P30D", "P1Y2M", "P2W", "PT72H",
// "P1DT2H30M". nullopt when malformed.
std::optional<Duration> ParseDuration(std::string_view text);
// The calendar's range (0001-01-01 .. 9999-12-31) and the largest shifts that stay computable.
inline constexpr int64_t kFirstDay = -719162;
inline constexpr int64_t kLastDay = 2932896;
inline constexpr int64_t kFirstSecond = kFirstDay * kSecondsPerDay;
inline constexpr int64_t kLastSecond = (kLastDay + 1) * kSecondsPerDay - 1;
inline constexpr int64_t kMaxMonths = 12 * 10000;
inline constexpr int64_t kMaxDays = 4000000;
inline constexpr int64_t kMaxSeconds = kMaxDays * kSecondsPerDay;

// date + duration whose seconds are whole days (Duration::WholeDays): months first (clamped),
// then days.
int64_t AddDuration(int64_t date, const Duration& d, int sign = 1);
// instant + duration: the months move the date (clamped, the time of day kept), then the seconds.
int64_t AddDurationToInstant(int64_t seconds, const Duration& d, int sign = 1);

// The due dates of a recurring deadline (every `period` from `first`, each due date `first` plus a
// whole number of periods, counted from `first`: a monthly one on the 31st falls on each month's
// last day) around the day `as_of`: the first on or after it, the last before it and the one before
// that (absent before the first due date).
struct RecurringDue {
  int64_t current = 0;
  bool has_previous = false, has_before_previous = false;
  int64_t previous = 0, before_previous = 0;
};
enum class RecurringError { kNone, kBadPeriod, kOutside };
// kBadPeriod: the period is not a positive number of whole days or of whole months (not both);
// kOutside: a due date needed is outside the calendar (years 1 to 9999).
RecurringError RecurringDueDates(int64_t first, const Duration& period, int64_t as_of, RecurringDue* out);

}  // namespace proviso

#endif  // PROVISO_COMPILER_SUPPORT_CALENDAR_H_
