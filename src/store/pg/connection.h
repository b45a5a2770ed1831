// A thin layer over libpq for the PostgreSQL store: one connection driven through libpq's
// asynchronous API so that every step has a deadline, a cache of prepared statements per
// connection, query results, and a bounded pool of connections. Internal to the PostgreSQL store.
//
// Deadlines: connecting polls the socket (PQconnectStartParams / PQconnectPoll) until
// Options::connect_timeout; a query is sent with PQsendQueryPrepared (or PQsendQuery for a script)
// and its results awaited with poll() on PQsocket until the query's deadline. A query past its
// deadline is cancelled on the server (PQcancel) and reported as kUnavailable; nothing here waits
// without one. Store calls run on store threads (docs/architecture.md), so waiting on the calling
// thread is allowed; waiting without a deadline is not. Two waits are libpq's own and not bounded
// here: resolving a host name (getaddrinfo; an IP address or hostaddr= avoids it) and PQcancel's
// connection to the server to deliver the cancel request.
//
// Threading: a Connection is used by one thread at a time (the pool hands each to one caller);
// the Pool is thread-safe.
//
// Errors: Error{kInternal, "postgresql: …"} with the server's message (it names tables and
// constraints, never a bound value); kUnavailable when the server cannot be reached, the
// connection broke, or a deadline passed; kBadRequest for a malformed URL. Messages never hold the
// URL's password.
#pragma once

#include <libpq-fe.h>

#include <chrono>
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

namespace turnpike::store::pg {

using Clock = std::chrono::steady_clock;

struct ConnectionOptions {
  // The whole connection (every host the URL names, TLS, authentication) must be up by then.
  std::chrono::milliseconds connect_timeout{5000};
  // A query (including the time it waits for row locks) is cancelled past this.
  std::chrono::milliseconds query_timeout{10000};
  // A database name that replaces the URL's (tests make a database each); "" keeps the URL's.
  std::string database;
};

// The values bound to $1, $2, … of one statement, in order. Numbers and booleans travel as text;
// strings travel in binary format with their length, so a string is never cut short at a NUL
// byte (PostgreSQL refuses one in text instead, an error rather than a silent truncation).
class Params {
 public:
  Params& Add(int64_t value);
  Params& Add(int value) { return Add(static_cast<int64_t>(value)); }
  Params& Add(bool value);
  Params& Add(std::string_view value);
  Params& Add(const std::string& value) { return Add(std::string_view(value)); }
  Params& Add(const char* value) { return Add(std::string_view(value)); }
  Params& Add(const std::optional<int64_t>& value);
  Params& AddNull();
  // A value in PostgreSQL's text input format for the parameter's type (e.g. an array
  // "{1,2,3}"), sent as text.
  Params& AddLiteral(std::string text);

  int size() const { return static_cast<int>(values_.size()); }

 private:
  friend class Connection;
  std::vector<std::optional<std::string>> values_;
  std::vector<int> formats_;  // 0 text, 1 binary
};

// The rows of one statement's result (text format). Owns the PGresult.
class Rows {
 public:
  explicit Rows(PGresult* result) : result_(result, &PQclear) {}

  int size() const { return PQntuples(result_.get()); }
  bool empty() const { return size() == 0; }
  // The number of rows an INSERT, UPDATE or DELETE touched.
  int64_t affected() const;

  bool IsNull(int row, int column) const { return PQgetisnull(result_.get(), row, column) != 0; }
  std::string Text(int row, int column) const;
  // 0 for NULL or a value that is not an integer (the schema makes both impossible where read).
  int64_t Int(int row, int column) const;
  bool Bool(int row, int column) const;
  std::optional<int64_t> OptionalInt(int row, int column) const;

