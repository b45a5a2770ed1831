// libpq driven asynchronously, with a deadline on every wait (connection.h).
#include "store/pg/connection.h"

#include <poll.h>

#include <cerrno>
#include <charconv>
#include <cstdio>
#include <thread>

namespace turnpike::store::pg {
namespace {

// How long a cancelled statement may take to report that it stopped before its connection is
// closed instead.
constexpr std::chrono::milliseconds kCancelGrace{2000};

std::string Trimmed(const char* text) {
  std::string s = text != nullptr ? text : "";
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

// Notices (a CREATE … IF NOT EXISTS that skipped, a termination notice on an idle connection)
// are not errors; libpq would print them on stderr.
void IgnoreNotice(void*, const char*) {}

bool IsUnavailableState(const std::string& sqlstate) {
  // 08: connection exceptions; 57P01..57P03: the server is shutting down or not accepting.
  return sqlstate.starts_with("08") || sqlstate == "57P01" || sqlstate == "57P02" || sqlstate == "57P03";
}

int RemainingMs(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
  if (left <= 0) return 0;
  return left > 1'000'000 ? 1'000'000 : static_cast<int>(left);
}

// FNV-1a, 64 bits: a stable name for a statement's text.
std::string StatementName(std::string_view sql) {
  uint64_t hash = 1469598103934665603ull;
  for (unsigned char c : sql) {
    hash ^= c;
    hash *= 1099511628211ull;
  }
  char name[24];
  std::snprintf(name, sizeof(name), "tp_%016llx", static_cast<unsigned long long>(hash));
  return name;
}

std::string RedactSecrets(std::string text, const std::vector<std::string>& secrets) {
  for (const std::string& secret : secrets) {
    if (secret.empty()) continue;
    for (size_t at = text.find(secret); at != std::string::npos; at = text.find(secret, at)) {
      text.replace(at, secret.size(), "***");
    }
  }
  return text;
}

}  // namespace

// --- Params ---

Params& Params::Add(int64_t value) {
  values_.emplace_back(std::to_string(value));
  formats_.push_back(0);
  return *this;
}

Params& Params::Add(bool value) {
  values_.emplace_back(value ? "true" : "false");
  formats_.push_back(0);
  return *this;
}

Params& Params::Add(std::string_view value) {
  values_.emplace_back(std::string(value));
  formats_.push_back(1);  // binary: the bytes and their length, as they are
  return *this;
}

Params& Params::Add(const std::optional<int64_t>& value) { return value ? Add(*value) : AddNull(); }

Params& Params::AddNull() {
  values_.emplace_back(std::nullopt);
  formats_.push_back(0);
  return *this;
}

Params& Params::AddLiteral(std::string text) {
  values_.emplace_back(std::move(text));
  formats_.push_back(0);
  return *this;
}

// --- Rows ---

int64_t Rows::affected() const {
  const char* n = PQcmdTuples(result_.get());
  int64_t value = 0;
  if (n != nullptr) std::from_chars(n, n + std::char_traits<char>::length(n), value);
  return value;
}

std::string Rows::Text(int row, int column) const {
  return std::string(PQgetvalue(result_.get(), row, column),
                     static_cast<size_t>(PQgetlength(result_.get(), row, column)));
}

int64_t Rows::Int(int row, int column) const {
  const char* text = PQgetvalue(result_.get(), row, column);
  int64_t value = 0;
  std::from_chars(text, text + PQgetlength(result_.get(), row, column), value);
  return value;
}

bool Rows::Bool(int row, int column) const {
  const char* text = PQgetvalue(result_.get(), row, column);
  return text[0] == 't' || text[0] == '1';
}

std::optional<int64_t> Rows::OptionalInt(int row, int column) const {
  if (IsNull(row, column)) return std::nullopt;
  return Int(row, column);
}

// --- Connection ---

std::string UrlPassword(std::string_view url) {
  size_t scheme = url.find("://");
  if (scheme == std::string_view::npos) return "";
  std::string_view rest = url.substr(scheme + 3);
  rest = rest.substr(0, rest.find_first_of("/?"));  // the authority
  size_t at = rest.rfind('@');
  if (at == std::string_view::npos) return "";
  std::string_view userinfo = rest.substr(0, at);
  size_t colon = userinfo.find(':');
  if (colon == std::string_view::npos) return "";
  return std::string(userinfo.substr(colon + 1));
}

Result<std::unique_ptr<Connection>> Connection::Open(const std::string& url, const ConnectionOptions& options) {
  // The password as written (percent-encoded) and as libpq decodes it: neither may reach a message.
  std::vector<std::string> secrets;
  if (std::string raw = UrlPassword(url); !raw.empty()) secrets.push_back(std::move(raw));
  {
    char* error = nullptr;
    PQconninfoOption* parsed = PQconninfoParse(url.c_str(), &error);
    if (parsed == nullptr) {
      std::string message = RedactSecrets(Trimmed(error != nullptr ? error : "out of memory"), secrets);
      PQfreemem(error);
      return MakeError(ErrorCode::kBadRequest, "DATABASE_URL: " + message);
    }
    for (PQconninfoOption* o = parsed; o->keyword != nullptr; ++o) {
      if (std::string_view(o->keyword) == "password" && o->val != nullptr && *o->val != '\0') {
        secrets.emplace_back(o->val);
      }
    }
    PQconninfoFree(parsed);
  }
  std::vector<const char*> keywords = {"dbname", "fallback_application_name"};
  std::vector<const char*> values = {url.c_str(), "turnpike"};
  if (!options.database.empty()) {
    // Only the first dbname is expanded as a URL; a later one names the database.
    keywords.push_back("dbname");
    values.push_back(options.database.c_str());
  }
  keywords.push_back(nullptr);
  values.push_back(nullptr);
  PGconn* conn = PQconnectStartParams(keywords.data(), values.data(), /*expand_dbname=*/1);
  if (conn == nullptr) return MakeError(ErrorCode::kInternal, "postgresql: out of memory");
  std::unique_ptr<Connection> c(new Connection(conn, options, std::move(secrets)));
  PQsetNoticeProcessor(conn, &IgnoreNotice, nullptr);
  if (PQstatus(conn) == CONNECTION_BAD) {
    // Before any network step, libpq checks the options: "invalid port number", "invalid sslmode
    // value", … are the URL's fault.
    Error error = c->ConnectionError("connecting");
    if (std::string_view(PQerrorMessage(conn)).starts_with("invalid ")) {
      return MakeError(ErrorCode::kBadRequest, "DATABASE_URL: " + c->Redact(Trimmed(PQerrorMessage(conn))));
    }
    return error;
  }
  const Clock::time_point deadline = Clock::now() + options.connect_timeout;
  PostgresPollingStatusType poll = PGRES_POLLING_WRITING;
  while (poll != PGRES_POLLING_OK) {
    if (poll == PGRES_POLLING_FAILED) return c->ConnectionError("connecting");
    if (!c->WaitSocket(poll == PGRES_POLLING_WRITING, deadline)) {
      return MakeError(ErrorCode::kUnavailable, "postgresql: connecting took longer than " +
                                                    std::to_string(options.connect_timeout.count()) + " ms");
    }
    poll = PQconnectPoll(conn);
  }
  if (PQsetnonblocking(conn, 1) != 0) return c->ConnectionError("setting the connection non-blocking");
  return c;
}

Connection::~Connection() { PQfinish(conn_); }

std::string Connection::Redact(std::string text) const { return RedactSecrets(std::move(text), secrets_); }

Error Connection::ConnectionError(std::string_view context) {
  std::string message = Redact(Trimmed(PQerrorMessage(conn_)));
  // A connection that failed to open or broke: the server may come back, so it is unavailable.
  return MakeError(ErrorCode::kUnavailable, "postgresql: " + std::string(context) + ": " + message);
}

Error Connection::ResultError(PGresult* result, std::string_view context) {
  const char* state = PQresultErrorField(result, PG_DIAG_SQLSTATE);
  last_sqlstate_ = state != nullptr ? state : "";
  // A serialization failure, a deadlock, or a lock not granted within lock_timeout (set in
  // batches): the work can succeed when run again, in another order.
  if (last_sqlstate_ == "40001" || last_sqlstate_ == "40P01" || last_sqlstate_ == "55P03") {
    retryable_failure_ = true;
  }
  // The primary message only: the detail line may quote the row, with its values.
  const char* primary = PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY);
  std::string message = Redact(Trimmed(primary != nullptr ? primary : PQresultErrorMessage(result)));
  if (message.empty()) message = Redact(Trimmed(PQerrorMessage(conn_)));
  const bool unavailable = IsUnavailableState(last_sqlstate_) || Broken();
  return MakeError(unavailable ? ErrorCode::kUnavailable : ErrorCode::kInternal,
                   "postgresql: " + (context.empty() ? std::string() : std::string(context) + ": ") + message);
}

bool Connection::Broken() const { return closed_ || PQstatus(conn_) != CONNECTION_OK; }

bool Connection::InTransaction() const {
  PGTransactionStatusType status = TransactionStatus();
  return status == PQTRANS_INTRANS || status == PQTRANS_INERROR;
}

bool Connection::TakeRetryableFailure() { return std::exchange(retryable_failure_, false); }

bool Connection::WaitSocket(bool for_write, Clock::time_point deadline) {
  const int fd = PQsocket(conn_);
  if (fd < 0) return true;  // no socket: the next libpq call reports why
  pollfd p{fd, static_cast<short>(for_write ? POLLOUT : POLLIN), 0};
  for (;;) {
    int n = ::poll(&p, 1, RemainingMs(deadline));
    if (n > 0) return true;
    if (n == 0) return false;
    if (errno != EINTR) return true;  // let libpq find the error
  }
}

void Connection::CheckIdle() {
  if (Broken()) return;
  const int fd = PQsocket(conn_);
  if (fd < 0) return;
  // Data on an idle connection is a notice, or the server's last words before it closed it (read
  // first), then the end of file, which leaves the connection CONNECTION_BAD.
  for (int reads = 0; reads < 8 && !Broken(); ++reads) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 0) <= 0 || PQconsumeInput(conn_) == 0) break;
    while (PGnotify* n = PQnotifies(conn_)) PQfreemem(n);
  }
}

