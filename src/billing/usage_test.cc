// Usage: splitting it into billable classes, pricing it, and the usage object with OpenRouter's
// cost added. (Reading OpenAI usage objects is providers::openai::ParseUsage.)
#include "billing/usage.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "common/fixture_testing.h"

namespace turnpike::billing {
namespace {

namespace json = boost::json;

std::string ReadFixture(const std::string& name) { return turnpike::fixtures::ReadFixture("openai", name); }

// The usage object of the one chunk of a recorded stream that carries a non-null usage.
json::value StreamUsage(const std::string& name) {
  std::istringstream in(ReadFixture(name));
  std::string line;
  json::value found;
  int count = 0;
  while (std::getline(in, line)) {
    if (line.rfind("data: {", 0) != 0) continue;
    json::value chunk = json::parse(line.substr(6));
    if (const auto* u = chunk.as_object().if_contains("usage"); u && u->is_object()) {
      found = *u;
      ++count;
    }
  }
  EXPECT_EQ(count, 1) << name;
  return found;
}

TEST(BillableTest, EachTokenBilledOnce) {
  Usage u{.prompt_tokens = 1000,
          .completion_tokens = 200,
          .cached_tokens = 400,
          .cache_write_tokens = 30,
          .reasoning_tokens = 50};
  money::TokenCounts t = Billable(u);
  EXPECT_EQ(t.prompt, 570);  // 1000 - 400 cached - 30 written
  EXPECT_EQ(t.cache_read, 400);
  EXPECT_EQ(t.cache_write, 30);
  EXPECT_EQ(t.completion, 150);  // 200 - 50 reasoning
  EXPECT_EQ(t.reasoning, 50);
  EXPECT_EQ(t.prompt + t.cache_read + t.cache_write + t.completion + t.reasoning,
            u.prompt_tokens + u.completion_tokens);
}

TEST(BillableTest, AllReasoning) {
  money::TokenCounts t = Billable(Usage{.prompt_tokens = 12, .completion_tokens = 100, .reasoning_tokens = 100});
  EXPECT_EQ(t.prompt, 12);
  EXPECT_EQ(t.completion, 0);
  EXPECT_EQ(t.reasoning, 100);
}

TEST(BillableTest, InconsistentReportsNeverBillMoreThanReported) {
  // A provider claiming more cached than prompt tokens, or more reasoning than completion tokens.
  money::TokenCounts t = Billable(Usage{.prompt_tokens = 10,
                                        .completion_tokens = 5,
                                        .cached_tokens = 50,
                                        .cache_write_tokens = 7,
                                        .reasoning_tokens = 9});
  EXPECT_EQ(t.cache_read, 10);
  EXPECT_EQ(t.cache_write, 0);
  EXPECT_EQ(t.prompt, 0);
  EXPECT_EQ(t.reasoning, 5);
  EXPECT_EQ(t.completion, 0);
  t = Billable(Usage{.prompt_tokens = 10, .cached_tokens = 4, .cache_write_tokens = 20});
  EXPECT_EQ(t.cache_read, 4);
  EXPECT_EQ(t.cache_write, 6);
  EXPECT_EQ(t.prompt, 0);
}

TEST(CostOfTest, ReasoningFixtureAtGpt4oMiniPrices) {
  // The usage of openai/chat-stream-length-reasoning-usage.sse.
  Usage u{.prompt_tokens = 12, .completion_tokens = 100, .reasoning_tokens = 100};
  // 12 × 150000 + 100 reasoning × 600000 = 1'800'000 + 60'000'000 = 61'800'000 → 61.8 → 62.
  EXPECT_EQ(CostOf(u, money::Prices{.input = 150'000, .output = 600'000}), 62);
}

TEST(CostOfTest, NonStreamFixture) {
  // The usage of openai/chat-nonstream-tool-call.json.
  Usage u{.prompt_tokens = 92, .completion_tokens = 17};
  // 92 × 150000 + 17 × 600000 = 13'800'000 + 10'200'000 = 24'000'000 → 24 exactly.
  EXPECT_EQ(CostOf(u, money::Prices{.input = 150'000, .output = 600'000}), 24);
}

TEST(CostOfTest, WithCacheReadPrice) {
  Usage u{.prompt_tokens = 1000, .completion_tokens = 200, .cached_tokens = 400, .reasoning_tokens = 50};
  // 600 × 2.5 + 400 × 1.25 + 150 × 10 + 50 × 10 = 1500 + 500 + 1500 + 500 = 4000 micro-USD.
  EXPECT_EQ(CostOf(u, money::Prices{.input = 2'500'000, .output = 10'000'000, .cache_read = 1'250'000}), 4000);
}

TEST(CostOfTest, WithoutCachePriceCachedTokensBillAsInput) {
  Usage u{.prompt_tokens = 1000, .completion_tokens = 200, .cached_tokens = 400, .reasoning_tokens = 50};
  // 1000 × 2.5 + 200 × 10 = 2500 + 2000 = 4500 micro-USD.
  EXPECT_EQ(CostOf(u, money::Prices{.input = 2'500'000, .output = 10'000'000}), 4500);
  // The same as if nothing had been cached.
  EXPECT_EQ(CostOf(u, money::Prices{.input = 2'500'000, .output = 10'000'000}),
            CostOf(Usage{.prompt_tokens = 1000, .completion_tokens = 200},
                   money::Prices{.input = 2'500'000, .output = 10'000'000}));
}

TEST(CostOfTest, CacheWriteAtItsOwnPrice) {
  Usage u{.prompt_tokens = 1000, .completion_tokens = 10, .cached_tokens = 100, .cache_write_tokens = 300};
  money::Prices p{.input = 3'000'000, .output = 15'000'000, .cache_read = 300'000, .cache_write = 3'750'000};
  // 600 × 3 + 100 × 0.3 + 300 × 3.75 + 10 × 15 = 1800 + 30 + 1125 + 150 = 3105 micro-USD.
  EXPECT_EQ(CostOf(u, p), 3105);
  // No cache_write price: the 300 written tokens bill at input (3): 1800 + 30 + 900 + 150 = 2880.
  p.cache_write = 0;
  EXPECT_EQ(CostOf(u, p), 2880);
}

TEST(CostOfTest, RoundsUpOnce) {
  // 1 × 150000 + 1 × 600000 = 750000 → 0.75 → 1.
  EXPECT_EQ(CostOf(Usage{.prompt_tokens = 1, .completion_tokens = 1}, money::Prices{150'000, 600'000}), 1);
  EXPECT_EQ(CostOf(Usage{}, money::Prices{150'000, 600'000}), 0);
}

TEST(EstimateTokensTest, AboutFourCharactersAToken) {
  EXPECT_EQ(EstimateTokens(0), 0);
  EXPECT_EQ(EstimateTokens(-8), 0);
  EXPECT_EQ(EstimateTokens(1), 1);
  EXPECT_EQ(EstimateTokens(4), 1);
  EXPECT_EQ(EstimateTokens(5), 2);
  EXPECT_EQ(EstimateTokens(400), 100);
}

// The text of the number written after "cost": in `text`.
std::string CostLiteral(const std::string& text) {
  size_t at = text.find("\"cost\":");
  EXPECT_NE(at, std::string::npos) << text;
  if (at == std::string::npos) return "";
  at += 7;
  size_t end = text.find_first_of(",}", at);
  return text.substr(at, end - at);
}

TEST(UsageWithCostTest, KeepsEveryFieldAndAddsCost) {
  json::object usage = StreamUsage("chat-stream-length-reasoning-usage.sse").as_object();
  std::string text = UsageWithCost(usage, 62);
  json::value v = json::parse(text);
  ASSERT_TRUE(v.is_object());
  json::object out = v.as_object();
  ASSERT_TRUE(out.contains("cost"));
  EXPECT_EQ(CostLiteral(text), "0.000062");
  EXPECT_DOUBLE_EQ(out.at("cost").to_number<double>(), 0.000062);
  out.erase("cost");
  EXPECT_EQ(out, usage);
}

TEST(UsageWithCostTest, CostIsAPlainDecimalEqualToTheMicros) {
  json::object usage = json::parse(R"({"prompt_tokens":1,"completion_tokens":2,"total_tokens":3})").as_object();
  for (money::Micros micros : {0LL, 1LL, 10LL, 62LL, 150'000LL, 1'000'000LL, 1'234'567LL, 123'456'789'012LL}) {
    std::string text = UsageWithCost(usage, micros);
    std::string literal = CostLiteral(text);
    EXPECT_EQ(literal.find_first_of("eE"), std::string::npos) << text;
    EXPECT_EQ(money::ParseUsd(literal), micros) << text;
    json::value v = json::parse(text);
    EXPECT_EQ(v.at("total_tokens"), 3);
  }
}

TEST(UsageWithCostTest, ReplacesAnExistingCost) {
  json::object usage = json::parse(R"({"prompt_tokens":1,"cost":99.5})").as_object();
  std::string text = UsageWithCost(usage, 2);
  EXPECT_EQ(text.find("99.5"), std::string::npos) << text;
  EXPECT_EQ(text.find("\"cost\""), text.rfind("\"cost\""));  // once
  EXPECT_EQ(CostLiteral(text), "0.000002");
  EXPECT_EQ(json::parse(text).at("prompt_tokens"), 1);
}

TEST(UsageWithCostTest, EmptyUsageObject) {
  std::string text = UsageWithCost(json::object(), 500'000);
  EXPECT_EQ(text, R"({"cost":0.5})");
}

}  // namespace
}  // namespace turnpike::billing
