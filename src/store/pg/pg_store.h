// PgStore: the Store on a PostgreSQL database (DATABASE_URL=postgresql://…), with the semantics
// of the SQLite store to the letter: sqlite/sqlite_store.h states them ("Money semantics beyond
// ledger.h", "Control plane semantics beyond the other interfaces"), and both pass the conformance
// suite (store_conformance*.h). What differs is how, and is said here.
//
// Design:
// - A bounded pool of connections (connection.h; PoolOptions::max_connections, 8 by default): each
//   call takes one for its duration, so calls from different threads run in parallel on the
//   server, and several processes (several PgStore objects) share the database as peers. Every
//   wait has a deadline: connecting (5 s), each query including the row locks it waits for (10 s,
//   then it is cancelled), and waiting for a free connection (10 s); past one the call fails with
//   kUnavailable (kFailed for Hold and Lease), it never hangs.
// - Money under concurrency: READ COMMITTED with row locks, not SERIALIZABLE. Every call that
//   moves or reserves money first locks the user's row (SELECT … FOR NO KEY UPDATE: it excludes
//   the other money calls of that user, not the foreign-key checks of inserts that refer to the
//   user), then the key's row where a limit applies, and reads the balance, the leases and the
//   usage only after that, so it decides on what every earlier call committed. A key belongs to
//   one user for good, so the user's lock also serialises everything that moves the key's usage or
//   its leases; the key's lock keeps a concurrent UpdateKey out while a limit is checked. Hence
//   balance − Σ leases ≥ 0 and usage + Σ leases ≤ limit at every commit, across processes.
//   Locks are always taken users first (ascending ids when there are several), then keys
//   (ascending), then holds and leases, so calls never deadlock one another. SERIALIZABLE would
//   give the same guarantees with retries instead of waits; under a busy key most calls would
//   retry, so locks it is.
// - Batches (RunBatch): the calls of a batch run on one connection inside one transaction, each of
//   them in a savepoint of its own (transaction.h), so a call that fails undoes only itself. A
//   batch mixes calls of several users in the order they came, so two processes' batches can
//   deadlock. A batch waits 200 ms at most for a row lock (lock_timeout; PostgreSQL itself finds
//   a deadlock only after deadlock_timeout, a second by default); when one of its statements fails
//   so, or on a deadlock, the batch is abandoned whole (RunBatch answers kUnavailable, and the
//   group committer runs each call again alone, where calls take their locks in order).
// - Durability: a batch with `flush` false commits with synchronous_commit off (the commit is in
//   the server, not yet on its disk); Flush() commits a transaction with synchronous_commit on,
//   which flushes the write-ahead log up to it, so every earlier commit too.
// - The settlement journal is applied by several processes at once: each locks the users whose
//   money its rows move (ascending, like every money call), then the rows (FOR UPDATE, in id
//   order, waiting for those another process is applying, which are then gone), so that an apply
//   never returns before the charges journaled earlier are in the ledger. Two batches on one hot
//   user still wait for each other's user lock; one past its lock timeout runs its calls again
//   alone (the account book is written so that this costs no money: billing/account_book.h,
//   Charged).
// - Schema: src/store/migrations/pg/, applied by Migrate() in order, one transaction each,
//   serialised across processes by a transaction-level advisory lock. The append-only rules are
//   triggers, as in SQLite.
// - Nothing throws. Errors as the SQLite store's: kConflict on a uniqueness clash (SQLSTATE
//   23505), kNotFound for a missing referenced user (23503), kBadRequest for a refused value (other
//   23xxx), kInternal with the server's primary message (never a bound value) otherwise,
//   kUnavailable when the server is unreachable or a deadline passed.
// - Text is stored as given, except that PostgreSQL refuses a NUL byte in text (the call fails
//   rather than store a shortened string).
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>

#include "store/pg/connection.h"
#include "store/store.h"

