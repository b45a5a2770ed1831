#include "protocol/openai_decode.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>
#include <sstream>

namespace turnpike::protocol {
namespace {
namespace json = boost::json;

Result<ChatRequest> Decode(std::string_view text) { return DecodeChatRequest(json::parse(text)); }

TEST(OpenAiDecodeTest, RolesContentAndToolConversation) {
  auto r = Decode(R"({"model":"anthropic/claude-sonnet-4-5","messages":[
    {"role":"system","content":"Be brief."},
    {"role":"developer","content":"Use metric units."},
    {"role":"user","content":[{"type":"text","text":"What is this?"},
                               {"type":"image_url","image_url":{"url":"data:image/png;base64,AAAA","detail":"low"}},
                               {"type":"image_url","image_url":"https://example.com/cat.jpg"}]},
    {"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function",
       "function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}}]},
    {"role":"tool","tool_call_id":"call_1","content":"18C"}]})");
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->messages.size(), 5u);
  EXPECT_EQ(r->messages[0].role, Role::kSystem);
  EXPECT_EQ(r->messages[1].role, Role::kSystem);  // developer is a system message
  EXPECT_EQ(r->messages[1].content[0].text, "Use metric units.");
  const auto& user = r->messages[2];
  ASSERT_EQ(user.content.size(), 3u);
  EXPECT_EQ(user.content[0].kind, ContentPart::Kind::kText);
  EXPECT_EQ(user.content[1].kind, ContentPart::Kind::kImage);
  EXPECT_EQ(user.content[1].image_url, "data:image/png;base64,AAAA");
  EXPECT_EQ(user.content[1].detail, "low");
  EXPECT_EQ(user.content[2].image_url, "https://example.com/cat.jpg");
  const auto& assistant = r->messages[3];
  EXPECT_TRUE(assistant.content.empty());
  ASSERT_EQ(assistant.tool_calls.size(), 1u);
  EXPECT_EQ(assistant.tool_calls[0].id, "call_1");
  EXPECT_EQ(assistant.tool_calls[0].name, "get_weather");
  EXPECT_EQ(json::parse(assistant.tool_calls[0].arguments), json::parse(R"({"city":"Paris"})"));
  EXPECT_EQ(r->messages[4].role, Role::kTool);
  EXPECT_EQ(r->messages[4].tool_call_id, "call_1");
  EXPECT_EQ(r->messages[4].content[0].text, "18C");
}

TEST(OpenAiDecodeTest, ParametersToolsAndFormats) {
  auto r = Decode(R"({"model":"m","messages":[{"role":"user","content":"hi"}],
    "max_tokens":100,"max_completion_tokens":50,"temperature":0.7,"top_p":0.9,"seed":7,"n":1,
    "presence_penalty":0.5,"frequency_penalty":-0.5,"stop":"END","user":"u-1","reasoning_effort":"high",
    "stream":true,"stream_options":{"include_usage":true},"parallel_tool_calls":false,
    "tools":[{"type":"function","function":{"name":"f","description":"d","strict":true,
              "parameters":{"type":"object","properties":{"x":{"type":"number"}}}}}],
    "tool_choice":{"type":"function","function":{"name":"f"}},
    "response_format":{"type":"json_schema","json_schema":{"name":"s","strict":true,"schema":{"type":"object"}}}})");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->max_tokens, 50);  // max_completion_tokens wins
  EXPECT_DOUBLE_EQ(*r->temperature, 0.7);
  EXPECT_DOUBLE_EQ(*r->top_p, 0.9);
  EXPECT_EQ(r->seed, 7);
  EXPECT_DOUBLE_EQ(*r->frequency_penalty, -0.5);
  EXPECT_EQ(r->stop, std::vector<std::string>{"END"});
  EXPECT_EQ(r->user, "u-1");
  EXPECT_EQ(r->reasoning_effort, "high");
  EXPECT_TRUE(r->stream);
  EXPECT_TRUE(r->include_usage);
  EXPECT_EQ(r->parallel_tool_calls, false);
  ASSERT_EQ(r->tools.size(), 1u);
  EXPECT_EQ(r->tools[0].name, "f");
  EXPECT_TRUE(r->tools[0].strict);
  EXPECT_EQ(json::parse(r->tools[0].parameters_json),
            json::parse(R"({"type":"object","properties":{"x":{"type":"number"}}})"));
  EXPECT_EQ(r->tool_choice.mode, ToolChoice::Mode::kFunction);
  EXPECT_EQ(r->tool_choice.function, "f");
  EXPECT_EQ(r->response_format.type, ResponseFormat::Type::kJsonSchema);
  EXPECT_EQ(r->response_format.name, "s");
  EXPECT_EQ(json::parse(r->response_format.schema_json), json::parse(R"({"type":"object"})"));
}

