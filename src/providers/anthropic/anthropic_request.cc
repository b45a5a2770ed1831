// The canonical request as an Anthropic Messages body (docs/protocols.md §4, §4.1).
//
// Choices made where §4 leaves one:
// - `system`: one system/developer text becomes a plain string; several become an array of
//   text blocks, one per non-empty text part, in order (nothing is joined or lost).
// - Every message's content is an array of blocks. Empty text parts are left out, and a
//   message left with no blocks is dropped before same-role merging.
// - Within a user message the tool_result blocks come first, then the rest, each in order.
// - A tool message whose content is a single text part becomes a string `content`; otherwise
//   an array of text/image blocks; no content leaves `content` out.
// - Image URLs: `data:<mime>;base64,<data>` → base64 source; http(s) → url source; anything
//   else (or a non-base64 data URL) is a kBadRequest.
// - `json_object` has no native form: it adds kJsonObjectInstruction as the last system text
//   (not the forced-tool trick, which would turn the answer into a tool call).
// - `temperature` is clamped to [0, 1], not scaled.
// - tool_choice without tools is dropped, except a named function, which is a kBadRequest.
// - max_tokens (thinking included) never exceeds the endpoint's output_limit, the output the
//   gateway held for: the client's max_tokens is capped at it, and without one 4096 is asked.
// - With thinking, when even the capped max_tokens cannot exceed the budget, the budget
//   shrinks to max(1024, max_tokens / 2); below 1025 tokens thinking is left out.
// - reasoning_effort is a hint: thinking is also left out where Anthropic answers 400 to it,
//   namely when tool_choice forces a tool ("Thinking may not be enabled when tool_choice forces
//   tool use"), and when the last assistant turn holds tool_use blocks: Anthropic then wants
//   that turn to start with the signed thinking block it produced, which canonical messages do
//   not carry ("a final assistant message must start with a thinking block").
// - `stream` is always sent, as a boolean.
#include <algorithm>
#include <boost/json.hpp>

#include "protocol/json_members.h"
#include "providers/anthropic/anthropic_internal.h"

namespace turnpike::providers::anthropic::internal {
namespace json = boost::json;
using protocol::ChatRequest;
using protocol::ContentPart;
using protocol::Message;
using protocol::Role;

namespace {

constexpr int64_t kDefaultMaxTokens = 4096;  // docs/protocols.md §4.1 (litellm, pydantic-ai)
constexpr int64_t kMinThinkingBudget = 1024;
constexpr char kJsonObjectInstruction[] =
    "Respond with a single valid JSON object and nothing else: no prose, no Markdown code fences.";

Error Bad(std::string message) { return MakeError(ErrorCode::kBadRequest, std::move(message)); }

// One message of the conversation being built.
struct Turn {
  std::string role;  // "user" | "assistant"
  json::array blocks;
};

struct Conversation {
  std::vector<std::string> system;
  std::vector<Turn> turns;
};

Result<json::value> ParseJson(std::string_view text, const std::string& what) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec) return Bad(what + " is not valid JSON");
  if (!protocol::AllNumbersFinite(v)) return Bad(what + " holds a number too large to represent");
  return v;
}

Result<json::object> ImageBlock(const std::string& url, const std::string& where) {
  json::object source;
  if (url.starts_with("data:")) {
    size_t comma = url.find(',');
    std::string_view meta;
    if (comma != std::string::npos) meta = std::string_view(url).substr(5, comma - 5);
    if (!meta.ends_with(";base64")) return Bad(where + ": only base64 data URLs are supported for images");
    std::string_view media_type = meta.substr(0, meta.find(';'));
    if (media_type.empty()) return Bad(where + ": the image data URL has no media type");
    source["type"] = "base64";
    source["media_type"] = media_type;
    source["data"] = std::string_view(url).substr(comma + 1);
  } else if (url.starts_with("https://") || url.starts_with("http://")) {
    source["type"] = "url";
    source["url"] = url;
  } else {
    return Bad(where + ": an image URL must be https:// or a base64 data: URL");
  }
  return json::object{{"type", "image"}, {"source", std::move(source)}};
}

