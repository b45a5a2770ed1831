// TEMPORARY: control-plane methods not implemented yet (replaced within the hour).
#include "store/sqlite/sqlite_store.h"

namespace turnpike::store::sqlite {
namespace {
Error NotYet() { return MakeError(ErrorCode::kInternal, "not implemented yet"); }
}  // namespace

std::vector<RequestLogRow> SqliteStore::QueryRequestLogs(const LogQuery&) { return {}; }
std::vector<ActivityBucket> SqliteStore::Activity(const ActivityQuery&) { return {}; }
Status SqliteStore::CreateSession(const Session&) { return NotYet(); }
std::optional<Session> SqliteStore::FindSession(const std::string&, int64_t) { return std::nullopt; }
Status SqliteStore::DeleteSession(const std::string&) { return NotYet(); }
Status SqliteStore::DeleteUserSessions(int64_t) { return NotYet(); }
std::vector<User> SqliteStore::ListUsers(int64_t, int) { return {}; }
Status SqliteStore::SetUserFlags(int64_t, std::optional<bool>, std::optional<bool>) { return NotYet(); }
Status SqliteStore::Debit(int64_t, Micros, const std::string&, const std::string&) { return NotYet(); }
Status SqliteStore::UpdateKey(int64_t, const KeyUpdate&) { return NotYet(); }
Status SqliteStore::DeleteKey(int64_t) { return NotYet(); }
Status SqliteStore::RotateKey(int64_t, const std::string&, const std::string&) { return NotYet(); }
void SqliteStore::TouchKey(int64_t, int64_t) {}
Result<int64_t> SqliteStore::CreateTopup(const Topup&) { return NotYet(); }
Result<bool> SqliteStore::CompleteTopup(const std::string&, const std::string&, int64_t) { return NotYet(); }
std::optional<Topup> SqliteStore::FindTopup(const std::string&, const std::string&) { return std::nullopt; }
std::vector<Topup> SqliteStore::ListTopups(int64_t, int) { return {}; }

}  // namespace turnpike::store::sqlite
