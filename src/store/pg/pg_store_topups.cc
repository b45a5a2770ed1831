// PgStore: top-ups through a payment provider (onramp_transactions). Completing one and crediting
// the user is one transaction that locks the top-up's row first, so a webhook delivered twice, or
// to two processes at once, credits once.
#include "store/pg/pg_store.h"
#include "store/pg/transaction.h"
#include "store/pg/util.h"

namespace turnpike::store::pg {
namespace {

constexpr char kTopupColumns[] = "id, user_id, amount_micros, provider, external_id, status, created_at, completed_at";

Topup ReadTopup(const Rows& r, int i) {
  Topup topup;
  topup.id = r.Int(i, 0);
  topup.user_id = r.Int(i, 1);
  topup.amount = r.Int(i, 2);
  topup.provider = r.Text(i, 3);
  topup.external_id = r.Text(i, 4);
  topup.status = r.Text(i, 5);
  topup.created_at = r.Int(i, 6);
  topup.completed_at = r.OptionalInt(i, 7).value_or(0);
  return topup;
}

}  // namespace

Result<int64_t> PgStore::CreateTopup(const Topup& topup) {
  if (topup.amount <= 0) return MakeError(ErrorCode::kBadRequest, "top-up amount must be positive");
  if (topup.provider.empty() || topup.external_id.empty()) {
    return MakeError(ErrorCode::kBadRequest, "top-up provider and external id are required");
  }
  Result<Rows> rows = WriteOne(
      "INSERT INTO onramp_transactions (user_id, amount_micros, provider, external_id, status, created_at) "
      "VALUES ($1, $2, $3, $4, 'pending', $5) RETURNING id",
      Params()
          .Add(topup.user_id)
          .Add(topup.amount)
          .Add(topup.provider)
          .Add(topup.external_id)
          .Add(topup.created_at != 0 ? topup.created_at : NowUnix()),
      {.conflict = "a top-up with this provider and external id exists",
       .missing = "no such user",
       .invalid = "invalid top-up"});
  if (!rows.ok()) return rows.error();
  return rows->Int(0, 0);
}

Result<bool> PgStore::CompleteTopup(const std::string& provider, const std::string& external_id, int64_t now_unix) {
  Result<Conn> c = Acquire();
  if (!c.ok()) return c.error();
  Connection& conn = **c;
  Transaction tx(conn);
  if (Status status = tx.Begin(); !status.ok()) return status.error();
  Result<Rows> found = conn.Exec(
      "SELECT id, user_id, amount_micros, status FROM onramp_transactions WHERE provider = $1 AND external_id = $2 "
      "FOR UPDATE",
      Params().Add(provider).Add(external_id));
  if (!found.ok()) return found.error();
  if (found->empty()) return MakeError(ErrorCode::kNotFound, "no such top-up");
  const std::string status = found->Text(0, 3);
  if (status == "completed") return false;
  if (status != "pending") return MakeError(ErrorCode::kConflict, "the top-up failed");
  const int64_t id = found->Int(0, 0);
  const int64_t user_id = found->Int(0, 1);
  const Micros amount = found->Int(0, 2);
  if (Result<std::optional<Micros>> locked = LockUser(conn, user_id); !locked.ok()) return locked.error();
  // A matching credit under this id already (made by hand, say) means the money is in: the
  // top-up is only marked completed. A different entry under it is kConflict.
  const std::string idempotency_id = "topup:" + provider + ":" + external_id;
  Result<bool> credited_before = Replay(conn, idempotency_id, user_id, "topup", amount);
  if (!credited_before.ok()) return credited_before.error();
  Result<Rows> completed = conn.Exec(
      "UPDATE onramp_transactions SET status = 'completed', completed_at = $1 WHERE id = $2 AND status = 'pending'",
      Params().Add(now_unix).Add(id));
  if (!completed.ok()) return completed.error();
  if (!*credited_before) {
    Status credited = AppendLedger(conn, user_id, std::nullopt, "topup", amount, idempotency_id, "",
                                   "top-up via " + provider, now_unix);
    if (!credited.ok()) return credited.error();
  }
  if (Status done = tx.Commit(); !done.ok()) return done.error();
  return !*credited_before;
}

Result<bool> PgStore::FailTopup(const std::string& provider, const std::string& external_id) {
  Result<Rows> updated = WriteOne(
      "UPDATE onramp_transactions SET status = 'failed' WHERE provider = $1 AND external_id = $2 AND status = "
      "'pending'",
      Params().Add(provider).Add(external_id));
  if (!updated.ok()) return updated.error();
  if (updated->affected() > 0) return true;
  Result<Rows> exists = Read("SELECT 1 FROM onramp_transactions WHERE provider = $1 AND external_id = $2",
                             Params().Add(provider).Add(external_id));
  if (!exists.ok()) return exists.error();
  if (exists->empty()) return MakeError(ErrorCode::kNotFound, "no such top-up");
  return false;
}

Result<std::optional<Topup>> PgStore::FindTopup(const std::string& provider, const std::string& external_id) {
  Result<Rows> rows = Read(
      std::string("SELECT ") + kTopupColumns + " FROM onramp_transactions WHERE provider = $1 AND external_id = $2",
      Params().Add(provider).Add(external_id));
  if (!rows.ok()) return rows.error();
  return FirstRow(*rows, ReadTopup);
}

Result<std::vector<Topup>> PgStore::ListTopups(int64_t user_id, int limit) {
  if (limit <= 0) return std::vector<Topup>();
  Result<Rows> rows =
      Read(std::string("SELECT ") + kTopupColumns +
               " FROM onramp_transactions WHERE user_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2",
           Params().Add(user_id).Add(limit));
  if (!rows.ok()) return rows.error();
  return AllRows(*rows, ReadTopup);
}

}  // namespace turnpike::store::pg