void Connection::Cancel() {
  // PQcancel opens a connection of its own to the server and waits for it without a deadline (a
  // partitioned network could hold it for minutes), so it runs on a thread of its own; this one
  // waits kCancelGrace at most for the statement to stop. The PGcancel object is independent of
  // the connection, which may be closed before the thread is done.
  if (PGcancel* cancel = PQgetCancel(conn_)) {
    std::thread([cancel] {
      char error[256];
      PQcancel(cancel, error, sizeof(error));
      PQfreeCancel(cancel);
    }).detach();
  }
  // The statement ends with an error (query_canceled) soon; the connection is then usable again.
  const Clock::time_point deadline = Clock::now() + kCancelGrace;
  for (;;) {
    while (PQisBusy(conn_)) {
      if (!WaitSocket(false, deadline) || PQconsumeInput(conn_) == 0) {
        closed_ = true;  // it does not answer: never reuse it
        return;
      }
    }
    PGresult* result = PQgetResult(conn_);
    if (result == nullptr) return;
    PQclear(result);
  }
}

Result<Rows> Connection::Await(Clock::time_point deadline, std::string_view what) {
  auto timed_out = [&]() -> Error {
    Cancel();
    return MakeError(ErrorCode::kUnavailable, "postgresql: the " + std::string(what) + " took longer than " +
                                                  std::to_string(options_.query_timeout.count()) +
                                                  " ms and was cancelled");
  };
  for (;;) {
    int flushed = PQflush(conn_);
    if (flushed == 0) break;
    if (flushed < 0) return ConnectionError("sending");
    // The server may be waiting for us to read before it reads more: wait for either.
    const int fd = PQsocket(conn_);
    pollfd p{fd, POLLIN | POLLOUT, 0};
    int n = ::poll(&p, 1, RemainingMs(deadline));
    if (n == 0) return timed_out();
    if (n > 0 && (p.revents & POLLIN) && PQconsumeInput(conn_) == 0) return ConnectionError("sending");
  }
  std::optional<Rows> last;
  std::optional<Error> error;
  for (;;) {
    while (PQisBusy(conn_)) {
      if (!WaitSocket(false, deadline)) return timed_out();
      if (PQconsumeInput(conn_) == 0) return ConnectionError("reading");
    }
    PGresult* result = PQgetResult(conn_);
    if (result == nullptr) break;
    ExecStatusType status = PQresultStatus(result);
    if (status == PGRES_FATAL_ERROR || status == PGRES_BAD_RESPONSE || status == PGRES_NONFATAL_ERROR) {
      if (!error) error = ResultError(result, "");
      PQclear(result);
      continue;
    }
    last.emplace(result);
  }
  if (error) return *error;
  if (!last) {
    if (Broken()) return ConnectionError("reading");
    return Rows(nullptr);
  }
  last_sqlstate_.clear();
  return std::move(*last);
}

