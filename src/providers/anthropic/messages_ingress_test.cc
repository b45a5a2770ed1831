// Anthropic Messages as a client dialect (protocol/anthropic_messages.h): recorded Anthropic
// requests read into canonical form (checked against what the Anthropic adapter writes back), the
// relayed bytes, and answers and streams written in Anthropic's shapes — read back through this
// adapter's own decoders, which the recorded answers test, so both directions agree.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "protocol/anthropic_messages.h"
#include "providers/adapter_test_util.h"
#include "providers/anthropic/anthropic_adapter.h"

namespace turnpike::providers::anthropic {
namespace {

namespace json = boost::json;
using protocol::ChatResponse;
using protocol::Role;
using protocol::StreamEvent;
using testing::ReadFixture;

Result<protocol::MessagesRequest> Read(std::string_view text) {
  return protocol::ReadMessagesRequest(json::parse(text));
}

TEST(MessagesIngressTest, ARecordedToolConversationReadsIntoCanonicalMessages) {
  auto r = Read(ReadFixture("anthropic", "messages-request-system-tools-tool-results.json"));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->info.model, "claude-haiku-4-5");
  EXPECT_EQ(r->info.max_tokens, 4096);
  EXPECT_FALSE(r->info.stream);
  EXPECT_EQ(r->untranslatable, "");
  const auto& m = r->chat.messages;
  ASSERT_GE(m.size(), 4u);
  EXPECT_EQ(m[0].role, Role::kSystem);
  EXPECT_NE(m[0].content[0].text.find("retrieve_entity_info"), std::string::npos);
  EXPECT_EQ(m[1].role, Role::kUser);
  EXPECT_EQ(m[2].role, Role::kAssistant);
  ASSERT_EQ(m[2].tool_calls.size(), 4u);
  EXPECT_EQ(m[2].tool_calls[0].id, "toolu_0167cfEnoQaPviGdVXA95zcu");
  EXPECT_EQ(m[2].tool_calls[0].name, "retrieve_entity_info");
  EXPECT_EQ(m[2].tool_calls[0].arguments, R"({"name":"Alice"})");
  // Each tool_result block is a tool message answering its call, in order.
  for (size_t i = 0; i < 4; ++i) {
    ASSERT_LT(3 + i, m.size());
    EXPECT_EQ(m[3 + i].role, Role::kTool);
    EXPECT_EQ(m[3 + i].tool_call_id, m[2].tool_calls[i].id);
  }
  ASSERT_EQ(r->chat.tools.size(), 1u);
  EXPECT_EQ(r->chat.tools[0].name, "retrieve_entity_info");
  EXPECT_GT(r->info.prompt_chars, 300);

  // Written back by the Anthropic adapter, the conversation is the recorded one: same turns, same
  // tool_use ids and inputs, the tool results answering them.
  AnthropicAdapter adapter;
  auto encoded = adapter.EncodeRequest(r->chat, providers::EndpointInfo{"https://api.anthropic.com", "k", "m", 4096});
  ASSERT_TRUE(encoded.ok()) << encoded.error().message;
  json::value sent = json::parse(encoded->body);
  json::value recorded = json::parse(ReadFixture("anthropic", "messages-request-system-tools-tool-results.json"));
  const auto& a = sent.at("messages").as_array();
  const auto& b = recorded.at("messages").as_array();
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].at("role"), b[i].at("role")) << i;
    const auto& blocks = b[i].at("content").as_array();
    const auto& ours = a[i].at("content").as_array();
    ASSERT_EQ(ours.size(), blocks.size()) << i;
    for (size_t j = 0; j < blocks.size(); ++j) {
      EXPECT_EQ(ours[j].at("type"), blocks[j].at("type")) << i << "." << j;
      if (blocks[j].at("type") == "tool_use") {
        EXPECT_EQ(ours[j].at("id"), blocks[j].at("id"));
        EXPECT_EQ(ours[j].at("input"), blocks[j].at("input"));
      }
      if (blocks[j].at("type") == "tool_result") {
        EXPECT_EQ(ours[j].at("tool_use_id"), blocks[j].at("tool_use_id"));
      }
    }
  }
}

