// Helpers for the Anthropic request-encoding tests: canonical request builders and body checks.
#pragma once

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "providers/anthropic/anthropic_adapter.h"

namespace turnpike::providers::anthropic::test {

namespace json = boost::json;
using protocol::ChatRequest;
using protocol::ContentPart;
using protocol::Message;
using protocol::Role;
using Mode = protocol::ToolChoice::Mode;

inline const std::filesystem::path kDir = std::filesystem::path(TURNPIKE_FIXTURES_DIR) / "anthropic";

inline std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

inline ContentPart Text(std::string text) {
  ContentPart p;
  p.text = std::move(text);
  return p;
}

inline ContentPart Image(std::string url) {
  ContentPart p;
  p.kind = ContentPart::Kind::kImage;
  p.image_url = std::move(url);
  return p;
}

inline Message Msg(Role role, std::vector<ContentPart> parts) {
  Message m;
  m.role = role;
  m.content = std::move(parts);
  return m;
}

inline Message Msg(Role role, const std::string& text) { return Msg(role, std::vector<ContentPart>{Text(text)}); }

inline Message ToolResult(std::string call_id, const std::string& text) {
  Message m = Msg(Role::kTool, text);
  m.tool_call_id = std::move(call_id);
  return m;
}

inline protocol::ToolCall Call(std::string id, std::string name, std::string arguments) {
  protocol::ToolCall c;
  c.id = std::move(id);
  c.name = std::move(name);
  c.arguments = std::move(arguments);
  return c;
}

inline protocol::Tool WeatherTool() {
  protocol::Tool t;
  t.name = "get_weather";
  t.description = "Weather at a place";
  t.parameters_json = R"({"type":"object","properties":{"location":{"type":"string"}},"required":["location"]})";
  t.strict = true;
  return t;
}

inline ChatRequest Request(std::vector<Message> messages) {
  ChatRequest r;
  r.model = "anthropic/claude-sonnet-4-5";
  r.messages = std::move(messages);
  return r;
}

inline ChatRequest Hello() { return Request({Msg(Role::kUser, "hi")}); }

inline EndpointInfo Endpoint(int64_t output_limit = 64000) {
  return EndpointInfo{"https://api.anthropic.com", "sk-ant-test", "claude-sonnet-4-5", output_limit};
}

inline constexpr char kHiMessages[] = R"([{"role":"user","content":[{"type":"text","text":"hi"}]}])";

// The body for `r`, parsed; null (and a test failure) when encoding fails.
inline json::value Encode(const ChatRequest& r, const EndpointInfo& e = Endpoint()) {
  auto out = AnthropicAdapter().EncodeRequest(r, e);
  EXPECT_TRUE(out.ok()) << (out.ok() ? "" : out.error().message);
  return out.ok() ? json::parse(out->body) : json::value();
}

inline void ExpectBody(const ChatRequest& r, std::string_view expected, const EndpointInfo& e = Endpoint()) {
  json::value got = Encode(r, e);
  json::value want = json::parse(expected);
  EXPECT_EQ(got, want) << "got:  " << json::serialize(got) << "\nwant: " << json::serialize(want);
}

// Expects a kBadRequest whose message mentions `needle`.
inline void ExpectBad(const ChatRequest& r, const std::string& needle, const EndpointInfo& e = Endpoint()) {
  auto out = AnthropicAdapter().EncodeRequest(r, e);
  ASSERT_FALSE(out.ok()) << out->body;
  EXPECT_EQ(out.error().code, ErrorCode::kBadRequest);
  EXPECT_NE(out.error().message.find(needle), std::string::npos) << out.error().message;
}

}  // namespace turnpike::providers::anthropic::test
