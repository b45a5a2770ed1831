#include "control/rate_limiter.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

namespace turnpike::control {
namespace {

using namespace std::chrono_literals;

class FakeClock {
 public:
  RateLimiter::Clock clock() {
    return [this] { return now_; };
  }
  void Advance(std::chrono::steady_clock::duration d) { now_ += d; }

 private:
  std::chrono::steady_clock::time_point now_{std::chrono::hours(1000)};
};

TEST(RateLimiter, BurstThenSteadyRate) {
  FakeClock clock;
  RateLimiter limiter(5, clock.clock());
  for (int i = 0; i < 5; ++i) EXPECT_EQ(limiter.Acquire("a@x"), 0) << i;
  // The sixth waits for one slot: 60 s / 5 = 12 s.
  EXPECT_EQ(limiter.Acquire("a@x"), 12);
  clock.Advance(5s);
  EXPECT_EQ(limiter.Acquire("a@x"), 7);
  clock.Advance(7s);
  EXPECT_EQ(limiter.Acquire("a@x"), 0);
  EXPECT_EQ(limiter.Acquire("a@x"), 12);
  // Refused attempts are not counted: a full minute later the bucket is full again.
  clock.Advance(60s);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(limiter.Acquire("a@x"), 0) << i;
  EXPECT_GT(limiter.Acquire("a@x"), 0);
}

TEST(RateLimiter, KeysAreIndependent) {
  FakeClock clock;
  RateLimiter limiter(2, clock.clock());
  EXPECT_EQ(limiter.Acquire("1.2.3.4"), 0);
  EXPECT_EQ(limiter.Acquire("1.2.3.4"), 0);
  EXPECT_EQ(limiter.Acquire("1.2.3.4"), 30);
  EXPECT_EQ(limiter.Acquire("5.6.7.8"), 0);
}

TEST(RateLimiter, RetryAfterRoundsUpToWholeSeconds) {
  FakeClock clock;
  RateLimiter limiter(20, clock.clock());
  for (int i = 0; i < 20; ++i) ASSERT_EQ(limiter.Acquire("ip"), 0);
  EXPECT_EQ(limiter.Acquire("ip"), 3);
  clock.Advance(2500ms);
  EXPECT_EQ(limiter.Acquire("ip"), 1);
  clock.Advance(499ms);
  EXPECT_EQ(limiter.Acquire("ip"), 1);
  clock.Advance(1ms);
  EXPECT_EQ(limiter.Acquire("ip"), 0);
}

TEST(RateLimiter, ManyKeysArePruned) {
  FakeClock clock;
  RateLimiter limiter(1, clock.clock());
  for (int i = 0; i < 30'000; ++i) {
    ASSERT_EQ(limiter.Acquire("k" + std::to_string(i)), 0);
    if (i % 1000 == 0) clock.Advance(61s);
  }
  // Recent keys are still limited after pruning.
  EXPECT_GT(limiter.Acquire("k29999"), 0);
}

TEST(RateLimiter, ConcurrentAttemptsNeverExceedTheLimit) {
  RateLimiter limiter(50);
  std::atomic<int> allowed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 100; ++i) allowed += limiter.Acquire("same") == 0;
    });
  }
  for (auto& t : threads) t.join();
  // 50 at once, plus at most a few refilled while the threads ran.
  EXPECT_GE(allowed.load(), 50);
  EXPECT_LE(allowed.load(), 55);
}

}  // namespace
}  // namespace turnpike::control
