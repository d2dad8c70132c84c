#include "compiler/support/calendar.h"

#include <cctype>
#include <cstdio>
#include <vector>

namespace proviso {

int64_t DaysFromCivil(int y, int m, int d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

CivilDate CivilFromDays(int64_t z) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t y = yoe + era * 400;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int64_t d = doy - (153 * mp + 2) / 5 + 1;
  const int64_t m = mp < 10 ? mp + 3 : mp - 9;
  return CivilDate{static_cast<int>(y + (m <= 2)), static_cast<int>(m), static_cast<int>(d)};
}

static bool IsLeap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int DaysInMonth(int y, int m) {
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeap(y) ? 29 : kDays[m - 1];
}

bool IsValidDate(int y, int m, int d) {
  return y >= 1 && y <= 9999 && m >= 1 && m <= 12 && d >= 1 && d <= DaysInMonth(y, m);
}

int64_t AddMonths(int64_t days, int64_t months) {
  CivilDate c = CivilFromDays(days);
  int64_t total = static_cast<int64_t>(c.year) * 12 + (c.month - 1) + months;
  int y = static_cast<int>(total >= 0 ? total / 12 : (total - 11) / 12);
  int m = static_cast<int>(total - static_cast<int64_t>(y) * 12) + 1;
  int d = c.day;
  int dim = DaysInMonth(y, m);
  if (d > dim) d = dim;
  return DaysFromCivil(y, m, d);
}

int Weekday(int64_t days) {
  // 1970-01-01 was a Thursday (4).
  int64_t w = (days + 3) % 7;
  if (w < 0) w += 7;
  return static_cast<int>(w) + 1;
}

int64_t MonthsBetween(int64_t from, int64_t to) {
  if (to < from) return -MonthsBetween(to, from);
  CivilDate a = CivilFromDays(from), b = CivilFromDays(to);
  int64_t n = (static_cast<int64_t>(b.year) * 12 + b.month) - (static_cast<int64_t>(a.year) * 12 + a.month);
  if (n > 0 && AddMonths(from, n) > to) --n;
  return n;
}

std::optional<int64_t> ParseDate(std::string_view t) {
  if (t.size() != 10 || t[4] != '-' || t[7] != '-') return std::nullopt;
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (!std::isdigit(static_cast<unsigned char>(t[i]))) return std::nullopt;
  }
  int y = std::stoi(std::string(t.substr(0, 4)));
  int m = std::stoi(std::string(t.substr(5, 2)));
  int d = std::stoi(std::string(t.substr(8, 2)));
  if (!IsValidDate(y, m, d)) return std::nullopt;
  return DaysFromCivil(y, m, d);
}

std::string FormatDate(int64_t days) {
  CivilDate c = CivilFromDays(days);
  if (c.year < 0 || c.year > 9999) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", c.year, c.month, c.day);
    return buf;
  }
  // The calendar's own years, without printf (dates are formatted for every decision).
  std::string out = "0000-00-00";
  auto put = [&](size_t at, int value, int width) {
    for (int k = width - 1; k >= 0; --k, value /= 10) out[at + k] = static_cast<char>('0' + value % 10);
  };
  put(0, c.year, 4);
  put(5, c.month, 2);
  put(8, c.day, 2);
  return out;
}

namespace {

// Digits at t[at..at+n) as a number, or -1 when one is not a digit.
int Digits(std::string_view t, size_t at, size_t n) {
  if (at + n > t.size()) return -1;
  int v = 0;
  for (size_t k = at; k < at + n; ++k) {
    if (!std::isdigit(static_cast<unsigned char>(t[k]))) return -1;
    v = v * 10 + (t[k] - '0');
  }
  return v;
}

}  // namespace

