// SessionStore: dashboard sessions, by the hash of their id (control/session.h signs the tokens).
// Threading and errors as every store interface (users.h): reads answer Result, absent is
// std::nullopt, a database error is an Error.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "common/result.h"

namespace turnpike::store {

// A dashboard session. The token a browser holds names the session by a random id; the store
// keeps only the id's hash, so a database leak does not leak sessions.
struct Session {
  std::string id_hash;  // lower-case hex SHA-256 of the session id
  int64_t user_id = 0;
  int64_t expires_at = 0;  // unix seconds
  int64_t created_at = 0;
};

class SessionStore {
 public:
  virtual ~SessionStore() = default;

  virtual Status CreateSession(const Session& session) = 0;
  // nullopt when unknown or expired at `now_unix`.
  virtual Result<std::optional<Session>> FindSession(const std::string& id_hash, int64_t now_unix) = 0;
  virtual Status DeleteSession(const std::string& id_hash) = 0;  // OK when already gone
  virtual Status DeleteUserSessions(int64_t user_id) = 0;
};

}  // namespace turnpike::store
