// SqliteStore: the embedded Store, on one SQLite database file (or a private in-memory one).
//
// Design:
// - One main connection per SqliteStore, guarded by a mutex: every write, and every read not
//   listed below, takes the mutex for its whole duration, so those calls are serialised. SQLite
//   admits one writer at a time anyway, and each call is a short transaction on prepared
//   statements cached on the connection.
// - The reads that can take long — the request log (FindRequestLog, ListRequestLogs,
//   QueryRequestLogs), Activity, ListUsers, the ledger's (ListLedger, ListHistory, LedgerSum, TotalCredited,
//   TotalSpent) and the catalog's (LoadCatalogAt, CatalogEmpty, ListPriceHistory) — run on
//   read-only connections of their own (a ReaderPool; how many:
//   MaxReaders() in sqlite_store.cc), never under the mutex. In WAL mode a reader neither waits
//   for the writer nor delays it, so a dashboard reading megabytes of logged prompts never holds
//   up the gateway's leases and settlements; each read still sees every write committed before it
//   began. A private in-memory database has no second connection: there these reads use the main
//   one. Inside RunBatch they do too, on the batch's thread, so they see what the batch wrote.
// - Several processes (or several SqliteStore instances) may open one file: the database runs
//   in WAL mode (readers never block the writer), every read-modify-write begins with
//   BEGIN IMMEDIATE (the write lock is taken before anything is read, so two processes can
//   never both spend the same balance), and a busy writer is waited for up to
//   Options::busy_timeout_ms before the call fails.
// - Foreign keys are enforced; the schema's CHECK constraints and triggers guard the money
//   invariants (the ledger is append-only; a hold settles once).
// - Nothing throws. Write failures come back as Error (kConflict on a uniqueness clash,
//   kNotFound / kBadRequest where the contract says so, kInternal for SQLite trouble — with
//   SQLite's message, which never holds a bound value). Reads answer the same kInternal on a
//   database error (a failed step, a missing table), never "absent", 0 or empty.
//
// Money semantics beyond ledger.h:
// - Hold checks, in order: a hold with the request_id exists (kDuplicate); the key exists,
//   belongs to hold.user_id, is enabled and `expires_at > now_unix` (else kKeyDisabled); the
//   key's usage + amount <= its limit (else kKeyLimitReached); the balance >= amount (else
//   kInsufficientBalance). A negative amount or a database error gives kFailed.
// - Credit requires amount > 0 and kind "topup" or "grant" (kBadRequest otherwise), and an
//   existing user (kNotFound). Replaying an idempotency id succeeds without change when the
//   recorded entry has the same user, kind and amount, and fails with kConflict otherwise.
// - Settle rejects a negative `actual` (kBadRequest). Every settlement, even of an unchanged
//   amount, appends its "settle" entry, so the ledger shows when each hold closed.
// - TotalSpent = -(sum of "hold", "settle" and "refund" entries) = settled costs plus the
//   amounts currently held; TotalCredited = sum of "topup", "grant" and "deduct" entries (a
//   deduction takes credit back, it is not spending), so TotalCredited - TotalSpent == balance
//   at every instant.
// - Debit replays like Credit: the same id with the same user and amount succeeds unchanged;
//   with a different one it is kConflict.
//
// Control plane semantics beyond the other interfaces (keys.h, sessions.h, users.h, …):
// - A deleted key is absent everywhere (FindKey*, ListKeys, Hold, SetKeyDisabled, UpdateKey,
//   RotateKey, a second DeleteKey: kNotFound) but keeps its row, hash and history; holds taken
//   before the deletion still settle.
// - Hold also answers kKeyDisabled for a deleted key and for a key of a disabled user.
// - UpdateKey: an invalid value (a negative limit) is kBadRequest. RotateKey: a malformed hash is
//   kBadRequest.
// - TouchKey never blocks: it skips the write when this handle wrote the key less than 60 s
//   before, when the store is busy on another thread, or when another connection holds the
//   write lock (then the next call tries again). last_used_at only moves forward.
// - CreateSession: kConflict on a duplicate id_hash, kNotFound for an unknown user, kBadRequest
//   for an empty id_hash; created_at 0 means now. Expired sessions stay until deleted (the
//   store has no clock of its own to judge them by; FindSession ignores them).
// - ListUsers: `limit` is clamped to [0, 1000].
// - CreateTopup records status "pending" whatever topup.status says; created_at 0 means now;
//   amount <= 0, an empty provider or external id is kBadRequest; an unknown user kNotFound.
//   CompleteTopup on a "failed" top-up is kConflict. ListTopups: newest (created_at, then id)
//   first; `limit` <= 0 returns nothing.
// - Catalog administration: PutModel with kUpsert/kUpdate never replaces the row (that would
//   cascade to its endpoints); it updates it in place. Price history rows are never updated;
//   deleting an endpoint (or a model, or ImportCatalog dropping an endpoint) deletes only its
//   changes that have not taken effect. The price columns of model_providers hold the prices in
//   force when the endpoint was last written; LoadCatalogAt uses them only for an endpoint with
//   no history row in force.
// - QueryRequestLogs: `limit` is clamped to [1, 200]. Activity: an unknown group_by returns
//   nothing; groups by key are ordered by key id.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>

