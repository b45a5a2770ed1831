#include "protocol/openai_responses.h"

#include <algorithm>
#include <array>
#include <boost/json.hpp>
#include <cmath>

#include "common/error_table.h"
#include "protocol/json_members.h"
#include "protocol/openrouter_request.h"

namespace turnpike::protocol {
namespace json = boost::json;

namespace {

Error Bad(std::string message) { return MakeError(ErrorCode::kBadRequest, std::move(message)); }

// OpenAI's words for a value of the wrong type.
Error WrongType(std::string_view field, std::string_view expected, const json::value& got) {
  std::string_view kind = got.is_string()   ? "a string"
                          : got.is_bool()   ? "a boolean"
                          : got.is_number() ? (got.is_double() ? "a decimal" : "an integer")
                          : got.is_array()  ? "an array"
                          : got.is_object() ? "an object"
                                            : "null";
  return Bad("Invalid type for '" + std::string(field) + "': expected " + std::string(expected) + ", but got " +
             std::string(kind) + " instead.");
}

Error Missing(std::string_view field) { return Bad("Missing required parameter: '" + std::string(field) + "'."); }

// The arguments api.openai.com takes at POST /v1/responses (platform.openai.com API reference,
// "Create a model response"), and OpenRouter's own members the gateway consumes.
constexpr std::array<std::string_view, 30> kArguments = {"model",
                                                         "input",
                                                         "instructions",
                                                         "tools",
                                                         "tool_choice",
                                                         "parallel_tool_calls",
                                                         "max_output_tokens",
                                                         "max_tool_calls",
                                                         "temperature",
                                                         "top_p",
                                                         "top_logprobs",
                                                         "text",
                                                         "reasoning",
                                                         "stream",
                                                         "stream_options",
                                                         "store",
                                                         "previous_response_id",
                                                         "metadata",
                                                         "user",
                                                         "include",
                                                         "truncation",
                                                         "service_tier",
                                                         "prompt_cache_key",
                                                         "prompt_cache_retention",
                                                         "safety_identifier",
                                                         "background",
                                                         "conversation",
                                                         "prompt",
                                                         "provider",
                                                         "models"};
constexpr std::array<std::string_view, 4> kOpenRouterOnly = {"route", "transforms", "plugins", "usage"};

bool Known(std::string_view key) {
  return std::find(kArguments.begin(), kArguments.end(), key) != kArguments.end() ||
         std::find(kOpenRouterOnly.begin(), kOpenRouterOnly.end(), key) != kOpenRouterOnly.end();
}

std::string_view TypeOf(const json::object& o) {
  const json::value* t = o.if_contains("type");
  return t && t->is_string() ? std::string_view(t->get_string()) : std::string_view();
}

const json::string* StringMember(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v ? v->if_string() : nullptr;
}

ContentPart TextPart(std::string_view text) {
  ContentPart p;
  p.text = std::string(text);
  return p;
}

// A message's `content`: a string, or a list of parts.
Status ReadContent(const json::value& content, const std::string& where, bool assistant, Message& m,
                   ResponsesRequest& out) {
  if (content.is_string()) {
    m.content.push_back(TextPart(content.get_string()));
    out.info.prompt_chars += static_cast<int64_t>(content.get_string().size());
    return OkStatus();
  }
  if (!content.is_array()) return WrongType(where + ".content", "a string or an array", content);
  size_t j = 0;
  for (const auto& part : content.get_array()) {
    const std::string at = where + ".content[" + std::to_string(j++) + "]";
    const json::object* p = part.if_object();
    if (!p) return WrongType(at, "an object", part);
    std::string_view type = TypeOf(*p);
    if (type == "input_text" || type == "output_text" || type == "refusal") {
      const json::string* text = StringMember(*p, type == "refusal" ? "refusal" : "text");
      if (!text) return Missing(at + (type == "refusal" ? ".refusal" : ".text"));
      if (assistant != (type != "input_text")) {
        return Bad("Invalid value: '" + std::string(type) + "'. Supported values are: '" +
                   (assistant ? "output_text' and 'refusal'" : "input_text', 'input_image', and 'input_file'") + ". (" +
                   at + ".type)");
      }
      m.content.push_back(TextPart(*text));
      out.info.prompt_chars += static_cast<int64_t>(text->size());
    } else if (type == "input_image" && !assistant) {
      if (p->contains("file_id") && !p->at("file_id").is_null()) {
        return Bad(at +
                   ".file_id: files uploaded to OpenAI cannot be read through this gateway; send the image as "
                   "image_url (an https URL or a data: URL)");
      }
      const json::string* url = StringMember(*p, "image_url");
      if (!url || url->empty()) return Missing(at + ".image_url");
      ContentPart image;
      image.kind = ContentPart::Kind::kImage;
      image.image_url = std::string(*url);
      if (const json::string* detail = StringMember(*p, "detail")) image.detail = std::string(*detail);
      m.content.push_back(std::move(image));
      ++out.info.images;
    } else if (type == "input_file" || type == "input_audio") {
      if (out.untranslatable.empty()) out.untranslatable = std::string(type) + " parts";
      out.info.prompt_chars += JsonSize(part);
    } else {
      return Bad("Invalid value: '" + std::string(type) + "' (" + at + ".type).");
    }
  }
  return OkStatus();
}

// The last assistant message, when the conversation's last message is one (a function_call joins
// the assistant turn it follows).
Message& AssistantTurn(ChatRequest& chat) {
  if (chat.messages.empty() || chat.messages.back().role != Role::kAssistant) {
    Message m;
    m.role = Role::kAssistant;
    chat.messages.push_back(std::move(m));
  }
  return chat.messages.back();
}

// A function_call_output's `output`: a string, or a list of input_text parts.
Result<std::string> OutputText(const json::value& output, const std::string& where) {
  if (output.is_string()) return std::string(output.get_string());
  if (!output.is_array()) return WrongType(where + ".output", "a string or an array", output);
  std::string text;
  for (const auto& part : output.get_array()) {
    const json::object* p = part.if_object();
    const json::string* t = p ? StringMember(*p, "text") : nullptr;
    if (!t) return Bad(where + ".output: only input_text parts can be sent to this model");
    text += *t;
  }
  return text;
}

Status ReadItem(const json::value& item, const std::string& where, ResponsesRequest& out) {
  const json::object* o = item.if_object();
  if (!o) return WrongType(where, "an object", item);
  std::string_view type = TypeOf(*o);
  if (type.empty() && o->contains("type") && !o->at("type").is_null()) {
    return WrongType(where + ".type", "a string", o->at("type"));
  }
  if (type.empty() || type == "message") {
    const json::string* role = StringMember(*o, "role");
    if (!role) return Missing(where + ".role");
    const json::value* content = o->if_contains("content");
    if (!content) return Missing(where + ".content");
    Message m;
    if (*role == "user") {
      m.role = Role::kUser;
    } else if (*role == "system" || *role == "developer") {
      m.role = Role::kSystem;
    } else if (*role == "assistant") {
      m.role = Role::kAssistant;
    } else {
      return Bad("Invalid value: '" + std::string(*role) +
                 "'. Supported values are: 'user', 'assistant', 'system', and 'developer'. (" + where + ".role)");
    }
    if (Status s = ReadContent(*content, where, m.role == Role::kAssistant, m, out); !s.ok()) return s;
    if (m.role == Role::kAssistant) {
      // Text after the calls of the same turn would reorder them; a new turn keeps the order.
      Message& turn = AssistantTurn(out.chat);
      if (!turn.tool_calls.empty()) {
        out.chat.messages.push_back(std::move(m));
      } else {
        for (auto& part : m.content) turn.content.push_back(std::move(part));
      }
    } else {
      out.chat.messages.push_back(std::move(m));
    }
    return OkStatus();
  }
  if (type == "function_call") {
    const json::string* call_id = StringMember(*o, "call_id");
    const json::string* name = StringMember(*o, "name");
    const json::string* arguments = StringMember(*o, "arguments");
    if (!call_id) return Missing(where + ".call_id");
    if (!name) return Missing(where + ".name");
    if (!arguments) return Missing(where + ".arguments");
    ToolCall call;
    call.id = std::string(*call_id);
    call.name = std::string(*name);
    call.arguments = arguments->empty() ? "{}" : std::string(*arguments);
    out.info.prompt_chars += static_cast<int64_t>(call.name.size() + call.arguments.size());
    AssistantTurn(out.chat).tool_calls.push_back(std::move(call));
    return OkStatus();
  }
  if (type == "function_call_output") {
    const json::string* call_id = StringMember(*o, "call_id");
    if (!call_id) return Missing(where + ".call_id");
    const json::value* output = o->if_contains("output");
    if (!output) return Missing(where + ".output");
    auto text = OutputText(*output, where);
    if (!text.ok()) return text.error();
    Message m;
    m.role = Role::kTool;
    m.tool_call_id = std::string(*call_id);
    out.info.prompt_chars += static_cast<int64_t>(text->size());
    m.content.push_back(TextPart(*text));
    out.chat.messages.push_back(std::move(m));
    return OkStatus();
  }
  if (type == "reasoning") {  // OpenAI's own (encrypted) thinking: no other provider reads it
    out.info.prompt_chars += JsonSize(item);
    return OkStatus();
  }
  if (type == "item_reference") {
    return Bad(where +
               ": item_reference is not supported (the gateway keeps responses, not items): send the item "
               "itself, or previous_response_id");
  }
  // Built-in tools' calls and outputs (web_search_call, computer_call_output, …): OpenAI's only.
  if (out.untranslatable.empty()) out.untranslatable = std::string(type) + " items";
  out.info.prompt_chars += JsonSize(item);
  return OkStatus();
}

Status ReadTools(const json::value& tools, ResponsesRequest& out) {
  if (!tools.is_array()) return WrongType("tools", "an array", tools);
  size_t i = 0;
  for (const auto& t : tools.get_array()) {
    const std::string where = "tools[" + std::to_string(i++) + "]";
    const json::object* o = t.if_object();
    if (!o) return WrongType(where, "an object", t);
    std::string_view type = TypeOf(*o);
    if (type.empty()) return Missing(where + ".type");
    out.info.prompt_chars += JsonSize(t);
    if (type != "function") {  // web_search, file_search, code_interpreter, mcp, …
      if (out.untranslatable.empty()) out.untranslatable = "the built-in tool " + std::string(type);
      continue;
    }
    const json::string* name = StringMember(*o, "name");
    if (!name || name->empty()) return Missing(where + ".name");
    Tool tool;
    tool.name = std::string(*name);
    if (const json::value* d = o->if_contains("description"); d && !d->is_null()) {
      if (!d->is_string()) return WrongType(where + ".description", "a string", *d);
      tool.description = std::string(d->get_string());
    }
    if (const json::value* p = o->if_contains("parameters"); p && !p->is_null()) {
      if (!p->is_object()) return WrongType(where + ".parameters", "an object", *p);
      tool.parameters_json = json::serialize(*p);
    }
    if (const json::value* s = o->if_contains("strict"); s && !s->is_null()) {
      if (!s->is_bool()) return WrongType(where + ".strict", "a boolean", *s);
      tool.strict = s->get_bool();
    }
    out.chat.tools.push_back(std::move(tool));
  }
  return OkStatus();
}

Status ReadToolChoice(const json::value& choice, ResponsesRequest& out) {
  ToolChoice& c = out.chat.tool_choice;
  if (choice.is_string()) {
    if (choice.get_string() == "auto") {
      c.mode = ToolChoice::Mode::kAuto;
    } else if (choice.get_string() == "none") {
      c.mode = ToolChoice::Mode::kNone;
    } else if (choice.get_string() == "required") {
      c.mode = ToolChoice::Mode::kRequired;
    } else {
      return Bad("Invalid value: '" + std::string(choice.get_string()) +
                 "'. Supported values are: 'none', 'auto', and 'required'. (tool_choice)");
    }
    return OkStatus();
  }
  const json::object* o = choice.if_object();
  if (!o) return WrongType("tool_choice", "a string or an object", choice);
  std::string_view type = TypeOf(*o);
  if (type == "function") {
    const json::string* name = StringMember(*o, "name");
    if (!name || name->empty()) return Missing("tool_choice.name");
    c.mode = ToolChoice::Mode::kFunction;
    c.function = std::string(*name);
    return OkStatus();
  }
  if (type.empty()) return Missing("tool_choice.type");
  if (out.untranslatable.empty()) out.untranslatable = "tool_choice of type " + std::string(type);
  return OkStatus();
}

Status ReadTextFormat(const json::value& text, ResponsesRequest& out) {
  const json::object* t = text.if_object();
  if (!t) return WrongType("text", "an object", text);
  const json::value* format = t->if_contains("format");
  if (!format || format->is_null()) return OkStatus();
  const json::object* f = format->if_object();
  if (!f) return WrongType("text.format", "an object", *format);
  std::string_view type = TypeOf(*f);
  ResponseFormat& rf = out.chat.response_format;
  if (type == "text") return OkStatus();
  if (type == "json_object") {
    rf.type = ResponseFormat::Type::kJsonObject;
  } else if (type == "json_schema") {
    const json::string* name = StringMember(*f, "name");
    if (!name || name->empty()) return Missing("text.format.name");
    const json::value* schema = f->if_contains("schema");
    if (!schema) return Missing("text.format.schema");
    if (!schema->is_object()) return WrongType("text.format.schema", "an object", *schema);
    rf.type = ResponseFormat::Type::kJsonSchema;
    rf.name = std::string(*name);
    rf.schema_json = json::serialize(*schema);
    if (const json::value* strict = f->if_contains("strict"); strict && strict->is_bool())
      rf.strict = strict->get_bool();
  } else {
    return Bad("Invalid value: '" + std::string(type) +
               "'. Supported values are: 'text', 'json_object', and 'json_schema'. (text.format.type)");
  }
  out.info.prompt_chars += JsonSize(*format);
  out.parameters.emplace_back("response_format");
  return OkStatus();
}

std::string Sse(std::string_view type, const json::object& data) {
  std::string out = "event: ";
  out += type;
  out += "\ndata: ";
  out += json::serialize(data);
  out += "\n\n";
  return out;
}

// An item id from the response's id: "msg_" + its text after the gateway's prefix, and the index.
std::string ItemId(std::string_view prefix, std::string_view id, size_t index) {
  if (auto dash = id.find('-'); dash != std::string_view::npos) id.remove_prefix(dash + 1);
  return std::string(prefix) + "_" + std::string(id) + (index ? "_" + std::to_string(index) : "");
}

json::object OutputTextPart(std::string_view text) {
  return json::object{
      {"type", "output_text"}, {"annotations", json::array()}, {"logprobs", json::array()}, {"text", text}};
}

json::object MessageItem(std::string_view id, std::string_view status, json::array content) {
  return json::object{
      {"id", id}, {"type", "message"}, {"status", status}, {"content", std::move(content)}, {"role", "assistant"}};
}

json::object ReasoningItem(std::string_view id, json::array summary) {
  return json::object{{"id", id}, {"type", "reasoning"}, {"summary", std::move(summary)}};
}

json::object SummaryPart(std::string_view text) { return json::object{{"type", "summary_text"}, {"text", text}}; }

json::object FunctionCallItem(std::string_view id, std::string_view status, std::string_view arguments,
                              std::string_view call_id, std::string_view name) {
  return json::object{{"id", id},           {"type", "function_call"},
                      {"status", status},   {"arguments", arguments},
                      {"call_id", call_id}, {"name", name}};
}

}  // namespace

Result<ResponsesRequest> ReadResponsesRequest(const json::value& body) {
  const json::object* root = body.if_object();
  if (!root) return Bad("The request body must be a JSON object.");
  if (!AllNumbersFinite(body)) return Bad("The request body holds a number beyond the range of a double.");
  for (const auto& member : *root) {
    if (!Known(member.key())) {
      return Bad("Unrecognized request argument supplied: " + std::string(member.key()));
    }
  }
  ResponsesRequest out;
  json::object& echo = out.echo;
  const json::value* model = root->if_contains("model");
  if (!model || model->is_null()) return Missing("model");
  if (!model->is_string()) return WrongType("model", "a string", *model);
  if (model->get_string().empty()) return Missing("model");
  out.info.model = std::string(model->get_string());
  out.chat.model = out.info.model;

  const json::value* input = root->if_contains("input");
  if (!input || input->is_null()) return Missing("input");
  if (input->is_string()) {
    out.input.push_back(json::object{{"role", "user"}, {"content", input->get_string()}});
  } else if (input->is_array()) {
    if (input->get_array().empty()) return Bad("Invalid 'input': empty array. Expected at least one item.");
    out.input = input->get_array();
  } else {
    return WrongType("input", "a string or an array", *input);
  }

  if (const json::value* v = root->if_contains("instructions"); v && !v->is_null()) {
    if (!v->is_string()) return WrongType("instructions", "a string", *v);
    out.instructions = std::string(v->get_string());
    echo["instructions"] = *v;
  } else {
    echo["instructions"] = nullptr;
  }
  if (const json::value* v = root->if_contains("stream"); v && !v->is_null()) {
    if (!v->is_bool()) return WrongType("stream", "a boolean", *v);
    out.info.stream = v->get_bool();
    out.chat.stream = out.info.stream;
    out.chat.include_usage = out.info.stream;
  }
  if (const json::value* v = root->if_contains("store"); v && !v->is_null()) {
    if (!v->is_bool()) return WrongType("store", "a boolean", *v);
    out.store = v->get_bool();
  }
  echo["store"] = out.store;
  if (const json::value* v = root->if_contains("previous_response_id"); v && !v->is_null()) {
    if (!v->is_string()) return WrongType("previous_response_id", "a string", *v);
    if (v->get_string().empty()) return Bad("Invalid 'previous_response_id': empty string.");
    out.previous_response_id = std::string(v->get_string());
    echo["previous_response_id"] = *v;
  } else {
    echo["previous_response_id"] = nullptr;
  }
  if (const json::value* v = root->if_contains("max_output_tokens"); v && !v->is_null()) {
    auto n = WholeNumber(*v);
    if (!n) return WrongType("max_output_tokens", "an integer", *v);
    if (*n < 16) {
      return Bad("Invalid 'max_output_tokens': integer below minimum value. Expected a value >= 16, but got " +
                 std::to_string(*n) + " instead.");
    }
    out.info.max_tokens = *n;
    out.chat.max_tokens = *n;
    out.parameters.emplace_back("max_tokens");
    echo["max_output_tokens"] = *n;
  } else {
    echo["max_output_tokens"] = nullptr;
  }
  echo["max_tool_calls"] = nullptr;
  struct Range {
    const char* name;
    double low, high;
  };
  for (const Range& range : {Range{"temperature", 0, 2}, Range{"top_p", 0, 1}}) {
    const char* name = range.name;
    const double low = range.low, high = range.high;
    const json::value* v = root->if_contains(name);
    if (!v || v->is_null()) {
      echo[name] = 1.0;
      continue;
    }
    if (!v->is_number()) return WrongType(name, "a decimal", *v);
    const double d = v->to_number<double>();
    if (d < low || d > high) {
      return Bad("Invalid '" + std::string(name) + "': decimal " + (d < low ? "below minimum" : "above maximum") +
                 " value. Expected a value " + (d < low ? ">= " : "<= ") +
                 json::serialize(json::value(d < low ? low : high)) + ", but got " + json::serialize(*v) + " instead.");
    }
    (std::string_view(name) == "temperature" ? out.chat.temperature : out.chat.top_p) = d;
    out.parameters.emplace_back(name);
    echo[name] = *v;
  }
  if (const json::value* v = root->if_contains("parallel_tool_calls"); v && !v->is_null()) {
    if (!v->is_bool()) return WrongType("parallel_tool_calls", "a boolean", *v);
    out.chat.parallel_tool_calls = v->get_bool();
    out.parameters.emplace_back("parallel_tool_calls");
    echo["parallel_tool_calls"] = *v;
  } else {
    echo["parallel_tool_calls"] = true;
  }
  if (const json::value* v = root->if_contains("tools"); v && !v->is_null()) {
    if (Status s = ReadTools(*v, out); !s.ok()) return s.error();
    if (!v->get_array().empty()) out.parameters.emplace_back("tools");
    echo["tools"] = *v;
  } else {
    echo["tools"] = json::array();
  }
  if (const json::value* v = root->if_contains("tool_choice"); v && !v->is_null()) {
    if (Status s = ReadToolChoice(*v, out); !s.ok()) return s.error();
    out.parameters.emplace_back("tool_choice");
    echo["tool_choice"] = *v;
  } else {
    echo["tool_choice"] = "auto";
  }
  if (const json::value* v = root->if_contains("text"); v && !v->is_null()) {
    if (Status s = ReadTextFormat(*v, out); !s.ok()) return s.error();
    echo["text"] = *v;
  } else {
    echo["text"] = json::object{{"format", json::object{{"type", "text"}}}};
  }
  json::object reasoning{{"effort", nullptr}, {"summary", nullptr}};
  if (const json::value* v = root->if_contains("reasoning"); v && !v->is_null()) {
    if (!v->is_object()) return WrongType("reasoning", "an object", *v);
    const json::object& r = v->get_object();
    if (const json::value* effort = r.if_contains("effort"); effort && !effort->is_null()) {
      if (!effort->is_string()) return WrongType("reasoning.effort", "a string", *effort);
      static constexpr std::array<std::string_view, 6> kEfforts = {"none", "minimal", "low", "medium", "high", "xhigh"};
      if (std::find(kEfforts.begin(), kEfforts.end(), std::string_view(effort->get_string())) == kEfforts.end()) {
        return Bad("Invalid value: '" + std::string(effort->get_string()) +
                   "'. Supported values are: 'none', 'minimal', 'low', 'medium', 'high', and 'xhigh'. "
                   "(reasoning.effort)");
      }
      reasoning["effort"] = *effort;
      out.info.reasoning = effort->get_string() != "none";
    }
    if (const json::value* summary = r.if_contains("summary"); summary && !summary->is_null()) {
      reasoning["summary"] = *summary;
    }
    out.parameters.emplace_back("reasoning");
  }
  echo["reasoning"] = std::move(reasoning);
  echo["truncation"] = "disabled";
  if (const json::value* v = root->if_contains("metadata"); v && !v->is_null()) {
    if (!v->is_object()) return WrongType("metadata", "an object", *v);
    if (v->get_object().size() > 16) return Bad("Invalid 'metadata': too many properties. Expected at most 16.");
    for (const auto& m : v->get_object()) {
      if (!m.value().is_string()) return WrongType("metadata." + std::string(m.key()), "a string", m.value());
    }
    echo["metadata"] = *v;
  } else {
    echo["metadata"] = json::object();
  }
  echo["user"] = nullptr;  // providers get a digest of it, never the client's text
  if (const json::value* v = root->if_contains("include"); v && !v->is_null()) {
    if (!v->is_array()) return WrongType("include", "an array", *v);
    for (const auto& i : v->get_array()) {
      if (!i.is_string()) return WrongType("include[]", "a string", i);
    }
  }
  for (const char* name : {"max_tool_calls", "top_logprobs"}) {
    if (const json::value* v = root->if_contains(name); v && !v->is_null() && !WholeNumber(*v)) {
      return WrongType(name, "an integer", *v);
    }
  }
  if (const json::value* v = root->if_contains("background"); v && v->is_bool() && v->get_bool()) {
    return Bad("background: true is not supported: the gateway answers each request while it is open");
  }
  if (const json::value* v = root->if_contains("conversation"); v && !v->is_null()) {
    return Bad("conversation is not supported: use previous_response_id");
  }
  if (const json::value* v = root->if_contains("prompt"); v && !v->is_null() && out.untranslatable.empty()) {
    out.untranslatable = "a prompt template";
  }
  if (const json::value* v = root->if_contains("user"); v && !v->is_null() && !v->is_string()) {
    return WrongType("user", "a string", *v);
  }
  // The input's shape is checked now (and read once the previous response's items are known).
  ResponsesRequest probe;
  probe.chat.model = out.chat.model;
  if (Status s = ReadResponsesInput(out.input, probe); !s.ok()) return s.error();
  return out;
}

Status ReadResponsesInput(const json::array& items, ResponsesRequest& request) {
  request.chat.messages.clear();
  if (!request.instructions.empty()) {
    Message system;
    system.role = Role::kSystem;
    system.content.push_back(TextPart(request.instructions));
    request.info.prompt_chars += static_cast<int64_t>(request.instructions.size());
    request.chat.messages.push_back(std::move(system));
  }
  size_t i = 0;
  for (const auto& item : items) {
    if (Status s = ReadItem(item, "input[" + std::to_string(i++) + "]", request); !s.ok()) return s;
  }
  // Assistant turns whose reasoning was their only item are left empty: drop them.
  std::erase_if(request.chat.messages, [](const Message& m) {
    return m.role == Role::kAssistant && m.content.empty() && m.tool_calls.empty();
  });
  bool has_turn = std::any_of(request.chat.messages.begin(), request.chat.messages.end(),
                              [](const Message& m) { return m.role != Role::kSystem; });
  if (!has_turn && request.untranslatable.empty()) {
    return Bad("Invalid 'input': at least one message, function_call or function_call_output item is required.");
  }
  return OkStatus();
}

std::string RelayResponsesBody(std::string_view raw, const std::string& upstream_model, int64_t output_limit,
                               const json::array* items, const std::string& user_tag) {
  std::string text = RemoveMembers(raw, [](std::string_view key, std::string_view) {
    return key == "previous_response_id" || key == "provider" || key == "models" ||
           std::find(kOpenRouterOnly.begin(), kOpenRouterOnly.end(), key) != kOpenRouterOnly.end() || (key == "user");
  });
  auto layout = ScanObject(text);
  if (!layout) return text;  // cannot happen: `raw` parsed as an object
  std::vector<Edit> edits;
  edits.push_back(SetMember(text, *layout, "model", json::serialize(json::string(upstream_model))));
  edits.push_back(SetMember(text, *layout, "store", "false"));
  if (output_limit > 0) {
    int64_t asked = 0;
    if (const MemberSpan* m = FindMember(*layout, "max_output_tokens")) {
      boost::system::error_code ec;
      auto v = json::parse(text.substr(m->value_begin, m->value_end - m->value_begin), ec);
      if (!ec) asked = WholeNumber(v).value_or(0);
    }
    if (asked <= 0 || asked > output_limit) {
      edits.push_back(SetMember(text, *layout, "max_output_tokens", std::to_string(output_limit)));
    }
  }
  if (items) edits.push_back(SetMember(text, *layout, "input", json::serialize(*items)));
  if (!user_tag.empty()) edits.push_back(SetMember(text, *layout, "user", json::serialize(json::string(user_tag))));
  return ApplyEdits(text, std::move(edits));
}

json::array ItemsForOpenAi(const json::array& items) {
  json::array out;
  for (const auto& item : items) {
    const json::object* o = item.if_object();
    if (!o) continue;
    if (TypeOf(*o) == "reasoning") {
      const json::value* encrypted = o->if_contains("encrypted_content");
      if (encrypted && encrypted->is_string()) out.push_back(item);
      continue;
    }
    json::object copy = *o;
    copy.erase("id");
    out.push_back(std::move(copy));
  }
  return out;
}

json::object ResponsesUsage(const Usage& usage) {
  return json::object{{"input_tokens", usage.prompt_tokens},
                      {"input_tokens_details", json::object{{"cached_tokens", usage.cached_tokens}}},
                      {"output_tokens", usage.completion_tokens},
                      {"output_tokens_details", json::object{{"reasoning_tokens", usage.reasoning_tokens}}},
                      {"total_tokens", usage.prompt_tokens + usage.completion_tokens}};
}

std::optional<Usage> DecodeResponsesUsage(const json::value& usage) {
  const json::object* u = usage.if_object();
  if (!u) return std::nullopt;
  auto count = [](const json::object& o, std::string_view key) -> int64_t {
    const json::value* v = o.if_contains(key);
    auto n = v ? WholeNumber(*v) : std::nullopt;
    return n ? std::clamp<int64_t>(*n, 0, kMaxTokenCount) : 0;
  };
  const json::value* input = u->if_contains("input_tokens");
  const json::value* output = u->if_contains("output_tokens");
  if (!input || !output || !input->is_number() || !output->is_number()) return std::nullopt;
  Usage out;
  out.prompt_tokens = count(*u, "input_tokens");
  out.completion_tokens = count(*u, "output_tokens");
  if (const json::value* d = u->if_contains("input_tokens_details"); d && d->is_object()) {
    out.cached_tokens = std::min(out.prompt_tokens, count(d->get_object(), "cached_tokens"));
  }
  if (const json::value* d = u->if_contains("output_tokens_details"); d && d->is_object()) {
    out.reasoning_tokens = std::min(out.completion_tokens, count(d->get_object(), "reasoning_tokens"));
  }
  return out;
}

ResponsesAnswer ReadResponsesAnswer(const json::object& response) {
  ResponsesAnswer out;
  if (const json::value* u = response.if_contains("usage")) out.usage = DecodeResponsesUsage(*u);
  bool calls = false;
  if (const json::value* output = response.if_contains("output"); output && output->is_array()) {
    out.output = output->get_array();
    for (const auto& item : out.output) {
      const json::object* o = item.if_object();
      if (!o) continue;
      std::string_view type = TypeOf(*o);
      if (type == "message") {
        const json::value* content = o->if_contains("content");
        if (!content || !content->is_array()) continue;
        for (const auto& part : content->get_array()) {
          const json::object* p = part.if_object();
          const json::string* text = p ? StringMember(*p, "text") : nullptr;
          if (!text) continue;
          out.text += *text;
          out.generated_chars += static_cast<int64_t>(text->size());
        }
      } else if (type == "function_call") {
        calls = true;
        for (const char* key : {"name", "arguments"}) {
          if (const json::string* s = StringMember(*o, key)) out.generated_chars += static_cast<int64_t>(s->size());
        }
      } else if (type == "reasoning") {
        if (const json::value* summary = o->if_contains("summary"); summary && summary->is_array()) {
          for (const auto& part : summary->get_array()) {
            const json::object* p = part.if_object();
            if (const json::string* text = p ? StringMember(*p, "text") : nullptr) {
              out.generated_chars += static_cast<int64_t>(text->size());
            }
          }
        }
      }
    }
  }
  const json::string* status = StringMember(response, "status");
  if (status && *status == "incomplete") {
    out.finish_reason = "length";
    if (const json::value* d = response.if_contains("incomplete_details"); d && d->is_object()) {
      if (const json::string* reason = StringMember(d->get_object(), "reason"); reason && *reason == "content_filter") {
        out.finish_reason = "content_filter";
      }
    }
  } else if (status && *status == "failed") {
    out.finish_reason = "error";
  } else {
    out.finish_reason = calls ? "tool_calls" : "stop";
  }
  return out;
}

std::string_view ResponsesStatus(std::string_view finish_reason) {
  return finish_reason == "length" || finish_reason == "content_filter" ? "incomplete" : "completed";
}

json::value IncompleteDetails(std::string_view finish_reason) {
  if (finish_reason == "length") return json::object{{"reason", "max_output_tokens"}};
  if (finish_reason == "content_filter") return json::object{{"reason", "content_filter"}};
  return nullptr;
}

json::array ResponsesOutput(const ChatResponse& response, std::string_view id, bool include_reasoning) {
  json::array output;
  if (include_reasoning && !response.reasoning.empty()) {
    json::array summary;
    summary.push_back(SummaryPart(response.reasoning));
    output.push_back(ReasoningItem(ItemId("rs", id, output.size()), std::move(summary)));
  }
  if (response.content && !response.content->empty()) {
    json::array content;
    content.push_back(OutputTextPart(*response.content));
    output.push_back(MessageItem(ItemId("msg", id, output.size()), "completed", std::move(content)));
  }
  for (const auto& call : response.tool_calls) {
    output.push_back(FunctionCallItem(ItemId("fc", id, output.size()), "completed",
                                      call.arguments.empty() ? "{}" : call.arguments, call.id, call.name));
  }
  return output;
}

json::object ResponseObject(const json::object& echo, std::string_view id, std::string_view model, int64_t created_at,
                            std::string_view status, json::array output, json::value usage,
                            std::string_view finish_reason) {
  const bool done = status != "in_progress";
  json::object r;
  r["id"] = id;
  r["object"] = "response";
  r["created_at"] = created_at;
  r["status"] = status;
  r["background"] = false;
  r["completed_at"] = done ? json::value(created_at) : json::value(nullptr);
  r["error"] = nullptr;
  r["incomplete_details"] = done ? IncompleteDetails(finish_reason) : json::value(nullptr);
  for (const char* key : {"instructions", "max_output_tokens", "max_tool_calls"}) r[key] = echo.at(key);
  r["model"] = model;
  r["output"] = std::move(output);
  for (const char* key : {"parallel_tool_calls", "previous_response_id", "reasoning", "store", "temperature", "text",
                          "tool_choice", "tools", "top_p", "truncation"}) {
    r[key] = echo.at(key);
  }
  r["usage"] = std::move(usage);
  r["user"] = echo.at("user");
  r["metadata"] = echo.at("metadata");
  return r;
}

std::string ResponsesErrorEvent(const Error& error) {
  boost::json::object event{
      {"type", "error"}, {"code", std::string(ErrorType(error.code))}, {"message", error.message}, {"param", nullptr}};
  return "event: error\ndata: " + boost::json::serialize(event) + "\n\n";
}

// ---------------------------------------------------------------------------------------------
// ResponsesEventEncoder

std::string ResponsesEventEncoder::Event(std::string_view type, json::object data) {
  json::object event;
  event.reserve(data.size() + 2);
  event["type"] = type;
  for (auto& member : data) event[member.key()] = std::move(member.value());
  event["sequence_number"] = sequence_++;
  return Sse(type, event);
}

void ResponsesEventEncoder::Start(std::string& out) {
  if (started_) return;
  started_ = true;
  json::object response = ResponseObject(echo_, id_, model_, created_at_, "in_progress", json::array(), nullptr, "");
  out += Event("response.created", json::object{{"response", response}});
  out += Event("response.in_progress", json::object{{"response", std::move(response)}});
}

void ResponsesEventEncoder::Open(Item item, std::string& out, const StreamEvent* call) {
  CloseItem(out);
  open_ = item;
  text_.clear();
  const size_t index = output_.size();
  switch (item) {
    case Item::kMessage:
      item_id_ = ItemId("msg", id_, index);
      out +=
          Event("response.output_item.added",
                json::object{{"item", MessageItem(item_id_, "in_progress", json::array())}, {"output_index", index}});
      out += Event(
          "response.content_part.added",
          json::object{
              {"content_index", 0}, {"item_id", item_id_}, {"output_index", index}, {"part", OutputTextPart("")}});
      break;
    case Item::kReasoning:
      item_id_ = ItemId("rs", id_, index);
      out += Event("response.output_item.added",
                   json::object{{"item", ReasoningItem(item_id_, json::array())}, {"output_index", index}});
      out +=
          Event("response.reasoning_summary_part.added",
                json::object{
                    {"item_id", item_id_}, {"output_index", index}, {"part", SummaryPart("")}, {"summary_index", 0}});
      break;
    case Item::kFunctionCall:
      item_id_ = ItemId("fc", id_, index);
      call_id_ = call->tool_id;
      call_name_ = call->tool_name;
      calls_[call->tool_index] = index;
      out += Event("response.output_item.added",
                   json::object{{"item", FunctionCallItem(item_id_, "in_progress", "", call_id_, call_name_)},
                                {"output_index", index}});
      break;
    case Item::kNone:
      break;
  }
  output_.push_back(nullptr);  // its place, filled when it closes
}

void ResponsesEventEncoder::CloseItem(std::string& out) {
  if (open_ == Item::kNone) return;
  const size_t index = output_.size() - 1;
  switch (open_) {
    case Item::kNone:
      return;
    case Item::kMessage: {
      out += Event("response.output_text.done", json::object{{"content_index", 0},
                                                             {"item_id", item_id_},
                                                             {"logprobs", json::array()},
                                                             {"output_index", index},
                                                             {"text", text_}});
      out += Event(
          "response.content_part.done",
          json::object{
              {"content_index", 0}, {"item_id", item_id_}, {"output_index", index}, {"part", OutputTextPart(text_)}});
      json::array content;
      content.push_back(OutputTextPart(text_));
      output_[index] = MessageItem(item_id_, "completed", std::move(content));
      break;
    }
    case Item::kReasoning: {
      out += Event("response.reasoning_summary_text.done",
                   json::object{{"item_id", item_id_}, {"output_index", index}, {"summary_index", 0}, {"text", text_}});
      out += Event(
          "response.reasoning_summary_part.done",
          json::object{
              {"item_id", item_id_}, {"output_index", index}, {"part", SummaryPart(text_)}, {"summary_index", 0}});
      json::array summary;
      summary.push_back(SummaryPart(text_));
      output_[index] = ReasoningItem(item_id_, std::move(summary));
      break;
    }
    case Item::kFunctionCall: {
      if (text_.empty()) text_ = "{}";
      out += Event("response.function_call_arguments.done",
                   json::object{{"arguments", text_}, {"item_id", item_id_}, {"output_index", index}});
      output_[index] = FunctionCallItem(item_id_, "completed", text_, call_id_, call_name_);
      break;
    }
  }
  out += Event("response.output_item.done", json::object{{"item", output_[index]}, {"output_index", index}});
  open_ = Item::kNone;
}

std::string ResponsesEventEncoder::Encode(const StreamEvent& e) {
  std::string out;
  switch (e.type) {
    case StreamEvent::Type::kStart:
      Start(out);
      break;
    case StreamEvent::Type::kText:
      if (e.text.empty()) break;
      Start(out);
      if (open_ != Item::kMessage) Open(Item::kMessage, out);
      text_ += e.text;
      out += Event("response.output_text.delta", json::object{{"content_index", 0},
                                                              {"delta", e.text},
                                                              {"item_id", item_id_},
                                                              {"logprobs", json::array()},
                                                              {"output_index", output_.size() - 1}});
      break;
    case StreamEvent::Type::kReasoning:
      if (!include_reasoning_ || e.text.empty()) break;
      Start(out);
      if (open_ != Item::kReasoning) Open(Item::kReasoning, out);
      text_ += e.text;
      out += Event(
          "response.reasoning_summary_text.delta",
          json::object{
              {"delta", e.text}, {"item_id", item_id_}, {"output_index", output_.size() - 1}, {"summary_index", 0}});
      break;
    case StreamEvent::Type::kToolCallStart:
      Start(out);
      Open(Item::kFunctionCall, out, &e);
      if (!e.text.empty()) {
        text_ += e.text;
        out += Event("response.function_call_arguments.delta",
                     json::object{{"delta", e.text}, {"item_id", item_id_}, {"output_index", output_.size() - 1}});
      }
      break;
    case StreamEvent::Type::kToolCallArgs: {
      if (e.text.empty()) break;
      auto it = calls_.find(e.tool_index);
      if (it == calls_.end()) break;  // arguments before their call: not a stream any decoder yields
      if (open_ == Item::kFunctionCall && it->second == output_.size() - 1) {
        text_ += e.text;
        out += Event("response.function_call_arguments.delta",
                     json::object{{"delta", e.text}, {"item_id", item_id_}, {"output_index", it->second}});
      } else if (json::object* item = output_[it->second].if_object()) {
        // A call whose item closed already (parallel calls interleaved): its item is completed late.
        std::string arguments(item->at("arguments").as_string());
        if (arguments == "{}") arguments.clear();
        item->at("arguments") = arguments + e.text;
      }
      break;
    }
    case StreamEvent::Type::kFinish:
      finish_reason_ = e.finish_reason;
      break;
    case StreamEvent::Type::kUsage:
    case StreamEvent::Type::kError:
      break;
  }
  return out;
}

std::string ResponsesEventEncoder::Close(const json::object& usage) {
  std::string out;
  Start(out);
  CloseItem(out);
  const std::string_view status = ResponsesStatus(finish_reason_);
  json::object response = ResponseObject(echo_, id_, model_, created_at_, status, output_, usage, finish_reason_);
  out += Event(status == "completed" ? "response.completed" : "response.incomplete",
               json::object{{"response", std::move(response)}});
  return out;
}

}  // namespace turnpike::protocol
