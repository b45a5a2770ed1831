// SqliteStore: opening, migrations, users and API keys. The catalog, money and request log
// live in sqlite_store_{catalog,money,log}.cc.
#include "store/sqlite/sqlite_store.h"

#include <cctype>

#include "store/sqlite/connection.h"
#include "store/sqlite/migrations.h"
#include "store/sqlite/util.h"

namespace turnpike::store::sqlite {
namespace {

constexpr char kUserColumns[] = "id, email, password_hash, is_admin, balance_micros, created_at";
constexpr char kKeyColumns[] =
    "id, user_id, name, prefix, hash, limit_micros, usage_micros, disabled, expires_at, "
    "created_at";

User ReadUser(const Statement& s) {
  User user;
  user.id = s.Int(0);
  user.email = s.Text(1);
  user.password_hash = s.Text(2);
  user.is_admin = s.Bool(3);
  user.balance = s.Int(4);
  user.created_at = s.Int(5);
  return user;
}

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
  return key;
}

// ASCII only, like SQLite's lower(), which the users.email CHECK uses.
std::string LowerAscii(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

// Runs a SELECT of kUserColumns / kKeyColumns bound to one value; the first row, if any.
template <class Row, class Reader, class Value>
std::optional<Row> FindOne(Connection& conn, const std::string& sql, const Value& value,
                           Reader read) {
  Statement s(conn, sql);
  s.Bind(value);
  Result<bool> row = s.Next();
  if (!row.ok() || !*row) return std::nullopt;
  return read(s);
}

}  // namespace

SqliteStore::SqliteStore(std::unique_ptr<Connection> conn) : conn_(std::move(conn)) {}
SqliteStore::~SqliteStore() = default;

Result<std::unique_ptr<SqliteStore>> SqliteStore::Open(const std::string& path,
                                                       const Options& options) {
  Result<std::unique_ptr<Connection>> conn = Connection::Open(path, options.busy_timeout_ms);
  if (!conn.ok()) return conn.error();
  // The busy timeout is already set, so switching to WAL waits for another process that is
  // doing the same. journal_mode is persistent in the file; the others are per connection.
  std::string pragmas = "PRAGMA foreign_keys = ON;";
  if (path != ":memory:") pragmas += "PRAGMA journal_mode = WAL;";
  pragmas += options.durability == Options::Durability::kFull ? "PRAGMA synchronous = FULL;"
                                                              : "PRAGMA synchronous = NORMAL;";
  Status status = (*conn)->ExecScript(pragmas);
  if (!status.ok()) return status.error();
  return std::unique_ptr<SqliteStore>(new SqliteStore(std::move(*conn)));
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
      return MakeError(ErrorCode::kInternal,
                       "migration " + std::string(migration.name) + ": " + ran.error().message);
    }
    Statement record(*conn_,
                     "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)");
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

Result<int64_t> SqliteStore::CreateUser(const std::string& email, const std::string& password_hash,
                                        bool is_admin) {
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

std::optional<User> SqliteStore::FindUserByEmail(const std::string& email) {
  std::lock_guard lock(mu_);
  return FindOne<User>(*conn_,
                       std::string("SELECT ") + kUserColumns + " FROM users WHERE email = ?",
                       LowerAscii(email), ReadUser);
}

std::optional<User> SqliteStore::FindUserById(int64_t id) {
  std::lock_guard lock(mu_);
  return FindOne<User>(*conn_, std::string("SELECT ") + kUserColumns + " FROM users WHERE id = ?",
                       id, ReadUser);
}

int64_t SqliteStore::CountUsers() {
  std::lock_guard lock(mu_);
  Statement s(*conn_, "SELECT count(*) FROM users");
  Result<bool> row = s.Next();
  return row.ok() && *row ? s.Int(0) : 0;
}

Result<int64_t> SqliteStore::CreateKey(const ApiKey& key) {
  std::lock_guard lock(mu_);
  Statement s(*conn_,
              "INSERT INTO api_keys (user_id, name, prefix, hash, limit_micros, usage_micros, "
              "disabled, expires_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
  s.Bind(key.user_id).Bind(key.name).Bind(key.prefix).Bind(key.hash_hex).Bind(key.limit);
  s.Bind(key.usage).Bind(key.disabled).Bind(key.expires_at);
  s.Bind(key.created_at != 0 ? key.created_at : NowUnix());
  Status status = s.Run();
  if (!status.ok()) {
    int code = s.result_code();
    if (IsUniqueViolation(code))
      return MakeError(ErrorCode::kConflict, "a key with this hash exists");
    if (code == SQLITE_CONSTRAINT_FOREIGNKEY)
      return MakeError(ErrorCode::kNotFound, "no such user");
    if (IsConstraintViolation(code)) {
      return MakeError(ErrorCode::kBadRequest, "invalid key: " + status.error().message);
    }
    return status.error();
  }
  return conn_->LastInsertRowid();
}

std::optional<ApiKey> SqliteStore::FindKeyByHash(const std::string& hash_hex) {
  std::lock_guard lock(mu_);
  return FindOne<ApiKey>(*conn_,
                         std::string("SELECT ") + kKeyColumns + " FROM api_keys WHERE hash = ?",
                         hash_hex, ReadKey);
}

std::optional<ApiKey> SqliteStore::FindKeyById(int64_t id) {
  std::lock_guard lock(mu_);
  return FindOne<ApiKey>(
      *conn_, std::string("SELECT ") + kKeyColumns + " FROM api_keys WHERE id = ?", id, ReadKey);
}

std::vector<ApiKey> SqliteStore::ListKeys(int64_t user_id) {
  std::lock_guard lock(mu_);
  std::vector<ApiKey> keys;
  Statement s(*conn_, std::string("SELECT ") + kKeyColumns +
                          " FROM api_keys WHERE user_id = ? ORDER BY id");
  s.Bind(user_id);
  for (Result<bool> row = s.Next(); row.ok() && *row; row = s.Next()) keys.push_back(ReadKey(s));
  return keys;
}

Status SqliteStore::SetKeyDisabled(int64_t key_id, bool disabled) {
  std::lock_guard lock(mu_);
  Statement s(*conn_, "UPDATE api_keys SET disabled = ? WHERE id = ?");
  s.Bind(disabled).Bind(key_id);
  if (Status status = s.Run(); !status.ok()) return status;
  if (conn_->Changes() == 0) return MakeError(ErrorCode::kNotFound, "no such key");
  return OkStatus();
}

}  // namespace turnpike::store::sqlite