Result<std::string> Connection::Prepared(std::string_view sql, Clock::time_point deadline) {
  std::string text(sql);
  if (auto it = prepared_.find(text); it != prepared_.end()) return it->second;
  std::string name = StatementName(sql);
  // Two texts with one hash (never seen, but possible) get distinct names.
  while (names_.contains(name)) name += "x";
  if (PQsendPrepare(conn_, name.c_str(), text.c_str(), 0, nullptr) == 0) return ConnectionError("preparing");
  Result<Rows> done = Await(deadline, "preparation");
  if (!done.ok()) return done.error();
  prepared_.emplace(text, name);
  names_.emplace(name, std::move(text));
  return name;
}

Result<Rows> Connection::Exec(std::string_view sql, const Params& params) {
  return Exec(sql, params, Clock::now() + options_.query_timeout);
}

Result<Rows> Connection::Exec(std::string_view sql, const Params& params, Clock::time_point deadline) {
  last_sqlstate_.clear();
  if (Broken()) return MakeError(ErrorCode::kUnavailable, "postgresql: the connection is closed");
  Result<std::string> name = Prepared(sql, deadline);
  if (!name.ok()) return name.error();
  std::vector<const char*> values;
  std::vector<int> lengths;
  for (const std::optional<std::string>& v : params.values_) {
    values.push_back(v ? v->data() : nullptr);
    lengths.push_back(v ? static_cast<int>(v->size()) : 0);
  }
  if (PQsendQueryPrepared(conn_, name->c_str(), params.size(), values.data(), lengths.data(), params.formats_.data(),
                          /*resultFormat=*/0) == 0) {
    return ConnectionError("sending a query");
  }
  return Await(deadline, "query");
}