std::optional<int64_t> ParseDateTime(std::string_view t) {
  if (t.size() < 17 || (t[10] != 'T' && t[10] != 't')) return std::nullopt;
  std::optional<int64_t> day = ParseDate(t.substr(0, 10));
  if (!day) return std::nullopt;
  int h = Digits(t, 11, 2), m = Digits(t, 14, 2), s = 0;
  if (h < 0 || m < 0 || t[13] != ':' || h > 23 || m > 59) return std::nullopt;
  size_t i = 16;
  if (i < t.size() && t[i] == ':') {
    s = Digits(t, i + 1, 2);
    if (s < 0 || s > 59) return std::nullopt;
    i += 3;
    if (i < t.size() && t[i] == '.') {  // a fraction is accepted only when it is zero
      size_t start = ++i;
      while (i < t.size() && t[i] == '0') ++i;
      if (i == start || (i < t.size() && std::isdigit(static_cast<unsigned char>(t[i])))) return std::nullopt;
    }
  }
  int64_t offset = 0;
  if (i < t.size() && (t[i] == 'Z' || t[i] == 'z')) {
    ++i;
  } else if (i < t.size() && (t[i] == '+' || t[i] == '-')) {
    int oh = Digits(t, i + 1, 2), om = Digits(t, i + 4, 2);
    if (oh < 0 || om < 0 || i + 3 >= t.size() || t[i + 3] != ':' || oh > 23 || om > 59) return std::nullopt;
    offset = (t[i] == '-' ? -1 : 1) * (oh * 3600 + om * 60);
    i += 6;
  } else {
    return std::nullopt;  // a local time without an offset is not an instant
  }
  if (i != t.size()) return std::nullopt;
  int64_t v = *day * kSecondsPerDay + h * 3600 + m * 60 + s - offset;
  if (v < kFirstSecond || v > kLastSecond) return std::nullopt;
  return v;
}

std::string FormatDateTime(int64_t seconds) {
  int64_t day = DayOf(seconds);
  int64_t tod = seconds - day * kSecondsPerDay;
  std::string out = FormatDate(day) + "T00:00:00Z";
  size_t at = out.size() - 9;
  auto put = [&](size_t pos, int64_t value) {
    out[pos] = static_cast<char>('0' + value / 10);
    out[pos + 1] = static_cast<char>('0' + value % 10);
  };
  put(at, tod / 3600);
  put(at + 3, tod % 3600 / 60);
  put(at + 6, tod % 60);
  return out;
}

std::string FormatDuration(const Duration& d) {
  std::string out;
  auto part = [&](int64_t n, const char* unit) {
    if (!out.empty()) out += " ";
    out += std::to_string(n) + " " + unit + (n == 1 || n == -1 ? "" : "s");
  };
  if (d.months != 0) {
    if (d.months % 12 == 0) part(d.months / 12, "year");
    else part(d.months, "month");
  }
  if (d.WholeDays()) {
    if (d.seconds != 0 || d.months == 0) part(d.seconds / kSecondsPerDay, "day");
    return out;
  }
  // Each part carries the sign, as the months do ("-1 hour -30 minutes"), so the text reads back.
  // The magnitude as unsigned: -INT64_MIN seconds has no int64.
  int64_t sign = d.seconds < 0 ? -1 : 1;
  uint64_t s = d.seconds < 0 ? 0 - static_cast<uint64_t>(d.seconds) : static_cast<uint64_t>(d.seconds);
  auto signed_part = [&](uint64_t n, const char* unit) { part(sign * static_cast<int64_t>(n), unit); };
  const uint64_t day = kSecondsPerDay;
  if (s >= day) signed_part(s / day, "day");
  s %= day;
  if (s >= 3600) signed_part(s / 3600, "hour");
  if (s % 3600 >= 60) signed_part(s % 3600 / 60, "minute");
  if (s % 60 != 0) signed_part(s % 60, "second");
  return out;
}

namespace {

// Seconds in one unit named in a duration ("hours"), or 0 for months/years (handled apart) and -1
// when not a unit.
int64_t UnitSeconds(std::string_view unit, int64_t* months_per_unit) {
  *months_per_unit = 0;
  if (unit == "second" || unit == "seconds") return 1;
  if (unit == "minute" || unit == "minutes") return 60;
  if (unit == "hour" || unit == "hours") return 3600;
  if (unit == "day" || unit == "days") return kSecondsPerDay;
  if (unit == "week" || unit == "weeks") return 7 * kSecondsPerDay;
  if (unit == "month" || unit == "months") { *months_per_unit = 1; return 0; }
  if (unit == "year" || unit == "years") { *months_per_unit = 12; return 0; }
  return -1;
}

}  // namespace

