// SqliteStore: the request log.
#include "store/sqlite/connection.h"
#include "store/sqlite/sqlite_store.h"

namespace turnpike::store::sqlite {
namespace {

constexpr char kLogColumns[] =
    "request_id, user_id, key_id, model_id, provider_id, upstream_model, streamed, "
    "prompt_tokens, completion_tokens, cached_tokens, reasoning_tokens, cost_micros, "
    "usage_source, latency_ms, ttft_ms, http_status, finish_reason, error_message, created_at";

const char* UsageSourceName(UsageSource source) {
  return source == UsageSource::kEstimated ? "estimated" : "provider";
}

RequestLogRow ReadLogRow(const Statement& s) {
  RequestLogRow row;
  row.request_id = s.Text(0);
  row.user_id = s.Int(1);
  row.key_id = s.Int(2);
  row.model_id = s.Text(3);
  row.provider_id = s.Text(4);
  row.upstream_model = s.Text(5);
  row.streamed = s.Bool(6);
  row.prompt_tokens = s.Int(7);
  row.completion_tokens = s.Int(8);
  row.cached_tokens = s.Int(9);
  row.reasoning_tokens = s.Int(10);
  row.cost = s.Int(11);
  row.usage_source = s.Text(12) == "estimated" ? UsageSource::kEstimated : UsageSource::kProvider;
  row.latency_ms = s.Int(13);
  row.ttft_ms = s.Int(14);
  row.http_status = static_cast<int>(s.Int(15));
  row.finish_reason = s.Text(16);
  row.error_message = s.Text(17);
  row.created_at = s.Int(18);
  return row;
}

}  // namespace

Status SqliteStore::AppendRequestLogs(const std::vector<RequestLogRow>& rows) {
  if (rows.empty()) return OkStatus();
  std::lock_guard lock(mu_);
  Transaction tx(*conn_);
  if (Status status = tx.Begin(Transaction::Mode::kWrite); !status.ok()) return status;
  for (const RequestLogRow& row : rows) {
    Statement s(*conn_, std::string("INSERT INTO request_log (") + kLogColumns +
                            ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                            "ON CONFLICT (request_id) DO NOTHING");
    s.Bind(row.request_id).Bind(row.user_id).Bind(row.key_id).Bind(row.model_id);
    s.Bind(row.provider_id).Bind(row.upstream_model).Bind(row.streamed);
    s.Bind(row.prompt_tokens).Bind(row.completion_tokens).Bind(row.cached_tokens);
    s.Bind(row.reasoning_tokens).Bind(row.cost).Bind(UsageSourceName(row.usage_source));
    s.Bind(row.latency_ms).Bind(row.ttft_ms).Bind(row.http_status).Bind(row.finish_reason);
    s.Bind(row.error_message).Bind(row.created_at);
    if (Status status = s.Run(); !status.ok()) return status;
  }
  return tx.Commit();
}

std::optional<RequestLogRow> SqliteStore::FindRequestLog(const std::string& request_id) {
  std::lock_guard lock(mu_);
  Statement s(*conn_,
              std::string("SELECT ") + kLogColumns + " FROM request_log WHERE request_id = ?");
  s.Bind(request_id);
  Result<bool> row = s.Next();
  if (!row.ok() || !*row) return std::nullopt;
  return ReadLogRow(s);
}

std::vector<RequestLogRow> SqliteStore::ListRequestLogs(int64_t user_id, int limit) {
  std::vector<RequestLogRow> rows;
  if (limit <= 0) return rows;
  std::lock_guard lock(mu_);
  Statement s(*conn_, std::string("SELECT ") + kLogColumns +
                          " FROM request_log WHERE user_id = ? "
                          "ORDER BY created_at DESC, id DESC LIMIT ?");
  s.Bind(user_id).Bind(limit);
  for (Result<bool> row = s.Next(); row.ok() && *row; row = s.Next()) rows.push_back(ReadLogRow(s));
  return rows;
}

}  // namespace turnpike::store::sqlite
