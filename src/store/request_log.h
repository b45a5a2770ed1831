// RequestLogStore: the request log (one row per request the gateway answered) and the activity
// rollups maintained with it. The gateway writes each request's row with its settlement, in the
// group committer's transactions (group_commit.h); the control plane and /generation read.
// Threading and errors as every store interface (users.h): reads answer Result, absent is
// std::nullopt or empty, a database error is an Error.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/money.h"
#include "common/result.h"
#include "store/log_text_budget.h"

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
  // The bytes of this row's text held in a LogTextBudget (log_text_budget.h) while the row waits
  // to be written, given back when its last copy is gone; null for rows read from the store.
  std::shared_ptr<const void> text_hold;
};

// A row's size as the log's retention counts it (docs/architecture.md, "Request-log retention"):
// its text columns in bytes (prompt, completion, error message, attempts and routing as stored, and the ids
// and names) plus kRowOverheadBytes for the fixed columns. Both stores keep it in the row's
// `row_bytes` column and the log's sum as a running figure (RequestLogBytes).
constexpr int64_t kRowOverheadBytes = 256;
int64_t RowBytes(const RequestLogRow& row, std::string_view attempts_json, std::string_view routing_json = "");

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

// How much text a row keeps (config [log]): the prompt and the completion `max_text_bytes` each;
// a failed request that cost nothing keeps `failed_prompt_bytes` of its prompt (users still see
// the failure); an error message, the row's and each attempt's, `max_error_bytes`.
struct RowTextLimits {
  int64_t max_text_bytes = 64 << 10;
  int64_t failed_prompt_bytes = 1 << 10;
  int64_t max_error_bytes = 4 << 10;
};

// Cuts `text` to at most `max_bytes`, at a UTF-8 character boundary (a character cut in two
// would make the row unwritable on PostgreSQL).
void TruncateUtf8(std::string& text, int64_t max_bytes);

// Caps `row`'s text by `limits`, then takes its bytes from `budget` (row.text_hold); when they do
// not fit, the prompt and the completion are dropped (budget.refused() counts them) and the
// row, with its capped error messages, is kept. Money and counts are never touched.
void BoundRowText(RequestLogRow& row, const RowTextLimits& limits, LogTextBudget& budget);

// What SweepRequestLogs deletes, oldest first, at most `batch` rows per call.
struct LogRetention {
  int64_t older_than_ms = 0;  // rows created before this (unix milliseconds) go; 0 = none by age
  int64_t max_bytes = 0;      // then, while the log's size (RowBytes summed) is above this, the oldest go; 0 = no cap
  int batch = 500;            // rows per call (one transaction) at most
};

struct LogSweep {
  int64_t deleted = 0;        // rows deleted by this call
  int64_t deleted_bytes = 0;  // their RowBytes
  bool more = false;          // rows are left to delete: call again
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
  // The list reads (ListRequestLogs, QueryRequestLogs) leave prompt_text, completion_text and
  // attempts empty: a page of rows never loads the text columns; FindRequestLog does.
  virtual Result<std::vector<RequestLogRow>> ListRequestLogs(int64_t user_id, int limit) = 0;
  virtual Result<std::vector<RequestLogRow>> QueryRequestLogs(const LogQuery& query) = 0;
  // Rollup totals in [from_ms, to_ms) grouped by day, model or key, ordered by group (keys by
  // id as a number). Day granularity: from/to are rounded down to their UTC day.
  virtual Result<std::vector<ActivityBucket>> Activity(const ActivityQuery& query) = 0;

  // Retention (log_sweeper.h): deletes at most `retention.batch` rows in one write transaction,
  // first those older than `retention.older_than_ms`, then the oldest (by id) while the log's
  // size is above `retention.max_bytes`, keeping the running size in step. The activity rollups
  // are kept whole: they are the history once the rows are gone. Any thread.
  virtual Result<LogSweep> SweepRequestLogs(const LogRetention& retention) = 0;
  // The log's size: RowBytes summed over its rows, read from the running figure (one row).
  virtual Result<int64_t> RequestLogBytes() = 0;

  // The bound on the text of this log's rows waiting in memory to be written (config
  // log.queue_max_bytes, set by serve): the gateway passes each row through BoundRowText with it.
  LogTextBudget& text_budget() { return text_budget_; }
  const LogTextBudget& text_budget() const { return text_budget_; }

 private:
  LogTextBudget text_budget_;
};

}  // namespace turnpike::store
