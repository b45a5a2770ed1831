#include "store/pg/pg_owners.h"

#include <algorithm>

#include "common/crypto.h"

namespace turnpike::store::pg {
namespace {

constexpr std::chrono::milliseconds kDeadline{2000};

}  // namespace

int32_t OwnerLockKey(const std::string& id) {
  uint32_t hash = 2166136261u;  // FNV-1a, 32 bits
  for (unsigned char c : id) {
    hash ^= c;
    hash *= 16777619u;
  }
  return static_cast<int32_t>(hash);
}

Result<std::unique_ptr<PgOwnerRegistry>> PgOwnerRegistry::Open(const std::string& url, ConnectionOptions options) {
  options.connect_timeout = std::min(options.connect_timeout, kDeadline);
  options.query_timeout = std::min(options.query_timeout, kDeadline);
  Result<std::unique_ptr<Connection>> conn = Connection::Open(url, options);
  if (!conn.ok()) return conn.error();
  return std::unique_ptr<PgOwnerRegistry>(new PgOwnerRegistry(url, std::move(options), std::move(*conn)));
}

Result<Connection*> PgOwnerRegistry::LiveLocked() {
  if (conn_ != nullptr) conn_->CheckIdle();
  if (conn_ != nullptr && !conn_->Broken()) return conn_.get();
  // The session ended, and with it any lock it held.
  held_ = false;
  backend_pid_ = 0;
  conn_.reset();
  Result<std::unique_ptr<Connection>> conn = Connection::Open(url_, options_);
  if (!conn.ok()) return conn.error();
  conn_ = std::move(*conn);
  return conn_.get();
}

Result<bool> PgOwnerRegistry::TryLockLocked(Connection& c, const std::string& id) {
  Result<Rows> rows = c.Exec("SELECT pg_try_advisory_lock($1::integer, $2::integer), pg_backend_pid()",
                             Params().Add(kOwnerLockClass).Add(OwnerLockKey(id)));
  if (!rows.ok()) return rows.error();
  if (rows->empty() || !rows->Bool(0, 0)) return false;
  backend_pid_ = static_cast<int>(rows->Int(0, 1));
  return true;
}

Result<std::string> PgOwnerRegistry::Claim() {
  std::lock_guard lock(mu_);
  if (!id_.empty()) return MakeError(ErrorCode::kInternal, "an owner id is claimed already");
  Result<Connection*> c = LiveLocked();
  if (!c.ok()) return c.error();
  // An id whose key another running process holds (a hash shared by chance) is drawn again.
  for (int attempt = 0; attempt < 8; ++attempt) {
    std::string id = crypto::RandomHex(12);
    Result<bool> taken = TryLockLocked(**c, id);
    if (!taken.ok()) return taken.error();
    if (*taken) {
      id_ = id;
      held_ = true;
      return id;
    }
  }
  return MakeError(ErrorCode::kInternal, "no free owner lock in the database after 8 draws");
}

Result<bool> PgOwnerRegistry::Running(const std::string& id) {
  std::lock_guard lock(mu_);
  if (!id_.empty() && id == id_) return true;
  Result<Connection*> c = LiveLocked();
  if (!c.ok()) return c.error();
  // Succeeds only when no session holds the key; the lock ends with the statement's transaction.
  Result<Rows> rows = (*c)->Exec("SELECT pg_try_advisory_xact_lock($1::integer, $2::integer)",
                                 Params().Add(kOwnerLockClass).Add(OwnerLockKey(id)));
  if (!rows.ok()) return rows.error();
  if (rows->empty()) return MakeError(ErrorCode::kInternal, "postgresql: no answer to the owner lock check");
  return !rows->Bool(0, 0);
}

OwnerRegistry::Claimed PgOwnerRegistry::Keep() {
  std::lock_guard lock(mu_);
  if (id_.empty()) return Claimed::kHeld;
  Result<Connection*> c = LiveLocked();
  if (c.ok() && held_) {
    // A round trip: a connection the network dropped without a word shows only when used. A
    // statement that failed on a session still open leaves the lock with the session.
    if ((*c)->Exec("SELECT 1").ok() || !(*c)->Broken()) return Claimed::kHeld;
    c = LiveLocked();
  }
  if (!c.ok()) return Claimed::kLost;
  Result<bool> taken = TryLockLocked(**c, id_);
  if (!taken.ok() || !*taken) return Claimed::kLost;
  held_ = true;
  return Claimed::kRetaken;
}

int PgOwnerRegistry::backend_pid() {
  std::lock_guard lock(mu_);
  return held_ ? backend_pid_ : 0;
}

}  // namespace turnpike::store::pg