 private:
  std::unique_ptr<PGresult, void (*)(PGresult*)> result_;
};

class Connection {
 public:
  // Connects to the server the URL names (postgresql:// or postgres://, or a key=value string);
  // libpq parses it (with the PG* environment variables and sslmode as usual). kBadRequest for a
  // URL libpq cannot parse, kUnavailable when the server cannot be reached in time or refuses.
  static Result<std::unique_ptr<Connection>> Open(const std::string& url, const ConnectionOptions& options);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Runs one statement with `params` bound, prepared once per connection (named by the hash of
  // its text) and cached, within the query timeout.
  Result<Rows> Exec(std::string_view sql, const Params& params = Params());
  Result<Rows> Exec(std::string_view sql, const Params& params, Clock::time_point deadline);
  // Runs `sql` (any number of statements, nothing bound) with the simple query protocol: for
  // transaction control and migrations only, never text holding values from outside.
  Status ExecScript(std::string_view sql);
  Status ExecScript(std::string_view sql, Clock::time_point deadline);

  // The SQLSTATE of the last failed statement ("23505" for a unique violation…); "" after one that
  // succeeded, or when the failure came from the connection rather than the server.
  const std::string& last_sqlstate() const { return last_sqlstate_; }
  // True when the connection is gone (the server closed it, a cancel could not be completed): the
  // pool drops it.
  bool Broken() const;
  // Whether a transaction is open: PQTRANS_IDLE (none), PQTRANS_INTRANS, PQTRANS_INERROR (a
  // statement failed inside it: only a ROLLBACK helps), or PQTRANS_UNKNOWN (broken).
  PGTransactionStatusType TransactionStatus() const { return PQtransactionStatus(conn_); }
  bool InTransaction() const;
  // Reads what the server sent while the connection was idle (a termination notice): a connection
  // the server has closed is Broken() afterwards. Never waits.
  void CheckIdle();
  // How many statements this connection has prepared (for tests).
  size_t prepared() const { return prepared_.size(); }
  // Whether a statement failed with a serialization failure, a deadlock or a lock timeout since
  // the last call (and clears it): a batch that saw one is abandoned whole, and its calls run
  // again alone.
  bool TakeRetryableFailure();
  bool retryable_failure() const { return retryable_failure_; }
  const ConnectionOptions& options() const { return options_; }

 private:
  Connection(PGconn* conn, ConnectionOptions options, std::vector<std::string> secrets)
      : conn_(conn), options_(std::move(options)), secrets_(std::move(secrets)) {}

  // Flushes what is queued to the server, then collects every result of the statement(s) sent,
  // waiting on the socket until `deadline`; past it, cancels. Returns the last result (or the
  // first error).
  Result<Rows> Await(Clock::time_point deadline, std::string_view what);
  // Waits until the socket is readable (or writable) or the deadline passes; false on timeout.
  bool WaitSocket(bool for_write, Clock::time_point deadline);
  // Asks the server to cancel the running statement and drains its results for a short while;
  // a connection that still does not answer is closed (Broken()).
  void Cancel();
  Error ConnectionError(std::string_view context);
  Error ResultError(PGresult* result, std::string_view context);
  // The name of the prepared statement for `sql`, preparing it first when needed.
  Result<std::string> Prepared(std::string_view sql, Clock::time_point deadline);
  std::string Redact(std::string text) const;

  PGconn* conn_;
  const ConnectionOptions options_;
  const std::vector<std::string> secrets_;  // the URL's password, as written and decoded: never in a message
  std::unordered_map<std::string, std::string> prepared_;  // sql -> statement name
  std::unordered_map<std::string, std::string> names_;     // statement name -> sql
  std::string last_sqlstate_;
  bool retryable_failure_ = false;
  bool closed_ = false;  // closed after a failed cancel
};

struct PoolOptions {
  ConnectionOptions connection;
  // How many connections at most; more callers wait for one to be given back (until the query
  // timeout, then kUnavailable).
  int max_connections = 8;
};

class Pool;

// One connection held by one caller; given back to the pool when destroyed, or dropped when it is
// broken or was left inside a transaction.
class PooledConnection {
 public:
  PooledConnection(Pool* pool, std::unique_ptr<Connection> conn) : pool_(pool), conn_(std::move(conn)) {}
  PooledConnection(PooledConnection&& other) noexcept = default;
  PooledConnection& operator=(PooledConnection&&) = delete;
  ~PooledConnection();

  Connection& operator*() const { return *conn_; }
  Connection* operator->() const { return conn_.get(); }

 private:
  Pool* pool_;
  std::unique_ptr<Connection> conn_;
};

// Connections to one database, opened as needed up to PoolOptions::max_connections. An idle
// connection is checked (CheckIdle) before it is handed out; a broken one is dropped, and a new
// one opened in its place. Thread-safe; connections must be given back before it is destroyed.
class Pool {
 public:
  // Opens the first connection at once, so that a wrong URL or an unreachable server is an error
  // here rather than at the first call.
  static Result<std::unique_ptr<Pool>> Open(const std::string& url, const PoolOptions& options);
  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;

  // A connection: an idle one, else a new one while fewer than the maximum are open, else the next
  // one given back before the query timeout (kUnavailable after it).
  Result<PooledConnection> Acquire();
  // An idle connection if there is one right now; nullopt otherwise (never waits, never connects).
  std::optional<PooledConnection> TryAcquire();
  // Open connections, idle or in use (for tests).
  int size();
  const PoolOptions& options() const { return options_; }

 private:
  friend class PooledConnection;
  Pool(std::string url, PoolOptions options) : url_(std::move(url)), options_(std::move(options)) {}
  void Release(std::unique_ptr<Connection> conn);
  // Takes an idle connection that is still alive; nullptr when none is. Called with mu_ held.
  std::unique_ptr<Connection> TakeIdleLocked();

  const std::string url_;
  const PoolOptions options_;
  std::mutex mu_;
  std::condition_variable released_;
  std::vector<std::unique_ptr<Connection>> idle_;  // guarded by mu_
  int open_ = 0;                                   // guarded by mu_: idle, in use or being opened
};

// The password of a postgresql:// URL ("" when it has none), so that messages can leave it out.
std::string UrlPassword(std::string_view url);

}  // namespace turnpike::store::pg
