// GeminiAdapter::DecodeResponse on the recorded non-stream bodies (values checked by hand
// against the fixtures) and on hand-made corner cases.
#include <gtest/gtest.h>

#include "providers/gemini/gemini_adapter.h"
#include "providers/gemini/gemini_test_util.h"

namespace turnpike::providers::gemini {
namespace {

using testing::ReadFixture;

protocol::ChatResponse MustDecode(std::string_view body) {
  GeminiAdapter adapter;
  auto r = adapter.DecodeResponse(body);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  return r.ok() ? std::move(r).value() : protocol::ChatResponse{};
}

TEST(GeminiResponse, ParallelFunctionCallsSignatureOnlyOnTheFirst) {
  const auto r = MustDecode(ReadFixture("generate-content-parallel-function-calls.json"));
  EXPECT_EQ(r.id, "wOd8abGuO5rgz7IP5tLEGA");
  EXPECT_EQ(r.model, "gemini-3-flash-preview");
  EXPECT_FALSE(r.content.has_value());
  EXPECT_EQ(r.finish_reason, "tool_calls");  // Gemini said STOP
  ASSERT_EQ(r.tool_calls.size(), 3u);
  for (size_t k = 0; k < 3; ++k) {
    EXPECT_EQ(r.tool_calls[k].id, "call_wOd8abGuO5rgz7IP5tLEGA_" + std::to_string(k));
    EXPECT_EQ(r.tool_calls[k].name, "generate_topic");
    EXPECT_EQ(r.tool_calls[k].arguments, "{}");
  }
  const std::string& sig = r.tool_calls[0].thought_signature;
  EXPECT_EQ(sig.size(), 964u);
  EXPECT_EQ(sig.substr(0, 24), "Es8FCswFAXLI2nxFGW9oAYt0");
  EXPECT_EQ(sig.substr(sig.size() - 16), "T3783UHrkQCEaZs=");
  EXPECT_EQ(r.tool_calls[1].thought_signature, "");
  EXPECT_EQ(r.tool_calls[2].thought_signature, "");
  ASSERT_TRUE(r.usage.has_value());
  EXPECT_EQ(r.usage->prompt_tokens, 83);
  EXPECT_EQ(r.usage->completion_tokens, 30 + 190);
  EXPECT_EQ(r.usage->reasoning_tokens, 190);
  EXPECT_EQ(r.usage->cached_tokens, 0);
}

TEST(GeminiResponse, SafetyBlockedCandidateIsContentFilter) {
  const auto r = MustDecode(ReadFixture("generate-content-safety-blocked.json"));
  EXPECT_EQ(r.id, "5lpeaLOIBf__698Pv8HGgAg");
  EXPECT_EQ(r.model, "gemini-1.5-flash");
  EXPECT_EQ(r.finish_reason, "content_filter");
  EXPECT_FALSE(r.content.has_value());
  EXPECT_TRUE(r.tool_calls.empty());
  ASSERT_TRUE(r.usage.has_value());
  EXPECT_EQ(r.usage->prompt_tokens, 14);
  EXPECT_EQ(r.usage->completion_tokens, 0);
}

TEST(GeminiResponse, MaxTokensIsLength) {
  const auto r = MustDecode(ReadFixture("generate-content-max-tokens.json"));
  EXPECT_EQ(r.id, "R5MoavWNNp_8qtsP2fWD2A0");
  EXPECT_EQ(r.model, "gemini-2.5-flash");
  EXPECT_EQ(r.content, std::optional<std::string>("The capital of France is"));
  EXPECT_EQ(r.finish_reason, "length");
  ASSERT_TRUE(r.usage.has_value());
  EXPECT_EQ(r.usage->prompt_tokens, 15);
  EXPECT_EQ(r.usage->completion_tokens, 5);
  EXPECT_EQ(r.usage->reasoning_tokens, 0);
}

TEST(GeminiResponse, ThoughtsCountInCompletionAndCachedIsReported) {
  const auto r = MustDecode(R"({"candidates":[{"content":{"parts":[{"text":"It is"}],"role":"model"},
      "finishReason":"MAX_TOKENS","index":0}],"usageMetadata":{"promptTokenCount":40,"candidatesTokenCount":2,
      "thoughtsTokenCount":3,"cachedContentTokenCount":32,"totalTokenCount":45},"modelVersion":"gemini-2.5-pro"})");
  EXPECT_EQ(r.finish_reason, "length");
  EXPECT_EQ(r.id, "gemini-response");  // no responseId
  ASSERT_TRUE(r.usage.has_value());
  EXPECT_EQ(r.usage->prompt_tokens, 40);
  EXPECT_EQ(r.usage->completion_tokens, 5);
  EXPECT_EQ(r.usage->reasoning_tokens, 3);
  EXPECT_EQ(r.usage->cached_tokens, 32);
  EXPECT_EQ(r.usage->cache_write_tokens, 0);
}

// Shown by fuzz_gemini_stream (UBSan): candidates + thoughts overflowed int64 (undefined
// behaviour, in practice a negative completion count). Counts are read as at most
// kMaxTokenCount, so their sums cannot overflow.
TEST(GeminiResponse, AbsurdCountsAreCapped) {
  const auto r = MustDecode(R"({"candidates":[{"content":{"parts":[{"text":"x"}],"role":"model"},"index":0}],
      "usageMetadata":{"promptTokenCount":18446744073709551615,"candidatesTokenCount":9223372036854775807,
      "thoughtsTokenCount":5}})");
  ASSERT_TRUE(r.usage.has_value());
  EXPECT_EQ(r.usage->prompt_tokens, protocol::kMaxTokenCount);
  EXPECT_EQ(r.usage->completion_tokens, protocol::kMaxTokenCount + 5);
  EXPECT_EQ(r.usage->reasoning_tokens, 5);
}

