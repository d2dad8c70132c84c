#include "compiler/support/calendar.h"

#include <gtest/gtest.h>

#include <cstdint>

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
  EXPECT_EQ(ParseDuration("30 days"), Duration::Days(30));
  EXPECT_EQ(ParseDuration("1 year 2 days"), (Duration{12, 2 * kSecondsPerDay}));
  EXPECT_EQ(ParseDuration("P2W"), Duration::Days(14));
  EXPECT_EQ(ParseDuration("P1Y2M"), Duration::Months(14));
  EXPECT_EQ(ParseDuration("72 hours"), (Duration{0, 72 * 3600}));
  EXPECT_EQ(ParseDuration("1 hour 30 minutes 5 seconds"), (Duration{0, 5405}));
  EXPECT_EQ(ParseDuration("PT72H"), (Duration{0, 72 * 3600}));
  EXPECT_EQ(ParseDuration("P1DT2H30M"), (Duration{0, kSecondsPerDay + 9000}));
  EXPECT_EQ(ParseDuration("P1M"), Duration::Months(1));   // M before T: months
  EXPECT_EQ(ParseDuration("PT1M"), (Duration{0, 60}));   // after T: minutes
  EXPECT_FALSE(ParseDuration("30 fortnights").has_value());
  EXPECT_FALSE(ParseDuration("").has_value());
  EXPECT_FALSE(ParseDuration("PT1D").has_value());
  EXPECT_EQ(FormatDuration(Duration::Days(1)), "1 day");
  EXPECT_EQ(FormatDuration(Duration::Months(24)), "2 years");
  EXPECT_EQ(FormatDuration({0, 72 * 3600}), "3 days");
  // The most negative duration has no positive counterpart (found by UBSan: it was negated).
  EXPECT_EQ(FormatDuration({0, INT64_MIN}), "-106751991167300 days -15 hours -30 minutes -8 seconds");
  EXPECT_EQ(FormatDuration({0, INT64_MAX}), "106751991167300 days 15 hours 30 minutes 7 seconds");
  EXPECT_EQ(FormatDuration({0, 90 * 60}), "1 hour 30 minutes");
  EXPECT_EQ(FormatDuration({0, kSecondsPerDay + 3601}), "1 day 1 hour 1 second");
  EXPECT_EQ(FormatDuration({0, -5400}), "-1 hour -30 minutes");
  EXPECT_EQ(ParseDuration(FormatDuration({1, -5400})), (Duration{1, -5400}));  // the text reads back
  EXPECT_EQ(FormatDate(AddDuration(*ParseDate("2020-06-08"), Duration::Days(30))), "2020-07-08");
}