TEST(MessagesIngressTest, ABase64ImageBecomesADataUrl) {
  auto r = Read(ReadFixture("anthropic", "messages-request-image-base64.json"));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->info.images, 1);
  const auto& parts = r->chat.messages.back().content;
  auto image = std::find_if(parts.begin(), parts.end(), [](const protocol::ContentPart& p) {
    return p.kind == protocol::ContentPart::Kind::kImage;
  });
  ASSERT_NE(image, parts.end());
  EXPECT_TRUE(image->image_url.starts_with("data:image/")) << image->image_url.substr(0, 40);
  EXPECT_NE(image->image_url.find(";base64,"), std::string::npos);
}

TEST(MessagesIngressTest, SamplingStopsThinkingAndToolChoiceAreRead) {
  auto r = Read(R"({"model":"m","max_tokens":3000,"stream":true,"temperature":0.5,"top_p":0.9,"top_k":3,
    "stop_sequences":["END","STOP"],"thinking":{"type":"enabled","budget_tokens":2048},
    "tool_choice":{"type":"tool","name":"f","disable_parallel_tool_use":true},
    "tools":[{"name":"f","input_schema":{"type":"object"}}],"metadata":{"user_id":"u-1"},
    "messages":[{"role":"user","content":"hi"}]})");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_TRUE(r->info.stream);
  EXPECT_TRUE(r->chat.include_usage);
  EXPECT_TRUE(r->info.reasoning);
  EXPECT_EQ(r->thinking_budget, 2048);
  EXPECT_EQ(r->chat.temperature, 0.5);
  EXPECT_EQ(r->chat.top_p, 0.9);
  EXPECT_EQ(r->chat.stop, (std::vector<std::string>{"END", "STOP"}));
  EXPECT_EQ(r->chat.tool_choice.mode, protocol::ToolChoice::Mode::kFunction);
  EXPECT_EQ(r->chat.tool_choice.function, "f");
  EXPECT_EQ(r->chat.parallel_tool_calls, false);
  EXPECT_EQ(r->chat.user, "u-1");
  for (const char* p : {"max_tokens", "temperature", "top_p", "top_k", "stop", "reasoning", "tools", "tool_choice"}) {
    EXPECT_NE(std::find(r->parameters.begin(), r->parameters.end(), p), r->parameters.end()) << p;
  }
}

TEST(MessagesIngressTest, WhatOnlyAnthropicServesIsNotedNotRefused) {
  auto tool = Read(R"({"model":"m","max_tokens":10,"tools":[{"type":"web_search_20250305","name":"web_search"}],
    "messages":[{"role":"user","content":"hi"}]})");
  ASSERT_TRUE(tool.ok()) << tool.error().message;
  EXPECT_EQ(tool->untranslatable, "the server tool web_search_20250305");
  auto document = Read(R"({"model":"m","max_tokens":10,"messages":[{"role":"user","content":[
    {"type":"document","source":{"type":"text","media_type":"text/plain","data":"x"}},{"type":"text","text":"sum"}]}]})");
  ASSERT_TRUE(document.ok()) << document.error().message;
  EXPECT_EQ(document->untranslatable, "a document block");
  // Earlier thinking is dropped for other providers, not refused.
  auto thinking = Read(R"({"model":"m","max_tokens":10,"messages":[{"role":"user","content":"a"},
    {"role":"assistant","content":[{"type":"thinking","thinking":"t","signature":"s"},{"type":"text","text":"b"}]},
    {"role":"user","content":"c"}]})");
  ASSERT_TRUE(thinking.ok());
  EXPECT_EQ(thinking->untranslatable, "");
  EXPECT_EQ(thinking->chat.messages[1].content.size(), 1u);
}

