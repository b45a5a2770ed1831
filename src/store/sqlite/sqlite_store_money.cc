// SqliteStore: credits, holds, settlements and the ledger. Every movement of money is one
// BEGIN IMMEDIATE transaction that updates the balance and appends the matching ledger entry
// together, so balance == sum(ledger) holds at every commit.
#include <limits>

#include "store/sqlite/connection.h"
#include "store/sqlite/sqlite_store.h"
#include "store/sqlite/util.h"

namespace turnpike::store::sqlite {
namespace {

constexpr char kLedgerColumns[] = "id, user_id, kind, amount_micros, idempotency_id, request_id, note, created_at";

// A row of kLedgerColumns.
LedgerEntry ReadLedgerEntry(const Statement& s) {
  return LedgerEntry{s.Int(0), s.Int(1), s.Text(2), s.Int(3), s.Text(4), s.Text(5), s.Text(6), s.Int(7)};
}

}  // namespace

Result<std::optional<Micros>> SqliteStore::BalanceLocked(int64_t user_id) {
  Statement s(*conn_, "SELECT balance_micros FROM users WHERE id = ?");
  s.Bind(user_id);
  Result<bool> row = s.Next();
  if (!row.ok()) return row.error();
  if (!*row) return std::optional<Micros>();
  return std::optional<Micros>(s.Int(0));
}

Status SqliteStore::AppendLedgerLocked(int64_t user_id, std::optional<int64_t> key_id, const std::string& kind,
                                       Micros amount, const std::string& idempotency_id, const std::string& request_id,
                                       const std::string& note, int64_t now_unix, bool move_balance) {
  Statement s(*conn_,
              "INSERT INTO ledger_entries (user_id, key_id, kind, amount_micros, idempotency_id, "
              "request_id, note, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
  s.Bind(user_id).Bind(key_id).Bind(kind).Bind(amount).Bind(idempotency_id).Bind(request_id);
  s.Bind(note).Bind(now_unix);
  if (Status status = s.Run(); !status.ok()) return status;
  if (!move_balance) return OkStatus();
  // The balance moves in the same transaction as the entry.
  Statement update(*conn_, "UPDATE users SET balance_micros = balance_micros + ? WHERE id = ?");
  update.Bind(amount).Bind(user_id);
  return update.Run();
}

Status SqliteStore::Credit(int64_t user_id, Micros amount, const std::string& kind, const std::string& idempotency_id,
                           const std::string& note) {
  if (kind != "topup" && kind != "grant") {
    return MakeError(ErrorCode::kBadRequest, "credit kind must be topup or grant");
  }
  if (amount <= 0) return MakeError(ErrorCode::kBadRequest, "credit amount must be positive");
  if (idempotency_id.empty()) return MakeError(ErrorCode::kBadRequest, "idempotency id is empty");
  std::lock_guard lock(mu_);
  Transaction tx(*conn_);
  if (Status status = tx.Begin(Transaction::Mode::kWrite); !status.ok()) return status;
  Result<bool> replay = ReplayLocked(idempotency_id, user_id, kind, amount);
  if (!replay.ok()) return replay.error();
  if (*replay) return OkStatus();
  Result<std::optional<Micros>> balance = BalanceLocked(user_id);
  if (!balance.ok()) return balance.error();
  if (!balance->has_value()) return MakeError(ErrorCode::kNotFound, "no such user");
  if (**balance > std::numeric_limits<Micros>::max() - amount) {
    return MakeError(ErrorCode::kBadRequest, "credit would overflow the balance");
  }
  Status status = AppendLedgerLocked(user_id, std::nullopt, kind, amount, idempotency_id, "", note, NowUnix());
  if (!status.ok()) return status;
  return tx.Commit();
}

Status SqliteStore::Debit(int64_t user_id, Micros amount, const std::string& idempotency_id, const std::string& note) {
  if (amount <= 0) return MakeError(ErrorCode::kBadRequest, "debit amount must be positive");
  if (idempotency_id.empty()) return MakeError(ErrorCode::kBadRequest, "idempotency id is empty");
  std::lock_guard lock(mu_);
  Transaction tx(*conn_);
  if (Status status = tx.Begin(Transaction::Mode::kWrite); !status.ok()) return status;
  Result<bool> replay = ReplayLocked(idempotency_id, user_id, "deduct", -amount);
  if (!replay.ok()) return replay.error();
  if (*replay) return OkStatus();
  Result<std::optional<Micros>> balance = BalanceLocked(user_id);
  if (!balance.ok()) return balance.error();
  if (!balance->has_value()) return MakeError(ErrorCode::kNotFound, "no such user");
  // Money a server has leased for requests it may be holding is not the admin's to take.
  Result<Micros> leased = LeasedLocked(user_id, "", 0);
  if (!leased.ok()) return leased.error();
  if (**balance - *leased < amount) {
    return MakeError(ErrorCode::kConflict, *leased > 0 ? "the balance less what requests in flight may spend is "
                                                         "smaller than the deduction; try again in a few seconds"
                                                       : "the balance is smaller than the deduction");
  }
  Status status = AppendLedgerLocked(user_id, std::nullopt, "deduct", -amount, idempotency_id, "", note, NowUnix());
  if (!status.ok()) return status;
  return tx.Commit();
}

Result<bool> SqliteStore::ReplayLocked(const std::string& idempotency_id, int64_t user_id, const std::string& kind,
                                       Micros amount) {
  Statement s(*conn_, "SELECT user_id, kind, amount_micros FROM ledger_entries WHERE idempotency_id = ?");
  s.Bind(idempotency_id);
  Result<bool> row = s.Next();
  if (!row.ok()) return row.error();
  if (!*row) return false;
  if (s.Int(0) == user_id && s.Text(1) == kind && s.Int(2) == amount) return true;
  return MakeError(ErrorCode::kConflict, "idempotency id used for a different entry");
}

HoldResult SqliteStore::Hold(const HoldRequest& hold, int64_t now_unix) {
  HoldResult result{HoldOutcome::kFailed, 0};
  if (hold.amount < 0 || hold.request_id.empty()) return result;
  std::lock_guard lock(mu_);
  Transaction tx(*conn_);
  if (!tx.Begin(Transaction::Mode::kWrite).ok()) return result;

  Result<std::optional<Micros>> balance = BalanceLocked(hold.user_id);
  if (!balance.ok()) return result;
  result.balance_after = balance->value_or(0);
  {
    Statement s(*conn_, "SELECT 1 FROM holds WHERE request_id = ?");
    s.Bind(hold.request_id);
    Result<bool> row = s.Next();
    if (!row.ok()) return result;
    if (*row) {
      result.outcome = HoldOutcome::kDuplicate;
      return result;
    }
  }
  {
    Result<KeyRoom> key = KeyRoomLocked(hold.user_id, hold.key_id, "", now_unix);
    if (!key.ok()) return result;
    if (!key->usable || !balance->has_value()) {
      result.outcome = HoldOutcome::kKeyDisabled;
      return result;
    }
    if (key->room.has_value() && hold.amount > *key->room) {
      result.outcome = HoldOutcome::kKeyLimitReached;
      return result;
    }
  }
  // What the gateways have leased is not there for a database hold either.
  Result<Micros> leased = LeasedLocked(hold.user_id, "", 0);
  if (!leased.ok()) return result;
  if (**balance - *leased < hold.amount) {
    result.outcome = HoldOutcome::kInsufficientBalance;
    return result;
  }
  {
    Statement s(*conn_,
                "INSERT INTO holds (request_id, user_id, key_id, amount_micros, created_at, owner) "
                "VALUES (?, ?, ?, ?, ?, ?)");
    s.Bind(hold.request_id).Bind(hold.user_id).Bind(hold.key_id).Bind(hold.amount).Bind(now_unix).Bind(hold.owner);
    if (!s.Run().ok()) return result;
  }
  {
    Statement s(*conn_, "UPDATE api_keys SET usage_micros = usage_micros + ? WHERE id = ?");
    s.Bind(hold.amount).Bind(hold.key_id);
    if (!s.Run().ok()) return result;
  }
  if (!AppendLedgerLocked(hold.user_id, hold.key_id, "hold", -hold.amount, "hold:" + hold.request_id, hold.request_id,
                          "", now_unix)
           .ok() ||
      !tx.Commit().ok()) {
    return result;
  }
  result.outcome = HoldOutcome::kHeld;
  result.balance_after = **balance - hold.amount;
  return result;
}

Status SqliteStore::SettleLocked(const std::string& request_id, Micros actual, int64_t now_unix) {
  int64_t user_id = 0;
  int64_t key_id = 0;
  Micros held = 0;
  {
    Statement s(*conn_,
                "SELECT user_id, key_id, amount_micros, settled_micros FROM holds "
                "WHERE request_id = ?");
    s.Bind(request_id);
    Result<bool> row = s.Next();
    if (!row.ok()) return row.error();
    if (!*row) return MakeError(ErrorCode::kNotFound, "no hold with this request id");
    if (s.OptionalInt(3).has_value()) return OkStatus();  // settled before: nothing to do
    user_id = s.Int(0);
    key_id = s.Int(1);
    held = s.Int(2);
  }
  // Both are non-negative, so the difference cannot overflow.
  Micros refund = held - actual;
  {
    Statement s(*conn_, "UPDATE holds SET settled_micros = ?, settled_at = ? WHERE request_id = ?");
    s.Bind(actual).Bind(now_unix).Bind(request_id);
    if (Status status = s.Run(); !status.ok()) return status;
  }
  {
    Statement s(*conn_, "UPDATE api_keys SET usage_micros = usage_micros - ? WHERE id = ?");
    s.Bind(refund).Bind(key_id);
    if (Status status = s.Run(); !status.ok()) return status;
  }
  return AppendLedgerLocked(user_id, key_id, "settle", refund, "settle:" + request_id, request_id, "", now_unix);
}

Status SqliteStore::Settle(const std::string& request_id, Micros actual) {
  if (actual < 0) return MakeError(ErrorCode::kBadRequest, "actual cost is negative");
  std::lock_guard lock(mu_);
  Transaction tx(*conn_);
  if (Status status = tx.Begin(Transaction::Mode::kWrite); !status.ok()) return status;
  if (Status status = SettleLocked(request_id, actual, NowUnix()); !status.ok()) return status;
  return tx.Commit();
}

template <class Bind>
Result<int> SqliteStore::ReleaseHoldsWhere(const char* select, const Bind& bind) {
  std::lock_guard lock(mu_);
  Transaction tx(*conn_);
  if (Status status = tx.Begin(Transaction::Mode::kWrite); !status.ok()) return status.error();
  std::vector<std::string> stale;
  {
    Statement s(*conn_, select);
    bind(s);
    auto ids = ReadRows(s, [](const Statement& row) { return row.Text(0); });
    if (!ids.ok()) return ids.error();
    stale = std::move(*ids);
  }
  int64_t now = NowUnix();
  for (const std::string& request_id : stale) {
    if (Status status = SettleLocked(request_id, 0, now); !status.ok()) return status.error();
  }
  if (Status status = tx.Commit(); !status.ok()) return status.error();
  return static_cast<int>(stale.size());
}

Result<int> SqliteStore::ReleaseStaleHolds(int64_t older_than_unix) {
  return ReleaseHoldsWhere(
      "SELECT request_id FROM holds WHERE settled_micros IS NULL AND created_at < ? ORDER BY created_at",
      [&](Statement& s) { s.Bind(older_than_unix); });
}

Result<int> SqliteStore::ReleaseHoldsOf(const std::string& owner) {
  Result<int> holds =
      ReleaseHoldsWhere("SELECT request_id FROM holds WHERE settled_micros IS NULL AND owner = ? ORDER BY created_at",
                        [&](Statement& s) { s.Bind(owner); });
  if (!holds.ok()) return holds;
  std::lock_guard lock(mu_);
  Statement s(*conn_, "DELETE FROM leases WHERE owner = ?");
  s.Bind(owner);
  if (Status status = s.Run(); !status.ok()) return status.error();
  return *holds + conn_->Changes();
}

Result<std::vector<std::string>> SqliteStore::HoldOwners() {
  std::lock_guard lock(mu_);
  Statement s(*conn_,
              "SELECT owner FROM holds WHERE settled_micros IS NULL AND owner <> '' "
              "UNION SELECT owner FROM leases ORDER BY owner");
  return ReadRows(s, [](const Statement& row) { return row.Text(0); });
}

Result<KeyRoom> SqliteStore::KeyRoomLocked(int64_t user_id, int64_t key_id, const std::string& owner,
                                           int64_t now_unix) {
  static const std::string kSql =
      std::string(
          "SELECT api_keys.user_id, api_keys.disabled OR u.disabled OR api_keys.deleted_at IS NOT NULL, "
          "api_keys.expires_at, api_keys.limit_micros, ") +
      kKeyLimitUsage +
      ", (SELECT coalesce(sum(amount_micros), 0) FROM leases l WHERE l.key_id = api_keys.id AND l.owner <> ?) "
      "FROM api_keys JOIN users u ON u.id = api_keys.user_id WHERE api_keys.id = ?";
  Statement s(*conn_, kSql);
  // A limit that resets counts the spend of its current period, at the time of this call.
  BindPeriodStarts(s, now_unix).Bind(owner).Bind(key_id);
  Result<bool> row = s.Next();
  if (!row.ok()) return row.error();
  KeyRoom key;
  std::optional<int64_t> expires_at = *row ? s.OptionalInt(2) : std::nullopt;
  // Disabled covers the key, its owner, and a deletion since the key was cached.
  key.usable = *row && s.Int(0) == user_id && !s.Bool(1) && !(expires_at.has_value() && *expires_at <= now_unix);
  if (key.usable) {
    // Written as subtractions of bounded non-negative amounts: nothing overflows.
    if (std::optional<Micros> limit = s.OptionalInt(3)) key.room = *limit - s.Int(4) - s.Int(5);
  }
  return key;
}

Result<Micros> SqliteStore::LeasedLocked(int64_t user_id, const std::string& owner, int64_t key_id) {
  Statement s(*conn_,
              "SELECT coalesce(sum(amount_micros), 0) FROM leases "
              "WHERE user_id = ? AND NOT (owner = ? AND key_id = ?)");
  s.Bind(user_id).Bind(owner).Bind(key_id);
  return ReadInt(s);
}

LeaseResult SqliteStore::Lease(const LeaseRequest& lease, int64_t now_unix) {
  LeaseResult result;
  if (lease.need < 0 || lease.want < lease.need || lease.owner.empty()) return result;
  std::lock_guard lock(mu_);
  Transaction tx(*conn_);
  if (!tx.Begin(Transaction::Mode::kWrite).ok()) return result;
  Micros own = 0;
  {
    Statement s(*conn_, "SELECT amount_micros FROM leases WHERE owner = ? AND key_id = ?");
    s.Bind(lease.owner).Bind(lease.key_id);
    Result<bool> row = s.Next();
    if (!row.ok()) return result;
    if (*row) own = s.Int(0);
  }
  result.lease = own;
  Result<std::optional<Micros>> balance = BalanceLocked(lease.user_id);
  Result<Micros> others = LeasedLocked(lease.user_id, lease.owner, lease.key_id);
  if (!balance.ok() || !others.ok()) return result;
  Result<KeyRoom> key = KeyRoomLocked(lease.user_id, lease.key_id, lease.owner, now_unix);
  if (!key.ok()) return result;
  const LeaseResult decided = DecideLease(lease, own, *balance, *others, *key);
  if (decided.outcome != HoldOutcome::kHeld) return decided;
  result.available = decided.available;
  const Micros amount = decided.lease;
  if (amount != own) {
    Statement s(*conn_,
                "INSERT INTO leases (owner, key_id, user_id, amount_micros, updated_at) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT (owner, key_id) DO UPDATE SET amount_micros = excluded.amount_micros, "
                "updated_at = excluded.updated_at");
    s.Bind(lease.owner).Bind(lease.key_id).Bind(lease.user_id).Bind(amount).Bind(now_unix);
    if (!s.Run().ok()) return result;
  }
  if (!tx.Commit().ok()) return result;
  result.outcome = HoldOutcome::kHeld;
  result.lease = amount;
  return result;
}

Status SqliteStore::ReturnLease(const std::string& owner, int64_t key_id) {
  std::lock_guard lock(mu_);
  Statement s(*conn_, "DELETE FROM leases WHERE owner = ? AND key_id = ?");
  s.Bind(owner).Bind(key_id);
  return s.Run();
}

Status SqliteStore::Charge(const ChargeRequest& charge) {
  std::lock_guard lock(mu_);
  Transaction tx(*conn_);
  if (Status status = tx.Begin(Transaction::Mode::kWrite); !status.ok()) return status;
  if (Status status = ChargeLocked(charge); !status.ok()) return status;
  return tx.Commit();
}

Status SqliteStore::ChargeLocked(const ChargeRequest& charge, ChargeTotals* totals) {
  if (charge.actual < 0 || charge.held < 0) return MakeError(ErrorCode::kBadRequest, "a charge cannot be negative");
  if (charge.request_id.empty()) return MakeError(ErrorCode::kBadRequest, "request id is empty");
  {
    Statement s(*conn_, "SELECT 1 FROM holds WHERE request_id = ?");
    s.Bind(charge.request_id);
    Result<bool> row = s.Next();
    if (!row.ok()) return row.error();
    if (*row) return OkStatus();  // recorded before
  }
  const int64_t now = NowUnix();
  {
    Statement s(*conn_,
                "INSERT INTO holds (request_id, user_id, key_id, amount_micros, created_at, owner, settled_micros, "
                "settled_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
    s.Bind(charge.request_id).Bind(charge.user_id).Bind(charge.key_id).Bind(charge.held).Bind(charge.held_at);
    s.Bind(charge.owner).Bind(charge.actual).Bind(now);
    if (Status status = s.Run(); !status.ok()) return status;
  }
  const bool deferred = totals != nullptr;
  if (Status status = AppendLedgerLocked(charge.user_id, charge.key_id, "hold", -charge.held,
                                         "hold:" + charge.request_id, charge.request_id, "", charge.held_at,
                                         /*move_balance=*/false);
      !status.ok()) {
    return status;
  }
  if (Status status = AppendLedgerLocked(charge.user_id, charge.key_id, "settle", charge.held - charge.actual,
                                         "settle:" + charge.request_id, charge.request_id, "", now,
                                         /*move_balance=*/false);
      !status.ok()) {
    return status;
  }
  ChargeTotals own;
  ChargeTotals& t = deferred ? *totals : own;
  t.balances[charge.user_id] -= charge.actual;  // the two entries' sum, written below or by the caller
  t.usage[charge.key_id] += charge.actual;
  if (!charge.owner.empty() && charge.actual > 0) t.leases[{charge.owner, charge.key_id}] += charge.actual;
  return deferred ? OkStatus() : WriteChargeTotalsLocked(own);
}

Status SqliteStore::WriteChargeTotalsLocked(const ChargeTotals& totals) {
  const int64_t now = NowUnix();
  for (const auto& [user_id, delta] : totals.balances) {
    Statement s(*conn_, "UPDATE users SET balance_micros = balance_micros + ? WHERE id = ?");
    s.Bind(delta).Bind(user_id);
    if (Status status = s.Run(); !status.ok()) return status;
  }
  for (const auto& [key_id, delta] : totals.usage) {
    Statement s(*conn_, "UPDATE api_keys SET usage_micros = usage_micros + ? WHERE id = ?");
    s.Bind(delta).Bind(key_id);
    if (Status status = s.Run(); !status.ok()) return status;
  }
  for (const auto& [lease, spent] : totals.leases) {
    Statement s(*conn_,
                "UPDATE leases SET amount_micros = max(0, amount_micros - ?), updated_at = ? "
                "WHERE owner = ? AND key_id = ?");
    s.Bind(spent).Bind(now).Bind(lease.first).Bind(lease.second);
    if (Status status = s.Run(); !status.ok()) return status;
  }
  return OkStatus();
}

Result<Micros> SqliteStore::SumLedger(int64_t user_id, const char* sql) {
  // A user's whole ledger: on a reader, so a long history never holds up the group commit.
  ConnectionLease conn = LockReader();
  Statement s(*conn, sql);
  s.Bind(user_id);
  return ReadInt(s);
}

Result<Micros> SqliteStore::LedgerSum(int64_t user_id) {
  return SumLedger(user_id,
                   "SELECT coalesce(sum(amount_micros), 0) FROM ledger_entries "
                   "WHERE user_id = ?");
}

Result<Micros> SqliteStore::TotalCredited(int64_t user_id) {
  return SumLedger(user_id,
                   "SELECT coalesce(sum(amount_micros), 0) FROM ledger_entries "
                   "WHERE user_id = ? AND kind IN ('topup', 'grant', 'deduct')");
}

Result<Micros> SqliteStore::TotalSpent(int64_t user_id) {
  return SumLedger(user_id,
                   "SELECT -coalesce(sum(amount_micros), 0) FROM ledger_entries "
                   "WHERE user_id = ? AND kind IN ('hold', 'settle', 'refund')");
}

Result<std::vector<LedgerEntry>> SqliteStore::ListLedger(int64_t user_id, int limit, int64_t before_id) {
  if (limit <= 0) return std::vector<LedgerEntry>();
  ConnectionLease conn = LockReader();
  Statement s(*conn, std::string("SELECT ") + kLedgerColumns +
                         " FROM ledger_entries WHERE user_id = ? AND id < ? ORDER BY id DESC LIMIT ?");
  s.Bind(user_id).Bind(before_id > 0 ? before_id : INT64_MAX).Bind(limit);
  return ReadRows(s, ReadLedgerEntry);
}

Result<std::vector<HistoryLine>> SqliteStore::ListHistory(int64_t user_id, const HistoryQuery& query) {
  if (query.limit <= 0) return std::vector<HistoryLine>();
  ConnectionLease conn = LockReader();
  // One line per entry other than a settlement; a hold picks up its settlement through the
  // unique idempotency id, so a page reads only its own lines and their settlements.
  Statement s(*conn,
              "SELECT h.id, h.kind, h.amount_micros + coalesce(s.amount_micros, 0), "
              "h.kind = 'hold' AND s.id IS NULL, h.request_id, h.note, h.created_at, coalesce(s.created_at, 0) "
              "FROM ledger_entries h LEFT JOIN ledger_entries s "
              "ON h.kind = 'hold' AND s.idempotency_id = 'settle:' || h.request_id "
              "WHERE h.user_id = ?1 AND h.kind <> 'settle' AND h.id < ?2 AND (?3 = '' OR h.kind = ?3) "
              "AND h.created_at >= ?4 AND h.created_at < ?5 ORDER BY h.id DESC LIMIT ?6");
  s.Bind(user_id)
      .Bind(query.before_id > 0 ? query.before_id : INT64_MAX)
      .Bind(query.kind == "request" ? std::string("hold") : query.kind)
      .Bind(query.from_unix)
      .Bind(query.to_unix > 0 ? query.to_unix : INT64_MAX)
      .Bind(query.limit);
  return ReadRows(s, [](const Statement& row) {
    std::string kind = row.Text(1);
    return HistoryLine{
        row.Int(0), kind == "hold" ? "request" : kind, row.Int(2), row.Bool(3), row.Text(4), row.Text(5), row.Int(6),
        row.Int(7)};
  });
}

}  // namespace turnpike::store::sqlite
