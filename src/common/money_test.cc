// Money: the cost formula and rounding of docs/architecture.md §4, and the USD text forms. Every expected value
// below is worked out by hand in the comment beside it.
#include "common/money.h"

#include <gtest/gtest.h>

#include <limits>

namespace turnpike::money {
namespace {

constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
constexpr int64_t kMin = std::numeric_limits<int64_t>::min();

TEST(CostTest, ZeroTokensCostNothing) { EXPECT_EQ(Cost(TokenCounts{}, Prices{150'000, 600'000, 75'000, 187'500}), 0); }

TEST(CostTest, ZeroPricesCostNothing) { EXPECT_EQ(Cost(TokenCounts{1000, 1000, 1000, 1000, 1000}, Prices{}), 0); }

TEST(CostTest, ExactlyDivisibleIsNotRoundedUp) {
  // 1000 × 150000 = 150'000'000 → 150 micro-USD exactly.
  EXPECT_EQ(Cost(TokenCounts{.prompt = 1000}, Prices{.input = 150'000}), 150);
  // 10 × 100000 = 1'000'000 → 1 exactly (not 2).
  EXPECT_EQ(Cost(TokenCounts{.prompt = 10}, Prices{.input = 100'000}), 1);
}

TEST(CostTest, RemainderRoundsUpToTheNextMicro) {
  // 10 × 100001 = 1'000'010 → 1.00001 → 2.
  EXPECT_EQ(Cost(TokenCounts{.prompt = 10}, Prices{.input = 100'001}), 2);
  // 1001 × 150000 = 150'150'000 → 150.15 → 151.
  EXPECT_EQ(Cost(TokenCounts{.prompt = 1001}, Prices{.input = 150'000}), 151);
}

TEST(CostTest, OneTokenAtTinyPriceCostsOneMicro) {
  // 1 × 1 = 1 → 0.000001 micro-USD → 1.
  EXPECT_EQ(Cost(TokenCounts{.prompt = 1}, Prices{.input = 1}), 1);
  EXPECT_EQ(Cost(TokenCounts{.completion = 1}, Prices{.output = 1}), 1);
  EXPECT_EQ(Cost(TokenCounts{.reasoning = 1}, Prices{.output = 1}), 1);
}

TEST(CostTest, RoundsTheSumOnceNotEachTerm) {
  // 1 × 400000 + 1 × 600000 = 1'000'000 → 1. Rounding each term first would give 2.
  EXPECT_EQ(Cost(TokenCounts{.prompt = 1, .completion = 1}, Prices{.input = 400'000, .output = 600'000}), 1);
}

TEST(CostTest, EachTokenClassAtItsOwnPrice) {
  // Prices of 1, 2, 3, 4 micro-USD per token; counts chosen so each class lands on its own digit:
  // 1×1 + 10×2 + 100×3 + 1000×4 + 10000×2 (reasoning at the output price) = 24321.
  Prices p{.input = 1'000'000, .output = 2'000'000, .cache_read = 3'000'000, .cache_write = 4'000'000};
  TokenCounts t{.prompt = 1, .completion = 10, .cache_read = 100, .cache_write = 1000, .reasoning = 10000};
  EXPECT_EQ(Cost(t, p), 24321);
}

TEST(CostTest, EachClassAlone) {
  Prices p{.input = 1'000'000, .output = 2'000'000, .cache_read = 3'000'000, .cache_write = 4'000'000};
  EXPECT_EQ(Cost(TokenCounts{.prompt = 7}, p), 7);
  EXPECT_EQ(Cost(TokenCounts{.completion = 7}, p), 14);
  EXPECT_EQ(Cost(TokenCounts{.cache_read = 7}, p), 21);
  EXPECT_EQ(Cost(TokenCounts{.cache_write = 7}, p), 28);
  EXPECT_EQ(Cost(TokenCounts{.reasoning = 7}, p), 14);
}

TEST(CostTest, ReasoningBilledAtOutputPriceOnly) {
  // Changing every other price leaves the reasoning cost alone; changing output moves it.
  TokenCounts t{.reasoning = 5};
  EXPECT_EQ(Cost(t, Prices{.input = 9'000'000, .output = 2'000'000, .cache_read = 9'000'000, .cache_write = 9'000'000}),
            10);
  EXPECT_EQ(Cost(t, Prices{.input = 1, .output = 3'000'000}), 15);
}

TEST(CostTest, RealisticRequest) {
  // gpt-4o-mini: $0.15/M in, $0.60/M out. 12 prompt + 100 completion tokens:
  // 12 × 150000 + 100 × 600000 = 1'800'000 + 60'000'000 = 61'800'000 → 61.8 → 62.
  EXPECT_EQ(Cost(TokenCounts{.prompt = 12, .completion = 100}, Prices{.input = 150'000, .output = 600'000}), 62);
}

TEST(CostTest, LargeCountsDoNotOverflow) {
  // 10^12 × 10^9 = 10^21 (past int64) → 10^15 micro-USD.
  constexpr int64_t kTokens = 1'000'000'000'000;
  constexpr int64_t kPrice = 1'000'000'000;
  EXPECT_EQ(Cost(TokenCounts{.prompt = kTokens}, Prices{.input = kPrice}), 1'000'000'000'000'000);
  // All five classes at once: 5 × 10^15.
  EXPECT_EQ(Cost(TokenCounts{kTokens, kTokens, kTokens, kTokens, kTokens}, Prices{kPrice, kPrice, kPrice, kPrice}),
            5'000'000'000'000'000);
}

TEST(CostTest, AstronomicalCountsNeverWrapNegative) {
  Micros c = Cost(TokenCounts{kMax, kMax, kMax, kMax, kMax}, Prices{kMax, kMax, kMax, kMax});
  EXPECT_GT(c, 0);
  EXPECT_EQ(c, kMax);  // saturates rather than wrapping
}

TEST(CostTest, NegativeCountsOrPricesCountAsZero) {
  EXPECT_EQ(Cost(TokenCounts{.prompt = -5}, Prices{.input = 1'000'000}), 0);
  EXPECT_EQ(Cost(TokenCounts{.prompt = 5}, Prices{.input = -1'000'000}), 0);
  // A negative term does not cancel a positive one: 3 × 1 micro + (-5 tokens) = 3.
  EXPECT_EQ(Cost(TokenCounts{.prompt = 3, .completion = -5}, Prices{.input = 1'000'000, .output = 1'000'000}), 3);
}

TEST(ParseUsdTest, Valid) {
  EXPECT_EQ(ParseUsd("0"), 0);
  EXPECT_EQ(ParseUsd("12"), 12'000'000);
  EXPECT_EQ(ParseUsd("0.15"), 150'000);
  EXPECT_EQ(ParseUsd("1.000001"), 1'000'001);
  EXPECT_EQ(ParseUsd("0.000001"), 1);
  EXPECT_EQ(ParseUsd("-2.5"), -2'500'000);
  EXPECT_EQ(ParseUsd("-0.000001"), -1);
  EXPECT_EQ(ParseUsd("10.50"), 10'500'000);
  EXPECT_EQ(ParseUsd("0.600000"), 600'000);  // six decimals, trailing zeros
}

TEST(ParseUsdTest, Invalid) {
  for (const char* text : {"", ".", "-", "-.", "1.2.3", "1e5", "1E5", "0.0000001", "abc", " 1", "1 ", "+1", "--1", "1-",
                           "1,5", "0x10", "1.0000000", "nan", "inf"}) {
    EXPECT_EQ(ParseUsd(text), std::nullopt) << '"' << text << '"';
  }
}

TEST(ParseUsdTest, RejectsOverflow) {
  // INT64_MAX micro-USD is 9223372036854.775807 USD.
  EXPECT_EQ(ParseUsd("9223372036855"), std::nullopt);
  EXPECT_EQ(ParseUsd("9223372036854.775808"), std::nullopt);
  EXPECT_EQ(ParseUsd("-9223372036854.775809"), std::nullopt);
  EXPECT_EQ(ParseUsd("99999999999999999999"), std::nullopt);
  EXPECT_EQ(ParseUsd("123456789012345678901234567890"), std::nullopt);
}

TEST(ParseUsdTest, AcceptsTheLargestAmountsThatFit) {
  EXPECT_EQ(ParseUsd("9223372036854.775807"), kMax);
  EXPECT_EQ(ParseUsd("9223372036854"), 9'223'372'036'854'000'000);
  EXPECT_EQ(ParseUsd("9223372036850"), 9'223'372'036'850'000'000);
  EXPECT_EQ(ParseUsd("-9223372036854.775808"), kMin);
}

TEST(FormatUsdTest, PlainDecimalWithoutTrailingZeros) {
  EXPECT_EQ(FormatUsd(0), "0");
  EXPECT_EQ(FormatUsd(123), "0.000123");
  EXPECT_EQ(FormatUsd(1), "0.000001");
  EXPECT_EQ(FormatUsd(12'000'000), "12");
  EXPECT_EQ(FormatUsd(150'000), "0.15");
  EXPECT_EQ(FormatUsd(1'000'001), "1.000001");
  EXPECT_EQ(FormatUsd(-500'000), "-0.5");
  EXPECT_EQ(FormatUsd(-1), "-0.000001");
  EXPECT_EQ(FormatUsd(kMax), "9223372036854.775807");
  EXPECT_EQ(FormatUsd(kMin), "-9223372036854.775808");
}

TEST(FormatUsdTest, RoundTripsWithParseUsd) {
  std::vector<Micros> values = {0,       1,         9,         10,        99,         100,         123,
                                999'999, 1'000'000, 1'000'001, 1'500'000, 10'000'000, 123'456'789, 150'000,
                                600'000, 2'500'000, kMax,      kMax - 1,  kMin,       kMin + 1};
  // A sweep across magnitudes with assorted digits.
  for (Micros v = 1; v < kMax / 7; v = v * 7 + 3) values.push_back(v);
  for (Micros v : std::vector<Micros>(values)) {
    if (v != kMin) values.push_back(-v);
  }
  for (Micros v : values) {
    std::string text = FormatUsd(v);
    EXPECT_EQ(text.find_first_of("eE+"), std::string::npos) << text;
    EXPECT_EQ(ParseUsd(text), v) << text;
  }
}

TEST(FormatUsdPerTokenTest, OpenRouterPricingStrings) {
  EXPECT_EQ(FormatUsdPerToken(150'000), "0.00000015");  // $0.15/M
  EXPECT_EQ(FormatUsdPerToken(0), "0");
  EXPECT_EQ(FormatUsdPerToken(2'500'000), "0.0000025");  // $2.50/M
  EXPECT_EQ(FormatUsdPerToken(600'000), "0.0000006");    // $0.60/M
  EXPECT_EQ(FormatUsdPerToken(1), "0.000000000001");     // $0.000001/M
  EXPECT_EQ(FormatUsdPerToken(75'000'000), "0.000075");  // $75/M
  EXPECT_EQ(FormatUsdPerToken(1'000'000'000'000), "1");  // $1,000,000/M = $1 per token
}

}  // namespace
}  // namespace turnpike::money
