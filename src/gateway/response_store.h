// The responses the gateway answered at POST /responses with `store` not false, kept so that a
// later request can continue from one (previous_response_id): each response's items (the input
// it was given, after its own previous response's, and its output), per user. In memory only:
// bounded in count and bytes, each kept kTtl, and forgotten when the process restarts
// (docs/protocols.md §13.4). Nothing is written anywhere. Thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace turnpike::gateway {

class ResponseStore {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr std::chrono::seconds kTtl{3600};
  static constexpr size_t kMaxResponses = 10'000;
  static constexpr size_t kMaxBytes = 64u << 20;         // all items together
  static constexpr size_t kMaxResponseBytes = 4u << 20;  // one response's items: larger ones are not kept

  explicit ResponseStore(size_t max_responses = kMaxResponses, size_t max_bytes = kMaxBytes,
                         size_t max_response_bytes = kMaxResponseBytes, std::chrono::seconds ttl = kTtl)
      : max_responses_(max_responses), max_bytes_(max_bytes), max_response_bytes_(max_response_bytes), ttl_(ttl) {}

  // Keeps `items` (a JSON array's text) for response `id` of `user_id` (a request id: each is put
  // once); the oldest go first when the bounds are reached. False when the items are too large to
  // keep.
  bool Put(const std::string& id, int64_t user_id, std::string items, Clock::time_point now = Clock::now());
  // The items of response `id` when `user_id` kept it and it has not expired; nullopt otherwise
  // (an unknown id and another user's look the same).
  std::optional<std::string> Get(const std::string& id, int64_t user_id, Clock::time_point now = Clock::now());

  size_t size() const;
  size_t bytes() const;

 private:
  struct Entry {
    int64_t user_id = 0;
    std::string items;
    Clock::time_point expires;
  };
  void Evict(Clock::time_point now);  // mu_ held

  const size_t max_responses_, max_bytes_, max_response_bytes_;
  const std::chrono::seconds ttl_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, Entry> entries_;
  std::deque<std::string> order_;  // ids, oldest first (ids of entries already gone are skipped)
  size_t bytes_ = 0;
};

}  // namespace turnpike::gateway