TEST(OpenAiDecodeTest, SimpleFormsAndDefaults) {
  auto r = Decode(R"({"model":"m","messages":[{"role":"user","content":"hi"}],"stop":["a","b"],
                      "tool_choice":"required","response_format":{"type":"json_object"},
                      "reasoning":{"effort":"low"}})");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->stop, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(r->tool_choice.mode, ToolChoice::Mode::kRequired);
  EXPECT_EQ(r->response_format.type, ResponseFormat::Type::kJsonObject);
  EXPECT_EQ(r->reasoning_effort, "low");  // OpenRouter's reasoning.effort
  EXPECT_FALSE(r->max_tokens.has_value());
  EXPECT_FALSE(r->temperature.has_value());
  EXPECT_FALSE(r->stream);
  EXPECT_EQ(
      Decode(R"({"model":"m","messages":[{"role":"user","content":"x"}],"tool_choice":"none"})")->tool_choice.mode,
      ToolChoice::Mode::kNone);
}

TEST(OpenAiDecodeTest, ErrorsNameTheField) {
  struct Case {
    const char* body;
    const char* needle;
  } cases[] = {
      {R"({"model":"m","messages":[{"role":"robot","content":"x"}]})", "messages[0].role"},
      {R"({"model":"m","messages":[{"role":"tool","content":"x"}]})", "tool_call_id"},
      {R"({"model":"m","messages":[{"role":"user","content":[{"type":"input_audio"}]}]})", "input_audio"},
      {R"({"model":"m","messages":[{"role":"user","content":[{"type":"image_url","image_url":{}}]}]})", "url"},
      {R"({"model":"m","messages":[{"role":"user","content":42}]})", "content"},
      {R"({"model":"m","messages":[{"role":"assistant","tool_calls":[{"id":"c"}]}]})", "function"},
      {R"({"model":"m","messages":[{"role":"user","content":"x"}],"tools":[{"type":"code_interpreter"}]})", "tools[0]"},
      {R"({"model":"m","messages":[{"role":"user","content":"x"}],"tool_choice":"sometimes"})", "tool_choice"},
      {R"({"model":"m","messages":[{"role":"user","content":"x"}],"stop":[1]})", "stop"},
      {R"({"model":"m","messages":[{"role":"user","content":"x"}],"response_format":{"type":"yaml"}})",
       "response_format"},
  };
  for (const auto& c : cases) {
    auto r = Decode(c.body);
    ASSERT_FALSE(r.ok()) << c.body;
    EXPECT_EQ(r.error().code, ErrorCode::kBadRequest);
    EXPECT_NE(r.error().message.find(c.needle), std::string::npos) << r.error().message;
  }
}

// The recorded requests real OpenAI clients sent decode into what they say.
TEST(OpenAiDecodeTest, RecordedClientRequests) {
  auto read = [](const std::string& name) {
    std::ifstream in(std::string(TURNPIKE_FIXTURES_DIR) + "/openai/" + name, std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
  };
  auto parallel = Decode(read("chat-nonstream-parallel-tool-calls.request.json"));
  ASSERT_TRUE(parallel.ok()) << parallel.error().message;
  ASSERT_EQ(parallel->messages.size(), 2u);
  EXPECT_EQ(parallel->messages[0].role, Role::kSystem);
  EXPECT_EQ(parallel->tools.size(), 2u);
  EXPECT_TRUE(parallel->tools[0].strict);
  EXPECT_EQ(parallel->tool_choice.mode, ToolChoice::Mode::kAuto);

  auto history = Decode(read("chat-nonstream-text-after-tool-results.request.json"));
  ASSERT_TRUE(history.ok()) << history.error().message;
  std::vector<Role> roles;
  for (const auto& m : history->messages) roles.push_back(m.role);
  EXPECT_EQ(roles, (std::vector<Role>{Role::kUser, Role::kAssistant, Role::kTool, Role::kAssistant, Role::kTool}));
  ASSERT_EQ(history->messages[1].tool_calls.size(), 1u);
  EXPECT_EQ(history->messages[2].tool_call_id, history->messages[1].tool_calls[0].id);
  EXPECT_TRUE(history->messages[1].content.empty());  // no content key at all in the recording

  auto image = Decode(read("chat-request-image-input.json"));
  ASSERT_TRUE(image.ok()) << image.error().message;
  bool has_image = false;
  for (const auto& part : image->messages[0].content) {
    if (part.kind == ContentPart::Kind::kImage) has_image = part.image_url.starts_with("data:image/png;base64,");
  }
  EXPECT_TRUE(has_image);
}

}  // namespace
}  // namespace turnpike::protocol
