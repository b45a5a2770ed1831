// The Responses API dialect: requests checked and read (on the recorded request bodies), the body
// relayed to OpenAI, OpenAI's answers read, and the objects and event sequences written for other
// providers compared member for member with the recorded ones.
#include "protocol/openai_responses.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <set>

#include "common/fixture_testing.h"
#include "protocol/sse_reader.h"

namespace turnpike::protocol {
namespace {

namespace json = boost::json;

std::string ReadFixture(const std::string& name) { return turnpike::fixtures::ReadFixture("openai", name); }

Result<ResponsesRequest> Read(std::string_view text) { return ReadResponsesRequest(json::parse(text)); }

// Reads `text` and its input into the canonical request.
ResponsesRequest ReadAll(std::string_view text) {
  auto r = Read(text);
  EXPECT_TRUE(r.ok()) << text << " → " << (r.ok() ? "" : r.error().message);
  if (!r.ok()) return {};
  EXPECT_TRUE(ReadResponsesInput(r->input, *r).ok());
  return std::move(*r);
}

void ExpectBad(std::string_view body, const std::string& words) {
  auto r = Read(body);
  ASSERT_FALSE(r.ok()) << body;
  EXPECT_EQ(r.error().code, ErrorCode::kBadRequest) << body;
  EXPECT_NE(r.error().message.find(words), std::string::npos) << body << " → " << r.error().message;
}

struct Event {
  std::string event;
  json::object data;
};

std::vector<Event> Events(std::string_view sse) {
  std::vector<Event> out;
  SseReader reader(1 << 24);
  auto fed = reader.Feed(sse, [&](SseEvent&& e) { out.push_back({e.event, json::parse(e.data).as_object()}); });
  EXPECT_TRUE(fed.ok());
  return out;
}

std::set<std::string> Keys(const json::object& o) {
  std::set<std::string> keys;
  for (const auto& m : o) keys.insert(std::string(m.key()));
  return keys;
}

// A made event against the recorded one: the same event name and the members OpenAI sends, but
// `obfuscation` (random padding, optional).
void ExpectSameEventAndMembers(const Event& made, const Event& recorded) {
  EXPECT_EQ(made.event, recorded.event);
  std::set<std::string> want = Keys(recorded.data);
  want.erase("obfuscation");
  EXPECT_EQ(Keys(made.data), want);
}

TEST(ResponsesRequestTest, ReadsTheRecordedRequests) {
  auto text = ReadAll(ReadFixture("responses-nonstream-text.request.json"));
  EXPECT_EQ(text.info.model, "gpt-5-nano");
  EXPECT_FALSE(text.info.stream);
  EXPECT_FALSE(text.store);
  ASSERT_EQ(text.chat.messages.size(), 1u);
  EXPECT_EQ(text.chat.messages[0].role, Role::kUser);
  EXPECT_EQ(text.chat.messages[0].content[0].text, "What is the capital of France?");
  EXPECT_EQ(text.info.prompt_chars, 30);

  auto tools = ReadAll(ReadFixture("responses-stream-function-call.request.json"));
  EXPECT_TRUE(tools.info.stream);
  EXPECT_TRUE(tools.chat.include_usage);
  ASSERT_EQ(tools.chat.tools.size(), 1u);
  EXPECT_EQ(tools.chat.tools[0].name, "weather");
  EXPECT_EQ(tools.chat.tools[0].description, "Gets current weather for a location");
  EXPECT_NE(tools.chat.tools[0].parameters_json.find("\"latitude\""), std::string::npos);
  EXPECT_EQ(tools.parameters, std::vector<std::string>{"tools"});
  EXPECT_TRUE(tools.untranslatable.empty());

  // A string input is one user message; the echo is what a Responses object repeats.
  auto plain = ReadAll(ReadFixture("responses-nonstream-function-call-2025-03.request.json"));
  ASSERT_EQ(plain.input.size(), 1u);
  EXPECT_EQ(plain.input[0].at("role"), "user");
  EXPECT_TRUE(plain.store);
  EXPECT_EQ(plain.echo.at("tool_choice"), "auto");
  EXPECT_EQ(plain.echo.at("store"), true);
  EXPECT_EQ(plain.echo.at("text"), json::parse(R"({"format":{"type":"text"}})"));
}

TEST(ResponsesRequestTest, ReadsItemsIntoTheCanonicalConversation) {
  auto r = ReadAll(R"({"model":"m","instructions":"Be brief.","max_output_tokens":100,"temperature":0.5,
    "text":{"format":{"type":"json_schema","name":"w","schema":{"type":"object"},"strict":true}},
    "reasoning":{"effort":"low"},"tool_choice":{"type":"function","name":"weather"},
    "input":[{"role":"developer","content":"Use tools."},
      {"type":"message","role":"user","content":[{"type":"input_text","text":"Weather?"},
        {"type":"input_image","image_url":"https://example.test/a.png","detail":"low"}]},
      {"type":"reasoning","id":"rs_1","summary":[]},
      {"type":"function_call","call_id":"call_1","name":"weather","arguments":"{\"city\":\"Berlin\"}"},
      {"type":"function_call_output","call_id":"call_1","output":"sunny"},
      {"role":"assistant","content":[{"type":"output_text","text":"Sunny."}]},
      {"role":"user","content":"Thanks"}]})");
  ASSERT_EQ(r.chat.messages.size(), 7u);
  EXPECT_EQ(r.chat.messages[0].role, Role::kSystem);
  EXPECT_EQ(r.chat.messages[0].content[0].text, "Be brief.");
  EXPECT_EQ(r.chat.messages[1].role, Role::kSystem);
  EXPECT_EQ(r.chat.messages[2].content[1].kind, ContentPart::Kind::kImage);
  EXPECT_EQ(r.chat.messages[2].content[1].detail, "low");
  EXPECT_EQ(r.info.images, 1);
  // The reasoning item is dropped; the call is the assistant turn's.
  EXPECT_EQ(r.chat.messages[3].role, Role::kAssistant);
  ASSERT_EQ(r.chat.messages[3].tool_calls.size(), 1u);
  EXPECT_EQ(r.chat.messages[3].tool_calls[0].id, "call_1");
  EXPECT_EQ(r.chat.messages[3].tool_calls[0].arguments, R"({"city":"Berlin"})");
  EXPECT_EQ(r.chat.messages[4].role, Role::kTool);
  EXPECT_EQ(r.chat.messages[4].tool_call_id, "call_1");
  EXPECT_EQ(r.chat.messages[4].content[0].text, "sunny");
  EXPECT_EQ(r.chat.messages[5].role, Role::kAssistant);
  EXPECT_EQ(r.chat.messages[6].content[0].text, "Thanks");
  EXPECT_EQ(r.chat.max_tokens, 100);
  EXPECT_EQ(r.info.max_tokens, 100);
  EXPECT_EQ(r.chat.temperature, 0.5);
  EXPECT_EQ(r.chat.response_format.type, ResponseFormat::Type::kJsonSchema);
  EXPECT_TRUE(r.chat.response_format.strict);
  EXPECT_EQ(r.chat.tool_choice.mode, ToolChoice::Mode::kFunction);
  EXPECT_EQ(r.chat.tool_choice.function, "weather");
  EXPECT_TRUE(r.info.reasoning);
  EXPECT_TRUE(r.untranslatable.empty());
}

TEST(ResponsesRequestTest, WhatOnlyOpenAiServesIsNoted) {
  EXPECT_EQ(ReadAll(R"({"model":"m","input":"hi","tools":[{"type":"web_search"}]})").untranslatable,
            "the built-in tool web_search");
  EXPECT_EQ(ReadAll(R"({"model":"m","input":[{"role":"user","content":"hi"},
    {"type":"web_search_call","id":"ws_1","status":"completed"}]})")
                .untranslatable,
            "web_search_call items");
  EXPECT_EQ(ReadAll(R"({"model":"m","input":[{"role":"user","content":[{"type":"input_file","file_id":"f"}]}]})")
                .untranslatable,
            "input_file parts");
}

