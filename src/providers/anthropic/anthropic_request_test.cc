// Anthropic request encoding, the conversation: URL and headers, system text, images, tool
// calls and tool results, role merging; compared as parsed JSON, including the two recorded
// request bodies; and the conversations Anthropic cannot express.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "providers/anthropic/anthropic_request_test_util.h"

namespace turnpike::providers::anthropic::test {
namespace {

TEST(AnthropicEncodeRequestTest, UrlHeadersAndMinimalBody) {
  auto e = Endpoint();
  auto out = AnthropicAdapter().EncodeRequest(Hello(), e);
  ASSERT_TRUE(out.ok()) << out.error().message;
  EXPECT_EQ(out->url, "https://api.anthropic.com/v1/messages");
  EXPECT_EQ(FindHeader(out->headers, "x-api-key"), "sk-ant-test");
  EXPECT_EQ(FindHeader(out->headers, "anthropic-version"), "2023-06-01");
  EXPECT_EQ(FindHeader(out->headers, "content-type"), "application/json");
  EXPECT_EQ(out->headers.size(), 3u);
  EXPECT_EQ(json::parse(out->body),
            json::parse(std::string(R"({"model":"claude-sonnet-4-5","max_tokens":4096,"stream":false,"messages":)") +
                        kHiMessages + "}"));
  e.base_url = "http://127.0.0.1:8080/";
  out = AnthropicAdapter().EncodeRequest(Hello(), e);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out->url, "http://127.0.0.1:8080/v1/messages");
}

TEST(AnthropicEncodeRequestTest, SystemAndDeveloperMessagesGoToSystemInOrder) {
  // Developer messages decode to kSystem; every system text is kept, in order, wherever it was.
  auto r = Request({Msg(Role::kSystem, "Be brief."), Msg(Role::kUser, "hi"),
                    Msg(Role::kSystem, {Text("Answer in French."), Text(""), Text("No emoji.")})});
  ExpectBody(r, std::string(R"({"model":"claude-sonnet-4-5","max_tokens":4096,"stream":false,
      "system":[{"type":"text","text":"Be brief."},{"type":"text","text":"Answer in French."},{"type":"text","text":"No emoji."}],
      "messages":)") +
                    kHiMessages + "}");
  ExpectBody(
      Request({Msg(Role::kSystem, "Be brief."), Msg(Role::kUser, "hi")}),
      std::string(R"({"model":"claude-sonnet-4-5","max_tokens":4096,"stream":false,"system":"Be brief.","messages":)") +
          kHiMessages + "}");
}

TEST(AnthropicEncodeRequestTest, ImagesFromDataAndHttpsUrls) {
  auto r = Request({Msg(
      Role::kUser, {Text("Compare"), Image("data:image/jpeg;base64,/9j/4AAQ"), Image("https://example.com/cat.png")})});
  ExpectBody(r, R"({"model":"claude-sonnet-4-5","max_tokens":4096,"stream":false,"messages":[{"role":"user","content":[
      {"type":"text","text":"Compare"},
      {"type":"image","source":{"type":"base64","media_type":"image/jpeg","data":"/9j/4AAQ"}},
      {"type":"image","source":{"type":"url","url":"https://example.com/cat.png"}}]}]})");
}

TEST(AnthropicEncodeRequestTest, ImageFixture) {
  // messages-request-image-base64.json, sent by llm-anthropic with max_tokens 8192 and temperature 1.
  json::value fixture = json::parse(ReadFile(kDir / "messages-request-image-base64.json"));
  std::string data(fixture.at("messages").at(0).at("content").at(0).at("source").at("data").as_string());
  auto r = Request({Msg(Role::kUser, {Image("data:image/png;base64," + data), Text("Describe image in three words")})});
  r.max_tokens = 8192;
  r.temperature = 1.0;
  r.stream = true;
  EXPECT_EQ(Encode(r), fixture) << json::serialize(Encode(r));
}

