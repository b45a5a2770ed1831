// OpenAiAdapter::EncodeRequest: the recorded client requests decoded (protocol::DecodeChatRequest),
// encoded and decoded again give the same canonical request; the exact bytes of one request
// using every field; what the canonical form cannot carry to OpenAI.
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json.hpp>
#include <filesystem>

#include "protocol/openai_decode.h"
#include "providers/adapter_test_util.h"
#include "providers/openai/openai_adapter.h"

namespace turnpike::providers::openai {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
using protocol::ChatRequest;

const EndpointInfo kEndpoint{"https://api.openai.com/v1", "sk-upstream", "gpt-4o-2024-08-06", 0};

json::value Opt(const auto& v) { return v ? json::value_from(*v) : json::value(nullptr); }

// Every field of `r` as JSON, so two requests compare exactly and a difference prints readably.
std::string Dump(const ChatRequest& r) {
  json::array messages;
  for (const auto& m : r.messages) {
    json::array parts, calls;
    for (const auto& p : m.content) {
      parts.push_back(json::array{static_cast<int>(p.kind), p.text, p.image_url, p.detail});
    }
    for (const auto& c : m.tool_calls) calls.push_back(json::array{c.id, c.name, c.arguments, c.thought_signature});
    messages.push_back(json::object{{"role", static_cast<int>(m.role)},
                                    {"content", std::move(parts)},
                                    {"tool_calls", std::move(calls)},
                                    {"tool_call_id", m.tool_call_id}});
  }
  json::array tools;
  for (const auto& t : r.tools) tools.push_back(json::array{t.name, t.description, t.parameters_json, t.strict});
  json::array stop;
  for (const auto& s : r.stop) stop.push_back(json::string(s));
  const auto& f = r.response_format;
  json::object o{{"model", r.model},
                 {"messages", std::move(messages)},
                 {"tools", std::move(tools)},
                 {"tool_choice", json::array{static_cast<int>(r.tool_choice.mode), r.tool_choice.function}},
                 {"parallel_tool_calls", Opt(r.parallel_tool_calls)},
                 {"max_tokens", Opt(r.max_tokens)},
                 {"temperature", Opt(r.temperature)},
                 {"top_p", Opt(r.top_p)},
                 {"presence_penalty", Opt(r.presence_penalty)},
                 {"frequency_penalty", Opt(r.frequency_penalty)},
                 {"seed", Opt(r.seed)},
                 {"n", Opt(r.n)},
                 {"stop", std::move(stop)},
                 {"response_format", json::array{static_cast<int>(f.type), f.name, f.schema_json, f.strict}},
                 {"reasoning_effort", r.reasoning_effort},
                 {"user", r.user},
                 {"stream", r.stream},
                 {"include_usage", r.include_usage}};
  return json::serialize(o);
}

ChatRequest DecodeText(std::string_view body) {
  auto r = protocol::DecodeChatRequest(json::parse(body));
  EXPECT_TRUE(r.ok()) << r.error().message << "\n" << body;
  return r.ok() ? *r : ChatRequest{};
}

std::string EncodeBody(const ChatRequest& request) {
  auto r = OpenAiAdapter().EncodeRequest(request, kEndpoint);
  EXPECT_TRUE(r.ok()) << r.error().message;
  return r.ok() ? r->body : "";
}

// Decode → encode → decode gives what the first decode gave, with the upstream model, and the
// usage chunk asked for exactly when streaming.
void ExpectRoundTrip(const std::string& label, std::string_view body) {
  SCOPED_TRACE(label);
  ChatRequest first = DecodeText(body);
  ChatRequest expected = first;
  expected.model = kEndpoint.upstream_model;
  for (bool stream : {false, true}) {
    first.stream = expected.stream = stream;
    expected.include_usage = stream;
    EXPECT_EQ(Dump(DecodeText(EncodeBody(first))), Dump(expected)) << "stream " << stream;
  }
}

// A request using every field the canonical form has.
constexpr std::string_view kEverything = R"({"model":"openai/gpt-4o","messages":[
  {"role":"developer","content":"Be brief."},
  {"role":"user","content":[{"type":"text","text":"What is this?"},
    {"type":"image_url","image_url":{"url":"https://example.test/a.png","detail":"low"}},
    {"type":"image_url","image_url":"data:image/png;base64,iVBORw0KGgo="}]},
  {"role":"assistant","content":"Let me look.","tool_calls":[
    {"id":"call_1","type":"function","function":{"name":"lookup","arguments":"{\"q\":\"a\"}"}},
    {"id":"call_2","type":"function","function":{"name":"now","arguments":""}}]},
  {"role":"tool","tool_call_id":"call_1","content":[{"type":"text","text":"found"},{"type":"text","text":" it"}]},
  {"role":"tool","tool_call_id":"call_2","content":"noon"},
  {"role":"assistant","content":null},
  {"role":"user","content":"Thanks"}],
 "tools":[{"type":"function","function":{"name":"lookup","description":"Finds things","parameters":{"type":"object","properties":{"q":{"type":"string"}}},"strict":true}},
          {"type":"function","function":{"name":"now"}}],
 "tool_choice":{"type":"function","function":{"name":"lookup"}},"parallel_tool_calls":false,
 "max_tokens":300,"temperature":0.7,"top_p":0.95,"presence_penalty":-0.5,"frequency_penalty":1.25,"seed":42,"n":2,
 "stop":"END","response_format":{"type":"json_schema","json_schema":{"name":"answer","schema":{"type":"object"},"strict":true}},
 "reasoning":{"effort":"high"},"user":"user-7","stream":true,"stream_options":{"include_usage":false}})";

