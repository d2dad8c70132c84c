// Calendar arithmetic on proleptic Gregorian dates held as day numbers (days since 1970-01-01).
// Shared by the checker (date literals), the interpreter and the generated code's helpers.
#ifndef PROVISO_COMPILER_SUPPORT_CALENDAR_H_
#define PROVISO_COMPILER_SUPPORT_CALENDAR_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace proviso {

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
// Adds calendar months; the day is clamped to the end of the target month (Jan 31 + 1 month = Feb 28/29).
int64_t AddMonths(int64_t days, int64_t months);
// Parses exactly "YYYY-MM-DD"; nullopt when malformed or not a real date (2020-02-30).
std::optional<int64_t> ParseDate(std::string_view text);
// "YYYY-MM-DD".
std::string FormatDate(int64_t days);

// A length of time: calendar months plus days. Weeks are 7 days, years 12 months.
struct Duration {
  int64_t months = 0;
  int64_t days = 0;
  bool operator==(const Duration& o) const { return months == o.months && days == o.days; }
};
// "30 days", "1 month", "1 year 2 days", "0 days".
std::string FormatDuration(const Duration& d);
// Parses "<n> day(s)|week(s)|month(s)|year(s)" (several parts allowed, e.g. "1 year 2 days"),
// or ISO 8601 "P30D", "P1Y2M", "P2W". nullopt when malformed.
std::optional<Duration> ParseDuration(std::string_view text);
// The calendar's range (0001-01-01 .. 9999-12-31) and the largest shifts that stay computable.
inline constexpr int64_t kFirstDay = -719162;
inline constexpr int64_t kLastDay = 2932896;
inline constexpr int64_t kMaxMonths = 12 * 10000;
inline constexpr int64_t kMaxDays = 4000000;

// date + duration: months first (clamped), then days.
int64_t AddDuration(int64_t date, const Duration& d, int sign = 1);

}  // namespace proviso

#endif  // PROVISO_COMPILER_SUPPORT_CALENDAR_H_
