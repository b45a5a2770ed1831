#include "protocol/openai_encode.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace turnpike::protocol {
namespace {
namespace json = boost::json;

// Splits "data: {…}\n\n…" into parsed chunks.
std::vector<json::value> Chunks(const std::string& sse) {
  std::vector<json::value> out;
  size_t pos = 0;
  while ((pos = sse.find("data: ", pos)) != std::string::npos) {
    size_t end = sse.find("\n\n", pos);
    out.push_back(json::parse(sse.substr(pos + 6, end - pos - 6)));
    pos = end + 2;
  }
  return out;
}

StreamEvent Event(StreamEvent::Type type) {
  StreamEvent e;
  e.type = type;
  return e;
}

TEST(OpenAiEncodeTest, ChatCompletionShape) {
  ChatResponse r;
  r.content = "Hello";
  r.finish_reason = "tool_calls";
  r.tool_calls.push_back(ToolCall{"toolu_1", "get_weather", R"({"city":"Paris"})", ""});
  std::string usage = R"({"prompt_tokens":3,"completion_tokens":2,"total_tokens":5,"cost":0.000012})";
  auto v = json::parse(EncodeChatCompletion(r, "gen-1", "claude-x", 1700000000, usage));
  const auto& o = v.as_object();
  EXPECT_EQ(o.at("id"), "gen-1");
  EXPECT_EQ(o.at("object"), "chat.completion");
  EXPECT_EQ(o.at("created").as_int64(), 1700000000);
  EXPECT_EQ(o.at("model"), "claude-x");
  EXPECT_TRUE(o.at("system_fingerprint").is_null());  // present: @openrouter/sdk requires the key
  const auto& choice = o.at("choices").as_array()[0].as_object();
  EXPECT_EQ(choice.at("finish_reason"), "tool_calls");
  const auto& message = choice.at("message").as_object();
  EXPECT_EQ(message.at("role"), "assistant");
  EXPECT_EQ(message.at("content"), "Hello");
  const auto& call = message.at("tool_calls").as_array()[0].as_object();
  EXPECT_EQ(call.at("id"), "toolu_1");
  EXPECT_EQ(call.at("type"), "function");
  EXPECT_EQ(call.at("function").at("name"), "get_weather");
  EXPECT_EQ(call.at("function").at("arguments"), R"({"city":"Paris"})");
  EXPECT_EQ(o.at("usage"), json::parse(usage));
  r.content.reset();
  auto none = json::parse(EncodeChatCompletion(r, "gen-2", "m", 1, "{}"));
  EXPECT_TRUE(none.at("choices").at(0).at("message").at("content").is_null());
}

// Named as OpenRouter names its answers: the provider in the answer and in every chunk, and the
// model as the gateway gave it, even when the provider's stream names its own.
TEST(OpenAiEncodeTest, AProviderIsNamedAndTheModelKept) {
  ChatResponse r;
  r.content = "Hi";
  auto answer = json::parse(EncodeChatCompletion(r, "gen-1", "anthropic/claude-haiku-4-5", 1, "{}", "Anthropic"));
  EXPECT_EQ(answer.at("provider"), "Anthropic");
  EXPECT_EQ(answer.at("model"), "anthropic/claude-haiku-4-5");
  EXPECT_FALSE(json::parse(EncodeChatCompletion(r, "gen-1", "m", 1, "{}")).as_object().contains("provider"));

  OpenAiChunkEncoder encoder("gen-2", "anthropic/claude-haiku-4-5", 1, "Anthropic");
  StreamEvent start = Event(StreamEvent::Type::kStart);
  start.model = "claude-haiku-4-5-20251001";
  StreamEvent text = Event(StreamEvent::Type::kText);
  text.text = "Hi";
  std::string sse = encoder.Encode(start) + encoder.Encode(text) + encoder.Close(R"({"prompt_tokens":1})");
  std::vector<json::value> chunks = Chunks(sse);
  ASSERT_GE(chunks.size(), 3u);
  for (const auto& c : chunks) {
    EXPECT_EQ(c.at("id"), "gen-2");
    EXPECT_EQ(c.at("model"), "anthropic/claude-haiku-4-5");
    EXPECT_EQ(c.at("provider"), "Anthropic");
  }
}

TEST(OpenAiEncodeTest, UsageJsonFollowsOpenAiAccounting) {
  Usage u{1532, 40, 1111, 418, 12};
  auto o = UsageJson(u);
  EXPECT_EQ(o.at("prompt_tokens").as_int64(), 1532);
  EXPECT_EQ(o.at("completion_tokens").as_int64(), 40);
  EXPECT_EQ(o.at("total_tokens").as_int64(), 1572);
  EXPECT_EQ(o.at("prompt_tokens_details").at("cached_tokens").as_int64(), 1111);
  EXPECT_EQ(o.at("prompt_tokens_details").at("cache_write_tokens").as_int64(), 418);
  EXPECT_EQ(o.at("completion_tokens_details").at("reasoning_tokens").as_int64(), 12);
}

TEST(OpenAiEncodeTest, StreamOfTextAndParallelToolCalls) {
  OpenAiChunkEncoder enc("gen-9", "fallback-model", 1700000001);
  std::string sse;
  StreamEvent start = Event(StreamEvent::Type::kStart);
  start.model = "claude-haiku-4-5-20251001";
  sse += enc.Encode(start);
  StreamEvent text = Event(StreamEvent::Type::kText);
  text.text = "Let me check.";
  sse += enc.Encode(text);
  for (int i = 0; i < 2; ++i) {
    StreamEvent call = Event(StreamEvent::Type::kToolCallStart);
    call.tool_index = i;
    call.tool_id = "toolu_" + std::to_string(i);
    call.tool_name = "lookup";
    sse += enc.Encode(call);
    StreamEvent args = Event(StreamEvent::Type::kToolCallArgs);
    args.tool_index = i;
    args.text = "{\"q\":" + std::to_string(i) + "}";
    sse += enc.Encode(args);
  }
  StreamEvent usage = Event(StreamEvent::Type::kUsage);
  EXPECT_EQ(enc.Encode(usage), "");  // usage is held for the final chunk
  StreamEvent finish = Event(StreamEvent::Type::kFinish);
  finish.finish_reason = "tool_calls";
  sse += enc.Encode(finish);
  sse += enc.Close(R"({"prompt_tokens":1,"completion_tokens":2,"total_tokens":3,"cost":0.1})");

  auto chunks = Chunks(sse);
  ASSERT_EQ(chunks.size(), 8u);  // role, text, 2×(start, args), finish, usage
  for (const auto& c : chunks) {
    EXPECT_EQ(c.at("id"), "gen-9");
    EXPECT_EQ(c.at("object"), "chat.completion.chunk");
    EXPECT_EQ(c.at("model"), "claude-haiku-4-5-20251001");  // kStart's model wins
    EXPECT_FALSE(c.as_object().contains("system_fingerprint"));
  }
  EXPECT_EQ(chunks[0].at("choices").at(0).at("delta").at("role"), "assistant");
  EXPECT_EQ(chunks[1].at("choices").at(0).at("delta").at("content"), "Let me check.");
  const auto& first_call = chunks[2].at("choices").at(0).at("delta").at("tool_calls").at(0);
  EXPECT_EQ(first_call.at("index").as_int64(), 0);
  EXPECT_EQ(first_call.at("id"), "toolu_0");
  EXPECT_EQ(first_call.at("function").at("arguments"), "");
  EXPECT_EQ(chunks[5].at("choices").at(0).at("delta").at("tool_calls").at(0).at("function").at("arguments"),
            "{\"q\":1}");
  EXPECT_TRUE(chunks[5].at("choices").at(0).at("finish_reason").is_null());
  EXPECT_EQ(chunks[6].at("choices").at(0).at("finish_reason"), "tool_calls");
  EXPECT_TRUE(chunks[7].at("choices").as_array().empty());
  EXPECT_EQ(chunks[7].at("usage").at("total_tokens").as_int64(), 3);
}

TEST(OpenAiEncodeTest, CloseAddsMissingStartAndFinishButNoUsageUnlessAsked) {
  OpenAiChunkEncoder enc("gen-1", "m", 1);
  auto chunks = Chunks(enc.Close(""));
  ASSERT_EQ(chunks.size(), 2u);
  EXPECT_EQ(chunks[0].at("choices").at(0).at("delta").at("role"), "assistant");
  EXPECT_EQ(chunks[1].at("choices").at(0).at("finish_reason"), "stop");
  for (const auto& c : chunks) EXPECT_FALSE(c.as_object().contains("usage"));
}

}  // namespace
}  // namespace turnpike::protocol
