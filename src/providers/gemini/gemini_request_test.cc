// GeminiAdapter::EncodeRequest: canonical requests → the expected Gemini JSON, compared as
// parsed JSON values (key order does not matter), two of them against recorded requests.
#include <gtest/gtest.h>

#include "common/http_types.h"
#include "providers/gemini/gemini_adapter.h"
#include "providers/gemini/gemini_internal.h"
#include "providers/gemini/gemini_test_util.h"

namespace turnpike::providers::gemini {
namespace {

using protocol::ChatRequest;
using protocol::ContentPart;
using protocol::Message;
using protocol::Role;
using protocol::ToolCall;
using protocol::ToolChoice;
using testing::Json;
using testing::ReadFixture;

Message Text(Role role, std::string text) {
  Message m;
  m.role = role;
  m.content.push_back(ContentPart{ContentPart::Kind::kText, std::move(text), "", ""});
  return m;
}

Message Image(std::string url) {
  Message m;
  m.role = Role::kUser;
  m.content.push_back(ContentPart{ContentPart::Kind::kImage, "", std::move(url), ""});
  return m;
}

Message Calls(std::vector<ToolCall> calls) {
  Message m;
  m.role = Role::kAssistant;
  m.tool_calls = std::move(calls);
  return m;
}

Message ToolResult(std::string id, std::string content) {
  Message m = Text(Role::kTool, std::move(content));
  m.tool_call_id = std::move(id);
  return m;
}

ChatRequest Request(std::vector<Message> messages) {
  ChatRequest r;
  r.model = "google/gemini";
  r.messages = std::move(messages);
  return r;
}

EndpointInfo Endpoint(std::string model = "gemini-2.5-flash") {
  return EndpointInfo{"https://generativelanguage.googleapis.com", "AIza-test-key", std::move(model), 0};
}

// The encoded body, parsed; fails the test when encoding fails.
json::object Body(const ChatRequest& request, std::string model = "gemini-2.5-flash") {
  GeminiAdapter adapter;
  auto encoded = adapter.EncodeRequest(request, Endpoint(std::move(model)));
  EXPECT_TRUE(encoded.ok()) << (encoded.ok() ? "" : encoded.error().message);
  if (!encoded.ok()) return {};
  return Json(encoded->body).as_object();
}

Error EncodeError(const ChatRequest& request, std::string model = "gemini-2.5-flash") {
  GeminiAdapter adapter;
  auto encoded = adapter.EncodeRequest(request, Endpoint(std::move(model)));
  EXPECT_FALSE(encoded.ok());
  return encoded.ok() ? Error{} : encoded.error();
}

// maxOutputTokens (thoughts included) never exceeds the output the gateway held for.
TEST(GeminiRequest, MaxOutputTokensIsTheHeldLimit) {
  GeminiAdapter adapter;
  EndpointInfo limited = Endpoint();
  limited.output_limit = 1000;
  auto config = [&](std::optional<int64_t> max_tokens) {
    ChatRequest r = Request({Text(Role::kUser, "Hi")});
    r.max_tokens = max_tokens;
    auto encoded = adapter.EncodeRequest(r, limited);
    EXPECT_TRUE(encoded.ok());
    return encoded.ok() ? Json(encoded->body).at("generationConfig") : json::value();
  };
  EXPECT_EQ(config(std::nullopt).at("maxOutputTokens"), 1000);
  EXPECT_EQ(config(300).at("maxOutputTokens"), 300);
  EXPECT_EQ(config(5000).at("maxOutputTokens"), 1000);
}

TEST(GeminiRequest, UrlHeadersAndMinimalBody) {
  GeminiAdapter adapter;
  ChatRequest r = Request({Text(Role::kUser, "Hi")});
  auto plain = adapter.EncodeRequest(r, Endpoint());
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->url, "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:generateContent");
  EXPECT_EQ(FindHeader(plain->headers, "x-goog-api-key"), "AIza-test-key");
  EXPECT_EQ(FindHeader(plain->headers, "content-type"), "application/json");
  EXPECT_EQ(Json(plain->body), Json(R"({"contents":[{"role":"user","parts":[{"text":"Hi"}]}]})"));

