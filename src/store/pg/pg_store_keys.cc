// PgStore: API keys. A deleted key keeps its row (its holds, ledger entries and log rows refer
// to it) with deleted_at set; every method here treats it as absent.
#include <spdlog/spdlog.h>

#include "store/pg/pg_store.h"
#include "store/pg/transaction.h"
#include "store/pg/util.h"

namespace turnpike::store::pg {
namespace {

// Takes kKeyLimitUsage's parameters $1 to $3 (PeriodStartParams); a query's own begin at $4.
const std::string kKeyColumns = std::string(sqlite::kKeyColumnsBeforeLimitUsage) + kKeyLimitUsage;

ApiKey ReadKey(const Rows& r, int i) {
  ApiKey key;
  key.id = r.Int(i, 0);
  key.user_id = r.Int(i, 1);
  key.name = r.Text(i, 2);
  key.prefix = r.Text(i, 3);
  key.hash_hex = r.Text(i, 4);
  key.limit = r.OptionalInt(i, 5);
  key.usage = r.Int(i, 6);
  key.disabled = r.Bool(i, 7);
  key.expires_at = r.OptionalInt(i, 8);
  key.created_at = r.Int(i, 9);
  key.log_prompts = r.Bool(i, 10);
  key.last_used_at = r.OptionalInt(i, 11);
  key.rpm_limit = r.OptionalInt(i, 12);
  key.tpm_limit = r.OptionalInt(i, 13);
  key.management = r.Bool(i, 14);
  key.public_id = r.Text(i, 15);
  key.updated_at = r.OptionalInt(i, 16);
  key.user_disabled = r.Bool(i, 17);
  key.user_provider_preferences = r.Text(i, 18);
  key.limit_reset = ParseLimitReset(r.Text(i, 19)).value_or(LimitReset::kNever);
  key.limit_usage = r.Int(i, 20);
  return key;
}

constexpr WriteErrors kKeyErrors{.conflict = "a key with this hash exists", .invalid = "invalid key"};

// The answer to an UPDATE of one live key: kNotFound when no row matched.
Status KeyUpdateStatus(const Result<Rows>& rows) {
  if (!rows.ok()) return rows.error();
  if (rows->affected() == 0) return MakeError(ErrorCode::kNotFound, "no such key");
  return OkStatus();
}

}  // namespace

Result<int64_t> PgStore::CreateKey(const ApiKey& key) {
  Result<Rows> rows = WriteOne(
      "INSERT INTO api_keys (user_id, name, prefix, hash, limit_micros, usage_micros, disabled, expires_at, "
      "created_at, log_prompts, rpm_limit, tpm_limit, management, limit_reset) "
      "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, NULLIF($14, '')) RETURNING id",
      Params()
          .Add(key.user_id)
          .Add(key.name)
          .Add(key.prefix)
          .Add(key.hash_hex)
          .Add(key.limit)
          .Add(key.usage)
          .Add(key.disabled)
          .Add(key.expires_at)
          .Add(key.created_at != 0 ? key.created_at : NowUnix())
          .Add(key.log_prompts)
          .Add(key.rpm_limit)
          .Add(key.tpm_limit)
          .Add(key.management)
          .Add(LimitResetName(key.limit_reset)),
      {.conflict = kKeyErrors.conflict, .missing = "no such user", .invalid = kKeyErrors.invalid});
  if (!rows.ok()) return rows.error();
  return rows->Int(0, 0);
}

Result<std::optional<ApiKey>> PgStore::FindKeyByHash(const std::string& hash_hex) {
  Result<Rows> rows = Read("SELECT " + kKeyColumns + " FROM api_keys WHERE hash = $4 AND deleted_at IS NULL",
                           PeriodStartParams(NowUnix()).Add(hash_hex));
  if (!rows.ok()) return rows.error();
  return FirstRow(*rows, ReadKey);
}

Result<std::optional<ApiKey>> PgStore::FindKeyById(int64_t id) {
  Result<Rows> rows = Read("SELECT " + kKeyColumns + " FROM api_keys WHERE id = $4 AND deleted_at IS NULL",
                           PeriodStartParams(NowUnix()).Add(id));
  if (!rows.ok()) return rows.error();
  return FirstRow(*rows, ReadKey);
}

Result<std::vector<ApiKey>> PgStore::ListKeys(int64_t user_id) {
  Result<Rows> rows =
      Read("SELECT " + kKeyColumns + " FROM api_keys WHERE user_id = $4 AND deleted_at IS NULL ORDER BY id",
           PeriodStartParams(NowUnix()).Add(user_id));
  if (!rows.ok()) return rows.error();
  return AllRows(*rows, ReadKey);
}

Status PgStore::SetKeyDisabled(int64_t key_id, bool disabled) {
  return KeyUpdateStatus(
      WriteOne("UPDATE api_keys SET disabled = $1, updated_at = $2 WHERE id = $3 AND deleted_at IS NULL",
               Params().Add(disabled).Add(NowUnix()).Add(key_id), kKeyErrors));
}

Status PgStore::UpdateKey(int64_t key_id, const KeyUpdate& update) {
  // One statement for every combination: each field is "CASE WHEN <given> THEN <value>".
  return KeyUpdateStatus(
      WriteOne("UPDATE api_keys SET "
               "name = CASE WHEN $1 THEN $2 ELSE name END, "
               "disabled = CASE WHEN $3 THEN $4 ELSE disabled END, "
               "limit_micros = CASE WHEN $5 THEN $6::bigint ELSE limit_micros END, "
               "expires_at = CASE WHEN $7 THEN $8::bigint ELSE expires_at END, "
               "log_prompts = CASE WHEN $9 THEN $10 ELSE log_prompts END, "
               "rpm_limit = CASE WHEN $11 THEN $12::bigint ELSE rpm_limit END, "
               "tpm_limit = CASE WHEN $13 THEN $14::bigint ELSE tpm_limit END, "
               "limit_reset = CASE WHEN $15 THEN NULLIF($16, '') ELSE limit_reset END, "
               "updated_at = $17 "
               "WHERE id = $18 AND deleted_at IS NULL",
               Params()
                   .Add(update.name.has_value())
                   .Add(update.name.value_or(""))
                   .Add(update.disabled.has_value())
                   .Add(update.disabled.value_or(false))
                   .Add(update.limit.has_value())
                   .Add(update.limit.value_or(std::nullopt))
                   .Add(update.expires_at.has_value())
                   .Add(update.expires_at.value_or(std::nullopt))
                   .Add(update.log_prompts.has_value())
                   .Add(update.log_prompts.value_or(false))
                   .Add(update.rpm_limit.has_value())
                   .Add(update.rpm_limit.value_or(std::nullopt))
                   .Add(update.tpm_limit.has_value())
                   .Add(update.tpm_limit.value_or(std::nullopt))
                   .Add(update.limit_reset.has_value())
                   .Add(LimitResetName(update.limit_reset.value_or(LimitReset::kNever)))
                   .Add(NowUnix())
                   .Add(key_id),
               kKeyErrors));
}

Status PgStore::DeleteKey(int64_t key_id) {
  return KeyUpdateStatus(WriteOne("UPDATE api_keys SET deleted_at = $1 WHERE id = $2 AND deleted_at IS NULL",
                                  Params().Add(NowUnix()).Add(key_id), kKeyErrors));
}

Status PgStore::RotateKey(int64_t key_id, const std::string& hash_hex, const std::string& prefix) {
  return KeyUpdateStatus(
      WriteOne("UPDATE api_keys SET hash = $1, prefix = $2, updated_at = $3 WHERE id = $4 AND deleted_at IS NULL",
               Params().Add(hash_hex).Add(prefix).Add(NowUnix()).Add(key_id), kKeyErrors));
}

void PgStore::TouchKeyIn(Connection& c, int64_t key_id, int64_t now_unix) {
  constexpr int64_t kEverySeconds = 60;
  // SKIP LOCKED: a key whose row another transaction holds (a lease being taken) is left for the
  // next call, rather than waited for. Another handle (another process) may have written it more
  // recently: last_used_at only moves forward.
  Result<Rows> rows = c.Exec(
      "UPDATE api_keys SET last_used_at = $1::bigint WHERE id = (SELECT id FROM api_keys WHERE id = $2 "
      "AND (last_used_at IS NULL OR last_used_at <= $1::bigint - $3::bigint) FOR NO KEY UPDATE SKIP LOCKED)",
      Params().Add(now_unix).Add(key_id).Add(kEverySeconds));
  if (!rows.ok()) {
    spdlog::debug("postgresql: recording the use of key {}: {}", key_id, rows.error().message);
    std::lock_guard touch_lock(touch_mu_);
    touched_.erase(key_id);  // dropped: the next call tries again
  }
}

void PgStore::TouchKeyOn(Connection& c, int64_t key_id, int64_t now_unix) {
  constexpr int64_t kEverySeconds = 60;
  {
    std::lock_guard touch_lock(touch_mu_);
    auto it = touched_.find(key_id);
    if (it != touched_.end() && now_unix - it->second < kEverySeconds) return;
    touched_[key_id] = now_unix;
  }
  if (!c.InTransaction()) {
    TouchKeyIn(c, key_id, now_unix);
    return;
  }
  Transaction tx(c);  // a savepoint: a failure must not spoil the transaction around it
  if (tx.Begin().ok()) {
    TouchKeyIn(c, key_id, now_unix);
    if (tx.Commit().ok()) return;
  }
  std::lock_guard touch_lock(touch_mu_);
  touched_.erase(key_id);
}

void PgStore::TouchKey(int64_t key_id, int64_t now_unix) {
  if (Connection* batch = BatchConnection()) {
    TouchKeyOn(*batch, key_id, now_unix);
    return;
  }
  // Never waits for a connection: with none idle, the write is skipped (the next call tries).
  std::optional<PooledConnection> c = pool_->TryAcquire();
  if (c) TouchKeyOn(**c, key_id, now_unix);
}

}  // namespace turnpike::store::pg
