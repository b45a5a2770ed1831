#include "protocol/anthropic_messages.h"

#include <algorithm>
#include <boost/json.hpp>
#include <cmath>

#include "common/error_table.h"
#include "protocol/json_members.h"
#include "protocol/openrouter_request.h"

namespace turnpike::protocol {
namespace json = boost::json;

namespace {

Error Bad(std::string message) { return MakeError(ErrorCode::kBadRequest, std::move(message)); }

std::string Sse(std::string_view type, const json::object& data) {
  std::string out = "event: ";
  out += type;
  out += "\ndata: ";
  out += json::serialize(data);
  out += "\n\n";
  return out;
}

// Reads one request as it goes: the canonical request, its size, and what only Anthropic can do.
class Reader {
 public:
  explicit Reader(MessagesRequest& out) : out_(out) {}

  Status System(const json::value& system) {
    Message m;
    m.role = Role::kSystem;
    if (system.is_string()) {
      m.content.push_back(Text(system.get_string()));
    } else if (system.is_array()) {
      for (const auto& block : system.get_array()) {
        const json::object* b = block.if_object();
        const json::value* text = b ? b->if_contains("text") : nullptr;
        if (!b || !text || !text->is_string() || !IsType(*b, "text")) {
          return Bad("system: each block must be a text block with a string `text`");
        }
        m.content.push_back(Text(text->get_string()));
      }
    } else {
      return Bad("system: Input should be a valid string or a list of text blocks");
    }
    if (!m.content.empty()) out_.chat.messages.push_back(std::move(m));
    return OkStatus();
  }

  Status Messages(const json::value& messages) {
    if (!messages.is_array()) return Bad("messages: Input should be a valid list");
    if (messages.get_array().empty()) return Bad("messages: at least one message is required");
    size_t i = 0;
    for (const auto& item : messages.get_array()) {
      const std::string where = "messages." + std::to_string(i++);
      const json::object* m = item.if_object();
      if (!m) return Bad(where + ": Input should be a valid dictionary");
      const json::value* role = m->if_contains("role");
      if (!role || !role->is_string()) return Bad(where + ".role: Field required");
      const json::value* content = m->if_contains("content");
      if (!content) return Bad(where + ".content: Field required");
      if (role->get_string() == "user") {
        if (Status s = User(*content, where); !s.ok()) return s;
      } else if (role->get_string() == "assistant") {
        if (Status s = Assistant(*content, where); !s.ok()) return s;
      } else {
        return Bad(where + ".role: Input should be 'user' or 'assistant'");
      }
    }
    return OkStatus();
  }

  Status Tools(const json::value& tools) {
    if (!tools.is_array()) return Bad("tools: Input should be a valid list");
    size_t i = 0;
    for (const auto& item : tools.get_array()) {
      const std::string where = "tools." + std::to_string(i++);
      const json::object* t = item.if_object();
      if (!t) return Bad(where + ": Input should be a valid dictionary");
      out_.info.prompt_chars += JsonSize(item);
      const json::value* type = t->if_contains("type");
      if (type && !(type->is_string() && type->get_string() == "custom") && !type->is_null()) {
        // A server tool (web search, code execution, …): Anthropic runs it.
        Untranslatable("the server tool " + (type->is_string() ? std::string(type->get_string()) : "?"));
        continue;
      }
      const json::value* name = t->if_contains("name");
      if (!name || !name->is_string() || name->get_string().empty()) return Bad(where + ".name: Field required");
      const json::value* schema = t->if_contains("input_schema");
      if (!schema || !schema->is_object()) return Bad(where + ".input_schema: Field required");
      Tool tool;
      tool.name = name->get_string();
      if (const json::value* d = t->if_contains("description"); d && d->is_string()) tool.description = d->get_string();
      tool.parameters_json = json::serialize(*schema);
      if (const json::value* strict = t->if_contains("strict"); strict && strict->is_bool()) {
        tool.strict = strict->get_bool();
      }
      out_.chat.tools.push_back(std::move(tool));
    }
    return OkStatus();
  }

