// DecodeCompletion / OpenAiAdapter::DecodeResponse on the recorded chat.completion bodies (OpenAI
// and OpenRouter) and on the shapes compatible servers add; ParseUsage on the recorded usage
// objects.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "providers/adapter_test_util.h"
#include "providers/openai/openai_adapter.h"

namespace turnpike::providers::openai {
namespace {

namespace json = boost::json;

std::string Fixture(std::string_view name) { return providers::testing::ReadFixture("openai", name); }

protocol::ChatResponse Decode(std::string_view body) {
  auto r = OpenAiAdapter().DecodeResponse(body);
  EXPECT_TRUE(r.ok()) << r.error().message;
  return r.ok() ? *r : protocol::ChatResponse{};
}

void ExpectUsage(const std::optional<protocol::Usage>& u, int64_t prompt, int64_t completion, int64_t cached = 0,
                 int64_t cache_write = 0, int64_t reasoning = 0) {
  ASSERT_TRUE(u.has_value());
  EXPECT_EQ(u->prompt_tokens, prompt);
  EXPECT_EQ(u->completion_tokens, completion);
  EXPECT_EQ(u->cached_tokens, cached);
  EXPECT_EQ(u->cache_write_tokens, cache_write);
  EXPECT_EQ(u->reasoning_tokens, reasoning);
}

TEST(OpenAiResponseTest, ToolCallFixture) {
  auto r = Decode(Fixture("chat-nonstream-tool-call.json"));
  EXPECT_EQ(r.id, "chatcmpl-BWpGNGdPONTwxHkZVxbqctQSBDmTn");
  EXPECT_EQ(r.model, "gpt-4o-mini-2024-07-18");
  EXPECT_FALSE(r.content.has_value()) << "content null, refusal null";
  EXPECT_EQ(r.reasoning, "");
  ASSERT_EQ(r.tool_calls.size(), 1u);
  EXPECT_EQ(r.tool_calls[0].id, "call_TTY8UFNo7rNCaOBUNtlRSvMG");
  EXPECT_EQ(r.tool_calls[0].name, "lookup_population");
  EXPECT_EQ(r.tool_calls[0].arguments, R"({"country":"Crumpet"})");
  EXPECT_EQ(r.finish_reason, "tool_calls");
  ExpectUsage(r.usage, 92, 17);
}

TEST(OpenAiResponseTest, ParallelToolCallsFixture) {
  auto r = Decode(Fixture("chat-nonstream-parallel-tool-calls.json"));
  EXPECT_EQ(r.model, "gpt-4o-2024-08-06");
  ASSERT_EQ(r.tool_calls.size(), 2u);
  EXPECT_EQ(r.tool_calls[0].id, "call_jYdIdRZHxZTn5bWCq5jlMrJi");
  EXPECT_EQ(r.tool_calls[0].name, "delete_file");
  EXPECT_EQ(r.tool_calls[0].arguments, R"({"path": ".env"})");
  EXPECT_EQ(r.tool_calls[1].id, "call_TmlTVWQbzrXCZ4jNsCVNbNqu");
  EXPECT_EQ(r.tool_calls[1].name, "create_file");
  EXPECT_EQ(r.tool_calls[1].arguments, R"({"path": "test.txt"})");
  EXPECT_EQ(r.finish_reason, "tool_calls");
  ExpectUsage(r.usage, 71, 46);
}

TEST(OpenAiResponseTest, TextFixture) {
  auto r = Decode(Fixture("chat-nonstream-text-after-tool-results.json"));
  EXPECT_EQ(r.id, "chatcmpl-BWpGTZY785VsZipCO0bAvF7Z7tjdA");
  EXPECT_EQ(r.content, "YES");
  EXPECT_TRUE(r.tool_calls.empty());
  EXPECT_EQ(r.finish_reason, "stop");
  ExpectUsage(r.usage, 146, 3);
}

TEST(OpenAiResponseTest, OpenRouterFixtureWithLeadingWhitespace) {
  auto r = Decode(Fixture("chat-nonstream-openrouter.json"));
  EXPECT_EQ(r.id, "gen-1780944465-zk8dli4tj1VsUfFSXDLR");
  EXPECT_EQ(r.model, "anthropic/claude-4.5-haiku-20251001");
  EXPECT_EQ(r.content, "The capital of France is Paris.");
  EXPECT_EQ(r.reasoning, "") << "reasoning: null";
  EXPECT_EQ(r.finish_reason, "stop");
  ExpectUsage(r.usage, 14, 10);
}

TEST(OpenAiResponseTest, CompatibleServerShapes) {
  auto r = Decode(R"({"id":"x","model":"deepseek-reasoner","choices":[
      {"index":1,"message":{"content":"second"},"finish_reason":"stop"},
      {"index":0,"message":{"role":"assistant","content":[{"type":"text","text":"a"},{"type":"image_url"},{"type":"text","text":"b"}],
       "reasoning_content":"why","tool_calls":[{"id":"call_1","type":"function","function":{"name":"f"}},{"id":"bad"}]}}],
      "usage":{"prompt_tokens":1000,"completion_tokens":200,"prompt_tokens_details":{"cached_tokens":400,"cache_write_tokens":30},
               "completion_tokens_details":{"reasoning_tokens":50}}})");
  EXPECT_EQ(r.content, "ab") << "the choice with index 0; text parts joined";
  EXPECT_EQ(r.reasoning, "why");
  ASSERT_EQ(r.tool_calls.size(), 1u);
  EXPECT_EQ(r.tool_calls[0].arguments, "{}");
  EXPECT_EQ(r.finish_reason, "tool_calls") << "missing finish_reason with tool calls";
  ExpectUsage(r.usage, 1000, 200, 400, 30, 50);
}

