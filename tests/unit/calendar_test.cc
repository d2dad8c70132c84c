#include "compiler/support/calendar.h"

#include <gtest/gtest.h>

namespace proviso {
namespace {

TEST(Calendar, EpochAndRoundTrip) {
  EXPECT_EQ(DaysFromCivil(1970, 1, 1), 0);
  EXPECT_EQ(FormatDate(DaysFromCivil(2020, 7, 31)), "2020-07-31");
  for (int64_t d = -800000; d < 800000; d += 997) {
    CivilDate c = CivilFromDays(d);
    EXPECT_EQ(DaysFromCivil(c.year, c.month, c.day), d);
  }
}

TEST(Calendar, FormatPadsAndRoundTripsTheWholeCalendar) {
  EXPECT_EQ(FormatDate(DaysFromCivil(1, 1, 1)), "0001-01-01");
  EXPECT_EQ(FormatDate(DaysFromCivil(987, 3, 4)), "0987-03-04");
  EXPECT_EQ(FormatDate(DaysFromCivil(9999, 12, 31)), "9999-12-31");
  EXPECT_EQ(FormatDate(DaysFromCivil(-5, 6, 7)), "-005-06-07");  // outside the calendar: printf's form
  for (int64_t d = DaysFromCivil(1, 1, 1); d <= DaysFromCivil(9999, 12, 31); d += 1009) {
    EXPECT_EQ(ParseDate(FormatDate(d)), d);
  }
}

TEST(Calendar, ParseRejectsImpossibleDates) {
  EXPECT_TRUE(ParseDate("2020-02-29").has_value());
  EXPECT_FALSE(ParseDate("2019-02-29").has_value());
  EXPECT_FALSE(ParseDate("2020-13-01").has_value());
  EXPECT_FALSE(ParseDate("2020-1-01").has_value());
  EXPECT_FALSE(ParseDate("20200101").has_value());
}

TEST(Calendar, AddMonthsClampsToMonthEnd) {
  EXPECT_EQ(FormatDate(AddMonths(*ParseDate("2020-01-31"), 1)), "2020-02-29");
  EXPECT_EQ(FormatDate(AddMonths(*ParseDate("2021-01-31"), 1)), "2021-02-28");
  EXPECT_EQ(FormatDate(AddMonths(*ParseDate("2020-12-15"), 1)), "2021-01-15");
  EXPECT_EQ(FormatDate(AddMonths(*ParseDate("2020-03-15"), -3)), "2019-12-15");
}

TEST(Calendar, Durations) {
  EXPECT_EQ(ParseDuration("30 days"), (Duration{0, 30}));
  EXPECT_EQ(ParseDuration("1 year 2 days"), (Duration{12, 2}));
  EXPECT_EQ(ParseDuration("P2W"), (Duration{0, 14}));
  EXPECT_EQ(ParseDuration("P1Y2M"), (Duration{14, 0}));
  EXPECT_FALSE(ParseDuration("30 fortnights").has_value());
  EXPECT_FALSE(ParseDuration("").has_value());
  EXPECT_EQ(FormatDuration({0, 1}), "1 day");
  EXPECT_EQ(FormatDuration({24, 0}), "2 years");
  EXPECT_EQ(FormatDate(AddDuration(*ParseDate("2020-06-08"), {0, 30})), "2020-07-08");
}

}  // namespace
}  // namespace proviso
