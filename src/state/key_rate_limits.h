// Per-key rate limits: requests per minute and tokens (prompt + completion) per minute, as a key
// carries them (store::ApiKey::rpm_limit / tpm_limit; nullopt = none), counted in this process's
// memory over a sliding window of the last 60 whole seconds (docs/architecture.md, "Per-key rate
// limits"). Nothing is written to a disk or a database; with several gateway processes each
// counts its own requests.
//
// The window is 60 one-second slots per key: a request (or a request's tokens) counts from the
// second it arrived (was billed) until 60 seconds after that second began, so it stops counting
// between 59 and 60 seconds later. Exact: every count is taken under the key's shard lock, so
// N threads admitting requests of one key with rpm K admit exactly K within a window.
//
// Thread-safe; any thread. A key without limits costs nothing (no lock, no entry). The keys are
// split over 64 shards by id, each with its own lock: no lock is shared by all keys. A key's
// window is dropped once it has been idle for a minute (swept as its shard grows).
#pragma once

#include <array>
#include <cstdint>
#include <mutex>
#include <optional>
#include <unordered_map>

#include "common/result.h"
#include "store/keys.h"

namespace turnpike::state {

class KeyRateLimits {
 public:
  // Why a request was refused: kRateLimited with a message naming the limit and its value, and
  // the whole seconds until the window has room again (at least 1), for Retry-After.
  struct Refusal {
    Error error;
    int64_t retry_after_seconds = 1;
  };

  // When a request of `key` arrives (after authentication, before anything is held): refused when
  // the window's tokens are at or above tpm_limit, or its requests at rpm_limit; otherwise
  // admitted (nullopt) and counted against rpm_limit. A refused request is not counted.
  // `now_ms`: milliseconds on a monotonic clock (the overload without it reads steady_clock).
  std::optional<Refusal> Admit(const store::ApiKey& key, int64_t now_ms);
  std::optional<Refusal> Admit(const store::ApiKey& key) { return Admit(key, NowMillis()); }

  // A request of `key` was billed for `tokens` (prompt + completion): counted in the window of
  // tpm_limit. Nothing when the key has no token limit or `tokens` is not positive.
  void CountTokens(const store::ApiKey& key, int64_t tokens, int64_t now_ms);
  void CountTokens(const store::ApiKey& key, int64_t tokens) { CountTokens(key, tokens, NowMillis()); }

  // How many keys have a window now (tests, metrics).
  size_t TrackedKeys();

  static int64_t NowMillis();

 private:
  static constexpr int kSlots = 60;  // seconds in the window
  struct Slot {
    int64_t second = INT64_MIN;  // which second the counts are of
    int64_t requests = 0;
    int64_t tokens = 0;
  };
  struct Window {
    std::array<Slot, kSlots> slots;
    int64_t last_second = INT64_MIN;  // the newest second counted
  };
  struct alignas(64) Shard {
    std::mutex mu;
    std::unordered_map<int64_t, Window> windows;  // by key id
    size_t sweep_at = 256;                        // drop idle windows when the map reaches this size
  };

  Shard& ShardOf(int64_t key_id) { return shards_[static_cast<uint64_t>(key_id) % shards_.size()]; }
  // The key's window, created (and the shard swept of idle windows) when absent. Under shard.mu.
  static Window& WindowOf(Shard& shard, int64_t key_id, int64_t second);
  // The slot of `second`, emptied when it held an older second.
  static Slot& SlotAt(Window& w, int64_t second);
  // The requests (`tokens` false) or tokens counted in the window that ends at `second`, and the
  // whole seconds from `now_ms` until that count is below `limit`.
  static int64_t Sum(const Window& w, int64_t second, bool tokens);
  static int64_t SecondsUntilBelow(const Window& w, int64_t now_ms, int64_t limit, bool tokens);

  std::array<Shard, 64> shards_;
};

}  // namespace turnpike::state