TEST(ResponsesRequestTest, BadRequestsNameTheField) {
  ExpectBad(R"([])", "JSON object");
  ExpectBad(R"({"input":"hi"})", "Missing required parameter: 'model'.");
  ExpectBad(R"({"model":"m"})", "Missing required parameter: 'input'.");
  ExpectBad(R"({"model":7,"input":"hi"})", "Invalid type for 'model': expected a string, but got an integer");
  ExpectBad(R"({"model":"m","input":7})", "Invalid type for 'input'");
  ExpectBad(R"({"model":"m","input":[]})", "empty array");
  ExpectBad(R"({"model":"m","input":"hi","messages":[]})", "Unrecognized request argument supplied: messages");
  ExpectBad(R"({"model":"m","input":"hi","max_output_tokens":1})", "Expected a value >= 16, but got 1");
  ExpectBad(R"({"model":"m","input":"hi","max_output_tokens":"9"})", "'max_output_tokens': expected an integer");
  ExpectBad(R"({"model":"m","input":"hi","temperature":3})", "Invalid 'temperature': decimal above maximum");
  ExpectBad(R"({"model":"m","input":"hi","top_p":"x"})", "Invalid type for 'top_p'");
  ExpectBad(R"({"model":"m","input":"hi","stream":"yes"})", "Invalid type for 'stream'");
  ExpectBad(R"({"model":"m","input":"hi","store":1})", "Invalid type for 'store'");
  ExpectBad(R"({"model":"m","input":"hi","previous_response_id":5})", "previous_response_id");
  ExpectBad(R"({"model":"m","input":"hi","tools":{}})", "Invalid type for 'tools'");
  ExpectBad(R"({"model":"m","input":"hi","tools":[{"type":"function"}]})", "'tools[0].name'");
  ExpectBad(R"({"model":"m","input":"hi","tool_choice":"always"})", "(tool_choice)");
  ExpectBad(R"({"model":"m","input":"hi","text":{"format":{"type":"yaml"}}})", "(text.format.type)");
  ExpectBad(R"({"model":"m","input":"hi","text":{"format":{"type":"json_schema","name":"x"}}})",
            "'text.format.schema'");
  ExpectBad(R"({"model":"m","input":"hi","reasoning":{"effort":"max"}})", "(reasoning.effort)");
  ExpectBad(R"({"model":"m","input":"hi","metadata":{"a":1}})", "'metadata.a'");
  ExpectBad(R"({"model":"m","input":"hi","background":true})", "background");
  ExpectBad(R"({"model":"m","input":[{"role":"robot","content":"hi"}]})", "(input[0].role)");
  ExpectBad(R"({"model":"m","input":[{"role":"user"}]})", "'input[0].content'");
  ExpectBad(R"({"model":"m","input":[{"role":"user","content":[{"type":"input_image","file_id":"file-1"}]}]})",
            "input[0].content[0].file_id");
  ExpectBad(R"({"model":"m","input":[{"type":"function_call","name":"f","arguments":"{}"}]})", "'input[0].call_id'");
  ExpectBad(R"({"model":"m","input":[{"type":"function_call_output","call_id":"c"}]})", "'input[0].output'");
  ExpectBad(R"({"model":"m","input":[{"type":"item_reference","id":"msg_1"}]})", "item_reference");
  ExpectBad(R"({"model":"m","input":[{"role":"user","content":[{"type":"output_text","text":"x"}]}]})",
            "(input[0].content[0].type)");
}

