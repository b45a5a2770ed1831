#include "store/sqlite/connection.h"

#include <algorithm>
#include <filesystem>
#include <system_error>
#include <utility>

namespace turnpike::store::sqlite {

Result<std::unique_ptr<Connection>> Connection::Open(const std::string& path, int busy_timeout_ms, bool create) {
  sqlite3* db = nullptr;
  // NOMUTEX: the store serialises access itself; SQLite's own mutex would only add cost.
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (create ? SQLITE_OPEN_CREATE : 0);
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
  auto it = cache_.find(sql);
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

Result<Connection::Checkpointed> Connection::CheckpointPassive() {
  Checkpointed done;
  if (sqlite3_wal_checkpoint_v2(db_, nullptr, SQLITE_CHECKPOINT_PASSIVE, &done.wal_frames, &done.copied) != SQLITE_OK) {
    return LastError("checkpoint");
  }
  return done;
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

ConnectionLease::ConnectionLease(ConnectionLease&& other) noexcept
    : pool_(std::exchange(other.pool_, nullptr)), conn_(other.conn_), lock_(std::move(other.lock_)) {}

ConnectionLease::~ConnectionLease() {
  if (pool_ != nullptr) pool_->Release(*conn_);
}

ReaderPool::ReaderPool(std::string path, int busy_timeout_ms, std::string pragmas, int max_readers)
    : path_(std::move(path)), busy_timeout_ms_(busy_timeout_ms), pragmas_(std::move(pragmas)), limit_(max_readers) {}

Result<std::unique_ptr<ReaderPool>> ReaderPool::Open(const std::string& path, int busy_timeout_ms, std::string pragmas,
                                                     int max_readers) {
  std::error_code ec;
  std::filesystem::path absolute = std::filesystem::absolute(path, ec);
  if (ec) return MakeError(ErrorCode::kInternal, "sqlite: cannot resolve the database path: " + ec.message());
  std::unique_ptr<ReaderPool> pool(
      new ReaderPool(absolute.string(), busy_timeout_ms, std::move(pragmas), std::max(1, max_readers)));
  Result<std::unique_ptr<Connection>> first = pool->OpenReader();
  if (!first.ok()) return first.error();
  pool->idle_.push_back(first->get());
  pool->readers_.push_back(std::move(*first));
  return pool;
}

Result<std::unique_ptr<Connection>> ReaderPool::OpenReader() const {
  Result<std::unique_ptr<Connection>> conn = Connection::Open(path_, busy_timeout_ms_, /*create=*/false);
  if (!conn.ok()) return conn.error();
  if (Status status = (*conn)->ExecScript(pragmas_ + "PRAGMA query_only = ON;"); !status.ok()) return status.error();
  return conn;
}

ConnectionLease ReaderPool::Acquire() {
  std::unique_lock lock(mu_);
  // In turn, so that a steady stream of reads never starves one of them.
  const uint64_t ticket = next_ticket_++;
  for (;;) {
    if (ticket == turn_) {
      if (!idle_.empty()) {
        // The most recently given back: its page cache is the warmest.
        Connection* conn = idle_.back();
        idle_.pop_back();
        ++turn_;
        released_.notify_all();  // the next in line may find another idle reader
        return ConnectionLease(*this, *conn);
      }
      if (static_cast<int>(readers_.size()) + opening_ < limit_) break;
    }
    released_.wait(lock);
  }
  // A new reader, opened outside mu_ so that the calls after this one are not held up.
  ++opening_;
  ++turn_;
  released_.notify_all();
  lock.unlock();
  Result<std::unique_ptr<Connection>> opened = OpenReader();
  lock.lock();
  --opening_;
  if (opened.ok()) {
    Connection* conn = opened->get();
    readers_.push_back(std::move(*opened));
    return ConnectionLease(*this, *conn);
  }
  // No more connections (out of file descriptors, say): make do with the open ones (Open() opened
  // one), taking the next one given back.
  limit_ = static_cast<int>(readers_.size()) + opening_;
  released_.wait(lock, [&] { return !idle_.empty(); });
  Connection* conn = idle_.back();
  idle_.pop_back();
  return ConnectionLease(*this, *conn);
}

void ReaderPool::Release(Connection& conn) {
  {
    std::lock_guard lock(mu_);
    idle_.push_back(&conn);
  }
  released_.notify_all();
}

int ReaderPool::size() {
  std::lock_guard lock(mu_);
  return static_cast<int>(readers_.size());
}

int ReaderPool::waiting() {
  std::lock_guard lock(mu_);
  return static_cast<int>(next_ticket_ - turn_);
}

Result<int64_t> ReadInt(Statement& s) {
  Result<bool> row = s.Next();
  if (!row.ok()) return row.error();
  return *row ? s.Int(0) : 0;
}

bool IsUniqueViolation(int code) { return code == SQLITE_CONSTRAINT_UNIQUE || code == SQLITE_CONSTRAINT_PRIMARYKEY; }

bool IsConstraintViolation(int code) { return (code & 0xff) == SQLITE_CONSTRAINT; }

}  // namespace turnpike::store::sqlite