TEST(Calendar, DateTimesAreNormalisedToUtcAndToTheSecond) {
  EXPECT_EQ(ParseDateTime("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(ParseDateTime("2024-03-04T16:00:00+08:00"), ParseDateTime("2024-03-04T08:00:00Z"));
  EXPECT_EQ(ParseDateTime("2024-03-04T00:30-05:30"), ParseDateTime("2024-03-04T06:00:00Z"));
  EXPECT_EQ(ParseDateTime("2024-03-04T16:00:00.000Z"), ParseDateTime("2024-03-04T16:00:00Z"));
  EXPECT_FALSE(ParseDateTime("2024-03-04T16:00:00.5Z").has_value());  // to the second
  EXPECT_FALSE(ParseDateTime("2024-03-04T16:00:00").has_value());     // no offset: not an instant
  EXPECT_FALSE(ParseDateTime("2024-03-04T24:00:00Z").has_value());
  EXPECT_FALSE(ParseDateTime("2024-03-04T23:59:60Z").has_value());
  EXPECT_FALSE(ParseDateTime("2023-02-29T00:00:00Z").has_value());
  EXPECT_FALSE(ParseDateTime("0001-01-01T00:00:00+01:00").has_value());  // before the calendar in UTC
  EXPECT_EQ(FormatDateTime(*ParseDateTime("1969-12-31T23:59:59Z")), "1969-12-31T23:59:59Z");
  EXPECT_EQ(DayOf(-1), -1);
  EXPECT_EQ(DayOf(kSecondsPerDay), 1);
  for (int64_t t = kFirstSecond; t <= kLastSecond; t += 3600 * 24 * 997 + 3599) {
    EXPECT_EQ(ParseDateTime(FormatDateTime(t)), t);
  }
}

TEST(Calendar, WeekdaysAndWholeMonths) {
  EXPECT_EQ(Weekday(*ParseDate("1970-01-01")), 4);  // Thursday
  EXPECT_EQ(Weekday(*ParseDate("2024-03-04")), 1);  // Monday
  EXPECT_EQ(Weekday(*ParseDate("1969-12-28")), 7);  // Sunday, before 1970
  EXPECT_EQ(MonthsBetween(*ParseDate("2021-01-31"), *ParseDate("2021-02-28")), 1);
  EXPECT_EQ(MonthsBetween(*ParseDate("2021-01-31"), *ParseDate("2021-02-27")), 0);
  EXPECT_EQ(MonthsBetween(*ParseDate("2024-02-29"), *ParseDate("2025-02-28")), 12);
  EXPECT_EQ(MonthsBetween(*ParseDate("2024-05-31"), *ParseDate("2024-02-29")), -3);
  EXPECT_EQ(FormatDateTime(AddDurationToInstant(*ParseDateTime("2024-01-31T23:15:00Z"), Duration::Months(1))),
            "2024-02-29T23:15:00Z");
}

TEST(Calendar, RecurringDueDates) {
  RecurringDue due;
  // Every year by 31 March, from 2021: on 2024-05-01 the next is 2025-03-31, the last 2024-03-31.
  ASSERT_EQ(RecurringDueDates(*ParseDate("2021-03-31"), Duration::Months(12), *ParseDate("2024-05-01"), &due),
            RecurringError::kNone);
  EXPECT_EQ(FormatDate(due.current), "2025-03-31");
  ASSERT_TRUE(due.has_previous && due.has_before_previous);
  EXPECT_EQ(FormatDate(due.previous), "2024-03-31");
  EXPECT_EQ(FormatDate(due.before_previous), "2023-03-31");
  // On a due date, it is the current one.
  ASSERT_EQ(RecurringDueDates(*ParseDate("2021-03-31"), Duration::Months(12), *ParseDate("2024-03-31"), &due),
            RecurringError::kNone);
  EXPECT_EQ(FormatDate(due.current), "2024-03-31");
  // Monthly from a 31st: each month's last day, counted from the first due date.
  ASSERT_EQ(RecurringDueDates(*ParseDate("2024-01-31"), Duration::Months(1), *ParseDate("2024-03-01"), &due),
            RecurringError::kNone);
  EXPECT_EQ(FormatDate(due.current), "2024-03-31");
  EXPECT_EQ(FormatDate(due.previous), "2024-02-29");
  // Before the first due date: no previous one.
  ASSERT_EQ(RecurringDueDates(*ParseDate("2024-06-30"), Duration::Days(90), *ParseDate("2024-01-01"), &due),
            RecurringError::kNone);
  EXPECT_EQ(FormatDate(due.current), "2024-06-30");
  EXPECT_FALSE(due.has_previous);
  EXPECT_EQ(RecurringDueDates(0, Duration{1, kSecondsPerDay}, 10, &due), RecurringError::kBadPeriod);
  EXPECT_EQ(RecurringDueDates(0, Duration{0, 3600}, 10, &due), RecurringError::kBadPeriod);
  EXPECT_EQ(RecurringDueDates(kLastDay - 10, Duration::Days(30), kLastDay, &due), RecurringError::kOutside);
}

}  // namespace
}  // namespace proviso
