// A chat.completion body as the canonical answer.
//
// Beyond the header: content given as an array of parts (some compatible servers do this) is
// the joined text of its text parts; a tool call without arguments gets "{}"; a missing
// finish_reason is "tool_calls" when the message holds tool calls, else "stop". Choices other
// than index 0 are ignored (the canonical answer has one).
#include <boost/json.hpp>

#include "providers/openai/openai_adapter.h"
#include "providers/openai/openai_internal.h"

namespace turnpike::providers::openai {
namespace json = boost::json;

namespace {

Error Unreadable(const std::string& why) {
  return MakeError(ErrorCode::kUpstream, "The provider's answer is not a readable chat.completion: " + why);
}

// The message's content as text; nullopt when it is null, absent or holds no text part.
std::optional<std::string> ContentText(const json::object& message) {
  const auto* content = message.if_contains("content");
  if (!content) return std::nullopt;
  if (content->is_string()) return std::string(content->get_string());
  if (!content->is_array()) return std::nullopt;
  std::optional<std::string> text;
  for (const auto& p : content->get_array()) {
    const auto* part = p.if_object();
    if (!part || StringMember(*part, "type") != "text") continue;
    text = text.value_or("") + StringMember(*part, "text");
  }
  return text;
}

std::vector<protocol::ToolCall> ToolCalls(const json::object& message) {
  std::vector<protocol::ToolCall> out;
  const auto* calls = message.if_contains("tool_calls");
  if (!calls || !calls->is_array()) return out;
  for (const auto& c : calls->get_array()) {
    const auto* call = c.if_object();
    const auto* fn = call ? ObjectMember(*call, "function") : nullptr;
    if (!fn) continue;
    protocol::ToolCall t;
    t.id = StringMember(*call, "id");
    t.name = StringMember(*fn, "name");
    t.arguments = StringMember(*fn, "arguments");
    if (t.arguments.empty()) t.arguments = "{}";
    out.push_back(std::move(t));
  }
  return out;
}

}  // namespace

Result<protocol::ChatResponse> DecodeCompletion(const json::object& completion) {
  const json::object* choice = internal::ChoiceZero(completion);
  const json::object* message = choice ? ObjectMember(*choice, "message") : nullptr;
  if (!message) return Unreadable("it has no choice with a message");
  protocol::ChatResponse out;
  out.id = StringMember(completion, "id");
  out.model = StringMember(completion, "model");
  out.content = ContentText(*message);
  if (!out.content) {
    std::string refusal = StringMember(*message, "refusal");
    if (!refusal.empty()) out.content = std::move(refusal);
  }
  out.reasoning = internal::ReasoningText(*message);
  out.tool_calls = ToolCalls(*message);
  out.finish_reason = StringMember(*choice, "finish_reason");
  if (out.finish_reason.empty()) out.finish_reason = out.tool_calls.empty() ? "stop" : "tool_calls";
  if (const auto* usage = completion.if_contains("usage")) {
    protocol::Usage u;
    if (ParseUsage(*usage, u)) out.usage = u;
  }
  return out;
}

Result<protocol::ChatResponse> OpenAiAdapter::DecodeResponse(std::string_view body) const {
  boost::system::error_code ec;
  json::value v = json::parse(body, ec);
  if (ec || !v.is_object()) return Unreadable("the body is not a JSON object");
  const json::object& root = v.get_object();
  const json::object* error = ObjectMember(root, "error");
  if (error && !root.contains("choices")) return internal::ReportedError(*error);
  return DecodeCompletion(root);
}

}  // namespace turnpike::providers::openai
