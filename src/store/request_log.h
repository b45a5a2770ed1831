// RequestLogStore: the request log (one row per request the gateway answered) and the activity
// rollups maintained with it. The gateway writes each request's row with its settlement, in the
// group committer's transactions (group_commit.h); the control plane and /generation read.
// Threading and errors as every store interface (users.h): reads answer Result, absent is
// std::nullopt or empty, a database error is an Error.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/money.h"
#include "common/result.h"

namespace turnpike::store {

using money::Micros;

enum class UsageSource { kProvider, kEstimated };

// One provider the gateway tried for a request, in order.
struct Attempt {
  std::string provider;
  int status = 0;          // the upstream's HTTP status; 0 when no response came
  std::string error;       // why the gateway moved on or the answer failed; "" for the one that answered
  int64_t latency_ms = 0;  // sending the attempt → its response head or failure
};

// The attempts as both stores keep them in the request log's `attempts` column: a JSON array of
// {provider, status, error, latency_ms}. Parsing is lenient: what is not such an entry is left out.
std::string AttemptsJson(const std::vector<Attempt>& attempts);
std::vector<Attempt> ParseAttemptsJson(std::string_view text);

// One line of a request's routing explanation (the x-turnpike-routing header, kept in the request
// log): an endpoint routing chose, in the order they were to be tried, with what became of it —
// or one it left out, and why.
struct RoutingStep {
  std::string provider;  // provider id
  std::string model;     // model id
  std::string outcome;   // "answered" | "failed" | "not needed" | "cooling down" | "skipped"
  int status = 0;        // "failed": the upstream's HTTP status, 0 when no response came; else 0
  std::string reason;    // "skipped": why ("in provider.ignore"); else ""
  bool operator==(const RoutingStep&) const = default;
};

// The routing explanation as both stores keep it in the request log's `routing` column: a JSON
// array of {provider, model, outcome, status, reason}. Parsing is lenient like ParseAttemptsJson.
std::string RoutingJson(const std::vector<RoutingStep>& steps);
std::vector<RoutingStep> ParseRoutingJson(std::string_view text);

// One row of the request log (the seed's Conversation), written through a batching writer.
struct RequestLogRow {
  int64_t id = 0;          // row id, set by the store (the cursor of QueryRequestLogs)
  std::string request_id;  // "gen-…", unique
  int64_t user_id = 0;
  int64_t key_id = 0;
  std::string model_id;     // as the client asked, "openai/gpt-4o-mini"
  std::string provider_id;  // "" when no provider was reached
  std::string upstream_model;
  bool streamed = false;
  int64_t prompt_tokens = 0;
  int64_t completion_tokens = 0;
  int64_t cached_tokens = 0;
  int64_t reasoning_tokens = 0;
  Micros cost = 0;
  UsageSource usage_source = UsageSource::kProvider;
  int64_t latency_ms = 0;            // request received → last byte sent
  int64_t ttft_ms = -1;              // request received → first content byte; -1 when none
  int http_status = 0;               // status the client got
  std::string finish_reason;         // "stop", "length", "tool_calls", "error", "cancelled", …
  std::string error_message;         // "" on success
  int64_t created_at = 0;            // unix milliseconds
  money::Prices prices;              // the prices the request was charged at (micro-USD per million tokens)
  std::string prompt_text;           // only for keys with log_prompts; "" otherwise
  std::string completion_text;       // only for keys with log_prompts; "" otherwise
  std::vector<Attempt> attempts;     // every provider tried, in order
  std::vector<RoutingStep> routing;  // how routing chose: the candidates in order, then those left out
};

// Filters for the request log, newest first. `before_id` is the cursor: rows with a smaller id.
struct LogQuery {
  int64_t user_id = 0;
  std::optional<int64_t> key_id;
  std::string model_id;  // "" = any
  std::optional<int> http_status;
  int64_t from_ms = 0;        // created_at >= from_ms
  int64_t to_ms = INT64_MAX;  // created_at < to_ms
  int64_t before_id = 0;      // 0 = from the newest
  int limit = 50;
};

// One group of the activity rollups.
struct ActivityBucket {
  std::string group;   // the day ("2026-11-28", UTC), the model id, or the key id as text
  std::string series;  // with ActivityQuery::split_by: the model id or key id (as text); else ""
  int64_t requests = 0;
  int64_t errors = 0;  // http_status >= 400
  int64_t prompt_tokens = 0;
  int64_t completion_tokens = 0;
  Micros cost = 0;
};

struct ActivityQuery {
  int64_t user_id = 0;
  int64_t from_ms = 0;
  int64_t to_ms = INT64_MAX;
  std::string group_by = "day";  // "day" | "model" | "key"
  std::string split_by;          // "" | "model" | "key": with group_by "day", one bucket per day and series
};

// One key's spend in the current UTC day, ISO week (from Monday) and month.
struct SpendWindows {
  Micros day = 0;
  Micros week = 0;
  Micros month = 0;
};
// The query whose buckets SpendWindowsOf() adds up: `user_id`'s rollups by day and key, from the
// earlier of this week's and this month's first day.
ActivityQuery SpendWindowsQuery(int64_t user_id, int64_t now_unix);
// Adds up the buckets of key `key_id` that fall in each window around `now_unix`.
SpendWindows SpendWindowsOf(const std::vector<ActivityBucket>& buckets, int64_t key_id, int64_t now_unix);

class RequestLogStore {
 public:
  virtual ~RequestLogStore() = default;

  // Inserts the rows in one transaction; rows whose request_id exists are ignored. The same
  // transaction adds each row to the activity rollups (per user, UTC day, model and key), so
  // Activity() never scans raw rows.
  virtual Status AppendRequestLogs(const std::vector<RequestLogRow>& rows) = 0;
  // nullopt when no row has this request id.
  virtual Result<std::optional<RequestLogRow>> FindRequestLog(const std::string& request_id) = 0;
  virtual Result<std::vector<RequestLogRow>> ListRequestLogs(int64_t user_id, int limit) = 0;
  virtual Result<std::vector<RequestLogRow>> QueryRequestLogs(const LogQuery& query) = 0;
  // Rollup totals in [from_ms, to_ms) grouped by day, model or key, ordered by group (keys by
  // id as a number). Day granularity: from/to are rounded down to their UTC day.
  virtual Result<std::vector<ActivityBucket>> Activity(const ActivityQuery& query) = 0;
};

}  // namespace turnpike::store
