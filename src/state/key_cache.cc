#include "state/key_cache.h"

#include <spdlog/spdlog.h>

#include "common/bearer.h"
#include "common/crypto.h"

namespace turnpike::state {

namespace {
constexpr size_t kMaxEntries = 100'000;
}

Result<store::ApiKey> KeyCache::Identify(std::string_view authorization) { return *Find(authorization, true); }

std::optional<Result<store::ApiKey>> KeyCache::IdentifyCached(std::string_view authorization) {
  return Find(authorization, false);
}

std::optional<Result<store::ApiKey>> KeyCache::Find(std::string_view authorization, bool may_read) {
  if (authorization.empty()) {
    return MakeError(ErrorCode::kUnauthorized, "No API key provided: send it as 'Authorization: Bearer <key>'");
  }
  std::optional<std::string_view> presented = BearerToken(authorization);
  if (!presented || presented->empty()) {
    return MakeError(ErrorCode::kUnauthorized, "Malformed Authorization header: expected 'Bearer <key>'");
  }
  std::string hash = crypto::Sha256Hex(*presented);

  std::optional<store::ApiKey> key;
  auto now = std::chrono::steady_clock::now();
  {
    std::shared_lock lock(mutex_);
    if (auto it = entries_.find(hash); it != entries_.end() && now - it->second.fetched_at < ttl_) {
      key = it->second.key;
    }
  }
  if (!key) {
    if (!may_read) return std::nullopt;
    auto found = store_.FindKeyByHash(hash);
    if (!found.ok()) {
      spdlog::error("key cache: reading a key failed: {}", found.error().message);
      return MakeError(ErrorCode::kUnavailable, "API keys cannot be checked right now; try again shortly");
    }
    key = std::move(*found);
    if (key) {
      std::unique_lock lock(mutex_);
      if (entries_.size() >= kMaxEntries) entries_.clear();
      entries_[hash] = Entry{*key, now};
    }
  }
  // The map is keyed by the hash; compare it again in constant time so a lookup never decides
  // alone.
  if (!key || !crypto::ConstantTimeEquals(key->hash_hex, hash)) {
    return MakeError(ErrorCode::kUnauthorized, "Invalid API key");
  }
  return *key;
}

Result<store::ApiKey> KeyCache::Authenticate(std::string_view authorization, int64_t now_unix) {
  return Usable(Identify(authorization), now_unix);
}

std::optional<Result<store::ApiKey>> KeyCache::AuthenticateCached(std::string_view authorization, int64_t now_unix) {
  auto key = Find(authorization, false);
  if (!key) return std::nullopt;
  return Usable(std::move(*key), now_unix);
}

Result<store::ApiKey> KeyCache::Usable(Result<store::ApiKey> key, int64_t now_unix) {
  if (!key.ok()) return key;
  if (key->disabled) return MakeError(ErrorCode::kForbidden, "This API key is disabled");
  if (key->expires_at && *key->expires_at <= now_unix) {
    return MakeError(ErrorCode::kUnauthorized, "This API key has expired");
  }
  if (key->limit && key->usage >= *key->limit) {
    return MakeError(ErrorCode::kPaymentRequired, "This API key has reached its spending limit");
  }
  return key;
}

void KeyCache::Forget(const std::string& hash_hex) {
  std::unique_lock lock(mutex_);
  entries_.erase(hash_hex);
}

}  // namespace turnpike::state
