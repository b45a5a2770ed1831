// API-key authentication through an in-memory cache backed by the store. A hit costs one
// SHA-256 and a hash-map lookup (no database round trip); a miss, or an entry older than the
// TTL, reads the store, so a key created, disabled or re-limited elsewhere (the CLI, another
// replica) takes effect within the TTL — and holds re-check it in the store at once anyway.
// A key the store does not know is remembered for the TTL too, so that a client retrying with a
// wrong key costs no database read each time.
//
// Reads only the KeyStore. Thread-safe, and a hit takes no lock: each thread keeps its own copy
// of the entries it used (each no older than the shared one it copied), dropped whenever Forget()
// runs; the shared entries are split over 16 shards by key (docs/architecture.md §5.3).
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/result.h"
#include "store/keys.h"

namespace turnpike::state {

class KeyCache {
 public:
  KeyCache(store::KeyStore& store, std::chrono::milliseconds ttl);

  // Authenticates the value of an Authorization header ("Bearer sk-tp-…") for spending:
  // Identify() and then the key must be usable. Errors: kUnauthorized (missing, malformed,
  // unknown or expired key), kForbidden (a management key, which cannot call models; a disabled
  // key), kPaymentRequired (limit used up), kUnavailable (the store could not be read).
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
    std::optional<store::ApiKey> key;  // nullopt: the store has no such key
    std::chrono::steady_clock::time_point fetched_at;
  };
  struct Shard {
    std::mutex mu;
    std::unordered_map<std::string, Entry> keys;    // by hash_hex
    std::unordered_map<std::string, Entry> misses;  // capped apart, so unknown keys never evict known ones
  };
  struct Local;
  Shard& ShardOf(const std::string& hash_hex);
  Local& ThisThread();
  bool Fresh(const Entry& e, std::chrono::steady_clock::time_point now) const { return now - e.fetched_at < ttl_; }

  store::KeyStore& store_;
  std::chrono::milliseconds ttl_;
  const uint64_t id_;                 // tells this cache's per-thread copies from another's
  std::atomic<uint64_t> forgets_{0};  // changed by every Forget(): per-thread copies start over
  std::array<Shard, 16> shards_;
};

}  // namespace turnpike::state