TEST(ResponsesRelayTest, TheClientsBytesWithTheGatewaysEdits) {
  const std::string raw =
      R"({"model":"openai/gpt-5-nano","input":"hi","provider":{"sort":"price"},"previous_response_id":"gen-1",)"
      R"("max_output_tokens":100000,"user":"alice","reasoning":{"effort":"low"},"metadata":{"k":"v"}})";
  json::array items = json::parse(R"([{"role":"user","content":"before"},{"role":"user","content":"hi"}])").as_array();
  json::value out = json::parse(RelayResponsesBody(raw, "gpt-5-nano", 4096, &items, "digest"));
  EXPECT_EQ(out, json::parse(R"({"model":"gpt-5-nano","input":[{"role":"user","content":"before"},
    {"role":"user","content":"hi"}],"max_output_tokens":4096,"reasoning":{"effort":"low"},"metadata":{"k":"v"},
    "store":false,"user":"digest"})"));
  // Within the limit, the client's number and bytes stay; without one the limit is set.
  EXPECT_EQ(RelayResponsesBody(R"({"model":"a","input":"x","max_output_tokens":  20})", "b", 4096, nullptr, ""),
            R"({"model":"b","input":"x","max_output_tokens":  20,"store":false})");
  EXPECT_EQ(RelayResponsesBody(R"({"model":"a","input":"x","store":true})", "b", 64, nullptr, ""),
            R"({"model":"b","input":"x","store":false,"max_output_tokens":64})");
}

