// Encodes canonical answers in OpenAI's Chat Completions dialect: the non-streaming
// chat.completion body and the stream's chat.completion.chunk events. The shapes satisfy the
// official openai SDK and @openrouter/sdk (which rejects null usage/system_fingerprint in chunks).
#pragma once

#include <boost/json/fwd.hpp>
#include <cstdint>
#include <string>
#include <string_view>

#include "protocol/canonical.h"

namespace turnpike::protocol {

// OpenAI's usage object for `usage` (prompt_tokens_details, completion_tokens_details).
boost::json::object UsageJson(const Usage& usage);

// The chat.completion body. `usage_json` is the usage object's JSON text (with any extras such
// as cost already in it). A non-empty `provider` adds OpenRouter's `provider` member (the name
// of the provider that served the answer) after `model`.
std::string EncodeChatCompletion(const ChatResponse& response, std::string_view id, std::string_view model,
                                 int64_t created, const std::string& usage_json, std::string_view provider = {});

// Turns canonical stream events into `data: {chunk}\n\n` text. Not thread-safe.
class OpenAiChunkEncoder {
 public:
  // A non-empty `provider` names the provider in every chunk (OpenRouter's `provider` member)
  // and keeps `model` as given; otherwise kStart may replace the model with the provider's.
  OpenAiChunkEncoder(std::string id, std::string model, int64_t created, std::string provider = {})
      : id_(std::move(id)), model_(std::move(model)), provider_(std::move(provider)), created_(created) {}

  // The SSE text for one event ("" for events that produce no chunk: kUsage, kError).
  std::string Encode(const StreamEvent& event);
  // After the last event: a finish chunk if none was sent ("stop"), then, when `usage_json` is
  // not empty, the usage chunk (`choices: []`). Does not write [DONE].
  std::string Close(const std::string& usage_json);

  const std::string& model() const { return model_; }

 private:
  std::string Chunk(boost::json::object delta, const char* finish_reason);

  // The members every chunk begins with: id, object, created, model (and provider).
  boost::json::object Head() const;

  std::string id_;
  std::string model_;
  std::string provider_;
  int64_t created_;
  bool started_ = false;
  bool finished_ = false;
};

}  // namespace turnpike::protocol