  r.stream = true;
  r.include_usage = true;
  EndpointInfo endpoint{"http://127.0.0.1:9/", "", "models/gemini-2.0-flash", 0};
  auto streamed = adapter.EncodeRequest(r, endpoint);
  ASSERT_TRUE(streamed.ok());
  EXPECT_EQ(streamed->url, "http://127.0.0.1:9/v1beta/models/gemini-2.0-flash:streamGenerateContent?alt=sse");
  EXPECT_EQ(FindHeader(streamed->headers, "x-goog-api-key"), "");  // no key configured
  EXPECT_EQ(Json(streamed->body), Json(plain->body));              // stream is in the URL only

  endpoint.upstream_model = "odd model?";
  EXPECT_EQ(adapter.EncodeRequest(r, endpoint)->url,
            "http://127.0.0.1:9/v1beta/models/odd%20model%3F:streamGenerateContent?alt=sse");
  endpoint.upstream_model = "";
  EXPECT_FALSE(adapter.EncodeRequest(r, endpoint).ok());
}

TEST(GeminiRequest, SystemAndDeveloperMessagesBecomeSystemInstruction) {
  Message two_parts = Text(Role::kSystem, "Be brief.");
  two_parts.content.push_back(ContentPart{ContentPart::Kind::kText, "Use French.", "", ""});
  const auto body = Body(Request({Text(Role::kSystem, "You are a helpful chatbot."), Text(Role::kUser, "Hello"),
                                  two_parts, Text(Role::kUser, "Again")}));
  EXPECT_EQ(json::value(body), Json(R"({
    "systemInstruction":{"parts":[{"text":"You are a helpful chatbot."},{"text":"Be brief."},{"text":"Use French."}]},
    "contents":[{"role":"user","parts":[{"text":"Hello"},{"text":"Again"}]}]})"));
}

TEST(GeminiRequest, ImageDataUrlMatchesTheRecordedRequest) {
  const auto recorded = Json(ReadFixture("request-image-inline-data.json")).as_object();
  Message m = Text(Role::kUser, "Make this image larger");
  m.content.push_back(ContentPart{ContentPart::Kind::kImage, "",
                                  "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8/"
                                  "5+hHgAHggJ/PchI7wAAAABJRU5ErkJggg==",
                                  "high"});
  EXPECT_EQ(Body(Request({m})).at("contents"), recorded.at("contents"));
}

TEST(GeminiRequest, ImageUrlsBecomeFileDataWithAGuessedMimeType) {
  const auto body =
      Body(Request({Image("https://example.com/a/cat.PNG?size=2#x"), Image("https://example.com/dog.webp"),
                    Image("https://example.com/pic.jpeg"), Image("https://example.com/v1.2/photo")}));
  EXPECT_EQ(body.at("contents"), Json(R"([{"role":"user","parts":[
    {"fileData":{"mimeType":"image/png","fileUri":"https://example.com/a/cat.PNG?size=2#x"}},
    {"fileData":{"mimeType":"image/webp","fileUri":"https://example.com/dog.webp"}},
    {"fileData":{"mimeType":"image/jpeg","fileUri":"https://example.com/pic.jpeg"}},
    {"fileData":{"mimeType":"image/jpeg","fileUri":"https://example.com/v1.2/photo"}}]}])"));
}

TEST(GeminiRequest, ImagesGeminiCannotTakeAreBadRequests) {
  for (std::string url :
       {"ftp://example.com/a.png", "data:image/png,rawbytes", "data:;base64,AAAA", "data:image/png;base64,"}) {
    EXPECT_EQ(EncodeError(Request({Image(url)})).code, ErrorCode::kBadRequest) << url;
  }
  Message assistant_image = Image("https://example.com/a.png");
  assistant_image.role = Role::kAssistant;
  EXPECT_EQ(EncodeError(Request({Text(Role::kUser, "x"), assistant_image})).code, ErrorCode::kBadRequest);
  Message system_image = Image("https://example.com/a.png");
  system_image.role = Role::kSystem;
  EXPECT_EQ(EncodeError(Request({system_image, Text(Role::kUser, "x")})).code, ErrorCode::kBadRequest);
}