TEST(OpenAiEncodeRequestTest, RecordedRequestsRoundTrip) {
  int seen = 0;
  for (const auto& entry : fs::directory_iterator(fs::path(TURNPIKE_FIXTURES_DIR) / "openai")) {
    std::string name = entry.path().filename().string();
    // Chat requests only (the folder also holds other APIs' requests: embeddings-*).
    if (!name.starts_with("chat-") || name.find("request") == std::string::npos) continue;
    ExpectRoundTrip(name, providers::testing::ReadFixture("openai", name));
    ++seen;
  }
  EXPECT_GE(seen, 6);
}

TEST(OpenAiEncodeRequestTest, EveryFieldRoundTrips) {
  ExpectRoundTrip("everything", kEverything);
  for (const char* choice : {"\"auto\"", "\"none\"", "\"required\""}) {
    ExpectRoundTrip(choice, R"({"model":"m","messages":[{"role":"user","content":"x"}],"tool_choice":)" +
                                std::string(choice) + R"(,"response_format":{"type":"json_object"}})");
  }
}

TEST(OpenAiEncodeRequestTest, ExactBytes) {
  auto r = OpenAiAdapter().EncodeRequest(DecodeText(kEverything), kEndpoint);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->url, "https://api.openai.com/v1/chat/completions");
  ASSERT_EQ(r->headers.size(), 2u);
  EXPECT_EQ(r->headers[0].name + ": " + r->headers[0].value, "Content-Type: application/json");
  EXPECT_EQ(r->headers[1].name + ": " + r->headers[1].value, "Authorization: Bearer sk-upstream");
  EXPECT_EQ(
      r->body,
      R"({"model":"gpt-4o-2024-08-06","messages":[)"
      R"({"role":"system","content":"Be brief."},)"
      R"({"role":"user","content":[{"type":"text","text":"What is this?"},)"
      R"({"type":"image_url","image_url":{"url":"https://example.test/a.png","detail":"low"}},)"
      R"({"type":"image_url","image_url":{"url":"data:image/png;base64,iVBORw0KGgo="}}]},)"
      R"({"role":"assistant","content":"Let me look.","tool_calls":[)"
      R"({"id":"call_1","type":"function","function":{"name":"lookup","arguments":"{\"q\":\"a\"}"}},)"
      R"({"id":"call_2","type":"function","function":{"name":"now","arguments":"{}"}}]},)"
      R"({"role":"tool","content":[{"type":"text","text":"found"},{"type":"text","text":" it"}],"tool_call_id":"call_1"},)"
      R"({"role":"tool","content":"noon","tool_call_id":"call_2"},)"
      R"({"role":"assistant","content":null},)"
      R"({"role":"user","content":"Thanks"}],)"
      R"("tools":[{"type":"function","function":{"name":"lookup","description":"Finds things",)"
      R"("parameters":{"type":"object","properties":{"q":{"type":"string"}}},"strict":true}},)"
      R"({"type":"function","function":{"name":"now"}}],)"
      R"("tool_choice":{"type":"function","function":{"name":"lookup"}},"parallel_tool_calls":false,)"
      R"("max_completion_tokens":300,"temperature":7E-1,"top_p":9.5E-1,"presence_penalty":-5E-1,)"
      R"("frequency_penalty":1.25E0,"seed":42,"n":2,"stop":["END"],)"
      R"("response_format":{"type":"json_schema","json_schema":{"name":"answer","schema":{"type":"object"},"strict":true}},)"
      R"("reasoning_effort":"high","user":"user-7","stream":true,"stream_options":{"include_usage":true}})");
}

TEST(OpenAiEncodeRequestTest, NonStreamingLeavesStreamOut) {
  std::string body =
      EncodeBody(DecodeText(R"({"model":"m","messages":[{"role":"user","content":"hi"}],"stream":false})"));
  EXPECT_EQ(body, R"({"model":"gpt-4o-2024-08-06","messages":[{"role":"user","content":"hi"}]})");
}

TEST(OpenAiEncodeRequestTest, SchemasThatAreNotJsonObjectsAreBadRequests) {
  ChatRequest r = DecodeText(R"({"model":"m","messages":[{"role":"user","content":"hi"}]})");
  r.tools.push_back({"f", "", "not json", false});
  auto tools = OpenAiAdapter().EncodeRequest(r, kEndpoint);
  ASSERT_FALSE(tools.ok());
  EXPECT_EQ(tools.error().code, ErrorCode::kBadRequest);
  EXPECT_EQ(tools.error().message, "tools[0].function.parameters must be a JSON object");
  r.tools.clear();
  r.response_format = {protocol::ResponseFormat::Type::kJsonSchema, "s", "[1]", false};
  auto format = OpenAiAdapter().EncodeRequest(r, kEndpoint);
  ASSERT_FALSE(format.ok());
  EXPECT_EQ(format.error().message, "response_format.json_schema.schema must be a JSON object");
}

// max_completion_tokens never exceeds the output the gateway held for, and is always sent.
TEST(OpenAiEncodeRequest, MaxCompletionTokensIsTheHeldLimit) {
  EndpointInfo limited = kEndpoint;
  limited.output_limit = 1000;
  auto sent = [&](std::optional<int64_t> max_tokens) {
    ChatRequest r;
    r.model = "openai/gpt-4o";
    r.messages.push_back(protocol::Message{});
    r.max_tokens = max_tokens;
    auto encoded = OpenAiAdapter().EncodeRequest(r, limited);
    EXPECT_TRUE(encoded.ok());
    return encoded.ok() ? json::parse(encoded->body).at("max_completion_tokens") : json::value();
  };
  EXPECT_EQ(sent(std::nullopt), 1000);
  EXPECT_EQ(sent(300), 300);
  EXPECT_EQ(sent(5000), 1000);
}

}  // namespace
}  // namespace turnpike::providers::openai
