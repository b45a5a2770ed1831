// SqliteStore: top-ups through a payment provider (onramp_transactions). Completing one and
// crediting the user is one BEGIN IMMEDIATE transaction, so a webhook delivered twice, or to
// two processes at once, credits once.
#include "store/sqlite/connection.h"
#include "store/sqlite/sqlite_store.h"
#include "store/sqlite/util.h"

namespace turnpike::store::sqlite {
namespace {

constexpr char kTopupColumns[] = "id, user_id, amount_micros, provider, external_id, status, created_at, completed_at";

Topup ReadTopup(const Statement& s) {
  Topup topup;
  topup.id = s.Int(0);
  topup.user_id = s.Int(1);
  topup.amount = s.Int(2);
  topup.provider = s.Text(3);
  topup.external_id = s.Text(4);
  topup.status = s.Text(5);
  topup.created_at = s.Int(6);
  topup.completed_at = s.OptionalInt(7).value_or(0);
  return topup;
}

}  // namespace

Result<int64_t> SqliteStore::CreateTopup(const Topup& topup) {
  if (topup.amount <= 0) return MakeError(ErrorCode::kBadRequest, "top-up amount must be positive");
  if (topup.provider.empty() || topup.external_id.empty()) {
    return MakeError(ErrorCode::kBadRequest, "top-up provider and external id are required");
  }
  std::lock_guard lock(mu_);
  Statement s(*conn_,
              "INSERT INTO onramp_transactions (user_id, amount_micros, provider, external_id, "
              "status, created_at) VALUES (?, ?, ?, ?, 'pending', ?)");
  s.Bind(topup.user_id).Bind(topup.amount).Bind(topup.provider).Bind(topup.external_id);
  s.Bind(topup.created_at != 0 ? topup.created_at : NowUnix());
  if (Status status = s.Run(); !status.ok()) {
    int code = s.result_code();
    if (IsUniqueViolation(code)) {
      return MakeError(ErrorCode::kConflict, "a top-up with this provider and external id exists");
    }
    if (code == SQLITE_CONSTRAINT_FOREIGNKEY) return MakeError(ErrorCode::kNotFound, "no such user");
    if (IsConstraintViolation(code)) {
      return MakeError(ErrorCode::kBadRequest, "invalid top-up: " + status.error().message);
    }
    return status.error();
  }
  return conn_->LastInsertRowid();
}

Result<bool> SqliteStore::CompleteTopup(const std::string& provider, const std::string& external_id, int64_t now_unix) {
  std::lock_guard lock(mu_);
  Transaction tx(*conn_);
  if (Status status = tx.Begin(Transaction::Mode::kWrite); !status.ok()) return status.error();
  int64_t id = 0;
  int64_t user_id = 0;
  Micros amount = 0;
  {
    Statement s(*conn_,
                "SELECT id, user_id, amount_micros, status FROM onramp_transactions "
                "WHERE provider = ? AND external_id = ?");
    s.Bind(provider).Bind(external_id);
    Result<bool> row = s.Next();
    if (!row.ok()) return row.error();
    if (!*row) return MakeError(ErrorCode::kNotFound, "no such top-up");
    std::string status = s.Text(3);
    if (status == "completed") return false;
    if (status != "pending") return MakeError(ErrorCode::kConflict, "the top-up failed");
    id = s.Int(0);
    user_id = s.Int(1);
    amount = s.Int(2);
  }
  // A matching credit under this id already (made by hand, say) means the money is in: the
  // top-up is only marked completed. A different entry under it is kConflict.
  std::string idempotency_id = "topup:" + provider + ":" + external_id;
  Result<bool> credited_before = ReplayLocked(idempotency_id, user_id, "topup", amount);
  if (!credited_before.ok()) return credited_before.error();
  {
    Statement s(*conn_,
                "UPDATE onramp_transactions SET status = 'completed', completed_at = ? "
                "WHERE id = ? AND status = 'pending'");
    s.Bind(now_unix).Bind(id);
    if (Status status = s.Run(); !status.ok()) return status.error();
  }
  if (!*credited_before) {
    Status credited = AppendLedgerLocked(user_id, std::nullopt, "topup", amount, idempotency_id, "",
                                         "top-up via " + provider, now_unix);
    if (!credited.ok()) return credited.error();
  }
  if (Status status = tx.Commit(); !status.ok()) return status.error();
  return !*credited_before;
}

Result<bool> SqliteStore::FailTopup(const std::string& provider, const std::string& external_id) {
  std::lock_guard lock(mu_);
  Statement s(*conn_,
              "UPDATE onramp_transactions SET status = 'failed' "
              "WHERE provider = ? AND external_id = ? AND status = 'pending'");
  s.Bind(provider).Bind(external_id);
  if (Status status = s.Run(); !status.ok()) return status.error();
  if (conn_->Changes() > 0) return true;
  Statement exists(*conn_, "SELECT 1 FROM onramp_transactions WHERE provider = ? AND external_id = ?");
  exists.Bind(provider).Bind(external_id);
  Result<bool> row = exists.Next();
  if (!row.ok()) return row.error();
  if (!*row) return MakeError(ErrorCode::kNotFound, "no such top-up");
  return false;
}

Result<std::optional<Topup>> SqliteStore::FindTopup(const std::string& provider, const std::string& external_id) {
  std::lock_guard lock(mu_);
  Statement s(*conn_, std::string("SELECT ") + kTopupColumns +
                          " FROM onramp_transactions WHERE provider = ? AND external_id = ?");
  s.Bind(provider).Bind(external_id);
  return ReadFirstRow(s, ReadTopup);
}

Result<std::vector<Topup>> SqliteStore::ListTopups(int64_t user_id, int limit) {
  if (limit <= 0) return std::vector<Topup>();
  std::lock_guard lock(mu_);
  Statement s(*conn_, std::string("SELECT ") + kTopupColumns +
                          " FROM onramp_transactions WHERE user_id = ? "
                          "ORDER BY created_at DESC, id DESC LIMIT ?");
  s.Bind(user_id).Bind(limit);
  return ReadRows(s, ReadTopup);
}

}  // namespace turnpike::store::sqlite