  Status Choice(const json::value& choice) {
    const json::object* c = choice.if_object();
    const json::value* type = c ? c->if_contains("type") : nullptr;
    if (!type || !type->is_string()) return Bad("tool_choice.type: Field required");
    const std::string_view t = type->get_string();
    ToolChoice& out = out_.chat.tool_choice;
    if (t == "auto") {
      out.mode = ToolChoice::Mode::kAuto;
    } else if (t == "any") {
      out.mode = ToolChoice::Mode::kRequired;
    } else if (t == "none") {
      out.mode = ToolChoice::Mode::kNone;
    } else if (t == "tool") {
      const json::value* name = c->if_contains("name");
      if (!name || !name->is_string()) return Bad("tool_choice.name: Field required");
      out.mode = ToolChoice::Mode::kFunction;
      out.function = name->get_string();
    } else {
      return Bad("tool_choice.type: Input should be 'auto', 'any', 'tool' or 'none'");
    }
    if (const json::value* d = c->if_contains("disable_parallel_tool_use"); d && d->is_bool()) {
      out_.chat.parallel_tool_calls = !d->get_bool();
    }
    return OkStatus();
  }

 private:
  static bool IsType(const json::object& block, std::string_view type) {
    const json::value* t = block.if_contains("type");
    return t && t->is_string() && t->get_string() == type;
  }
  static ContentPart Text(std::string_view text) {
    ContentPart p;
    p.text = std::string(text);
    return p;
  }
  void Untranslatable(std::string what) {
    if (out_.untranslatable.empty()) out_.untranslatable = std::move(what);
  }

  // The blocks of a message's content (a string is one text block), checked.
  static Result<std::vector<const json::object*>> Blocks(const json::value& content, const std::string& where,
                                                         std::vector<json::object>& owned) {
    std::vector<const json::object*> blocks;
    if (content.is_string()) {
      owned.push_back(json::object{{"type", "text"}, {"text", content.get_string()}});
      blocks.push_back(&owned.back());
      return blocks;
    }
    if (!content.is_array()) return Bad(where + ".content: Input should be a valid string or list");
    size_t i = 0;
    for (const auto& block : content.get_array()) {
      const json::object* b = block.if_object();
      const json::value* type = b ? b->if_contains("type") : nullptr;
      if (!type || !type->is_string()) {
        return Bad(where + ".content." + std::to_string(i) + ".type: Field required");
      }
      blocks.push_back(b);
      ++i;
    }
    return blocks;
  }

  // A text block's part, its characters counted toward the prompt.
  Result<ContentPart> TextBlock(const json::object& block, const std::string& where) {
    const json::value* text = block.if_contains("text");
    if (!text || !text->is_string()) return Bad(where + ".text: Field required");
    out_.info.prompt_chars += static_cast<int64_t>(text->get_string().size());
    return Text(text->get_string());
  }

  Result<ContentPart> Image(const json::object& block, const std::string& where) {
    const json::object* source = block.contains("source") ? block.at("source").if_object() : nullptr;
    const json::value* type = source ? source->if_contains("type") : nullptr;
    if (!type || !type->is_string()) return Bad(where + ".source: Field required");
    ContentPart p;
    p.kind = ContentPart::Kind::kImage;
    if (type->get_string() == "base64") {
      const json::value* media = source->if_contains("media_type");
      const json::value* data = source->if_contains("data");
      if (!media || !media->is_string() || !data || !data->is_string()) {
        return Bad(where + ".source: a base64 image needs `media_type` and `data` strings");
      }
      p.image_url = "data:" + std::string(media->get_string()) + ";base64," + std::string(data->get_string());
    } else if (type->get_string() == "url") {
      const json::value* url = source->if_contains("url");
      if (!url || !url->is_string()) return Bad(where + ".source.url: Field required");
      p.image_url = url->get_string();
    } else {
      Untranslatable("an image source of type " + std::string(type->get_string()));
      return p;
    }
    ++out_.info.images;
    return p;
  }

  // Calls `each(block, at, type)` for each checked block of a message's content (a string is one
  // text block), stopping at the first error.
  template <class Each>
  static Status EachBlock(const json::value& content, const std::string& where, const Each& each) {
    std::vector<json::object> owned;
    owned.reserve(1);
    auto blocks = Blocks(content, where, owned);
    if (!blocks.ok()) return blocks.error();
    size_t i = 0;
    for (const json::object* b : *blocks) {
      Status s = each(*b, where + ".content." + std::to_string(i++), b->at("type").get_string());
      if (!s.ok()) return s;
    }
    return OkStatus();
  }

