// PgStore: dashboard sessions, keyed by the hash of the session id.
#include "store/pg/pg_store.h"
#include "store/pg/util.h"

namespace turnpike::store::pg {

Status PgStore::CreateSession(const Session& session) {
  if (session.id_hash.empty()) return MakeError(ErrorCode::kBadRequest, "session id is empty");
  Result<Rows> rows = WriteOne("INSERT INTO sessions (id, user_id, expires_at, created_at) VALUES ($1, $2, $3, $4)",
                               Params()
                                   .Add(session.id_hash)
                                   .Add(session.user_id)
                                   .Add(session.expires_at)
                                   .Add(session.created_at != 0 ? session.created_at : NowUnix()),
                               {.conflict = "session exists", .missing = "no such user"});
  if (!rows.ok()) return rows.error();
  return OkStatus();
}

Result<std::optional<Session>> PgStore::FindSession(const std::string& id_hash, int64_t now_unix) {
  Result<Rows> rows = Read("SELECT id, user_id, expires_at, created_at FROM sessions WHERE id = $1 AND expires_at > $2",
                           Params().Add(id_hash).Add(now_unix));
  if (!rows.ok()) return rows.error();
  return FirstRow(*rows, [](const Rows& r, int i) {
    return Session{r.Text(i, 0), r.Int(i, 1), r.Int(i, 2), r.Int(i, 3)};
  });
}

Status PgStore::DeleteSession(const std::string& id_hash) {
  Result<Rows> rows = WriteOne("DELETE FROM sessions WHERE id = $1", Params().Add(id_hash));
  if (!rows.ok()) return rows.error();
  return OkStatus();
}

Status PgStore::DeleteUserSessions(int64_t user_id) {
  Result<Rows> rows = WriteOne("DELETE FROM sessions WHERE user_id = $1", Params().Add(user_id));
  if (!rows.ok()) return rows.error();
  return OkStatus();
}

}  // namespace turnpike::store::pg
