// The signed-in user's API keys. Every change is dropped from this process's key cache at
// once, so the gateway beside it sees it on the next request (other processes: within
// auth.key_cache_ttl_ms).
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

std::optional<int64_t> PositiveId(std::string_view text) {
  int64_t id = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec != std::errc() || p != text.data() + text.size() || id <= 0) return std::nullopt;
  return id;
}

// Reads limit_usd and expires_at into `update` (null clears them); validates them.
void ReadLimits(Fields& fields, int64_t now, store::KeyUpdate& update) {
  if (fields.IsNull("limit_usd")) {
    update.limit = std::optional<money::Micros>();
  } else if (auto limit = fields.Usd("limit_usd")) {
    if (*limit < 0) fields.Fail("limit_usd", "must not be negative");
    update.limit = limit;
  }
  if (fields.IsNull("expires_at")) {
    update.expires_at = std::optional<int64_t>();
  } else if (auto ms = fields.TimeMillis("expires_at")) {
    if (*ms / 1000 <= now) fields.Fail("expires_at", "must be in the future");
    update.expires_at = std::optional<int64_t>(*ms / 1000);
  }
}

json::object KeyWithSecret(const store::ApiKey& key, const std::string& secret) {
  json::object body;
  body["key"] = KeyJson(key);
  body["secret"] = secret;
  return body;
}

}  // namespace

Result<store::ApiKey> Api::OwnKey(const Call& call) {
  auto id = PositiveId(call.Param("id"));
  auto key = id ? store_.FindKeyById(*id) : std::nullopt;
  // Another user's key is answered exactly like a missing one.
  if (!key || key->user_id != call.user().id) {
    return MakeError(ErrorCode::kNotFound, "No API key with id " + std::string(call.Param("id").substr(0, 40)));
  }
  return *key;
}

Reply Api::ListKeys(const Call& call) {
  json::array keys;
  for (const auto& key : store_.ListKeys(call.user().id)) keys.push_back(KeyJson(key));
  return JsonReply(200, json::object{{"keys", std::move(keys)}});
}

Reply Api::CreateKey(const Call& call) {
  auto fields = Fields::FromBody(call.http.body, kMaxApiBodyBytes);
  if (!fields.ok()) return ErrorReply(fields.error());
  auto name = fields->String("name", Need::kRequired, kMaxKeyName);
  store::KeyUpdate limits;
  ReadLimits(*fields, call.now, limits);
  auto log_prompts = fields->Bool("log_prompts");
  if (!fields->ok()) return fields->Failure();
  if (store_.ListKeys(call.user().id).size() >= kMaxKeysPerUser) {
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
  key.expires_at = limits.expires_at.value_or(std::nullopt);
  key.log_prompts = log_prompts.value_or(false);
  key.created_at = call.now;
  auto id = store_.CreateKey(key);
  if (!id.ok()) return ErrorReply(id.error());
  auto created = store_.FindKeyById(*id);
  if (!created) return ErrorReply(MakeError(ErrorCode::kInternal, "the new key is missing"));
  return JsonReply(201, KeyWithSecret(*created, generated.key));
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
  if (auto s = store_.UpdateKey(key->id, update); !s.ok()) return ErrorReply(s.error());
  keys_.Forget(key->hash_hex);
  auto updated = store_.FindKeyById(key->id);
  if (!updated) return ErrorReply(MakeError(ErrorCode::kNotFound, "No API key with id " + std::to_string(key->id)));
  return JsonReply(200, json::object{{"key", KeyJson(*updated)}});
}

Reply Api::DeleteKey(const Call& call) {
  auto key = OwnKey(call);
  if (!key.ok()) return ErrorReply(key.error());
  if (auto s = store_.DeleteKey(key->id); !s.ok()) return ErrorReply(s.error());
  keys_.Forget(key->hash_hex);
  return NoContent();
}

Reply Api::RotateKey(const Call& call) {
  auto key = OwnKey(call);
  if (!key.ok()) return ErrorReply(key.error());
  auto generated = crypto::GenerateApiKey();
  if (auto s = store_.RotateKey(key->id, generated.hash_hex, generated.prefix); !s.ok()) return ErrorReply(s.error());
  keys_.Forget(key->hash_hex);
  auto rotated = store_.FindKeyById(key->id);
  if (!rotated) return ErrorReply(MakeError(ErrorCode::kNotFound, "No API key with id " + std::to_string(key->id)));
  return JsonReply(200, KeyWithSecret(*rotated, generated.key));
}

}  // namespace turnpike::control