#include "store/store.h"

namespace turnpike::store::sqlite {

class Connection;
class ConnectionLease;
class ReaderPool;

struct Options {
  // How far a commit goes before it returns. Money must survive a crash, so the default is
  // kFull: every commit is fsync'ed to the WAL, so it survives power loss and OS crashes too.
  // kNormal (synchronous=NORMAL) skips that fsync: commits survive a crash of the process but
  // the last ones may roll back on power loss (the database stays consistent either way).
  enum class Durability { kFull, kNormal };
  Durability durability = Durability::kFull;
  // How long a write waits for another connection's write lock before it fails.
  int busy_timeout_ms = 5000;
  // Past this many frames (4 KiB pages) the WAL is started over between two commits
  // (sqlite_store_durability.cc); tests make it small.
  int wal_rewind_frames = 4096;
};

class SqliteStore final : public Store {
 public:
  // Opens the database at `path` (a file, created if missing; its directory must exist) or
  // ":memory:" (private to this instance, gone when it is destroyed). Sets WAL mode (files
  // only), foreign keys, the busy timeout and the durability. Does not migrate.
  static Result<std::unique_ptr<SqliteStore>> Open(const std::string& path, const Options& options = {});
  ~SqliteStore() override;

  Result<int> Migrate() override;
  bool Ping() override;
  Status RunBatch(const std::function<void()>& calls, bool flush) override;
  // An fdatasync of the WAL file; nothing for an in-memory database.
  Status Flush() override;

  Result<int64_t> CreateUser(const std::string& email, const std::string& password_hash, bool is_admin) override;
  Result<std::optional<User>> FindUserByEmail(const std::string& email) override;
  Result<std::optional<User>> FindUserById(int64_t id) override;
  Result<int64_t> CountUsers() override;
  Status Credit(int64_t user_id, Micros amount, const std::string& kind, const std::string& idempotency_id,
                const std::string& note) override;

  // Stores key.created_at, or now when it is 0; key.id is ignored.
  Result<int64_t> CreateKey(const ApiKey& key) override;
  Result<std::optional<ApiKey>> FindKeyByHash(const std::string& hash_hex) override;
  Result<std::optional<ApiKey>> FindKeyById(int64_t id) override;
  Result<std::vector<ApiKey>> ListKeys(int64_t user_id) override;
  Status SetKeyDisabled(int64_t key_id, bool disabled) override;

  // CatalogEmpty: true when there are no companies, providers and models at all.
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
  // Newest first; `limit` <= 0 returns nothing.
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
  // Newest (by created_at) first; `limit` <= 0 returns nothing.
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
  void TouchKey(int64_t key_id, int64_t now_unix) override;

  Result<int64_t> CreateTopup(const Topup& topup) override;
  Result<bool> CompleteTopup(const std::string& provider, const std::string& external_id, int64_t now_unix) override;
  Result<bool> FailTopup(const std::string& provider, const std::string& external_id) override;
  Result<std::optional<Topup>> FindTopup(const std::string& provider, const std::string& external_id) override;
  Result<std::vector<Topup>> ListTopups(int64_t user_id, int limit) override;

 private:
  SqliteStore(std::unique_ptr<Connection> conn, std::unique_ptr<ReaderPool> readers, int busy_timeout_ms);

  // The connection for a long read (see "Design"): a reader, or the main connection under mu_ when
  // there are no readers or this thread is running a batch.
  ConnectionLease LockReader();
  // Starts the background checkpointer on a connection of its own (sqlite_store_durability.cc).
  Status StartCheckpointer(const std::string& path, const Options& options);

