// A thin RAII layer over one SQLite connection: a prepared-statement cache, a statement cursor
// that binds values by position, and transactions. Internal to the SQLite store.
//
// Threading: Connection, Statement and Transaction are not thread-safe. SqliteStore serialises
// every use of its main Connection behind its mutex, and a reader of a ReaderPool is used by one
// call at a time (ConnectionLease); a Statement or Transaction must not outlive that lock or lease.
//
// Errors: every failure is an Error{kInternal, "sqlite: …"} carrying SQLite's message, which
// names tables and constraints but never a bound value.
#pragma once

#include <sqlite3.h>

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/result.h"

namespace turnpike::store::sqlite {

class Connection {
 public:
  // Opens the database at `path` (":memory:" for a private in-memory one) in multi-thread mode,
  // creating it if missing unless `create` is false, and sets the busy timeout. Applies no other
  // pragma.
  static Result<std::unique_ptr<Connection>> Open(const std::string& path, int busy_timeout_ms, bool create = true);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // The cached prepared statement for `sql`, prepared on first use; nullptr on failure.
  // The statement stays owned by the connection.
  sqlite3_stmt* Prepare(std::string_view sql);
  // Runs `sql` (any number of statements) without binding: pragmas and migrations only, never
  // text that holds values from outside.
  Status ExecScript(const std::string& sql);
  // A PASSIVE checkpoint of the main database (WAL mode): how many frames the WAL holds, and how
  // many of them are now in the database file.
  struct Checkpointed {
    int wal_frames = 0;
    int copied = 0;
  };
  Result<Checkpointed> CheckpointPassive();
  // The last error of this connection as an Error, prefixed by `context`.
  Error LastError(std::string_view context) const;
  bool InTransaction() const { return sqlite3_get_autocommit(db_) == 0; }
  int64_t Changes() const { return sqlite3_changes64(db_); }
  int64_t LastInsertRowid() const { return sqlite3_last_insert_rowid(db_); }
  // How long a statement waits for another connection's lock; Open() sets it first.
  void SetBusyTimeout(int ms) { sqlite3_busy_timeout(db_, ms); }

 private:
  explicit Connection(sqlite3* db) : db_(db) {}

  sqlite3* db_;
  // Found by the SQL text without copying it (a lookup per statement run).
  struct TextHash {
    using is_transparent = void;
    size_t operator()(std::string_view text) const { return std::hash<std::string_view>{}(text); }
  };
  std::unordered_map<std::string, sqlite3_stmt*, TextHash, std::equal_to<>> cache_;
};

class ReaderPool;

// One connection held by one call: a reader of a ReaderPool (given back when the lease ends), or a
// connection whose lock the lease holds (SqliteStore's main connection under its mutex).
class ConnectionLease {
 public:
  ConnectionLease(Connection& conn, std::unique_lock<std::recursive_mutex> lock)
      : conn_(&conn), lock_(std::move(lock)) {}
  ConnectionLease(ReaderPool& pool, Connection& conn) : pool_(&pool), conn_(&conn) {}
  ConnectionLease(ConnectionLease&& other) noexcept;
  ConnectionLease& operator=(ConnectionLease&&) = delete;
  ~ConnectionLease();

  Connection& operator*() const { return *conn_; }
  Connection* operator->() const { return conn_; }

 private:
  ReaderPool* pool_ = nullptr;  // set for a reader
  Connection* conn_;
  std::unique_lock<std::recursive_mutex> lock_;
};

// Read-only connections (PRAGMA query_only) to one database file in WAL mode, so that long reads
// and the writer never wait for each other: a reader on a connection of its own reads the last
// commit as of the start of its read transaction while the writer goes on committing. Each reader
// has its own statement cache. Readers are opened as they are needed, up to a maximum; calls
// finding all of them busy wait, first come first served. Thread-safe.
class ReaderPool {
 public:
  // Opens the first reader at once, so a file the readers cannot open is an error here, not at the
  // first read. Each reader opens the existing file (`path` made absolute now, so a later change
  // of directory cannot point it elsewhere) with the busy timeout, runs `pragmas` (ExecScript),
  // then query_only.
  static Result<std::unique_ptr<ReaderPool>> Open(const std::string& path, int busy_timeout_ms, std::string pragmas,
                                                  int max_readers);
  ReaderPool(const ReaderPool&) = delete;
  ReaderPool& operator=(const ReaderPool&) = delete;

  // An idle reader; else a new one while fewer than the maximum are open; else, after the calls
  // that were waiting before this one, the next one given back. A thread holding a lease must not
  // ask for another (it could wait for itself); leases end before the pool is destroyed.
  ConnectionLease Acquire();
  // How many readers are open, and how many calls wait for one (for tests).
  int size();
  int waiting();

