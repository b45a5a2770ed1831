// SqliteStore: API keys. A deleted key keeps its row (its holds, ledger entries and log rows
// refer to it) with deleted_at set; every method here treats it as absent.
#include "store/sqlite/connection.h"
#include "store/sqlite/sqlite_store.h"
#include "store/sqlite/util.h"

namespace turnpike::store::sqlite {
namespace {

// Binds the three period starts of kKeyLimitUsage first (BindPeriodStarts).
const std::string kKeyColumns = std::string(kKeyColumnsBeforeLimitUsage) + kKeyLimitUsage;

ApiKey ReadKey(const Statement& s) {
  ApiKey key;
  key.id = s.Int(0);
  key.user_id = s.Int(1);
  key.name = s.Text(2);
  key.prefix = s.Text(3);
  key.hash_hex = s.Text(4);
  key.limit = s.OptionalInt(5);
  key.usage = s.Int(6);
  key.disabled = s.Bool(7);
  key.expires_at = s.OptionalInt(8);
  key.created_at = s.Int(9);
  key.log_prompts = s.Bool(10);
  key.last_used_at = s.OptionalInt(11);
  key.rpm_limit = s.OptionalInt(12);
  key.tpm_limit = s.OptionalInt(13);
  key.management = s.Bool(14);
  key.public_id = s.Text(15);
  key.updated_at = s.OptionalInt(16);
  key.user_disabled = s.Bool(17);
  key.user_provider_preferences = s.Text(18);
  key.limit_reset = ParseLimitReset(s.Text(19)).value_or(LimitReset::kNever);
  key.limit_usage = s.Int(20);
  return key;
}

template <class Value>
Result<std::optional<ApiKey>> FindKey(Connection& conn, const char* where, const Value& value) {
  Statement s(conn, "SELECT " + kKeyColumns + " FROM api_keys WHERE " + where + " AND deleted_at IS NULL");
  BindPeriodStarts(s, NowUnix()).Bind(value);
  return ReadFirstRow(s, ReadKey);
}

// The answer to an UPDATE of one live key: kNotFound when no row matched, kConflict on a
// duplicate hash, kBadRequest when a CHECK refused a value.
Status KeyUpdateStatus(Connection& conn, Statement& s) {
  Status status = s.Run();
  if (!status.ok()) {
    if (IsUniqueViolation(s.result_code())) {
      return MakeError(ErrorCode::kConflict, "a key with this hash exists");
    }
    if (IsConstraintViolation(s.result_code())) {
      return MakeError(ErrorCode::kBadRequest, "invalid key: " + status.error().message);
    }
    return status;
  }
  if (conn.Changes() == 0) return MakeError(ErrorCode::kNotFound, "no such key");
  return OkStatus();
}

}  // namespace

Result<int64_t> SqliteStore::CreateKey(const ApiKey& key) {
  std::lock_guard lock(mu_);
  Statement s(*conn_,
              "INSERT INTO api_keys (user_id, name, prefix, hash, limit_micros, usage_micros, "
              "disabled, expires_at, created_at, log_prompts, rpm_limit, tpm_limit, management, limit_reset, "
              "public_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULLIF(?, ''), lower(hex(randomblob(32))))");
  s.Bind(key.user_id).Bind(key.name).Bind(key.prefix).Bind(key.hash_hex).Bind(key.limit);
  s.Bind(key.usage).Bind(key.disabled).Bind(key.expires_at);
  s.Bind(key.created_at != 0 ? key.created_at : NowUnix()).Bind(key.log_prompts);
  s.Bind(key.rpm_limit).Bind(key.tpm_limit).Bind(key.management).Bind(LimitResetName(key.limit_reset));
  Status status = s.Run();
  if (!status.ok()) {
    int code = s.result_code();
    if (IsUniqueViolation(code)) return MakeError(ErrorCode::kConflict, "a key with this hash exists");
    if (code == SQLITE_CONSTRAINT_FOREIGNKEY) return MakeError(ErrorCode::kNotFound, "no such user");
    if (IsConstraintViolation(code)) {
      return MakeError(ErrorCode::kBadRequest, "invalid key: " + status.error().message);
    }
    return status.error();
  }
  return conn_->LastInsertRowid();
}

Result<std::optional<ApiKey>> SqliteStore::FindKeyByHash(const std::string& hash_hex) {
  std::lock_guard lock(mu_);
  return FindKey(*conn_, "hash = ?", hash_hex);
}

Result<std::optional<ApiKey>> SqliteStore::FindKeyById(int64_t id) {
  std::lock_guard lock(mu_);
  return FindKey(*conn_, "id = ?", id);
}

Result<std::vector<ApiKey>> SqliteStore::ListKeys(int64_t user_id) {
  std::lock_guard lock(mu_);
  Statement s(*conn_, "SELECT " + kKeyColumns + " FROM api_keys WHERE user_id = ? AND deleted_at IS NULL ORDER BY id");
  BindPeriodStarts(s, NowUnix()).Bind(user_id);
  return ReadRows(s, ReadKey);
}

Status SqliteStore::SetKeyDisabled(int64_t key_id, bool disabled) {
  std::lock_guard lock(mu_);
  Statement s(*conn_, "UPDATE api_keys SET disabled = ?, updated_at = ? WHERE id = ? AND deleted_at IS NULL");
  s.Bind(disabled).Bind(NowUnix()).Bind(key_id);
  return KeyUpdateStatus(*conn_, s);
}

Status SqliteStore::UpdateKey(int64_t key_id, const KeyUpdate& update) {
  std::lock_guard lock(mu_);
  // One statement for every combination: each field is "CASE WHEN <given> THEN <value>".
  Statement s(*conn_,
              "UPDATE api_keys SET "
              "name = CASE WHEN ? THEN ? ELSE name END, "
              "disabled = CASE WHEN ? THEN ? ELSE disabled END, "
              "limit_micros = CASE WHEN ? THEN ? ELSE limit_micros END, "
              "expires_at = CASE WHEN ? THEN ? ELSE expires_at END, "
              "log_prompts = CASE WHEN ? THEN ? ELSE log_prompts END, "
              "rpm_limit = CASE WHEN ? THEN ? ELSE rpm_limit END, "
              "tpm_limit = CASE WHEN ? THEN ? ELSE tpm_limit END, "
              "limit_reset = CASE WHEN ? THEN NULLIF(?, '') ELSE limit_reset END, "
              "updated_at = ? "
              "WHERE id = ? AND deleted_at IS NULL");
  s.Bind(update.name.has_value()).Bind(update.name.value_or(""));
  s.Bind(update.disabled.has_value()).Bind(update.disabled.value_or(false));
  s.Bind(update.limit.has_value()).Bind(update.limit.value_or(std::nullopt));
  s.Bind(update.expires_at.has_value()).Bind(update.expires_at.value_or(std::nullopt));
  s.Bind(update.log_prompts.has_value()).Bind(update.log_prompts.value_or(false));
  s.Bind(update.rpm_limit.has_value()).Bind(update.rpm_limit.value_or(std::nullopt));
  s.Bind(update.tpm_limit.has_value()).Bind(update.tpm_limit.value_or(std::nullopt));
  s.Bind(update.limit_reset.has_value()).Bind(LimitResetName(update.limit_reset.value_or(LimitReset::kNever)));
  s.Bind(NowUnix()).Bind(key_id);
  return KeyUpdateStatus(*conn_, s);
}

Status SqliteStore::DeleteKey(int64_t key_id) {
  std::lock_guard lock(mu_);
  Statement s(*conn_, "UPDATE api_keys SET deleted_at = ? WHERE id = ? AND deleted_at IS NULL");
  s.Bind(NowUnix()).Bind(key_id);
  return KeyUpdateStatus(*conn_, s);
}

Status SqliteStore::RotateKey(int64_t key_id, const std::string& hash_hex, const std::string& prefix) {
  std::lock_guard lock(mu_);
  Statement s(*conn_, "UPDATE api_keys SET hash = ?, prefix = ?, updated_at = ? WHERE id = ? AND deleted_at IS NULL");
  s.Bind(hash_hex).Bind(prefix).Bind(NowUnix()).Bind(key_id);
  return KeyUpdateStatus(*conn_, s);
}

void SqliteStore::TouchKey(int64_t key_id, int64_t now_unix) {
  constexpr int64_t kEverySeconds = 60;
  {
    std::lock_guard touch_lock(touch_mu_);
    auto it = touched_.find(key_id);
    if (it != touched_.end() && now_unix - it->second < kEverySeconds) return;
    touched_[key_id] = now_unix;
  }
  bool written = false;
  // The caller may be an event loop: never wait for another thread or another connection.
  if (std::unique_lock lock(mu_, std::try_to_lock); lock.owns_lock()) {
    conn_->SetBusyTimeout(0);
    // Another handle (another process) may have written it more recently.
    Statement s(*conn_,
                "UPDATE api_keys SET last_used_at = ? "
                "WHERE id = ? AND (last_used_at IS NULL OR last_used_at <= ? - ?)");
    s.Bind(now_unix).Bind(key_id).Bind(now_unix).Bind(kEverySeconds);
    written = s.Run().ok();
    conn_->SetBusyTimeout(busy_timeout_ms_);
  }
  if (!written) {
    std::lock_guard touch_lock(touch_mu_);
    touched_.erase(key_id);  // dropped: the next call tries again
  }
}

}  // namespace turnpike::store::sqlite
