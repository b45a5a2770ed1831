// The worst-case hold: what a request is charged at most, before anything is known of its answer.
#include "billing/hold.h"

#include <gtest/gtest.h>

namespace turnpike::billing {
namespace {

// $3 / $15 per million input / output tokens.
EndpointTerms Terms(int64_t context, int64_t max_output) {
  return {context, max_output, {3'000'000, 15'000'000, 0, 0}};
}

protocol::ChatRequestInfo Request(int64_t prompt_chars, int64_t images, std::optional<int64_t> max_tokens) {
  protocol::ChatRequestInfo r;
  r.prompt_chars = prompt_chars;
  r.images = images;
  r.max_tokens = max_tokens;
  return r;
}

TEST(WorstCaseCostTest, PromptAtTwoCharactersATokenPlusMaxTokens) {
  // 1,000 chars → 500 + 64 = 564 prompt tokens × $3/M = 1,692 µ$; 100 output × $15/M = 1,500 µ$.
  EXPECT_EQ(WorstCaseCost(Request(1000, 0, 100), Terms(128000, 16384)), 1692 + 1500);
}

TEST(WorstCaseCostTest, WithoutMaxTokensTheEndpointCapIsHeld) {
  // 64 prompt tokens = 192 µ$; 16,384 output tokens × $15/M = 245,760 µ$.
  EXPECT_EQ(WorstCaseCost(Request(0, 0, std::nullopt), Terms(128000, 16384)), 192 + 245760);
}

TEST(WorstCaseCostTest, ImagesCountTwoThousandTokensEach) {
  EXPECT_EQ(WorstCaseCost(Request(0, 2, 0), Terms(128000, 0)), (64 + 4000) * 3);
}

// Anthropic's thinking budget is sent on top of max_tokens: a thinking request holds the cap.
TEST(WorstCaseCostTest, AThinkingRequestHoldsTheOutputCap) {
  protocol::ChatRequestInfo r = Request(0, 0, 1);
  r.reasoning = true;
  EXPECT_EQ(WorstCaseCost(r, Terms(128000, 16384)), 192 + 245760);
}

// A catalog entry without a context length must not make the prompt free.
TEST(WorstCaseCostTest, AnUnknownContextBoundsNothing) {
  EXPECT_EQ(WorstCaseCost(Request(1000, 0, 0), Terms(0, 0)), 564 * 3);
}

TEST(WorstCaseCostTest, ThePromptIsBoundedByTheContext) {
  // 10 M chars would be 5 M tokens; the context holds 8,000.
  EXPECT_EQ(WorstCaseCost(Request(10'000'000, 0, 0), Terms(8000, 0)), 8000 * 3);
}

TEST(WorstCaseCostTest, RoundsUpToTheMicroDollar) {
  // 65 tokens (2 chars → 1 + 64) × $0.15/M = 9.75 µ$ → 10.
  EXPECT_EQ(WorstCaseCost(Request(2, 0, 0), {1000, 0, {150'000, 600'000, 0, 0}}), 10);
}

TEST(WorstCaseCostTest, AFreeEndpointHoldsNothing) {
  EXPECT_EQ(WorstCaseCost(Request(5000, 3, 4096), {128000, 4096, {}}), 0);
}

}  // namespace
}  // namespace turnpike::billing