std::optional<Duration> ParseDuration(std::string_view t) {
  Duration d;
  size_t i = 0;
  auto skip = [&] { while (i < t.size() && std::isspace(static_cast<unsigned char>(t[i]))) ++i; };
  skip();
  if (i < t.size() && t[i] == 'P') {  // ISO 8601 subset: PnYnMnWnDTnHnMnS
    ++i;
    bool any = false, time = false;
    while (i < t.size()) {
      if (t[i] == 'T' && !time) {
        time = true;
        ++i;
        continue;
      }
      size_t start = i;
      while (i < t.size() && std::isdigit(static_cast<unsigned char>(t[i]))) ++i;
      if (i == start || i >= t.size() || i - start > 9) return std::nullopt;
      int64_t n = std::stoll(std::string(t.substr(start, i - start)));
      char unit = t[i++];
      if (!time) {
        switch (unit) {
          case 'Y': d.months += 12 * n; break;
          case 'M': d.months += n; break;
          case 'W': d.seconds += 7 * kSecondsPerDay * n; break;
          case 'D': d.seconds += kSecondsPerDay * n; break;
          default: return std::nullopt;
        }
      } else {
        switch (unit) {
          case 'H': d.seconds += 3600 * n; break;
          case 'M': d.seconds += 60 * n; break;
          case 'S': d.seconds += n; break;
          default: return std::nullopt;
        }
      }
      any = true;
    }
    if (!any) return std::nullopt;
    return d;
  }
  bool any = false;
  while (true) {
    skip();
    if (i >= t.size()) break;
    bool neg = false;
    if (t[i] == '-') { neg = true; ++i; }
    size_t start = i;
    while (i < t.size() && std::isdigit(static_cast<unsigned char>(t[i]))) ++i;
    if (i == start || i - start > 9) return std::nullopt;
    int64_t n = std::stoll(std::string(t.substr(start, i - start)));
    if (neg) n = -n;
    skip();
    size_t ustart = i;
    while (i < t.size() && std::isalpha(static_cast<unsigned char>(t[i]))) ++i;
    int64_t months_per_unit = 0;
    int64_t seconds_per_unit = UnitSeconds(t.substr(ustart, i - ustart), &months_per_unit);
    if (seconds_per_unit < 0) return std::nullopt;
    d.months += months_per_unit * n;
    d.seconds += seconds_per_unit * n;
    any = true;
  }
  if (!any) return std::nullopt;
  return d;
}

int64_t AddDuration(int64_t date, const Duration& d, int sign) {
  return AddMonths(date, sign * d.months) + sign * (d.seconds / kSecondsPerDay);
}

int64_t AddDurationToInstant(int64_t seconds, const Duration& d, int sign) {
  int64_t day = DayOf(seconds);
  int64_t time_of_day = seconds - day * kSecondsPerDay;
  return AddMonths(day, sign * d.months) * kSecondsPerDay + time_of_day + sign * d.seconds;
}

RecurringError RecurringDueDates(int64_t first, const Duration& period, int64_t as_of, RecurringDue* out) {
  bool months = period.months != 0;
  if ((months && period.seconds != 0) || (!months && (period.seconds <= 0 || !period.WholeDays())) ||
      period.months < 0 || period.months > kMaxMonths || period.seconds > kMaxSeconds) {
    return RecurringError::kBadPeriod;
  }
  if (first < kFirstDay || first > kLastDay || as_of < kFirstDay || as_of > kLastDay) return RecurringError::kOutside;
  int64_t step_days = months ? 0 : period.seconds / kSecondsPerDay;
  bool outside = false;
  auto due = [&](int64_t k) -> int64_t {
    if (months && k > kMaxMonths / period.months + 1) {
      outside = true;
      return kLastDay;
    }
    int64_t r = months ? AddMonths(first, k * period.months) : first + k * step_days;
    if (r < kFirstDay || r > kLastDay) outside = true;
    return r;
  };
  int64_t k = 0;
  if (as_of > first) {
    k = months ? MonthsBetween(first, as_of) / period.months : (as_of - first) / step_days;
    while (k > 0 && due(k) >= as_of && !outside) --k;  // the last due date before as_of ...
    while (!outside && due(k) < as_of) ++k;             // ... then the first on or after it
  }
  out->current = due(k);
  out->has_previous = k >= 1;
  out->has_before_previous = k >= 2;
  if (k >= 1) out->previous = due(k - 1);
  if (k >= 2) out->before_previous = due(k - 2);
  return outside ? RecurringError::kOutside : RecurringError::kNone;
}

}  // namespace proviso
