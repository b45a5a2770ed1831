// The Gemini stream decoder: every recorded stream replayed through protocol::SseReader split at
// every byte offset must decode to the same events as the whole file; golden checks against
// values read off the fixtures by hand; then cut streams, in-stream errors and odd chunks.
#include <gtest/gtest.h>

#include "protocol/sse_reader.h"
#include "providers/gemini/gemini_adapter.h"
#include "providers/gemini/gemini_test_util.h"

namespace turnpike::providers::gemini {
namespace {

using protocol::StreamEvent;
using testing::Describe;
using testing::ReadFixture;

struct Decoded {
  std::vector<std::string> events;
  bool complete = false;
};

// Feeds `pieces` through a fresh SseReader into a fresh decoder, then ends the stream.
Decoded Decode(const std::vector<std::string_view>& pieces) {
  GeminiAdapter adapter;
  auto decoder = adapter.NewStreamDecoder();
  protocol::SseReader reader;
  std::vector<StreamEvent> out;
  for (auto piece : pieces) {
    Status s = reader.Feed(piece, [&](protocol::SseEvent&& e) {
      Status d = decoder->OnEvent(e, out);
      EXPECT_TRUE(d.ok()) << d.error().message;
    });
    EXPECT_TRUE(s.ok()) << s.error().message;
  }
  EXPECT_FALSE(reader.HasPartial());
  Decoded result;
  result.complete = decoder->OnEnd(out);
  result.events = Describe(out);
  return result;
}

Decoded DecodeWhole(std::string_view text) { return Decode({text}); }

std::vector<std::string> SseFixtures() { return providers::testing::SseFixtures("gemini"); }

class GeminiStreamFixtureTest : public ::testing::TestWithParam<std::string> {};

TEST_P(GeminiStreamFixtureTest, EverySplitPointDecodesLikeTheWholeFile) {
  const std::string text = ReadFixture(GetParam());
  ASSERT_FALSE(text.empty());
  const Decoded whole = DecodeWhole(text);
  ASSERT_TRUE(whole.complete);
  ASSERT_GE(whole.events.size(), 3u);
  for (size_t split = 0; split <= text.size(); ++split) {
    std::string_view all(text);
    Decoded two = Decode({all.substr(0, split), all.substr(split)});
    ASSERT_EQ(two.events, whole.events) << "split at byte " << split;
    ASSERT_TRUE(two.complete) << "split at byte " << split;
  }
  std::vector<std::string_view> bytes;
  for (size_t i = 0; i < text.size(); ++i) bytes.push_back(std::string_view(text).substr(i, 1));
  EXPECT_EQ(Decode(bytes).events, whole.events);
}

TEST_P(GeminiStreamFixtureTest, EndsWithFinishThenTheLastUsage) {
  const Decoded whole = DecodeWhole(ReadFixture(GetParam()));
  ASSERT_GE(whole.events.size(), 3u);
  EXPECT_EQ(whole.events.front().rfind("start ", 0), 0u);
  EXPECT_EQ(whole.events[whole.events.size() - 2].rfind("finish ", 0), 0u);
  EXPECT_EQ(whole.events.back().rfind("usage ", 0), 0u);
}

INSTANTIATE_TEST_SUITE_P(Gemini, GeminiStreamFixtureTest, ::testing::ValuesIn(SseFixtures()), [](const auto& info) {
  std::string name = info.param.substr(0, info.param.size() - 4);
  std::replace(name.begin(), name.end(), '-', '_');
  return name;
});

TEST(GeminiStreamGolden, FixtureListIsTheRecordedSet) {
  EXPECT_EQ(SseFixtures(),
            (std::vector<std::string>{"stream-generate-content-parallel-function-calls.sse",
                                      "stream-generate-content-text.sse", "stream-generate-content-thinking.sse",
                                      "stream-generate-content-tool-call.sse"}));
}

TEST(GeminiStreamGolden, Text) {
  // promptTokenCount is 15 on the first two chunks and 13 on the last: the last snapshot counts.
  const Decoded d = DecodeWhole(ReadFixture("stream-generate-content-text.sse"));
  EXPECT_TRUE(d.complete);
  EXPECT_EQ(d.events, (std::vector<std::string>{
                          "start id=w1peaMz6INOvnvgPgYfPiQY model=gemini-2.0-flash-exp",
                          R"(text "The")",
                          R"(text " capital of France")",
                          R"(text " is Paris.\n")",
                          "finish stop",
                          "usage prompt=13 completion=8 cached=0 cache_write=0 reasoning=0",
                      }));
}

TEST(GeminiStreamGolden, ToolCallWithThoughtSignature) {
  const Decoded d = DecodeWhole(ReadFixture("stream-generate-content-tool-call.sse"));
  EXPECT_TRUE(d.complete);
  ASSERT_EQ(d.events.size(), 5u);
  EXPECT_EQ(d.events[0], "start id=QUVVadTSNJ6_qtsPvN7J8Q0 model=gemini-3-pro-preview");
  // No functionCall.id in the recording: minted from the responseId and the call's index.
  const std::string prefix = "tool_start 0 id=call_QUVVadTSNJ6_qtsPvN7J8Q0_0 name=get_country sig=";
  ASSERT_EQ(d.events[1].rfind(prefix, 0), 0u) << d.events[1];
  const std::string sig = d.events[1].substr(prefix.size());
  EXPECT_EQ(sig.size(), 1408u);
  EXPECT_EQ(sig.substr(0, 24), "EpwICpkIAXLI2nxlU6gsWZaZ");
  EXPECT_EQ(sig.substr(sig.size() - 16), "noBDAXOk15QuFyU=");
  EXPECT_EQ(d.events[2], "tool_args 0 {}");
  // STOP with a functionCall seen; the trailing empty text part yields nothing.
  EXPECT_EQ(d.events[3], "finish tool_calls");
  EXPECT_EQ(d.events[4], "usage prompt=29 completion=212 cached=0 cache_write=0 reasoning=202");
}

TEST(GeminiStreamGolden, ParallelFunctionCalls) {
  const Decoded d = DecodeWhole(ReadFixture("stream-generate-content-parallel-function-calls.sse"));
  EXPECT_TRUE(d.complete);
  ASSERT_EQ(d.events.size(), 9u);
  EXPECT_EQ(d.events[0], "start id=wOd8abGuO5rgz7IP5tLEGA model=gemini-3-flash-preview");
  const std::string first =
      "tool_start 0 id=call_wOd8abGuO5rgz7IP5tLEGA_0 name=generate_topic sig=Es8FCswFAXLI2nxFGW9oAYt0";
  EXPECT_EQ(d.events[1].rfind(first, 0), 0u) << d.events[1];
  EXPECT_EQ(d.events[1].size(), first.size() - 24 + 964);
  EXPECT_EQ(d.events[2], "tool_args 0 {}");
  EXPECT_EQ(d.events[3], "tool_start 1 id=call_wOd8abGuO5rgz7IP5tLEGA_1 name=generate_topic sig=");
  EXPECT_EQ(d.events[4], "tool_args 1 {}");
  EXPECT_EQ(d.events[5], "tool_start 2 id=call_wOd8abGuO5rgz7IP5tLEGA_2 name=generate_topic sig=");
  EXPECT_EQ(d.events[6], "tool_args 2 {}");
  EXPECT_EQ(d.events[7], "finish tool_calls");
  EXPECT_EQ(d.events[8], "usage prompt=83 completion=220 cached=0 cache_write=0 reasoning=190");
}

TEST(GeminiStreamGolden, ThinkingPartsAreReasoning) {
  GeminiAdapter adapter;
  auto decoder = adapter.NewStreamDecoder();
  protocol::SseReader reader;
  std::vector<StreamEvent> out;
  ASSERT_TRUE(reader
                  .Feed(ReadFixture("stream-generate-content-thinking.sse"),
                        [&](protocol::SseEvent&& e) { ASSERT_TRUE(decoder->OnEvent(e, out).ok()); })
                  .ok());
  EXPECT_TRUE(decoder->OnEnd(out));
  std::string reasoning, text;
  int reasoning_events = 0, text_events = 0;
  for (const auto& e : out) {
    if (e.type == StreamEvent::Type::kReasoning) reasoning += e.text, ++reasoning_events;
    if (e.type == StreamEvent::Type::kText) text += e.text, ++text_events;
  }
  EXPECT_EQ(reasoning_events, 4);
  EXPECT_EQ(text_events, 19);
  EXPECT_EQ(reasoning.rfind("**Clarifying User Goals**\n\nI'm currently", 0), 0u);
  EXPECT_TRUE(reasoning.ends_with(" specific circumstances or locations.\n\n\n"));
  EXPECT_EQ(reasoning.size(), 1575u);
  EXPECT_EQ(text.rfind("This is a great question! Safely crossing the street", 0), 0u);
  EXPECT_TRUE(text.ends_with("Always assume a driver might not see you."));
  EXPECT_EQ(text.size(), 1938u);
  ASSERT_GE(out.size(), 2u);
  EXPECT_EQ(Describe(out.front()), "start id=beHBaJfEMIi-qtsP3769-Q8 model=gemini-2.5-pro");
  EXPECT_EQ(Describe(out[out.size() - 2]), "finish stop");
  // candidates 469 + thoughts 787; total 1290 = 34 + 469 + 787.
  EXPECT_EQ(Describe(out.back()), "usage prompt=34 completion=1256 cached=0 cache_write=0 reasoning=787");
}

// Everything but the last event of the text recording: no finishReason, so the stream was cut.
TEST(GeminiStreamCut, NoFinishReasonMeansCutButUsageIsKept) {
  std::string text = ReadFixture("stream-generate-content-text.sse");
  text = text.substr(0, text.rfind("data: "));
  const Decoded d = DecodeWhole(text);
  EXPECT_FALSE(d.complete);
  EXPECT_EQ(d.events, (std::vector<std::string>{
                          "start id=w1peaMz6INOvnvgPgYfPiQY model=gemini-2.0-flash-exp",
                          R"(text "The")",
                          R"(text " capital of France")",
                          "usage prompt=15 completion=0 cached=0 cache_write=0 reasoning=0",
                      }));
}

TEST(GeminiStreamCut, EmptyStreamIsCutAndSilent) {
  const Decoded d = DecodeWhole("");
  EXPECT_FALSE(d.complete);
  EXPECT_TRUE(d.events.empty());
}

TEST(GeminiStreamError, ErrorChunkYieldsUsageThenErrorAndEndsTheStream) {
  std::string text = ReadFixture("stream-generate-content-text.sse");
  text = text.substr(0, text.rfind("data: "));
  text +=
      "data: {\"error\": {\"code\": 503,\"message\": \"The model is overloaded.\",\"status\": "
      "\"UNAVAILABLE\"}}\r\n\r\n";
  text +=
      "data: {\"candidates\": [{\"content\": {\"parts\": [{\"text\": \"late\"}]},\"finishReason\": \"STOP\"}]}\r\n\r\n";
  const Decoded d = DecodeWhole(text);
  EXPECT_FALSE(d.complete);
  ASSERT_EQ(d.events.size(), 5u);
  EXPECT_EQ(d.events[3], "usage prompt=15 completion=0 cached=0 cache_write=0 reasoning=0");
  EXPECT_EQ(d.events[4], "error code=" + std::to_string(static_cast<int>(ErrorCode::kUnavailable)) +
                             " Provider google answered 503: The model is overloaded.");
}

TEST(GeminiStreamError, ErrorWithoutCodeUsesTheRpcStatus) {
  const Decoded d =
      DecodeWhole("data: {\"error\": {\"message\": \"Quota\",\"status\": \"RESOURCE_EXHAUSTED\"}}\r\n\r\n");
  EXPECT_FALSE(d.complete);
  EXPECT_EQ(d.events,
            (std::vector<std::string>{"error code=" + std::to_string(static_cast<int>(ErrorCode::kRateLimited)) +
                                      " Provider google answered 429: Quota"}));
}

TEST(GeminiStreamError, MalformedEventFailsTheStream) {
  GeminiAdapter adapter;
  auto decoder = adapter.NewStreamDecoder();
  std::vector<StreamEvent> out;
  protocol::SseEvent event;
  event.data = "{\"candidates\": [";
  Status s = decoder->OnEvent(event, out);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kUpstream);
  event.data = "{\"candidates\": [{\"content\": {\"parts\": [{\"text\": 7}]}}]}";
  EXPECT_FALSE(decoder->OnEvent(event, out).ok());
  event.data = "{\"candidates\": [{\"content\": {\"parts\": [{\"functionCall\": {\"args\": {}}}]}}]}";
  EXPECT_FALSE(decoder->OnEvent(event, out).ok());
}

TEST(GeminiStreamChunks, BlockedPromptFinishesWithContentFilter) {
  const Decoded d = DecodeWhole(
      "data: {\"promptFeedback\": {\"blockReason\": \"PROHIBITED_CONTENT\"},\"usageMetadata\": "
      "{\"promptTokenCount\": 9,\"totalTokenCount\": 9},\"modelVersion\": \"gemini-2.5-flash\",\"responseId\": "
      "\"blk\"}\r\n\r\n");
  EXPECT_TRUE(d.complete);
  EXPECT_EQ(d.events, (std::vector<std::string>{"start id=blk model=gemini-2.5-flash", "finish content_filter",
                                                "usage prompt=9 completion=0 cached=0 cache_write=0 reasoning=0"}));
}

TEST(GeminiStreamChunks, GeminiIdsArgsMaxTokensAndOtherCandidates) {
  const Decoded d = DecodeWhole(
      "data: {\"candidates\": [{\"content\": {\"parts\": [{\"text\": \"Hi\"},{\"functionCall\": {\"name\": \"weather\","
      "\"args\": {\"city\": \"Paris\",\"days\": [1, 2]},\"id\": \"c9bjmkfz\"}}],\"role\": \"model\"},\"index\": 0},"
      "{\"content\": {\"parts\": [{\"text\": \"other candidate\"}]},\"index\": 1}],\"responseId\": \"r1\"}\r\n\r\n"
      "event: ping\r\ndata: {\"candidates\": [{\"content\": {\"parts\": [{\"text\": \"named events are "
      "ignored\"}]}}]}\r\n\r\n"
      "data: {\"candidates\": [{\"content\": {\"parts\": [{\"text\": \"!\"}]},\"finishReason\": "
      "\"MAX_TOKENS\",\"index\": 0}],"
      "\"usageMetadata\": {\"promptTokenCount\": 20,\"cachedContentTokenCount\": 12,\"candidatesTokenCount\": 4,"
      "\"thoughtsTokenCount\": 6}}\r\n\r\n");
  EXPECT_TRUE(d.complete);
  EXPECT_EQ(d.events, (std::vector<std::string>{
                          "start id=r1 model=",
                          R"(text "Hi")",
                          "tool_start 0 id=c9bjmkfz name=weather sig=",
                          R"(tool_args 0 {"city":"Paris","days":[1,2]})",
                          R"(text "!")",
                          "finish length",
                          "usage prompt=20 completion=10 cached=12 cache_write=0 reasoning=6",
                      }));
}

}  // namespace
}  // namespace turnpike::providers::gemini
