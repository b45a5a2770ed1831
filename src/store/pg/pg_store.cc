// PgStore: opening, migrations, batches and users. API keys, the catalog, money, the journal, the
// request log, sessions and top-ups live in pg_store_{keys,catalog,money,journal,log,sessions,
// topups}.cc.
#include "store/pg/pg_store.h"

#include <algorithm>
#include <cctype>

#include "store/pg/migrations.h"
#include "store/pg/transaction.h"
#include "store/pg/util.h"

namespace turnpike::store::pg {
namespace {

// The advisory lock that serialises migrations across processes: "turnpike" in ASCII.
constexpr int64_t kMigrationLock = 0x7475726e70696b65;
// A migration may rewrite big tables: it gets longer than a query.
constexpr std::chrono::minutes kMigrationTimeout{10};
constexpr std::chrono::seconds kPingTimeout{2};
constexpr std::chrono::milliseconds kBatchLockTimeout{200};

constexpr char kUserColumns[] =
    "id, email, password_hash, is_admin, balance_micros, created_at, disabled, low_balance_alert_micros";

User ReadUser(const Rows& r, int i) {
  User user;
  user.id = r.Int(i, 0);
  user.email = r.Text(i, 1);
  user.password_hash = r.Text(i, 2);
  user.is_admin = r.Bool(i, 3);
  user.balance = r.Int(i, 4);
  user.created_at = r.Int(i, 5);
  user.disabled = r.Bool(i, 6);
  user.low_balance_alert = r.OptionalInt(i, 7);
  return user;
}

// ASCII only, like the users.email CHECK (and SQLite's lower()).
std::string LowerAscii(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

}  // namespace

Error MapWriteError(const std::string& sqlstate, const Error& error, const WriteErrors& errors) {
  if (sqlstate == "23505" && errors.conflict != nullptr) return MakeError(ErrorCode::kConflict, errors.conflict);
  if (sqlstate == "23503" && errors.missing != nullptr) return MakeError(ErrorCode::kNotFound, errors.missing);
  // 23: integrity constraints; 22: a value the column's type refuses; 23001: a trigger's refusal.
  const bool refused = sqlstate.starts_with("23") || sqlstate.starts_with("22");
  if (refused && errors.invalid != nullptr) {
    return MakeError(ErrorCode::kBadRequest, std::string(errors.invalid) + ": " + error.message);
  }
  return error;
}

Result<std::unique_ptr<PgStore>> PgStore::Open(const std::string& url, const PoolOptions& options) {
  Result<std::unique_ptr<Pool>> pool = Pool::Open(url, options);
  if (!pool.ok()) return pool.error();
  return std::unique_ptr<PgStore>(new PgStore(std::move(*pool)));
}

PgStore::~PgStore() = default;

Connection* PgStore::BatchConnection() {
  std::lock_guard lock(batch_mu_);
  auto it = batches_.find(std::this_thread::get_id());
  return it == batches_.end() ? nullptr : it->second;
}

Result<PgStore::Conn> PgStore::Acquire() {
  if (Connection* batch = BatchConnection()) return Conn(*batch);
  Result<PooledConnection> pooled = pool_->Acquire();
  if (!pooled.ok()) return pooled.error();
  return Conn(std::move(*pooled));
}

Result<Rows> PgStore::WriteOne(std::string_view sql, const Params& params, const WriteErrors& errors) {
  Result<Conn> c = Acquire();
  if (!c.ok()) return c.error();
  // Alone, one statement is its own transaction; inside a batch it needs a savepoint, or its
  // failure would spoil the batch's other calls.
  std::optional<Transaction> tx;
  if ((*c)->InTransaction()) {
    tx.emplace(**c);
    if (Status begun = tx->Begin(); !begun.ok()) return begun.error();
  }
  Result<Rows> rows = (*c)->Exec(sql, params);
  if (!rows.ok()) return MapWriteError((*c)->last_sqlstate(), rows.error(), errors);
  if (tx) {
    if (Status done = tx->Commit(); !done.ok()) return done.error();
  }
  return rows;
}

Result<Rows> PgStore::Read(std::string_view sql, const Params& params) {
  Result<Conn> c = Acquire();
  if (!c.ok()) return c.error();
  if (!(*c)->InTransaction()) return (*c)->Exec(sql, params);
  // Inside a batch, a read that fails (a deadline, a missing table) must not spoil the batch.
  Transaction tx(**c);
  if (Status begun = tx.Begin(); !begun.ok()) return begun.error();
  Result<Rows> rows = (*c)->Exec(sql, params);
  if (!rows.ok()) return rows;
  if (Status done = tx.Commit(); !done.ok()) return done.error();
  return rows;
}

Result<int> PgStore::Migrate() {
  Result<Conn> c = Acquire();
  if (!c.ok()) return c.error();
  Connection& conn = **c;
  const Clock::time_point deadline = Clock::now() + kMigrationTimeout;
  // Every step holds the advisory lock, so two processes migrating at once apply each migration
  // once: the second waits, then finds it recorded.
  auto lock = [&]() -> Status {
    Result<Rows> locked = conn.Exec("SELECT pg_advisory_xact_lock($1)", Params().Add(kMigrationLock), deadline);
    if (!locked.ok()) return locked.error();
    return OkStatus();
  };
  {
    Transaction tx(conn);
    if (Status s = tx.Begin(); !s.ok()) return s.error();
    if (Status s = lock(); !s.ok()) return s.error();
    if (Status s = conn.ExecScript(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, name text NOT NULL, "
            "applied_at bigint NOT NULL)",
            deadline);
        !s.ok()) {
      return s.error();
    }
    if (Status s = tx.Commit(); !s.ok()) return s.error();
  }
  int applied = 0;
  for (const Migration& migration : Migrations()) {
    Transaction tx(conn);
    if (Status s = tx.Begin(); !s.ok()) return s.error();
    if (Status s = lock(); !s.ok()) return s.error();
    Result<Rows> done =
        conn.Exec("SELECT 1 FROM schema_migrations WHERE version = $1", Params().Add(migration.version), deadline);
    if (!done.ok()) return done.error();
    if (!done->empty()) continue;
    if (Status ran = conn.ExecScript(migration.sql, deadline); !ran.ok()) {
      return MakeError(ran.error().code, "migration " + std::string(migration.name) + ": " + ran.error().message);
    }
    Result<Rows> recorded = conn.Exec("INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
                                      Params().Add(migration.version).Add(migration.name).Add(NowUnix()), deadline);
    if (!recorded.ok()) return recorded.error();
    if (Status s = tx.Commit(); !s.ok()) return s.error();
    ++applied;
  }
  return applied;
}

bool PgStore::Ping() {
  Result<Conn> c = Acquire();
  if (!c.ok()) return false;
  Result<Rows> rows = (*c)->Exec("SELECT 1", Params(), Clock::now() + kPingTimeout);
  return rows.ok() && rows->size() == 1;
}

Status PgStore::RunBatch(const std::function<void()>& calls, bool flush) {
  Result<Conn> c = Acquire();
  if (!c.ok()) return c.error();
  Connection& conn = **c;
  Transaction tx(conn);
  if (Status s = tx.Begin(); !s.ok()) return s;
  if (tx.savepoint()) {  // a batch inside a batch: a part of the outer one
    calls();
    return tx.Commit();
  }
  // A batch waits for a row lock a short while only: what blocks it longer is most likely a
  // deadlock with another process's batch (which PostgreSQL would only find after a second), and
  // the batch is then abandoned and its calls run alone.
  std::string settings = "SET LOCAL lock_timeout = '" + std::to_string(kBatchLockTimeout.count()) + "ms'";
  if (!flush) {
    // The commit returns once it is in the server's memory, before its write-ahead log reaches the
    // disk (a crash of the server, not of this process, may lose it); Flush() makes it durable.
    settings += "; SET LOCAL synchronous_commit = off";
  }
  if (Status s = conn.ExecScript(settings); !s.ok()) return s;
  (void)conn.TakeRetryableFailure();
  {
    std::lock_guard lock(batch_mu_);
    batches_[std::this_thread::get_id()] = &conn;
  }
  calls();
  {
    std::lock_guard lock(batch_mu_);
    batches_.erase(std::this_thread::get_id());
  }
  // A deadlock with another process's batch (or a lock it waited too long for) failed one of the
  // calls: the batch is abandoned, and its calls run again alone (store/batch.h), where they take
  // their locks in order.
  if (conn.TakeRetryableFailure()) {
    return MakeError(ErrorCode::kUnavailable,
                     "postgresql: the batch met a deadlock or a lock held too long, and was rolled back");
  }
  if (conn.Broken()) return MakeError(ErrorCode::kUnavailable, "postgresql: the connection broke during the batch");
  return tx.Commit();
}

Status PgStore::Flush() {
  // A transaction with an id commits with a WAL record, flushed (synchronous_commit is on outside
  // unflushed batches) with every record before it: the asynchronous commits included.
  Result<Conn> c = Acquire();
  if (!c.ok()) return c.error();
  Result<Rows> rows = (*c)->Exec("SELECT pg_current_xact_id()");
  if (!rows.ok()) return rows.error();
  return OkStatus();
}

Result<int64_t> PgStore::CreateUser(const std::string& email, const std::string& password_hash, bool is_admin) {
  Result<Rows> rows = WriteOne(
      "INSERT INTO users (email, password_hash, is_admin, balance_micros, created_at) "
      "VALUES ($1, $2, $3, 0, $4) RETURNING id",
      Params().Add(LowerAscii(email)).Add(password_hash).Add(is_admin).Add(NowUnix()),
      {.conflict = "a user with this email exists", .invalid = "invalid user"});
  if (!rows.ok()) return rows.error();
  return rows->Int(0, 0);
}

Result<std::optional<User>> PgStore::FindUserByEmail(const std::string& email) {
  Result<Rows> rows =
      Read(std::string("SELECT ") + kUserColumns + " FROM users WHERE email = $1", Params().Add(LowerAscii(email)));
  if (!rows.ok()) return rows.error();
  return FirstRow(*rows, ReadUser);
}

Result<std::optional<User>> PgStore::FindUserById(int64_t id) {
  Result<Rows> rows = Read(std::string("SELECT ") + kUserColumns + " FROM users WHERE id = $1", Params().Add(id));
  if (!rows.ok()) return rows.error();
  return FirstRow(*rows, ReadUser);
}

Result<int64_t> PgStore::CountUsers() {
  Result<Rows> rows = Read("SELECT count(*) FROM users");
  if (!rows.ok()) return rows.error();
  return FirstInt(*rows);
}

Result<std::vector<User>> PgStore::ListUsers(int64_t after_id, int limit) {
  if (limit <= 0) return std::vector<User>();
  Result<Rows> rows = Read(std::string("SELECT ") + kUserColumns + " FROM users WHERE id > $1 ORDER BY id LIMIT $2",
                           Params().Add(after_id).Add(std::min(limit, 1000)));
  if (!rows.ok()) return rows.error();
  return AllRows(*rows, ReadUser);
}

Status PgStore::SetUserFlags(int64_t user_id, std::optional<bool> is_admin, std::optional<bool> disabled) {
  Result<Rows> rows = WriteOne(
      "UPDATE users SET is_admin = CASE WHEN $1 THEN $2 ELSE is_admin END, "
      "disabled = CASE WHEN $3 THEN $4 ELSE disabled END WHERE id = $5",
      Params()
          .Add(is_admin.has_value())
          .Add(is_admin.value_or(false))
          .Add(disabled.has_value())
          .Add(disabled.value_or(false))
          .Add(user_id));
  if (!rows.ok()) return rows.error();
  if (rows->affected() == 0) return MakeError(ErrorCode::kNotFound, "no such user");
  return OkStatus();
}

Status PgStore::SetUserPassword(int64_t user_id, const std::string& password_hash) {
  Result<Rows> rows =
      WriteOne("UPDATE users SET password_hash = $1 WHERE id = $2", Params().Add(password_hash).Add(user_id));
  if (!rows.ok()) return rows.error();
  if (rows->affected() == 0) return MakeError(ErrorCode::kNotFound, "no such user");
  return OkStatus();
}

Result<std::string> PgStore::GetUserProviderPreferences(int64_t user_id) {
  Result<Rows> rows = Read("SELECT COALESCE(provider_preferences, '') FROM users WHERE id = $1", Params().Add(user_id));
  if (!rows.ok()) return rows.error();
  if (rows->empty()) return MakeError(ErrorCode::kNotFound, "no such user");
  return rows->Text(0, 0);
}

Status PgStore::SetUserProviderPreferences(int64_t user_id, const std::string& json) {
  Result<Rows> rows =
      WriteOne("UPDATE users SET provider_preferences = NULLIF($1, '') WHERE id = $2", Params().Add(json).Add(user_id));
  if (!rows.ok()) return rows.error();
  if (rows->affected() == 0) return MakeError(ErrorCode::kNotFound, "no such user");
  return OkStatus();
}

Status PgStore::SetUserLowBalanceAlert(int64_t user_id, std::optional<Micros> alert) {
  if (alert && *alert <= 0) return MakeError(ErrorCode::kBadRequest, "the alert must be above zero");
  Result<Rows> rows =
      WriteOne("UPDATE users SET low_balance_alert_micros = $1 WHERE id = $2", Params().Add(alert).Add(user_id));
  if (!rows.ok()) return rows.error();
  if (rows->affected() == 0) return MakeError(ErrorCode::kNotFound, "no such user");
  return OkStatus();
}

Status PgStore::CloseUser(int64_t user_id, const std::string& tombstone_email, int64_t now_unix) {
  // One statement, so one transaction: the keys and sessions go with the account or not at all.
  Result<Rows> rows = WriteOne(
      "WITH keys AS (UPDATE api_keys SET deleted_at = $3 WHERE user_id = $2 AND deleted_at IS NULL), "
      "sessions AS (DELETE FROM sessions WHERE user_id = $2) "
      "UPDATE users SET email = $1, password_hash = '!', disabled = true WHERE id = $2",
      Params().Add(tombstone_email).Add(user_id).Add(now_unix));
  if (!rows.ok()) return rows.error();
  if (rows->affected() == 0) return MakeError(ErrorCode::kNotFound, "no such user");
  return OkStatus();
}

}  // namespace turnpike::store::pg