TEST(ResponsesRelayTest, KeptItemsGoBackWithoutIds) {
  json::array items = json::parse(R"([{"role":"user","content":"hi"},
    {"id":"rs_1","type":"reasoning","summary":[]},
    {"id":"rs_2","type":"reasoning","summary":[],"encrypted_content":"gAAA"},
    {"id":"msg_1","type":"message","status":"completed","role":"assistant","content":[]},
    {"id":"fc_1","type":"function_call","call_id":"call_1","name":"f","arguments":"{}"}])")
                          .as_array();
  EXPECT_EQ(json::value(ItemsForOpenAi(items)), json::parse(R"([{"role":"user","content":"hi"},
    {"id":"rs_2","type":"reasoning","summary":[],"encrypted_content":"gAAA"},
    {"type":"message","status":"completed","role":"assistant","content":[]},
    {"type":"function_call","call_id":"call_1","name":"f","arguments":"{}"}])"));
}

TEST(ResponsesAnswerTest, ReadsOpenAisRecordedAnswers) {
  auto text = ReadResponsesAnswer(json::parse(ReadFixture("responses-nonstream-text.json")).as_object());
  ASSERT_TRUE(text.usage);
  EXPECT_EQ(text.usage->prompt_tokens, 13);
  EXPECT_EQ(text.usage->completion_tokens, 171);
  EXPECT_EQ(text.usage->reasoning_tokens, 128);
  EXPECT_EQ(text.usage->cached_tokens, 0);
  EXPECT_EQ(text.text, "Paris.");
  EXPECT_EQ(text.output.size(), 2u);
  EXPECT_EQ(text.finish_reason, "stop");

  auto call = ReadResponsesAnswer(json::parse(ReadFixture("responses-nonstream-function-call.json")).as_object());
  EXPECT_EQ(call.finish_reason, "tool_calls");
  EXPECT_EQ(call.usage->prompt_tokens, 87);
  EXPECT_EQ(call.usage->completion_tokens, 211);
  EXPECT_EQ(call.generated_chars, static_cast<int64_t>(std::string("weather").size() + 44));

  auto usage = DecodeResponsesUsage(json::parse(
      R"({"input_tokens":100,"input_tokens_details":{"cached_tokens":40},"output_tokens":10,
          "output_tokens_details":{"reasoning_tokens":4},"total_tokens":110})"));
  ASSERT_TRUE(usage);
  EXPECT_EQ(usage->cached_tokens, 40);
  EXPECT_EQ(usage->reasoning_tokens, 4);
  EXPECT_EQ(json::value(ResponsesUsage(*usage)),
            json::parse(R"({"input_tokens":100,"input_tokens_details":{"cached_tokens":40},"output_tokens":10,
                            "output_tokens_details":{"reasoning_tokens":4},"total_tokens":110})"));
  EXPECT_FALSE(DecodeResponsesUsage(json::value(nullptr)));
}

