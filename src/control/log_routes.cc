// The signed-in user's request log and activity rollups.
#include <boost/json.hpp>
#include <charconv>

#include "control/api.h"
#include "control/fields.h"
#include "control/views.h"

namespace turnpike::control {
namespace json = boost::json;

namespace {

constexpr int64_t kDefaultPage = 50;
constexpr int64_t kMaxPage = 200;
constexpr int64_t kDayMs = 86'400'000;
constexpr int64_t kDefaultActivityDays = 30;

// The cursor is the row id of the last log returned, as decimal text. Clients treat it as opaque.
std::optional<int64_t> ParseCursor(std::string_view text) {
  int64_t id = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec != std::errc() || p != text.data() + text.size() || id <= 0) return std::nullopt;
  return id;
}

int64_t FloorDay(int64_t ms) { return ms >= 0 ? ms / kDayMs * kDayMs : 0; }

}  // namespace

Reply Api::Logs(const Call& call) {
  auto query = Fields::FromQuery(call.http.query);
  if (!query.ok()) return ErrorReply(query.error());
  store::LogQuery q;
  q.user_id = call.user().id;
  q.key_id = query->Int("key_id", 1, INT64_MAX);
  q.model_id = query->String("model", Need::kOptional, 200).value_or("");
  if (auto status = query->Int("status", 100, 599)) q.http_status = static_cast<int>(*status);
  q.from_ms = query->TimeMillis("from").value_or(0);
  q.to_ms = query->TimeMillis("to").value_or(INT64_MAX);
  q.limit = static_cast<int>(query->Int("limit", 1, kMaxPage).value_or(kDefaultPage));
  if (auto cursor = query->String("cursor", Need::kOptional, 40)) {
    auto before = ParseCursor(*cursor);
    if (!before) query->Fail("cursor", "is not a cursor this server returned");
    q.before_id = before.value_or(0);
  }
  if (!query->ok()) return query->Failure();
  auto queried = request_log_.QueryRequestLogs(q);
  if (!queried.ok()) return ErrorReply(queried.error());
  const std::vector<store::RequestLogRow>& rows = *queried;
  json::array logs;
  for (const auto& row : rows) logs.push_back(LogJson(row, false));
  json::object body;
  body["logs"] = std::move(logs);
  bool more = !rows.empty() && static_cast<int>(rows.size()) >= q.limit;
  body["next_cursor"] = more ? json::value(std::to_string(rows.back().id)) : json::value(nullptr);
  return JsonReply(200, body);
}

Reply Api::LogById(const Call& call) {
  std::string_view id = call.Param("id");
  Result<std::optional<store::RequestLogRow>> row = std::optional<store::RequestLogRow>();
  if (id.size() <= 64) row = request_log_.FindRequestLog(std::string(id));
  if (!row.ok()) return ErrorReply(row.error());
  if (!*row || (*row)->user_id != call.user().id) {
    return ErrorReply(MakeError(ErrorCode::kNotFound, "No request with id " + std::string(id.substr(0, 64))));
  }
  return JsonReply(200, json::object{{"log", LogJson(**row, true)}});
}

Reply Api::Activity(const Call& call) {
  auto query = Fields::FromQuery(call.http.query);
  if (!query.ok()) return ErrorReply(query.error());
  store::ActivityQuery q;
  q.user_id = call.user().id;
  // Whole UTC days; `to` is exclusive, and a `to` inside a day includes that day.
  int64_t now_ms = call.now * 1000;
  int64_t to = query->TimeMillis("to").value_or(now_ms);
  q.to_ms = FloorDay(to) == to ? to : FloorDay(to) + kDayMs;
  q.from_ms = FloorDay(query->TimeMillis("from").value_or(q.to_ms - kDefaultActivityDays * kDayMs));
  q.group_by = query->String("group_by", Need::kOptional, 10).value_or("day");
  if (q.group_by != "day" && q.group_by != "model" && q.group_by != "key") {
    query->Fail("group_by", "must be day, model or key");
  }
  q.split_by = query->String("split_by", Need::kOptional, 10).value_or("");
  if (!q.split_by.empty() && q.split_by != "model" && q.split_by != "key") {
    query->Fail("split_by", "must be model or key");
  } else if (!q.split_by.empty() && q.group_by != "day") {
    query->Fail("split_by", "needs group_by=day");
  }
  if (!query->ok()) return query->Failure();
  auto rollups = request_log_.Activity(q);
  if (!rollups.ok()) return ErrorReply(rollups.error());
  ActivityList list = ActivityListJson(*rollups);
  json::object body;
  body["buckets"] = std::move(list.buckets);
  body["totals"] = std::move(list.totals);
  return JsonReply(200, body);
}

}  // namespace turnpike::control
