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
  EXPECT_EQ(WorstCaseCost(Request(0, 2, 1), Terms(128000, 0)), (64 + 4000) * 3 + 15);
}

// `n` choices are n answers: the output is held n times (the prompt once).
TEST(WorstCaseCostTest, EachChoiceIsHeld) {
  protocol::ChatRequestInfo r = Request(0, 0, 100);
  r.n = 3;
  EXPECT_EQ(WorstCaseCost(r, Terms(128000, 16384)), 192 + 3 * 1500);
}

// The output held is the limit the upstream request carries (OutputLimit): a max_tokens above the
// endpoint's cap is held (and sent) at the cap.
TEST(WorstCaseCostTest, AMaxTokensAboveTheCapIsHeldAtTheCap) {
  EXPECT_EQ(WorstCaseCost(Request(0, 0, 100'000'000), Terms(128000, 16384)), 192 + 245760);
}

TEST(OutputLimitTest, TheClientsLimitWithinTheCap) {
  EXPECT_EQ(OutputLimit(Request(0, 0, 100), Terms(128000, 16384)), 100);
  EXPECT_EQ(OutputLimit(Request(0, 0, 100'000), Terms(128000, 16384)), 16384);
  EXPECT_EQ(OutputLimit(Request(0, 0, 100'000), Terms(128000, 0)), 100'000);  // no cap known
  // The client's own limit is left to the provider to judge against the context.
  EXPECT_EQ(OutputLimit(Request(250'000, 0, 10'000), Terms(128000, 16384)), 10'000);
}

TEST(OutputLimitTest, TheGatewaysChoiceFitsTheContextLeftAfterThePrompt) {
  EXPECT_EQ(OutputLimit(Request(0, 0, std::nullopt), Terms(128000, 16384)), 16384);
  EXPECT_EQ(OutputLimit(Request(0, 0, std::nullopt), Terms(0, 0)), kDefaultOutputLimit);
  // 240,000 chars → at most 120,064 prompt tokens: 7,936 of the 128,000 are left.
  EXPECT_EQ(OutputLimit(Request(240'000, 0, std::nullopt), Terms(128000, 16384)), 7936);
  // A prompt that seems not to fit leaves the cap for the provider to judge.
  EXPECT_EQ(OutputLimit(Request(400'000, 0, std::nullopt), Terms(128000, 16384)), 16384);
}

TEST(OutputLimitTest, AThinkingRequestGetsTheCapButNoLessThanItsMaxTokens) {
  protocol::ChatRequestInfo r = Request(0, 0, 1);
  r.reasoning = true;
  EXPECT_EQ(OutputLimit(r, Terms(128000, 16384)), 16384);
  r.prompt_chars = 240'000;
  EXPECT_EQ(OutputLimit(r, Terms(128000, 16384)), 7936);
  r.max_tokens = 10'000;
  EXPECT_EQ(OutputLimit(r, Terms(128000, 16384)), 10'000);
}

// Anthropic's thinking budget is sent on top of max_tokens: a thinking request holds the cap.
TEST(WorstCaseCostTest, AThinkingRequestHoldsTheOutputCap) {
  protocol::ChatRequestInfo r = Request(0, 0, 1);
  r.reasoning = true;
  EXPECT_EQ(WorstCaseCost(r, Terms(128000, 16384)), 192 + 245760);
}

// A catalog entry without a context length must not make the prompt free.
TEST(WorstCaseCostTest, AnUnknownContextBoundsNothing) {
  EXPECT_EQ(WorstCaseCost(Request(1000, 0, 1), Terms(0, 0)), 564 * 3 + 15);
}

TEST(WorstCaseCostTest, ThePromptIsBoundedByTheContext) {
  // 10 M chars would be 5 M tokens; the context holds 8,000.
  EXPECT_EQ(WorstCaseCost(Request(10'000'000, 0, 1), Terms(8000, 0)), 8000 * 3 + 15);
}

TEST(WorstCaseCostTest, RoundsUpToTheMicroDollar) {
  // 65 tokens (2 chars → 1 + 64) × $0.15/M = 9.75 µ$ → 10.
  EXPECT_EQ(WorstCaseCost(Request(2, 0, 1), {1000, 0, {150'000, 600'000, 0, 0}}), 11);
}

TEST(WorstCaseCostTest, AFreeEndpointHoldsNothing) {
  EXPECT_EQ(WorstCaseCost(Request(5000, 3, 4096), {128000, 4096, {}}), 0);
}

// An embeddings request (max_tokens 0) asks for no output: only its input is held.
TEST(WorstCaseCostTest, AnEmbeddingsRequestHoldsOnlyItsInput) {
  protocol::ChatRequestInfo r = Request(1000, 0, 0);
  EXPECT_EQ(OutputLimit(r, Terms(8191, 8191)), 0);
  EXPECT_EQ(WorstCaseCost(r, Terms(8191, 8191)), 564 * 3);
}

// Each input of a batch may fill the context: 10 M chars (5 M tokens) in 100 inputs are bounded
// by 100 contexts, not one.
TEST(WorstCaseCostTest, EachInputOfAnEmbeddingsBatchIsBoundedByTheContext) {
  protocol::ChatRequestInfo r = Request(10'000'000, 0, 0);
  r.inputs = 100;
  EXPECT_EQ(WorstCaseCost(r, Terms(8000, 8000)), 100 * 8000 * 3);
  r.inputs = 1'000;  // more room than the input needs: the input's own bound
  EXPECT_EQ(WorstCaseCost(r, Terms(8000, 8000)), (5'000'000 + 64) * 3);
  r.inputs = INT64_MAX;  // saturates
  EXPECT_EQ(WorstCaseCost(r, Terms(8000, 8000)), (5'000'000 + 64) * 3);
}

}  // namespace
}  // namespace turnpike::billing