TEST(AnthropicEncodeRequestTest, ImagesAnthropicCannotTake) {
  ExpectBad(Request({Msg(Role::kUser, {Image("data:image/png,rawbytes")})}), "base64");
  ExpectBad(Request({Msg(Role::kUser, {Image("data:;base64,AAAA")})}), "media type");
  ExpectBad(Request({Msg(Role::kUser, {Image("ftp://example.com/a.png")})}), "messages[0]");
  ExpectBad(Request({Msg(Role::kUser, {Image("")})}), "image URL");
  ExpectBad(Request({Msg(Role::kUser, "hi"), Msg(Role::kAssistant, {Image("https://example.com/a.png")})}),
            "messages[1]");
  ExpectBad(Request({Msg(Role::kSystem, {Image("https://example.com/a.png")}), Msg(Role::kUser, "hi")}), "system");
}

// The recorded two-turn conversation: system, user, assistant text + 4 parallel tool calls,
// 4 tool results, tools with tool_choice auto.
TEST(AnthropicEncodeRequestTest, ToolConversationFixture) {
  const std::string system =
      "\n    Use the `retrieve_entity_info` tool to get information about a specific person.\n    If you need to use "
      "`retrieve_entity_info` to get information about multiple people, try\n    to call them in parallel as much as "
      "possible.\n    Think step by step and then provide a single most probable concise answer.\n    ";
  Message assistant =
      Msg(Role::kAssistant,
          "I'll help you find out who is the youngest by retrieving information about each family member. "
          "I'll retrieve their entity information to compare their ages.");
  const std::vector<std::pair<std::string, std::string>> people = {{"toolu_0167cfEnoQaPviGdVXA95zcu", "Alice"},
                                                                   {"toolu_01EEe2V5HD1Ac4rKiUR4HD2T", "Bob"},
                                                                   {"toolu_01XFyAjstT3966qvRynZyVPo", "Charlie"},
                                                                   {"toolu_013mnQZbgtK2oe3Mo3XKJsx3", "Daisy"}};
  for (const auto& [id, name] : people) {
    assistant.tool_calls.push_back(Call(id, "retrieve_entity_info", "{\"name\": \"" + name + "\"}"));
  }
  auto r = Request(
      {Msg(Role::kSystem, system), Msg(Role::kUser, "Alice, Bob, Charlie and Daisy are a family. Who is the youngest?"),
       assistant, ToolResult(people[0].first, "alice is bob's wife"),
       ToolResult(people[1].first, "bob is alice's husband"), ToolResult(people[2].first, "charlie is alice's son"),
       ToolResult(people[3].first, "daisy is bob's daughter and charlie's younger sister")});
  protocol::Tool tool;
  tool.name = "retrieve_entity_info";
  tool.description = "Get the knowledge about the given entity.";
  tool.parameters_json =
      R"({"type":"object","properties":{"name":{"type":"string"}},"required":["name"],"additionalProperties":false})";
  r.tools = {tool};
  r.tool_choice.mode = Mode::kAuto;
  EndpointInfo e = Endpoint(64000);
  e.upstream_model = "claude-haiku-4-5";
  json::value want = json::parse(ReadFile(kDir / "messages-request-system-tools-tool-results.json"));
  json::value got = Encode(r, e);
  EXPECT_EQ(got, want) << json::serialize(got);
}