// A number beyond a double's range (1e999) cannot be re-encoded as JSON (it would go out as
// "Infinity"): such an answer is refused as unreadable, not passed on broken.
TEST(GeminiResponse, NumbersBeyondADoubleAreRefused) {
  GeminiAdapter adapter;
  auto r = adapter.DecodeResponse(R"({"candidates":[{"content":{"parts":[{"functionCall":{"name":"f",
      "args":{"x":1e999}}}],"role":"model"},"index":0}],"usageMetadata":{"promptTokenCount":1}})");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kUpstream);
}

TEST(GeminiResponse, PromptBlockedWithoutCandidates) {
  const auto r = MustDecode(R"({"promptFeedback":{"blockReason":"SAFETY"},
      "usageMetadata":{"promptTokenCount":7,"totalTokenCount":7},"modelVersion":"gemini-2.5-flash","responseId":"b1"})");
  EXPECT_EQ(r.finish_reason, "content_filter");
  EXPECT_FALSE(r.content.has_value());
  EXPECT_EQ(r.id, "b1");
  ASSERT_TRUE(r.usage.has_value());
  EXPECT_EQ(r.usage->prompt_tokens, 7);
}

TEST(GeminiResponse, TextThoughtsSignaturesAndGeminiIds) {
  const auto r = MustDecode(R"({"candidates":[{"content":{"parts":[
      {"text":"Let me think.","thought":true},
      {"text":"Hello"},{"text":""},{"text":", world","thoughtSignature":"c2ln"},
      {"functionCall":{"name":"f","args":{"a":[1,{"b":null}]},"id":"c9bjmkfz"},"thoughtSignature":"U0lH"},
      {"functionCall":{"name":"g"}},
      {"inlineData":{"mimeType":"image/png","data":"AA=="}}],"role":"model"},"finishReason":"STOP"}],
      "responseId":"r9"})");
  EXPECT_EQ(r.reasoning, "Let me think.");
  EXPECT_EQ(r.content, std::optional<std::string>("Hello, world"));
  EXPECT_EQ(r.finish_reason, "tool_calls");
  ASSERT_EQ(r.tool_calls.size(), 2u);
  EXPECT_EQ(r.tool_calls[0].id, "c9bjmkfz");
  EXPECT_EQ(r.tool_calls[0].name, "f");
  EXPECT_EQ(testing::Json(r.tool_calls[0].arguments), testing::Json(R"({"a":[1,{"b":null}]})"));
  EXPECT_EQ(r.tool_calls[0].thought_signature, "U0lH");
  EXPECT_EQ(r.tool_calls[1].id, "call_r9_1");
  EXPECT_EQ(r.tool_calls[1].arguments, "{}");
  EXPECT_FALSE(r.usage.has_value());
}

TEST(GeminiResponse, FinishReasonTable) {
  struct Row {
    const char* gemini;
    bool tool_call;
    const char* openai;
  };
  const Row rows[] = {
      {"STOP", false, "stop"},
      {"STOP", true, "tool_calls"},
      {"MAX_TOKENS", true, "length"},
      {"SAFETY", false, "content_filter"},
      {"RECITATION", false, "content_filter"},
      {"BLOCKLIST", false, "content_filter"},
      {"PROHIBITED_CONTENT", false, "content_filter"},
      {"SPII", false, "content_filter"},
      {"IMAGE_SAFETY", false, "content_filter"},
      {"MALFORMED_FUNCTION_CALL", false, "stop"},
      {"UNEXPECTED_TOOL_CALL", true, "stop"},
      {"LANGUAGE", false, "stop"},
      {"OTHER", false, "stop"},
      {"FINISH_REASON_UNSPECIFIED", false, "stop"},
  };
  for (const Row& row : rows) {
    std::string body = std::string(R"({"candidates":[{"content":{"parts":[)") +
                       (row.tool_call ? R"({"functionCall":{"name":"f","args":{}}})" : R"({"text":"x"})") +
                       R"(]},"finishReason":")" + row.gemini + R"("}]})";
    EXPECT_EQ(MustDecode(body).finish_reason, row.openai) << row.gemini;
  }
}

TEST(GeminiResponse, UnreadableBodiesAreUpstreamErrors) {
  GeminiAdapter adapter;
  for (std::string_view body :
       {std::string_view("not json"), std::string_view("[1]"), std::string_view("{}"),
        std::string_view(R"({"candidates":[{"content":{"parts":{}}}]})"),
        std::string_view(R"({"candidates":[{"content":{"parts":[{"text":1}]}}]})"),
        std::string_view(R"({"candidates":[{"content":{"parts":[]}}],"usageMetadata":{"promptTokenCount":-1}})")}) {
    auto r = adapter.DecodeResponse(body);
    ASSERT_FALSE(r.ok()) << body;
    EXPECT_EQ(r.error().code, ErrorCode::kUpstream) << body;
  }
}

}  // namespace
}  // namespace turnpike::providers::gemini
