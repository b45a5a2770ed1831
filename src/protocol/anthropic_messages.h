// Anthropic's Messages API as a client dialect (POST /api/v1/messages): its requests read into
// the canonical chat types, and canonical answers and stream events written back in Anthropic's
// exact shapes (docs/protocols.md, "Anthropic Messages ingress"). Requests to models Anthropic
// serves go upstream as the client wrote them (RelayMessagesBody); these are for the others.
// Pure: no I/O.
#pragma once

#include <boost/json/fwd.hpp>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "protocol/canonical.h"
#include "protocol/openai_chat.h"

namespace turnpike::protocol {

// A Messages request, checked and read.
struct MessagesRequest {
  ChatRequestInfo info;  // model, stream, max_tokens, thinking, the prompt's size and images
  ChatRequest chat;      // the canonical request, for providers that are not Anthropic
  // Why the request cannot be expressed for a provider other than Anthropic ("" when it can):
  // server tools, documents, thinking blocks a conversation must send back signed, …
  std::string untranslatable;
  std::optional<int64_t> thinking_budget;  // thinking.budget_tokens, when thinking is enabled
  std::vector<std::string> parameters;     // the OpenAI parameter names it uses, for routing
};

// Checks `body` as Anthropic checks a Messages request (model, max_tokens ≥ 1, messages with
// user/assistant roles and string or block content, system, tools, tool_choice, stop_sequences,
// thinking, sampling numbers) and reads it. kBadRequest naming the field, in Anthropic's words
// where it has them ("max_tokens: Field required").
Result<MessagesRequest> ReadMessagesRequest(const boost::json::value& body);

// The client's bytes for an Anthropic upstream: `model` set to `upstream_model`, max_tokens
// lowered to `output_limit` when above it (and a thinking budget kept below it), OpenRouter's own
// members taken out; every other byte (cache_control, thinking blocks, server tools, metadata) as
// the client wrote it.
std::string RelayMessagesBody(std::string_view raw, const boost::json::value& parsed, const std::string& upstream_model,
                              int64_t output_limit);

// Anthropic's error type for a status ("invalid_request_error", "authentication_error", …).
std::string_view AnthropicErrorType(ErrorCode code);
// {"type":"error","error":{"type":…,"message":…}}
std::string AnthropicErrorBody(const Error& error);
// The same as an `error` event, for a failure after the stream began.
std::string AnthropicErrorEvent(const Error& error);

// Anthropic's stop_reason for a canonical finish_reason.
std::string_view AnthropicStopReason(std::string_view finish_reason);
// Anthropic's usage object for canonical usage: input_tokens without the cached and
// cache-written tokens, which have their own members.
boost::json::object AnthropicUsage(const Usage& usage);

// A whole answer as an Anthropic `message` named `id` and `model`, with `usage`.
std::string EncodeMessage(const ChatResponse& response, std::string_view id, std::string_view model, const Usage& usage,
                          bool include_reasoning);

// Canonical stream events as Anthropic's: message_start and a ping first, then
// content_block_start / _delta / _stop per text, thinking and tool_use block, and on Close the
// message_delta (stop reason and usage) and message_stop.
class MessagesEventEncoder {
 public:
  MessagesEventEncoder(std::string id, std::string model, bool include_reasoning)
      : id_(std::move(id)), model_(std::move(model)), include_reasoning_(include_reasoning) {}

  // The SSE text for one canonical event ("" for events that yield none). Error events are the
  // caller's.
  std::string Encode(const StreamEvent& event);
  // The end: the open block closed, message_delta with `usage`, message_stop.
  std::string Close(const Usage& usage);

 private:
  enum class Block { kNone, kText, kThinking, kTool };
  void Start(std::string& out);
  void Open(Block block, std::string& out, const StreamEvent* tool = nullptr);
  void CloseBlock(std::string& out);

  std::string id_, model_;
  bool include_reasoning_;
  bool started_ = false;
  Block open_ = Block::kNone;
  int index_ = -1;                  // the open block's index
  int tool_index_ = -1;             // the open tool block's OpenAI tool index
  std::map<int, int> tool_blocks_;  // OpenAI tool index -> its block's index
  std::string stop_reason_ = "end_turn";
};

}  // namespace turnpike::protocol
