#include "providers/gemini/gemini_contents.h"

#include <cctype>
#include <string>
#include <unordered_map>

#include "protocol/json_members.h"
#include "providers/gemini/gemini_internal.h"

namespace turnpike::providers::gemini {

namespace {

using protocol::ContentPart;
using protocol::Message;
using protocol::Role;
using protocol::ToolCall;

Error Bad(size_t index, const std::string& what) {
  return MakeError(ErrorCode::kBadRequest, "messages[" + std::to_string(index) + "]: " + what);
}

// Ids minted by this adapter (and OpenAI's) start with "call_"; Gemini never saw them.
bool IsGeminiCallId(std::string_view id) { return !id.empty() && !id.starts_with("call_"); }

std::string_view GuessImageMime(std::string_view url) {
  url = url.substr(0, url.find_first_of("?#"));
  auto slash = url.rfind('/');
  auto dot = url.rfind('.');
  if (dot == std::string_view::npos || (slash != std::string_view::npos && dot < slash)) return "image/jpeg";
  std::string ext;
  for (char c : url.substr(dot + 1)) ext += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (ext == "png") return "image/png";
  if (ext == "webp") return "image/webp";
  if (ext == "gif") return "image/gif";
  if (ext == "heic") return "image/heic";
  if (ext == "heif") return "image/heif";
  return "image/jpeg";  // jpg, jpeg, and the fallback
}

// An image part: inlineData for a base64 data URL, fileData for an http(s) URL; nullopt otherwise.
std::optional<json::object> ImagePart(std::string_view url) {
  if (url.starts_with("data:")) {
    auto comma = url.find(',');
    if (comma == std::string_view::npos) return std::nullopt;
    std::string_view meta = url.substr(5, comma - 5);
    if (!meta.ends_with(";base64")) return std::nullopt;
    std::string_view mime = meta.substr(0, meta.find(';'));
    std::string_view data = url.substr(comma + 1);
    if (mime.empty() || data.empty()) return std::nullopt;
    return json::object{{"inlineData", json::object{{"mimeType", mime}, {"data", data}}}};
  }
  if (url.starts_with("https://") || url.starts_with("http://")) {
    return json::object{{"fileData", json::object{{"mimeType", GuessImageMime(url)}, {"fileUri", url}}}};
  }
  return std::nullopt;
}

class HistoryBuilder {
 public:
  Status Add(const Message& message, size_t index);
  History Finish(bool gemini3) &&;

 private:
  Status AddText(const Message& message, size_t index, json::array& parts) const;
  Status AddToolCalls(const Message& message, size_t index, json::array& parts);
  Status AddToolResult(const Message& message, size_t index);
  void Append(std::string_view role, json::array parts);

  History history_;
  std::unordered_map<std::string, std::string> call_names_;  // tool call id → function name
};

Status HistoryBuilder::Add(const Message& message, size_t index) {
  json::array parts;
  switch (message.role) {
    case Role::kSystem:
      return AddText(message, index, history_.system_parts);
    case Role::kTool:
      return AddToolResult(message, index);
    case Role::kUser: {
      Status s = AddText(message, index, parts);
      if (!s.ok()) return s;
      Append("user", std::move(parts));
      return OkStatus();
    }
    case Role::kAssistant: {
      Status s = AddText(message, index, parts);
      if (s.ok()) s = AddToolCalls(message, index, parts);
      if (!s.ok()) return s;
      Append("model", std::move(parts));
      return OkStatus();
    }
  }
  return OkStatus();
}

// Text parts (empty ones left out) and, in user messages only, images.
Status HistoryBuilder::AddText(const Message& message, size_t index, json::array& parts) const {
  for (const ContentPart& part : message.content) {
    if (part.kind == ContentPart::Kind::kText) {
      if (!part.text.empty()) parts.push_back(json::object{{"text", part.text}});
      continue;
    }
    if (message.role != Role::kUser) return Bad(index, "images are accepted in user messages only");
    auto image = ImagePart(part.image_url);
    if (!image) return Bad(index, "an image must be an https:// URL or a base64 data: URL");
    parts.push_back(std::move(*image));
  }
  return OkStatus();
}

Status HistoryBuilder::AddToolCalls(const Message& message, size_t index, json::array& parts) {
  for (const ToolCall& call : message.tool_calls) {
    if (call.name.empty()) return Bad(index, "a tool call has no function name");
    auto args = ParseJson(call.arguments.empty() ? std::string_view("{}") : std::string_view(call.arguments));
    if (!args || !args->is_object() || !protocol::AllNumbersFinite(*args)) {
      return Bad(index, "the arguments of tool call '" + call.name + "' must be a JSON object");
    }
    json::object function_call{{"name", call.name}, {"args", std::move(*args)}};
    if (IsGeminiCallId(call.id)) function_call["id"] = call.id;
    json::object part{{"functionCall", std::move(function_call)}};
    if (!call.thought_signature.empty()) part["thoughtSignature"] = call.thought_signature;
    parts.push_back(std::move(part));
    if (!call.id.empty()) call_names_[call.id] = call.name;
  }
  return OkStatus();
}

Status HistoryBuilder::AddToolResult(const Message& message, size_t index) {
  auto name = call_names_.find(message.tool_call_id);
  if (name == call_names_.end()) {
    return Bad(index, "tool_call_id '" + message.tool_call_id + "' answers no earlier assistant tool call");
  }
  std::string text;
  for (const ContentPart& part : message.content) {
    if (part.kind != ContentPart::Kind::kText) return Bad(index, "images are accepted in user messages only");
    text += part.text;
  }
  json::object response;
  if (auto parsed = ParseJson(text); parsed && parsed->is_object() && protocol::AllNumbersFinite(*parsed)) {
    response = std::move(parsed->get_object());
  } else {
    response["content"] = text;
  }
  json::object function_response{{"name", name->second}, {"response", std::move(response)}};
  if (IsGeminiCallId(message.tool_call_id)) function_response["id"] = message.tool_call_id;
  json::array parts;
  parts.push_back(json::object{{"functionResponse", std::move(function_response)}});
  Append("user", std::move(parts));
  return OkStatus();
}

void HistoryBuilder::Append(std::string_view role, json::array parts) {
  if (parts.empty()) return;
  auto& contents = history_.contents;
  if (!contents.empty() && contents.back().as_object().at("role").as_string() == role) {
    auto& last = contents.back().as_object().at("parts").as_array();
    for (auto& part : parts) last.push_back(std::move(part));
    return;
  }
  contents.push_back(json::object{{"role", role}, {"parts", std::move(parts)}});
}

History HistoryBuilder::Finish(bool gemini3) && {
  if (!gemini3) return std::move(history_);
  for (auto& content : history_.contents) {
    auto& object = content.as_object();
    if (object.at("role").as_string() != "model") continue;
    for (auto& part : object.at("parts").as_array()) {
      auto& p = part.as_object();
      if (!p.contains("functionCall")) continue;
      if (!p.contains("thoughtSignature")) p["thoughtSignature"] = kSkipThoughtSignature;
      break;
    }
  }
  return std::move(history_);
}

}  // namespace

Result<History> EncodeHistory(const std::vector<Message>& messages, bool gemini3) {
  HistoryBuilder builder;
  for (size_t i = 0; i < messages.size(); ++i) {
    Status s = builder.Add(messages[i], i);
    if (!s.ok()) return s.error();
  }
  return std::move(builder).Finish(gemini3);
}

}  // namespace turnpike::providers::gemini