// The recorded two-turn request (pydantic-ai): same contents (the tool's JSON-object result is
// passed as the response object), same system parts, same declarations.
TEST(GeminiRequest, ToolConversationMatchesTheRecordedRequest) {
  const auto recorded = Json(ReadFixture("request-system-tools-function-response.json")).as_object();
  const std::string id = "pyd_ai_0e1a07b3c2b64d2ab3ad2efbe18e1b97";
  ChatRequest r = Request({Text(Role::kSystem, "You are a helpful chatbot."),
                           Text(Role::kUser, "What is the temperature of the capital of France?"),
                           Calls({ToolCall{id, "get_capital", R"({"country": "France"})", ""}}),
                           ToolResult(id, R"({"return_value": "Paris"})")});
  const auto& declarations = recorded.at("tools").at(0).at("functionDeclarations").as_array();
  for (const auto& d : declarations) {
    r.tools.push_back({std::string(d.at("name").as_string()), std::string(d.at("description").as_string()),
                       json::serialize(d.at("parameters")), false});
  }
  const auto body = Body(r);
  EXPECT_EQ(body.at("contents"), recorded.at("contents"));
  EXPECT_EQ(body.at("systemInstruction").at("parts"), recorded.at("systemInstruction").at("parts"));
  // The recording sends the OpenAPI-subset `parameters`; the adapter sends parametersJsonSchema.
  const auto& sent = body.at("tools").at(0).at("functionDeclarations").as_array();
  ASSERT_EQ(sent.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(sent[i].at("name"), declarations[i].at("name"));
    EXPECT_EQ(sent[i].at("description"), declarations[i].at("description"));
    EXPECT_EQ(sent[i].at("parametersJsonSchema"), declarations[i].at("parameters"));
  }
  EXPECT_FALSE(body.contains("generationConfig"));  // nothing was set (the recording sends {})
  EXPECT_FALSE(body.contains("toolConfig"));
}

TEST(GeminiRequest, ToolResultsShareOneUserContent) {
  // OpenAI-style ids ("call_…") never reached Gemini, so they are not sent as ids.
  ChatRequest r =
      Request({Text(Role::kUser, "Weather in Paris and Rome?"),
               Calls({ToolCall{"call_a", "weather", R"({"city":"Paris"})", ""}, ToolCall{"call_b", "weather", "", ""}}),
               ToolResult("call_a", "sunny"), ToolResult("call_b", "[1, 2]"), Text(Role::kUser, "Thanks")});
  EXPECT_EQ(Body(r).at("contents"), Json(R"([
    {"role":"user","parts":[{"text":"Weather in Paris and Rome?"}]},
    {"role":"model","parts":[{"functionCall":{"name":"weather","args":{"city":"Paris"}}},
                             {"functionCall":{"name":"weather","args":{}}}]},
    {"role":"user","parts":[{"functionResponse":{"name":"weather","response":{"content":"sunny"}}},
                            {"functionResponse":{"name":"weather","response":{"content":"[1, 2]"}}},
                            {"text":"Thanks"}]}])"));
}

TEST(GeminiRequest, AssistantTextAndCallsMergeAndEmptyMessagesVanish) {
  Message with_text = Calls({ToolCall{"c9bjmkfz", "lookup", "{}", ""}});
  with_text.content.push_back(ContentPart{ContentPart::Kind::kText, "Let me look.", "", ""});
  Message empty;
  empty.role = Role::kAssistant;
  ChatRequest r = Request({Text(Role::kUser, "a"), Text(Role::kUser, ""), Text(Role::kAssistant, "b"), empty, with_text,
                           ToolResult("c9bjmkfz", R"({"found":true})")});
  EXPECT_EQ(Body(r).at("contents"), Json(R"([
    {"role":"user","parts":[{"text":"a"}]},
    {"role":"model","parts":[{"text":"b"},{"text":"Let me look."},
                             {"functionCall":{"name":"lookup","args":{},"id":"c9bjmkfz"}}]},
    {"role":"user","parts":[{"functionResponse":{"name":"lookup","response":{"found":true},"id":"c9bjmkfz"}}]}])"));
}

TEST(GeminiRequest, ToolMessagesGeminiCannotTakeAreBadRequests) {
  EXPECT_EQ(EncodeError(Request({Text(Role::kUser, "x"), ToolResult("call_nope", "1")})).code, ErrorCode::kBadRequest);
  EXPECT_EQ(EncodeError(Request({Calls({ToolCall{"call_1", "f", "[1]", ""}})})).code, ErrorCode::kBadRequest);
  EXPECT_EQ(EncodeError(Request({Calls({ToolCall{"call_1", "f", "{oops", ""}})})).code, ErrorCode::kBadRequest);
  EXPECT_EQ(EncodeError(Request({Calls({ToolCall{"call_1", "", "{}", ""}})})).code, ErrorCode::kBadRequest);
  // Boost.JSON reads 1e30824 as infinity and would send `Infinity`, which is not JSON (shown by
  // fuzz_chat_request).
  EXPECT_EQ(EncodeError(Request({Calls({ToolCall{"call_1", "f", R"({"n":-1e30824})", ""}})})).code,
            ErrorCode::kBadRequest);
}

