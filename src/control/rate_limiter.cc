#include "control/rate_limiter.h"

#include <algorithm>

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

void RateLimiter::Prune(TimePoint now) {
  std::erase_if(next_free_, [now](const auto& entry) { return entry.second <= now; });
  // Under a flood of distinct keys, forget them all rather than grow without bound.
  if (next_free_.size() > kMaxKeys) next_free_.clear();
}

}  // namespace turnpike::control