 private:
  friend class ConnectionLease;
  ReaderPool(std::string path, int busy_timeout_ms, std::string pragmas, int max_readers);
  Result<std::unique_ptr<Connection>> OpenReader() const;
  void Release(Connection& conn);

  const std::string path_;
  const int busy_timeout_ms_;
  const std::string pragmas_;
  std::mutex mu_;
  std::condition_variable released_;
  // Guarded by mu_: every open reader, the idle ones, how many are being opened (outside mu_), how
  // many may be open (lowered when one cannot be opened), and the waiting line: the ticket of the
  // next Acquire() and of the one whose turn it is.
  std::vector<std::unique_ptr<Connection>> readers_;
  std::vector<Connection*> idle_;
  int opening_ = 0;
  int limit_;
  uint64_t next_ticket_ = 0;
  uint64_t turn_ = 0;
};

// One execution of a cached statement. Binds parameters in order with Bind(); Next() steps;
// the column getters read the current row. Resets the statement and clears its bindings when
// destroyed, so the statement holds no read lock afterwards.
class Statement {
 public:
  Statement(Connection& conn, std::string_view sql);
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& Bind(int64_t value);
  Statement& Bind(int value) { return Bind(static_cast<int64_t>(value)); }
  Statement& Bind(bool value) { return Bind(static_cast<int64_t>(value ? 1 : 0)); }
  Statement& Bind(std::string_view value);
  Statement& Bind(const std::string& value) { return Bind(std::string_view(value)); }
  Statement& Bind(const char* value) { return Bind(std::string_view(value)); }
  Statement& Bind(const std::optional<int64_t>& value);
  Statement& BindNull();

  // Steps once: true when a row is ready, false when the statement is done.
  Result<bool> Next();
  // Steps until done, ignoring rows. For INSERT/UPDATE/DELETE.
  Status Run();
  // The extended result code of the last step (e.g. SQLITE_CONSTRAINT_UNIQUE).
  int result_code() const { return rc_; }

  int64_t Int(int column) const;
  bool Bool(int column) const { return Int(column) != 0; }
  std::string Text(int column) const;
  std::optional<int64_t> OptionalInt(int column) const;

 private:
  Connection& conn_;
  sqlite3_stmt* stmt_;
  int next_index_ = 1;
  int rc_ = SQLITE_OK;
  bool bind_failed_ = false;
};

// Every row of `s`, each read by `read(s)`; the error of the first failed step.
template <class Read>
auto ReadRows(Statement& s, Read read) -> Result<std::vector<decltype(read(s))>> {
  std::vector<decltype(read(s))> rows;
  Result<bool> row = s.Next();
  for (; row.ok() && *row; row = s.Next()) rows.push_back(read(s));
  if (!row.ok()) return row.error();
  return rows;
}

// The first row of `s` read by `read(s)`; std::nullopt when there is none; the error of a
// failed step.
template <class Read>
auto ReadFirstRow(Statement& s, Read read) -> Result<std::optional<decltype(read(s))>> {
  using Row = decltype(read(s));
  Result<bool> row = s.Next();
  if (!row.ok()) return row.error();
  if (!*row) return std::optional<Row>();
  return std::optional<Row>(read(s));
}

// Column 0 of the first row of `s` as an integer (a count or a sum); 0 when there is no row.
Result<int64_t> ReadInt(Statement& s);

// A transaction on a Connection; rolls back when destroyed without Commit(). Begun while the
// connection is already in a transaction (a batch), it is a savepoint of that one instead:
// Commit() releases it, and destruction without Commit() undoes only what it did.
class Transaction {
 public:
  enum class Mode {
    kRead,   // BEGIN (deferred): a consistent snapshot for several reads
    kWrite,  // BEGIN IMMEDIATE: takes the write lock at once (waits up to the busy timeout),
             // so a read-modify-write never loses an update to another connection or process
  };
  explicit Transaction(Connection& conn) : conn_(conn) {}
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  Status Begin(Mode mode);
  Status Commit();

 private:
  Connection& conn_;
  bool active_ = false;
  bool savepoint_ = false;
};

// True when `code` (an extended result code) is a UNIQUE or PRIMARY KEY violation.
bool IsUniqueViolation(int code);
// True when `code` is any constraint violation (CHECK, NOT NULL, FOREIGN KEY, UNIQUE, trigger).
bool IsConstraintViolation(int code);

}  // namespace turnpike::store::sqlite
