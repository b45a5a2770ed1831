// PgStore: the request log and its activity rollups.
#include <algorithm>
#include <boost/json.hpp>

#include "store/pg/pg_store.h"
#include "store/pg/transaction.h"
#include "store/pg/util.h"

namespace turnpike::store::pg {
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
  columns.replace(columns.find(text), text.size(), "''::text, ''::text, '[]'::text, '[]'::text");
  return "SELECT id, " + columns + " FROM request_log ";
}

const char* UsageSourceName(UsageSource source) { return source == UsageSource::kEstimated ? "estimated" : "provider"; }

RequestLogRow ReadLogRow(const Rows& r, int i) {
  RequestLogRow row;
  row.id = r.Int(i, 0);
  row.request_id = r.Text(i, 1);
  row.user_id = r.Int(i, 2);
  row.key_id = r.Int(i, 3);
  row.model_id = r.Text(i, 4);
  row.provider_id = r.Text(i, 5);
  row.upstream_model = r.Text(i, 6);
  row.streamed = r.Bool(i, 7);
  row.prompt_tokens = r.Int(i, 8);
  row.completion_tokens = r.Int(i, 9);
  row.cached_tokens = r.Int(i, 10);
  row.reasoning_tokens = r.Int(i, 11);
  row.cost = r.Int(i, 12);
  row.usage_source = r.Text(i, 13) == "estimated" ? UsageSource::kEstimated : UsageSource::kProvider;
  row.latency_ms = r.Int(i, 14);
  row.ttft_ms = r.Int(i, 15);
  row.http_status = static_cast<int>(r.Int(i, 16));
  row.finish_reason = r.Text(i, 17);
  row.error_message = r.Text(i, 18);
  row.created_at = r.Int(i, 19);
  row.prices.input = r.Int(i, 20);
  row.prices.output = r.Int(i, 21);
  row.prices.cache_read = r.Int(i, 22);
  row.prices.cache_write = r.Int(i, 23);
  row.prompt_text = r.Text(i, 24);
  row.completion_text = r.Text(i, 25);
  row.attempts = ParseAttemptsJson(r.Text(i, 26));
  row.routing = ParseRoutingJson(r.Text(i, 27));
  return row;
}

}  // namespace

Status PgStore::AppendRequestLogs(const std::vector<RequestLogRow>& rows) {
  if (rows.empty()) return OkStatus();
  Result<Conn> c = Acquire();
  if (!c.ok()) return c.error();
  Transaction tx(**c);
  if (Status status = tx.Begin(); !status.ok()) return status;
  if (Status status = AppendRequestLogsIn(**c, rows); !status.ok()) return status;
  return tx.Commit();
}

Status PgStore::AppendRequestLogsIn(Connection& c, const std::vector<RequestLogRow>& rows) {
  int64_t added_bytes = 0;
  for (const RequestLogRow& row : rows) {
    const std::string attempts = AttemptsJson(row.attempts);
    const std::string routing = RoutingJson(row.routing);
    const int64_t row_bytes = RowBytes(row, attempts, routing);
    Result<Rows> inserted = c.Exec(
        std::string("INSERT INTO request_log (") + kLogColumns +
            ", row_bytes) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, "
            "$19, $20, $21, $22, $23, $24, $25, $26, $27, $28) ON CONFLICT (request_id) DO NOTHING",
        Params()
            .Add(row.request_id)
            .Add(row.user_id)
            .Add(row.key_id)
            .Add(row.model_id)
            .Add(row.provider_id)
            .Add(row.upstream_model)
            .Add(row.streamed)
            .Add(row.prompt_tokens)
            .Add(row.completion_tokens)
            .Add(row.cached_tokens)
            .Add(row.reasoning_tokens)
            .Add(row.cost)
            .Add(UsageSourceName(row.usage_source))
            .Add(row.latency_ms)
            .Add(row.ttft_ms)
            .Add(row.http_status)
            .Add(row.finish_reason)
            .Add(row.error_message)
            .Add(row.created_at)
            .Add(row.prices.input)
            .Add(row.prices.output)
            .Add(row.prices.cache_read)
            .Add(row.prices.cache_write)
            .Add(row.prompt_text)
            .Add(row.completion_text)
            .Add(attempts)
            .Add(routing)
            .Add(row_bytes));
    if (!inserted.ok()) return inserted.error();
    // An ignored duplicate changed nothing and must not count twice.
    if (inserted->affected() == 0) continue;
    added_bytes += row_bytes;
    if (Status status = AddToRollups(c, row); !status.ok()) return status;
  }
  return AddToLogSize(c, added_bytes);
}

