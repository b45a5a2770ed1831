// Small helpers shared by the SQLite store's source files.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>

namespace turnpike::store::sqlite {

// Wall-clock unix seconds, for created_at columns the caller does not supply.
inline int64_t NowUnix() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// The UTC day of a unix-milliseconds instant as "YYYY-MM-DD" (the activity rollups' key).
// Instants outside years 0000..9999 are clamped to that range, so days compare as text.
inline std::string UtcDay(int64_t unix_ms) {
  using namespace std::chrono;
  constexpr int64_t kMinDay = -719528;  // 0000-01-01
  constexpr int64_t kMaxDay = 2932896;  // 9999-12-31
  constexpr int64_t kMsPerDay = 86'400'000;
  int64_t day = unix_ms / kMsPerDay;
  if (unix_ms % kMsPerDay < 0) --day;  // floor, also before 1970
  if (day < kMinDay) day = kMinDay;
  if (day > kMaxDay) day = kMaxDay;
  year_month_day ymd{sys_days{days{day}}};
  char text[16];
  std::snprintf(text, sizeof(text), "%04d-%02u-%02u", static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                static_cast<unsigned>(ymd.day()));
  return text;
}

}  // namespace turnpike::store::sqlite
