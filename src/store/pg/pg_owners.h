// PgOwnerRegistry: process liveness in a PostgreSQL database (store/owners.h), so that replicas on
// several hosts see one another.
//
// A process that claims an owner id takes a session-level advisory lock derived from that id on
// a connection of its own, kept open for the process's life. When the process ends in any way
// (kill -9 included) its session ends and the server frees the lock; so does a connection the
// server terminates (pg_terminate_backend, a server restart). "Is X running" asks the server
// whether X's lock is taken: pg_try_advisory_xact_lock on X's key succeeds only when nobody holds
// it, and frees it again at the end of the statement.
//
// Keys: the two-integer form of advisory locks (a key space apart from the single-bigint locks of
// migrations and catalog writes), class kOwnerLockClass and the 32-bit FNV-1a hash of the id. Two
// ids sharing a hash read as running while either is: their holds are kept, never released early.
// Claim draws another id when the hash of the one drawn is taken.
//
// A running process loses its lock when its connection breaks; Keep (called a few times a second)
// connects again and takes the lock again. Another process must therefore read an owner as gone
// for grace() before it releases that owner's holds (app/owner_reaper.h).
//
// Threading: thread-safe (one mutex around the connection). Every call is bounded by the
// connection's deadlines (connect 2 s, query 2 s).
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "store/owners.h"
#include "store/pg/connection.h"

namespace turnpike::store::pg {

inline constexpr int32_t kOwnerLockClass = 0x74706f77;  // "tpow"

// The advisory-lock key of owner `id` (the second integer; the first is kOwnerLockClass).
int32_t OwnerLockKey(const std::string& id);

class PgOwnerRegistry final : public OwnerRegistry {
 public:
  // Connects to the database `url` names (`options` as for the store; the deadlines are shortened
  // to 2 s). kUnavailable when the server does not answer in time.
  static Result<std::unique_ptr<PgOwnerRegistry>> Open(const std::string& url, ConnectionOptions options = {});

  Result<std::string> Claim() override;
  Result<bool> Running(const std::string& id) override;
  void Forget(const std::string&) override {}
  Claimed Keep() override;
  std::chrono::milliseconds grace() const override { return std::chrono::milliseconds(2000); }

  // The server process of the connection that holds the claim, 0 when none (for tests, which end
  // it with pg_terminate_backend).
  int backend_pid();

 private:
  PgOwnerRegistry(std::string url, ConnectionOptions options, std::unique_ptr<Connection> conn)
      : url_(std::move(url)), options_(std::move(options)), conn_(std::move(conn)) {}
  // A live connection, connecting again when the last one broke. Called with mu_ held.
  Result<Connection*> LiveLocked();
  // Takes the session lock of `id` on `c`: true when taken, false when another session holds it.
  Result<bool> TryLockLocked(Connection& c, const std::string& id);

  const std::string url_;
  const ConnectionOptions options_;
  std::mutex mu_;
  std::unique_ptr<Connection> conn_;  // guarded by mu_; null after a failed reconnect
  std::string id_;                    // guarded by mu_: the claimed id, "" before Claim
  bool held_ = false;                 // guarded by mu_: the lock of id_ is held on conn_
  int backend_pid_ = 0;               // guarded by mu_
};

}  // namespace turnpike::store::pg
