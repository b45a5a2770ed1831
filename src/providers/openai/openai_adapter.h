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
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "providers/provider.h"

namespace turnpike::providers::openai {

class OpenAiAdapter final : public Adapter {
 public:
  bool RelaysOpenAiChat() const override { return true; }
  // `<base_url>/chat/completions`, Bearer credential (left out when ""), the canonical request
  // as an OpenAI body with `model` = the upstream model; streams ask for the usage chunk.
  Result<EncodedRequest> EncodeRequest(const protocol::ChatRequest& request,
                                       const EndpointInfo& endpoint) const override;
  // A chat.completion body. kUpstream when it is not one.
  Result<protocol::ChatResponse> DecodeResponse(std::string_view body) const override;
  // A ChunkDecoder.
  std::unique_ptr<StreamDecoder> NewStreamDecoder() const override;
  // 400/422 → kBadRequest, 401/403 → kUpstream without the provider's text (it may quote the
  // key), 408 → kTimeout, 413 → kTooLarge, 429 → kRateLimited, else kUpstream; messages read
  // "Provider <provider> answered <status>: <the provider's error.message>". Retryable: 408,
  // 409, 429 and 5xx.
  UpstreamError MapError(std::string_view provider, int status, std::string_view body,
                         const Headers& headers) const override;
};

// The relayed request: `raw_body` (the client's bytes, already parsed into `parsed`) with
// `model` set to the endpoint's upstream model and, when streaming, stream_options.include_usage
// forced on; every other byte as the client sent it.
EncodedRequest RelayRequest(std::string_view raw_body, const boost::json::value& parsed, bool stream,
                            const EndpointInfo& endpoint);

// Reads an OpenAI `usage` object (prompt_tokens_details.cached_tokens / cache_write_tokens,
// completion_tokens_details.reasoning_tokens; missing fields are zero). False when `usage` is
// not an object (absent, null).
bool ParseUsage(const boost::json::value& usage, protocol::Usage& out);

// A parsed chat.completion: the first choice's message (content, refusal joined into content
// when there is no content, reasoning / reasoning_content, tool_calls), finish_reason, id,
// model and usage. kUpstream when it has no readable choice.
Result<protocol::ChatResponse> DecodeCompletion(const boost::json::object& completion);

// Decodes chat.completion.chunk events. kStart comes with the first chunk (its id and model);
// a delta's content and refusal are kText, reasoning / reasoning_content kReasoning; a tool
// call with an id (and name) is kToolCallStart, argument fragments kToolCallArgs (OpenAI's
// index kept); a finish_reason kFinish; a usage object kUsage; an {"error":{…}} chunk kError
// (the error mapped as by MapError's table for its code, message kept). "[DONE]" completes the
// stream; EOF without it is a cut stream. Not thread-safe.
class ChunkDecoder final : public StreamDecoder {
 public:
  Status OnEvent(const protocol::SseEvent& event, std::vector<protocol::StreamEvent>& out) override;
  bool OnEnd(std::vector<protocol::StreamEvent>& out) override;
  // One already parsed chunk (the relay parses each event once and reads it here).
  Status OnChunk(const boost::json::object& chunk, std::vector<protocol::StreamEvent>& out);
  // True once "[DONE]" was seen.
  bool done() const { return done_; }

 private:
  bool started_ = false;
  bool done_ = false;
};

}  // namespace turnpike::providers::openai