TEST(ResponsesObjectTest, AWholeAnswerHasTheRecordedShape) {
  auto request = ReadAll(ReadFixture("responses-nonstream-text.request.json"));
  ChatResponse answer;
  answer.content = "Paris.";
  answer.reasoning = "The capital.";
  answer.finish_reason = "stop";
  json::object made =
      ResponseObject(request.echo, "gen-1-abc", "openai/gpt-5-nano", 1787150117, "completed",
                     ResponsesOutput(answer, "gen-1-abc", true), ResponsesUsage({13, 171, 0, 0, 128}), "stop");
  json::object recorded = json::parse(ReadFixture("responses-nonstream-text.json")).as_object();
  // Every member the gateway writes is one OpenAI writes; those it leaves out are OpenAI's extras.
  for (const auto& key : Keys(made)) EXPECT_TRUE(recorded.contains(key)) << key;
  EXPECT_EQ(made.at("object"), "response");
  EXPECT_EQ(made.at("status"), "completed");
  EXPECT_EQ(made.at("store"), false);
  EXPECT_EQ(Keys(made.at("usage").as_object()), Keys(recorded.at("usage").as_object()));
  const json::array& output = made.at("output").as_array();
  ASSERT_EQ(output.size(), 2u);
  const json::object& message = output[1].as_object();
  EXPECT_EQ(Keys(message), Keys(recorded.at("output").as_array()[1].as_object()));
  EXPECT_EQ(message.at("content").as_array()[0], recorded.at("output").as_array()[1].at("content").as_array()[0]);
  EXPECT_EQ(output[0].at("type"), "reasoning");
  EXPECT_EQ(output[0].at("summary"), json::parse(R"([{"type":"summary_text","text":"The capital."}])"));

  ChatResponse call;
  call.tool_calls.push_back(ToolCall{"call_R1", "weather", R"({"latitude":"52.5200"})", ""});
  call.finish_reason = "tool_calls";
  json::array calls = ResponsesOutput(call, "gen-1-abc", true);
  ASSERT_EQ(calls.size(), 1u);
  json::object recorded_call = json::parse(ReadFixture("responses-nonstream-function-call.json"))
                                   .as_object()
                                   .at("output")
                                   .as_array()[1]
                                   .as_object();
  EXPECT_EQ(Keys(calls[0].as_object()), Keys(recorded_call));
  EXPECT_EQ(calls[0].at("call_id"), "call_R1");

  // Cut at the output limit: incomplete, as OpenAI says it.
  json::object cut =
      ResponseObject(request.echo, "gen-1", "m", 1, ResponsesStatus("length"), json::array(), nullptr, "length");
  EXPECT_EQ(cut.at("status"), "incomplete");
  EXPECT_EQ(cut.at("incomplete_details"), json::parse(R"({"reason":"max_output_tokens"})"));
}

// The events of a recorded stream without its reasoning item (a translated answer has none).
std::vector<Event> WithoutReasoning(std::vector<Event> events) {
  std::erase_if(events, [](const Event& e) {
    const json::value* item = e.data.if_contains("item");
    return item && item->at("type") == "reasoning";
  });
  return events;
}

TEST(ResponsesEventEncoderTest, TextStreamMatchesTheRecordingEventForEvent) {
  auto request = ReadAll(ReadFixture("responses-stream-text.request.json"));
  ResponsesEventEncoder encoder(request.echo, "gen-1-abc", "openai/gpt-5-nano", 1787150061, true);
  std::string sse;
  StreamEvent start;
  start.type = StreamEvent::Type::kStart;
  sse += encoder.Encode(start);
  for (const char* piece : {"1", ",", " ", "2", ",", " ", "3"}) {
    StreamEvent e;
    e.text = piece;
    sse += encoder.Encode(e);
  }
  StreamEvent finish;
  finish.type = StreamEvent::Type::kFinish;
  finish.finish_reason = "stop";
  sse += encoder.Encode(finish);
  sse += encoder.Close(ResponsesUsage({13, 284, 0, 0, 256}));

  std::vector<Event> made = Events(sse);
  std::vector<Event> recorded = WithoutReasoning(Events(ReadFixture("responses-stream-text.sse")));
  ASSERT_EQ(made.size(), recorded.size());
  for (size_t i = 0; i < made.size(); ++i) {
    SCOPED_TRACE(recorded[i].event);
    ExpectSameEventAndMembers(made[i], recorded[i]);
    EXPECT_EQ(made[i].data.at("type"), recorded[i].data.at("type"));
    EXPECT_EQ(made[i].data.at("sequence_number"), static_cast<int64_t>(i));  // renumbered without reasoning
    if (const json::value* delta = recorded[i].data.if_contains("delta")) {
      EXPECT_EQ(made[i].data.at("delta"), *delta);
    }
    if (const json::value* text = recorded[i].data.if_contains("text")) {
      EXPECT_EQ(made[i].data.at("text"), *text);
    }
    if (const json::value* part = recorded[i].data.if_contains("part")) {
      EXPECT_EQ(made[i].data.at("part"), *part);
    }
  }
  const json::object& done = made.back().data.at("response").as_object();
  EXPECT_EQ(done.at("status"), "completed");
  EXPECT_EQ(done.at("id"), "gen-1-abc");
  EXPECT_EQ(done.at("usage").at("output_tokens"), 284);
  ASSERT_EQ(done.at("output").as_array().size(), 1u);
  EXPECT_EQ(done.at("output").as_array()[0].at("content").as_array()[0].at("text"), "1, 2, 3");
  EXPECT_EQ(encoder.output().size(), 1u);
}

