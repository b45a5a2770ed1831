#include "protocol/openai_decode.h"

#include <boost/json.hpp>

namespace turnpike::protocol {
namespace json = boost::json;

namespace {

Error Bad(std::string message) { return MakeError(ErrorCode::kBadRequest, std::move(message)); }

std::string Str(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

std::optional<double> Number(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  if (!v || !v->is_number()) return std::nullopt;
  return v->to_number<double>();
}

std::optional<int64_t> Integer(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  if (!v) return std::nullopt;
  if (v->is_int64()) return v->get_int64();
  if (v->is_uint64() && v->get_uint64() <= static_cast<uint64_t>(INT64_MAX))
    return static_cast<int64_t>(v->get_uint64());
  return std::nullopt;
}

Result<std::vector<ContentPart>> Content(const json::value* content, const std::string& where) {
  std::vector<ContentPart> parts;
  if (!content || content->is_null()) return parts;
  if (content->is_string()) {
    parts.push_back(ContentPart{ContentPart::Kind::kText, std::string(content->get_string()), "", ""});
    return parts;
  }
  if (!content->is_array()) return Bad(where + ".content must be a string, an array of parts or null");
  size_t i = 0;
  for (const auto& p : content->get_array()) {
    std::string at = where + ".content[" + std::to_string(i++) + "]";
    const auto* part = p.if_object();
    if (!part) return Bad(at + " must be an object");
    std::string type = Str(*part, "type");
    if (type == "text") {
      parts.push_back(ContentPart{ContentPart::Kind::kText, Str(*part, "text"), "", ""});
    } else if (type == "image_url") {
      const auto* image = part->if_contains("image_url");
      ContentPart c{ContentPart::Kind::kImage, "", "", ""};
      if (image && image->is_string()) {
        c.image_url = image->get_string();
      } else if (image && image->is_object()) {
        c.image_url = Str(image->get_object(), "url");
        c.detail = Str(image->get_object(), "detail");
      }
      if (c.image_url.empty()) return Bad(at + ".image_url.url is required");
      parts.push_back(std::move(c));
    } else {
      return Bad(at + ": content parts of type '" + type + "' are not supported by this provider");
    }
  }
  return parts;
}

Result<std::vector<ToolCall>> ToolCalls(const json::value* calls, const std::string& where) {
  std::vector<ToolCall> out;
  if (!calls || calls->is_null()) return out;
  if (!calls->is_array()) return Bad(where + ".tool_calls must be an array");
  size_t i = 0;
  for (const auto& c : calls->get_array()) {
    std::string at = where + ".tool_calls[" + std::to_string(i++) + "]";
    const auto* call = c.if_object();
    const auto* fn = call ? call->if_contains("function") : nullptr;
    if (!fn || !fn->is_object()) return Bad(at + ".function is required");
    ToolCall t;
    t.id = Str(*call, "id");
    t.name = Str(fn->get_object(), "name");
    t.arguments = Str(fn->get_object(), "arguments");
    if (t.arguments.empty()) t.arguments = "{}";
    if (t.id.empty() || t.name.empty()) return Bad(at + " needs an id and a function name");
    out.push_back(std::move(t));
  }
  return out;
}

Result<Message> DecodeMessage(const json::object& m, size_t index) {
  std::string where = "messages[" + std::to_string(index) + "]";
  std::string role = Str(m, "role");
  Message msg;
  if (role == "system" || role == "developer") {
    msg.role = Role::kSystem;
  } else if (role == "user") {
    msg.role = Role::kUser;
  } else if (role == "assistant") {
    msg.role = Role::kAssistant;
  } else if (role == "tool") {
    msg.role = Role::kTool;
    msg.tool_call_id = Str(m, "tool_call_id");
    if (msg.tool_call_id.empty()) return Bad(where + ".tool_call_id is required for role 'tool'");
  } else {
    return Bad(where + ".role '" + role + "' is not supported (use system, developer, user, assistant or tool)");
  }
  auto content = Content(m.if_contains("content"), where);
  if (!content.ok()) return content.error();
  msg.content = std::move(*content);
  if (msg.role == Role::kAssistant) {
    auto calls = ToolCalls(m.if_contains("tool_calls"), where);
    if (!calls.ok()) return calls.error();
    msg.tool_calls = std::move(*calls);
  }
  return msg;
}

Status DecodeTools(const json::object& root, ChatRequest& r) {
  if (const auto* tools = root.if_contains("tools"); tools && !tools->is_null()) {
    if (!tools->is_array()) return Bad("'tools' must be an array");
    size_t i = 0;
    for (const auto& t : tools->get_array()) {
      std::string at = "tools[" + std::to_string(i++) + "]";
      const auto* tool = t.if_object();
      if (!tool || Str(*tool, "type") != "function") return Bad(at + ": only tools of type 'function' are supported");
      const auto* fn = tool->if_contains("function");
      if (!fn || !fn->is_object()) return Bad(at + ".function is required");
      const auto& f = fn->get_object();
      Tool out;
      out.name = Str(f, "name");
      if (out.name.empty()) return Bad(at + ".function.name is required");
      out.description = Str(f, "description");
      if (const auto* p = f.if_contains("parameters"); p && p->is_object()) out.parameters_json = json::serialize(*p);
      if (const auto* s = f.if_contains("strict"); s && s->is_bool()) out.strict = s->get_bool();
      r.tools.push_back(std::move(out));
    }
  }
  if (const auto* choice = root.if_contains("tool_choice"); choice && !choice->is_null()) {
    if (choice->is_string()) {
      std::string_view c = choice->get_string();
      if (c == "auto")
        r.tool_choice.mode = ToolChoice::Mode::kAuto;
      else if (c == "none")
        r.tool_choice.mode = ToolChoice::Mode::kNone;
      else if (c == "required")
        r.tool_choice.mode = ToolChoice::Mode::kRequired;
      else
        return Bad("'tool_choice' must be auto, none, required or a function");
    } else if (choice->is_object()) {
      const auto* fn = choice->get_object().if_contains("function");
      std::string name = fn && fn->is_object() ? Str(fn->get_object(), "name") : "";
      if (name.empty()) return Bad("'tool_choice.function.name' is required");
      r.tool_choice = ToolChoice{ToolChoice::Mode::kFunction, name};
    } else {
      return Bad("'tool_choice' must be a string or an object");
    }
  }
  if (const auto* p = root.if_contains("parallel_tool_calls"); p && p->is_bool()) r.parallel_tool_calls = p->get_bool();
  return OkStatus();
}

Status DecodeFormat(const json::object& root, ChatRequest& r) {
  const auto* rf = root.if_contains("response_format");
  if (!rf || rf->is_null()) return OkStatus();
  if (!rf->is_object()) return Bad("'response_format' must be an object");
  std::string type = Str(rf->get_object(), "type");
  if (type == "text") return OkStatus();
  if (type == "json_object") {
    r.response_format.type = ResponseFormat::Type::kJsonObject;
    return OkStatus();
  }
  if (type != "json_schema") return Bad("'response_format.type' must be text, json_object or json_schema");
  const auto* js = rf->get_object().if_contains("json_schema");
  if (!js || !js->is_object()) return Bad("'response_format.json_schema' is required");
  const auto& o = js->get_object();
  r.response_format.type = ResponseFormat::Type::kJsonSchema;
  r.response_format.name = Str(o, "name");
  if (const auto* s = o.if_contains("schema"); s && s->is_object()) r.response_format.schema_json = json::serialize(*s);
  if (const auto* s = o.if_contains("strict"); s && s->is_bool()) r.response_format.strict = s->get_bool();
  return OkStatus();
}

}  // namespace

Result<ChatRequest> DecodeChatRequest(const json::value& body) {
  const auto* root = body.if_object();
  if (!root) return Bad("The request body must be a JSON object");
  ChatRequest r;
  r.model = Str(*root, "model");
  const auto* messages = root->if_contains("messages");
  if (!messages || !messages->is_array()) return Bad("'messages' must be a non-empty array");
  size_t i = 0;
  for (const auto& m : messages->get_array()) {
    if (!m.is_object()) return Bad("messages[" + std::to_string(i) + "] must be an object");
    auto msg = DecodeMessage(m.get_object(), i++);
    if (!msg.ok()) return msg.error();
    r.messages.push_back(std::move(*msg));
  }
  if (auto s = DecodeTools(*root, r); !s.ok()) return s.error();
  if (auto s = DecodeFormat(*root, r); !s.ok()) return s.error();
  r.max_tokens = Integer(*root, "max_completion_tokens");
  if (!r.max_tokens) r.max_tokens = Integer(*root, "max_tokens");
  r.temperature = Number(*root, "temperature");
  r.top_p = Number(*root, "top_p");
  r.presence_penalty = Number(*root, "presence_penalty");
  r.frequency_penalty = Number(*root, "frequency_penalty");
  r.seed = Integer(*root, "seed");
  r.n = Integer(*root, "n");
  if (const auto* stop = root->if_contains("stop"); stop && !stop->is_null()) {
    if (stop->is_string()) {
      r.stop.emplace_back(stop->get_string());
    } else if (stop->is_array()) {
      for (const auto& s : stop->get_array()) {
        if (!s.is_string()) return Bad("'stop' must be a string or an array of strings");
        r.stop.emplace_back(s.get_string());
      }
    } else {
      return Bad("'stop' must be a string or an array of strings");
    }
  }
  r.reasoning_effort = Str(*root, "reasoning_effort");
  if (const auto* reasoning = root->if_contains("reasoning");
      r.reasoning_effort.empty() && reasoning && reasoning->is_object()) {
    r.reasoning_effort = Str(reasoning->get_object(), "effort");  // OpenRouter's form
  }
  r.user = Str(*root, "user");
  if (const auto* s = root->if_contains("stream"); s && s->is_bool()) r.stream = s->get_bool();
  if (const auto* so = root->if_contains("stream_options"); so && so->is_object()) {
    if (const auto* iu = so->get_object().if_contains("include_usage"); iu && iu->is_bool())
      r.include_usage = iu->get_bool();
  }
  return r;
}

}  // namespace turnpike::protocol
