// OpenRouter's key management API on the gateway: GET/POST /api/v1/keys, GET/PATCH/DELETE
// /api/v1/keys/{hash}, for management keys only (README.md, "Managing keys by API").
//
// A management key manages the ordinary keys of its own user: management keys themselves are
// neither listed nor reachable here (the dashboard and the control API manage them), and keys
// made here are ordinary keys. `hash` is the key's public id (store/keys.h: random, unrelated to
// the secret). Each answer has every member @openrouter/sdk requires of a key; Turnpike has no
// BYOK, workspaces or limit resets, so those read zero, "default" and null, and asking for one
// is a 400. Every store call runs on a store thread (reads on the read pool, changes in the group
// committer's transactions); a change is dropped from this process's key cache once committed,
// so it holds on the next request.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/json.hpp>
#include <boost/url/parse_query.hpp>
#include <charconv>
#include <ctime>

#include "common/clock.h"
#include "common/crypto.h"
#include "gateway/gateway.h"
#include "gateway/key_json.h"

namespace turnpike::gateway {
namespace json = boost::json;
using boost::asio::awaitable;

namespace {

constexpr size_t kMaxKeyName = 100;       // as the control API's
constexpr size_t kMaxKeysPerUser = 500;   // as the control API's
constexpr size_t kPageSize = 100;         // keys per GET /keys page, as OpenRouter's
constexpr char kWorkspace[] = "default";  // the one workspace of a Turnpike user

std::string Quote(std::string_view s) { return json::serialize(json::string(s)); }

std::string UsdOrNull(const std::optional<money::Micros>& v) { return v ? money::FormatUsd(*v) : "null"; }

Error Bad(std::string message) { return MakeError(ErrorCode::kBadRequest, std::move(message)); }

size_t Utf8Length(std::string_view text) {
  return static_cast<size_t>(std::count_if(text.begin(), text.end(), [](char c) { return (c & 0xC0) != 0x80; }));
}

// "YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)", as OpenRouter takes expires_at (seconds required):
// unix seconds, or nullopt.
std::optional<int64_t> ParseIsoSeconds(std::string_view s) {
  auto digits = [&](size_t at, size_t n) -> std::optional<int> {
    if (at + n > s.size()) return std::nullopt;
    int v = 0;
    for (size_t i = at; i < at + n; ++i) {
      if (s[i] < '0' || s[i] > '9') return std::nullopt;
      v = v * 10 + (s[i] - '0');
    }
    return v;
  };
  auto year = digits(0, 4), month = digits(5, 2), day = digits(8, 2);
  auto hour = digits(11, 2), minute = digits(14, 2), second = digits(17, 2);
  if (!year || !month || !day || !hour || !minute || !second || s[4] != '-' || s[7] != '-' ||
      (s[10] != 'T' && s[10] != 't') || s[13] != ':' || s[16] != ':') {
    return std::nullopt;
  }
  if (*year < 1970 || *month < 1 || *month > 12 || *day < 1 || *hour > 23 || *minute > 59 || *second > 59) {
    return std::nullopt;
  }
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (*year % 4 == 0 && *year % 100 != 0) || *year % 400 == 0;
  if (*day > kDays[*month - 1] + (*month == 2 && leap ? 1 : 0)) return std::nullopt;
  size_t at = 19;
  if (at < s.size() && s[at] == '.') {
    size_t end = at + 1;
    while (end < s.size() && s[end] >= '0' && s[end] <= '9') ++end;
    if (end == at + 1) return std::nullopt;
    at = end;
  }
  int offset = 0;
  if (at + 1 == s.size() && (s[at] == 'Z' || s[at] == 'z')) {
    ++at;
  } else if (at + 6 == s.size() && (s[at] == '+' || s[at] == '-') && s[at + 3] == ':') {
    auto oh = digits(at + 1, 2), om = digits(at + 4, 2);
    if (!oh || !om || *oh > 23 || *om > 59) return std::nullopt;
    offset = (s[at] == '-' ? -1 : 1) * (*oh * 3600 + *om * 60);
    at += 6;
  }
  if (at != s.size()) return std::nullopt;
  std::tm tm{};
  tm.tm_year = *year - 1900;
  tm.tm_mon = *month - 1;
  tm.tm_mday = *day;
  tm.tm_hour = *hour;
  tm.tm_min = *minute;
  tm.tm_sec = *second;
  return static_cast<int64_t>(timegm(&tm)) - offset;
}

// A USD amount written as a JSON number (at most 6 decimals), in micro-USD.
std::optional<money::Micros> UsdNumber(const json::value& v) {
  std::string text;
  if (v.is_int64()) {
    text = std::to_string(v.as_int64());
  } else if (v.is_uint64()) {
    text = std::to_string(v.as_uint64());
  } else if (v.is_double()) {
    // The shortest text that reads back as the same double is what the client wrote for any
    // amount of up to 15 significant digits; anything else (1e-7, 1e300) fails ParseUsd.
    char buf[64];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v.as_double());
    if (ec == std::errc()) text.assign(buf, end);
  }
  return money::ParseUsd(text);
}

// A POST (`creating`) or PATCH body of /keys: what it asks for, checked. `user_id` is the
// management key's user, `now` unix seconds.
Result<store::KeyUpdate> ParseKeyBody(std::string_view body, bool creating, int64_t user_id, int64_t now) {
  json::error_code ec;
  json::value parsed = json::parse(body, ec);
  if (ec || !parsed.is_object()) return Bad("The body must be a JSON object");
  const json::object& o = parsed.as_object();
  store::KeyUpdate update;
  for (const auto& [name, v] : o) {
    if (name == "name") {
      if (!v.is_string()) return Bad("'name' must be a string");
      const json::string& s = v.as_string();
      if (s.empty() || Utf8Length(s) > kMaxKeyName) {
        return Bad("'name' must be 1 to " + std::to_string(kMaxKeyName) + " characters");
      }
      update.name = std::string(s);
    } else if (name == "limit") {
      if (v.is_null()) {
        update.limit = std::optional<money::Micros>();
        continue;
      }
      if (!v.is_number()) return Bad("'limit' must be a USD amount (a number such as 12.5) or null");
      std::optional<money::Micros> limit = UsdNumber(v);
      if (!limit || *limit < 0) return Bad("'limit' must be a USD amount of at least 0 with at most 6 decimals");
      update.limit = limit;
    } else if (name == "expires_at") {
      if (v.is_null()) {
        update.expires_at = std::optional<int64_t>();
        continue;
      }
      std::optional<int64_t> at = v.is_string() ? ParseIsoSeconds(v.as_string()) : std::nullopt;
      if (!at)
        return Bad("'expires_at' must be an ISO 8601 UTC time with seconds, such as \"2027-01-31T12:00:00Z\", or null");
      if (*at <= now) return Bad("'expires_at' must be in the future");
      update.expires_at = at;
    } else if (name == "disabled" && !creating) {
      if (!v.is_bool()) return Bad("'disabled' must be true or false");
      update.disabled = v.as_bool();
    } else if (name == "limit_reset") {
      // null: the limit never resets. "" names kNever to the store but is not OpenRouter's.
      std::optional<store::LimitReset> reset =
          v.is_null()
              ? store::LimitReset::kNever
              : (v.is_string() && !v.as_string().empty() ? store::ParseLimitReset(v.as_string()) : std::nullopt);
      if (!reset) return Bad("'limit_reset' must be \"daily\", \"weekly\", \"monthly\" or null");
      update.limit_reset = reset;
    } else if (name == "include_byok_in_limit") {
      if (!v.is_bool()) return Bad("'include_byok_in_limit' must be true or false");
      if (v.as_bool()) {
        return Bad("Turnpike has no BYOK (bring your own key) usage: 'include_byok_in_limit' can only be false");
      }
    } else if (name == "workspace_id" && creating) {
      if (!v.is_string() || v.as_string() != kWorkspace) {
        return Bad("Turnpike has no workspaces: 'workspace_id' can only be \"default\"");
      }
    } else if (name == "creator_user_id" && creating) {
      if (!v.is_null() && !(v.is_string() && v.as_string() == std::to_string(user_id))) {
        return Bad("'creator_user_id' can only be null or the management key's own user id");
      }
    } else {
      return Bad("Unknown member '" + std::string(name.substr(0, 64)) + "'");
    }
  }
  if (creating && !update.name) return Bad("'name' is required");
  return update;
}

// `key` as the key management API shows it. `reserved`: what its requests in flight hold, which
// counts as used until they are charged; `spent`: its spend in the current UTC day, week, month.
std::string KeyJson(const store::ApiKey& key, money::Micros reserved, const store::SpendWindows& spent) {
  const money::Micros used = key.usage + reserved;
  return fmt::format(
      R"({{"hash":{},"name":{},"label":{},"disabled":{},{},)"
      R"("include_byok_in_limit":false,"usage":{},"usage_daily":{},"usage_weekly":{},"usage_monthly":{},)"
      R"("byok_usage":0,"byok_usage_daily":0,"byok_usage_weekly":0,"byok_usage_monthly":0,)"
      R"("created_at":{},"updated_at":{},"expires_at":{},"creator_user_id":{},"external_user":null,)"
      R"("workspace_id":{}}})",
      Quote(key.public_id), Quote(key.name), Quote(key.prefix), key.disabled ? "true" : "false",
      KeyLimitMembers(key, reserved), money::FormatUsd(used), money::FormatUsd(spent.day + reserved),
      money::FormatUsd(spent.week + reserved), money::FormatUsd(spent.month + reserved), Quote(IsoUtc(key.created_at)),
      key.updated_at ? Quote(IsoUtc(*key.updated_at)) : "null",
      key.expires_at ? Quote(IsoUtc(*key.expires_at)) : "null", Quote(std::to_string(key.user_id)), Quote(kWorkspace));
}

// A public id as the store makes them (64 lower-case hex chars); anything else names no key.
bool IsPublicId(std::string_view s) {
  return s.size() == 64 && s.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

Error StoreAway() {
  return MakeError(ErrorCode::kUnavailable, "The database cannot be reached right now; try again shortly");
}

Error NoSuchKey() { return MakeError(ErrorCode::kNotFound, "No API key with this hash"); }

Error StoreFailed(std::string_view doing, const Error& error) {
  if (error.code != ErrorCode::kInternal && error.code != ErrorCode::kUnavailable) return error;
  spdlog::error("gateway: {} failed: {}", doing, error.message);
  return StoreAway();
}

// The ordinary key of user `user_id` whose public id is `hash`; kNotFound when there is none.
Result<store::ApiKey> ManagedKey(store::KeyStore& keys, int64_t user_id, const std::string& hash) {
  auto listed = keys.ListKeys(user_id);
  if (!listed.ok()) return StoreFailed("reading keys", listed.error());
  for (store::ApiKey& key : *listed) {
    if (!key.management && key.public_id == hash) return std::move(key);
  }
  return NoSuchKey();
}

// GET /keys's query: offset (a whole number) and include_disabled (true/false).
struct ListQuery {
  size_t offset = 0;
  bool include_disabled = false;
};

Result<ListQuery> ParseListQuery(std::string_view query) {
  ListQuery q;
  auto params = boost::urls::parse_query(query);
  if (!params) return Bad("Malformed query string");
  for (auto param : *params) {
    const std::string key = param.key.decode();
    const std::string value = param.has_value ? param.value.decode() : std::string();
    if (key == "offset") {
      if (value.empty() || value.size() > 9 || value.find_first_not_of("0123456789") != std::string::npos) {
        return Bad("'offset' must be a whole number");
      }
      q.offset = static_cast<size_t>(std::stoul(value));
    } else if (key == "include_disabled") {
      if (value != "true" && value != "false") return Bad("'include_disabled' must be true or false");
      q.include_disabled = value == "true";
    } else if (key == "workspace_id") {
      if (value != kWorkspace) return Bad("Turnpike has no workspaces: 'workspace_id' can only be \"default\"");
    }
  }
  return q;
}

// `key` when it may use the key management API: a management key, enabled, of an enabled
// account, not expired at `now` (unix seconds); else the refusal.
Result<store::ApiKey> AsManager(store::ApiKey key, int64_t now) {
  if (!key.management) return MakeError(ErrorCode::kForbidden, "This route needs a management key");
  if (key.disabled) return MakeError(ErrorCode::kForbidden, "This API key is disabled");
  if (key.user_disabled) return MakeError(ErrorCode::kForbidden, "This API key's account is disabled");
  if (key.expires_at && *key.expires_at <= now) return MakeError(ErrorCode::kUnauthorized, "This API key has expired");
  return key;
}

}  // namespace

std::string KeyLimitMembers(const store::ApiKey& key, money::Micros reserved) {
  std::optional<money::Micros> remaining;
  // Both amounts are bounded and non-negative: the subtractions cannot overflow.
  if (key.limit) remaining = std::max<money::Micros>(0, *key.limit - key.limit_usage - reserved);
  const std::string_view reset = store::LimitResetName(key.limit_reset);
  return fmt::format(R"("limit":{},"limit_remaining":{},"limit_reset":{})", UsdOrNull(key.limit), UsdOrNull(remaining),
                     reset.empty() ? std::string("null") : Quote(reset));
}

std::string KeyLimitMessage(const store::ApiKey& key, money::Micros held, int64_t now_unix) {
  const std::string cost = "(up to $" + money::FormatUsd(held) + ")";
  if (key.limit_reset == store::LimitReset::kNever) {
    return "This API key's spending limit does not cover this request " + cost +
           ". Raise the limit or lower max_tokens.";
  }
  return fmt::format(
      "This API key's {} spending limit does not cover this request {} in the current period. The limit starts again "
      "at {}; or raise the limit or lower max_tokens.",
      store::LimitResetName(key.limit_reset), cost, IsoUtc(store::LimitPeriodEnd(key.limit_reset, now_unix)));
}

Result<std::string> Gateway::ManagedKeysJson(int64_t user_id, const std::vector<store::ApiKey>& keys) {
  const int64_t now = UnixSeconds();
  auto buckets = request_log_.Activity(store::SpendWindowsQuery(user_id, now));
  if (!buckets.ok()) return StoreFailed("reading the keys' spend", buckets.error());
  std::string out;
  for (const store::ApiKey& key : keys) {
    if (!out.empty()) out += ',';
    out += KeyJson(key, book_.Reserved(key.id), store::SpendWindowsOf(*buckets, key.id, now));
  }
  return out;
}

awaitable<void> Gateway::Keys(const net::HttpRequest& request, net::ResponseWriter& writer) {
  std::string_view authorization = FindHeader(request.headers, "authorization");
  Result<store::ApiKey> manager = MakeError(ErrorCode::kUnauthorized, "Invalid API key");
  if (auto cached = keys_.IdentifyCached(authorization)) {
    manager = std::move(*cached);
  } else {
    const std::function<Result<store::ApiKey>()> lookup = [&] { return keys_.Identify(authorization); };
    Result<store::ApiKey> read = co_await Read(lookup);
    manager = std::move(read);
  }
  if (manager.ok()) manager = AsManager(std::move(*manager), UnixSeconds());
  if (!manager.ok()) {
    co_await ReplyError(writer, manager.error(), request.id);
    co_return;
  }
  const int64_t user_id = manager->user_id;
  std::string_view path = request.path;  // "/keys…" after the prefix
  if (path.starts_with("/api/v1/")) {
    path.remove_prefix(7);
  } else if (path.starts_with("/v1/")) {
    path.remove_prefix(3);
  }
  if (path == "/keys/") path = "/keys";  // OpenRouter's own examples POST to "/keys/"
  const bool get = request.method == "GET" || request.method == "HEAD";
  const std::string hash(path.starts_with("/keys/") ? path.substr(6) : std::string_view());
  Result<std::string> body = Bad("Use GET, PATCH or DELETE for " + request.path);
  int status = 200;
  if (path == "/keys" && get) {
    Result<std::string> listed = co_await ListManagedKeys(user_id, request);
    body = std::move(listed);
  } else if (path == "/keys" && request.method == "POST") {
    Result<std::string> created = co_await CreateManagedKey(user_id, request);
    body = std::move(created);
    status = 201;
  } else if (path == "/keys") {
    body = Bad("Use GET or POST for " + request.path);
  } else if (!IsPublicId(hash)) {
    body = NoSuchKey();
  } else if (get) {
    Result<std::string> read = co_await ReadManagedKey(user_id, hash);
    body = std::move(read);
  } else if (request.method == "PATCH" || request.method == "DELETE") {
    Result<std::string> changed = co_await ChangeManagedKey(user_id, hash, request);
    body = std::move(changed);
  }
  if (!body.ok()) {
    co_await ReplyError(writer, body.error(), request.id);
    co_return;
  }
  co_await ReplyJson(writer, status, std::move(*body), request.id);
}

awaitable<bool> Gateway::ApplyJournalForKeys() {
  // Usage is read as it stands once the charges waiting in the journal are applied.
  const std::function<bool()> apply = [this] { return journal_.ApplyJournal().ok(); };
  bool applied = co_await Write(apply);
  co_return applied;
}

awaitable<Result<std::string>> Gateway::ListManagedKeys(int64_t user_id, const net::HttpRequest& request) {
  Result<ListQuery> query = ParseListQuery(request.query);
  if (!query.ok()) co_return query.error();
  bool applied = co_await ApplyJournalForKeys();
  if (!applied) co_return StoreAway();
  const std::function<Result<std::string>()> list = [&]() -> Result<std::string> {
    auto listed = key_store_.ListKeys(user_id);
    if (!listed.ok()) return StoreFailed("listing keys", listed.error());
    std::vector<store::ApiKey> shown;
    for (store::ApiKey& key : *listed) {
      if (!key.management && (query->include_disabled || !key.disabled)) shown.push_back(std::move(key));
    }
    std::reverse(shown.begin(), shown.end());  // the newest first
    const size_t from = std::min(query->offset, shown.size());
    const size_t to = std::min(shown.size(), from + kPageSize);
    std::vector<store::ApiKey> page(shown.begin() + static_cast<std::ptrdiff_t>(from),
                                    shown.begin() + static_cast<std::ptrdiff_t>(to));
    auto items = ManagedKeysJson(user_id, page);
    if (!items.ok()) return items.error();
    return "{\"data\":[" + *items + "]}";
  };
  Result<std::string> body = co_await Read(list);
  co_return body;
}

awaitable<Result<std::string>> Gateway::ReadManagedKey(int64_t user_id, const std::string& hash) {
  bool applied = co_await ApplyJournalForKeys();
  if (!applied) co_return StoreAway();
  const std::function<Result<std::string>()> read = [&]() -> Result<std::string> {
    auto key = ManagedKey(key_store_, user_id, hash);
    if (!key.ok()) return key.error();
    auto item = ManagedKeysJson(user_id, {*key});
    if (!item.ok()) return item.error();
    return "{\"data\":" + *item + "}";
  };
  Result<std::string> body = co_await Read(read);
  co_return body;
}

awaitable<Result<std::string>> Gateway::CreateManagedKey(int64_t user_id, const net::HttpRequest& request) {
  Result<store::KeyUpdate> asked = ParseKeyBody(request.body, true, user_id, UnixSeconds());
  if (!asked.ok()) co_return asked.error();
  const crypto::NewApiKey generated = crypto::GenerateApiKey();
  const std::function<Result<store::ApiKey>()> create = [&]() -> Result<store::ApiKey> {
    auto existing = key_store_.ListKeys(user_id);
    if (!existing.ok()) return StoreFailed("listing keys", existing.error());
    if (existing->size() >= kMaxKeysPerUser) {
      return MakeError(ErrorCode::kConflict,
                       "Too many API keys: delete some first (at most " + std::to_string(kMaxKeysPerUser) + ")");
    }
    store::ApiKey key;
    key.user_id = user_id;
    key.name = *asked->name;
    key.prefix = generated.prefix;
    key.hash_hex = generated.hash_hex;
    key.limit = asked->limit.value_or(std::nullopt);
    key.expires_at = asked->expires_at.value_or(std::nullopt);
    key.created_at = UnixSeconds();
    auto id = key_store_.CreateKey(key);
    if (!id.ok()) return StoreFailed("creating a key", id.error());
    auto created = key_store_.FindKeyById(*id);
    if (!created.ok()) return StoreFailed("reading a new key", created.error());
    if (!*created) return StoreAway();
    return std::move(**created);
  };
  Result<store::ApiKey> created = co_await Write(create);
  if (!created.ok()) co_return created.error();
  keys_.Forget(created->hash_hex);  // a miss remembered for this secret must not outlive it
  co_return "{\"data\":" + KeyJson(*created, 0, store::SpendWindows{}) + ",\"key\":" + Quote(generated.key) + "}";
}

awaitable<Result<std::string>> Gateway::ChangeManagedKey(int64_t user_id, const std::string& hash,
                                                         const net::HttpRequest& request) {
  const bool deleting = request.method == "DELETE";
  Result<store::KeyUpdate> asked = deleting ? Result<store::KeyUpdate>(store::KeyUpdate{})
                                            : ParseKeyBody(request.body, false, user_id, UnixSeconds());
  if (!asked.ok()) co_return asked.error();
  const std::function<Result<store::ApiKey>()> change = [&]() -> Result<store::ApiKey> {
    auto key = ManagedKey(key_store_, user_id, hash);
    if (!key.ok()) return key.error();
    Status done = deleting ? key_store_.DeleteKey(key->id) : key_store_.UpdateKey(key->id, *asked);
    if (!done.ok()) return StoreFailed(deleting ? "deleting a key" : "updating a key", done.error());
    return key;
  };
  Result<store::ApiKey> changed = co_await Write(change);
  if (!changed.ok()) co_return changed.error();
  // The change holds on this process's next request (other processes: within the cache's TTL).
  keys_.Forget(changed->hash_hex);
  if (deleting) co_return std::string(R"({"deleted":true})");
  Result<std::string> body = co_await ReadManagedKey(user_id, hash);
  co_return body;
}

}  // namespace turnpike::gateway