TEST(ResponsesEventEncoderTest, FunctionCallStreamMatchesTheRecording) {
  std::vector<Event> recorded = WithoutReasoning(Events(ReadFixture("responses-stream-function-call.sse")));
  auto request = ReadAll(ReadFixture("responses-stream-function-call.request.json"));
  ResponsesEventEncoder encoder(request.echo, "gen-1-abc", "openai/gpt-5-nano", 1787150252, true);
  std::string sse;
  StreamEvent call;
  call.type = StreamEvent::Type::kToolCallStart;
  call.tool_id = "call_E9m0fralKLjUmND1MuTXjnqm";
  call.tool_name = "weather";
  sse += encoder.Encode(call);
  for (const auto& e : recorded) {
    if (e.data.at("type") != "response.function_call_arguments.delta") continue;
    StreamEvent args;
    args.type = StreamEvent::Type::kToolCallArgs;
    args.text = std::string(e.data.at("delta").as_string());
    sse += encoder.Encode(args);
  }
  StreamEvent finish;
  finish.type = StreamEvent::Type::kFinish;
  finish.finish_reason = "tool_calls";
  sse += encoder.Encode(finish);
  sse += encoder.Close(ResponsesUsage({87, 211, 0, 0, 128}));

  std::vector<Event> made = Events(sse);
  ASSERT_EQ(made.size(), recorded.size());
  for (size_t i = 0; i < made.size(); ++i) {
    SCOPED_TRACE(recorded[i].event);
    ExpectSameEventAndMembers(made[i], recorded[i]);
    if (const json::value* item = recorded[i].data.if_contains("item")) {
      EXPECT_EQ(Keys(made[i].data.at("item").as_object()), Keys(item->as_object()));
      EXPECT_EQ(made[i].data.at("item").at("call_id"), item->at("call_id"));
      EXPECT_EQ(made[i].data.at("item").at("arguments"), item->at("arguments"));
    }
    if (const json::value* args = recorded[i].data.if_contains("arguments")) {
      EXPECT_EQ(made[i].data.at("arguments"), *args);
    }
  }
}

TEST(ResponsesEventEncoderTest, ReasoningThenTextAreTwoItemsAndACutAnswerIsIncomplete) {
  ResponsesRequest request = ReadAll(R"({"model":"m","input":"hi"})");
  ResponsesEventEncoder encoder(request.echo, "gen-1", "m", 1, true);
  std::string sse;
  StreamEvent think;
  think.type = StreamEvent::Type::kReasoning;
  think.text = "hmm";
  sse += encoder.Encode(think);
  StreamEvent text;
  text.text = "ok";
  sse += encoder.Encode(text);
  StreamEvent finish;
  finish.type = StreamEvent::Type::kFinish;
  finish.finish_reason = "length";
  sse += encoder.Encode(finish);
  sse += encoder.Close(ResponsesUsage({1, 2, 0, 0, 1}));
  std::vector<std::string> types;
  for (const auto& e : Events(sse)) types.emplace_back(e.data.at("type").as_string());
  EXPECT_EQ(types, (std::vector<std::string>{
                       "response.created", "response.in_progress", "response.output_item.added",
                       "response.reasoning_summary_part.added", "response.reasoning_summary_text.delta",
                       "response.reasoning_summary_text.done", "response.reasoning_summary_part.done",
                       "response.output_item.done", "response.output_item.added", "response.content_part.added",
                       "response.output_text.delta", "response.output_text.done", "response.content_part.done",
                       "response.output_item.done", "response.incomplete"}));
  ASSERT_EQ(encoder.output().size(), 2u);
  EXPECT_EQ(encoder.output()[0].at("summary").as_array()[0].at("text"), "hmm");

  ResponsesEventEncoder hidden(request.echo, "gen-2", "m", 1, false);
  EXPECT_EQ(hidden.Encode(think), "");
}

TEST(ResponsesErrorEventTest, IsAnErrorEvent) {
  auto events = Events(ResponsesErrorEvent(MakeError(ErrorCode::kUpstream, "Provider x failed")));
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].event, "error");
  EXPECT_EQ(events[0].data.at("message"), "Provider x failed");
}

}  // namespace
}  // namespace turnpike::protocol