// §6.1: a cached signature goes on its own part; on Gemini 3 the first call of each model turn
// without one gets the skip sentinel; other models get no sentinel.
TEST(GeminiRequest, ThoughtSignatures) {
  ChatRequest r =
      Request({Text(Role::kUser, "go"), Calls({ToolCall{"call_1", "f", "{}", ""}, ToolCall{"call_2", "g", "{}", ""}}),
               ToolResult("call_1", "1"), ToolResult("call_2", "2"),
               Calls({ToolCall{"call_3", "f", "{}", "REAL"}, ToolCall{"call_4", "g", "{}", ""}}),
               ToolResult("call_3", "3"), ToolResult("call_4", "4")});
  auto signatures = [](const json::object& body) {
    std::vector<std::string> out;
    for (const auto& content : body.at("contents").as_array()) {
      for (const auto& part : content.at("parts").as_array()) {
        if (!part.as_object().contains("functionCall")) continue;
        const auto* sig = part.as_object().if_contains("thoughtSignature");
        out.push_back(sig ? std::string(sig->as_string()) : "-");
      }
    }
    return out;
  };
  EXPECT_EQ(signatures(Body(r, "gemini-3-pro-preview")),
            (std::vector<std::string>{"skip_thought_signature_validator", "-", "REAL", "-"}));
  EXPECT_EQ(signatures(Body(r, "models/gemini-3.1-flash")),
            (std::vector<std::string>{"skip_thought_signature_validator", "-", "REAL", "-"}));
  EXPECT_EQ(signatures(Body(r, "gemini-2.5-flash")), (std::vector<std::string>{"-", "-", "REAL", "-"}));
  EXPECT_EQ(signatures(Body(r, "gemini-30-ultra")), (std::vector<std::string>{"-", "-", "REAL", "-"}));
}

TEST(GeminiRequest, ModelFamilies) {
  EXPECT_TRUE(IsGemini3("gemini-3-pro-preview"));
  EXPECT_TRUE(IsGemini3("gemini-3.0-flash"));
  EXPECT_TRUE(IsGemini3("models/gemini-3-flash-preview"));
  EXPECT_FALSE(IsGemini3("gemini-3"));
  EXPECT_FALSE(IsGemini3("gemini-30-pro"));
  EXPECT_FALSE(IsGemini3("gemini-2.5-pro"));
}

TEST(GeminiRequest, ToolsAndToolChoice) {
  ChatRequest r = Request({Text(Role::kUser, "x")});
  r.tools.push_back({"get_weather", "Weather for a city.", R"({"type":"object","properties":{"city":{"type":"string"}},
                     "required":["city"],"additionalProperties":false})",
                     true});
  r.tools.push_back({"now", "", "", false});
  EXPECT_EQ(Body(r).at("tools"), Json(R"([{"functionDeclarations":[
    {"name":"get_weather","description":"Weather for a city.","parametersJsonSchema":{"type":"object",
     "properties":{"city":{"type":"string"}},"required":["city"],"additionalProperties":false}},
    {"name":"now"}]}])"));
  struct Row {
    ToolChoice choice;
    const char* expected;  // toolConfig, or "" for none
  };
  const Row rows[] = {
      {{ToolChoice::Mode::kUnset, ""}, ""},
      {{ToolChoice::Mode::kAuto, ""}, R"({"functionCallingConfig":{"mode":"AUTO"}})"},
      {{ToolChoice::Mode::kNone, ""}, R"({"functionCallingConfig":{"mode":"NONE"}})"},
      {{ToolChoice::Mode::kRequired, ""}, R"({"functionCallingConfig":{"mode":"ANY"}})"},
      {{ToolChoice::Mode::kFunction, "now"},
       R"({"functionCallingConfig":{"mode":"ANY","allowedFunctionNames":["now"]}})"},
  };
  for (const Row& row : rows) {
    r.tool_choice = row.choice;
    const auto body = Body(r);
    if (*row.expected == '\0') {
      EXPECT_FALSE(body.contains("toolConfig"));
    } else {
      EXPECT_EQ(body.at("toolConfig"), Json(row.expected)) << row.expected;
    }
  }
  r.tool_choice = {ToolChoice::Mode::kFunction, "missing"};
  EXPECT_EQ(EncodeError(r).code, ErrorCode::kBadRequest);
  r.tools[0].parameters_json = "[]";
  r.tool_choice = {};
  EXPECT_EQ(EncodeError(r).code, ErrorCode::kBadRequest);
}

