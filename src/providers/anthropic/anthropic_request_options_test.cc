// Anthropic request encoding, the options: tools and tool_choice, response formats,
// reasoning_effort → thinking and max_tokens, sampling fields; compared as parsed JSON.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "providers/anthropic/anthropic_request_test_util.h"

namespace turnpike::providers::anthropic::test {
namespace {

// tools + every tool_choice, with and without parallel_tool_calls:false.
TEST(AnthropicEncodeRequestTest, ToolsAndToolChoiceTable) {
  const std::string tools = R"([{"name":"get_weather","description":"Weather at a place","input_schema":
      {"type":"object","properties":{"location":{"type":"string"}},"required":["location"]}},
      {"name":"now","input_schema":{"type":"object","properties":{}}}])";
  struct Case {
    Mode mode;
    std::optional<bool> parallel;
    std::string choice;  // the expected tool_choice JSON; "" when none is sent
  };
  const std::vector<Case> table = {
      {Mode::kUnset, std::nullopt, ""},
      {Mode::kUnset, true, ""},
      {Mode::kUnset, false, R"({"type":"auto","disable_parallel_tool_use":true})"},
      {Mode::kAuto, std::nullopt, R"({"type":"auto"})"},
      {Mode::kAuto, false, R"({"type":"auto","disable_parallel_tool_use":true})"},
      {Mode::kRequired, std::nullopt, R"({"type":"any"})"},
      {Mode::kRequired, false, R"({"type":"any","disable_parallel_tool_use":true})"},
      {Mode::kFunction, std::nullopt, R"({"type":"tool","name":"get_weather"})"},
      {Mode::kFunction, false, R"({"type":"tool","name":"get_weather","disable_parallel_tool_use":true})"},
      {Mode::kNone, std::nullopt, R"({"type":"none"})"},
      {Mode::kNone, false, R"({"type":"none"})"},
  };
  for (const auto& c : table) {
    auto r = Hello();
    protocol::Tool now;  // no description, no parameters
    now.name = "now";
    r.tools = {WeatherTool(), now};
    r.tool_choice.mode = c.mode;
    if (c.mode == Mode::kFunction) r.tool_choice.function = "get_weather";
    r.parallel_tool_calls = c.parallel;
    std::string expected = std::string(R"({"model":"claude-sonnet-4-5","max_tokens":4096,"stream":false,"messages":)") +
                           kHiMessages + R"(,"tools":)" + tools +
                           (c.choice.empty() ? "" : R"(,"tool_choice":)" + c.choice) + "}";
    SCOPED_TRACE(static_cast<int>(c.mode));
    ExpectBody(r, expected);
  }
}

TEST(AnthropicEncodeRequestTest, ToolChoiceWithoutTools) {
  auto r = Hello();
  r.tool_choice.mode = Mode::kAuto;
  r.parallel_tool_calls = false;
  ExpectBody(r, std::string(R"({"model":"claude-sonnet-4-5","max_tokens":4096,"stream":false,"messages":)") +
                    kHiMessages + "}");
  r.tool_choice = {Mode::kFunction, "get_weather"};
  ExpectBad(r, "get_weather");
  r = Hello();
  r.tools = {WeatherTool()};
  r.tools[0].parameters_json = "{not json";
  ExpectBad(r, "tools[0]");
  r.tools[0].parameters_json = "[]";
  ExpectBad(r, "tools[0]");
  r.tools[0] = protocol::Tool{};
  ExpectBad(r, "tools[0]");
}

TEST(AnthropicEncodeRequestTest, JsonSchemaBecomesOutputConfig) {
  auto r = Hello();
  r.response_format.type = protocol::ResponseFormat::Type::kJsonSchema;
  r.response_format.name = "person";
  r.response_format.strict = true;
  r.response_format.schema_json =
      R"({"type":"object","properties":{"name":{"type":"string"}},"required":["name"],"additionalProperties":false})";
  ExpectBody(r, std::string(R"({"model":"claude-sonnet-4-5","max_tokens":4096,"stream":false,"messages":)") +
                    kHiMessages +
                    R"(,"output_config":{"format":{"type":"json_schema","schema":
                        {"type":"object","properties":{"name":{"type":"string"}},"required":["name"],"additionalProperties":false}}}})");
  r.response_format.schema_json = "";
  ExpectBad(r, "schema");
  r.response_format.schema_json = "{";
  ExpectBad(r, "schema");
}

