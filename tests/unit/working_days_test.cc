// Working-day calendars: the counting rules on a small calendar, and the shipped PRC calendar
// (policies/calendars/cn_official.proviso) against checks transcribed from the State Council
// notices (tests/unit/data/cn_official_checks.tsv), on both engines' shared tables.
#include "compiler/support/working_days.h"

#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "compiler/driver/driver.h"
#include "compiler/ir/ir.h"
#include "compiler/support/calendar.h"

namespace proviso {
namespace {

int64_t Day(const char* s) { return *ParseDate(s); }

// Saturday and Sunday off; a holiday on Wednesday 2024-01-03; Saturday 2024-01-06 worked.
WorkingCalendar Small() {
  return WorkingCalendar("small", 2024, 2024, (1u << 6) | (1u << 7), {Day("2024-01-03")}, {Day("2024-01-06")});
}

TEST(WorkingDays, CountsTheNthWorkingDayStrictlyAfter) {
  WorkingCalendar c = Small();
  int64_t out = 0;
  ASSERT_TRUE(c.AddWorkingDays(Day("2024-01-01"), 1, &out));
  EXPECT_EQ(FormatDate(out), "2024-01-02");
  ASSERT_TRUE(c.AddWorkingDays(Day("2024-01-02"), 1, &out));  // over the holiday
  EXPECT_EQ(FormatDate(out), "2024-01-04");
  ASSERT_TRUE(c.AddWorkingDays(Day("2024-01-04"), 2, &out));  // the worked Saturday counts
  EXPECT_EQ(FormatDate(out), "2024-01-06");
  ASSERT_TRUE(c.AddWorkingDays(Day("2024-01-06"), 1, &out));  // Sunday is off
  EXPECT_EQ(FormatDate(out), "2024-01-08");
  ASSERT_TRUE(c.AddWorkingDays(Day("2024-01-07"), 0, &out));  // zero: the day itself
  EXPECT_EQ(FormatDate(out), "2024-01-07");
  ASSERT_TRUE(c.AddWorkingDays(Day("2024-01-08"), -1, &out));  // back: the worked Saturday
  EXPECT_EQ(FormatDate(out), "2024-01-06");
  ASSERT_TRUE(c.AddWorkingDays(Day("2024-01-04"), -1, &out));
  EXPECT_EQ(FormatDate(out), "2024-01-02");
  int64_t n = 0;
  ASSERT_TRUE(c.WorkingDaysBetween(Day("2024-01-01"), Day("2024-01-08"), &n));  // 2, 4, 5, 6, 8
  EXPECT_EQ(n, 5);
  ASSERT_TRUE(c.WorkingDaysBetween(Day("2024-01-08"), Day("2024-01-01"), &n));
  EXPECT_EQ(n, -5);
}

TEST(WorkingDays, OutsideTheYearsIsNoAnswer) {
  WorkingCalendar c = Small();
  int64_t out = 0;
  EXPECT_FALSE(c.AddWorkingDays(Day("2023-12-31"), 1, &out));
  EXPECT_FALSE(c.AddWorkingDays(Day("2024-12-31"), 1, &out));  // the answer would be in 2025
  EXPECT_FALSE(c.AddWorkingDays(Day("2024-01-02"), -2, &out));  // before 2024-01-01
  EXPECT_FALSE(c.AddWorkingDays(Day("2024-06-03"), INT64_MAX, &out));
  EXPECT_FALSE(c.AddWorkingDays(Day("2024-06-03"), -INT64_MAX, &out));
  EXPECT_EQ(IsWorkingDay(c.tables(), Day("2025-01-01")), -1);
  EXPECT_EQ(c.OutsideMessage(Day("2025-01-01")), "2025-01-01 is outside the years calendar `small` covers (2024 to 2024)");
}

TEST(WorkingDays, TheChineseOfficialCalendarMatchesTheNotices) {
  std::string path = std::string(PROVISO_SOURCE_DIR) + "/policies/calendars/cn_official.proviso";
  auto compiled = CompileFile(path);
  ASSERT_TRUE(compiled->ok()) << path;
  std::unique_ptr<ir::Program> p = ir::Lower(std::move(compiled->program));
  ASSERT_EQ(p->calendars.size(), 1u);
  const WorkingCalendar& cn = p->calendars[0];
  EXPECT_EQ(cn.first_year(), 2020);
  EXPECT_EQ(cn.last_year(), 2026);
  std::ifstream checks(std::string(PROVISO_SOURCE_DIR) + "/tests/unit/data/cn_official_checks.tsv");
  std::string line;
  int n = 0;
  while (std::getline(checks, line)) {
    std::istringstream fields(line);
    std::string date, expected, why;
    std::getline(fields, date, '\t');
    std::getline(fields, expected, '\t');
    std::getline(fields, why);
    auto day = ParseDate(date);
    ASSERT_TRUE(day) << line;
    ASSERT_TRUE(cn.Covers(*day)) << line;
    EXPECT_EQ(cn.IsWorking(*day), expected == "working") << date << ": " << why;
    ++n;
  }
  EXPECT_GE(n, 150);
  // The 2020 extension: Friday 2020-01-24 to Sunday 2020-02-02 off, Sunday 2020-01-19 worked.
  int64_t out = 0;
  ASSERT_TRUE(cn.AddWorkingDays(Day("2020-01-23"), 1, &out));
  EXPECT_EQ(FormatDate(out), "2020-02-03");
}

}  // namespace
}  // namespace proviso