TEST(OpenAiResponseTest, RefusalIsTheContentWhenThereIsNone) {
  auto r = Decode(
      R"({"choices":[{"message":{"content":null,"refusal":"I can't help with that."},"finish_reason":"stop"}]})");
  EXPECT_EQ(r.content, "I can't help with that.");
  EXPECT_FALSE(r.usage.has_value());
  auto both = Decode(R"({"choices":[{"message":{"content":"","refusal":"no"}}]})");
  EXPECT_EQ(both.content, "") << "an empty content is still content";
  EXPECT_EQ(both.finish_reason, "stop");
  auto reasoning = Decode(R"({"choices":[{"message":{"content":"a","reasoning":"r1","reasoning_content":"r2"}}]})");
  EXPECT_EQ(reasoning.reasoning, "r1") << "reasoning wins over reasoning_content";
}

TEST(OpenAiResponseTest, UnreadableBodies) {
  OpenAiAdapter adapter;
  for (const char* body : {"", "not json", "[1]", "{}", R"({"choices":[]})", R"({"choices":[{"index":0}]})",
                           R"({"choices":[{"index":1,"message":{}}]})", R"({"choices":{"message":{}}})"}) {
    auto r = adapter.DecodeResponse(body);
    ASSERT_FALSE(r.ok()) << body;
    EXPECT_EQ(r.error().code, ErrorCode::kUpstream) << body;
  }
  EXPECT_EQ(adapter.DecodeResponse("[1]").error().message,
            "The provider's answer is not a readable chat.completion: the body is not a JSON object");
  EXPECT_EQ(adapter.DecodeResponse("{}").error().message,
            "The provider's answer is not a readable chat.completion: it has no choice with a message");
}

TEST(OpenAiResponseTest, AnErrorBodyIsTheErrorItReports) {
  OpenAiAdapter adapter;
  auto r = adapter.DecodeResponse(R"({"error":{"message":"Rate limited upstream","code":429}})");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kRateLimited);
  EXPECT_EQ(r.error().message, "Rate limited upstream");
  auto key = adapter.DecodeResponse(Fixture("error-401-invalid-api-key.json"));
  ASSERT_FALSE(key.ok());
  EXPECT_EQ(key.error().code, ErrorCode::kUpstream) << "code invalid_api_key is a 401";
  EXPECT_EQ(key.error().message, "the provider rejected the gateway's credentials");
  auto openrouter = adapter.DecodeResponse(Fixture("error-401-openrouter-missing-auth.json"));
  ASSERT_FALSE(openrouter.ok());
  EXPECT_EQ(openrouter.error().message, "the provider rejected the gateway's credentials");
}