namespace turnpike::store::pg {

// How a refused write reads: the message of kConflict for a uniqueness clash (SQLSTATE 23505),
// of kNotFound for a missing referenced row (23503), and the prefix of kBadRequest for any other
// refused value (23xxx, 22xxx, a trigger). A nullptr leaves that error as the server's.
struct WriteErrors {
  const char* conflict = nullptr;
  const char* missing = nullptr;
  const char* invalid = nullptr;
};
// `error`, a failure of a statement whose SQLSTATE was `sqlstate`, as `errors` say.
Error MapWriteError(const std::string& sqlstate, const Error& error, const WriteErrors& errors);

class PgStore final : public Store {
 public:
  // Connects to the database `url` names (postgresql://user:pass@host:port/db?sslmode=…, or
  // postgres://…; libpq reads it, with the PG* environment variables as usual). Opens the first
  // connection at once: kBadRequest for a URL libpq cannot read, kUnavailable when the server does
  // not answer in time. Does not migrate.
  static Result<std::unique_ptr<PgStore>> Open(const std::string& url, const PoolOptions& options = {});
  ~PgStore() override;

  Result<int> Migrate() override;
  bool Ping() override;
  Status RunBatch(const std::function<void()>& calls, bool flush) override;
  Status Flush() override;

  Result<int64_t> CreateUser(const std::string& email, const std::string& password_hash, bool is_admin) override;
  Result<std::optional<User>> FindUserByEmail(const std::string& email) override;
  Result<std::optional<User>> FindUserById(int64_t id) override;
  Result<int64_t> CountUsers() override;
  Status Credit(int64_t user_id, Micros amount, const std::string& kind, const std::string& idempotency_id,
                const std::string& note) override;

  Result<int64_t> CreateKey(const ApiKey& key) override;
  Result<std::optional<ApiKey>> FindKeyByHash(const std::string& hash_hex) override;
  Result<std::optional<ApiKey>> FindKeyById(int64_t id) override;
  Result<std::vector<ApiKey>> ListKeys(int64_t user_id) override;
  Status SetKeyDisabled(int64_t key_id, bool disabled) override;

  Status ImportCatalog(const Catalog& catalog) override;
  Result<Catalog> LoadCatalogAt(int64_t now_unix) override;
  Result<bool> CatalogEmpty() override;
  Result<int64_t> CatalogVersion() override;

  Status PutCompany(const Company& company, PutMode mode) override;
  Status DeleteCompany(const std::string& id) override;
  Status PutProvider(const Provider& provider, PutMode mode) override;
  Status DeleteProvider(const std::string& id) override;
  Status PutModel(const Model& model, PutMode mode) override;
  Status DeleteModel(const std::string& id, int64_t now_unix) override;
  Result<bool> PutEndpoint(const std::string& model_id, const Endpoint& endpoint, int64_t effective_from,
                           int64_t now_unix) override;
  Status DeleteEndpoint(const std::string& model_id, const std::string& provider_id, int64_t now_unix) override;
  Result<std::vector<PriceChange>> ListPriceHistory(const std::string& model_id,
                                                    const std::string& provider_id) override;

  HoldResult Hold(const HoldRequest& hold, int64_t now_unix) override;
  Status Settle(const std::string& request_id, Micros actual) override;
  Result<Micros> LedgerSum(int64_t user_id) override;
  Result<std::vector<LedgerEntry>> ListLedger(int64_t user_id, int limit, int64_t before_id = 0) override;
  Result<std::vector<HistoryLine>> ListHistory(int64_t user_id, const HistoryQuery& query) override;
  Result<Micros> TotalCredited(int64_t user_id) override;
  Result<Micros> TotalSpent(int64_t user_id) override;
  Result<int> ReleaseStaleHolds(int64_t older_than_unix) override;
  Result<std::vector<std::string>> HoldOwners() override;
  Result<int> ReleaseHoldsOf(const std::string& owner) override;
  LeaseResult Lease(const LeaseRequest& lease, int64_t now_unix) override;
  Status ReturnLease(const std::string& owner, int64_t key_id) override;
  Status Charge(const ChargeRequest& charge) override;
  Status Journal(const Settlement& settlement) override;
  Result<int> ApplyJournal(int max = 0) override;

  Status AppendRequestLogs(const std::vector<RequestLogRow>& rows) override;
  Result<std::optional<RequestLogRow>> FindRequestLog(const std::string& request_id) override;
  Result<std::vector<RequestLogRow>> ListRequestLogs(int64_t user_id, int limit) override;
  Result<std::vector<RequestLogRow>> QueryRequestLogs(const LogQuery& query) override;
  Result<LogSweep> SweepRequestLogs(const LogRetention& retention) override;
  Result<int64_t> RequestLogBytes() override;
  Result<std::vector<ActivityBucket>> Activity(const ActivityQuery& query) override;