TEST(GeminiRequest, ToolChoiceWithoutTools) {
  ChatRequest r = Request({Text(Role::kUser, "x")});
  r.tool_choice = {ToolChoice::Mode::kNone, ""};
  EXPECT_FALSE(Body(r).contains("toolConfig"));
  r.tool_choice = {ToolChoice::Mode::kRequired, ""};
  EXPECT_EQ(EncodeError(r).code, ErrorCode::kBadRequest);
}

TEST(GeminiRequest, GenerationConfig) {
  ChatRequest r = Request({Text(Role::kUser, "x")});
  r.max_tokens = 300;
  r.temperature = 0.7;
  r.top_p = 0.9;
  r.stop = {"END", "STOP"};
  r.n = 1;
  r.seed = 42;
  r.presence_penalty = 0.5;
  r.frequency_penalty = -0.25;
  r.parallel_tool_calls = false;
  r.user = "someone";
  r.response_format.type = protocol::ResponseFormat::Type::kJsonObject;
  const auto body = Body(r);
  EXPECT_EQ(body.at("generationConfig"), Json(R"({"maxOutputTokens":300,"temperature":0.7,"topP":0.9,
    "stopSequences":["END","STOP"],"seed":42,"presencePenalty":0.5,"frequencyPenalty":-0.25,
    "responseMimeType":"application/json"})"));
  EXPECT_EQ(body.size(), 2u);  // contents and generationConfig: user / parallel_tool_calls are dropped
  r.n = 3;
  EXPECT_EQ(EncodeError(r).code, ErrorCode::kBadRequest);  // one choice only
}

TEST(GeminiRequest, JsonSchemaResponseFormat) {
  ChatRequest r = Request({Text(Role::kUser, "x")});
  r.response_format.type = protocol::ResponseFormat::Type::kJsonSchema;
  r.response_format.name = "city";
  r.response_format.schema_json = R"({"type":"object","properties":{"name":{"type":"string"}},"required":["name"]})";
  EXPECT_EQ(Body(r).at("generationConfig"), Json(R"({"responseMimeType":"application/json",
    "responseJsonSchema":{"type":"object","properties":{"name":{"type":"string"}},"required":["name"]}})"));
  r.response_format.schema_json = "not json";
  EXPECT_EQ(EncodeError(r).code, ErrorCode::kBadRequest);
}

TEST(GeminiRequest, ReasoningEffort) {
  struct Row {
    const char* model;
    const char* effort;
    const char* thinking;  // thinkingConfig, or "" for none
  };
  const Row rows[] = {
      {"gemini-2.5-flash", "minimal", R"({"thinkingBudget":0})"},
      {"gemini-2.5-flash", "low", R"({"thinkingBudget":1024})"},
      {"gemini-2.5-flash-lite", "medium", R"({"thinkingBudget":8192})"},
      {"gemini-2.5-pro", "high", R"({"thinkingBudget":24576})"},
      {"gemini-2.5-pro", "minimal", R"({"thinkingBudget":512})"},
      {"gemini-3-pro-preview", "minimal", R"({"thinkingLevel":"LOW"})"},
      {"gemini-3-pro-preview", "low", R"({"thinkingLevel":"LOW"})"},
      {"gemini-3-flash-preview", "medium", R"({"thinkingLevel":"HIGH"})"},
      {"gemini-3.0-pro", "high", R"({"thinkingLevel":"HIGH"})"},
      {"gemini-2.0-flash", "high", ""},
      {"gemini-2.5-flash", "", ""},
  };
  for (const Row& row : rows) {
    ChatRequest r = Request({Text(Role::kUser, "x")});
    r.reasoning_effort = row.effort;
    const auto body = Body(r, row.model);
    if (*row.thinking == '\0') {
      EXPECT_FALSE(body.contains("generationConfig")) << row.model << " " << row.effort;
    } else {
      EXPECT_EQ(body.at("generationConfig"), Json(std::string(R"({"thinkingConfig":)") + row.thinking + "}"))
          << row.model << " " << row.effort;
    }
  }
  ChatRequest r = Request({Text(Role::kUser, "x")});
  r.reasoning_effort = "extreme";
  EXPECT_EQ(EncodeError(r).code, ErrorCode::kBadRequest);
}

}  // namespace
}  // namespace turnpike::providers::gemini