// Appends `parts` as text and image blocks, leaving out empty text.
Status AppendParts(const std::vector<ContentPart>& parts, bool images_allowed, const std::string& where,
                   json::array& out) {
  for (const auto& part : parts) {
    if (part.kind == ContentPart::Kind::kText) {
      if (!part.text.empty()) out.push_back(json::object{{"type", "text"}, {"text", part.text}});
      continue;
    }
    if (!images_allowed) return Bad(where + ": Anthropic accepts images only in user and tool messages");
    auto image = ImageBlock(part.image_url, where);
    if (!image.ok()) return image.error();
    out.push_back(std::move(*image));
  }
  return OkStatus();
}

Result<json::object> ToolUseBlock(const protocol::ToolCall& call, const std::string& where) {
  std::string name = where + " tool call '" + call.id + "' (" + call.name + ")";
  if (call.id.empty()) return Bad(where + ": a tool call has no id");
  bool blank = call.arguments.find_first_not_of(" \t\r\n") == std::string::npos;
  json::value input = json::object();
  if (!blank) {
    auto parsed = ParseJson(call.arguments, name + ": arguments");
    if (!parsed.ok()) return parsed.error();
    if (!parsed->is_object()) return Bad(name + ": arguments must be a JSON object");
    input = std::move(*parsed);
  }
  return json::object{{"type", "tool_use"}, {"id", call.id}, {"name", call.name}, {"input", std::move(input)}};
}

Result<json::object> ToolResultBlock(const Message& m, const std::string& where) {
  if (m.tool_call_id.empty()) return Bad(where + ": a tool message needs a tool_call_id");
  json::array content;
  if (auto s = AppendParts(m.content, true, where, content); !s.ok()) return s.error();
  json::object block{{"type", "tool_result"}, {"tool_use_id", m.tool_call_id}};
  const json::object* only = content.size() == 1 ? &content[0].as_object() : nullptr;
  if (only && only->at("type").as_string() == "text") {
    block["content"] = only->at("text");
  } else if (!content.empty()) {
    block["content"] = std::move(content);
  }
  block["is_error"] = false;
  return block;
}

// The blocks one message contributes to a turn of `role`.
Status MessageBlocks(const Message& m, const std::string& where, std::string& role, json::array& blocks) {
  role = m.role == Role::kAssistant ? "assistant" : "user";
  if (m.role == Role::kTool) {
    auto block = ToolResultBlock(m, where);
    if (!block.ok()) return block.error();
    blocks.push_back(std::move(*block));
    return OkStatus();
  }
  if (auto s = AppendParts(m.content, m.role == Role::kUser, where, blocks); !s.ok()) return s;
  if (m.role != Role::kAssistant) return OkStatus();
  for (const auto& call : m.tool_calls) {
    auto block = ToolUseBlock(call, where);
    if (!block.ok()) return block.error();
    blocks.push_back(std::move(*block));
  }
  return OkStatus();
}

Status AddMessage(const Message& m, size_t i, Conversation& c) {
  std::string where = "messages[" + std::to_string(i) + "]";
  if (m.role == Role::kSystem) {
    for (const auto& part : m.content) {
      if (part.kind != ContentPart::Kind::kText) return Bad(where + ": a system message can hold only text");
      if (!part.text.empty()) c.system.push_back(part.text);
    }
    return OkStatus();
  }
  std::string role;
  json::array blocks;
  if (auto s = MessageBlocks(m, where, role, blocks); !s.ok()) return s;
  if (blocks.empty()) return OkStatus();
  if (c.turns.empty() || c.turns.back().role != role) {
    c.turns.push_back(Turn{role, std::move(blocks)});
  } else {
    for (auto& b : blocks) c.turns.back().blocks.push_back(std::move(b));
  }
  return OkStatus();
}

bool IsToolResult(const json::value& block) {
  const auto* type = block.as_object().if_contains("type");
  return type && type->is_string() && type->get_string() == "tool_result";
}

