// API-key authentication through an in-memory cache backed by the store. A hit costs one
// SHA-256 and a hash-map lookup (no database round trip); a miss, or an entry older than the
// TTL, reads the store, so a key created, disabled or re-limited elsewhere (the CLI, another
// replica) takes effect within the TTL — and holds re-check it in the store at once anyway.
// Reads only the KeyStore. Thread-safe.
#pragma once

#include <chrono>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/result.h"
#include "store/keys.h"

namespace turnpike::state {

class KeyCache {
 public:
  KeyCache(store::KeyStore& store, std::chrono::milliseconds ttl) : store_(store), ttl_(ttl) {}

  // Authenticates the value of an Authorization header ("Bearer sk-tp-…") for spending:
  // Identify() and then the key must be usable. Errors: kUnauthorized (missing, malformed,
  // unknown or expired key), kForbidden (disabled key), kPaymentRequired (limit used up),
  // kUnavailable (the store could not be read).
  Result<store::ApiKey> Authenticate(std::string_view authorization, int64_t now_unix);

  // Finds the key an Authorization header names, whatever its state (for the routes where a
  // key reads its own status). The header is parsed by BearerToken (common/bearer.h). Errors:
  // kUnauthorized (missing, malformed or unknown key), kUnavailable (a cache miss and the store
  // could not be read; the store's message is logged, not returned).
  Result<store::ApiKey> Identify(std::string_view authorization);

  // Authenticate() and Identify() without reading the store: the same answer when the cache
  // decides it alone (a fresh entry, or a header that names no key at all), nullopt when the
  // store must be read — the caller then calls Authenticate() / Identify() off the event loop.
  std::optional<Result<store::ApiKey>> AuthenticateCached(std::string_view authorization, int64_t now_unix);
  std::optional<Result<store::ApiKey>> IdentifyCached(std::string_view authorization);

  // Drops a cached entry (after a change made through this process).
  void Forget(const std::string& hash_hex);

 private:
  // Identify(), reading the store on a miss only when `may_read`.
  std::optional<Result<store::ApiKey>> Find(std::string_view authorization, bool may_read);
  // The key's state as Authenticate() judges it.
  static Result<store::ApiKey> Usable(Result<store::ApiKey> key, int64_t now_unix);

  struct Entry {
    store::ApiKey key;
    std::chrono::steady_clock::time_point fetched_at;
  };

  store::KeyStore& store_;
  std::chrono::milliseconds ttl_;
  std::shared_mutex mutex_;
  std::unordered_map<std::string, Entry> entries_;  // by hash_hex
};

}  // namespace turnpike::state
