// A thin RAII layer over one SQLite connection: a prepared-statement cache, a statement cursor
// that binds values by position, and transactions. Internal to the SQLite store.
//
// Threading: none of these classes is thread-safe. SqliteStore serialises every use of a
// Connection behind its mutex; a Statement or Transaction must not outlive that lock.
//
// Errors: every failure is an Error{kInternal, "sqlite: …"} carrying SQLite's message, which
// names tables and constraints but never a bound value.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/result.h"

namespace turnpike::store::sqlite {

class Connection {
 public:
  // Opens (creating if missing) the database at `path` (":memory:" for a private in-memory
  // one) in multi-thread mode and sets the busy timeout. Applies no other pragma.
  static Result<std::unique_ptr<Connection>> Open(const std::string& path, int busy_timeout_ms);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // The cached prepared statement for `sql`, prepared on first use; nullptr on failure.
  // The statement stays owned by the connection.
  sqlite3_stmt* Prepare(std::string_view sql);
  // Runs `sql` (any number of statements) without binding: pragmas and migrations only, never
  // text that holds values from outside.
  Status ExecScript(const std::string& sql);
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
  std::unordered_map<std::string, sqlite3_stmt*> cache_;
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
