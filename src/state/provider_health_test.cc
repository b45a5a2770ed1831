#include "state/provider_health.h"

#include <gtest/gtest.h>

namespace turnpike::state {
namespace {

TEST(ProviderHealthTest, CountsAndAveragesPerProvider) {
  ProviderHealth health(0.5);
  health.RecordSuccess("openai", 100);  // the first sample is the average
  health.RecordSuccess("openai", 200);  // 0.5 × 200 + 0.5 × 100
  health.RecordFailure("openai", 1700000000);
  health.RecordFailure("groq", 1700000001);
  auto s = health.Snapshot();
  EXPECT_EQ(s["openai"].requests, 3);
  EXPECT_EQ(s["openai"].failures, 1);
  EXPECT_DOUBLE_EQ(s["openai"].latency_ms_ewma, 150.0);
  EXPECT_EQ(s["openai"].last_failure_unix, 1700000000);
  EXPECT_EQ(s["groq"].requests, 1);
  EXPECT_EQ(s["groq"].failures, 1);
  EXPECT_DOUBLE_EQ(s["groq"].latency_ms_ewma, 0.0);  // never answered
  health.RecordSuccess("groq", 40);                  // first successful sample after failures
  EXPECT_DOUBLE_EQ(health.Snapshot()["groq"].latency_ms_ewma, 40.0);
}

TEST(ProviderHealthTest, ThroughputIsAnAverageOfTimedStreams) {
  ProviderHealth health(0.5);
  health.RecordThroughput("openai", 100, 1000);  // 100 tokens/s: the first sample
  health.RecordThroughput("openai", 300, 1000);  // 0.5 × 300 + 0.5 × 100
  health.RecordThroughput("openai", 5, 10);      // too short to time: ignored
  health.RecordThroughput("openai", 0, 5000);    // nothing generated: ignored
  EXPECT_DOUBLE_EQ(health.Snapshot()["openai"].tokens_per_second_ewma, 200.0);
  EXPECT_EQ(health.Snapshot()["openai"].requests, 0) << "throughput samples are not calls";
  EXPECT_EQ(health.Snapshot().count("groq"), 0u);
}

}  // namespace
}  // namespace turnpike::state