TEST(AnthropicEncodeRequestTest, ToolResultsComeFirstAndSameRolesMerge) {
  Message a1 = Msg(Role::kAssistant, "");  // empty text is left out
  a1.tool_calls = {Call("call_1", "get_weather", R"({"location":"Paris"})"), Call("call_2", "get_weather", "")};
  Message image_result = Msg(Role::kTool, {Text("see"), Image("https://example.com/map.png")});
  image_result.tool_call_id = "call_2";
  auto r = Request({Msg(Role::kUser, "Weather?"), Msg(Role::kUser, "In Paris."), a1, ToolResult("call_1", "sunny"),
                    image_result, Msg(Role::kUser, "Thanks. And tomorrow?"), Msg(Role::kAssistant, "Let me"),
                    Msg(Role::kAssistant, ""), Msg(Role::kAssistant, " check."), Msg(Role::kUser, ""),
                    Msg(Role::kUser, "Go on")});
  ExpectBody(r, R"({"model":"claude-sonnet-4-5","max_tokens":4096,"stream":false,"messages":[
      {"role":"user","content":[{"type":"text","text":"Weather?"},{"type":"text","text":"In Paris."}]},
      {"role":"assistant","content":[
        {"type":"tool_use","id":"call_1","name":"get_weather","input":{"location":"Paris"}},
        {"type":"tool_use","id":"call_2","name":"get_weather","input":{}}]},
      {"role":"user","content":[
        {"type":"tool_result","tool_use_id":"call_1","content":"sunny","is_error":false},
        {"type":"tool_result","tool_use_id":"call_2","is_error":false,"content":[
          {"type":"text","text":"see"},{"type":"image","source":{"type":"url","url":"https://example.com/map.png"}}]},
        {"type":"text","text":"Thanks. And tomorrow?"}]},
      {"role":"assistant","content":[{"type":"text","text":"Let me"},{"type":"text","text":" check."}]},
      {"role":"user","content":[{"type":"text","text":"Go on"}]}]})");
}

TEST(AnthropicEncodeRequestTest, UserTextBeforeToolResultsIsMovedAfterThem) {
  Message a = Msg(Role::kAssistant, "x");
  a.tool_calls = {Call("call_1", "f", "{}")};
  Message empty_result = Msg(Role::kTool, std::vector<ContentPart>{});
  empty_result.tool_call_id = "call_2";
  auto r = Request({Msg(Role::kUser, "q"), a, Msg(Role::kUser, "note"), ToolResult("call_1", "r1"), empty_result});
  ExpectBody(r, R"({"model":"claude-sonnet-4-5","max_tokens":4096,"stream":false,"messages":[
      {"role":"user","content":[{"type":"text","text":"q"}]},
      {"role":"assistant","content":[{"type":"text","text":"x"},{"type":"tool_use","id":"call_1","name":"f","input":{}}]},
      {"role":"user","content":[
        {"type":"tool_result","tool_use_id":"call_1","content":"r1","is_error":false},
        {"type":"tool_result","tool_use_id":"call_2","is_error":false},
        {"type":"text","text":"note"}]}]})");
}

TEST(AnthropicEncodeRequestTest, ToolCallArgumentsMustBeAJsonObject) {
  // {"n":1e30824}: Boost.JSON reads it as infinity and would send `Infinity`, which is not JSON
  // (shown by fuzz_chat_request).
  for (const char* args : {"{\"location\":", "not json", "[1,2]", "\"Paris\"", "{\"n\":1e30824}"}) {
    Message a = Msg(Role::kAssistant, "");
    a.tool_calls = {Call("call_ok", "f", "{}"), Call("call_bad", "get_weather", args)};
    ExpectBad(Request({Msg(Role::kUser, "q"), a, ToolResult("call_ok", "1"), ToolResult("call_bad", "2")}), "call_bad");
  }
  Message no_id = Msg(Role::kAssistant, "");
  no_id.tool_calls = {Call("", "f", "{}")};
  ExpectBad(Request({Msg(Role::kUser, "q"), no_id}), "id");
  ExpectBad(Request({Msg(Role::kUser, "q"), ToolResult("", "r")}), "tool_call_id");
}

TEST(AnthropicEncodeRequestTest, RequestsAnthropicCannotExpress) {
  auto r = Hello();
  r.n = 2;
  ExpectBad(r, "'n'");
  ExpectBad(Request({Msg(Role::kSystem, "only a system prompt")}), "at least one");
  ExpectBad(Request({Msg(Role::kUser, "")}), "at least one");
}

}  // namespace
}  // namespace turnpike::providers::anthropic::test
