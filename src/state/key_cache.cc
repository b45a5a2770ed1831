#include "state/key_cache.h"

#include <spdlog/spdlog.h>

#include "common/bearer.h"
#include "common/crypto.h"

namespace turnpike::state {

namespace {
constexpr size_t kMaxKeysPerShard = 100'000 / 16;
constexpr size_t kMaxMissesPerShard = 10'000 / 16;
constexpr size_t kMaxLocalEntries = 4'096;  // per thread
std::atomic<uint64_t> next_cache_id{1};
}  // namespace

// What one thread keeps of one KeyCache (one at a time: a process has one cache).
struct KeyCache::Local {
  uint64_t owner = 0;
  uint64_t forgets = 0;
  std::unordered_map<std::string, Entry> entries;
};

KeyCache::KeyCache(store::KeyStore& store, std::chrono::milliseconds ttl)
    : store_(store), ttl_(ttl), id_(next_cache_id.fetch_add(1)) {}

KeyCache::Shard& KeyCache::ShardOf(const std::string& hash_hex) {
  // The hash is SHA-256 in hex: its first character is as good as any.
  const char c = hash_hex.empty() ? '0' : hash_hex[0];
  const size_t nibble = c >= 'a' ? static_cast<size_t>(c - 'a' + 10) : static_cast<size_t>(c - '0');
  return shards_[nibble % shards_.size()];
}

KeyCache::Local& KeyCache::ThisThread() {
  thread_local Local local;
  const uint64_t forgets = forgets_.load(std::memory_order_acquire);
  if (local.owner != id_ || local.forgets != forgets || local.entries.size() >= kMaxLocalEntries) {
    local.entries.clear();
    local.owner = id_;
    local.forgets = forgets;
  }
  return local;
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

  const auto now = std::chrono::steady_clock::now();
  Local& local = ThisThread();
  const Entry* entry = nullptr;
  if (auto it = local.entries.find(hash); it != local.entries.end() && Fresh(it->second, now)) entry = &it->second;
  if (!entry) {
    Shard& shard = ShardOf(hash);
    std::optional<Entry> shared;
    {
      std::lock_guard lock(shard.mu);
      if (auto it = shard.keys.find(hash); it != shard.keys.end() && Fresh(it->second, now)) {
        shared = it->second;
      } else if (auto miss = shard.misses.find(hash); miss != shard.misses.end() && Fresh(miss->second, now)) {
        shared = miss->second;
      }
    }
    if (!shared) {
      if (!may_read) return std::nullopt;
      auto found = store_.FindKeyByHash(hash);
      if (!found.ok()) {
        spdlog::error("key cache: reading a key failed: {}", found.error().message);
        return MakeError(ErrorCode::kUnavailable, "API keys cannot be checked right now; try again shortly");
      }
      shared = Entry{std::move(*found), now};
      std::lock_guard lock(shard.mu);
      auto& entries = shared->key ? shard.keys : shard.misses;
      if (entries.size() >= (shared->key ? kMaxKeysPerShard : kMaxMissesPerShard)) entries.clear();
      entries[hash] = *shared;
    }
    entry = &(local.entries[hash] = std::move(*shared));
  }
  const std::optional<store::ApiKey>& key = entry->key;
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
  // A management key only manages keys (gateway /api/v1/keys): every model route comes here.
  if (key->management) {
    return MakeError(ErrorCode::kForbidden, "Management keys cannot call models; use a regular API key");
  }
  if (key->disabled) return MakeError(ErrorCode::kForbidden, "This API key is disabled");
  if (key->expires_at && *key->expires_at <= now_unix) {
    return MakeError(ErrorCode::kUnauthorized, "This API key has expired");
  }
  // A limit that resets is left to the lease (store/ledger.h), which counts the current period's
  // spend: the cached figure may belong to a period that has ended.
  if (key->limit && key->limit_reset == store::LimitReset::kNever && key->usage >= *key->limit) {
    return MakeError(ErrorCode::kPaymentRequired, "This API key has reached its spending limit");
  }
  return key;
}

void KeyCache::Forget(const std::string& hash_hex) {
  Shard& shard = ShardOf(hash_hex);
  {
    std::lock_guard lock(shard.mu);
    shard.keys.erase(hash_hex);
    shard.misses.erase(hash_hex);
  }
  forgets_.fetch_add(1, std::memory_order_release);
}

}  // namespace turnpike::state