  Status CreateSession(const Session& session) override;
  Result<std::optional<Session>> FindSession(const std::string& id_hash, int64_t now_unix) override;
  Status DeleteSession(const std::string& id_hash) override;
  Status DeleteUserSessions(int64_t user_id) override;

  Result<std::vector<User>> ListUsers(int64_t after_id, int limit) override;
  Status SetUserFlags(int64_t user_id, std::optional<bool> is_admin, std::optional<bool> disabled) override;
  Status SetUserPassword(int64_t user_id, const std::string& password_hash) override;
  Result<std::string> GetUserProviderPreferences(int64_t user_id) override;
  Status SetUserProviderPreferences(int64_t user_id, const std::string& json) override;
  Status SetUserLowBalanceAlert(int64_t user_id, std::optional<Micros> alert) override;
  Status CloseUser(int64_t user_id, const std::string& tombstone_email, int64_t now_unix) override;
  Status Debit(int64_t user_id, Micros amount, const std::string& idempotency_id, const std::string& note) override;

  Status UpdateKey(int64_t key_id, const KeyUpdate& update) override;
  Status DeleteKey(int64_t key_id) override;
  Status RotateKey(int64_t key_id, const std::string& hash_hex, const std::string& prefix) override;
  // Never waits: skips the write when no pooled connection is idle, when this handle wrote the key
  // less than 60 s before, or when another transaction holds the key's row (SKIP LOCKED).
  void TouchKey(int64_t key_id, int64_t now_unix) override;

  Result<int64_t> CreateTopup(const Topup& topup) override;
  Result<bool> CompleteTopup(const std::string& provider, const std::string& external_id, int64_t now_unix) override;
  Result<bool> FailTopup(const std::string& provider, const std::string& external_id) override;
  Result<std::optional<Topup>> FindTopup(const std::string& provider, const std::string& external_id) override;
  Result<std::vector<Topup>> ListTopups(int64_t user_id, int limit) override;

  // The pool (for tests).
  Pool& pool() { return *pool_; }

 private:
  explicit PgStore(std::unique_ptr<Pool> pool) : pool_(std::move(pool)) {}

  // The connection a call runs on: its thread's batch connection inside RunBatch, else one of the
  // pool's for the call's duration.
  class Conn {
   public:
    explicit Conn(Connection& batch) : conn_(&batch) {}
    explicit Conn(PooledConnection pooled) : pooled_(std::move(pooled)), conn_(&**pooled_) {}
    Connection& operator*() const { return *conn_; }
    Connection* operator->() const { return conn_; }

   private:
    std::optional<PooledConnection> pooled_;
    Connection* conn_;
  };
  Result<Conn> Acquire();
  // This thread's batch connection, or nullptr.
  Connection* BatchConnection();
  // Runs one write statement on its own (in a savepoint inside a batch); refusals as `errors` say.
  Result<Rows> WriteOne(std::string_view sql, const Params& params, const WriteErrors& errors = {});
  // Runs one read statement.
  Result<Rows> Read(std::string_view sql, const Params& params = Params());