json::array EncodeTurns(std::vector<Turn>& turns) {
  json::array out;
  for (auto& turn : turns) {
    json::array content;
    if (turn.role == "user") {  // tool_result blocks first, each group in order
      json::array rest;
      for (auto& b : turn.blocks) (IsToolResult(b) ? content : rest).push_back(std::move(b));
      for (auto& b : rest) content.push_back(std::move(b));
    } else {
      content = std::move(turn.blocks);
    }
    out.push_back(json::object{{"role", turn.role}, {"content", std::move(content)}});
  }
  return out;
}

json::value EncodeSystem(const std::vector<std::string>& system) {
  if (system.size() == 1) return json::string(system[0]);
  json::array blocks;
  for (const auto& text : system) blocks.push_back(json::object{{"type", "text"}, {"text", text}});
  return blocks;
}

Result<json::array> EncodeTools(const std::vector<protocol::Tool>& tools) {
  json::array out;
  for (size_t i = 0; i < tools.size(); ++i) {
    const auto& tool = tools[i];
    std::string where = "tools[" + std::to_string(i) + "]";
    if (tool.name.empty()) return Bad(where + ": a tool needs a function name");
    json::value schema = json::object{{"type", "object"}, {"properties", json::object()}};
    if (!tool.parameters_json.empty()) {
      auto parsed = ParseJson(tool.parameters_json, where + " (" + tool.name + "): parameters");
      if (!parsed.ok()) return parsed.error();
      if (!parsed->is_object()) return Bad(where + " (" + tool.name + "): parameters must be a JSON object");
      schema = std::move(*parsed);
    }
    json::object t{{"name", tool.name}};
    if (!tool.description.empty()) t["description"] = tool.description;
    t["input_schema"] = std::move(schema);
    out.push_back(std::move(t));
  }
  return out;
}

// The `tool_choice` object; an empty object when none should be sent.
Result<json::object> EncodeToolChoice(const ChatRequest& r) {
  using Mode = protocol::ToolChoice::Mode;
  const auto& choice = r.tool_choice;
  if (r.tools.empty()) {
    if (choice.mode == Mode::kFunction) {
      return Bad("tool_choice names '" + choice.function + "' but no tools were given");
    }
    return json::object();
  }
  json::object out;
  switch (choice.mode) {
    case Mode::kNone:
      return json::object{{"type", "none"}};
    case Mode::kUnset:
      if (r.parallel_tool_calls != false) return json::object();
      [[fallthrough]];
    case Mode::kAuto:
      out["type"] = "auto";
      break;
    case Mode::kRequired:
      out["type"] = "any";
      break;
    case Mode::kFunction:
      out["type"] = "tool";
      out["name"] = choice.function;
      break;
  }
  if (r.parallel_tool_calls == false) out["disable_parallel_tool_use"] = true;
  return out;
}

Result<int64_t> ThinkingBudget(const std::string& effort) {
  if (effort.empty() || effort == "none") return 0;
  if (effort == "minimal" || effort == "low") return 1024;
  if (effort == "medium") return 2048;
  if (effort == "high") return 4096;
  return Bad("reasoning_effort must be one of minimal, low, medium, high (got '" + effort + "')");
}

struct OutputPlan {
  int64_t max_tokens = 0;
  int64_t budget = 0;  // thinking budget_tokens; 0: no thinking
};

// docs/protocols.md §4.1: max_tokens is required and, with thinking, must exceed the budget.
OutputPlan PlanOutput(const ChatRequest& r, const EndpointInfo& e, int64_t budget) {
  // Everything, thinking included, within the limit the gateway held for.
  int64_t cap = e.output_limit > 0 ? e.output_limit : INT64_MAX;
  int64_t wanted = r.max_tokens ? std::min(*r.max_tokens, cap) : std::min(kDefaultMaxTokens, cap);
  if (budget == 0 || wanted > budget) return {wanted, budget};
  int64_t max_tokens = budget + wanted <= cap ? budget + wanted : cap;
  if (max_tokens <= budget) budget = std::max(kMinThinkingBudget, max_tokens / 2);
  if (max_tokens <= budget) return {wanted, 0};
  return {max_tokens, budget};
}

