// PgStore: credits, holds, settlements, leases, charges and the ledger. Every movement of money is
// one transaction that locks the user's row first (pg_store.h, "Money under concurrency"), then
// updates the balance and appends the matching ledger entry together, so balance == sum(ledger)
// at every commit.
#include <algorithm>
#include <limits>

#include "store/pg/pg_store.h"
#include "store/pg/transaction.h"
#include "store/pg/util.h"

namespace turnpike::store::pg {
namespace {

constexpr char kLedgerColumns[] = "id, user_id, kind, amount_micros, idempotency_id, request_id, note, created_at";

LedgerEntry ReadLedgerEntry(const Rows& r, int i) {
  return LedgerEntry{r.Int(i, 0),  r.Int(i, 1),  r.Text(i, 2), r.Int(i, 3),
                     r.Text(i, 4), r.Text(i, 5), r.Text(i, 6), r.Int(i, 7)};
}

constexpr WriteErrors kLedgerErrors{.conflict = "idempotency id used for a different entry",
                                    .missing = "no such user",
                                    .invalid = "invalid ledger entry"};

}  // namespace

Result<std::optional<Micros>> PgStore::LockUser(Connection& c, int64_t user_id) {
  Result<Rows> rows = c.Exec("SELECT balance_micros FROM users WHERE id = $1 FOR NO KEY UPDATE", Params().Add(user_id));
  if (!rows.ok()) return rows.error();
  if (rows->empty()) return std::optional<Micros>();
  return std::optional<Micros>(rows->Int(0, 0));
}

Status PgStore::AppendLedger(Connection& c, int64_t user_id, std::optional<int64_t> key_id, const std::string& kind,
                             Micros amount, const std::string& idempotency_id, const std::string& request_id,
                             const std::string& note, int64_t now_unix, bool move_balance) {
  Result<Rows> inserted = c.Exec(
      "INSERT INTO ledger_entries (user_id, key_id, kind, amount_micros, idempotency_id, request_id, note, "
      "created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
      Params()
          .Add(user_id)
          .Add(key_id)
          .Add(kind)
          .Add(amount)
          .Add(idempotency_id)
          .Add(request_id)
          .Add(note)
          .Add(now_unix));
  if (!inserted.ok()) return MapWriteError(c.last_sqlstate(), inserted.error(), kLedgerErrors);
  if (!move_balance) return OkStatus();
  // The balance moves in the same transaction as the entry.
  Result<Rows> moved =
      c.Exec("UPDATE users SET balance_micros = balance_micros + $1 WHERE id = $2", Params().Add(amount).Add(user_id));
  if (!moved.ok()) return moved.error();
  return OkStatus();
}

Result<bool> PgStore::Replay(Connection& c, const std::string& idempotency_id, int64_t user_id, const std::string& kind,
                             Micros amount) {
  Result<Rows> rows = c.Exec("SELECT user_id, kind, amount_micros FROM ledger_entries WHERE idempotency_id = $1",
                             Params().Add(idempotency_id));
  if (!rows.ok()) return rows.error();
  if (rows->empty()) return false;
  if (rows->Int(0, 0) == user_id && rows->Text(0, 1) == kind && rows->Int(0, 2) == amount) return true;
  return MakeError(ErrorCode::kConflict, "idempotency id used for a different entry");
}

Status PgStore::Credit(int64_t user_id, Micros amount, const std::string& kind, const std::string& idempotency_id,
                       const std::string& note) {
  if (kind != "topup" && kind != "grant") {
    return MakeError(ErrorCode::kBadRequest, "credit kind must be topup or grant");
  }
  if (amount <= 0) return MakeError(ErrorCode::kBadRequest, "credit amount must be positive");
  if (idempotency_id.empty()) return MakeError(ErrorCode::kBadRequest, "idempotency id is empty");
  Result<Conn> c = Acquire();
  if (!c.ok()) return c.error();
  Transaction tx(**c);
  if (Status status = tx.Begin(); !status.ok()) return status;
  // Locked before the replay check, so that two credits under one id are decided one after the other.
  Result<std::optional<Micros>> balance = LockUser(**c, user_id);
  if (!balance.ok()) return balance.error();
  Result<bool> replay = Replay(**c, idempotency_id, user_id, kind, amount);
  if (!replay.ok()) return replay.error();
  if (*replay) return OkStatus();
  if (!balance->has_value()) return MakeError(ErrorCode::kNotFound, "no such user");
  if (**balance > std::numeric_limits<Micros>::max() - amount) {
    return MakeError(ErrorCode::kBadRequest, "credit would overflow the balance");
  }
  Status status = AppendLedger(**c, user_id, std::nullopt, kind, amount, idempotency_id, "", note, NowUnix());
  if (!status.ok()) return status;
  return tx.Commit();
}

Status PgStore::Debit(int64_t user_id, Micros amount, const std::string& idempotency_id, const std::string& note) {
  if (amount <= 0) return MakeError(ErrorCode::kBadRequest, "debit amount must be positive");
  if (idempotency_id.empty()) return MakeError(ErrorCode::kBadRequest, "idempotency id is empty");
  Result<Conn> c = Acquire();
  if (!c.ok()) return c.error();
  Transaction tx(**c);
  if (Status status = tx.Begin(); !status.ok()) return status;
  Result<std::optional<Micros>> balance = LockUser(**c, user_id);
  if (!balance.ok()) return balance.error();
  Result<bool> replay = Replay(**c, idempotency_id, user_id, "deduct", -amount);
  if (!replay.ok()) return replay.error();
  if (*replay) return OkStatus();
  if (!balance->has_value()) return MakeError(ErrorCode::kNotFound, "no such user");
  // Money a server has leased for requests it may be holding is not the admin's to take.
  Result<Micros> leased = Leased(**c, user_id, "", 0);
  if (!leased.ok()) return leased.error();
  if (**balance - *leased < amount) {
    return MakeError(ErrorCode::kConflict, *leased > 0 ? "the balance less what requests in flight may spend is "
                                                         "smaller than the deduction; try again in a few seconds"
                                                       : "the balance is smaller than the deduction");
  }
  Status status = AppendLedger(**c, user_id, std::nullopt, "deduct", -amount, idempotency_id, "", note, NowUnix());
  if (!status.ok()) return status;
  return tx.Commit();
}

Result<KeyRoom> PgStore::KeyRoomOf(Connection& c, int64_t user_id, int64_t key_id, const std::string& owner,
                                   int64_t now_unix) {
  // The key's row is locked too: while a limit is checked, no UpdateKey changes it. Read after the
  // user's lock was taken, the usage and the leases are what every earlier call committed.
  // A limit that resets counts the spend of its current period, at the time of this call.
  static const std::string kSql =
      std::string(
          "SELECT api_keys.user_id, api_keys.disabled OR u.disabled OR api_keys.deleted_at IS NOT NULL, "
          "api_keys.expires_at, api_keys.limit_micros, ") +
      kKeyLimitUsage +
      ", (SELECT coalesce(sum(l.amount_micros), 0) FROM leases l WHERE l.key_id = api_keys.id AND "
      "l.owner <> $4)::bigint FROM api_keys JOIN users u ON u.id = api_keys.user_id WHERE api_keys.id = $5 "
      "FOR NO KEY UPDATE OF api_keys";
  Result<Rows> rows = c.Exec(kSql, PeriodStartParams(now_unix).Add(owner).Add(key_id));
  if (!rows.ok()) return rows.error();
  KeyRoom key;
  const bool found = !rows->empty();
  std::optional<int64_t> expires_at = found ? rows->OptionalInt(0, 2) : std::nullopt;
  // Disabled covers the key, its owner, and a deletion since the key was cached.
  key.usable =
      found && rows->Int(0, 0) == user_id && !rows->Bool(0, 1) && !(expires_at.has_value() && *expires_at <= now_unix);
  if (key.usable) {
    // Written as subtractions of bounded non-negative amounts: nothing overflows.
    if (std::optional<Micros> limit = rows->OptionalInt(0, 3)) key.room = *limit - rows->Int(0, 4) - rows->Int(0, 5);
  }
  return key;
}

Result<Micros> PgStore::Leased(Connection& c, int64_t user_id, const std::string& owner, int64_t key_id) {
  Result<Rows> rows = c.Exec(
      "SELECT coalesce(sum(amount_micros), 0)::bigint FROM leases WHERE user_id = $1 AND NOT (owner = $2 AND "
      "key_id = $3)",
      Params().Add(user_id).Add(owner).Add(key_id));
  if (!rows.ok()) return rows.error();
  return FirstInt(*rows);
}

HoldResult PgStore::Hold(const HoldRequest& hold, int64_t now_unix) {
  HoldResult result{HoldOutcome::kFailed, 0};
  if (hold.amount < 0 || hold.request_id.empty()) return result;
  Result<Conn> c = Acquire();
  if (!c.ok()) return result;
  Connection& conn = **c;
  Transaction tx(conn);
  if (!tx.Begin().ok()) return result;

  Result<std::optional<Micros>> balance = LockUser(conn, hold.user_id);
  if (!balance.ok()) return result;
  result.balance_after = balance->value_or(0);
  {
    Result<Rows> dup = conn.Exec("SELECT 1 FROM holds WHERE request_id = $1", Params().Add(hold.request_id));
    if (!dup.ok()) return result;
    if (!dup->empty()) {
      result.outcome = HoldOutcome::kDuplicate;
      return result;
    }
  }
  {
    Result<KeyRoom> key = KeyRoomOf(conn, hold.user_id, hold.key_id, "", now_unix);
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
  Result<Micros> leased = Leased(conn, hold.user_id, "", 0);
  if (!leased.ok()) return result;
  if (**balance - *leased < hold.amount) {
    result.outcome = HoldOutcome::kInsufficientBalance;
    return result;
  }
  if (!conn.Exec("INSERT INTO holds (request_id, user_id, key_id, amount_micros, created_at, owner) "
                 "VALUES ($1, $2, $3, $4, $5, $6)",
                 Params()
                     .Add(hold.request_id)
                     .Add(hold.user_id)
                     .Add(hold.key_id)
                     .Add(hold.amount)
                     .Add(now_unix)
                     .Add(hold.owner))
           .ok() ||
      !conn.Exec("UPDATE api_keys SET usage_micros = usage_micros + $1 WHERE id = $2",
                 Params().Add(hold.amount).Add(hold.key_id))
           .ok() ||
      !AppendLedger(conn, hold.user_id, hold.key_id, "hold", -hold.amount, "hold:" + hold.request_id, hold.request_id,
                    "", now_unix)
           .ok() ||
      !tx.Commit().ok()) {
    return result;
  }
  result.outcome = HoldOutcome::kHeld;
  result.balance_after = **balance - hold.amount;
  return result;
}

Status PgStore::SettleHold(Connection& c, const std::string& request_id, Micros actual, int64_t now_unix) {
  // The user's lock first (the order every money call keeps), then the hold's, then its state.
  Result<Rows> owner = c.Exec("SELECT user_id FROM holds WHERE request_id = $1", Params().Add(request_id));
  if (!owner.ok()) return owner.error();
  if (owner->empty()) return MakeError(ErrorCode::kNotFound, "no hold with this request id");
  if (Result<std::optional<Micros>> locked = LockUser(c, owner->Int(0, 0)); !locked.ok()) return locked.error();
  Result<Rows> hold =
      c.Exec("SELECT user_id, key_id, amount_micros, settled_micros FROM holds WHERE request_id = $1 FOR UPDATE",
             Params().Add(request_id));
  if (!hold.ok()) return hold.error();
  if (hold->empty()) return MakeError(ErrorCode::kNotFound, "no hold with this request id");
  if (!hold->IsNull(0, 3)) return OkStatus();  // settled before: nothing to do
  const int64_t user_id = hold->Int(0, 0);
  const int64_t key_id = hold->Int(0, 1);
  // Both are non-negative, so the difference cannot overflow.
  const Micros refund = hold->Int(0, 2) - actual;
  Result<Rows> settled = c.Exec("UPDATE holds SET settled_micros = $1, settled_at = $2 WHERE request_id = $3",
                                Params().Add(actual).Add(now_unix).Add(request_id));
  if (!settled.ok()) return settled.error();
  Result<Rows> usage =
      c.Exec("UPDATE api_keys SET usage_micros = usage_micros - $1 WHERE id = $2", Params().Add(refund).Add(key_id));
  if (!usage.ok()) return usage.error();
  return AppendLedger(c, user_id, key_id, "settle", refund, "settle:" + request_id, request_id, "", now_unix);
}

Status PgStore::Settle(const std::string& request_id, Micros actual) {
  if (actual < 0) return MakeError(ErrorCode::kBadRequest, "actual cost is negative");
  Result<Conn> c = Acquire();
  if (!c.ok()) return c.error();
  Transaction tx(**c);
  if (Status status = tx.Begin(); !status.ok()) return status;
  if (Status status = SettleHold(**c, request_id, actual, NowUnix()); !status.ok()) return status;
  return tx.Commit();
}

Result<int> PgStore::ReleaseHoldsWhere(const char* select, const Params& params) {
  Result<Conn> c = Acquire();
  if (!c.ok()) return c.error();
  Transaction tx(**c);
  if (Status status = tx.Begin(); !status.ok()) return status.error();
  Result<Rows> stale = (*c)->Exec(select, params);
  if (!stale.ok()) return stale.error();
  const int64_t now = NowUnix();
  // `select` orders by user id: the users' locks are taken in ascending order.
  for (int i = 0; i < stale->size(); ++i) {
    if (Status status = SettleHold(**c, stale->Text(i, 0), 0, now); !status.ok()) return status.error();
  }
  if (Status status = tx.Commit(); !status.ok()) return status.error();
  return stale->size();
}

Result<int> PgStore::ReleaseStaleHolds(int64_t older_than_unix) {
  return ReleaseHoldsWhere(
      "SELECT request_id FROM holds WHERE settled_micros IS NULL AND created_at < $1 ORDER BY user_id, created_at",
      Params().Add(older_than_unix));
}

Result<int> PgStore::ReleaseHoldsOf(const std::string& owner) {
  Result<int> holds = ReleaseHoldsWhere(
      "SELECT request_id FROM holds WHERE settled_micros IS NULL AND owner = $1 ORDER BY user_id, created_at",
      Params().Add(owner));
  if (!holds.ok()) return holds;
  Result<Rows> dropped = WriteOne("DELETE FROM leases WHERE owner = $1", Params().Add(owner));
  if (!dropped.ok()) return dropped.error();
  return *holds + static_cast<int>(dropped->affected());
}

Result<std::vector<std::string>> PgStore::HoldOwners() {
  Result<Rows> rows = Read(
      "SELECT owner FROM holds WHERE settled_micros IS NULL AND owner <> '' "
      "UNION SELECT owner FROM leases ORDER BY owner");
  if (!rows.ok()) return rows.error();
  return AllRows(*rows, [](const Rows& r, int i) { return r.Text(i, 0); });
}

LeaseResult PgStore::Lease(const LeaseRequest& lease, int64_t now_unix) {
  LeaseResult result;
  if (lease.need < 0 || lease.want < lease.need || lease.owner.empty()) return result;
  Result<Conn> c = Acquire();
  if (!c.ok()) return result;
  Connection& conn = **c;
  Transaction tx(conn);
  if (!tx.Begin().ok()) return result;
  Result<std::optional<Micros>> balance = LockUser(conn, lease.user_id);
  if (!balance.ok()) return result;
  Micros own = 0;
  {
    Result<Rows> rows = conn.Exec("SELECT amount_micros FROM leases WHERE owner = $1 AND key_id = $2",
                                  Params().Add(lease.owner).Add(lease.key_id));
    if (!rows.ok()) return result;
    own = FirstInt(*rows);
  }
  result.lease = own;
  Result<Micros> others = Leased(conn, lease.user_id, lease.owner, lease.key_id);
  if (!others.ok()) return result;
  Result<KeyRoom> key = KeyRoomOf(conn, lease.user_id, lease.key_id, lease.owner, now_unix);
  if (!key.ok()) return result;
  const LeaseResult decided = DecideLease(lease, own, *balance, *others, *key);
  if (decided.outcome != HoldOutcome::kHeld) return decided;
  result.available = decided.available;
  const Micros amount = decided.lease;
  if (amount != own) {
    Result<Rows> written = conn.Exec(
        "INSERT INTO leases (owner, key_id, user_id, amount_micros, updated_at) VALUES ($1, $2, $3, $4, $5) "
        "ON CONFLICT (owner, key_id) DO UPDATE SET amount_micros = excluded.amount_micros, "
        "updated_at = excluded.updated_at",
        Params().Add(lease.owner).Add(lease.key_id).Add(lease.user_id).Add(amount).Add(now_unix));
    if (!written.ok()) return result;
  }
  if (!tx.Commit().ok()) return result;
  result.outcome = HoldOutcome::kHeld;
  result.lease = amount;
  return result;
}

Status PgStore::ReturnLease(const std::string& owner, int64_t key_id) {
  Result<Rows> rows = WriteOne("DELETE FROM leases WHERE owner = $1 AND key_id = $2", Params().Add(owner).Add(key_id));
  if (!rows.ok()) return rows.error();
  return OkStatus();
}

Status PgStore::Charge(const ChargeRequest& charge) {
  Result<Conn> c = Acquire();
  if (!c.ok()) return c.error();
  Transaction tx(**c);
  if (Status status = tx.Begin(); !status.ok()) return status;
  if (Status status = ChargeIn(**c, charge); !status.ok()) return status;
  return tx.Commit();
}

Status PgStore::ChargeIn(Connection& c, const ChargeRequest& charge, ChargeTotals* totals) {
  if (charge.actual < 0 || charge.held < 0) return MakeError(ErrorCode::kBadRequest, "a charge cannot be negative");
  if (charge.request_id.empty()) return MakeError(ErrorCode::kBadRequest, "request id is empty");
  const bool deferred = totals != nullptr;
  if (!deferred) {
    // The user's lock first, as every money call; a deferred charge's caller takes the users'
    // locks together, in ascending order (WriteChargeTotals).
    if (Result<std::optional<Micros>> locked = LockUser(c, charge.user_id); !locked.ok()) return locked.error();
  }
  const int64_t now = NowUnix();
  {
    // Recorded before (or by a concurrent call, which this one waits for): nothing to do.
    Result<Rows> inserted = c.Exec(
        "INSERT INTO holds (request_id, user_id, key_id, amount_micros, created_at, owner, settled_micros, "
        "settled_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (request_id) DO NOTHING",
        Params()
            .Add(charge.request_id)
            .Add(charge.user_id)
            .Add(charge.key_id)
            .Add(charge.held)
            .Add(charge.held_at)
            .Add(charge.owner)
            .Add(charge.actual)
            .Add(now));
    if (!inserted.ok()) {
      return MapWriteError(c.last_sqlstate(), inserted.error(), {.missing = "no such user or key"});
    }
    if (inserted->affected() == 0) return OkStatus();
  }
  if (Status status = AppendLedger(c, charge.user_id, charge.key_id, "hold", -charge.held, "hold:" + charge.request_id,
                                   charge.request_id, "", charge.held_at, /*move_balance=*/false);
      !status.ok()) {
    return status;
  }
  if (Status status = AppendLedger(c, charge.user_id, charge.key_id, "settle", charge.held - charge.actual,
                                   "settle:" + charge.request_id, charge.request_id, "", now, /*move_balance=*/false);
      !status.ok()) {
    return status;
  }
  ChargeTotals own;
  ChargeTotals& t = deferred ? *totals : own;
  t.balances[charge.user_id] -= charge.actual;  // the two entries' sum, written below or by the caller
  t.usage[charge.key_id] += charge.actual;
  if (!charge.owner.empty() && charge.actual > 0) t.leases[{charge.owner, charge.key_id}] += charge.actual;
  return deferred ? OkStatus() : WriteChargeTotals(c, own);
}

Status PgStore::WriteChargeTotals(Connection& c, const ChargeTotals& totals) {
  const int64_t now = NowUnix();
  // std::map: users, then keys, in ascending order, the order every money call locks them in.
  for (const auto& [user_id, delta] : totals.balances) {
    Result<Rows> rows =
        c.Exec("UPDATE users SET balance_micros = balance_micros + $1 WHERE id = $2", Params().Add(delta).Add(user_id));
    if (!rows.ok()) return rows.error();
  }
  for (const auto& [key_id, delta] : totals.usage) {
    Result<Rows> rows =
        c.Exec("UPDATE api_keys SET usage_micros = usage_micros + $1 WHERE id = $2", Params().Add(delta).Add(key_id));
    if (!rows.ok()) return rows.error();
  }
  for (const auto& [lease, spent] : totals.leases) {
    Result<Rows> rows = c.Exec(
        "UPDATE leases SET amount_micros = greatest(0, amount_micros - $1), updated_at = $2 "
        "WHERE owner = $3 AND key_id = $4",
        Params().Add(spent).Add(now).Add(lease.first).Add(lease.second));
    if (!rows.ok()) return rows.error();
  }
  return OkStatus();
}

Result<Micros> PgStore::SumLedger(int64_t user_id, const char* sql) {
  Result<Rows> rows = Read(sql, Params().Add(user_id));
  if (!rows.ok()) return rows.error();
  return FirstInt(*rows);
}

Result<Micros> PgStore::LedgerSum(int64_t user_id) {
  return SumLedger(user_id, "SELECT coalesce(sum(amount_micros), 0)::bigint FROM ledger_entries WHERE user_id = $1");
}

Result<Micros> PgStore::TotalCredited(int64_t user_id) {
  return SumLedger(user_id,
                   "SELECT coalesce(sum(amount_micros), 0)::bigint FROM ledger_entries "
                   "WHERE user_id = $1 AND kind IN ('topup', 'grant', 'deduct')");
}

Result<Micros> PgStore::TotalSpent(int64_t user_id) {
  return SumLedger(user_id,
                   "SELECT (-coalesce(sum(amount_micros), 0))::bigint FROM ledger_entries "
                   "WHERE user_id = $1 AND kind IN ('hold', 'settle', 'refund')");
}

Result<std::vector<LedgerEntry>> PgStore::ListLedger(int64_t user_id, int limit, int64_t before_id) {
  if (limit <= 0) return std::vector<LedgerEntry>();
  Result<Rows> rows = Read(std::string("SELECT ") + kLedgerColumns +
                               " FROM ledger_entries WHERE user_id = $1 AND id < $2 ORDER BY id DESC LIMIT $3",
                           Params().Add(user_id).Add(before_id > 0 ? before_id : INT64_MAX).Add(limit));
  if (!rows.ok()) return rows.error();
  return AllRows(*rows, ReadLedgerEntry);
}

Result<std::vector<HistoryLine>> PgStore::ListHistory(int64_t user_id, const HistoryQuery& query) {
  if (query.limit <= 0) return std::vector<HistoryLine>();
  // One line per entry other than a settlement; a hold picks up its settlement through the
  // unique idempotency id, so a page reads only its own lines and their settlements.
  Result<Rows> rows = Read(
      "SELECT h.id, h.kind, (h.amount_micros + coalesce(s.amount_micros, 0))::bigint, "
      "h.kind = 'hold' AND s.id IS NULL, h.request_id, h.note, h.created_at, coalesce(s.created_at, 0) "
      "FROM ledger_entries h LEFT JOIN ledger_entries s "
      "ON h.kind = 'hold' AND s.idempotency_id = 'settle:' || h.request_id "
      "WHERE h.user_id = $1 AND h.kind <> 'settle' AND h.id < $2 AND ($3 = '' OR h.kind = $3) "
      "AND h.created_at >= $4 AND h.created_at < $5 ORDER BY h.id DESC LIMIT $6",
      Params()
          .Add(user_id)
          .Add(query.before_id > 0 ? query.before_id : INT64_MAX)
          .Add(query.kind == "request" ? std::string("hold") : query.kind)
          .Add(query.from_unix)
          .Add(query.to_unix > 0 ? query.to_unix : INT64_MAX)
          .Add(query.limit));
  if (!rows.ok()) return rows.error();
  return AllRows(*rows, [](const Rows& r, int i) {
    std::string kind = r.Text(i, 1);
    return HistoryLine{r.Int(i, 0),  kind == "hold" ? "request" : kind,
                       r.Int(i, 2),  r.Bool(i, 3),
                       r.Text(i, 4), r.Text(i, 5),
                       r.Int(i, 6),  r.Int(i, 7)};
  });
}

}  // namespace turnpike::store::pg
