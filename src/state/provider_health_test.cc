#include "state/provider_health.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace turnpike::state {
namespace {

TEST(ProviderHealthTest, CountsAndAveragesPerProvider) {
  ProviderHealth health(0.5);
  health.RecordSuccess("openai", "m", 100);  // the first sample is the average
  health.RecordSuccess("openai", "m", 200);  // 0.5 × 200 + 0.5 × 100
  health.RecordFailure("openai", "m", 1'700'000'000'000);
  health.RecordFailure("groq", "m", 1'700'000'001'000);
  auto s = health.Snapshot();
  EXPECT_EQ(s[HealthKey("openai", "m")].requests, 3);
  EXPECT_EQ(s[HealthKey("openai", "m")].failures, 1);
  EXPECT_DOUBLE_EQ(s[HealthKey("openai", "m")].latency_ms_ewma, 150.0);
  EXPECT_EQ(s[HealthKey("openai", "m")].last_failure_unix, 1700000000);
  EXPECT_EQ(s[HealthKey("groq", "m")].requests, 1);
  EXPECT_EQ(s[HealthKey("groq", "m")].failures, 1);
  EXPECT_DOUBLE_EQ(s[HealthKey("groq", "m")].latency_ms_ewma, 0.0);  // never answered
  health.RecordSuccess("groq", "m", 40);                             // first successful sample after failures
  EXPECT_DOUBLE_EQ(health.Snapshot()[HealthKey("groq", "m")].latency_ms_ewma, 40.0);
}

TEST(ProviderHealthTest, ThroughputIsAnAverageOfTimedStreams) {
  ProviderHealth health(0.5);
  health.RecordThroughput("openai", "m", 100, 1000);  // 100 tokens/s: the first sample
  health.RecordThroughput("openai", "m", 300, 1000);  // 0.5 × 300 + 0.5 × 100
  health.RecordThroughput("openai", "m", 5, 10);      // too short to time: ignored
  health.RecordThroughput("openai", "m", 0, 5000);    // nothing generated: ignored
  EXPECT_DOUBLE_EQ(health.Snapshot()[HealthKey("openai", "m")].tokens_per_second_ewma, 200.0);
  EXPECT_EQ(health.Snapshot()[HealthKey("openai", "m")].requests, 0) << "throughput samples are not calls";
  EXPECT_EQ(health.Snapshot().count(HealthKey("groq", "m")), 0u);
}

TEST(ProviderHealthTest, ThreadsRecordingAtOnceLoseNoCall) {
  ProviderHealth health;
  constexpr int kThreads = 4, kEach = 20'000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        if (i % 4 == 0) {
          health.RecordFailure(t % 2 ? "openai" : "groq", "m", 1'700'000'000'000);
        } else {
          health.RecordSuccess(t % 2 ? "openai" : "groq", "m", 10);
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  auto s = health.Snapshot();
  EXPECT_EQ(s[HealthKey("openai", "m")].requests + s[HealthKey("groq", "m")].requests, kThreads * kEach);
  EXPECT_EQ(s[HealthKey("openai", "m")].failures + s[HealthKey("groq", "m")].failures, kThreads * kEach / 4);
  EXPECT_DOUBLE_EQ(s[HealthKey("openai", "m")].latency_ms_ewma, 10.0);
}

// Routing on one event loop must see a provider failing on another loop before it sends it the
// next request, not 50 ms later.
TEST(ProviderHealthTest, AViewSeesAFailureStreakFromAnotherThreadAtOnce) {
  ProviderHealth health;
  health.RecordSuccess("openai", "m", 100);
  EXPECT_EQ(health.View().at(HealthKey("openai", "m")).consecutive_failures, 0);
  std::thread([&] {
    for (int i = 0; i < 5; ++i) health.RecordFailure("openai", "m", 1'700'000'000'000);
  }).join();
  EXPECT_EQ(health.View().at(HealthKey("openai", "m")).consecutive_failures, 5) << "the streak is seen without waiting";
  std::thread([&] { health.RecordSuccess("openai", "m", 100); }).join();
  EXPECT_EQ(health.View().at(HealthKey("openai", "m")).consecutive_failures, 0) << "so is its end";
  // Latency alone changes the view within 50 ms, not at once.
  std::thread([&] { health.RecordSuccess("groq", "m", 30); }).join();
  const HealthMap* view = &health.View();
  for (int i = 0; i < 100 && !view->count(HealthKey("groq", "m")); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    view = &health.View();
  }
  EXPECT_EQ(view->count(HealthKey("groq", "m")), 1u) << "the view is remade once 50 ms old";
}

TEST(ProviderHealthTest, TwoInstancesOnOneThreadKeepTheirOwnFigures) {
  ProviderHealth a, b;
  a.RecordFailure("openai", "m", 1'700'000'000'000);
  b.RecordSuccess("openai", "m", 10);
  a.RecordFailure("openai", "m", 1'700'000'001'000);
  EXPECT_EQ(a.Snapshot()[HealthKey("openai", "m")].failures, 2);
  EXPECT_EQ(b.Snapshot()[HealthKey("openai", "m")].failures, 0);
  EXPECT_EQ(a.View().at(HealthKey("openai", "m")).consecutive_failures, 2);
  EXPECT_EQ(b.View().at(HealthKey("openai", "m")).consecutive_failures, 0);
}

TEST(ProviderHealthTest, EachModelOfAProviderHasItsOwnFigures) {
  ProviderHealth health;
  for (int i = 0; i < 5; ++i) health.RecordFailure("openai", "openai/gpt-4o", 1'000);
  health.RecordSuccess("openai", "openai/gpt-4o-mini", 10);
  auto s = health.Snapshot();
  EXPECT_EQ(BreakerOf(s[HealthKey("openai", "openai/gpt-4o")], 2'000), Breaker::kOpen);
  EXPECT_EQ(BreakerOf(s[HealthKey("openai", "openai/gpt-4o-mini")], 2'000), Breaker::kClosed);
  auto providers = ByProvider(s);
  EXPECT_EQ(providers["openai"].requests, 6);
  EXPECT_EQ(providers["openai"].failures, 5);
  EXPECT_DOUBLE_EQ(providers["openai"].latency_ms_ewma, 10.0) << "weighted by answered calls";
}

// A failing endpoint cools down; once the cooldown is over one request probes it, the others keep
// away until the probe ends; a failed probe cools it down twice as long, a good one closes it.
TEST(ProviderHealthTest, TheBreakerOpensCoolsDownAndLetsOneProbeThrough) {
  ProviderHealth health(
      0.2, BreakerOptions{.trip_failures = 3, .cooldown_ms = 1'000, .max_cooldown_ms = 3'000, .probe_timeout_ms = 500});
  const std::string p = "groq", m = "meta/llama";
  auto state = [&](int64_t now) { return BreakerOf(health.Snapshot()[HealthKey(p, m)], now); };
  health.RecordFailure(p, m, 10'000);
  health.RecordFailure(p, m, 10'001);
  EXPECT_EQ(state(10'002), Breaker::kClosed) << "two failures are not a pattern";
  health.RecordFailure(p, m, 10'002);
  EXPECT_EQ(state(10'003), Breaker::kOpen);
  EXPECT_EQ(health.Snapshot()[HealthKey(p, m)].cooldown_until_ms, 11'002);
  EXPECT_TRUE(health.MayTry(p, m, 10'500)) << "while open, routing decides (a last resort may still go)";
  EXPECT_EQ(state(11'002), Breaker::kHalfOpen);
  EXPECT_TRUE(health.MayTry(p, m, 11'002)) << "the first request after the cooldown probes";
  EXPECT_FALSE(health.MayTry(p, m, 11'003)) << "one probe at a time";
  EXPECT_TRUE(health.MayTry(p, m, 11'502)) << "a probe that never ended frees the slot after its timeout";
  health.RecordFailure(p, m, 11'600);
  EXPECT_EQ(state(11'601), Breaker::kOpen);
  EXPECT_EQ(health.Snapshot()[HealthKey(p, m)].cooldown_ms, 2'000) << "a failed probe doubles the cooldown";
  health.RecordFailure(p, m, 13'600);  // the next probe fails too
  EXPECT_EQ(health.Snapshot()[HealthKey(p, m)].cooldown_ms, 3'000) << "up to the longest";
  EXPECT_TRUE(health.MayTry(p, m, 16'600));
  health.RecordSuccess(p, m, 50);
  EXPECT_EQ(state(16'700), Breaker::kClosed) << "a good probe closes it";
  EXPECT_TRUE(health.MayTry(p, m, 16'701));
  EXPECT_TRUE(health.MayTry(p, m, 16'702));
}

TEST(ProviderHealthTest, AHighErrorRateOpensTheBreakerWithoutAStreak) {
  ProviderHealth health(0.2, BreakerOptions{.trip_failures = 5});
  int64_t now = 1'000;
  // Three failures in every four calls: never five in a row.
  for (int i = 0; i < 40 && BreakerOf(health.Snapshot()[HealthKey("x", "m")], now) == Breaker::kClosed; ++i) {
    if (i % 4 == 3) {
      health.RecordSuccess("x", "m", 10);
    } else {
      health.RecordFailure("x", "m", ++now);
    }
  }
  EXPECT_EQ(BreakerOf(health.Snapshot()[HealthKey("x", "m")], now), Breaker::kOpen);
  EXPECT_LT(health.Snapshot()[HealthKey("x", "m")].consecutive_failures, 5);
}

}  // namespace
}  // namespace turnpike::state
