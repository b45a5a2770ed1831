// Small helpers shared by the SQLite store's source files.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>

#include "common/clock.h"

namespace turnpike::store::sqlite {

// The columns of api_keys a key is read from (ReadKey in either store), up to the last one, its
// limit usage (kKeyLimitUsage, which differs between the stores).
inline constexpr char kKeyColumnsBeforeLimitUsage[] =
    "id, user_id, name, prefix, hash, limit_micros, usage_micros, disabled, expires_at, created_at, log_prompts, "
    "last_used_at, rpm_limit, tpm_limit, management, public_id, updated_at, "
    "(SELECT u.disabled FROM users u WHERE u.id = api_keys.user_id), "
    "(SELECT COALESCE(u.provider_preferences, '') FROM users u WHERE u.id = api_keys.user_id), "
    "COALESCE(limit_reset, ''), ";

// What counts against a key's limit now (store/keys.h ApiKey::limit_usage), as an expression on a
// row of api_keys: the key's usage over its life, or for a limit that resets, the spend of the
// key's holds (settled, or held while unsettled) since its period began. Its three parameters are
// the starts of the UTC day, week and month, in that order: bind them with BindPeriodStarts.
inline constexpr char kKeyLimitUsage[] =
    "CASE WHEN api_keys.limit_reset IS NULL THEN api_keys.usage_micros ELSE "
    "(SELECT coalesce(sum(coalesce(h.settled_micros, h.amount_micros)), 0) FROM holds h "
    "WHERE h.key_id = api_keys.id AND h.created_at >= "
    "CASE api_keys.limit_reset WHEN 'daily' THEN ? WHEN 'weekly' THEN ? ELSE ? END) END";

template <class Statement>
Statement& BindPeriodStarts(Statement& s, int64_t now_unix) {
  const UtcPeriodStarts starts = UtcPeriodsAround(now_unix);
  return s.Bind(starts.day).Bind(starts.week).Bind(starts.month);
}

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
