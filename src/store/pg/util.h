// Small helpers shared by the PostgreSQL store's source files.
#pragma once

#include <optional>
#include <vector>

#include "store/pg/connection.h"
#include "store/sqlite/util.h"

namespace turnpike::store::pg {

// The clock and the activity rollups' day are the SQLite store's, so both stores agree on them.
using sqlite::NowUnix;
using sqlite::UtcDay;

// sqlite::kKeyLimitUsage in PostgreSQL: its parameters are $1, $2 and $3, the starts of the UTC
// day, week and month (PeriodStartParams), so a statement's own parameters begin at $4.
inline constexpr char kKeyLimitUsage[] =
    "CASE WHEN api_keys.limit_reset IS NULL THEN api_keys.usage_micros ELSE "
    "(SELECT coalesce(sum(coalesce(h.settled_micros, h.amount_micros)), 0)::bigint FROM holds h "
    "WHERE h.key_id = api_keys.id AND h.created_at >= "
    "CASE api_keys.limit_reset WHEN 'daily' THEN $1::bigint WHEN 'weekly' THEN $2::bigint ELSE $3::bigint END) END";

// The parameters $1, $2, $3 of kKeyLimitUsage around `now_unix`.
inline Params PeriodStartParams(int64_t now_unix) {
  const UtcPeriodStarts starts = UtcPeriodsAround(now_unix);
  Params params;
  params.Add(starts.day).Add(starts.week).Add(starts.month);
  return params;
}

// Every row of `rows`, each read by `read(rows, i)`.
template <class Read>
auto AllRows(const Rows& rows, Read read) -> std::vector<decltype(read(rows, 0))> {
  std::vector<decltype(read(rows, 0))> out;
  out.reserve(rows.size());
  for (int i = 0; i < rows.size(); ++i) out.push_back(read(rows, i));
  return out;
}

// The first row of `rows` read by `read(rows, 0)`; std::nullopt when there is none.
template <class Read>
auto FirstRow(const Rows& rows, Read read) -> std::optional<decltype(read(rows, 0))> {
  if (rows.empty()) return std::nullopt;
  return read(rows, 0);
}

// Column 0 of the first row as an integer (a count or a sum); 0 when there is no row.
inline int64_t FirstInt(const Rows& rows) { return rows.empty() ? 0 : rows.Int(0, 0); }

}  // namespace turnpike::store::pg