  // A text or image block into `parts`; any other is counted toward the prompt, noted as what only
  // Anthropic serves (`in` says where it stood), and left out.
  Status Part(const json::object& b, const std::string& at, std::string_view type, std::vector<ContentPart>& parts,
              std::string_view in = "") {
    Result<ContentPart> part = MakeError(ErrorCode::kInternal, "");
    if (type == "text") {
      part = TextBlock(b, at);
    } else if (type == "image") {
      part = Image(b, at);
    } else {
      out_.info.prompt_chars += JsonSize(json::value(b));
      Untranslatable("a " + std::string(type) + " block" + std::string(in));
      return OkStatus();
    }
    if (!part.ok()) return part.error();
    parts.push_back(std::move(*part));
    return OkStatus();
  }

  Status User(const json::value& content, const std::string& where) {
    Message user;
    user.role = Role::kUser;
    Status read = EachBlock(content, where, [&](const json::object& b, const std::string& at, std::string_view type) {
      if (type != "tool_result") return Part(b, at, type, user.content);
      const json::value* id = b.if_contains("tool_use_id");
      if (!id || !id->is_string()) return Status(Bad(at + ".tool_use_id: Field required"));
      Message result;
      result.role = Role::kTool;
      result.tool_call_id = id->get_string();
      if (const json::value* inner = b.if_contains("content"); inner && !inner->is_null()) {
        Status parts = EachBlock(*inner, at, [&](const json::object& p, const std::string& in, std::string_view t) {
          return Part(p, in, t, result.content, " in a tool result");
        });
        if (!parts.ok()) return parts;
      }
      if (const json::value* e = b.if_contains("is_error"); e && e->is_bool() && e->get_bool()) {
        result.content.insert(result.content.begin(), Text("Error: "));
      }
      out_.chat.messages.push_back(std::move(result));
      return OkStatus();
    });
    if (!read.ok()) return read;
    if (!user.content.empty()) out_.chat.messages.push_back(std::move(user));
    return OkStatus();
  }

  Status Assistant(const json::value& content, const std::string& where) {
    Message m;
    m.role = Role::kAssistant;
    Status read = EachBlock(content, where, [&](const json::object& b, const std::string& at, std::string_view type) {
      if (type == "tool_use") {
        const json::value* id = b.if_contains("id");
        const json::value* name = b.if_contains("name");
        const json::value* input = b.if_contains("input");
        if (!id || !id->is_string() || !name || !name->is_string()) {
          return Status(Bad(at + ": tool_use needs `id` and `name`"));
        }
        if (!input || !input->is_object()) return Status(Bad(at + ".input: Input should be a valid dictionary"));
        ToolCall call;
        call.id = id->get_string();
        call.name = name->get_string();
        call.arguments = json::serialize(*input);
        out_.info.prompt_chars += static_cast<int64_t>(call.name.size() + call.arguments.size());
        m.tool_calls.push_back(std::move(call));
        return OkStatus();
      }
      if (type == "thinking" || type == "redacted_thinking") {
        // Earlier thinking: Anthropic needs it back signed; other providers do without it.
        out_.info.prompt_chars += JsonSize(json::value(b));
        return OkStatus();
      }
      if (type == "image") {  // Anthropic takes images from the user only
        out_.info.prompt_chars += JsonSize(json::value(b));
        Untranslatable("an image block in an assistant turn");
        return OkStatus();
      }
      return Part(b, at, type, m.content);
    });
    if (!read.ok()) return read;
    if (!m.content.empty() || !m.tool_calls.empty()) out_.chat.messages.push_back(std::move(m));
    return OkStatus();
  }