Status AddToolFields(const ChatRequest& r, json::object& body) {
  auto tools = EncodeTools(r.tools);
  if (!tools.ok()) return tools.error();
  auto choice = EncodeToolChoice(r);
  if (!choice.ok()) return choice.error();
  if (!tools->empty()) body["tools"] = std::move(*tools);
  if (!choice->empty()) body["tool_choice"] = std::move(*choice);
  return OkStatus();
}

// Whether Anthropic would refuse thinking on this request (see the file comment).
bool ThinkingRefused(const ChatRequest& r, const std::vector<Turn>& turns) {
  using Mode = protocol::ToolChoice::Mode;
  Mode mode = r.tool_choice.mode;
  if (!r.tools.empty() && (mode == Mode::kRequired || mode == Mode::kFunction)) return true;
  for (auto turn = turns.rbegin(); turn != turns.rend(); ++turn) {
    if (turn->role != "assistant") continue;
    return std::any_of(turn->blocks.begin(), turn->blocks.end(),
                       [](const json::value& b) { return b.as_object().at("type").as_string() == "tool_use"; });
  }
  return false;
}

Status AddSampling(const ChatRequest& r, const EndpointInfo& e, bool thinking_refused, json::object& body) {
  auto budget = ThinkingBudget(r.reasoning_effort);
  if (!budget.ok()) return budget.error();
  OutputPlan plan = PlanOutput(r, e, thinking_refused ? 0 : *budget);
  body["max_tokens"] = plan.max_tokens;
  if (!r.stop.empty()) {
    json::array stops;
    for (const auto& s : r.stop) stops.push_back(json::string(s));
    body["stop_sequences"] = std::move(stops);
  }
  if (plan.budget > 0) {  // Anthropic refuses temperature and top_p with thinking
    body["thinking"] = json::object{{"type", "enabled"}, {"budget_tokens", plan.budget}};
    return OkStatus();
  }
  if (r.temperature) body["temperature"] = std::clamp(*r.temperature, 0.0, 1.0);
  if (r.top_p) body["top_p"] = *r.top_p;
  return OkStatus();
}

Status AddResponseFormat(const ChatRequest& r, json::object& body) {
  if (r.response_format.type != protocol::ResponseFormat::Type::kJsonSchema) return OkStatus();
  if (r.response_format.schema_json.empty()) return Bad("response_format json_schema needs a schema");
  auto schema = ParseJson(r.response_format.schema_json, "response_format.json_schema.schema");
  if (!schema.ok()) return schema.error();
  if (!schema->is_object()) return Bad("response_format.json_schema.schema must be a JSON object");
  json::object format{{"type", "json_schema"}, {"schema", std::move(*schema)}};
  body["output_config"] = json::object{{"format", std::move(format)}};
  return OkStatus();
}

}  // namespace

Result<std::string> EncodeMessagesBody(const ChatRequest& r, const EndpointInfo& e) {
  if (r.n && *r.n > 1) return Bad("Anthropic returns one choice per request: 'n' must be 1");
  Conversation c;
  for (size_t i = 0; i < r.messages.size(); ++i) {
    if (auto s = AddMessage(r.messages[i], i, c); !s.ok()) return s.error();
  }
  if (r.response_format.type == protocol::ResponseFormat::Type::kJsonObject) {
    c.system.push_back(kJsonObjectInstruction);
  }
  if (c.turns.empty()) return Bad("Anthropic needs at least one user or assistant message with content");
  json::object body;
  body["model"] = e.upstream_model;
  if (!c.system.empty()) body["system"] = EncodeSystem(c.system);
  bool thinking_refused = ThinkingRefused(r, c.turns);
  body["messages"] = EncodeTurns(c.turns);
  if (auto s = AddSampling(r, e, thinking_refused, body); !s.ok()) return s.error();
  if (auto s = AddToolFields(r, body); !s.ok()) return s.error();
  if (auto s = AddResponseFormat(r, body); !s.ok()) return s.error();
  if (!r.user.empty()) body["metadata"] = json::object{{"user_id", r.user}};
  body["stream"] = r.stream;
  return json::serialize(body);
}

}  // namespace turnpike::providers::anthropic::internal
