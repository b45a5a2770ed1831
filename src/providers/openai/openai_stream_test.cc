// The OpenAI chunk decoder on the recorded streams (tests/fixtures/providers/openai/*.sse, OpenAI
// and OpenRouter), fed through protocol::SseReader whole, split at every byte and one byte at a
// time; then what each recording shows, and the corners they do not reach.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "providers/adapter_test_util.h"
#include "providers/openai/openai_adapter.h"

namespace turnpike::providers::openai {
namespace {

namespace json = boost::json;
using protocol::StreamEvent;
using providers::testing::Describe;

std::string Fixture(std::string_view name) { return providers::testing::ReadFixture("openai", name); }

struct Decoded {
  std::vector<std::string> events;
  bool complete = false;
  std::string failure;
};

Decoded Decode(const std::vector<std::string_view>& pieces) {
  auto d = providers::testing::DecodeStream(OpenAiAdapter(), pieces);
  return {Describe(d.events), d.complete, d.failure};
}

Decoded DecodeWhole(std::string_view bytes) { return Decode({bytes}); }

// Synthetic streams: `data: <json>\n\n` per chunk.
std::string Stream(const std::vector<std::string>& chunks) {
  std::string out;
  for (const auto& c : chunks) out += "data: " + c + "\n\n";
  return out;
}

std::string Chunk(const std::string& delta, const std::string& finish = "null") {
  return R"({"id":"chatcmpl-1","object":"chat.completion.chunk","model":"m","choices":[{"index":0,"delta":)" + delta +
         R"(,"finish_reason":)" + finish + "}]}";
}

// The text all kText events of `events` add up to.
std::string JoinedText(const std::vector<std::string>& events) {
  std::string text;
  for (const auto& e : events) {
    if (e.starts_with("text ")) text += json::value_to<std::string>(json::parse(e.substr(5)));
  }
  return text;
}

TEST(OpenAiStreamTest, EverySplitPointDecodesLikeTheWholeFile) {
  auto fixtures = providers::testing::SseFixtures("openai");
  ASSERT_GE(fixtures.size(), 6u);
  for (const auto& name : fixtures) {
    std::string bytes = Fixture(name);
    ASSERT_FALSE(bytes.empty()) << name;
    Decoded whole = DecodeWhole(bytes);
    ASSERT_EQ(whole.failure, "") << name;
    ASSERT_TRUE(whole.complete) << name;
    ASSERT_GE(whole.events.size(), 3u) << name;
    std::string_view all(bytes);
    for (size_t cut = 0; cut <= bytes.size(); ++cut) {
      Decoded split = Decode({all.substr(0, cut), all.substr(cut)});
      ASSERT_EQ(split.events, whole.events) << name << " split at byte " << cut;
      ASSERT_TRUE(split.complete) << name << " split at byte " << cut;
    }
    std::vector<std::string_view> one_by_one;
    for (size_t i = 0; i < bytes.size(); ++i) one_by_one.push_back(all.substr(i, 1));
    EXPECT_EQ(Decode(one_by_one).events, whole.events) << name;
  }
}

TEST(OpenAiStreamTest, TextWithUsage) {
  Decoded d = DecodeWhole(Fixture("chat-stream-text-include-usage.sse"));
  EXPECT_EQ(d.events, (std::vector<std::string>{
                          "start id=chatcmpl-C2P2HtMJhPkWjQ2adKerkdVilXmRL model=gpt-4o-2024-08-06", R"(text "The")",
                          R"(text " capital")", R"(text " of")", R"(text " Mexico")", R"(text " is")",
                          R"(text " Mexico")", R"(text " City")", R"(text ".")", "finish stop",
                          "usage prompt=14 completion=8 cached=0 cache_write=0 reasoning=0"}));
  EXPECT_TRUE(d.complete);
}

TEST(OpenAiStreamTest, TextWithoutUsageKey) {
  Decoded d = DecodeWhole(Fixture("chat-stream-text-no-usage.sse"));
  ASSERT_GE(d.events.size(), 3u);
  EXPECT_EQ(d.events.front(), "start id=chatcmpl-C4HqHBe4xca0k0EzsCnf1t6V3YFXp model=gpt-5-nano-2025-08-07");
  EXPECT_EQ(d.events.back(), "finish stop") << "no usage chunk, no kUsage";
  EXPECT_EQ(JoinedText(d.events),
            "Hi there! How can I help today? I can answer questions, explain concepts, help with writing or "
            "brainstorming, code, plan something, and more. Tell me what you\xE2\x80\x99"
            "d like to work on or a topic you\xE2\x80\x99re curious about.");
}

TEST(OpenAiStreamTest, OneToolCallInElevenFragments) {
  Decoded d = DecodeWhole(Fixture("chat-stream-tool-call.sse"));
  EXPECT_EQ(d.events, (std::vector<std::string>{
                          "start id=chatcmpl-BWlJBDk2xe66hjff60joVYpXi1hh4 model=gpt-4o-mini-2024-07-18",
                          "tool_start 0 id=call_1EYWDzueHEp8OsB8jJSEp7WB name=multiply sig=", "tool_args 0 {\"",
                          "tool_args 0 a", "tool_args 0 \":", "tool_args 0 123", "tool_args 0 1", "tool_args 0 ,\"",
                          "tool_args 0 b", "tool_args 0 \":", "tool_args 0 233", "tool_args 0 1", "tool_args 0 }",
                          "finish tool_calls", "usage prompt=54 completion=20 cached=0 cache_write=0 reasoning=0"}));
}

TEST(OpenAiStreamTest, ParallelToolCallsKeepTheirIndexes) {
  Decoded d = DecodeWhole(Fixture("chat-stream-parallel-tool-calls.sse"));
  EXPECT_EQ(d.events, (std::vector<std::string>{
                          "start id=chatcmpl-CMKAuuvC6E26nL6HLZzTrysEvC8Ln model=gpt-4o-2024-08-06",
                          "tool_start 0 id=call_NS4iQj14cDFwc0BnrKqDHavt name=get_weather sig=", "tool_args 0 {\"ci",
                          "tool_args 0 ty\": ", "tool_args 0 \"Mexic", "tool_args 0 o Ci", "tool_args 0 ty\"}",
                          "tool_start 1 id=call_SkGkkGDvHQEEk0CGbnAh2AQw name=get_product_name sig=", "tool_args 1 {}",
                          "finish tool_calls", "usage prompt=417 completion=44 cached=0 cache_write=0 reasoning=0"}));
}

TEST(OpenAiStreamTest, LengthFinishWithReasoningTokens) {
  Decoded d = DecodeWhole(Fixture("chat-stream-length-reasoning-usage.sse"));
  EXPECT_EQ(d.events, (std::vector<std::string>{
                          "start id=chatcmpl-C4Hq5a6K3RaPMymUv70btQNYv6SvY model=gpt-5-nano-2025-08-07",
                          "finish length", "usage prompt=12 completion=100 cached=0 cache_write=0 reasoning=100"}));
}

TEST(OpenAiStreamTest, OpenRouterRepeatsTheFinishOnItsUsageChunk) {
  Decoded d = DecodeWhole(Fixture("chat-stream-openrouter-usage.sse"));
  EXPECT_EQ(d.events, (std::vector<std::string>{
                          "start id=gen-1780944361-X5HAtL0Z2NQp8nHAiT6F model=anthropic/claude-4.5-haiku-20251001",
                          R"(text "1\n2\n3")", "finish stop",
                          "usage prompt=15 completion=9 cached=0 cache_write=0 reasoning=0"}));
}

TEST(OpenAiStreamTest, DoneCompletesAndEofWithoutItIsACut) {
  std::string bytes = Fixture("chat-stream-text-include-usage.sse");
  size_t done = bytes.find("data: [DONE]");
  ASSERT_NE(done, std::string::npos);
  Decoded cut = DecodeWhole(std::string_view(bytes).substr(0, done));
  EXPECT_FALSE(cut.complete);
  EXPECT_EQ(cut.events, DecodeWhole(bytes).events) << "everything before [DONE] still decodes";
  EXPECT_FALSE(DecodeWhole("").complete);
  Decoded early = DecodeWhole(Stream({Chunk(R"({"content":"a"})")}));
  EXPECT_FALSE(early.complete);
  EXPECT_EQ(early.events, (std::vector<std::string>{"start id=chatcmpl-1 model=m", R"(text "a")"}));
}

TEST(OpenAiStreamTest, NothingIsReadAfterDone) {
  Decoded d = DecodeWhole(Stream({Chunk(R"({"content":"a"})"), "[DONE]", Chunk(R"({"content":"late"})"), "not json"}));
  EXPECT_EQ(d.failure, "");
  EXPECT_TRUE(d.complete);
  EXPECT_EQ(d.events, (std::vector<std::string>{"start id=chatcmpl-1 model=m", R"(text "a")"}));
}

TEST(OpenAiStreamTest, ErrorChunkEndsTheStream) {
  // OpenRouter's documented mid-stream error: a string code and finish_reason "error".
  Decoded d = DecodeWhole(Stream({
      Chunk(R"({"role":"assistant","content":"Hel"})"),
      R"({"id":"chatcmpl-1","object":"chat.completion.chunk","model":"m","error":{"code":"server_error","message":"Provider disconnected unexpectedly"},"choices":[{"index":0,"delta":{"content":""},"finish_reason":"error"}]})",
      Chunk(R"({"content":"late"})"),
  }));
  EXPECT_EQ(d.failure, "");
  EXPECT_TRUE(d.complete) << "the error ended the stream; no second error is due";
  EXPECT_EQ(d.events, (std::vector<std::string>{"start id=chatcmpl-1 model=m", R"(text "Hel")",
                                                "error code=10 Provider disconnected unexpectedly"}));
}

TEST(OpenAiStreamTest, ErrorChunkCodesMapLikeMapError) {
  struct Case {
    std::string error;
    ErrorCode code;
    std::string message;
  };
  const std::vector<Case> cases = {
      {R"({"message":"Rate limit reached","code":429})", ErrorCode::kRateLimited, "Rate limit reached"},
      {R"({"message":"slow","code":"408"})", ErrorCode::kTimeout, "slow"},
      {R"({"message":"bad","code":400})", ErrorCode::kBadRequest, "bad"},
      {R"({"message":"overloaded","code":503})", ErrorCode::kUpstream, "overloaded"},
      {R"({"message":"The server had an error","type":"server_error","param":null,"code":null})", ErrorCode::kUpstream,
       "The server had an error"},
      {R"({"message":"Incorrect API key provided: sk-abc123","code":401})", ErrorCode::kUpstream,
       "the provider rejected the gateway's credentials"},
      {R"({"message":"Incorrect API key provided: sk-abc123","type":"invalid_request_error","code":"invalid_api_key"})",
       ErrorCode::kUpstream, "the provider rejected the gateway's credentials"},
      {R"({"message":"Rate limit reached","type":"tokens","code":"rate_limit_exceeded"})", ErrorCode::kRateLimited,
       "Rate limit reached"},
      {R"({})", ErrorCode::kUpstream, "the provider reported an error without a message"},
  };
  for (const auto& c : cases) {
    OpenAiAdapter adapter;
    auto decoder = adapter.NewStreamDecoder();
    std::vector<StreamEvent> out;
    ASSERT_TRUE(decoder->OnEvent({"", R"({"error":)" + c.error + "}", ""}, out).ok()) << c.error;
    ASSERT_EQ(out.size(), 2u) << c.error;
    EXPECT_EQ(out[0].type, StreamEvent::Type::kStart);
    EXPECT_EQ(out[1].type, StreamEvent::Type::kError) << c.error;
    EXPECT_EQ(out[1].error.code, c.code) << c.error;
    EXPECT_EQ(out[1].error.message, c.message) << c.error;
  }
}

TEST(OpenAiStreamTest, MalformedDataFailsTheStream) {
  for (const char* data : {"{\"id\":", "[1,2]", "not json", "\"[DONE]\""}) {
    Decoded d = DecodeWhole(Stream({Chunk(R"({"content":"a"})"), data}));
    EXPECT_EQ(d.failure, "a stream event's data is not a JSON object") << data;
  }
}

TEST(OpenAiStreamTest, ReasoningRefusalAndEmptyStrings) {
  Decoded d = DecodeWhole(Stream({
      Chunk(R"({"role":"assistant","content":"","reasoning":"think","reasoning_content":"same thought"})"),
      Chunk(R"({"reasoning_content":"deep"})"),
      Chunk(R"({"content":null,"refusal":"I can't"})"),
      Chunk(R"({})", R"("content_filter")"),
      "[DONE]",
  }));
  EXPECT_EQ(d.events, (std::vector<std::string>{"start id=chatcmpl-1 model=m", R"(reasoning "think")",
                                                R"(reasoning "deep")", R"(text "I can't")", "finish content_filter"}));
}

TEST(OpenAiStreamTest, ToolCallCorners) {
  Decoded d = DecodeWhole(Stream({
      // A whole call in one chunk, without index: its position in the array.
      Chunk(R"({"tool_calls":[{"id":"call_a","type":"function","function":{"name":"f","arguments":"{\"x\":1}"}}]})"),
      // A provider repeating the id on every fragment starts the call once.
      Chunk(R"({"tool_calls":[{"index":2,"id":"call_b","function":{"name":"g","arguments":""}}]})"),
      Chunk(R"({"tool_calls":[{"index":2,"id":"call_b","function":{"arguments":"{}"}}]})"),
      // Fragments for an index that never started are dropped; so are malformed entries.
      Chunk(R"({"tool_calls":[{"index":7,"function":{"arguments":"{\"lost\":1}"}}, 5, {"index":2}]})"),
      // Chunks for other choices (n > 1) are not read.
      R"({"id":"chatcmpl-1","choices":[{"index":1,"delta":{"content":"other"},"finish_reason":"stop"}]})",
      Chunk(R"({})", R"("tool_calls")"),
      "[DONE]",
  }));
  EXPECT_EQ(d.events, (std::vector<std::string>{
                          "start id=chatcmpl-1 model=m", "tool_start 0 id=call_a name=f sig=", "tool_args 0 {\"x\":1}",
                          "tool_start 2 id=call_b name=g sig=", "tool_args 2 {}", "finish tool_calls"}));
}

