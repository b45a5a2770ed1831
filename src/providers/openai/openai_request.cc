// The canonical request as an OpenAI Chat Completions body: the inverse of
// protocol::DecodeChatRequest, so decoding, encoding and decoding again gives the same request.
//
// Choices where the canonical form leaves one:
// - Roles: kSystem is sent as "system" (a client's "developer" decodes to kSystem).
// - Content: one text part is a string; no parts is null (as the client sent it: an assistant
//   turn holding only tool calls); anything else is an array of text / image_url parts, an
//   image's detail only when set.
// - Optional fields are left out when unset or empty: description, parameters, strict (sent only
//   when true), tool_choice, response_format of type text, reasoning_effort, user. `stop` is
//   always an array. max_tokens goes as max_completion_tokens (OpenAI refuses max_tokens on
//   reasoning models).
// - Streams always ask for the usage chunk (stream_options.include_usage: true), whatever the
//   client asked: billing needs it.
// - Tool-call thought signatures (Gemini's) have no OpenAI field and are dropped.
#include <boost/json.hpp>

#include "protocol/json_members.h"
#include "providers/openai/openai_internal.h"

namespace turnpike::providers::openai::internal {
namespace json = boost::json;
using protocol::ChatRequest;
using protocol::ContentPart;
using protocol::Message;
using protocol::Role;

namespace {

Error Bad(std::string message) { return MakeError(ErrorCode::kBadRequest, std::move(message)); }

const char* RoleName(Role role) {
  switch (role) {
    case Role::kSystem:
      return "system";
    case Role::kUser:
      return "user";
    case Role::kAssistant:
      return "assistant";
    case Role::kTool:
      return "tool";
  }
  return "user";
}

json::value ContentJson(const std::vector<ContentPart>& parts) {
  if (parts.empty()) return nullptr;
  if (parts.size() == 1 && parts[0].kind == ContentPart::Kind::kText) return json::string(parts[0].text);
  json::array out;
  for (const auto& part : parts) {
    if (part.kind == ContentPart::Kind::kText) {
      out.push_back(json::object{{"type", "text"}, {"text", part.text}});
      continue;
    }
    json::object image{{"url", part.image_url}};
    if (!part.detail.empty()) image["detail"] = part.detail;
    out.push_back(json::object{{"type", "image_url"}, {"image_url", std::move(image)}});
  }
  return out;
}

json::object MessageJson(const Message& m) {
  json::object out{{"role", RoleName(m.role)}, {"content", ContentJson(m.content)}};
  if (m.role == Role::kAssistant && !m.tool_calls.empty()) {
    json::array calls;
    for (const auto& c : m.tool_calls) {
      calls.push_back(json::object{{"id", c.id},
                                   {"type", "function"},
                                   {"function", json::object{{"name", c.name}, {"arguments", c.arguments}}}});
    }
    out["tool_calls"] = std::move(calls);
  }
  if (m.role == Role::kTool) out["tool_call_id"] = m.tool_call_id;
  return out;
}

// `text` (a JSON Schema the decoder serialized) parsed back; kBadRequest naming `where` when it
// is not a JSON object.
Result<json::value> SchemaJson(const std::string& text, const std::string& where) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_object() || !protocol::AllNumbersFinite(v)) return Bad(where + " must be a JSON object");
  return v;
}

Status AddTools(const ChatRequest& r, json::object& body) {
  if (!r.tools.empty()) {
    json::array tools;
    for (size_t i = 0; i < r.tools.size(); ++i) {
      const auto& t = r.tools[i];
      json::object fn{{"name", t.name}};
      if (!t.description.empty()) fn["description"] = t.description;
      if (!t.parameters_json.empty()) {
        auto schema = SchemaJson(t.parameters_json, "tools[" + std::to_string(i) + "].function.parameters");
        if (!schema.ok()) return schema.error();
        fn["parameters"] = std::move(*schema);
      }
      if (t.strict) fn["strict"] = true;
      tools.push_back(json::object{{"type", "function"}, {"function", std::move(fn)}});
    }
    body["tools"] = std::move(tools);
  }
  using Mode = protocol::ToolChoice::Mode;
  switch (r.tool_choice.mode) {
    case Mode::kUnset:
      break;
    case Mode::kAuto:
      body["tool_choice"] = "auto";
      break;
    case Mode::kNone:
      body["tool_choice"] = "none";
      break;
    case Mode::kRequired:
      body["tool_choice"] = "required";
      break;
    case Mode::kFunction:
      body["tool_choice"] =
          json::object{{"type", "function"}, {"function", json::object{{"name", r.tool_choice.function}}}};
      break;
  }
  if (r.parallel_tool_calls) body["parallel_tool_calls"] = *r.parallel_tool_calls;
  return OkStatus();
}

Status AddResponseFormat(const protocol::ResponseFormat& format, json::object& body) {
  using Type = protocol::ResponseFormat::Type;
  if (format.type == Type::kJsonObject) body["response_format"] = json::object{{"type", "json_object"}};
  if (format.type != Type::kJsonSchema) return OkStatus();
  json::object schema{{"name", format.name}};
  if (!format.schema_json.empty()) {
    auto parsed = SchemaJson(format.schema_json, "response_format.json_schema.schema");
    if (!parsed.ok()) return parsed.error();
    schema["schema"] = std::move(*parsed);
  }
  if (format.strict) schema["strict"] = true;
  body["response_format"] = json::object{{"type", "json_schema"}, {"json_schema", std::move(schema)}};
  return OkStatus();
}

void AddSampling(const ChatRequest& r, const EndpointInfo& endpoint, json::object& body) {
  if (auto limit = OutputTokens(r.max_tokens, endpoint)) body["max_completion_tokens"] = *limit;
  if (r.temperature) body["temperature"] = *r.temperature;
  if (r.top_p) body["top_p"] = *r.top_p;
  if (r.presence_penalty) body["presence_penalty"] = *r.presence_penalty;
  if (r.frequency_penalty) body["frequency_penalty"] = *r.frequency_penalty;
  if (r.seed) body["seed"] = *r.seed;
  if (r.n) body["n"] = *r.n;
  if (!r.stop.empty()) {
    json::array stop;
    for (const auto& s : r.stop) stop.push_back(json::string(s));
    body["stop"] = std::move(stop);
  }
}

}  // namespace

Result<std::string> EncodeChatBody(const ChatRequest& r, const EndpointInfo& endpoint) {
  json::object body;
  body["model"] = endpoint.upstream_model;
  json::array messages;
  for (const auto& m : r.messages) messages.push_back(MessageJson(m));
  body["messages"] = std::move(messages);
  if (auto s = AddTools(r, body); !s.ok()) return s.error();
  AddSampling(r, endpoint, body);
  if (auto s = AddResponseFormat(r.response_format, body); !s.ok()) return s.error();
  if (!r.reasoning_effort.empty()) body["reasoning_effort"] = r.reasoning_effort;
  if (!r.user.empty()) body["user"] = r.user;
  if (r.stream) {
    body["stream"] = true;
    body["stream_options"] = json::object{{"include_usage", true}};
  }
  return json::serialize(body);
}

}  // namespace turnpike::providers::openai::internal
