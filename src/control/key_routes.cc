// The signed-in user's API keys. Every change is dropped from this process's key cache (when a
// gateway runs here) at once, so that gateway sees it on the next request (other processes:
// within auth.key_cache_ttl_ms).
#include <boost/json.hpp>
#include <charconv>

#include "common/crypto.h"
#include "control/api.h"
#include "control/fields.h"
#include "control/views.h"

namespace turnpike::control {
namespace json = boost::json;

namespace {

constexpr size_t kMaxKeyName = 100;
constexpr size_t kMaxKeysPerUser = 500;
constexpr int64_t kMaxRpm = 1'000'000'000;
constexpr int64_t kMaxTpm = 1'000'000'000'000;

std::optional<int64_t> PositiveId(std::string_view text) {
  int64_t id = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec != std::errc() || p != text.data() + text.size() || id <= 0) return std::nullopt;
  return id;
}

// Reads a rate limit (a positive integer up to `max`; null clears it) into `limit`.
void ReadRateLimit(Fields& fields, std::string_view name, int64_t max, std::optional<std::optional<int64_t>>& limit) {
  if (fields.IsNull(name)) {
    limit = std::optional<int64_t>();
  } else if (auto value = fields.Int(name, 1, max)) {
    limit = std::optional<int64_t>(*value);
  }
}

// Reads limit_usd, limit_reset, expires_at, rpm_limit and tpm_limit into `update` (null clears
// them; a null limit_reset is "never"); validates them.
void ReadLimits(Fields& fields, int64_t now, store::KeyUpdate& update) {
  ReadRateLimit(fields, "rpm_limit", kMaxRpm, update.rpm_limit);
  ReadRateLimit(fields, "tpm_limit", kMaxTpm, update.tpm_limit);
  if (fields.IsNull("limit_usd")) {
    update.limit = std::optional<money::Micros>();
  } else if (auto limit = fields.Usd("limit_usd")) {
    if (*limit < 0) fields.Fail("limit_usd", "must not be negative");
    update.limit = limit;
  }
  if (fields.IsNull("limit_reset")) {
    update.limit_reset = store::LimitReset::kNever;
  } else if (auto reset = fields.String("limit_reset", Need::kOptional, 16)) {
    update.limit_reset = store::ParseLimitReset(*reset);
    if (!update.limit_reset) fields.Fail("limit_reset", "must be daily, weekly, monthly or null");
  }
  if (fields.IsNull("expires_at")) {
    update.expires_at = std::optional<int64_t>();
  } else if (auto ms = fields.TimeMillis("expires_at")) {
    if (*ms / 1000 <= now) fields.Fail("expires_at", "must be in the future");
    update.expires_at = std::optional<int64_t>(*ms / 1000);
  }
}

}  // namespace

Result<store::ApiKey> Api::OwnKey(const Call& call) {
  auto id = PositiveId(call.Param("id"));
  Result<std::optional<store::ApiKey>> key = id ? keys_.FindKeyById(*id) : std::optional<store::ApiKey>();
  if (!key.ok()) return key.error();
  // Another user's key is answered exactly like a missing one.
  if (!*key || (*key)->user_id != call.user().id) {
    return MakeError(ErrorCode::kNotFound, "No API key with id " + std::string(call.Param("id").substr(0, 40)));
  }
  return **key;
}

Reply Api::KeyReply(int status, int64_t key_id, const std::string& secret) {
  auto key = keys_.FindKeyById(key_id);
  if (!key.ok()) return ErrorReply(key.error());
  if (!*key) return ErrorReply(MakeError(ErrorCode::kNotFound, "No API key with id " + std::to_string(key_id)));
  if (secret.empty()) return JsonReply(status, json::object{{"key", KeyJson(**key)}});
  return JsonReply(status, json::object{{"key", KeyJson(**key)}, {"secret", secret}});
}

Reply Api::ListKeys(const Call& call) {
  auto listed = keys_.ListKeys(call.user().id);
  if (!listed.ok()) return ErrorReply(listed.error());
  json::array keys;
  for (const auto& key : *listed) keys.push_back(KeyJson(key));
  return JsonReply(200, json::object{{"keys", std::move(keys)}});
}

Reply Api::CreateKey(const Call& call) {
  auto fields = Fields::FromBody(call.http.body, kMaxApiBodyBytes);
  if (!fields.ok()) return ErrorReply(fields.error());
  auto name = fields->String("name", Need::kRequired, kMaxKeyName);
  store::KeyUpdate limits;
  ReadLimits(*fields, call.now, limits);
  auto log_prompts = fields->Bool("log_prompts");
  auto management = fields->Bool("management");
  if (!fields->ok()) return fields->Failure();
  auto existing = keys_.ListKeys(call.user().id);
  if (!existing.ok()) return ErrorReply(existing.error());
  if (existing->size() >= kMaxKeysPerUser) {
    return ErrorReply(MakeError(ErrorCode::kConflict, "Too many API keys: delete some first (at most " +
                                                          std::to_string(kMaxKeysPerUser) + ")"));
  }
  auto generated = crypto::GenerateApiKey();
  store::ApiKey key;
  key.user_id = call.user().id;
  key.name = *name;
  key.prefix = generated.prefix;
  key.hash_hex = generated.hash_hex;
  key.limit = limits.limit.value_or(std::nullopt);
  key.limit_reset = limits.limit_reset.value_or(store::LimitReset::kNever);
  key.expires_at = limits.expires_at.value_or(std::nullopt);
  key.log_prompts = log_prompts.value_or(false);
  key.management = management.value_or(false);
  key.rpm_limit = limits.rpm_limit.value_or(std::nullopt);
  key.tpm_limit = limits.tpm_limit.value_or(std::nullopt);
  key.created_at = call.now;
  auto id = keys_.CreateKey(key);
  if (!id.ok()) return ErrorReply(id.error());
  return KeyReply(201, *id, generated.key);
}

Reply Api::UpdateKey(const Call& call) {
  auto key = OwnKey(call);
  if (!key.ok()) return ErrorReply(key.error());
  auto fields = Fields::FromBody(call.http.body, kMaxApiBodyBytes);
  if (!fields.ok()) return ErrorReply(fields.error());
  store::KeyUpdate update;
  update.name = fields->String("name", Need::kOptional, kMaxKeyName);
  update.disabled = fields->Bool("disabled");
  update.log_prompts = fields->Bool("log_prompts");
  ReadLimits(*fields, call.now, update);
  if (!fields->ok()) return fields->Failure();
  if (auto s = keys_.UpdateKey(key->id, update); !s.ok()) return ErrorReply(s.error());
  ForgetKey(key->hash_hex);
  return KeyReply(200, key->id, "");
}

Reply Api::DeleteKey(const Call& call) {
  auto key = OwnKey(call);
  if (!key.ok()) return ErrorReply(key.error());
  if (auto s = keys_.DeleteKey(key->id); !s.ok()) return ErrorReply(s.error());
  ForgetKey(key->hash_hex);
  return NoContent();
}

Reply Api::RotateKey(const Call& call) {
  auto key = OwnKey(call);
  if (!key.ok()) return ErrorReply(key.error());
  auto generated = crypto::GenerateApiKey();
  if (auto s = keys_.RotateKey(key->id, generated.hash_hex, generated.prefix); !s.ok()) return ErrorReply(s.error());
  ForgetKey(key->hash_hex);
  return KeyReply(200, key->id, generated.key);
}

}  // namespace turnpike::control
