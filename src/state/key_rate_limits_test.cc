// KeyRateLimits: refusals and their Retry-After at the window's edges, the two limits apart and
// together, keys apart, idle windows dropped, and exact counting from many threads at once.
#include "state/key_rate_limits.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

namespace turnpike::state {
namespace {

constexpr int64_t kT0 = 1'000'000'000;  // ms on the limiter's clock, at the start of a second

store::ApiKey Key(int64_t id, std::optional<int64_t> rpm, std::optional<int64_t> tpm = std::nullopt) {
  store::ApiKey key;
  key.id = id;
  key.rpm_limit = rpm;
  key.tpm_limit = tpm;
  return key;
}

TEST(KeyRateLimitsTest, KeysWithoutLimitsAreNeitherRefusedNorTracked) {
  KeyRateLimits limits;
  store::ApiKey key = Key(1, std::nullopt);
  for (int i = 0; i < 1000; ++i) EXPECT_FALSE(limits.Admit(key, kT0));
  limits.CountTokens(key, 1'000'000, kT0);
  EXPECT_EQ(limits.TrackedKeys(), 0u);
}

TEST(KeyRateLimitsTest, RequestsPerMinuteRefuseTheOneOverAndNameTheLimit) {
  KeyRateLimits limits;
  store::ApiKey key = Key(1, 3);
  EXPECT_FALSE(limits.Admit(key, kT0));
  EXPECT_FALSE(limits.Admit(key, kT0 + 10'000));
  EXPECT_FALSE(limits.Admit(key, kT0 + 20'000));
  auto refused = limits.Admit(key, kT0 + 30'500);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->error.code, ErrorCode::kRateLimited);
  EXPECT_NE(refused->error.message.find("3 requests per minute"), std::string::npos) << refused->error.message;
  // The first request's second (kT0) leaves the window at kT0 + 60 s: 29.5 s away, rounded up.
  EXPECT_EQ(refused->retry_after_seconds, 30);
  // A refused request is not counted: the window frees exactly then.
  ASSERT_TRUE(limits.Admit(key, kT0 + 59'999));
  EXPECT_EQ(limits.Admit(key, kT0 + 59'999)->retry_after_seconds, 1);
  EXPECT_FALSE(limits.Admit(key, kT0 + 60'000));
  // Now kT0+10 s, +20 s and +60 s are in the window.
  auto again = limits.Admit(key, kT0 + 60'000);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->retry_after_seconds, 10);
  EXPECT_FALSE(limits.Admit(key, kT0 + 70'000));
}

TEST(KeyRateLimitsTest, ARequestCountsUntilSixtySecondsAfterItsSecondBegan) {
  KeyRateLimits limits;
  store::ApiKey key = Key(1, 1);
  EXPECT_FALSE(limits.Admit(key, kT0 + 900));  // in the second that starts at kT0
  auto refused = limits.Admit(key, kT0 + 59'000);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->retry_after_seconds, 1);
  EXPECT_TRUE(limits.Admit(key, kT0 + 59'999));
  EXPECT_FALSE(limits.Admit(key, kT0 + 60'000));
}

TEST(KeyRateLimitsTest, RetryAfterWaitsForEnoughRequestsToLeave) {
  KeyRateLimits limits;
  store::ApiKey key = Key(1, 4);
  EXPECT_FALSE(limits.Admit(key, kT0));
  EXPECT_FALSE(limits.Admit(key, kT0 + 5'000));
  EXPECT_FALSE(limits.Admit(key, kT0 + 5'000));
  EXPECT_FALSE(limits.Admit(key, kT0 + 40'000));
  // Lowered to 2 (an update through the API): room comes back once two have left, at kT0+65 s.
  store::ApiKey lowered = Key(1, 2);
  auto refused = limits.Admit(lowered, kT0 + 41'000);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->retry_after_seconds, 24);
  EXPECT_TRUE(limits.Admit(lowered, kT0 + 64'999));
  EXPECT_FALSE(limits.Admit(lowered, kT0 + 65'000));
}

TEST(KeyRateLimitsTest, TokensPerMinuteRefuseOnceTheWindowIsAtTheLimit) {
  KeyRateLimits limits;
  store::ApiKey key = Key(1, std::nullopt, 1'000);
  EXPECT_FALSE(limits.Admit(key, kT0));
  limits.CountTokens(key, 600, kT0 + 1'000);
  EXPECT_FALSE(limits.Admit(key, kT0 + 2'000));  // 600 < 1000: the request may start
  limits.CountTokens(key, 400, kT0 + 3'000);
  auto refused = limits.Admit(key, kT0 + 3'000);  // 1000: at the limit
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->error.code, ErrorCode::kRateLimited);
  EXPECT_NE(refused->error.message.find("1000 tokens per minute"), std::string::npos) << refused->error.message;
  EXPECT_NE(refused->error.message.find("used 1000"), std::string::npos) << refused->error.message;
  // The 600 leave at kT0 + 61 s, and 400 < 1000.
  EXPECT_EQ(refused->retry_after_seconds, 58);
  EXPECT_TRUE(limits.Admit(key, kT0 + 60'999));
  EXPECT_FALSE(limits.Admit(key, kT0 + 61'000));
  // Nothing counted for keys without a token limit, nor nothing-or-less.
  limits.CountTokens(key, 0, kT0 + 61'000);
  limits.CountTokens(key, -5, kT0 + 61'000);
  EXPECT_FALSE(limits.Admit(key, kT0 + 61'000));
}

TEST(KeyRateLimitsTest, ATokenRefusalDoesNotCountARequest) {
  KeyRateLimits limits;
  store::ApiKey key = Key(1, 2, 100);
  EXPECT_FALSE(limits.Admit(key, kT0));
  limits.CountTokens(key, 150, kT0);
  auto refused = limits.Admit(key, kT0 + 1'000);
  ASSERT_TRUE(refused);
  EXPECT_NE(refused->error.message.find("tokens per minute"), std::string::npos);
  // With the token limit lifted, one request of two is still free.
  store::ApiKey rpm_only = Key(1, 2);
  EXPECT_FALSE(limits.Admit(rpm_only, kT0 + 1'000));
  auto second = limits.Admit(rpm_only, kT0 + 1'000);
  ASSERT_TRUE(second);
  EXPECT_NE(second->error.message.find("2 requests per minute"), std::string::npos);
}

TEST(KeyRateLimitsTest, KeysAreCountedApart) {
  KeyRateLimits limits;
  store::ApiKey a = Key(1, 1);
  store::ApiKey b = Key(65, 1);  // the same shard as key 1
  EXPECT_FALSE(limits.Admit(a, kT0));
  EXPECT_TRUE(limits.Admit(a, kT0));
  EXPECT_FALSE(limits.Admit(b, kT0));
  EXPECT_TRUE(limits.Admit(b, kT0));
}

TEST(KeyRateLimitsTest, IdleWindowsAreDropped) {
  KeyRateLimits limits;
  // Keys of one shard (ids that are multiples of 64), past the size at which a shard sweeps.
  for (int64_t k = 1; k <= 300; ++k) EXPECT_FALSE(limits.Admit(Key(k * 64, 5), kT0));
  EXPECT_EQ(limits.TrackedKeys(), 300u);
  // A minute later the old windows count nothing; new keys sweep them out as the shard grows.
  for (int64_t k = 1'001; k <= 1'300; ++k) EXPECT_FALSE(limits.Admit(Key(k * 64, 5), kT0 + 60'000));
  EXPECT_EQ(limits.TrackedKeys(), 300u);
  // A key still in its window keeps it through a sweep.
  KeyRateLimits kept;
  store::ApiKey busy = Key(64, 1);
  EXPECT_FALSE(kept.Admit(busy, kT0 + 30'000));
  for (int64_t k = 2; k <= 600; ++k) EXPECT_FALSE(kept.Admit(Key(k * 64, 5), kT0 + 89'000));
  EXPECT_TRUE(kept.Admit(busy, kT0 + 89'000));
  EXPECT_EQ(kept.TrackedKeys(), 600u);
}

TEST(KeyRateLimitsTest, ManyThreadsAdmitExactlyTheLimit) {
  KeyRateLimits limits;
  constexpr int kThreads = 4, kEach = 5'000, kLimit = 7'919;
  store::ApiKey key = Key(42, kLimit);
  std::atomic<int> admitted{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kEach; ++i) {
        if (!limits.Admit(key, kT0 + i / 1000)) admitted.fetch_add(1);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(admitted.load(), kLimit);
}

TEST(KeyRateLimitsTest, ManyThreadsCountEveryToken) {
  KeyRateLimits limits;
  constexpr int kThreads = 4, kEach = 10'000;
  store::ApiKey key = Key(7, std::nullopt, int64_t{kThreads} * kEach * 3);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kEach; ++i) limits.CountTokens(key, 3, kT0 + i % 1000);
    });
  }
  for (auto& t : threads) t.join();
  // Exactly at the limit: refused; one token fewer would be admitted.
  EXPECT_TRUE(limits.Admit(key, kT0 + 999));
  store::ApiKey higher = Key(7, std::nullopt, int64_t{kThreads} * kEach * 3 + 1);
  EXPECT_FALSE(limits.Admit(higher, kT0 + 999));
}

}  // namespace
}  // namespace turnpike::state
