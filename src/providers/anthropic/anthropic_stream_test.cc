// The Anthropic stream decoder on the recorded streams (tests/fixtures/providers/anthropic/*.sse),
// fed through protocol::SseReader whole, split at every byte, and one byte at a time; plus the
// grammar's corners the recordings do not reach.
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "providers/adapter_test_util.h"
#include "providers/anthropic/anthropic_adapter.h"

namespace turnpike::providers::anthropic {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
using protocol::StreamEvent;
using Type = StreamEvent::Type;

const fs::path kDir = fs::path(TURNPIKE_FIXTURES_DIR) / "anthropic";

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

using Decoded = testing::DecodedStream;

Decoded Decode(const std::vector<std::string_view>& pieces) {
  return testing::DecodeStream(AnthropicAdapter(), pieces);
}

Decoded DecodeWhole(std::string_view bytes) { return Decode({bytes}); }

// One line per event, every field that event type uses, so lists compare exactly.
std::string Describe(const StreamEvent& e) {
  switch (e.type) {
    case Type::kStart:
      return "start " + e.id + " " + e.model;
    case Type::kText:
      return "text " + e.text;
    case Type::kReasoning:
      return "reasoning " + e.text;
    case Type::kToolCallStart:
      return "tool_start " + std::to_string(e.tool_index) + " " + e.tool_id + " " + e.tool_name;
    case Type::kToolCallArgs:
      return "tool_args " + std::to_string(e.tool_index) + " " + e.text;
    case Type::kFinish:
      return "finish " + e.finish_reason;
    case Type::kUsage: {
      const auto& u = e.usage;
      return "usage " + std::to_string(u.prompt_tokens) + " " + std::to_string(u.completion_tokens) + " " +
             std::to_string(u.cached_tokens) + " " + std::to_string(u.cache_write_tokens) + " " +
             std::to_string(u.reasoning_tokens);
    }
    case Type::kError:
      return "error " + std::to_string(static_cast<int>(e.error.code)) + " " + e.error.message;
  }
  return "?";
}

std::vector<std::string> Describe(const Decoded& d) {
  std::vector<std::string> out;
  for (const auto& e : d.events) out.push_back(Describe(e));
  out.push_back(d.complete ? "complete" : "cut");
  if (!d.failure.empty()) out.push_back("failure " + d.failure);
  return out;
}

std::vector<fs::path> StreamFixtures() {
  std::vector<fs::path> out;
  for (const auto& entry : fs::directory_iterator(kDir)) {
    if (entry.path().extension() == ".sse") out.push_back(entry.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

// What a client would assemble from the events.
struct ToolSummary {
  std::string id;
  std::string name;
  std::string arguments;
};

struct Summary {
  int starts = 0;
  std::string id, model, text, reasoning;
  std::vector<ToolSummary> tools;  // by tool_index
  std::vector<std::string> finishes;
  std::vector<protocol::Usage> usages;
  std::vector<Error> errors;
};

Summary Summarize(const std::vector<StreamEvent>& events) {
  Summary s;
  for (const auto& e : events) {
    switch (e.type) {
      case Type::kStart:
        ++s.starts;
        s.id = e.id;
        s.model = e.model;
        break;
      case Type::kText:
        s.text += e.text;
        break;
      case Type::kReasoning:
        s.reasoning += e.text;
        break;
      case Type::kToolCallStart:
        EXPECT_EQ(e.tool_index, static_cast<int>(s.tools.size())) << "tool indexes count up from 0";
        s.tools.push_back({e.tool_id, e.tool_name, ""});
        break;
      case Type::kToolCallArgs:
        EXPECT_FALSE(e.text.empty()) << "empty fragments are skipped";
        EXPECT_EQ(e.tool_index, static_cast<int>(s.tools.size()) - 1) << "fragments follow their call's start";
        if (e.tool_index >= 0 && e.tool_index < static_cast<int>(s.tools.size()))
          s.tools[e.tool_index].arguments += e.text;
        break;
      case Type::kFinish:
        s.finishes.push_back(e.finish_reason);
        break;
      case Type::kUsage:
        s.usages.push_back(e.usage);
        break;
      case Type::kError:
        s.errors.push_back(e.error);
        break;
    }
  }
  if (!events.empty()) {
    EXPECT_EQ(events.front().type, Type::kStart) << "kStart comes first";
  }
  return s;
}

Summary DecodeFixture(const std::string& name, bool expect_complete = true) {
  auto d = DecodeWhole(ReadFile(kDir / name));
  EXPECT_EQ(d.failure, "") << name;
  EXPECT_EQ(d.complete, expect_complete) << name;
  return Summarize(d.events);
}

void ExpectUsage(const protocol::Usage& u, int64_t prompt, int64_t completion, int64_t cached = 0,
                 int64_t cache_write = 0) {
  EXPECT_EQ(u.prompt_tokens, prompt);
  EXPECT_EQ(u.completion_tokens, completion);
  EXPECT_EQ(u.cached_tokens, cached);
  EXPECT_EQ(u.cache_write_tokens, cache_write);
  EXPECT_EQ(u.reasoning_tokens, 0);
}

// The finish then the usage, once each, at the end.
void ExpectEndsWithFinishAndUsage(const std::string& name) {
  auto d = DecodeWhole(ReadFile(kDir / name));
  ASSERT_GE(d.events.size(), 3u) << name;
  EXPECT_EQ(d.events[d.events.size() - 2].type, Type::kFinish) << name;
  EXPECT_EQ(d.events.back().type, Type::kUsage) << name;
}

TEST(AnthropicStreamTest, EverySplitPointDecodesLikeTheWholeFile) {
  auto fixtures = StreamFixtures();
  ASSERT_GE(fixtures.size(), 6u);
  for (const auto& path : fixtures) {
    std::string bytes = ReadFile(path);
    ASSERT_FALSE(bytes.empty()) << path;
    auto whole = Describe(DecodeWhole(bytes));
    ASSERT_GT(whole.size(), 3u) << path;
    std::string_view all(bytes);
    for (size_t cut = 0; cut <= bytes.size(); ++cut) {
      auto split = Describe(Decode({all.substr(0, cut), all.substr(cut)}));
      ASSERT_EQ(split, whole) << path.filename() << " split at byte " << cut;
    }
  }
}

TEST(AnthropicStreamTest, OneByteAtATimeDecodesLikeTheWholeFile) {
  for (const auto& path : StreamFixtures()) {
    std::string bytes = ReadFile(path);
    std::vector<std::string_view> pieces;
    for (size_t i = 0; i < bytes.size(); ++i) pieces.push_back(std::string_view(bytes).substr(i, 1));
    EXPECT_EQ(Describe(Decode(pieces)), Describe(DecodeWhole(bytes))) << path.filename();
  }
}

TEST(AnthropicStreamTest, TextFixture) {
  auto s = DecodeFixture("messages-stream-text.sse");
  EXPECT_EQ(s.starts, 1);
  EXPECT_EQ(s.id, "msg_017A4s3HAsrqf5d2WvBmrpLr");
  EXPECT_EQ(s.model, "claude-sonnet-4-5-20250929");
  EXPECT_EQ(s.text, "- Captain\n- Scoop");
  EXPECT_EQ(s.reasoning, "");
  EXPECT_TRUE(s.tools.empty());
  EXPECT_EQ(s.finishes, std::vector<std::string>{"stop"});
  ASSERT_EQ(s.usages.size(), 1u);
  ExpectUsage(s.usages[0], 17, 10);
  EXPECT_TRUE(s.errors.empty());
  ExpectEndsWithFinishAndUsage("messages-stream-text.sse");
}

TEST(AnthropicStreamTest, ToolUseFixture) {
  auto s = DecodeFixture("messages-stream-tool-use.sse");
  EXPECT_EQ(s.id, "msg_014p7gG3wDgGV9EUtLvnow3U");
  EXPECT_EQ(s.model, "claude-opus-4-1-20250805");
  EXPECT_EQ(s.text, "Okay, let's check the weather for San Francisco, CA:");
  ASSERT_EQ(s.tools.size(), 1u);
  EXPECT_EQ(s.tools[0].id, "toolu_01T1x1fJ34qAmk2tNTrN7Up6");
  EXPECT_EQ(s.tools[0].name, "get_weather");
  EXPECT_EQ(json::parse(s.tools[0].arguments), json::parse(R"({"location":"San Francisco, CA","unit":"fahrenheit"})"));
  EXPECT_EQ(s.finishes, std::vector<std::string>{"tool_calls"});
  ASSERT_EQ(s.usages.size(), 1u);
  ExpectUsage(s.usages[0], 472, 89);
  ExpectEndsWithFinishAndUsage("messages-stream-tool-use.sse");
}

TEST(AnthropicStreamTest, ToolFragmentsPassThroughAsSent) {
  auto d = DecodeWhole(ReadFile(kDir / "messages-stream-tool-use.sse"));
  std::vector<std::string> fragments;
  for (const auto& e : d.events) {
    if (e.type == Type::kToolCallArgs) fragments.push_back(e.text);
  }
  EXPECT_EQ(fragments, (std::vector<std::string>{"{\"location\":", " \"San", " Francisc", "o,", " CA\"", ", ",
                                                 "\"unit\": \"fah", "renheit\"}"}));
}

TEST(AnthropicStreamTest, ParallelToolUseFixture) {
  auto s = DecodeFixture("messages-stream-parallel-tool-use.sse");
  EXPECT_EQ(s.id, "msg_01VXfmBNdfg2rtuVodqnDena");
  EXPECT_EQ(s.model, "claude-3-5-haiku-20241022");
  EXPECT_EQ(s.text,
            "I'll help you generate two potential names for a pet pelican by using the pelican name generator tool.");
  ASSERT_EQ(s.tools.size(), 2u);  // Anthropic block indexes 1 and 2 → tool indexes 0 and 1
  EXPECT_EQ(s.tools[0].id, "toolu_011ouQLPrqhKSuFJtuJrpaUX");
  EXPECT_EQ(s.tools[1].id, "toolu_01NtJRxGhJcEQ4axN1FzHayX");
  for (const auto& tool : s.tools) {
    EXPECT_EQ(tool.name, "pelican_name_generator");
    EXPECT_EQ(json::parse(tool.arguments), json::value(json::object())) << "no fragments: arguments are {}";
  }
  EXPECT_EQ(s.finishes, std::vector<std::string>{"tool_calls"});
  ASSERT_EQ(s.usages.size(), 1u);
  ExpectUsage(s.usages[0], 310, 84);
}

TEST(AnthropicStreamTest, ThinkingFixture) {
  auto s = DecodeFixture("messages-stream-thinking.sse");
  EXPECT_EQ(s.id, "msg_01HXtenSNQ66snZkt2iQ96iN");
  EXPECT_EQ(s.model, "claude-haiku-4-5-20251001");
  EXPECT_EQ(
      s.reasoning,
      "The user wants two names for a pet pelican and wants me to be brief. Let me think of fitting names for a "
      "pelican:\n\nPelicans are known for their large bills/pouches, they're water birds, somewhat humorous "
      "looking. Some name ideas:\n- Pouch (references the bill pouch)\n- Pel\xC3\xA9 (play on pelican)\n- Captain "
      "Bill (nautical, references the bill)\n- Beaky\n- Scoop\n- Pete\n- Squirt\n\nLet me pick two good ones that "
      "are brief and fit the bird:\n\n1. **Pouch** - simple, references the distinctive feature\n2. **Captain "
      "Bill** - fun, nautical feeling\n\nOr maybe:\n1. **Scoop** - fun, playful, references how they scoop "
      "fish\n2. **Pete** - simple, friendly\n\nI'll go with something brief and cute.");
  EXPECT_EQ(s.text,
            "1. **Pouch** \xE2\x80\x93 references their distinctive bill pouch\n2. **Captain Bill** \xE2\x80\x93 "
            "nautical and fun");
  EXPECT_TRUE(s.tools.empty());
  EXPECT_EQ(s.finishes, std::vector<std::string>{"stop"});
  ASSERT_EQ(s.usages.size(), 1u);
  ExpectUsage(s.usages[0], 46, 234);
}

TEST(AnthropicStreamTest, StopSequenceFixture) {
  auto s = DecodeFixture("messages-stream-stop-sequence.sse");
  EXPECT_EQ(s.id, "msg_01KozUDYHvRtgs3NLgG7jzN9");
  EXPECT_EQ(s.model, "claude-haiku-4-5-20251001");
  EXPECT_EQ(
      s.text,
      "\ndef pelican():\n    return \"A large waterbird with a long bill and a throat pouch for catching fish.\"\n");
  EXPECT_EQ(s.finishes, std::vector<std::string>{"stop"});
  ASSERT_EQ(s.usages.size(), 1u);
  ExpectUsage(s.usages[0], 16, 28);
}

TEST(AnthropicStreamTest, OverloadedErrorFixture) {
  auto d = DecodeWhole(ReadFile(kDir / "messages-stream-error-overloaded.sse"));
  EXPECT_EQ(d.failure, "");
  EXPECT_TRUE(d.complete) << "an error event ends the stream; the gateway must not add a second error";
  ASSERT_EQ(d.events.size(), 3u);
  EXPECT_EQ(Describe(d.events[0]), "start msg_017A4s3HAsrqf5d2WvBmrpLr claude-sonnet-4-5-20250929");
  EXPECT_EQ(Describe(d.events[1]), "text -");
  ASSERT_EQ(d.events[2].type, Type::kError);
  EXPECT_EQ(d.events[2].error.code, ErrorCode::kUnavailable);
  EXPECT_NE(d.events[2].error.message.find("Overloaded"), std::string::npos) << d.events[2].error.message;
}

// Synthetic streams: `event: <type>\ndata: <json>\n\n` per pair.
std::string Stream(const std::vector<std::pair<std::string, std::string>>& events) {
  std::string out;
  for (const auto& [name, data] : events) out += "event: " + name + "\ndata: " + data + "\n\n";
  return out;
}

const std::pair<std::string, std::string> kStart = {
    "message_start",
    R"({"type":"message_start","message":{"id":"msg_1","model":"claude-x","usage":{"input_tokens":5,"cache_creation_input_tokens":7,"cache_read_input_tokens":11,"output_tokens":1}}})"};

TEST(AnthropicStreamTest, ErrorTypesMapToCodes) {
  const std::vector<std::pair<std::string, ErrorCode>> table = {{"overloaded_error", ErrorCode::kUnavailable},
                                                                {"rate_limit_error", ErrorCode::kRateLimited},
                                                                {"api_error", ErrorCode::kUpstream},
                                                                {"invalid_request_error", ErrorCode::kUpstream},
                                                                {"something_new", ErrorCode::kUpstream}};
  for (const auto& [type, code] : table) {
    auto d = DecodeWhole(
        Stream({kStart, {"error", R"({"type":"error","error":{"type":")" + type + R"(","message":"went wrong"}})"}}));
    ASSERT_EQ(d.events.size(), 2u) << type;
    EXPECT_EQ(d.events[1].type, Type::kError) << type;
    EXPECT_EQ(d.events[1].error.code, code) << type;
    EXPECT_NE(d.events[1].error.message.find("went wrong"), std::string::npos) << type;
    EXPECT_TRUE(d.complete) << type;
  }
}

TEST(AnthropicStreamTest, NothingAfterAnErrorOrMessageStop) {
  auto after_error = DecodeWhole(Stream({kStart,
                                         {"error", R"({"type":"error","error":{"type":"api_error","message":"x"}})"},
                                         {"message_stop", R"({"type":"message_stop"})"}}));
  EXPECT_EQ(after_error.events.back().type, Type::kError);
  auto after_stop = DecodeWhole(
      Stream({kStart,
              {"message_stop", R"({"type":"message_stop"})"},
              {"content_block_delta",
               R"({"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"late"}})"}}));
  EXPECT_EQ(after_stop.events.back().type, Type::kUsage);
}

TEST(AnthropicStreamTest, CutStreamIsNotComplete) {
  std::string bytes = ReadFile(kDir / "messages-stream-text.sse");
  size_t stop = bytes.find("event: message_stop");
  ASSERT_NE(stop, std::string::npos);
  auto d = DecodeWhole(std::string_view(bytes).substr(0, stop));
  EXPECT_FALSE(d.complete);
  auto s = Summarize(d.events);
  EXPECT_EQ(s.finishes, std::vector<std::string>{"stop"});
  EXPECT_TRUE(s.usages.empty()) << "usage comes with message_stop";
  EXPECT_FALSE(DecodeWhole("").complete);
}

TEST(AnthropicStreamTest, MalformedDataFailsTheStream) {
  for (const char* data : {"{\"type\":\"message_start\"", "[1,2]", "not json", "\"message_stop\""}) {
    auto d = DecodeWhole(Stream({kStart, {"content_block_delta", data}}));
    EXPECT_NE(d.failure, "") << data;
  }
}

TEST(AnthropicStreamTest, UnknownEventsBlocksAndDeltasAreIgnored) {
  auto d = DecodeWhole(Stream({
      kStart,
      {"ping", R"({"type": "ping"})"},
      {"something_new", R"({"type":"something_new","payload":[1]})"},
      {"content_block_start",
       R"({"type":"content_block_start","index":0,"content_block":{"type":"server_tool_use","id":"srvtoolu_1","name":"web_search","input":{}}})"},
      {"content_block_delta",
       R"({"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"{\"q\":1}"}})"},
      {"content_block_stop", R"({"type":"content_block_stop","index":0})"},
      {"content_block_start", R"({"type":"content_block_start","index":1,"content_block":{"type":"text","text":""}})"},
      {"content_block_delta",
       R"({"type":"content_block_delta","index":1,"delta":{"type":"citations_delta","citation":{}}})"},
      {"content_block_delta", R"({"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":"hi"}})"},
      {"content_block_stop", R"({"type":"content_block_stop","index":1})"},
      {"message_delta", R"({"type":"message_delta","delta":{"stop_reason":"pause_turn"},"usage":{"output_tokens":3}})"},
      {"message_stop", R"({"type":"message_stop"})"},
  }));
  EXPECT_EQ(d.failure, "");
  EXPECT_TRUE(d.complete);
  EXPECT_EQ(Describe(d), (std::vector<std::string>{"start msg_1 claude-x", "text hi", "finish stop",
                                                   "usage 23 3 11 7 0", "complete"}));
}

TEST(AnthropicStreamTest, MessageDeltaCountsWinOverMessageStart) {
  auto d = DecodeWhole(Stream({
      kStart,
      {"message_delta",
       R"({"type":"message_delta","delta":{"stop_reason":"max_tokens"},"usage":{"input_tokens":9,"cache_read_input_tokens":2,"cache_creation_input_tokens":null,"output_tokens":40}})"},
      {"message_stop", R"({"type":"message_stop"})"},
  }));
  // input 9 + cache_creation 7 (null does not override) + cache_read 2.
  EXPECT_EQ(Describe(d),
            (std::vector<std::string>{"start msg_1 claude-x", "finish length", "usage 18 40 2 7 0", "complete"}));
}

TEST(AnthropicStreamTest, StopReasonsMapPerSection10) {
  const std::vector<std::pair<std::string, std::string>> table = {{"end_turn", "stop"},
                                                                  {"stop_sequence", "stop"},
                                                                  {"pause_turn", "stop"},
                                                                  {"max_tokens", "length"},
                                                                  {"model_context_window_exceeded", "length"},
                                                                  {"tool_use", "tool_calls"},
                                                                  {"refusal", "content_filter"},
                                                                  {"brand_new", "stop"}};
  for (const auto& [reason, expected] : table) {
    auto d = DecodeWhole(
        Stream({kStart, {"message_delta", R"({"type":"message_delta","delta":{"stop_reason":")" + reason + R"("}})"}}));
    ASSERT_EQ(d.events.size(), 2u) << reason;
    EXPECT_EQ(d.events[1].finish_reason, expected) << reason;
  }
}

TEST(AnthropicStreamTest, ToolArgumentsFollowTheirBlockIndex) {
  // Two tool blocks whose deltas interleave: fragments go to the call of their block.
  auto d = DecodeWhole(Stream({
      kStart,
      {"content_block_start",
       R"({"type":"content_block_start","index":3,"content_block":{"type":"tool_use","id":"toolu_a","name":"f","input":{}}})"},
      {"content_block_start",
       R"({"type":"content_block_start","index":5,"content_block":{"type":"tool_use","id":"toolu_b","name":"g","input":{}}})"},
      {"content_block_delta",
       R"({"type":"content_block_delta","index":5,"delta":{"type":"input_json_delta","partial_json":"{\"b\":2}"}})"},
      {"content_block_delta",
       R"({"type":"content_block_delta","index":3,"delta":{"type":"input_json_delta","partial_json":""}})"},
      {"content_block_delta",
       R"({"type":"content_block_delta","index":3,"delta":{"type":"input_json_delta","partial_json":"{\"a\":1}"}})"},
      {"content_block_stop", R"({"type":"content_block_stop","index":3})"},
      {"content_block_stop", R"({"type":"content_block_stop","index":5})"},
      {"content_block_delta",
       R"({"type":"content_block_delta","index":9,"delta":{"type":"input_json_delta","partial_json":"{}"}})"},
      {"message_stop", R"({"type":"message_stop"})"},
  }));
  EXPECT_EQ(Describe(d),
            (std::vector<std::string>{"start msg_1 claude-x", "tool_start 0 toolu_a f", "tool_start 1 toolu_b g",
                                      "tool_args 1 {\"b\":2}", "tool_args 0 {\"a\":1}", "finish tool_calls",
                                      "usage 23 1 11 7 0", "complete"}));
}

TEST(AnthropicStreamTest, StartIsEmittedEvenWithoutMessageStart) {
  auto d = DecodeWhole(Stream({
      {"content_block_delta", R"({"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"x"}})"},
      {"message_delta", R"({"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":2}})"},
      {"message_stop", R"({"type":"message_stop"})"},
  }));
  EXPECT_EQ(Describe(d), (std::vector<std::string>{"start  ", "text x", "finish stop", "usage 0 2 0 0 0", "complete"}));
}

TEST(AnthropicStreamTest, TypeFallsBackToTheEventName) {
  auto d = DecodeWhole(Stream({kStart, {"message_stop", "{}"}}));
  EXPECT_TRUE(d.complete);
  EXPECT_EQ(d.events.back().type, Type::kUsage);
}

}  // namespace
}  // namespace turnpike::providers::anthropic
