#include "protocol/openai_encode.h"

#include <boost/json.hpp>

namespace turnpike::protocol {
namespace json = boost::json;

namespace {

constexpr std::string_view kUsagePlaceholder = "\"__turnpike_usage__\"";

json::object ToolCallJson(const ToolCall& call, int index, bool with_index) {
  json::object o;
  if (with_index) o["index"] = index;
  o["id"] = call.id;
  o["type"] = "function";
  o["function"] = json::object{{"name", call.name}, {"arguments", call.arguments}};
  return o;
}

}  // namespace

json::object UsageJson(const Usage& u) {
  json::object prompt_details{{"cached_tokens", u.cached_tokens}};
  if (u.cache_write_tokens > 0) prompt_details["cache_write_tokens"] = u.cache_write_tokens;
  return json::object{{"prompt_tokens", u.prompt_tokens},
                      {"completion_tokens", u.completion_tokens},
                      {"total_tokens", u.prompt_tokens + u.completion_tokens},
                      {"prompt_tokens_details", std::move(prompt_details)},
                      {"completion_tokens_details", json::object{{"reasoning_tokens", u.reasoning_tokens}}}};
}

std::string EncodeChatCompletion(const ChatResponse& r, std::string_view id, std::string_view model, int64_t created,
                                 const std::string& usage_json, std::string_view provider) {
  json::object message;
  message["role"] = "assistant";
  message["content"] = r.content ? json::value(*r.content) : json::value(nullptr);
  message["refusal"] = nullptr;
  if (!r.reasoning.empty()) message["reasoning"] = r.reasoning;
  if (!r.tool_calls.empty()) {
    json::array calls;
    for (const auto& c : r.tool_calls) calls.push_back(ToolCallJson(c, 0, false));
    message["tool_calls"] = std::move(calls);
  }
  json::object choice{{"index", 0},
                      {"message", std::move(message)},
                      {"logprobs", nullptr},
                      {"finish_reason", r.finish_reason.empty() ? "stop" : r.finish_reason}};
  json::object root{{"id", id}, {"object", "chat.completion"}, {"created", created}, {"model", model}};
  if (!provider.empty()) root["provider"] = provider;
  json::array choices;
  choices.push_back(std::move(choice));
  root["choices"] = std::move(choices);
  root["usage"] = "__turnpike_usage__";
  root["system_fingerprint"] = nullptr;
  std::string text = json::serialize(root);
  text.replace(text.find(kUsagePlaceholder), kUsagePlaceholder.size(), usage_json);
  return text;
}

json::object OpenAiChunkEncoder::Head() const {
  json::object chunk{{"id", id_}, {"object", "chat.completion.chunk"}, {"created", created_}, {"model", model_}};
  if (!provider_.empty()) chunk["provider"] = provider_;
  return chunk;
}

std::string OpenAiChunkEncoder::Chunk(json::object delta, const char* finish_reason) {
  json::object choice{{"index", 0}, {"delta", std::move(delta)}, {"logprobs", nullptr}};
  choice["finish_reason"] = finish_reason ? json::value(finish_reason) : json::value(nullptr);
  json::array choices;
  choices.push_back(std::move(choice));
  json::object chunk = Head();
  chunk["choices"] = std::move(choices);
  return "data: " + json::serialize(chunk) + "\n\n";
}

std::string OpenAiChunkEncoder::Encode(const StreamEvent& e) {
  std::string out;
  using T = StreamEvent::Type;
  if (e.type == T::kUsage || e.type == T::kError) return out;
  if (e.type == T::kStart && !e.model.empty() && provider_.empty()) model_ = e.model;
  if (!started_) {
    started_ = true;
    out += Chunk(json::object{{"role", "assistant"}, {"content", ""}}, nullptr);
  }
  switch (e.type) {
    case T::kText:
      if (!e.text.empty()) out += Chunk(json::object{{"content", e.text}}, nullptr);
      break;
    case T::kReasoning:
      if (!e.text.empty()) out += Chunk(json::object{{"reasoning", e.text}}, nullptr);
      break;
    case T::kToolCallStart: {
      json::array calls;
      calls.push_back(json::object{{"index", e.tool_index},
                                   {"id", e.tool_id},
                                   {"type", "function"},
                                   {"function", json::object{{"name", e.tool_name}, {"arguments", ""}}}});
      out += Chunk(json::object{{"tool_calls", std::move(calls)}}, nullptr);
      break;
    }
    case T::kToolCallArgs: {
      if (e.text.empty()) break;
      json::array calls;
      calls.push_back(json::object{{"index", e.tool_index}, {"function", json::object{{"arguments", e.text}}}});
      out += Chunk(json::object{{"tool_calls", std::move(calls)}}, nullptr);
      break;
    }
    case T::kFinish:
      if (!finished_) {
        finished_ = true;
        out += Chunk(json::object{}, e.finish_reason.empty() ? "stop" : e.finish_reason.c_str());
      }
      break;
    default:
      break;
  }
  return out;
}

std::string OpenAiChunkEncoder::Close(const std::string& usage_json) {
  std::string out;
  StreamEvent event;
  if (!started_) {
    event.type = StreamEvent::Type::kStart;
    out += Encode(event);
  }
  if (!finished_) {
    event.type = StreamEvent::Type::kFinish;
    out += Encode(event);
  }
  if (!usage_json.empty()) {
    json::object chunk = Head();
    chunk["choices"] = json::array{};
    chunk["usage"] = "__turnpike_usage__";
    std::string text = json::serialize(chunk);
    text.replace(text.find(kUsagePlaceholder), kUsagePlaceholder.size(), usage_json);
    out += "data: " + text + "\n\n";
  }
  return out;
}

}  // namespace turnpike::protocol
