// The OpenAI Responses API (POST /v1/responses) as a client dialect: its requests checked and read
// into the canonical chat types, the client's bytes for OpenAI itself, and canonical answers and
// stream events written back as Responses objects and events (docs/protocols.md §13.4).
// Pure: no I/O.
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
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

// A Responses request, checked. `input` is read into the canonical request only once the items of
// a previous response are known (ReadResponsesInput).
struct ResponsesRequest {
  ChatRequestInfo info;  // model, stream, max_output_tokens, reasoning (the prompt's size: later)
  // The request's input as a list of items (a string input is one user message).
  boost::json::array input;
  std::string instructions;
  std::optional<std::string> previous_response_id;
  bool store = true;  // OpenAI's default
  // What only OpenAI can serve ("" when none): a built-in tool, a file input, a prompt template.
  std::string untranslatable;
  std::vector<std::string> parameters;  // the chat parameter names it uses, for routing
  ChatRequest chat;                     // everything but the messages (tools, sampling, format)
  // The request's settings as a Responses object repeats them (instructions, tools, text, …).
  boost::json::object echo;
};

// Checks `body` as api.openai.com checks a Responses request: a string `model`, `input` a string
// or a list of items (messages with role user/system/developer/assistant and string or part
// content; function_call, function_call_output and reasoning items), `instructions`, `tools` in
// the flat function shape, `tool_choice`, `parallel_tool_calls`, `max_output_tokens` (≥ 16),
// `temperature`, `top_p`, `text.format`, `reasoning.effort`, `stream`, `store`,
// `previous_response_id`, `metadata`, `include`; an argument it does not know is refused, as
// OpenAI refuses it (OpenRouter's own members excepted). kBadRequest naming the field.
Result<ResponsesRequest> ReadResponsesRequest(const boost::json::value& body);

// Reads `items` (a previous response's items followed by the request's input) into
// request.chat.messages, after `instructions` as a system message, and counts the prompt's size
// into request.info. Reasoning items are dropped: no other provider can read them. Items only
// OpenAI understands set request.untranslatable.
Status ReadResponsesInput(const boost::json::array& items, ResponsesRequest& request);

// The client's bytes for api.openai.com: `model` set to `upstream_model`, `store:false`,
// max_output_tokens lowered to (or set at) `output_limit`, previous_response_id taken out and,
// when `items` is given, `input` replaced by them; `user` replaced by `user_tag` ("" removes
// it); OpenRouter's own members (provider, models, route, transforms, plugins, usage) removed.
std::string RelayResponsesBody(std::string_view raw, const std::string& upstream_model, int64_t output_limit,
                               const boost::json::array* items, const std::string& user_tag);

// Kept items as they go back to OpenAI in a stateless request: without their `id`s (nothing is
// stored upstream for them to name), reasoning items only when they carry encrypted_content.
boost::json::array ItemsForOpenAi(const boost::json::array& items);
// Kept items for another provider: as they are (ReadResponsesInput drops the reasoning).

// Usage as a Responses object reports it: input_tokens (cached included), output_tokens
// (reasoning included), their details and total_tokens.
boost::json::object ResponsesUsage(const Usage& usage);
// The canonical usage of a Responses `usage` object (nullopt when it is not one).
std::optional<Usage> DecodeResponsesUsage(const boost::json::value& usage);

// What the gateway reads from an answer OpenAI gave: its usage, its output items, the text and
// tool arguments delivered, and a finish reason in chat's words.
struct ResponsesAnswer {
  std::optional<Usage> usage;
  boost::json::array output;
  std::string text;             // the output_text of its messages, joined
  int64_t generated_chars = 0;  // text, reasoning summaries, function names and arguments
  std::string finish_reason;    // "stop" | "tool_calls" | "length" | "content_filter" | "error"
};
ResponsesAnswer ReadResponsesAnswer(const boost::json::object& response);

// The status of a Responses object for a canonical finish reason, and its incomplete_details.
std::string_view ResponsesStatus(std::string_view finish_reason);
boost::json::value IncompleteDetails(std::string_view finish_reason);

// Output items for a whole canonical answer (reasoning when any and `include_reasoning`, a message
// with its output_text, a function_call per tool call), their ids made from `id`.
boost::json::array ResponsesOutput(const ChatResponse& response, std::string_view id, bool include_reasoning);

// A Responses object: `echo` (the request's settings) with its id, model, times, status, output
// and usage (null while in progress).
boost::json::object ResponseObject(const boost::json::object& echo, std::string_view id, std::string_view model,
                                   int64_t created_at, std::string_view status, boost::json::array output,
                                   boost::json::value usage, std::string_view finish_reason);

// A failure after a Responses stream began: an `error` event.
std::string ResponsesErrorEvent(const Error& error);

// Canonical stream events as the Responses event sequence, each with its sequence_number:
// response.created and response.in_progress first; per output item output_item.added, its parts
// and deltas (output_text, reasoning_summary_text, function_call_arguments) and their .done events,
// output_item.done; on Close response.completed (or response.incomplete) with the usage.
class ResponsesEventEncoder {
 public:
  ResponsesEventEncoder(boost::json::object echo, std::string id, std::string model, int64_t created_at,
                        bool include_reasoning)
      : echo_(std::move(echo)),
        id_(std::move(id)),
        model_(std::move(model)),
        created_at_(created_at),
        include_reasoning_(include_reasoning) {}

  // The SSE text for one canonical event ("" for events that yield none). Error and usage events
  // are the caller's.
  std::string Encode(const StreamEvent& event);
  // The end: the open item closed, then response.completed with `usage` (its JSON, cost included).
  std::string Close(const boost::json::object& usage);
  // Every output item so far (complete once Close ran).
  const boost::json::array& output() const { return output_; }

 private:
  enum class Item { kNone, kMessage, kReasoning, kFunctionCall };
  std::string Event(std::string_view type, boost::json::object data);
  void Start(std::string& out);
  void Open(Item item, std::string& out, const StreamEvent* call = nullptr);
  void CloseItem(std::string& out);

  boost::json::object echo_;
  std::string id_, model_;
  int64_t created_at_;
  bool include_reasoning_;
  bool started_ = false;
  int64_t sequence_ = 0;
  Item open_ = Item::kNone;
  std::string item_id_;
  std::string text_;                 // the open item's text or arguments so far
  std::string call_id_, call_name_;  // the open function call
  std::map<int, size_t> calls_;      // OpenAI tool index -> its item's output index
  std::string finish_reason_ = "stop";
  boost::json::array output_;
};

}  // namespace turnpike::protocol