  // The helpers below run on the caller's connection, inside its transaction where they write.
  // Locks the user's row (FOR NO KEY UPDATE) and reads its balance; nullopt when no such user.
  Result<std::optional<Micros>> LockUser(Connection& c, int64_t user_id);
  // `move_balance` false: the caller moves the balance itself, by the sum of its entries, before
  // its transaction commits (ChargeTotals).
  Status AppendLedger(Connection& c, int64_t user_id, std::optional<int64_t> key_id, const std::string& kind,
                      Micros amount, const std::string& idempotency_id, const std::string& request_id,
                      const std::string& note, int64_t now_unix, bool move_balance = true);
  // True when an entry with `idempotency_id` exists and matches (user, kind, amount); false when
  // there is none; kConflict when it records something else.
  Result<bool> Replay(Connection& c, const std::string& idempotency_id, int64_t user_id, const std::string& kind,
                      Micros amount);
  // Whether a key may spend now and, for a key with a limit, the room left (as the SQLite store's
  // KeyRoomLocked); locks the key's row when it has a limit. The caller holds the user's lock.
  Result<KeyRoom> KeyRoomOf(Connection& c, int64_t user_id, int64_t key_id, const std::string& owner, int64_t now_unix);
  // The sum of the user's leases, less the one of (owner, key) when `owner` is not empty.
  Result<Micros> Leased(Connection& c, int64_t user_id, const std::string& owner, int64_t key_id);
  // Settles one hold inside the caller's transaction; kNotFound when there is none; OK, unchanged,
  // when it was settled before.
  Status SettleHold(Connection& c, const std::string& request_id, Micros actual, int64_t now_unix);
  // Settles at 0, in one transaction, the unsettled holds `select` (bound to `params`) finds.
  Result<int> ReleaseHoldsWhere(const char* select, const Params& params);
  Result<Micros> SumLedger(int64_t user_id, const char* sql);
  // As the SQLite store's ChargeLocked / WriteChargeTotalsLocked: with `totals`, the balance, usage
  // and lease moves are added there, for the caller to write once per user, key and lease.
  struct ChargeTotals {
    std::map<int64_t, Micros> balances;                        // user id -> delta
    std::map<int64_t, Micros> usage;                           // key id -> delta
    std::map<std::pair<std::string, int64_t>, Micros> leases;  // (owner, key id) -> amount spent
  };
  Status ChargeIn(Connection& c, const ChargeRequest& charge, ChargeTotals* totals = nullptr);
  Status WriteChargeTotals(Connection& c, const ChargeTotals& totals);
  Status AppendRequestLogsIn(Connection& c, const std::vector<RequestLogRow>& rows);
  Status AddToRollups(Connection& c, const RequestLogRow& row);
  // Moves the request log's running size (request_log_size) by `bytes`, in the caller's transaction.
  Status AddToLogSize(Connection& c, int64_t bytes);
  // ApplyJournal's transaction; `careful`: a savepoint per settlement, so that one failing is
  // dropped alone.
  Result<int> ApplyJournalIn(Connection& c, int max, bool careful);
  // TouchKey on `c` (in a savepoint when `c` is inside a transaction).
  void TouchKeyOn(Connection& c, int64_t key_id, int64_t now_unix);
  void TouchKeyIn(Connection& c, int64_t key_id, int64_t now_unix);
  // Takes the advisory lock that serialises catalog writes (inside the caller's transaction), so
  // that two processes importing the default catalog at once do not trip over each other's rows.
  Status LockCatalog(Connection& c);

  // Catalog helpers (pg_store_catalog.cc), inside the caller's transaction.
  Result<std::optional<money::Prices>> PricesAt(Connection& c, const std::string& model_id,
                                                const std::string& provider_id, int64_t at);
  Status RecordPrices(Connection& c, const std::string& model_id, const std::string& provider_id,
                      const money::Prices& prices, int64_t effective_from, int64_t now_unix);
  Status RecordPriceChange(Connection& c, const std::string& model_id, const std::string& provider_id,
                           const money::Prices& prices, int64_t at, int64_t now_unix);
  Status CancelScheduledPrices(Connection& c, const std::string& model_id, const std::string& provider_id,
                               int64_t now_unix);
  Result<bool> Exists(Connection& c, const char* sql, const std::string& id);
  Status UpsertCompany(Connection& c, const Company& company);
  Status UpsertProvider(Connection& c, const Provider& provider);
  Status UpsertModel(Connection& c, const Model& model);
  struct Deletion {
    const char* what;            // "company"
    const char* exists_sql;      // selects 1 for the id
    const char* dependents_sql;  // counts the rows referring to the id
    const char* dependents;      // "model(s)"
    const char* delete_sql;
  };
  Status DeleteUnreferenced(const Deletion& deletion, const std::string& id);
  // PutCompany / PutProvider: one transaction checking `mode` against `exists_sql`, then `upsert`.
  template <class Upsert>
  Status PutCatalogRow(const char* exists_sql, const std::string& id, PutMode mode, const std::string& what,
                       const Upsert& upsert);

  std::unique_ptr<Pool> pool_;
  // The connection of each thread inside RunBatch.
  std::mutex batch_mu_;
  std::unordered_map<std::thread::id, Connection*> batches_;
  // TouchKey's memory of what this handle wrote: key id -> last_used_at.
  std::mutex touch_mu_;
  std::unordered_map<int64_t, int64_t> touched_;
};

}  // namespace turnpike::store::pg
