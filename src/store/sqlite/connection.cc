#include "store/sqlite/connection.h"

namespace turnpike::store::sqlite {

Result<std::unique_ptr<Connection>> Connection::Open(const std::string& path, int busy_timeout_ms) {
  sqlite3* db = nullptr;
  // NOMUTEX: the store serialises access itself; SQLite's own mutex would only add cost.
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string message = "sqlite: cannot open database: ";
    message += db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close_v2(db);
    return MakeError(ErrorCode::kInternal, message);
  }
  sqlite3_extended_result_codes(db, 1);
  sqlite3_busy_timeout(db, busy_timeout_ms);
  return std::unique_ptr<Connection>(new Connection(db));
}

Connection::~Connection() {
  for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
  sqlite3_close_v2(db_);
}

sqlite3_stmt* Connection::Prepare(std::string_view sql) {
  auto it = cache_.find(std::string(sql));
  if (it != cache_.end()) return it->second;
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
  if (rc != SQLITE_OK) {
    sqlite3_finalize(stmt);
    return nullptr;
  }
  cache_.emplace(std::string(sql), stmt);
  return stmt;
}

Status Connection::ExecScript(const std::string& sql) {
  if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK) {
    return LastError("exec");
  }
  return OkStatus();
}

Error Connection::LastError(std::string_view context) const {
  std::string message = "sqlite: ";
  message += context;
  message += ": ";
  message += sqlite3_errmsg(db_);
  return MakeError(ErrorCode::kInternal, std::move(message));
}

Statement::Statement(Connection& conn, std::string_view sql) : conn_(conn), stmt_(conn.Prepare(sql)) {
  if (stmt_ == nullptr) rc_ = SQLITE_ERROR;
}

Statement::~Statement() {
  if (stmt_ == nullptr) return;
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

Statement& Statement::Bind(int64_t value) {
  if (stmt_ != nullptr && sqlite3_bind_int64(stmt_, next_index_, value) != SQLITE_OK) {
    bind_failed_ = true;
  }
  ++next_index_;
  return *this;
}

Statement& Statement::Bind(std::string_view value) {
  // SQLITE_TRANSIENT: SQLite copies the text, so temporaries are safe to pass.
  if (stmt_ != nullptr &&
      sqlite3_bind_text64(stmt_, next_index_, value.data(), value.size(), SQLITE_TRANSIENT, SQLITE_UTF8) != SQLITE_OK) {
    bind_failed_ = true;
  }
  ++next_index_;
  return *this;
}

Statement& Statement::Bind(const std::optional<int64_t>& value) {
  return value.has_value() ? Bind(*value) : BindNull();
}

Statement& Statement::BindNull() {
  if (stmt_ != nullptr && sqlite3_bind_null(stmt_, next_index_) != SQLITE_OK) {
    bind_failed_ = true;
  }
  ++next_index_;
  return *this;
}

Result<bool> Statement::Next() {
  if (stmt_ == nullptr) return conn_.LastError("prepare");
  if (bind_failed_) return conn_.LastError("bind");
  rc_ = sqlite3_step(stmt_);
  if (rc_ == SQLITE_ROW) return true;
  if (rc_ == SQLITE_DONE) return false;
  return conn_.LastError("step");
}

Status Statement::Run() {
  while (true) {
    Result<bool> row = Next();
    if (!row.ok()) return row.error();
    if (!*row) return OkStatus();
  }
}

int64_t Statement::Int(int column) const { return sqlite3_column_int64(stmt_, column); }

std::string Statement::Text(int column) const {
  const unsigned char* text = sqlite3_column_text(stmt_, column);
  if (text == nullptr) return {};
  return std::string(reinterpret_cast<const char*>(text), static_cast<size_t>(sqlite3_column_bytes(stmt_, column)));
}

std::optional<int64_t> Statement::OptionalInt(int column) const {
  if (sqlite3_column_type(stmt_, column) == SQLITE_NULL) return std::nullopt;
  return Int(column);
}

Transaction::~Transaction() {
  if (!active_) return;
  if (savepoint_) {
    // Undo this call only; the enclosing batch goes on (if a failure already ended it, there is
    // nothing left to undo).
    if (conn_.InTransaction()) {
      Statement rollback(conn_, "ROLLBACK TO tp_call");
      (void)rollback.Run();
      Statement release(conn_, "RELEASE tp_call");
      (void)release.Run();
    }
    return;
  }
  // A failed statement may already have rolled the transaction back; only roll back if open.
  if (conn_.InTransaction()) {
    Statement rollback(conn_, "ROLLBACK");
    (void)rollback.Run();
  }
}

Status Transaction::Begin(Mode mode) {
  // Inside a batch (an enclosing write transaction) a call is a savepoint of it.
  savepoint_ = conn_.InTransaction();
  Statement begin(conn_, savepoint_ ? "SAVEPOINT tp_call" : mode == Mode::kWrite ? "BEGIN IMMEDIATE" : "BEGIN");
  Status status = begin.Run();
  if (status.ok()) active_ = true;
  return status;
}

Status Transaction::Commit() {
  Statement commit(conn_, savepoint_ ? "RELEASE tp_call" : "COMMIT");
  Status status = commit.Run();
  if (status.ok()) active_ = false;
  return status;
}

Result<int64_t> ReadInt(Statement& s) {
  Result<bool> row = s.Next();
  if (!row.ok()) return row.error();
  return *row ? s.Int(0) : 0;
}

bool IsUniqueViolation(int code) { return code == SQLITE_CONSTRAINT_UNIQUE || code == SQLITE_CONSTRAINT_PRIMARYKEY; }

bool IsConstraintViolation(int code) { return (code & 0xff) == SQLITE_CONSTRAINT; }

}  // namespace turnpike::store::sqlite
