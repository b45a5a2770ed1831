#include "control/rate_limiter.h"

#include <algorithm>
#include <vector>

namespace turnpike::control {
namespace {
constexpr size_t kPruneAbove = 10'000;
constexpr size_t kMaxKeys = 200'000;
}  // namespace

RateLimiter::RateLimiter(int64_t per_minute, Clock clock)
    : interval_(std::chrono::duration_cast<Duration>(std::chrono::minutes(1)) / std::max<int64_t>(1, per_minute)),
      tolerance_(std::chrono::duration_cast<Duration>(std::chrono::minutes(1)) - interval_),
      clock_(clock ? std::move(clock) : Clock([] { return std::chrono::steady_clock::now(); })) {}

int64_t RateLimiter::Acquire(const std::string& key) {
  TimePoint now = clock_();
  std::lock_guard lock(mutex_);
  if (next_free_.size() > kPruneAbove) Prune(now);
  auto [it, inserted] = next_free_.try_emplace(key, now);
  TimePoint tat = std::max(it->second, now);
  if (tat - now > tolerance_) {
    auto wait = tat - now - tolerance_;
    auto seconds = std::chrono::ceil<std::chrono::seconds>(wait).count();
    return std::max<int64_t>(1, seconds);
  }
  it->second = tat + interval_;
  return 0;
}

KnownClients::KnownClients(std::chrono::steady_clock::duration keep, RateLimiter::Clock clock)
    : keep_(keep),
      clock_(clock ? std::move(clock) : RateLimiter::Clock([] { return std::chrono::steady_clock::now(); })) {}

void KnownClients::Remember(const std::string& key) {
  const auto now = clock_();
  std::lock_guard lock(mutex_);
  if (until_.size() >= kMaxKeys) {
    std::erase_if(until_, [now](const auto& entry) { return entry.second <= now; });
    // Still full: forget the ones closest to expiry, half of them, rather than grow.
    if (until_.size() >= kMaxKeys) {
      std::vector<std::chrono::steady_clock::time_point> times;
      times.reserve(until_.size());
      for (const auto& entry : until_) times.push_back(entry.second);
      auto middle = times.begin() + static_cast<std::ptrdiff_t>(times.size() / 2);
      std::nth_element(times.begin(), middle, times.end());
      const auto cut = *middle;
      std::erase_if(until_, [cut](const auto& entry) { return entry.second <= cut; });
    }
  }
  until_[key] = now + keep_;
}

bool KnownClients::Knows(const std::string& key) {
  const auto now = clock_();
  std::lock_guard lock(mutex_);
  auto it = until_.find(key);
  return it != until_.end() && it->second > now;
}

void RateLimiter::Prune(TimePoint now) {
  std::erase_if(next_free_, [now](const auto& entry) { return entry.second <= now; });
  // Under a flood of distinct keys, forget them all rather than grow without bound.
  if (next_free_.size() > kMaxKeys) next_free_.clear();
}

}  // namespace turnpike::control
