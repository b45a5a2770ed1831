// The OpenAI Chat Completions adapter, for api.openai.com and every OpenAI-compatible server
// (Groq, Together, vLLM, llama.cpp, …). Pure: no I/O, no clock, no state; safe from any thread.
//
// Two ways through it:
// - Relay (the gateway's usual path, since clients speak OpenAI chat too): RelayRequest sends
//   the client's own bytes upstream with only the model replaced, and the answer's bytes come
//   back observed, not rebuilt: DecodeCompletion and ChunkDecoder::OnChunk read an already
//   parsed chat.completion / chat.completion.chunk into canonical form for metering.
// - Translation (another client dialect in front): EncodeRequest / DecodeResponse /
//   NewStreamDecoder, like the other adapters.
#pragma once

#include <boost/json/fwd.hpp>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/openai_chat.h"
#include "providers/provider.h"

namespace turnpike::providers::openai {

class OpenAiAdapter final : public Adapter {
 public:
  bool RelaysOpenAiChat() const override { return true; }
  // `<base_url>/chat/completions` with Content-Type: application/json, then Authorization:
  // Bearer <api_key> (left out when the key is ""); the canonical request as an OpenAI body with
  // `model` = the upstream model and max_tokens as max_completion_tokens; streams ask for the
  // usage chunk. The inverse of protocol::DecodeChatRequest (choices in openai_request.cc).
  // kBadRequest when a tool's parameters or a json_schema's schema is not a JSON object.
  Result<EncodedRequest> EncodeRequest(const protocol::ChatRequest& request,
                                       const EndpointInfo& endpoint) const override;
  // A chat.completion body, as DecodeCompletion. kUpstream when it is not one; a body holding
  // {"error":{…}} and no choices is that error, as ChunkDecoder reads an error chunk.
  Result<protocol::ChatResponse> DecodeResponse(std::string_view body) const override;
  // A ChunkDecoder.
  std::unique_ptr<StreamDecoder> NewStreamDecoder() const override;
  // 400/422 → kBadRequest, 401/403 → kUpstream without the provider's text (it may quote the
  // key), 408 → kTimeout, 413 → kTooLarge, 429 → kRateLimited, else kUpstream; messages read
  // "Provider <provider> answered <status>: <the provider's error.message>" (just "Provider
  // <provider> answered <status>" when the body has none), or for 401/403 "…: the provider
  // rejected the gateway's credentials". Retryable: 408, 409, 429 and 5xx. Headers are unused.
  UpstreamError MapError(std::string_view provider, int status, std::string_view body,
                         const Headers& headers) const override;
};

// A call to `<base_url><path>` ("/completions", "/embeddings", …) with the headers every
// OpenAI-compatible call carries (the provider's key as a Bearer token) and `body`.
EncodedRequest Call(const EndpointInfo& endpoint, std::string_view path, std::string body);

// The relayed request: the URL and headers of EncodeRequest, and `raw_body` (the client's bytes,
// already parsed into `parsed`, which must be an object: InspectChatRequest passed) with `model`
// set to the endpoint's upstream model, when streaming stream_options.include_usage forced on,
// OpenRouter's members and the parameters the endpoint lacks taken out, and `edits` applied;
// every other byte as the client sent it (protocol::RewriteForUpstream).
EncodedRequest RelayRequest(std::string_view raw_body, const boost::json::value& parsed, bool stream,
                            const EndpointInfo& endpoint, const protocol::RelayEdits& edits = {});

// Reads an OpenAI `usage` object (prompt_tokens_details.cached_tokens / cache_write_tokens,
// completion_tokens_details.reasoning_tokens) into `out`, from zero: missing, negative and
// non-numeric counts are zero. False (and `out` untouched) when `usage` is not an object (null).
bool ParseUsage(const boost::json::value& usage, protocol::Usage& out);

// A parsed chat.completion: the message of the choice with index 0 (content, refusal as the
// content when there is no content, reasoning / reasoning_content, tool_calls), its
// finish_reason, id, model and usage (details in openai_response.cc). kUpstream when it has no
// such choice with a message object.
Result<protocol::ChatResponse> DecodeCompletion(const boost::json::object& completion);

// Decodes chat.completion.chunk events. kStart comes with the first chunk (its id and model);
// a delta's content and refusal are kText, reasoning / reasoning_content kReasoning; a tool
// call with an id (and name) is kToolCallStart, argument fragments kToolCallArgs (OpenAI's
// index kept); the first finish_reason kFinish; a usage object kUsage. An {"error":{…}} chunk is
// kError, and nothing is read after it: its code per MapError's table for the status that
// error.code names (a number, a three-digit string, or invalid_api_key / rate_limit_exceeded /
// insufficient_quota), else kUpstream; its message the provider's error.message, except the
// credentials text for 401/403. OnChunk never fails: parts it cannot read are skipped; OnEvent
// fails (kUpstream) on data that is neither "[DONE]" nor a JSON object. "[DONE]" completes the
// stream: OnEnd is true after it or after an error chunk, false otherwise (a cut stream). More
// in openai_stream.cc. Not thread-safe.
class ChunkDecoder final : public StreamDecoder {
 public:
  Status OnEvent(const protocol::SseEvent& event, std::vector<protocol::StreamEvent>& out) override;
  bool OnEnd(std::vector<protocol::StreamEvent>& out) override;
  // One already parsed chunk (the relay parses each event once and reads it here).
  Status OnChunk(const boost::json::object& chunk, std::vector<protocol::StreamEvent>& out);
  // True once "[DONE]" was seen.
  bool done() const { return done_; }

 private:
  void OnDelta(const boost::json::object& delta, std::vector<protocol::StreamEvent>& out);

  bool started_ = false;
  bool done_ = false;
  bool failed_ = false;                  // an error chunk was seen
  bool finished_ = false;                // kFinish sent
  std::map<int, std::string> tool_ids_;  // the id of the call started at each tool index
};

}  // namespace turnpike::providers::openai
