// A key's spend per UTC day, ISO week and month (GET /api/v1/key's usage_daily/weekly/monthly),
// from activity buckets on either side of each window's start.
#include <gtest/gtest.h>

#include "store/request_log.h"

namespace turnpike::store {
namespace {

ActivityBucket Day(std::string day, int64_t key_id, Micros cost) {
  ActivityBucket b;
  b.group = std::move(day);
  b.series = std::to_string(key_id);
  b.cost = cost;
  return b;
}

// Wednesday 2026-12-09 15:00 UTC: its week began on Monday 2026-12-07, its month on 2026-12-01.
constexpr int64_t kWednesday = 1'796'828'400;

TEST(SpendWindowsTest, EachWindowAddsUpOnlyItsOwnDaysAndKey) {
  const std::vector<ActivityBucket> buckets = {
      Day("2026-11-30", 7, 1),       // last month, and last week (a Monday)
      Day("2026-12-01", 7, 10),      // this month, last week
      Day("2026-12-07", 7, 100),     // this week (its Monday)
      Day("2026-12-08", 7, 1'000),   // this week
      Day("2026-12-09", 7, 10'000),  // today
      Day("2026-12-09", 8, 99'999),  // another key, today
  };
  SpendWindows w = SpendWindowsOf(buckets, 7, kWednesday);
  EXPECT_EQ(w.day, 10'000);
  EXPECT_EQ(w.week, 11'100);
  EXPECT_EQ(w.month, 11'110);
  EXPECT_EQ(SpendWindowsOf(buckets, 9, kWednesday).month, 0) << "a key with no spend";
}

TEST(SpendWindowsTest, TheQueryReachesBackToTheEarlierOfWeekAndMonth) {
  // On Wednesday 2026-12-09 the month began first; on Tuesday 2026-12-01 the week did (Monday 11-30).
  EXPECT_EQ(SpendWindowsQuery(1, kWednesday).from_ms, int64_t{1'796'083'200} * 1000);     // 2026-12-01
  EXPECT_EQ(SpendWindowsQuery(1, 1'796'137'200).from_ms, int64_t{1'795'996'800} * 1000);  // 2026-11-30
  EXPECT_EQ(SpendWindowsQuery(1, kWednesday).group_by, "day");
  EXPECT_EQ(SpendWindowsQuery(1, kWednesday).split_by, "key");
}

}  // namespace
}  // namespace turnpike::store
