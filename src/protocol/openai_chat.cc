#include "protocol/openai_chat.h"

#include <boost/json.hpp>

#include "protocol/json_members.h"
#include "protocol/openrouter_request.h"

namespace turnpike::protocol {
namespace json = boost::json;

namespace {

constexpr int64_t kMaxChoices = 128;  // OpenAI's own bound on `n`

Error Bad(std::string message) { return MakeError(ErrorCode::kBadRequest, std::move(message)); }

// Text by its bytes, an image as one image, and any other part (a file, input_audio, …) by the
// bytes of its JSON: what cannot be estimated in tokens still counts toward the hold.
void CountContent(const json::value& content, ChatRequestInfo& info) {
  if (const auto* s = content.if_string()) {
    info.prompt_chars += static_cast<int64_t>(s->size());
    return;
  }
  const auto* parts = content.if_array();
  if (!parts) {
    if (!content.is_null()) info.prompt_chars += JsonSize(content);
    return;
  }
  for (const auto& part : *parts) {
    const auto* p = part.if_object();
    const auto* type = p ? p->if_contains("type") : nullptr;
    const std::string_view kind = type && type->is_string() ? std::string_view(type->get_string()) : "";
    const auto* text = p ? p->if_contains("text") : nullptr;
    if (kind == "image_url") {
      ++info.images;
    } else if (kind == "text" && text && text->is_string()) {
      info.prompt_chars += static_cast<int64_t>(text->get_string().size());
    } else {
      info.prompt_chars += JsonSize(part);
    }
  }
}

// Request members that reach the model as prompt besides the messages.
constexpr std::string_view kPromptMembers[] = {"tools",         "functions",       "tool_choice",
                                               "function_call", "response_format", "prediction"};

Result<std::optional<int64_t>> PositiveInt(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  if (!v || v->is_null()) return std::optional<int64_t>();
  if (v->is_int64() && v->get_int64() > 0) return std::optional<int64_t>(v->get_int64());
  if (v->is_uint64() && v->get_uint64() <= static_cast<uint64_t>(INT64_MAX) && v->get_uint64() > 0) {
    return std::optional<int64_t>(static_cast<int64_t>(v->get_uint64()));
  }
  return Bad("'" + std::string(key) + "' must be a positive integer");
}

}  // namespace

Result<ChatRequestInfo> InspectChatRequest(const json::value& body) {
  const auto* root = body.if_object();
  if (!root) return Bad("The request body must be a JSON object");
  ChatRequestInfo info;
  const auto* model = root->if_contains("model");
  if (!model || model->is_null()) {
    // OpenRouter's `models` alone names the model too: its first entry.
    const auto* models = root->if_contains("models");
    if (models && models->is_array() && !models->get_array().empty()) model = &models->get_array().front();
  }
  if (!model) return Bad("'model' is required");
  if (!model->is_string() || model->get_string().empty()) return Bad("'model' must be a non-empty string");
  info.model = std::string(model->get_string());
  const auto* messages = root->if_contains("messages");
  if (!messages) return Bad("'messages' is required");
  if (!messages->is_array() || messages->get_array().empty()) return Bad("'messages' must be a non-empty array");
  size_t i = 0;
  for (const auto& m : messages->get_array()) {
    const auto* msg = m.if_object();
    if (!msg) return Bad("messages[" + std::to_string(i) + "] must be an object");
    const auto* role = msg->if_contains("role");
    if (!role || !role->is_string()) return Bad("messages[" + std::to_string(i) + "].role must be a string");
    for (const auto& member : *msg) {  // content, and tool calls, names, ids, … by their JSON
      if (member.key() == "content") {
        CountContent(member.value(), info);
      } else if (member.key() != "role") {
        info.prompt_chars += static_cast<int64_t>(member.key().size()) + JsonSize(member.value());
      }
    }
    ++i;
  }
  for (std::string_view member : kPromptMembers) {
    if (const auto* v = root->if_contains(member); v && !v->is_null()) info.prompt_chars += JsonSize(*v);
  }
  if (!AllNumbersFinite(body)) return Bad("The request body holds a number too large to represent (beyond 1.8e308)");
  if (const auto* stream = root->if_contains("stream"); stream && !stream->is_null()) {
    if (!stream->is_bool()) return Bad("'stream' must be a boolean");
    info.stream = stream->get_bool();
  }
  if (const auto* so = root->if_contains("stream_options"); so && !so->is_null()) {
    if (!so->is_object()) return Bad("'stream_options' must be an object");
    if (const auto* iu = so->get_object().if_contains("include_usage"); iu && iu->is_bool()) {
      info.include_usage = iu->get_bool();
    }
  }
  auto mct = PositiveInt(*root, "max_completion_tokens");
  if (!mct.ok()) return mct.error();
  auto mt = PositiveInt(*root, "max_tokens");
  if (!mt.ok()) return mt.error();
  info.max_tokens = mct->has_value() ? *mct : *mt;
  // Each choice is generated (and billed) apart: the hold covers n of them.
  auto n = PositiveInt(*root, "n");
  if (!n.ok()) return n.error();
  if (n->value_or(1) > kMaxChoices) return Bad("'n' must be at most " + std::to_string(kMaxChoices));
  info.n = n->value_or(1);
  // Thinking a provider adds to max_tokens (Anthropic's budget) is output the hold must cover.
  if (const auto* effort = root->if_contains("reasoning_effort"); effort && effort->is_string()) {
    info.reasoning = !effort->get_string().empty() && effort->get_string() != "none";
  }
  if (const auto* reasoning = root->if_contains("reasoning"); reasoning && reasoning->is_object()) {
    const auto& r = reasoning->get_object();
    const auto* enabled = r.if_contains("enabled");
    const auto* effort = r.if_contains("effort");
    info.reasoning = !(enabled && enabled->is_bool() && !enabled->get_bool()) &&
                     !(effort && effort->is_string() && effort->get_string() == "none");
  }
  return info;
}

std::string RewriteForUpstream(std::string_view client_body, const json::value& parsed,
                               const std::string& upstream_model, bool stream, const RelayEdits& relay) {
  static const std::vector<std::string> kAll;
  const std::vector<std::string>& supported = relay.supported ? *relay.supported : kAll;
  const std::string kept = RemoveMembers(client_body, [&](std::string_view key, std::string_view) {
    if (key == "model" || key == "messages" || key == "stream" || key == "stream_options") return false;
    return IsGatewayMember(key) || !EndpointSupports(supported, key);
  });
  std::string_view body = kept;
  auto layout = ScanObject(body);
  if (!layout) return std::string(body);  // cannot happen for a validated body
  std::vector<Edit> edits;
  edits.push_back(SetMember(body, *layout, "model", json::serialize(json::string(upstream_model))));
  if (!relay.reasoning_effort.empty() && EndpointSupports(supported, "reasoning_effort")) {
    edits.push_back(
        SetMember(body, *layout, "reasoning_effort", json::serialize(json::string(relay.reasoning_effort))));
  }
  if (!relay.user.empty() && EndpointSupports(supported, "user")) {
    edits.push_back(SetMember(body, *layout, "user", json::serialize(json::string(relay.user))));
  }
  if (relay.output_limit > 0) {
    bool limited = false;
    for (std::string_view limit : {"max_tokens", "max_completion_tokens"}) {
      if (!FindMember(*layout, limit)) continue;  // never sent, or left out as unsupported
      limited = true;
      const auto* v = parsed.as_object().if_contains(limit);
      if (v && v->is_int64() && v->get_int64() <= relay.output_limit) continue;
      edits.push_back(SetMember(body, *layout, limit, std::to_string(relay.output_limit)));
    }
    if (!limited) edits.push_back(SetMember(body, *layout, relay.limit_member, std::to_string(relay.output_limit)));
  }
  if (stream) {
    json::object options;
    if (const auto* so = parsed.as_object().if_contains("stream_options"); so && so->is_object()) {
      options = so->get_object();
    }
    options["include_usage"] = true;
    edits.push_back(SetMember(body, *layout, "stream_options", json::serialize(options)));
  }
  return ApplyEdits(body, std::move(edits));
}

}  // namespace turnpike::protocol