TEST(MessagesIngressTest, BadRequestsAreRefusedNamingTheField) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {R"([])", "must be a JSON object"},
      {R"({"max_tokens":1,"messages":[{"role":"user","content":"x"}]})", "model: Field required"},
      {R"({"model":"m","messages":[{"role":"user","content":"x"}]})", "max_tokens: Field required"},
      {R"({"model":"m","max_tokens":0,"messages":[{"role":"user","content":"x"}]})", "greater than or equal to 1"},
      {R"({"model":"m","max_tokens":1.5,"messages":[{"role":"user","content":"x"}]})", "valid integer"},
      {R"({"model":"m","max_tokens":1})", "messages: Field required"},
      {R"({"model":"m","max_tokens":1,"messages":[]})", "at least one message"},
      {R"({"model":"m","max_tokens":1,"messages":[{"role":"tool","content":"x"}]})", "messages.0.role"},
      {R"({"model":"m","max_tokens":1,"messages":[{"role":"user"}]})", "messages.0.content: Field required"},
      {R"({"model":"m","max_tokens":1,"messages":[{"role":"user","content":[{"text":"x"}]}]})", "content.0.type"},
      {R"({"model":"m","max_tokens":1,"messages":[{"role":"user","content":[{"type":"image","source":{"type":"base64"}}]}]})",
       "media_type"},
      {R"({"model":"m","max_tokens":1,"stream":"yes","messages":[{"role":"user","content":"x"}]})", "stream"},
      {R"({"model":"m","max_tokens":1,"temperature":"hot","messages":[{"role":"user","content":"x"}]})", "temperature"},
      {R"({"model":"m","max_tokens":1,"tools":[{"name":"f"}],"messages":[{"role":"user","content":"x"}]})",
       "tools.0.input_schema"},
      {R"({"model":"m","max_tokens":1,"tool_choice":{"type":"maybe"},"messages":[{"role":"user","content":"x"}]})",
       "tool_choice.type"},
      {R"({"model":"m","max_tokens":5000,"thinking":{"type":"enabled","budget_tokens":512},"messages":[{"role":"user","content":"x"}]})",
       "budget_tokens"},
      {R"({"model":"m","max_tokens":1,"system":5,"messages":[{"role":"user","content":"x"}]})", "system"},
      {R"({"model":"m","max_tokens":1,"messages":[{"role":"assistant","content":[{"type":"tool_use","id":"a","name":"f","input":"x"}]}]})",
       "input"},
  };
  for (const auto& [body, needle] : cases) {
    auto r = Read(body);
    ASSERT_FALSE(r.ok()) << body;
    EXPECT_EQ(r.error().code, ErrorCode::kBadRequest) << body;
    EXPECT_NE(r.error().message.find(needle), std::string::npos) << body << " → " << r.error().message;
  }
}

TEST(MessagesIngressTest, TheRelayedBodyChangesOnlyTheModelTheLimitAndOpenRoutersMembers) {
  const std::string raw =
      R"({"model":"anthropic/claude-sonnet-4.5", "max_tokens" : 100000,"provider":{"order":["anthropic"]},)"
      R"("system":[{"type":"text","text":"s","cache_control":{"type":"ephemeral"}}],)"
      R"("thinking":{"type":"enabled","budget_tokens":90000},"messages":[{"role":"user","content":"hi"}]})";
  std::string out = protocol::RelayMessagesBody(raw, json::parse(raw), "claude-sonnet-4-5-20250929", 64000);
  json::value v = json::parse(out);
  EXPECT_EQ(v.at("model"), "claude-sonnet-4-5-20250929");
  EXPECT_EQ(v.at("max_tokens"), 64000);
  EXPECT_EQ(v.at("thinking").at("budget_tokens"), 32000);
  EXPECT_FALSE(v.as_object().contains("provider"));
  EXPECT_NE(out.find(R"("system":[{"type":"text","text":"s","cache_control":{"type":"ephemeral"}}])"),
            std::string::npos)
      << out;
  // Within the limit, max_tokens and thinking stay as written.
  const std::string small = R"({"model":"x","max_tokens":2000,"thinking":{"type":"enabled","budget_tokens":1024}})";
  std::string kept = protocol::RelayMessagesBody(small, json::parse(small), "y", 64000);
  EXPECT_EQ(kept, R"({"model":"y","max_tokens":2000,"thinking":{"type":"enabled","budget_tokens":1024}})");
}

TEST(MessagesIngressTest, AnEncodedMessageReadsBackThroughTheAdapter) {
  ChatResponse response;
  response.content = "It is 18°C.";
  response.reasoning = "Look it up first.";
  response.tool_calls = {{"call_1", "weather", R"({"city":"Paris"})", ""}};
  response.finish_reason = "tool_calls";
  protocol::Usage usage{120, 30, 20, 10, 0};
  std::string text = protocol::EncodeMessage(response, "gen-1", "openai/gpt-4o", usage, true);
  json::value v = json::parse(text);
  EXPECT_EQ(v.at("type"), "message");
  EXPECT_EQ(v.at("id"), "gen-1");
  EXPECT_EQ(v.at("model"), "openai/gpt-4o");
  EXPECT_EQ(v.at("stop_reason"), "tool_use");
  EXPECT_EQ(v.at("usage").at("input_tokens"), 90);  // 120 less 20 cached and 10 written
  auto back = AnthropicAdapter().DecodeResponse(text);
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(back->content, response.content);
  EXPECT_EQ(back->reasoning, response.reasoning);
  ASSERT_EQ(back->tool_calls.size(), 1u);
  EXPECT_EQ(back->tool_calls[0].id, "call_1");
  EXPECT_EQ(back->tool_calls[0].arguments, R"({"city":"Paris"})");
  EXPECT_EQ(back->finish_reason, "tool_calls");
  ASSERT_TRUE(back->usage);
  EXPECT_EQ(back->usage->prompt_tokens, 120);
  EXPECT_EQ(back->usage->completion_tokens, 30);
  EXPECT_EQ(back->usage->cached_tokens, 20);
  EXPECT_EQ(back->usage->cache_write_tokens, 10);
}

