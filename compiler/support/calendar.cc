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
  if (d.days != 0 || d.months == 0) part(d.days, "day");
  return out;
}

std::optional<Duration> ParseDuration(std::string_view t) {
  Duration d;
  size_t i = 0;
  auto skip = [&] { while (i < t.size() && std::isspace(static_cast<unsigned char>(t[i]))) ++i; };
  skip();
  if (i < t.size() && t[i] == 'P') {  // ISO 8601 subset: PnYnMnWnD
    ++i;
    bool any = false;
    while (i < t.size()) {
      size_t start = i;
      while (i < t.size() && std::isdigit(static_cast<unsigned char>(t[i]))) ++i;
      if (i == start || i >= t.size() || i - start > 9) return std::nullopt;
      int64_t n = std::stoll(std::string(t.substr(start, i - start)));
      switch (t[i++]) {
        case 'Y': d.months += 12 * n; break;
        case 'M': d.months += n; break;
        case 'W': d.days += 7 * n; break;
        case 'D': d.days += n; break;
        default: return std::nullopt;
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
    std::string_view unit = t.substr(ustart, i - ustart);
    if (unit == "day" || unit == "days") d.days += n;
    else if (unit == "week" || unit == "weeks") d.days += 7 * n;
    else if (unit == "month" || unit == "months") d.months += n;
    else if (unit == "year" || unit == "years") d.months += 12 * n;
    else return std::nullopt;
    any = true;
  }
  if (!any) return std::nullopt;
  return d;
}

int64_t AddDuration(int64_t date, const Duration& d, int sign) {
  return AddMonths(date, sign * d.months) + sign * d.days;
}

}  // namespace proviso