TEST(AnthropicEncodeRequestTest, JsonObjectAddsASystemInstruction) {
  auto r = Request({Msg(Role::kSystem, "Be brief."), Msg(Role::kUser, "hi")});
  r.response_format.type = protocol::ResponseFormat::Type::kJsonObject;
  json::value body = Encode(r);
  const auto& system = body.at("system").as_array();
  ASSERT_EQ(system.size(), 2u);
  EXPECT_EQ(system[0], json::parse(R"({"type":"text","text":"Be brief."})"));
  std::string instruction(system[1].at("text").as_string());
  EXPECT_NE(instruction.find("JSON"), std::string::npos) << instruction;
  EXPECT_FALSE(body.as_object().contains("output_config"));
  EXPECT_FALSE(body.as_object().contains("tool_choice"));
  auto alone = Hello();
  alone.response_format.type = protocol::ResponseFormat::Type::kJsonObject;
  EXPECT_EQ(Encode(alone).at("system"), json::value(instruction)) << "the only system text is a string";
}

TEST(AnthropicEncodeRequestTest, ReasoningEffortHigh) {
  auto r = Hello();
  r.reasoning_effort = "high";
  r.temperature = 0.5;
  r.top_p = 0.9;
  // The default 4096 does not exceed the 4096 budget: max_tokens becomes budget + 4096.
  ExpectBody(r, std::string(R"({"model":"claude-sonnet-4-5","max_tokens":8192,"stream":false,
      "thinking":{"type":"enabled","budget_tokens":4096},"messages":)") +
                    kHiMessages + "}");
}

TEST(AnthropicEncodeRequestTest, ThinkingBudgetsAndMaxTokens) {
  struct Case {
    std::string effort;
    std::optional<int64_t> max_tokens;
    int64_t max_output;
    int64_t want_max_tokens;
    int64_t want_budget;  // 0: no thinking
  };
  const std::vector<Case> table = {
      {"minimal", std::nullopt, 64000, 4096, 1024},  // 4096 > 1024: unchanged
      {"low", std::nullopt, 64000, 4096, 1024},
      {"medium", std::nullopt, 64000, 4096, 2048},
      {"high", std::nullopt, 64000, 8192, 4096},
      {"high", 10000, 64000, 10000, 4096},         // the client's max_tokens already exceeds the budget
      {"low", 500, 64000, 1524, 1024},             // raised to budget + the requested output
      {"high", std::nullopt, 6000, 6000, 4096},    // raised, capped at the endpoint's max output
      {"high", std::nullopt, 4096, 4096, 2048},    // the cap cannot hold the budget: budget shrinks
      {"medium", std::nullopt, 1500, 1500, 1024},  // 1500 / 2 < 1024: the minimum budget
      {"low", std::nullopt, 1000, 1000, 0},        // no room for a 1024 budget: no thinking
      {"", std::nullopt, 64000, 4096, 0},
      {"none", std::nullopt, 64000, 4096, 0},
      {"", 100000, 64000, 64000, 0},         // never more than the gateway held for
      {"high", 100000, 64000, 64000, 4096},  // thinking included
      {"", std::nullopt, 1000, 1000, 0},     // the default within the limit
  };
  for (const auto& c : table) {
    auto r = Hello();
    r.reasoning_effort = c.effort;
    r.max_tokens = c.max_tokens;
    r.temperature = 0.25;
    r.top_p = 0.5;
    json::value body = Encode(r, Endpoint(c.max_output));
    std::string label = c.effort + " max_output " + std::to_string(c.max_output) + ": " + json::serialize(body);
    EXPECT_EQ(body.at("max_tokens"), json::value(c.want_max_tokens)) << label;
    const auto& o = body.as_object();
    if (c.want_budget == 0) {
      EXPECT_FALSE(o.contains("thinking")) << label;
      EXPECT_EQ(o.at("temperature"), json::value(0.25)) << label;
      EXPECT_EQ(o.at("top_p"), json::value(0.5)) << label;
    } else {
      EXPECT_EQ(o.at("thinking"),
                json::parse(R"({"type":"enabled","budget_tokens":)" + std::to_string(c.want_budget) + "}"))
          << label;
      EXPECT_FALSE(o.contains("temperature")) << label;
      EXPECT_FALSE(o.contains("top_p")) << label;
    }
  }
  auto r = Hello();
  r.reasoning_effort = "extreme";
  ExpectBad(r, "reasoning_effort");
}

