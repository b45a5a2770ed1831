// SqliteStore: opening, migrations and users. API keys, the catalog, money, the request log,
// sessions and top-ups live in sqlite_store_{keys,catalog,money,log,sessions,topups}.cc.
#include "store/sqlite/sqlite_store.h"

#include <algorithm>
#include <cctype>
#include <thread>

#include "store/sqlite/connection.h"
#include "store/sqlite/migrations.h"
#include "store/sqlite/util.h"

namespace turnpike::store::sqlite {
namespace {

// How many read-only connections at most: half the cores (one on 2 cores), up to the control
// plane's 4 API workers. A long read of cached pages is CPU work, and readers beyond half the
// cores take the CPU the gateway's requests need. On 2 cores busy with other work, under 4 loops
// of heavy log reads (tests/integration/isolation.test.mjs), one series of alternating runs had
// the gateway's median at 1.0 to 1.7 times its median without them with 1 reader, 1.9 to 2.4
// times with 2, 3.5 to 6.7 times with 8 (and 23 to 29 times on the single connection). A read
// beyond them waits for one of them, never for the writer; they are opened as needed, so a CLI
// command opens one.
int MaxReaders() { return static_cast<int>(std::clamp(std::thread::hardware_concurrency() / 2, 1u, 4u)); }

constexpr char kUserColumns[] =
    "id, email, password_hash, is_admin, balance_micros, created_at, disabled, low_balance_alert_micros";

User ReadUser(const Statement& s) {
  User user;
  user.id = s.Int(0);
  user.email = s.Text(1);
  user.password_hash = s.Text(2);
  user.is_admin = s.Bool(3);
  user.balance = s.Int(4);
  user.created_at = s.Int(5);
  user.disabled = s.Bool(6);
  user.low_balance_alert = s.OptionalInt(7);
  return user;
}

// ASCII only, like SQLite's lower(), which the users.email CHECK uses.
std::string LowerAscii(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

// Runs a SELECT of kUserColumns bound to one value; the first row, if any.
template <class Value>
Result<std::optional<User>> FindUser(Connection& conn, const std::string& sql, const Value& value) {
  Statement s(conn, sql);
  s.Bind(value);
  return ReadFirstRow(s, ReadUser);
}

}  // namespace

SqliteStore::SqliteStore(std::unique_ptr<Connection> conn, std::unique_ptr<ReaderPool> readers, int busy_timeout_ms)
    : conn_(std::move(conn)), busy_timeout_ms_(busy_timeout_ms), readers_(std::move(readers)) {}
SqliteStore::~SqliteStore() = default;

Result<std::unique_ptr<SqliteStore>> SqliteStore::Open(const std::string& path, const Options& options) {
  Result<std::unique_ptr<Connection>> conn = Connection::Open(path, options.busy_timeout_ms);
  if (!conn.ok()) return conn.error();
  // The busy timeout is already set, so switching to WAL waits for another process that is
  // doing the same. journal_mode is persistent in the file; the others are per connection.
  // temp_store = MEMORY: the rollback journals of savepoints (every call in a group commit is one)
  // stay in memory; in a temporary file they cost two writes per page a call touches.
  // cache_size and mmap_size: pages the group commit and the journal's apply touch again and
  // again are read from memory, not with a pread each (bench/README.md, the profile of the
  // committer).
  std::string pragmas =
      "PRAGMA foreign_keys = ON; PRAGMA temp_store = MEMORY; PRAGMA cache_size = -16384; "
      "PRAGMA mmap_size = 268435456;";
  pragmas +=
      options.durability == Options::Durability::kFull ? "PRAGMA synchronous = FULL;" : "PRAGMA synchronous = NORMAL;";
  const bool file = path != ":memory:" && !path.empty();  // "": a private temporary file
  Status status = (*conn)->ExecScript(pragmas + (file ? "PRAGMA journal_mode = WAL;" : ""));
  if (!status.ok()) return status.error();
  std::unique_ptr<ReaderPool> readers;
  if (file) {
    // Only in WAL mode do readers on other connections and the writer not wait for each other; in
    // any other mode (should the file refuse WAL) a reader's lock would block commits.
    Result<std::optional<std::string>> journal = std::optional<std::string>();
    {
      Statement mode(**conn, "PRAGMA journal_mode");
      journal = ReadFirstRow(mode, [](const Statement& s) { return s.Text(0); });
    }
    if (!journal.ok()) return journal.error();
    if (journal->value_or("") == "wal") {
      Result<std::unique_ptr<ReaderPool>> pool = ReaderPool::Open(path, options.busy_timeout_ms, pragmas, MaxReaders());
      if (!pool.ok()) return pool.error();
      readers = std::move(*pool);
    }
  }
  auto store =
      std::unique_ptr<SqliteStore>(new SqliteStore(std::move(*conn), std::move(readers), options.busy_timeout_ms));
  store->durability_ = options.durability;
  if (file) store->wal_path_ = path + "-wal";
  if (store->readers_ != nullptr) {  // a file in WAL mode
    if (Status s = store->StartCheckpointer(path, options); !s.ok()) return s.error();
  }
  return store;
}

ConnectionLease SqliteStore::LockReader() {
  if (readers_ == nullptr || batch_thread_.load() == std::this_thread::get_id()) {
    return ConnectionLease(*conn_, std::unique_lock(mu_));
  }
  return readers_->Acquire();
}

Result<int> SqliteStore::Migrate() {
  std::lock_guard lock(mu_);
  Status status = conn_->ExecScript(
      "CREATE TABLE IF NOT EXISTS schema_migrations ("
      " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL) STRICT;");
  if (!status.ok()) return status.error();
  int applied = 0;
  for (const Migration& migration : Migrations()) {
    // Checked inside the write transaction: two processes migrating at once apply each
    // migration once; the second finds it recorded.
    Transaction tx(*conn_);
    if (Status begun = tx.Begin(Transaction::Mode::kWrite); !begun.ok()) return begun.error();
    {
      Statement s(*conn_, "SELECT 1 FROM schema_migrations WHERE version = ?");
      s.Bind(migration.version);
      Result<bool> row = s.Next();
      if (!row.ok()) return row.error();
      if (*row) continue;
    }
    if (Status ran = conn_->ExecScript(std::string(migration.sql)); !ran.ok()) {
      return MakeError(ErrorCode::kInternal, "migration " + std::string(migration.name) + ": " + ran.error().message);
    }
    Statement record(*conn_, "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)");
    record.Bind(migration.version).Bind(migration.name).Bind(NowUnix());
    if (Status ok = record.Run(); !ok.ok()) return ok.error();
    if (Status ok = tx.Commit(); !ok.ok()) return ok.error();
    ++applied;
  }
  return applied;
}

bool SqliteStore::Ping() {
  std::lock_guard lock(mu_);
  Statement s(*conn_, "SELECT 1");
  Result<bool> row = s.Next();
  return row.ok() && *row;
}

Result<int64_t> SqliteStore::CreateUser(const std::string& email, const std::string& password_hash, bool is_admin) {
  std::lock_guard lock(mu_);
  Statement s(*conn_,
              "INSERT INTO users (email, password_hash, is_admin, balance_micros, created_at) "
              "VALUES (?, ?, ?, 0, ?)");
  s.Bind(LowerAscii(email)).Bind(password_hash).Bind(is_admin).Bind(NowUnix());
  Status status = s.Run();
  if (!status.ok()) {
    if (IsUniqueViolation(s.result_code())) {
      return MakeError(ErrorCode::kConflict, "a user with this email exists");
    }
    if (IsConstraintViolation(s.result_code())) {
      return MakeError(ErrorCode::kBadRequest, "invalid user: " + status.error().message);
    }
    return status.error();
  }
  return conn_->LastInsertRowid();
}

Result<std::optional<User>> SqliteStore::FindUserByEmail(const std::string& email) {
  std::lock_guard lock(mu_);
  return FindUser(*conn_, std::string("SELECT ") + kUserColumns + " FROM users WHERE email = ?", LowerAscii(email));
}

Result<std::optional<User>> SqliteStore::FindUserById(int64_t id) {
  std::lock_guard lock(mu_);
  return FindUser(*conn_, std::string("SELECT ") + kUserColumns + " FROM users WHERE id = ?", id);
}

Result<int64_t> SqliteStore::CountUsers() {
  std::lock_guard lock(mu_);
  Statement s(*conn_, "SELECT count(*) FROM users");
  return ReadInt(s);
}

Result<std::vector<User>> SqliteStore::ListUsers(int64_t after_id, int limit) {
  if (limit <= 0) return std::vector<User>();
  ConnectionLease conn = LockReader();
  Statement s(*conn, std::string("SELECT ") + kUserColumns + " FROM users WHERE id > ? ORDER BY id LIMIT ?");
  s.Bind(after_id).Bind(std::min(limit, 1000));
  return ReadRows(s, ReadUser);
}

Status SqliteStore::SetUserFlags(int64_t user_id, std::optional<bool> is_admin, std::optional<bool> disabled) {
  std::lock_guard lock(mu_);
  Statement s(*conn_,
              "UPDATE users SET is_admin = CASE WHEN ? THEN ? ELSE is_admin END, "
              "disabled = CASE WHEN ? THEN ? ELSE disabled END WHERE id = ?");
  s.Bind(is_admin.has_value()).Bind(is_admin.value_or(false));
  s.Bind(disabled.has_value()).Bind(disabled.value_or(false)).Bind(user_id);
  if (Status status = s.Run(); !status.ok()) return status;
  if (conn_->Changes() == 0) return MakeError(ErrorCode::kNotFound, "no such user");
  return OkStatus();
}

Status SqliteStore::SetUserPassword(int64_t user_id, const std::string& password_hash) {
  std::lock_guard lock(mu_);
  Statement s(*conn_, "UPDATE users SET password_hash = ? WHERE id = ?");
  s.Bind(password_hash).Bind(user_id);
  if (Status status = s.Run(); !status.ok()) return status;
  if (conn_->Changes() == 0) return MakeError(ErrorCode::kNotFound, "no such user");
  return OkStatus();
}

Result<std::string> SqliteStore::GetUserProviderPreferences(int64_t user_id) {
  std::lock_guard lock(mu_);
  Statement s(*conn_, "SELECT COALESCE(provider_preferences, '') FROM users WHERE id = ?");
  s.Bind(user_id);
  Result<bool> row = s.Next();
  if (!row.ok()) return row.error();
  if (!*row) return MakeError(ErrorCode::kNotFound, "no such user");
  return s.Text(0);
}

Status SqliteStore::SetUserProviderPreferences(int64_t user_id, const std::string& json) {
  std::lock_guard lock(mu_);
  Statement s(*conn_, "UPDATE users SET provider_preferences = NULLIF(?, '') WHERE id = ?");
  s.Bind(json).Bind(user_id);
  if (Status status = s.Run(); !status.ok()) return status;
  if (conn_->Changes() == 0) return MakeError(ErrorCode::kNotFound, "no such user");
  return OkStatus();
}

Status SqliteStore::SetUserLowBalanceAlert(int64_t user_id, std::optional<Micros> alert) {
  if (alert && *alert <= 0) return MakeError(ErrorCode::kBadRequest, "the alert must be above zero");
  std::lock_guard lock(mu_);
  Statement s(*conn_, "UPDATE users SET low_balance_alert_micros = ? WHERE id = ?");
  if (alert) {
    s.Bind(*alert);
  } else {
    s.BindNull();
  }
  s.Bind(user_id);
  if (Status status = s.Run(); !status.ok()) return status;
  if (conn_->Changes() == 0) return MakeError(ErrorCode::kNotFound, "no such user");
  return OkStatus();
}

Status SqliteStore::CloseUser(int64_t user_id, const std::string& tombstone_email, int64_t now_unix) {
  std::lock_guard lock(mu_);
  Transaction tx(*conn_);
  if (Status begun = tx.Begin(Transaction::Mode::kWrite); !begun.ok()) return begun;
  {
    Statement s(*conn_, "UPDATE users SET email = ?, password_hash = '!', disabled = 1 WHERE id = ?");
    s.Bind(tombstone_email).Bind(user_id);
    if (Status status = s.Run(); !status.ok()) return status;
    if (conn_->Changes() == 0) return MakeError(ErrorCode::kNotFound, "no such user");
  }
  {
    Statement s(*conn_, "UPDATE api_keys SET deleted_at = ? WHERE user_id = ? AND deleted_at IS NULL");
    s.Bind(now_unix).Bind(user_id);
    if (Status status = s.Run(); !status.ok()) return status;
  }
  {
    Statement s(*conn_, "DELETE FROM sessions WHERE user_id = ?");
    s.Bind(user_id);
    if (Status status = s.Run(); !status.ok()) return status;
  }
  return tx.Commit();
}

}  // namespace turnpike::store::sqlite