TEST(OpenAiParseUsageTest, RecordedUsageObjects) {
  struct Case {
    const char* file;
    int64_t prompt, completion, cache_write, reasoning;
  } cases[] = {
      {"chat-nonstream-parallel-tool-calls.json", 71, 46, 0, 0},
      {"chat-nonstream-text-after-tool-results.json", 146, 3, 0, 0},
      {"chat-nonstream-tool-call.json", 92, 17, 0, 0},
      {"chat-nonstream-openrouter.json", 14, 10, 0, 0},
  };
  for (const auto& c : cases) {
    protocol::Usage u;
    u.cached_tokens = 99;  // overwritten: parsing starts from zero
    ASSERT_TRUE(ParseUsage(json::parse(Fixture(c.file)).at("usage"), u)) << c.file;
    EXPECT_EQ(u.prompt_tokens, c.prompt) << c.file;
    EXPECT_EQ(u.completion_tokens, c.completion) << c.file;
    EXPECT_EQ(u.cached_tokens, 0) << c.file;
    EXPECT_EQ(u.cache_write_tokens, c.cache_write) << c.file;
    EXPECT_EQ(u.reasoning_tokens, c.reasoning) << c.file;
  }
}

TEST(OpenAiParseUsageTest, DetailsAndMissingFields) {
  protocol::Usage u;
  ASSERT_TRUE(ParseUsage(json::parse(R"({"prompt_tokens":1000,"completion_tokens":200,
      "prompt_tokens_details":{"cached_tokens":400,"cache_write_tokens":30},
      "completion_tokens_details":{"reasoning_tokens":50}})"),
                         u));
  EXPECT_EQ(u.prompt_tokens, 1000);
  EXPECT_EQ(u.completion_tokens, 200);
  EXPECT_EQ(u.cached_tokens, 400);
  EXPECT_EQ(u.cache_write_tokens, 30);
  EXPECT_EQ(u.reasoning_tokens, 50);

  ASSERT_TRUE(ParseUsage(json::parse(R"({"completion_tokens":5})"), u));
  EXPECT_EQ(u.prompt_tokens, 0);
  EXPECT_EQ(u.completion_tokens, 5);
  EXPECT_EQ(u.cached_tokens, 0);
  EXPECT_EQ(u.reasoning_tokens, 0);

  ASSERT_TRUE(ParseUsage(json::parse(R"({"prompt_tokens_details":null,"completion_tokens_details":null})"), u));
  EXPECT_EQ(u.prompt_tokens + u.completion_tokens + u.cached_tokens + u.reasoning_tokens, 0);
}

TEST(OpenAiParseUsageTest, NonObjectsAreRejectedAndLeaveTheOutputAlone) {
  protocol::Usage u;
  u.prompt_tokens = 7;
  EXPECT_FALSE(ParseUsage(json::value(nullptr), u));
  EXPECT_FALSE(ParseUsage(json::parse("[]"), u));
  EXPECT_FALSE(ParseUsage(json::parse("12"), u));
  EXPECT_EQ(u.prompt_tokens, 7);
}

// Absurd counts are read as kMaxTokenCount, so that prompt + completion (total_tokens) cannot
// overflow: the stream fuzzers showed the sum overflowing in protocol::UsageJson.
TEST(OpenAiParseUsageTest, NegativeAndNonNumericCountsAreZeroAbsurdOnesCapped) {
  protocol::Usage u;
  ASSERT_TRUE(ParseUsage(json::parse(R"({"prompt_tokens":-5,"completion_tokens":"7","total_tokens":2.5})"), u));
  EXPECT_EQ(u.prompt_tokens, 0);
  EXPECT_EQ(u.completion_tokens, 0);
  ASSERT_TRUE(ParseUsage(json::parse(R"({"prompt_tokens":12.9,"completion_tokens":18446744073709551615})"), u));
  EXPECT_EQ(u.prompt_tokens, 12);
  EXPECT_EQ(u.completion_tokens, protocol::kMaxTokenCount);
  ASSERT_TRUE(ParseUsage(json::parse(R"({"prompt_tokens":1e300,"completion_tokens":-1e300})"), u));
  EXPECT_EQ(u.prompt_tokens, protocol::kMaxTokenCount);
  EXPECT_EQ(u.completion_tokens, 0);
  ASSERT_TRUE(ParseUsage(json::parse(R"({"prompt_tokens":9223372036854775807,"completion_tokens":1})"), u));
  EXPECT_EQ(u.prompt_tokens, protocol::kMaxTokenCount);
}

}  // namespace
}  // namespace turnpike::providers::openai