TEST(AnthropicEncodeRequestTest, ThinkingIsLeftOutWhereAnthropicRefusesIt) {
  auto thinks = [](const ChatRequest& r) { return Encode(r).as_object().contains("thinking"); };
  auto r = Hello();
  r.reasoning_effort = "high";
  r.tools = {WeatherTool()};
  for (Mode mode : {Mode::kUnset, Mode::kAuto, Mode::kNone}) {
    r.tool_choice.mode = mode;
    EXPECT_TRUE(thinks(r)) << static_cast<int>(mode);
  }
  r.tool_choice = {Mode::kRequired, ""};
  EXPECT_FALSE(thinks(r)) << "tool_choice any";
  r.tool_choice = {Mode::kFunction, "get_weather"};
  EXPECT_FALSE(thinks(r)) << "tool_choice tool";
  r.temperature = 0.5;
  EXPECT_EQ(Encode(r).at("temperature"), json::value(0.5)) << "without thinking, temperature stays";

  // The last assistant turn called a tool: its thinking block would have to come back.
  Message a = Msg(Role::kAssistant, "Checking.");
  a.tool_calls = {Call("call_1", "get_weather", R"({"location":"Paris"})")};
  auto loop = Request({Msg(Role::kUser, "Weather?"), a, ToolResult("call_1", "sunny")});
  loop.tools = {WeatherTool()};
  loop.reasoning_effort = "high";
  EXPECT_FALSE(thinks(loop));
  // An earlier tool loop that the assistant already answered in text does not matter.
  loop.messages.push_back(Msg(Role::kAssistant, "It is sunny."));
  loop.messages.push_back(Msg(Role::kUser, "And in Rome?"));
  EXPECT_TRUE(thinks(loop));
}

TEST(AnthropicEncodeRequestTest, SamplingStopUserAndDroppedFields) {
  auto r = Hello();
  r.stop = {"END"};
  r.temperature = 1.7;  // OpenAI's 0–2 range, clamped to Anthropic's 0–1
  r.top_p = 0.8;
  r.user = "user-42";
  r.seed = 7;
  r.presence_penalty = 0.5;
  r.frequency_penalty = 0.5;
  r.n = 1;
  r.max_tokens = 300;
  r.stream = true;
  r.include_usage = true;
  ExpectBody(r, std::string(R"({"model":"claude-sonnet-4-5","max_tokens":300,"stream":true,"stop_sequences":["END"],
      "temperature":1.0,"top_p":0.8,"metadata":{"user_id":"user-42"},"messages":)") +
                    kHiMessages + "}");
  r.stop = {"a", "b"};
  r.temperature = -0.5;
  json::value body = Encode(r);
  EXPECT_EQ(body.at("stop_sequences"), json::parse(R"(["a","b"])"));
  EXPECT_EQ(body.at("temperature"), json::value(0.0));
  r.temperature = 0.3;
  EXPECT_EQ(Encode(r).at("temperature"), json::value(0.3));
}

TEST(AnthropicEncodeRequestTest, MaxTokensDefault) {
  EXPECT_EQ(Encode(Hello(), Endpoint(1000)).at("max_tokens"), json::value(1000));
  EXPECT_EQ(Encode(Hello(), Endpoint(0)).at("max_tokens"), json::value(4096)) << "unknown max output";
  auto r = Hello();
  r.max_tokens = 123;
  EXPECT_EQ(Encode(r, Endpoint(1000)).at("max_tokens"), json::value(123));
}

}  // namespace
}  // namespace turnpike::providers::anthropic::test