Status PgStore::AddToLogSize(Connection& c, int64_t bytes) {
  if (bytes == 0) return OkStatus();
  Result<Rows> rows =
      c.Exec("UPDATE request_log_size SET row_bytes = row_bytes + $1 WHERE id = 1", Params().Add(bytes));
  if (!rows.ok()) return rows.error();
  return OkStatus();
}

Status PgStore::AddToRollups(Connection& c, const RequestLogRow& row) {
  Result<Rows> rows = c.Exec(
      "INSERT INTO activity_rollups AS a (user_id, day, model_id, key_id, requests, errors, prompt_tokens, "
      "completion_tokens, cost_micros) VALUES ($1, $2, $3, $4, 1, $5, $6, $7, $8) "
      "ON CONFLICT (user_id, day, model_id, key_id) DO UPDATE SET "
      "requests = a.requests + 1, errors = a.errors + excluded.errors, "
      "prompt_tokens = a.prompt_tokens + excluded.prompt_tokens, "
      "completion_tokens = a.completion_tokens + excluded.completion_tokens, "
      "cost_micros = a.cost_micros + excluded.cost_micros",
      Params()
          .Add(row.user_id)
          .Add(UtcDay(row.created_at))
          .Add(row.model_id)
          .Add(row.key_id)
          .Add(int64_t{row.http_status >= 400 ? 1 : 0})
          .Add(row.prompt_tokens)
          .Add(row.completion_tokens)
          .Add(row.cost));
  if (!rows.ok()) return rows.error();
  return OkStatus();
}

Result<std::optional<RequestLogRow>> PgStore::FindRequestLog(const std::string& request_id) {
  Result<Rows> rows = Read(SelectLog() + "WHERE request_id = $1", Params().Add(request_id));
  if (!rows.ok()) return rows.error();
  return FirstRow(*rows, ReadLogRow);
}

Result<std::vector<RequestLogRow>> PgStore::ListRequestLogs(int64_t user_id, int limit) {
  if (limit <= 0) return std::vector<RequestLogRow>();
  Result<Rows> rows = Read(SelectLogList() + "WHERE user_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2",
                           Params().Add(user_id).Add(limit));
  if (!rows.ok()) return rows.error();
  return AllRows(*rows, ReadLogRow);
}

Result<std::vector<RequestLogRow>> PgStore::QueryRequestLogs(const LogQuery& query) {
  // One prepared statement per combination of filters (eight at most); the (user_id, id) index
  // serves the order and the cursor.
  std::string sql = SelectLogList() + "WHERE user_id = $1 AND id < $2 AND created_at >= $3 AND created_at < $4";
  Params params;
  params.Add(query.user_id).Add(query.before_id > 0 ? query.before_id : INT64_MAX).Add(query.from_ms).Add(query.to_ms);
  auto next = [&] { return "$" + std::to_string(params.size() + 1); };
  if (query.key_id.has_value()) {
    sql += " AND key_id = " + next();
    params.Add(*query.key_id);
  }
  if (!query.model_id.empty()) {
    sql += " AND model_id = " + next();
    params.Add(query.model_id);
  }
  if (query.http_status.has_value()) {
    sql += " AND http_status = " + next();
    params.Add(*query.http_status);
  }
  sql += " ORDER BY id DESC LIMIT " + next();
  params.Add(std::clamp(query.limit, 1, 200));
  Result<Rows> rows = Read(sql, params);
  if (!rows.ok()) return rows.error();
  return AllRows(*rows, ReadLogRow);
}

