// SqliteStore: the request log and the activity rollups maintained with it.
#include <algorithm>
#include <boost/json.hpp>

#include "store/sqlite/connection.h"
#include "store/sqlite/sqlite_store.h"
#include "store/sqlite/util.h"

namespace turnpike::store::sqlite {
namespace {

// Every column but id, in ReadLogRow's order after id.
constexpr char kLogColumns[] =
    "request_id, user_id, key_id, model_id, provider_id, upstream_model, streamed, "
    "prompt_tokens, completion_tokens, cached_tokens, reasoning_tokens, cost_micros, "
    "usage_source, latency_ms, ttft_ms, http_status, finish_reason, error_message, created_at, "
    "price_input, price_output, price_cache_read, price_cache_write, prompt_text, "
    "completion_text, attempts, routing";

std::string SelectLog() { return std::string("SELECT id, ") + kLogColumns + " FROM request_log "; }

// The list reads: the columns of SelectLog with constants for the text ones (prompt_text,
// completion_text, attempts, routing), so a page never loads them and ReadLogRow reads both.
std::string SelectLogList() {
  std::string columns = kLogColumns;
  const std::string_view text = "prompt_text, completion_text, attempts, routing";
  columns.replace(columns.find(text), text.size(), "'', '', '[]', '[]'");
  return "SELECT id, " + columns + " FROM request_log ";
}

const char* UsageSourceName(UsageSource source) { return source == UsageSource::kEstimated ? "estimated" : "provider"; }

RequestLogRow ReadLogRow(const Statement& s) {
  RequestLogRow row;
  row.id = s.Int(0);
  row.request_id = s.Text(1);
  row.user_id = s.Int(2);
  row.key_id = s.Int(3);
  row.model_id = s.Text(4);
  row.provider_id = s.Text(5);
  row.upstream_model = s.Text(6);
  row.streamed = s.Bool(7);
  row.prompt_tokens = s.Int(8);
  row.completion_tokens = s.Int(9);
  row.cached_tokens = s.Int(10);
  row.reasoning_tokens = s.Int(11);
  row.cost = s.Int(12);
  row.usage_source = s.Text(13) == "estimated" ? UsageSource::kEstimated : UsageSource::kProvider;
  row.latency_ms = s.Int(14);
  row.ttft_ms = s.Int(15);
  row.http_status = static_cast<int>(s.Int(16));
  row.finish_reason = s.Text(17);
  row.error_message = s.Text(18);
  row.created_at = s.Int(19);
  row.prices.input = s.Int(20);
  row.prices.output = s.Int(21);
  row.prices.cache_read = s.Int(22);
  row.prices.cache_write = s.Int(23);
  row.prompt_text = s.Text(24);
  row.completion_text = s.Text(25);
  row.attempts = ParseAttemptsJson(s.Text(26));
  row.routing = ParseRoutingJson(s.Text(27));
  return row;
}

}  // namespace

Status SqliteStore::AppendRequestLogs(const std::vector<RequestLogRow>& rows) {
  if (rows.empty()) return OkStatus();
  std::lock_guard lock(mu_);
  Transaction tx(*conn_);
  if (Status status = tx.Begin(Transaction::Mode::kWrite); !status.ok()) return status;
  if (Status status = AppendRequestLogsLocked(rows); !status.ok()) return status;
  return tx.Commit();
}

Status SqliteStore::AppendRequestLogsLocked(const std::vector<RequestLogRow>& rows) {
  int64_t added_bytes = 0;
  for (const RequestLogRow& row : rows) {
    const std::string attempts = AttemptsJson(row.attempts);
    const std::string routing = RoutingJson(row.routing);
    const int64_t row_bytes = RowBytes(row, attempts, routing);
    Statement s(*conn_, std::string("INSERT INTO request_log (") + kLogColumns +
                            ", row_bytes) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                            "?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (request_id) DO NOTHING");
    s.Bind(row.request_id).Bind(row.user_id).Bind(row.key_id).Bind(row.model_id);
    s.Bind(row.provider_id).Bind(row.upstream_model).Bind(row.streamed);
    s.Bind(row.prompt_tokens).Bind(row.completion_tokens).Bind(row.cached_tokens);
    s.Bind(row.reasoning_tokens).Bind(row.cost).Bind(UsageSourceName(row.usage_source));
    s.Bind(row.latency_ms).Bind(row.ttft_ms).Bind(row.http_status).Bind(row.finish_reason);
    s.Bind(row.error_message).Bind(row.created_at);
    s.Bind(row.prices.input).Bind(row.prices.output).Bind(row.prices.cache_read);
    s.Bind(row.prices.cache_write).Bind(row.prompt_text).Bind(row.completion_text);
    s.Bind(attempts).Bind(routing).Bind(row_bytes);
    if (Status status = s.Run(); !status.ok()) return status;
    // An ignored duplicate changed nothing and must not count twice.
    if (conn_->Changes() == 0) continue;
    added_bytes += row_bytes;
    if (Status status = AddToRollupsLocked(row); !status.ok()) return status;
  }
  return AddToLogSizeLocked(added_bytes);
}

Status SqliteStore::AddToLogSizeLocked(int64_t bytes) {
  if (bytes == 0) return OkStatus();
  Statement s(*conn_, "UPDATE request_log_size SET row_bytes = row_bytes + ? WHERE id = 1");
  s.Bind(bytes);
  return s.Run();
}

Status SqliteStore::AddToRollupsLocked(const RequestLogRow& row) {
  Statement s(*conn_,
              "INSERT INTO activity_rollups (user_id, day, model_id, key_id, requests, errors, "
              "prompt_tokens, completion_tokens, cost_micros) VALUES (?, ?, ?, ?, 1, ?, ?, ?, ?) "
              "ON CONFLICT (user_id, day, model_id, key_id) DO UPDATE SET "
              "requests = requests + 1, errors = errors + excluded.errors, "
              "prompt_tokens = prompt_tokens + excluded.prompt_tokens, "
              "completion_tokens = completion_tokens + excluded.completion_tokens, "
              "cost_micros = cost_micros + excluded.cost_micros");
  s.Bind(row.user_id).Bind(UtcDay(row.created_at)).Bind(row.model_id).Bind(row.key_id);
  s.Bind(row.http_status >= 400).Bind(row.prompt_tokens).Bind(row.completion_tokens);
  s.Bind(row.cost);
  return s.Run();
}

Result<std::optional<RequestLogRow>> SqliteStore::FindRequestLog(const std::string& request_id) {
  ConnectionLease conn = LockReader();
  Statement s(*conn, SelectLog() + "WHERE request_id = ?");
  s.Bind(request_id);
  return ReadFirstRow(s, ReadLogRow);
}

Result<std::vector<RequestLogRow>> SqliteStore::ListRequestLogs(int64_t user_id, int limit) {
  if (limit <= 0) return std::vector<RequestLogRow>();
  ConnectionLease conn = LockReader();
  Statement s(*conn, SelectLogList() + "WHERE user_id = ? ORDER BY created_at DESC, id DESC LIMIT ?");
  s.Bind(user_id).Bind(limit);
  return ReadRows(s, ReadLogRow);
}

Result<std::vector<RequestLogRow>> SqliteStore::QueryRequestLogs(const LogQuery& query) {
  // One cached statement per combination of filters (eight at most). The (user_id, id) index
  // serves the order and the cursor, so a page costs its rows plus the ones filtered out.
  std::string sql = SelectLogList() +
                    "INDEXED BY request_log_user_id WHERE user_id = ? AND id < ? "
                    "AND created_at >= ? AND created_at < ?";
  if (query.key_id.has_value()) sql += " AND key_id = ?";
  if (!query.model_id.empty()) sql += " AND model_id = ?";
  if (query.http_status.has_value()) sql += " AND http_status = ?";
  sql += " ORDER BY id DESC LIMIT ?";
  ConnectionLease conn = LockReader();
  Statement s(*conn, sql);
  s.Bind(query.user_id).Bind(query.before_id > 0 ? query.before_id : INT64_MAX);
  s.Bind(query.from_ms).Bind(query.to_ms);
  if (query.key_id.has_value()) s.Bind(*query.key_id);
  if (!query.model_id.empty()) s.Bind(query.model_id);
  if (query.http_status.has_value()) s.Bind(*query.http_status);
  s.Bind(std::clamp(query.limit, 1, 200));
  return ReadRows(s, ReadLogRow);
}

Result<std::vector<ActivityBucket>> SqliteStore::Activity(const ActivityQuery& query) {
  const char* group = nullptr;
  if (query.group_by == "day") group = "day";
  if (query.group_by == "model") group = "model_id";
  if (query.group_by == "key") group = "key_id";
  if (group == nullptr) return std::vector<ActivityBucket>();
  // The series column; a constant '' when not split, so the statement has one shape.
  const char* series = "''";
  if (query.split_by == "model") series = "model_id";
  if (query.split_by == "key") series = "key_id";
  if (!query.split_by.empty() && (series[0] == '\'' || query.group_by != "day")) {
    return std::vector<ActivityBucket>();
  }
  ConnectionLease conn = LockReader();
  Statement s(*conn, std::string("SELECT CAST(") + group + " AS TEXT), CAST(" + series +
                         " AS TEXT), sum(requests), sum(errors), sum(prompt_tokens), "
                         "sum(completion_tokens), sum(cost_micros) FROM activity_rollups "
                         "WHERE user_id = ? AND day >= ? AND day < ? GROUP BY " +
                         group + (query.split_by.empty() ? std::string() : std::string(", ") + series) + " ORDER BY " +
                         group + (query.split_by.empty() ? std::string() : std::string(", ") + series));
  s.Bind(query.user_id).Bind(UtcDay(query.from_ms)).Bind(UtcDay(query.to_ms));
  return ReadRows(s, [](const Statement& row) {
    return ActivityBucket{row.Text(0), row.Text(1), row.Int(2), row.Int(3), row.Int(4), row.Int(5), row.Int(6)};
  });
}

Result<LogSweep> SqliteStore::SweepRequestLogs(const LogRetention& retention) {
  const int batch = std::max(retention.batch, 1);
  std::lock_guard lock(mu_);
  Transaction tx(*conn_);
  if (Status status = tx.Begin(Transaction::Mode::kWrite); !status.ok()) return status.error();
  LogSweep sweep;
  // Deletes the rows `where` picks (bound to `first`, `second`), adding them to `sweep`.
  auto remove = [&](const char* where, int64_t first, int64_t second) -> Status {
    Statement s(*conn_, std::string("DELETE FROM request_log WHERE ") + where + " RETURNING row_bytes");
    s.Bind(first).Bind(second);
    auto deleted = ReadRows(s, [](const Statement& row) { return row.Int(0); });
    if (!deleted.ok()) return deleted.error();
    for (int64_t bytes : *deleted) sweep.deleted_bytes += bytes;
    sweep.deleted += static_cast<int64_t>(deleted->size());
    return OkStatus();
  };
  if (retention.older_than_ms > 0) {
    if (Status s = remove("id IN (SELECT id FROM request_log INDEXED BY request_log_created WHERE created_at < ? "
                          "ORDER BY created_at LIMIT ?)",
                          retention.older_than_ms, batch);
        !s.ok()) {
      return s.error();
    }
    sweep.more = sweep.deleted == batch;
  }
  if (retention.max_bytes > 0 && sweep.deleted < batch) {
    Result<int64_t> size = LogSizeLocked();
    if (!size.ok()) return size.error();
    const int64_t excess = *size - sweep.deleted_bytes - retention.max_bytes;
    if (excess > 0) {
      // The oldest rows whose sizes add up to the excess, at most what is left of the batch.
      Statement s(*conn_, "SELECT id, row_bytes FROM request_log ORDER BY id LIMIT ?");
      s.Bind(batch - sweep.deleted);
      auto oldest = ReadRows(s, [](const Statement& row) { return std::make_pair(row.Int(0), row.Int(1)); });
      if (!oldest.ok()) return oldest.error();
      int64_t covered = 0;
      size_t n = 0;
      while (n < oldest->size() && covered < excess) covered += (*oldest)[n++].second;
      if (n > 0) {
        if (Status st = remove("id >= ? AND id <= ?", oldest->front().first, (*oldest)[n - 1].first); !st.ok()) {
          return st.error();
        }
      }
      sweep.more = sweep.more || (covered < excess && n == oldest->size() && n > 0);
    }
  }
  if (Status s = AddToLogSizeLocked(-sweep.deleted_bytes); !s.ok()) return s.error();
  if (Status s = tx.Commit(); !s.ok()) return s.error();
  return sweep;
}

Result<int64_t> SqliteStore::LogSizeLocked() {
  Statement s(*conn_, "SELECT row_bytes FROM request_log_size WHERE id = 1");
  Result<bool> row = s.Next();
  if (!row.ok()) return row.error();
  return *row ? s.Int(0) : int64_t{0};
}

Result<int64_t> SqliteStore::RequestLogBytes() {
  ConnectionLease conn = LockReader();
  Statement s(*conn, "SELECT row_bytes FROM request_log_size WHERE id = 1");
  Result<bool> row = s.Next();
  if (!row.ok()) return row.error();
  return *row ? s.Int(0) : int64_t{0};
}

}  // namespace turnpike::store::sqlite
