#include "store/keys.h"

#include "common/clock.h"

namespace turnpike::store {

std::string_view LimitResetName(LimitReset reset) {
  switch (reset) {
    case LimitReset::kDaily:
      return "daily";
    case LimitReset::kWeekly:
      return "weekly";
    case LimitReset::kMonthly:
      return "monthly";
    case LimitReset::kNever:
      break;
  }
  return "";
}

std::optional<LimitReset> ParseLimitReset(std::string_view name) {
  for (LimitReset reset : {LimitReset::kNever, LimitReset::kDaily, LimitReset::kWeekly, LimitReset::kMonthly}) {
    if (name == LimitResetName(reset)) return reset;
  }
  return std::nullopt;
}

int64_t LimitPeriodStart(LimitReset reset, int64_t now_unix) {
  const UtcPeriodStarts starts = UtcPeriodsAround(now_unix);
  switch (reset) {
    case LimitReset::kDaily:
      return starts.day;
    case LimitReset::kWeekly:
      return starts.week;
    case LimitReset::kMonthly:
      return starts.month;
    case LimitReset::kNever:
      break;
  }
  return 0;
}

int64_t LimitPeriodEnd(LimitReset reset, int64_t now_unix) {
  constexpr int64_t kDay = 86'400;
  const int64_t start = LimitPeriodStart(reset, now_unix);
  switch (reset) {
    case LimitReset::kDaily:
      return start + kDay;
    case LimitReset::kWeekly:
      return start + 7 * kDay;
    case LimitReset::kMonthly:
      // 32 days after the 1st is always in the next month, and never past it.
      return LimitPeriodStart(reset, start + 32 * kDay);
    case LimitReset::kNever:
      break;
  }
  return 0;
}

}  // namespace turnpike::store
