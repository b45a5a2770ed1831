// Time in the units the store and logs use.
#pragma once

#include <chrono>
#include <cstdint>
#include <ctime>
#include <string>

namespace turnpike {

inline int64_t UnixSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}
inline int64_t UnixMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}
// "2026-12-07T06:25:00Z": unix seconds as an ISO 8601 UTC time.
inline std::string IsoUtc(int64_t unix_seconds) {
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}
// The UTC midnights that begin the day, the ISO week (Monday) and the month around a time: the
// periods of a key's spend (GET /api/v1/key) and of a key limit that resets (store/keys.h).
struct UtcPeriodStarts {
  int64_t day, week, month;  // unix seconds
};
inline UtcPeriodStarts UtcPeriodsAround(int64_t unix_seconds) {
  const int64_t day = unix_seconds - ((unix_seconds % 86'400) + 86'400) % 86'400;
  const int64_t days_since_monday = ((day / 86'400 + 3) % 7 + 7) % 7;  // 1970-01-01 was a Thursday
  std::tm tm{};
  const std::time_t t = static_cast<std::time_t>(unix_seconds);
  gmtime_r(&t, &tm);
  return {day, day - days_since_monday * 86'400, day - static_cast<int64_t>(tm.tm_mday - 1) * 86'400};
}
using SteadyTime = std::chrono::steady_clock::time_point;
inline int64_t MillisSince(SteadyTime start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace turnpike