Result<std::vector<ActivityBucket>> PgStore::Activity(const ActivityQuery& query) {
  const char* group = nullptr;
  if (query.group_by == "day") group = "day";
  if (query.group_by == "model") group = "model_id";
  if (query.group_by == "key") group = "key_id";
  if (group == nullptr) return std::vector<ActivityBucket>();
  const char* series = nullptr;
  if (query.split_by == "model") series = "model_id";
  if (query.split_by == "key") series = "key_id";
  if (!query.split_by.empty() && (series == nullptr || query.group_by != "day")) {
    return std::vector<ActivityBucket>();
  }
  // Groups sort by the column itself, qualified so that it is not the text output of the same
  // name: days and model ids as bytes, key ids as numbers.
  const std::string keys =
      std::string("r.") + group + (series != nullptr ? std::string(", r.") + series : std::string());
  Result<Rows> rows = Read(std::string("SELECT r.") + group + "::text, " +
                               (series != nullptr ? std::string("r.") + series : std::string("''")) +
                               "::text, sum(requests)::bigint, sum(errors)::bigint, sum(prompt_tokens)::bigint, "
                               "sum(completion_tokens)::bigint, sum(cost_micros)::bigint FROM activity_rollups r "
                               "WHERE user_id = $1 AND day >= $2 AND day < $3 GROUP BY " +
                               keys + " ORDER BY " + keys,
                           Params().Add(query.user_id).Add(UtcDay(query.from_ms)).Add(UtcDay(query.to_ms)));
  if (!rows.ok()) return rows.error();
  return AllRows(*rows, [](const Rows& r, int i) {
    return ActivityBucket{r.Text(i, 0), r.Text(i, 1), r.Int(i, 2), r.Int(i, 3), r.Int(i, 4), r.Int(i, 5), r.Int(i, 6)};
  });
}

Result<LogSweep> PgStore::SweepRequestLogs(const LogRetention& retention) {
  const int64_t batch = std::max(retention.batch, 1);
  Result<Conn> c = Acquire();
  if (!c.ok()) return c.error();
  Connection& conn = **c;
  Transaction tx(conn);
  if (Status status = tx.Begin(); !status.ok()) return status.error();
  LogSweep sweep;
  // Deletes the rows `where` picks (bound to $1, $2), adding them to `sweep`. Rows another
  // sweeper (another process) deleted first are not returned, so the size moves once per row.
  auto remove = [&](const char* where, int64_t first, int64_t second) -> Status {
    Result<Rows> deleted = conn.Exec(std::string("DELETE FROM request_log WHERE ") + where + " RETURNING row_bytes",
                                     Params().Add(first).Add(second));
    if (!deleted.ok()) return deleted.error();
    for (int i = 0; i < deleted->size(); ++i) sweep.deleted_bytes += deleted->Int(i, 0);
    sweep.deleted += deleted->size();
    return OkStatus();
  };
  if (retention.older_than_ms > 0) {
    if (Status s = remove("id IN (SELECT id FROM request_log WHERE created_at < $1 ORDER BY created_at LIMIT $2)",
                          retention.older_than_ms, batch);
        !s.ok()) {
      return s.error();
    }
    sweep.more = sweep.deleted == batch;
  }
  if (retention.max_bytes > 0 && sweep.deleted < batch) {
    Result<Rows> size = conn.Exec("SELECT row_bytes FROM request_log_size WHERE id = 1", Params());
    if (!size.ok()) return size.error();
    const int64_t excess = (size->empty() ? 0 : size->Int(0, 0)) - sweep.deleted_bytes - retention.max_bytes;
    if (excess > 0) {
      // The oldest rows whose sizes add up to the excess, at most what is left of the batch.
      Result<Rows> oldest =
          conn.Exec("SELECT id, row_bytes FROM request_log ORDER BY id LIMIT $1", Params().Add(batch - sweep.deleted));
      if (!oldest.ok()) return oldest.error();
      int64_t covered = 0;
      int n = 0;
      while (n < oldest->size() && covered < excess) covered += oldest->Int(n++, 1);
      if (n > 0) {
        if (Status s = remove("id >= $1 AND id <= $2", oldest->Int(0, 0), oldest->Int(n - 1, 0)); !s.ok()) {
          return s.error();
        }
      }
      sweep.more = sweep.more || (covered < excess && n == oldest->size() && n > 0);
    }
  }
  if (Status s = AddToLogSize(conn, -sweep.deleted_bytes); !s.ok()) return s.error();
  if (Status s = tx.Commit(); !s.ok()) return s.error();
  return sweep;
}

Result<int64_t> PgStore::RequestLogBytes() {
  Result<Rows> rows = Read("SELECT row_bytes FROM request_log_size WHERE id = 1");
  if (!rows.ok()) return rows.error();
  return rows->empty() ? int64_t{0} : rows->Int(0, 0);
}

}  // namespace turnpike::store::pg
