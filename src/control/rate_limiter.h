// Per-key rate limiting (GCRA, the token bucket's one-timestamp form): up to `per_minute`
// attempts at once for a key that has been quiet, then one every 60 s / per_minute. Used for
// login and sign-up, keyed by client address and by email. Thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <unordered_map>

namespace turnpike::control {

class RateLimiter {
 public:
  using Clock = std::function<std::chrono::steady_clock::time_point()>;

  // `per_minute` >= 1. `clock` is injected for tests; the default is steady_clock::now.
  explicit RateLimiter(int64_t per_minute, Clock clock = nullptr);

  // Counts one attempt for `key`. Returns 0 when it is allowed; otherwise it is refused (and
  // not counted) and the result is how many whole seconds (>= 1) until one would be allowed.
  int64_t Acquire(const std::string& key);

 private:
  using Duration = std::chrono::steady_clock::duration;
  using TimePoint = std::chrono::steady_clock::time_point;
  // Drops keys that are back to a full bucket; bounds memory.
  void Prune(TimePoint now);

  Duration interval_;   // time one attempt "costs"
  Duration tolerance_;  // how far ahead of now a key's schedule may run (the burst)
  Clock clock_;
  std::mutex mutex_;
  std::unordered_map<std::string, TimePoint> next_free_;  // by key: its theoretical arrival time
};

// Keys remembered for a while (the (email, address) pairs that signed in lately). Bounded: under
// a flood of distinct keys the oldest are forgotten first. Thread-safe.
class KnownClients {
 public:
  KnownClients(std::chrono::steady_clock::duration keep, RateLimiter::Clock clock = nullptr);
  void Remember(const std::string& key);
  bool Knows(const std::string& key);

 private:
  std::chrono::steady_clock::duration keep_;
  RateLimiter::Clock clock_;
  std::mutex mutex_;
  std::unordered_map<std::string, std::chrono::steady_clock::time_point> until_;
};

}  // namespace turnpike::control