  MessagesRequest& out_;
};

// A number member: absent is fine; present must be a finite number.
Result<std::optional<double>> Number(const json::object& root, std::string_view name) {
  const json::value* v = root.if_contains(name);
  if (!v || v->is_null()) return std::optional<double>();
  if (!v->is_number()) return Bad(std::string(name) + ": Input should be a valid number");
  double d = v->to_number<double>();
  if (!std::isfinite(d)) return Bad(std::string(name) + ": Input should be a finite number");
  return std::optional<double>(d);
}

}  // namespace

Result<MessagesRequest> ReadMessagesRequest(const json::value& body) {
  const json::object* root = body.if_object();
  if (!root) return Bad("The request body must be a JSON object");
  if (!AllNumbersFinite(body)) return Bad("The request body holds a number beyond a double's range");
  MessagesRequest out;
  const json::value* model = root->if_contains("model");
  if (!model || !model->is_string() || model->get_string().empty()) return Bad("model: Field required");
  out.info.model = model->get_string();
  out.chat.model = out.info.model;
  const json::value* max_tokens = root->if_contains("max_tokens");
  if (!max_tokens || max_tokens->is_null()) return Bad("max_tokens: Field required");
  auto limit = WholeNumber(*max_tokens);
  if (!limit) return Bad("max_tokens: Input should be a valid integer");
  if (*limit < 1) return Bad("max_tokens: Input should be greater than or equal to 1");
  out.info.max_tokens = *limit;
  out.chat.max_tokens = *limit;
  out.parameters.push_back("max_tokens");
  if (const json::value* stream = root->if_contains("stream"); stream && !stream->is_null()) {
    if (!stream->is_bool()) return Bad("stream: Input should be a valid boolean");
    out.info.stream = stream->get_bool();
    out.chat.stream = out.info.stream;
    out.chat.include_usage = true;
  }
  Reader reader(out);
  if (const json::value* system = root->if_contains("system"); system && !system->is_null()) {
    if (Status s = reader.System(*system); !s.ok()) return s.error();
  }
  const json::value* messages = root->if_contains("messages");
  if (!messages) return Bad("messages: Field required");
  if (Status s = reader.Messages(*messages); !s.ok()) return s.error();
  if (const json::value* tools = root->if_contains("tools"); tools && !tools->is_null()) {
    if (Status s = reader.Tools(*tools); !s.ok()) return s.error();
    if (!tools->get_array().empty()) out.parameters.push_back("tools");
  }
  if (const json::value* choice = root->if_contains("tool_choice"); choice && !choice->is_null()) {
    if (Status s = reader.Choice(*choice); !s.ok()) return s.error();
    out.parameters.push_back("tool_choice");
  }
  for (const char* name : {"temperature", "top_p"}) {
    auto n = Number(*root, name);
    if (!n.ok()) return n.error();
    if (!*n) continue;
    (std::string_view(name) == "temperature" ? out.chat.temperature : out.chat.top_p) = **n;
    out.parameters.emplace_back(name);
  }
  if (const json::value* top_k = root->if_contains("top_k"); top_k && !top_k->is_null()) {
    if (!WholeNumber(*top_k)) return Bad("top_k: Input should be a valid integer");
    out.parameters.emplace_back("top_k");  // Anthropic's and Gemini's; OpenAI has none
  }
  if (const json::value* stops = root->if_contains("stop_sequences"); stops && !stops->is_null()) {
    if (!stops->is_array()) return Bad("stop_sequences: Input should be a valid list");
    for (const auto& s : stops->get_array()) {
      if (!s.is_string()) return Bad("stop_sequences: each item should be a valid string");
      out.chat.stop.emplace_back(s.get_string());
    }
    if (!out.chat.stop.empty()) out.parameters.emplace_back("stop");
  }
  if (const json::value* thinking = root->if_contains("thinking"); thinking && !thinking->is_null()) {
    const json::object* t = thinking->if_object();
    const json::value* type = t ? t->if_contains("type") : nullptr;
    if (!type || !type->is_string()) return Bad("thinking.type: Field required");
    if (type->get_string() == "enabled") {
      const json::value* budget = t->if_contains("budget_tokens");
      auto n = budget ? WholeNumber(*budget) : std::nullopt;
      if (!n) return Bad("thinking.budget_tokens: Field required");
      if (*n < 1024) return Bad("thinking.budget_tokens: Input should be greater than or equal to 1024");
      if (*n >= *limit) return Bad("`max_tokens` must be greater than `thinking.budget_tokens`");
      out.thinking_budget = *n;
      out.info.reasoning = true;
      out.parameters.emplace_back("reasoning");
    } else if (type->get_string() == "adaptive") {
      out.info.reasoning = true;
      out.parameters.emplace_back("reasoning");
    } else if (type->get_string() != "disabled") {
      return Bad("thinking.type: Input should be 'enabled', 'adaptive' or 'disabled'");
    }
  }
  if (const json::value* metadata = root->if_contains("metadata"); metadata && !metadata->is_null()) {
    if (!metadata->is_object()) return Bad("metadata: Input should be a valid dictionary");
    if (const json::value* user = metadata->get_object().if_contains("user_id"); user && user->is_string()) {
      out.chat.user = user->get_string();
    }
  }
  bool has_turn = std::any_of(out.chat.messages.begin(), out.chat.messages.end(),
                              [](const Message& m) { return m.role != Role::kSystem; });
  if (!has_turn) return Bad("messages: at least one message with content is required");
  return out;
}

std::string RelayMessagesBody(std::string_view raw, const json::value& parsed, const std::string& upstream_model,
                              int64_t output_limit) {
  std::string text = RemoveMembers(raw, [](std::string_view key, std::string_view) { return IsGatewayMember(key); });
  auto layout = ScanObject(text);
  if (!layout) return text;  // cannot happen: `raw` parsed as an object
  std::vector<Edit> edits;
  edits.push_back(SetMember(text, *layout, "model", json::serialize(json::string(upstream_model))));
  const json::object& root = parsed.get_object();
  int64_t max_tokens = root.contains("max_tokens") ? WholeNumber(root.at("max_tokens")).value_or(0) : 0;
  if (output_limit > 0 && max_tokens > output_limit) {
    max_tokens = output_limit;
    edits.push_back(SetMember(text, *layout, "max_tokens", std::to_string(max_tokens)));
    // The thinking budget must stay below max_tokens.
    const json::object* thinking = root.contains("thinking") ? root.at("thinking").if_object() : nullptr;
    const json::value* budget = thinking ? thinking->if_contains("budget_tokens") : nullptr;
    if (auto n = budget ? WholeNumber(*budget) : std::nullopt; n && *n >= max_tokens) {
      json::object lowered = *thinking;
      lowered["budget_tokens"] = std::max<int64_t>(1024, max_tokens / 2);
      edits.push_back(SetMember(text, *layout, "thinking",
                                max_tokens > 1024 ? json::serialize(lowered) : R"({"type":"disabled"})"));
    }
  }
  return ApplyEdits(text, std::move(edits));
}

std::string_view AnthropicErrorType(ErrorCode code) {
  switch (code) {
    case ErrorCode::kBadRequest:
    case ErrorCode::kConflict:
      return "invalid_request_error";
    case ErrorCode::kUnauthorized:
      return "authentication_error";
    case ErrorCode::kPaymentRequired:
      return "billing_error";
    case ErrorCode::kForbidden:
      return "permission_error";
    case ErrorCode::kNotFound:
      return "not_found_error";
    case ErrorCode::kTimeout:
      return "timeout_error";
    case ErrorCode::kTooLarge:
      return "request_too_large";
    case ErrorCode::kRateLimited:
      return "rate_limit_error";
    case ErrorCode::kUnavailable:
      return "overloaded_error";
    case ErrorCode::kInternal:
    case ErrorCode::kUpstream:
      break;
  }
  return "api_error";
}

namespace {

json::object ErrorObject(const Error& error) {
  return json::object{{"type", "error"},
                      {"error", json::object{{"type", AnthropicErrorType(error.code)}, {"message", error.message}}}};
}

}  // namespace

std::string AnthropicErrorBody(const Error& error) { return json::serialize(ErrorObject(error)); }

std::string AnthropicErrorEvent(const Error& error) { return Sse("error", ErrorObject(error)); }

std::string_view AnthropicStopReason(std::string_view finish_reason) {
  if (finish_reason == "length") return "max_tokens";
  if (finish_reason == "tool_calls") return "tool_use";
  if (finish_reason == "content_filter") return "refusal";
  return "end_turn";
}

json::object AnthropicUsage(const Usage& usage) {
  const int64_t input = std::max<int64_t>(0, usage.prompt_tokens - usage.cached_tokens - usage.cache_write_tokens);
  return json::object{{"input_tokens", input},
                      {"cache_creation_input_tokens", usage.cache_write_tokens},
                      {"cache_read_input_tokens", usage.cached_tokens},
                      {"output_tokens", usage.completion_tokens}};
}

namespace {

json::value ToolInput(const std::string& arguments) {
  boost::system::error_code ec;
  json::value v = json::parse(arguments.empty() ? std::string_view("{}") : std::string_view(arguments), ec);
  if (ec || !v.is_object()) return json::object{};
  return v;
}

}  // namespace

std::string EncodeMessage(const ChatResponse& response, std::string_view id, std::string_view model, const Usage& usage,
                          bool include_reasoning) {
  json::array content;
  if (include_reasoning && !response.reasoning.empty()) {
    content.push_back(json::object{{"type", "thinking"}, {"thinking", response.reasoning}, {"signature", ""}});
  }
  if (response.content && !response.content->empty()) {
    content.push_back(json::object{{"type", "text"}, {"text", *response.content}});
  }
  for (const auto& call : response.tool_calls) {
    content.push_back(
        json::object{{"type", "tool_use"}, {"id", call.id}, {"name", call.name}, {"input", ToolInput(call.arguments)}});
  }
  json::object message{{"id", id},
                       {"type", "message"},
                       {"role", "assistant"},
                       {"model", model},
                       {"content", std::move(content)},
                       {"stop_reason", AnthropicStopReason(response.finish_reason)},
                       {"stop_sequence", nullptr},
                       {"usage", AnthropicUsage(usage)}};
  return json::serialize(message);
}

void MessagesEventEncoder::Start(std::string& out) {
  if (started_) return;
  started_ = true;
  json::object message{{"id", id_},
                       {"type", "message"},
                       {"role", "assistant"},
                       {"model", model_},
                       {"content", json::array()},
                       {"stop_reason", nullptr},
                       {"stop_sequence", nullptr},
                       {"usage", AnthropicUsage(Usage{})}};
  out += Sse("message_start", json::object{{"type", "message_start"}, {"message", std::move(message)}});
  out += Sse("ping", json::object{{"type", "ping"}});
}

void MessagesEventEncoder::Open(Block block, std::string& out, const StreamEvent* tool) {
  CloseBlock(out);
  open_ = block;
  ++index_;
  json::object content;
  switch (block) {
    case Block::kText:
      content = {{"type", "text"}, {"text", ""}};
      break;
    case Block::kThinking:
      content = {{"type", "thinking"}, {"thinking", ""}, {"signature", ""}};
      break;
    case Block::kTool:
      content = {{"type", "tool_use"}, {"id", tool->tool_id}, {"name", tool->tool_name}, {"input", json::object{}}};
      tool_index_ = tool->tool_index;
      tool_blocks_[tool_index_] = index_;
      break;
    case Block::kNone:
      return;
  }
  out += Sse("content_block_start",
             json::object{{"type", "content_block_start"}, {"index", index_}, {"content_block", std::move(content)}});
}

void MessagesEventEncoder::CloseBlock(std::string& out) {
  if (open_ == Block::kNone) return;
  out += Sse("content_block_stop", json::object{{"type", "content_block_stop"}, {"index", index_}});
  open_ = Block::kNone;
}

std::string MessagesEventEncoder::Encode(const StreamEvent& event) {
  std::string out;
  Start(out);
  auto delta = [&](json::object d) {
    out += Sse("content_block_delta",
               json::object{{"type", "content_block_delta"}, {"index", index_}, {"delta", std::move(d)}});
  };
  switch (event.type) {
    case StreamEvent::Type::kText:
      if (event.text.empty()) break;
      if (open_ != Block::kText) Open(Block::kText, out);
      delta({{"type", "text_delta"}, {"text", event.text}});
      break;
    case StreamEvent::Type::kReasoning:
      if (!include_reasoning_ || event.text.empty()) break;
      if (open_ != Block::kThinking) Open(Block::kThinking, out);
      delta({{"type", "thinking_delta"}, {"thinking", event.text}});
      break;
    case StreamEvent::Type::kToolCallStart:
      Open(Block::kTool, out, &event);
      break;
    case StreamEvent::Type::kToolCallArgs:
      if (event.text.empty()) break;
      if (open_ == Block::kTool && tool_index_ == event.tool_index) {
        delta({{"type", "input_json_delta"}, {"partial_json", event.text}});
      } else if (auto b = tool_blocks_.find(event.tool_index); b != tool_blocks_.end()) {
        // Arguments of an earlier call (a provider interleaving them): to that call's block.
        out += Sse("content_block_delta",
                   json::object{{"type", "content_block_delta"},
                                {"index", b->second},
                                {"delta", json::object{{"type", "input_json_delta"}, {"partial_json", event.text}}}});
      }
      break;
    case StreamEvent::Type::kFinish:
      stop_reason_ = std::string(AnthropicStopReason(event.finish_reason));
      break;
    case StreamEvent::Type::kStart:
    case StreamEvent::Type::kUsage:
    case StreamEvent::Type::kError:
      break;
  }
  return out;
}

std::string MessagesEventEncoder::Close(const Usage& usage) {
  std::string out;
  Start(out);
  CloseBlock(out);
  out += Sse("message_delta",
             json::object{{"type", "message_delta"},
                          {"delta", json::object{{"stop_reason", stop_reason_}, {"stop_sequence", nullptr}}},
                          {"usage", AnthropicUsage(usage)}});
  out += Sse("message_stop", json::object{{"type", "message_stop"}});
  return out;
}

}  // namespace turnpike::protocol