TEST(MessagesIngressTest, AnEncodedStreamDecodesBackToTheSameEvents) {
  using T = StreamEvent::Type;
  auto ev = [](T type, std::string text = "", int index = 0) {
    StreamEvent e;
    e.type = type;
    e.text = std::move(text);
    e.tool_index = index;
    return e;
  };
  StreamEvent call0 = ev(T::kToolCallStart, "", 0);
  call0.tool_id = "call_a";
  call0.tool_name = "f";
  StreamEvent call1 = ev(T::kToolCallStart, "", 1);
  call1.tool_id = "call_b";
  call1.tool_name = "g";
  StreamEvent finish = ev(T::kFinish);
  finish.finish_reason = "tool_calls";
  const std::vector<StreamEvent> in = {ev(T::kStart),
                                       ev(T::kReasoning, "hmm"),
                                       ev(T::kText, "Hel"),
                                       ev(T::kText, "lo"),
                                       call0,
                                       ev(T::kToolCallArgs, R"({"a")", 0),
                                       ev(T::kToolCallArgs, ":1}", 0),
                                       call1,
                                       ev(T::kToolCallArgs, "{}", 1),
                                       finish};
  protocol::MessagesEventEncoder encoder("gen-2", "google/gemini-2.5-flash", true);
  std::string sse;
  for (const auto& e : in) sse += encoder.Encode(e);
  sse += encoder.Close(protocol::Usage{50, 7, 0, 0, 0});
  auto decoded = testing::DecodeStream(AnthropicAdapter(), {sse});
  EXPECT_TRUE(decoded.complete);
  EXPECT_EQ(decoded.failure, "");
  EXPECT_EQ(testing::Describe(decoded.events),
            (std::vector<std::string>{"start id=gen-2 model=google/gemini-2.5-flash", "reasoning \"hmm\"",
                                      "text \"Hel\"", "text \"lo\"",
                                      "tool_start 0 id=call_a name=f sig=", R"(tool_args 0 {"a")", "tool_args 0 :1}",
                                      "tool_start 1 id=call_b name=g sig=", "tool_args 1 {}", "finish tool_calls",
                                      "usage prompt=50 completion=7 cached=0 cache_write=0 reasoning=0"}));
  // Without reasoning (reasoning.exclude) the thinking block is left out.
  protocol::MessagesEventEncoder quiet("gen-3", "m", false);
  EXPECT_EQ(quiet.Encode(ev(T::kReasoning, "secret")).find("secret"), std::string::npos);
}

TEST(MessagesIngressTest, ErrorsAreInAnthropicsShape) {
  EXPECT_EQ(protocol::AnthropicErrorBody(MakeError(ErrorCode::kPaymentRequired, "Insufficient credits")),
            R"({"type":"error","error":{"type":"billing_error","message":"Insufficient credits"}})");
  EXPECT_EQ(
      protocol::AnthropicErrorEvent(MakeError(ErrorCode::kUnavailable, "busy")),
      "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"busy\"}}\n\n");
  EXPECT_EQ(protocol::AnthropicErrorType(ErrorCode::kBadRequest), "invalid_request_error");
  EXPECT_EQ(protocol::AnthropicErrorType(ErrorCode::kUnauthorized), "authentication_error");
  EXPECT_EQ(protocol::AnthropicErrorType(ErrorCode::kTooLarge), "request_too_large");
  EXPECT_EQ(protocol::AnthropicErrorType(ErrorCode::kRateLimited), "rate_limit_error");
  EXPECT_EQ(protocol::AnthropicErrorType(ErrorCode::kUpstream), "api_error");
}

}  // namespace
}  // namespace turnpike::providers::anthropic
