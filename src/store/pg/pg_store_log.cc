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
  for (const RequestLogRow& row : rows) {
    Result<Rows> inserted = c.Exec(
        std::string("INSERT INTO request_log (") + kLogColumns +
            ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, "
            "$21, $22, $23, $24, $25, $26, $27) ON CONFLICT (request_id) DO NOTHING",
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
            .Add(AttemptsJson(row.attempts))
            .Add(RoutingJson(row.routing)));
    if (!inserted.ok()) return inserted.error();
    // An ignored duplicate changed nothing and must not count twice.
    if (inserted->affected() == 0) continue;
    if (Status status = AddToRollups(c, row); !status.ok()) return status;
  }
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
  Result<Rows> rows = Read(SelectLog() + "WHERE user_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2",
                           Params().Add(user_id).Add(limit));
  if (!rows.ok()) return rows.error();
  return AllRows(*rows, ReadLogRow);
}

Result<std::vector<RequestLogRow>> PgStore::QueryRequestLogs(const LogQuery& query) {
  // One prepared statement per combination of filters (eight at most); the (user_id, id) index
  // serves the order and the cursor.
  std::string sql = SelectLog() + "WHERE user_id = $1 AND id < $2 AND created_at >= $3 AND created_at < $4";
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

}  // namespace turnpike::store::pg
