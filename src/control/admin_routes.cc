// User administration (admins only; Handle() checks that before these run).
#include <boost/json.hpp>
#include <charconv>

#include "common/crypto.h"
#include "control/api.h"
#include "control/fields.h"
#include "control/time_format.h"
#include "control/views.h"

namespace turnpike::control {
namespace json = boost::json;

namespace {

constexpr int64_t kDefaultPage = 50;
constexpr int64_t kMaxPage = 200;
constexpr size_t kMaxNote = 500;
constexpr int kRecentRequests = 20;
constexpr int64_t kUsageDays = 30;
constexpr int64_t kDayMs = 86'400'000;
constexpr money::Micros kMaxAdjustment = 1'000'000'000 * money::kMicrosPerUsd;  // $1e9 either way

// The user named by `id_text`; kNotFound for a malformed or unknown id; the store's error.
Result<store::User> TargetUser(store::UserStore& users, std::string_view id_text) {
  int64_t id = 0;
  auto [p, ec] = std::from_chars(id_text.data(), id_text.data() + id_text.size(), id);
  Result<std::optional<store::User>> user = std::optional<store::User>();
  if (ec == std::errc() && p == id_text.data() + id_text.size() && id > 0) user = users.FindUserById(id);
  if (!user.ok()) return user.error();
  if (!*user) return MakeError(ErrorCode::kNotFound, "No user with id " + std::string(id_text.substr(0, 40)));
  return **user;
}

json::object UserWithBalance(const store::User& user) {
  json::object o = UserJson(user);
  o["balance_micros"] = user.balance;
  return o;
}

}  // namespace

Reply Api::AdminUsers(const Call& call) {
  auto query = Fields::FromQuery(call.http.query);
  if (!query.ok()) return ErrorReply(query.error());
  int64_t after = query->Int("after", 0, INT64_MAX).value_or(0);
  int64_t limit = query->Int("limit", 1, kMaxPage).value_or(kDefaultPage);
  if (!query->ok()) return query->Failure();
  auto listed = users_.ListUsers(after, static_cast<int>(limit));
  if (!listed.ok()) return ErrorReply(listed.error());
  json::array users;
  for (const auto& user : *listed) users.push_back(UserWithBalance(user));
  return JsonReply(200, json::object{{"users", std::move(users)}});
}

// One user for the admin's user page: their balance and totals, keys, the last 30 UTC days'
// usage by model, and their most recent requests.
Reply Api::AdminUser(const Call& call) {
  auto target = TargetUser(users_, call.Param("id"));
  if (!target.ok()) return ErrorReply(target.error());
  json::object user = UserWithBalance(*target);
  if (auto totals = AddTotals(target->id, user); !totals.ok()) return ErrorReply(totals.error());

  auto keys = keys_.ListKeys(target->id);
  if (!keys.ok()) return ErrorReply(keys.error());
  json::array key_list;
  for (const auto& key : *keys) key_list.push_back(KeyJson(key));

  store::ActivityQuery usage_query;
  usage_query.user_id = target->id;
  usage_query.to_ms = (call.now * 1000 / kDayMs + 1) * kDayMs;  // through the end of today (UTC)
  usage_query.from_ms = usage_query.to_ms - kUsageDays * kDayMs;
  usage_query.group_by = "model";
  auto usage = request_log_.Activity(usage_query);
  if (!usage.ok()) return ErrorReply(usage.error());
  ActivityList by_model = ActivityListJson(*usage);

  store::LogQuery recent_query;
  recent_query.user_id = target->id;
  recent_query.limit = kRecentRequests;
  auto recent = request_log_.QueryRequestLogs(recent_query);
  if (!recent.ok()) return ErrorReply(recent.error());
  json::array requests;
  for (const auto& row : *recent) requests.push_back(LogJson(row, false));

  json::object body;
  body["user"] = std::move(user);
  body["keys"] = std::move(key_list);
  body["usage"] = json::object{{"from", FormatUnixSeconds(usage_query.from_ms / 1000)},
                               {"to", FormatUnixSeconds(usage_query.to_ms / 1000)},
                               {"totals", std::move(by_model.totals)},
                               {"by_model", std::move(by_model.buckets)}};
  body["recent_requests"] = std::move(requests);
  return JsonReply(200, body);
}

Reply Api::AdminUpdateUser(const Call& call) {
  auto target = TargetUser(users_, call.Param("id"));
  if (!target.ok()) return ErrorReply(target.error());
  auto fields = Fields::FromBody(call.http.body, kMaxApiBodyBytes);
  if (!fields.ok()) return ErrorReply(fields.error());
  auto is_admin = fields->Bool("is_admin");
  auto disabled = fields->Bool("disabled");
  if (!fields->ok()) return fields->Failure();
  // An administrator cannot lock themselves out (someone else has to do it).
  if (target->id == call.user().id && (is_admin == false || disabled == true)) {
    return ErrorReply(MakeError(ErrorCode::kConflict, "You cannot remove your own admin rights or disable yourself"));
  }
  if (auto s = users_.SetUserFlags(target->id, is_admin, disabled); !s.ok()) return ErrorReply(s.error());
  if (disabled == true) {
    // Signed out everywhere at once, and their keys re-read by the gateway on next use.
    if (auto s = sessions_.EndAll(target->id); !s.ok()) return ErrorReply(s.error());
    auto keys = keys_.ListKeys(target->id);
    if (!keys.ok()) return ErrorReply(keys.error());
    for (const auto& key : *keys) ForgetKey(key.hash_hex);
  }
  auto updated = users_.FindUserById(target->id);
  if (!updated.ok()) return ErrorReply(updated.error());
  if (!*updated) return ErrorReply(MakeError(ErrorCode::kNotFound, "No user with id " + std::to_string(target->id)));
  return JsonReply(200, json::object{{"user", UserJson(**updated)}});
}

Reply Api::AdminCredits(const Call& call) {
  auto target = TargetUser(users_, call.Param("id"));
  if (!target.ok()) return ErrorReply(target.error());
  auto fields = Fields::FromBody(call.http.body, kMaxApiBodyBytes);
  if (!fields.ok()) return ErrorReply(fields.error());
  auto amount = fields->Usd("amount_usd", Need::kRequired);
  if (amount == 0) fields->Fail("amount_usd", "must not be zero (positive grants, negative deducts)");
  if (amount && (*amount > kMaxAdjustment || *amount < -kMaxAdjustment)) fields->Fail("amount_usd", "is too large");
  auto note = fields->String("note", Need::kOptional, kMaxNote);
  if (!fields->ok()) return fields->Failure();
  std::string text = note.value_or(*amount > 0 ? "granted by an administrator" : "deducted by an administrator");
  // Each call is its own operation: a fresh idempotency id.
  Status moved = *amount > 0
                     ? ledger_.Credit(target->id, *amount, "grant", "grant:admin:" + crypto::RandomHex(16), text)
                     : ledger_.Debit(target->id, -*amount, "deduct:admin:" + crypto::RandomHex(16), text);
  if (!moved.ok()) {
    if (moved.error().code == ErrorCode::kConflict) {
      return ErrorReply(MakeError(ErrorCode::kConflict, "The balance cannot go below zero"), "amount_usd");
    }
    return ErrorReply(moved.error());
  }
  auto updated = users_.FindUserById(target->id);
  if (!updated.ok()) return ErrorReply(updated.error());
  return JsonReply(200, json::object{{"balance_micros", *updated ? (*updated)->balance : 0}});
}

}  // namespace turnpike::control
