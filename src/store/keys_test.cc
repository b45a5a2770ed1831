// When a key's spending limit starts again from zero (LimitReset), and its names.
#include "store/keys.h"

#include <gtest/gtest.h>

namespace turnpike::store {
namespace {

constexpr int64_t kDay = 86'400;
// Sunday 2026-11-29 23:59:59 UTC, the last second of a week and the eve of a month's last day.
constexpr int64_t kSundayLast = 1'795'996'799;
constexpr int64_t kMondayNov30 = kSundayLast + 1;
constexpr int64_t kSundayNov29 = kMondayNov30 - kDay;
constexpr int64_t kMondayNov23 = kMondayNov30 - 7 * kDay;
constexpr int64_t kNov1 = kMondayNov30 - 29 * kDay;
constexpr int64_t kDec1 = kMondayNov30 + kDay;

TEST(LimitPeriodStartTest, EachPeriodBeginsAtItsUtcMidnight) {
  EXPECT_EQ(LimitPeriodStart(LimitReset::kDaily, kSundayLast), kSundayNov29);
  EXPECT_EQ(LimitPeriodStart(LimitReset::kWeekly, kSundayLast), kMondayNov23) << "a week runs Monday to Sunday";
  EXPECT_EQ(LimitPeriodStart(LimitReset::kMonthly, kSundayLast), kNov1);
  EXPECT_EQ(LimitPeriodStart(LimitReset::kNever, kSundayLast), 0);
  // The next second turns the day and the week, not the month.
  EXPECT_EQ(LimitPeriodStart(LimitReset::kDaily, kMondayNov30), kMondayNov30);
  EXPECT_EQ(LimitPeriodStart(LimitReset::kWeekly, kMondayNov30), kMondayNov30);
  EXPECT_EQ(LimitPeriodStart(LimitReset::kMonthly, kMondayNov30), kNov1);
  EXPECT_EQ(LimitPeriodStart(LimitReset::kMonthly, kDec1 - 1), kNov1);
  EXPECT_EQ(LimitPeriodStart(LimitReset::kMonthly, kDec1), kDec1);
  EXPECT_EQ(LimitPeriodStart(LimitReset::kWeekly, kDec1 + 12 * 3600), kMondayNov30) << "a week across two months";
  // 2028-02-29 12:00 UTC, a leap day: its month began on 2028-02-01.
  EXPECT_EQ(LimitPeriodStart(LimitReset::kMonthly, 1'835'438'400), 1'832'976'000);
}

TEST(LimitPeriodEndTest, APeriodEndsWhereTheNextBegins) {
  EXPECT_EQ(LimitPeriodEnd(LimitReset::kDaily, kSundayLast), kMondayNov30);
  EXPECT_EQ(LimitPeriodEnd(LimitReset::kWeekly, kSundayLast), kMondayNov30);
  EXPECT_EQ(LimitPeriodEnd(LimitReset::kWeekly, kMondayNov30), kMondayNov30 + 7 * kDay);
  EXPECT_EQ(LimitPeriodEnd(LimitReset::kMonthly, kNov1), kDec1);
  EXPECT_EQ(LimitPeriodEnd(LimitReset::kMonthly, kDec1 - 1), kDec1);
  // January's 31 days end on February 1st, February 2028's 29 on March 1st.
  EXPECT_EQ(LimitPeriodEnd(LimitReset::kMonthly, 1'799'064'000), 1'801'440'000);  // 2027-01-04 12:00
  EXPECT_EQ(LimitPeriodEnd(LimitReset::kMonthly, 1'835'438'400), 1'835'481'600);  // 2028-02-29 12:00
  EXPECT_EQ(LimitPeriodEnd(LimitReset::kNever, kSundayLast), 0);
}

TEST(LimitResetNameTest, NamesReadBackAndNothingElseIsOne) {
  for (LimitReset reset : {LimitReset::kNever, LimitReset::kDaily, LimitReset::kWeekly, LimitReset::kMonthly}) {
    EXPECT_EQ(ParseLimitReset(LimitResetName(reset)), reset);
  }
  EXPECT_EQ(LimitResetName(LimitReset::kWeekly), "weekly");
  EXPECT_EQ(ParseLimitReset(""), LimitReset::kNever);
  EXPECT_FALSE(ParseLimitReset("Daily").has_value());
  EXPECT_FALSE(ParseLimitReset("yearly").has_value());
  EXPECT_FALSE(ParseLimitReset("never").has_value()) << "the API's \"never\" is null";
}

}  // namespace
}  // namespace turnpike::store
