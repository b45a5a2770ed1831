#include "control/time_format.h"

#include <gtest/gtest.h>

namespace turnpike::control {
namespace {

TEST(TimeFormat, FormatsUtc) {
  EXPECT_EQ(FormatUnixSeconds(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(FormatUnixSeconds(1'700'000'000), "2023-11-14T22:13:20Z");
  EXPECT_EQ(FormatUnixSeconds(951'782'400), "2000-02-29T00:00:00Z");
  EXPECT_EQ(FormatUnixMillis(1'700'000'000'123), "2023-11-14T22:13:20.123Z");
  EXPECT_EQ(FormatUnixMillis(5), "1970-01-01T00:00:00.005Z");
}

TEST(TimeFormat, ParsesWhatItFormats) {
  for (int64_t ms : {int64_t{0}, int64_t{1'700'000'000'123}, int64_t{951'782'400'000}, int64_t{4'102'444'799'999}}) {
    EXPECT_EQ(ParseIsoMillis(FormatUnixMillis(ms)), ms) << ms;
    EXPECT_EQ(ParseIsoMillis(FormatUnixSeconds(ms / 1000)), ms / 1000 * 1000) << ms;
  }
}

TEST(TimeFormat, ParsesVariants) {
  EXPECT_EQ(ParseIsoMillis("2023-11-14"), 1'699'920'000'000);
  EXPECT_EQ(ParseIsoMillis("2023-11-14T22:13Z"), 1'700'000'000'000 - 20'000);
  EXPECT_EQ(ParseIsoMillis("2023-11-14t22:13:20z"), 1'700'000'000'000);
  EXPECT_EQ(ParseIsoMillis("2023-11-14 22:13:20Z"), 1'700'000'000'000);
  EXPECT_EQ(ParseIsoMillis("2023-11-15T00:13:20+02:00"), 1'700'000'000'000);
  EXPECT_EQ(ParseIsoMillis("2023-11-14T20:13:20-02:00"), 1'700'000'000'000);
  EXPECT_EQ(ParseIsoMillis("2023-11-14T22:13:20.5Z"), 1'700'000'000'500);
  EXPECT_EQ(ParseIsoMillis("2023-11-14T22:13:20.123456789Z"), 1'700'000'000'123);
  EXPECT_EQ(ParseIsoMillis("2024-02-29"), 1'709'164'800'000);
}

TEST(TimeFormat, RejectsMalformed) {
  for (const char* bad : {"",
                          "2023",
                          "2023-11",
                          "2023-1-14",
                          "2023-11-14T",
                          "2023-11-14T22:13:20",
                          "2023-11-14T22:13:20+0200",
                          "2023-11-14T24:00:00Z",
                          "2023-11-14T22:60:00Z",
                          "2023-02-29",
                          "2023-13-01",
                          "2023-00-10",
                          "2023-11-00",
                          "1969-12-31",
                          "2023-11-14T22:13:20.Z",
                          "2023-11-14T22:13:20Zjunk",
                          " 2023-11-14",
                          "x023-11-14",
                          "2023-11-14T22:13:20.1234567890Z",
                          "1700000000"}) {
    EXPECT_FALSE(ParseIsoMillis(bad).has_value()) << bad;
  }
}

}  // namespace
}  // namespace turnpike::control
