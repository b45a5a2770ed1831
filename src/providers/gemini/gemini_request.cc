// GeminiAdapter::EncodeRequest: a canonical chat request as a generateContent request
// (docs/protocols.md §6, §6.1). The history goes through gemini_contents.cc.
#include <boost/json.hpp>
#include <cctype>
#include <string>

#include "protocol/json_members.h"
#include "providers/gemini/gemini_adapter.h"
#include "providers/gemini/gemini_contents.h"
#include "providers/gemini/gemini_internal.h"

namespace turnpike::providers::gemini {

namespace {

using protocol::ChatRequest;
using protocol::ResponseFormat;
using protocol::Tool;
using protocol::ToolChoice;

Error Bad(std::string message) { return MakeError(ErrorCode::kBadRequest, std::move(message)); }

std::string_view BareModel(std::string_view model) {
  if (model.starts_with("models/")) model.remove_prefix(7);
  return model;
}

Result<json::array> Tools(const std::vector<Tool>& tools) {
  json::array declarations;
  for (const Tool& tool : tools) {
    if (tool.name.empty()) return Bad("every tool needs a function name");
    json::object declaration;
    declaration["name"] = tool.name;
    if (!tool.description.empty()) declaration["description"] = tool.description;
    if (!tool.parameters_json.empty()) {
      auto schema = ParseJson(tool.parameters_json);
      if (!schema || !schema->is_object() || !protocol::AllNumbersFinite(*schema)) {
        return Bad("the parameters of tool '" + tool.name + "' must be a JSON Schema object");
      }
      declaration["parametersJsonSchema"] = std::move(*schema);
    }
    declarations.push_back(std::move(declaration));
  }
  json::array out;
  out.push_back(json::object{{"functionDeclarations", std::move(declarations)}});
  return out;
}

// toolConfig, or an empty object when there is none to send.
Result<json::object> ToolConfig(const ChatRequest& request) {
  const ToolChoice& choice = request.tool_choice;
  if (choice.mode == ToolChoice::Mode::kUnset) return json::object();
  if (request.tools.empty()) {
    if (choice.mode == ToolChoice::Mode::kRequired || choice.mode == ToolChoice::Mode::kFunction) {
      return Bad("tool_choice requires tools");
    }
    return json::object();
  }
  json::object config;
  switch (choice.mode) {
    case ToolChoice::Mode::kAuto:
      config["mode"] = "AUTO";
      break;
    case ToolChoice::Mode::kNone:
      config["mode"] = "NONE";
      break;
    case ToolChoice::Mode::kRequired:
      config["mode"] = "ANY";
      break;
    case ToolChoice::Mode::kFunction: {
      bool known = false;
      for (const Tool& tool : request.tools) known = known || tool.name == choice.function;
      if (!known) return Bad("tool_choice names a function that is not among the tools: '" + choice.function + "'");
      config["mode"] = "ANY";
      config["allowedFunctionNames"] = json::array{json::value(choice.function)};
      break;
    }
    case ToolChoice::Mode::kUnset:
      break;
  }
  return json::object{{"functionCallingConfig", std::move(config)}};
}

bool IsGemini25(std::string_view model) { return model.starts_with("gemini-2.5-"); }

// thinkingConfig for reasoning_effort, or an empty object (see gemini_adapter.h).
Result<json::object> ThinkingConfig(std::string_view effort, std::string_view model) {
  if (effort.empty()) return json::object();
  static constexpr std::string_view kEfforts[] = {"minimal", "low", "medium", "high"};
  int level = -1;
  for (int i = 0; i < 4; ++i) {
    if (effort == kEfforts[i]) level = i;
  }
  if (level < 0) return Bad("reasoning_effort '" + std::string(effort) + "' is not supported by this model");
  if (IsGemini3(model)) return json::object{{"thinkingLevel", level <= 1 ? "LOW" : "HIGH"}};
  if (!IsGemini25(model)) return json::object();
  static constexpr int64_t kBudgets[] = {0, 1024, 8192, 24576};
  int64_t budget = kBudgets[level];
  if (level == 0 && model.starts_with("gemini-2.5-pro")) budget = 512;  // Pro cannot turn thinking off
  return json::object{{"thinkingBudget", budget}};
}

// maxOutputTokens counts the thoughts too, so the held limit bounds the whole output.
Result<json::object> GenerationConfig(const ChatRequest& request, std::string_view model, const EndpointInfo& e) {
  json::object config;
  if (auto limit = OutputTokens(request.max_tokens, e)) config["maxOutputTokens"] = *limit;
  if (request.temperature) config["temperature"] = *request.temperature;
  if (request.top_p) config["topP"] = *request.top_p;
  if (!request.stop.empty()) {
    json::array stops;
    for (const auto& s : request.stop) stops.push_back(json::value(s));
    config["stopSequences"] = std::move(stops);
  }
  // The gateway answers with one choice; more candidates would be billed and thrown away.
  if (request.n && *request.n > 1) {
    return MakeError(ErrorCode::kBadRequest, "Gemini through Turnpike returns one choice per request: 'n' must be 1");
  }
  if (request.seed) config["seed"] = *request.seed;
  if (request.presence_penalty) config["presencePenalty"] = *request.presence_penalty;
  if (request.frequency_penalty) config["frequencyPenalty"] = *request.frequency_penalty;
  const ResponseFormat& format = request.response_format;
  if (format.type != ResponseFormat::Type::kText) config["responseMimeType"] = "application/json";
  if (format.type == ResponseFormat::Type::kJsonSchema && !format.schema_json.empty()) {
    auto schema = ParseJson(format.schema_json);
    if (!schema || !schema->is_object() || !protocol::AllNumbersFinite(*schema)) {
      return Bad("response_format.json_schema.schema must be a JSON object");
    }
    config["responseJsonSchema"] = std::move(*schema);
  }
  auto thinking = ThinkingConfig(request.reasoning_effort, model);
  if (!thinking.ok()) return thinking.error();
  if (!thinking->empty()) config["thinkingConfig"] = std::move(*thinking);
  return config;
}

Result<json::object> Body(const ChatRequest& request, std::string_view model, const EndpointInfo& endpoint) {
  auto history = EncodeHistory(request.messages, IsGemini3(model));
  if (!history.ok()) return history.error();
  json::object body;
  body["contents"] = std::move(history->contents);
  if (!history->system_parts.empty()) {
    body["systemInstruction"] = json::object{{"parts", std::move(history->system_parts)}};
  }
  if (!request.tools.empty()) {
    auto tools = Tools(request.tools);
    if (!tools.ok()) return tools.error();
    body["tools"] = std::move(*tools);
  }
  auto tool_config = ToolConfig(request);
  if (!tool_config.ok()) return tool_config.error();
  if (!tool_config->empty()) body["toolConfig"] = std::move(*tool_config);
  auto generation = GenerationConfig(request, model, endpoint);
  if (!generation.ok()) return generation.error();
  if (!generation->empty()) body["generationConfig"] = std::move(*generation);
  return body;
}

}  // namespace

std::string PathSegment(std::string_view model) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : model) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

bool IsGemini3(std::string_view model) {
  model = BareModel(model);
  return model.starts_with("gemini-3.") || model.starts_with("gemini-3-");
}

Result<EncodedRequest> GeminiAdapter::EncodeRequest(const protocol::ChatRequest& request,
                                                    const EndpointInfo& endpoint) const {
  std::string_view model = BareModel(endpoint.upstream_model);
  if (model.empty()) return MakeError(ErrorCode::kInternal, "the Gemini endpoint has no upstream model");
  auto body = Body(request, model, endpoint);
  if (!body.ok()) return body.error();
  std::string_view base = endpoint.base_url;
  while (base.ends_with('/')) base.remove_suffix(1);
  EncodedRequest out;
  out.url = std::string(base) + "/v1beta/models/" + PathSegment(model) +
            (request.stream ? ":streamGenerateContent?alt=sse" : ":generateContent");
  out.headers.push_back({"content-type", "application/json"});
  if (!endpoint.api_key.empty()) out.headers.push_back({"x-goog-api-key", endpoint.api_key});
  out.body = json::serialize(*body);
  return out;
}

}  // namespace turnpike::providers::gemini