Status Connection::ExecScript(std::string_view sql) { return ExecScript(sql, Clock::now() + options_.query_timeout); }

Status Connection::ExecScript(std::string_view sql, Clock::time_point deadline) {
  last_sqlstate_.clear();
  if (Broken()) return MakeError(ErrorCode::kUnavailable, "postgresql: the connection is closed");
  if (PQsendQuery(conn_, std::string(sql).c_str()) == 0) return ConnectionError("sending a script");
  Result<Rows> done = Await(deadline, "statement");
  if (!done.ok()) return done.error();
  return OkStatus();
}

// --- Pool ---

PooledConnection::~PooledConnection() {
  if (conn_ != nullptr) pool_->Release(std::move(conn_));
}

Result<std::unique_ptr<Pool>> Pool::Open(const std::string& url, const PoolOptions& options) {
  std::unique_ptr<Pool> pool(new Pool(url, options));
  Result<PooledConnection> first = pool->Acquire();
  if (!first.ok()) return first.error();
  return pool;
}

std::unique_ptr<Connection> Pool::TakeIdleLocked() {
  while (!idle_.empty()) {
    std::unique_ptr<Connection> conn = std::move(idle_.back());
    idle_.pop_back();
    conn->CheckIdle();
    if (!conn->Broken()) return conn;
    --open_;  // the server closed it (a restart, pg_terminate_backend): a new one takes its place
  }
  return nullptr;
}

Result<PooledConnection> Pool::Acquire() {
  const Clock::time_point deadline = Clock::now() + options_.connection.query_timeout;
  std::unique_lock lock(mu_);
  for (;;) {
    if (std::unique_ptr<Connection> conn = TakeIdleLocked()) return PooledConnection(this, std::move(conn));
    if (open_ < options_.max_connections) {
      ++open_;
      lock.unlock();
      Result<std::unique_ptr<Connection>> conn = Connection::Open(url_, options_.connection);
      if (!conn.ok()) {
        lock.lock();
        --open_;
        released_.notify_one();
        return conn.error();
      }
      return PooledConnection(this, std::move(*conn));
    }
    if (released_.wait_until(lock, deadline) == std::cv_status::timeout && idle_.empty() &&
        open_ >= options_.max_connections) {
      return MakeError(ErrorCode::kUnavailable, "postgresql: all " + std::to_string(options_.max_connections) +
                                                    " connections stayed busy for " +
                                                    std::to_string(options_.connection.query_timeout.count()) + " ms");
    }
  }
}

std::optional<PooledConnection> Pool::TryAcquire() {
  std::lock_guard lock(mu_);
  if (std::unique_ptr<Connection> conn = TakeIdleLocked()) return PooledConnection(this, std::move(conn));
  return std::nullopt;
}

void Pool::Release(std::unique_ptr<Connection> conn) {
  // A connection left inside a transaction (its rollback failed) is not handed to anyone else.
  const bool keep = !conn->Broken() && conn->TransactionStatus() == PQTRANS_IDLE;
  {
    std::lock_guard lock(mu_);
    if (keep) {
      idle_.push_back(std::move(conn));
    } else {
      --open_;
    }
  }
  released_.notify_one();
  conn.reset();  // a dropped connection closes outside the lock
}

int Pool::size() {
  std::lock_guard lock(mu_);
  return open_;
}

}  // namespace turnpike::store::pg