TEST(OpenAiStreamTest, UsageWithCachedAndReasoningTokens) {
  Decoded d = DecodeWhole(Stream({
      Chunk(R"({"content":"x"})", R"("stop")"),
      R"({"id":"chatcmpl-1","choices":[],"usage":{"prompt_tokens":1000,"completion_tokens":200,"prompt_tokens_details":{"cached_tokens":400,"cache_write_tokens":30},"completion_tokens_details":{"reasoning_tokens":50}}})",
      "[DONE]",
  }));
  EXPECT_EQ(d.events.back(), "usage prompt=1000 completion=200 cached=400 cache_write=30 reasoning=50");
}

TEST(OpenAiStreamTest, OnChunkReadsAParsedChunkAndDoneIsVisible) {
  ChunkDecoder decoder;
  std::vector<StreamEvent> out;
  ASSERT_TRUE(decoder.OnChunk(json::parse(Chunk(R"({"content":"hi"})")).as_object(), out).ok());
  EXPECT_FALSE(decoder.done());
  ASSERT_TRUE(decoder.OnEvent({"", "[DONE]", ""}, out).ok());
  EXPECT_TRUE(decoder.done());
  EXPECT_EQ(Describe(out), (std::vector<std::string>{"start id=chatcmpl-1 model=m", R"(text "hi")"}));
}

}  // namespace
}  // namespace turnpike::providers::openai