  // The callers below hold mu_ and, for writes, an open write transaction.
  Result<std::optional<Micros>> BalanceLocked(int64_t user_id);
  // `move_balance` false: the caller moves the balance itself, by the sum of its entries, before
  // its transaction commits (ChargeTotals).
  Status AppendLedgerLocked(int64_t user_id, std::optional<int64_t> key_id, const std::string& kind, Micros amount,
                            const std::string& idempotency_id, const std::string& request_id, const std::string& note,
                            int64_t now_unix, bool move_balance = true);
  // Settles at 0, in one write transaction, the unsettled holds `select` (a statement binding
  // `bind`, selecting request ids) finds.
  template <class Bind>
  Result<int> ReleaseHoldsWhere(const char* select, const Bind& bind);
  // Settles one hold; kNotFound when there is none. Settling a settled hold is OK, unchanged.
  Status SettleLocked(const std::string& request_id, Micros actual, int64_t now_unix);
  Result<Micros> SumLedger(int64_t user_id, const char* sql);
  // Charge and AppendRequestLogs inside the caller's write transaction, with no savepoint of their
  // own: on an error the caller must roll back (ApplyJournal does, then retries with savepoints).
  // With `totals`, the balance, key usage and lease moves are added there instead of written, for
  // the caller to write once per user, key and lease (WriteChargeTotalsLocked) in the same
  // transaction.
  struct ChargeTotals {
    std::map<int64_t, Micros> balances;                        // user id -> delta
    std::map<int64_t, Micros> usage;                           // key id -> delta
    std::map<std::pair<std::string, int64_t>, Micros> leases;  // (owner, key id) -> amount spent
  };
  Status ChargeLocked(const ChargeRequest& charge, ChargeTotals* totals = nullptr);
  Status WriteChargeTotalsLocked(const ChargeTotals& totals);
  Status AppendRequestLogsLocked(const std::vector<RequestLogRow>& rows);
  // ApplyJournal's transaction; `careful`: a savepoint per settlement, so that one failing is
  // dropped alone.
  Result<int> ApplyJournalLocked(int max, bool careful);
  // Whether a key may spend now (it exists, belongs to `user_id`, is enabled and unexpired, its user
  // enabled) and, for a key with a limit, the room left: limit − usage − the leases on it other
  // than `owner`'s (every lease when `owner` is "").
  Result<KeyRoom> KeyRoomLocked(int64_t user_id, int64_t key_id, const std::string& owner, int64_t now_unix);
  // The sum of the user's leases, less the one of (owner, key) when `owner` is not empty.
  Result<Micros> LeasedLocked(int64_t user_id, const std::string& owner, int64_t key_id);
  // True when an entry with `idempotency_id` exists and matches (user, kind, amount); false when
  // there is none; kConflict when it records something else.
  Result<bool> ReplayLocked(const std::string& idempotency_id, int64_t user_id, const std::string& kind, Micros amount);
  // Adds one inserted request log row to the activity rollups.
  Status AddToRollupsLocked(const RequestLogRow& row);
  // Moves the request log's running size (request_log_size) by `bytes`; reads it.
  Status AddToLogSizeLocked(int64_t bytes);
  Result<int64_t> LogSizeLocked();
  // Catalog helpers (sqlite_store_catalog.cc).
  // The prices of an endpoint's history row in force at `at`; nullopt when none is.
  Result<std::optional<money::Prices>> PricesAtLocked(const std::string& model_id, const std::string& provider_id,
                                                      int64_t at);
  // Appends a price history row.
  Status RecordPricesLocked(const std::string& model_id, const std::string& provider_id, const money::Prices& prices,
                            int64_t effective_from, int64_t now_unix);
  // Records `prices` from `at` unless they are the ones in force then already.
  Status RecordPriceChangeLocked(const std::string& model_id, const std::string& provider_id,
                                 const money::Prices& prices, int64_t at, int64_t now_unix);
  // Deletes the price changes of an endpoint (every provider's when `provider_id` is empty)
  // that take effect after `now_unix`.
  Status CancelScheduledPricesLocked(const std::string& model_id, const std::string& provider_id, int64_t now_unix);
  // True when a row of `sql` (a SELECT bound to `id`) exists.
  Result<bool> ExistsLocked(const char* sql, const std::string& id);
  // One row each, inside the caller's write transaction (shared by ImportCatalog and Put*).
  Status UpsertCompanyLocked(const Company& company);
  Status UpsertProviderLocked(const Provider& provider);
  Status UpsertModelLocked(const Model& model);
  // Deletes one catalog row unless rows of another table still refer to it (kConflict) or it
  // does not exist (kNotFound). One write transaction.
  struct Deletion {
    const char* what;            // "company"
    const char* exists_sql;      // selects 1 for the id
    const char* dependents_sql;  // counts the rows referring to the id
    const char* dependents;      // "model(s)"
    const char* delete_sql;
  };
  Status DeleteUnreferenced(const Deletion& deletion, const std::string& id);

  // Held by every call for its whole duration, and by RunBatch around the calls it runs (the
  // same thread takes it again: recursive).
  std::recursive_mutex mu_;
  std::unique_ptr<Connection> conn_;
  const int busy_timeout_ms_;
  Options::Durability durability_ = Options::Durability::kFull;  // as opened
  std::string wal_path_;                                         // "" for an in-memory database
  // Copies the WAL into the database file on a connection and thread of its own (file databases
  // in WAL mode only), so that a checkpoint's writes and flushes are never a commit's.
  class Checkpointer;
  std::shared_ptr<Checkpointer> checkpointer_;  // shared_ptr: complete only in sqlite_store_durability.cc
  // Null for an in-memory database. Declared after conn_, so destroyed before it: a reader closes
  // while the main connection still keeps the WAL, which it checkpoints and removes last.
  std::unique_ptr<ReaderPool> readers_;
  // The thread inside RunBatch, if any (set and cleared by that thread under mu_).
  std::atomic<std::thread::id> batch_thread_;

  // TouchKey's memory of what this handle wrote: key id -> last_used_at. Guarded by touch_mu_
  // (never held together with mu_).
  std::mutex touch_mu_;
  std::unordered_map<int64_t, int64_t> touched_;
};

}  // namespace turnpike::store::sqlite
