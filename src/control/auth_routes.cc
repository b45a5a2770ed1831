// Sign-up, sign-in, sign-out and the signed-in user.
#include <algorithm>
#include <boost/json.hpp>
#include <variant>

#include "common/crypto.h"
#include "control/account_rules.h"
#include "control/api.h"
#include "control/fields.h"
#include "control/time_format.h"
#include "control/views.h"
#include "protocol/openrouter_request.h"

namespace turnpike::control {
namespace json = boost::json;

namespace {

Error BadCredentials() { return MakeError(ErrorCode::kUnauthorized, "Invalid email or password"); }

struct Credentials {
  std::string email;  // normalised
  std::string password;
};

// Reads {email, password}; on a problem, the 400 to answer.
std::variant<Credentials, Reply> ReadCredentials(const Call& call, bool check_password_rules) {
  auto fields = Fields::FromBody(call.http.body, kMaxApiBodyBytes);
  if (!fields.ok()) return ErrorReply(fields.error());
  auto email = fields->String("email", Need::kRequired, 254);
  auto password = fields->String("password", Need::kRequired, kMaxPasswordChars);
  if (!fields->ok()) return fields->Failure();
  auto normal = NormalizeEmail(*email);
  if (!normal) {
    return ErrorReply(MakeError(ErrorCode::kBadRequest, "email must be an email address"), "email");
  }
  if (check_password_rules && !ValidPassword(*password)) {
    return ErrorReply(MakeError(ErrorCode::kBadRequest, "password must be 8 to 256 characters"), "password");
  }
  return Credentials{std::move(*normal), std::move(*password)};
}

}  // namespace

// Someone who guesses at an account from many addresses is held to any_email_limiter_'s pace in
// all; the owner, signing in from an address the account signed in from before, is not held up
// by them: their attempts count only against that address's own limits. (A per-email limit over
// every address would let anyone lock a chosen account out with a few wrong passwords a minute.)
std::optional<Reply> Api::Throttle(const Call& call, const std::string& email) {
  const std::string& address = call.client.address;
  int64_t wait = ip_limiter_.Acquire("ip:" + address);
  if (wait == 0) wait = email_limiter_.Acquire("email:" + email + " ip:" + address);
  if (wait == 0 && !known_clients_.Knows(email + " ip:" + address)) wait = any_email_limiter_.Acquire("email:" + email);
  if (wait == 0) return std::nullopt;
  Reply reply = ErrorReply(MakeError(ErrorCode::kRateLimited,
                                     "Too many sign-in attempts: try again in " + std::to_string(wait) + " seconds"));
  AddHeader(reply, "retry-after", std::to_string(wait));
  return reply;
}

Reply Api::SessionReply(int status, const store::User& user, const Call& call) {
  auto session = sessions_.Start(user.id, call.now);
  if (!session.ok()) return ErrorReply(session.error());
  json::object body;
  body["user"] = UserJson(user);
  body["token"] = session->token;
  body["expires_at"] = FormatUnixSeconds(session->expires_at);
  Reply reply = JsonReply(status, body);
  AddHeader(reply, "Set-Cookie", SessionCookie(session->token, call.client.https));
  known_clients_.Remember(user.email + " ip:" + call.client.address);
  return reply;
}

Reply Api::Signup(const Call& call) {
  if (!allow_signup_) return ErrorReply(MakeError(ErrorCode::kForbidden, "Sign-up is disabled on this server"));
  auto read = ReadCredentials(call, true);
  if (auto* failure = std::get_if<Reply>(&read)) return std::move(*failure);
  auto& credentials = std::get<Credentials>(read);
  if (auto limited = Throttle(call, credentials.email)) return std::move(*limited);
  auto hash = crypto::HashPassword(credentials.password);
  if (!hash.ok()) return ErrorReply(hash.error());
  auto id = users_.CreateUser(credentials.email, *hash, false);
  if (!id.ok()) {
    if (id.error().code == ErrorCode::kConflict) {
      return ErrorReply(MakeError(ErrorCode::kConflict, "An account cannot be created with this email"), "email");
    }
    return ErrorReply(id.error());
  }
  auto user = users_.FindUserById(*id);
  if (!user.ok()) return ErrorReply(user.error());
  if (!*user) return ErrorReply(MakeError(ErrorCode::kInternal, "the new user is missing"));
  return SessionReply(201, **user, call);
}

Reply Api::Login(const Call& call) {
  auto read = ReadCredentials(call, false);
  if (auto* failure = std::get_if<Reply>(&read)) return std::move(*failure);
  auto& credentials = std::get<Credentials>(read);
  if (auto limited = Throttle(call, credentials.email)) return std::move(*limited);
  auto found = users_.FindUserByEmail(credentials.email);
  if (!found.ok()) return ErrorReply(found.error());
  const std::optional<store::User>& user = *found;
  // Always verify one hash, so the answer takes as long whether or not the account exists.
  const std::string& hash = user ? user->password_hash : dummy_hash_;
  bool verified = crypto::VerifyPassword(credentials.password, hash);
  if (!user || !verified || user->disabled) return ErrorReply(BadCredentials());
  return SessionReply(200, *user, call);
}

Reply Api::Logout(const Call& call) {
  if (call.principal) {
    if (auto s = sessions_.End(call.principal->session); !s.ok()) return ErrorReply(s.error());
  }
  Reply reply = NoContent();
  AddHeader(reply, "Set-Cookie", ClearedSessionCookie(call.client.https));
  return reply;
}

// {current_password, new_password}: the current password is checked (at the sign-in pace, so it
// cannot be guessed faster through this route), every session of the user ends, and this browser
// gets a new one, so it stays signed in while every other one must sign in again.
Reply Api::ChangePassword(const Call& call) {
  const store::User& user = call.user();
  auto fields = Fields::FromBody(call.http.body, kMaxApiBodyBytes);
  if (!fields.ok()) return ErrorReply(fields.error());
  auto current = fields->String("current_password", Need::kRequired, kMaxPasswordChars);
  auto next = fields->String("new_password", Need::kRequired, kMaxPasswordChars);
  if (!fields->ok()) return fields->Failure();
  if (!ValidPassword(*next)) {
    return ErrorReply(MakeError(ErrorCode::kBadRequest, "new_password must be 8 to 256 characters"), "new_password");
  }
  if (auto limited = Throttle(call, user.email)) return std::move(*limited);
  // A 400, not a 401: the session is fine, only this field is wrong.
  if (!crypto::VerifyPassword(*current, user.password_hash)) {
    return ErrorReply(MakeError(ErrorCode::kBadRequest, "The current password is not right"), "current_password");
  }
  auto hash = crypto::HashPassword(*next);
  if (!hash.ok()) return ErrorReply(hash.error());
  if (auto s = users_.SetUserPassword(user.id, *hash); !s.ok()) return ErrorReply(s.error());
  if (auto s = sessions_.EndAll(user.id); !s.ok()) return ErrorReply(s.error());
  return SessionReply(200, user, call);
}

// Ends every session of the user, this one included (API keys are not sessions: they keep working).
Reply Api::LogoutEverywhere(const Call& call) {
  if (auto s = sessions_.EndAll(call.user().id); !s.ok()) return ErrorReply(s.error());
  Reply reply = NoContent();
  AddHeader(reply, "Set-Cookie", ClearedSessionCookie(call.client.https));
  return reply;
}

// {confirm_email}: closes the account (store::UserStore::CloseUser says what goes and what stays).
// The email typed must be the account's; an admin account is refused (another admin must take the
// role away first, so a server never loses its last admin this way).
Reply Api::DeleteAccount(const Call& call) {
  const store::User& user = call.user();
  auto fields = Fields::FromBody(call.http.body, kMaxApiBodyBytes);
  if (!fields.ok()) return ErrorReply(fields.error());
  auto confirm = fields->String("confirm_email", Need::kRequired, 254);
  if (!fields->ok()) return fields->Failure();
  std::string_view text = *confirm;  // as typed: surrounding spaces do not count
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  auto typed = NormalizeEmail(std::string(text));
  if (!typed || *typed != user.email) {
    return ErrorReply(MakeError(ErrorCode::kBadRequest, "confirm_email must be this account's email"), "confirm_email");
  }
  if (user.is_admin) {
    return ErrorReply(
        MakeError(ErrorCode::kForbidden,
                  "An admin account cannot be deleted: another admin must first take away its admin role"));
  }
  auto keys = keys_.ListKeys(user.id);
  if (!keys.ok()) return ErrorReply(keys.error());
  const std::string tombstone = "deleted-" + std::to_string(user.id) + "@deleted.invalid";
  if (auto s = users_.CloseUser(user.id, tombstone, call.now); !s.ok()) return ErrorReply(s.error());
  for (const auto& key : *keys) ForgetKey(key.hash_hex);
  Reply reply = NoContent();
  AddHeader(reply, "Set-Cookie", ClearedSessionCookie(call.client.https));
  return reply;
}

// The account's default provider preferences: OpenRouter's `provider` object, which the gateway
// applies to a request that sets no `provider` (gateway/chat_handler.cc), or null for none.
Reply Api::GetProviderPreferences(const Call& call) {
  auto stored = users_.GetUserProviderPreferences(call.user().id);
  if (!stored.ok()) return ErrorReply(stored.error());
  json::object body;
  body["provider"] = nullptr;
  if (!stored->empty()) {
    boost::system::error_code ec;
    json::value v = json::parse(*stored, ec);
    if (!ec) body["provider"] = std::move(v);
  }
  return JsonReply(200, body);
}

// {provider: object | null}: checked as a request's `provider` is (same messages), then stored;
// the user's keys are dropped from this process's key cache so the next request sees it.
Reply Api::PutProviderPreferences(const Call& call) {
  if (call.http.body.size() > kMaxApiBodyBytes) {
    return ErrorReply(MakeError(ErrorCode::kTooLarge, "The body is too large"));
  }
  boost::system::error_code ec;
  json::value body = json::parse(call.http.body, ec);
  if (ec || !body.is_object()) return ErrorReply(MakeError(ErrorCode::kBadRequest, "The body must be a JSON object"));
  const json::value* provider = body.as_object().if_contains("provider");
  if (!provider || !(provider->is_object() || provider->is_null())) {
    return ErrorReply(
        MakeError(ErrorCode::kBadRequest, "provider must be an object (OpenRouter's provider preferences) or null"),
        "provider");
  }
  std::string stored;
  if (provider->is_object() && !provider->as_object().empty()) {
    // Only the members this API documents (and the gateway applies) are kept: an unknown one is
    // refused rather than stored and silently ignored.
    static constexpr std::string_view kMembers[] = {"order",           "only", "ignore",
                                                    "allow_fallbacks", "sort", "require_parameters",
                                                    "data_collection", "zdr",  "max_price"};
    for (const auto& member : provider->as_object()) {
      if (std::find(std::begin(kMembers), std::end(kMembers), member.key()) == std::end(kMembers)) {
        return ErrorReply(MakeError(ErrorCode::kBadRequest, "provider." + std::string(member.key()) +
                                                                " is not a provider preference Turnpike keeps"),
                          "provider");
      }
    }
    if (const json::value* max_price = provider->as_object().if_contains("max_price");
        max_price && max_price->is_object()) {
      for (const auto& member : max_price->as_object()) {
        if (member.key() != "prompt" && member.key() != "completion") {
          return ErrorReply(MakeError(ErrorCode::kBadRequest, "provider.max_price." + std::string(member.key()) +
                                                                  " is not kept: only prompt and completion"),
                            "provider");
        }
      }
    }
    auto parsed = protocol::ParseProviderPreferences(*provider);
    if (!parsed.ok()) return ErrorReply(parsed.error(), "provider");
    stored = json::serialize(*provider);
  }
  if (auto s = users_.SetUserProviderPreferences(call.user().id, stored); !s.ok()) return ErrorReply(s.error());
  auto keys = keys_.ListKeys(call.user().id);
  if (keys.ok()) {
    for (const auto& key : *keys) ForgetKey(key.hash_hex);
  }
  return GetProviderPreferences(call);
}

// {alert_usd: amount | null}: the balance under which the dashboard's header shows an alert.
Reply Api::PutLowBalanceAlert(const Call& call) {
  auto fields = Fields::FromBody(call.http.body, kMaxApiBodyBytes);
  if (!fields.ok()) return ErrorReply(fields.error());
  std::optional<money::Micros> alert;
  if (!fields->IsNull("alert_usd")) {
    alert = fields->Usd("alert_usd", Need::kRequired);
    if (fields->ok() && alert && *alert <= 0)
      fields->Fail("alert_usd", "must be above zero (null turns the alert off)");
  }
  if (!fields->ok()) return fields->Failure();
  if (auto s = users_.SetUserLowBalanceAlert(call.user().id, alert); !s.ok()) return ErrorReply(s.error());
  json::object body;
  if (alert) {
    body["low_balance_alert_micros"] = *alert;
  } else {
    body["low_balance_alert_micros"] = nullptr;
  }
  return JsonReply(200, body);
}

Reply Api::Me(const Call& call) {
  const store::User& user = call.user();
  json::object body;
  body["user"] = UserJson(user);
  body["balance_micros"] = user.balance;
  if (user.low_balance_alert) {
    body["low_balance_alert_micros"] = *user.low_balance_alert;
  } else {
    body["low_balance_alert_micros"] = nullptr;
  }
  if (auto totals = AddTotals(user.id, body); !totals.ok()) return ErrorReply(totals.error());
  return JsonReply(200, body);
}

}  // namespace turnpike::control
