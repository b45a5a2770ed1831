// The provider adapter interface. Supporting a new wire API means implementing one Adapter;
// routing, billing, failover and the client dialect stay outside. Adapters are pure: no I/O,
// no clocks they do not take as input, no global state; they are safe to use from any thread.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/http_types.h"
#include "common/result.h"
#include "protocol/canonical.h"
#include "protocol/sse_reader.h"

namespace turnpike::providers {

// Where and as what a request goes.
struct EndpointInfo {
  std::string base_url;  // no trailing '/': "https://api.anthropic.com", "https://generativelanguage.googleapis.com"
  std::string api_key;   // the provider credential ("" when none)
  std::string upstream_model;  // the provider's name for the model
  // The most output tokens (thinking included) the request may ask for: what the gateway held
  // for (billing::OutputLimit). An adapter sends the request's max_tokens capped at it, else it,
  // and fits a thinking budget within it. 0: no limit (the adapter's own default).
  int64_t output_limit = 0;
};

// The output limit an adapter sends: the request's max_tokens capped at the endpoint's
// output_limit, else the limit; nullopt when there is neither.
inline std::optional<int64_t> OutputTokens(std::optional<int64_t> max_tokens, const EndpointInfo& endpoint) {
  if (endpoint.output_limit <= 0) return max_tokens;
  return max_tokens && *max_tokens < endpoint.output_limit ? *max_tokens : endpoint.output_limit;
}

struct EncodedRequest {
  std::string url;  // full URL
  Headers headers;
  std::string body;
};

// A provider's non-2xx answer as the client should see it.
struct UpstreamError {
  Error error;             // code picks the client's status (gateway/error_reply.h)
  bool retryable = false;  // fail over to the next provider (before the first byte only)
};

// Decodes one streamed answer. One per upstream call; not thread-safe.
class StreamDecoder {
 public:
  virtual ~StreamDecoder() = default;
  // Consumes one SSE event and appends the canonical events it yields. A malformed event is an
  // Error (the stream fails); unknown event types are ignored.
  virtual Status OnEvent(const protocol::SseEvent& event, std::vector<protocol::StreamEvent>& out) = 0;
  // The upstream body ended. Appends what only the end yields (Gemini ends at EOF) and returns
  // whether the stream was complete; false means it was cut.
  virtual bool OnEnd(std::vector<protocol::StreamEvent>& out) = 0;
};

class Adapter {
 public:
  virtual ~Adapter() = default;
  // True for providers that speak OpenAI Chat Completions (providers/openai/): the gateway then
  // relays the client's bytes (openai::RelayRequest) instead of translating.
  virtual bool RelaysOpenAiChat() const { return false; }
  // The upstream request for `request` (stream or not, per request.stream). Errors are
  // kBadRequest for requests this provider cannot express.
  virtual Result<EncodedRequest> EncodeRequest(const protocol::ChatRequest& request,
                                               const EndpointInfo& endpoint) const = 0;
  // A 2xx non-streaming body. kUpstream when it cannot be read.
  virtual Result<protocol::ChatResponse> DecodeResponse(std::string_view body) const = 0;
  virtual std::unique_ptr<StreamDecoder> NewStreamDecoder() const = 0;
  // A non-2xx answer of `provider` (the catalog's provider id, named in the message;
  // docs/protocols.md §11): the client's error, keeping the provider's message except where it could
  // quote a credential, and whether to fail over.
  virtual UpstreamError MapError(std::string_view provider, int status, std::string_view body,
                                 const Headers& headers) const = 0;
};

// The adapter for a catalog provider's `adapter` name ("openai", "anthropic", "gemini");
// nullptr for others.
const Adapter* FindAdapter(std::string_view name);

}  // namespace turnpike::providers
