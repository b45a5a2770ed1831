// SqliteStore: dashboard sessions, keyed by the hash of the session id.
#include "store/sqlite/connection.h"
#include "store/sqlite/sqlite_store.h"
#include "store/sqlite/util.h"

namespace turnpike::store::sqlite {

Status SqliteStore::CreateSession(const Session& session) {
  if (session.id_hash.empty()) return MakeError(ErrorCode::kBadRequest, "session id is empty");
  std::lock_guard lock(mu_);
  Statement s(*conn_, "INSERT INTO sessions (id, user_id, expires_at, created_at) VALUES (?, ?, ?, ?)");
  s.Bind(session.id_hash).Bind(session.user_id).Bind(session.expires_at);
  s.Bind(session.created_at != 0 ? session.created_at : NowUnix());
  if (Status status = s.Run(); !status.ok()) {
    int code = s.result_code();
    if (IsUniqueViolation(code)) return MakeError(ErrorCode::kConflict, "session exists");
    if (code == SQLITE_CONSTRAINT_FOREIGNKEY) {
      return MakeError(ErrorCode::kNotFound, "no such user");
    }
    return status;
  }
  return OkStatus();
}

Result<std::optional<Session>> SqliteStore::FindSession(const std::string& id_hash, int64_t now_unix) {
  std::lock_guard lock(mu_);
  Statement s(*conn_,
              "SELECT id, user_id, expires_at, created_at FROM sessions "
              "WHERE id = ? AND expires_at > ?");
  s.Bind(id_hash).Bind(now_unix);
  return ReadFirstRow(s, [](const Statement& row) { return Session{row.Text(0), row.Int(1), row.Int(2), row.Int(3)}; });
}

Status SqliteStore::DeleteSession(const std::string& id_hash) {
  std::lock_guard lock(mu_);
  Statement s(*conn_, "DELETE FROM sessions WHERE id = ?");
  s.Bind(id_hash);
  return s.Run();
}

Status SqliteStore::DeleteUserSessions(int64_t user_id) {
  std::lock_guard lock(mu_);
  Statement s(*conn_, "DELETE FROM sessions WHERE user_id = ?");
  s.Bind(user_id);
  return s.Run();
}

}  // namespace turnpike::store::sqlite
