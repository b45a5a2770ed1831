// The Anthropic Messages adapter (docs/protocols.md §4, §5, §9–§11): canonical chat requests to
// `POST /v1/messages`, and Anthropic's answers, streams and errors back to canonical types.
// Pure: no I/O, no state; one instance may serve every thread.
#pragma once

#include <memory>
#include <string_view>

#include "providers/provider.h"

namespace turnpike::providers::anthropic {

class AnthropicAdapter final : public Adapter {
 public:
  // `<base_url>/v1/messages` with x-api-key, anthropic-version: 2023-06-01 and a JSON body.
  // kBadRequest for what Anthropic cannot express: n > 1, tool-call arguments that are not a
  // JSON object, images outside user/tool messages, non-http(s), non-base64 image URLs, a
  // conversation with no user or assistant content. What the body looks like, and the choices
  // made where docs/protocols.md §4 leaves one, is documented in anthropic_request.cc.
  Result<EncodedRequest> EncodeRequest(const protocol::ChatRequest& request,
                                       const EndpointInfo& endpoint) const override;

  // A 200 `message` body: joined text blocks, tool_use blocks as tool calls (arguments are the
  // compact JSON of `input`), thinking text as reasoning, §10 finish reason, §9 usage.
  // kUpstream when the body is not a readable message.
  Result<protocol::ChatResponse> DecodeResponse(std::string_view body) const override;

  // A decoder for the event-stream grammar of docs/protocols.md §5.1 (see anthropic_stream.cc).
  std::unique_ptr<StreamDecoder> NewStreamDecoder() const override;

  // docs/protocols.md §11. Messages read "Provider <provider> answered <status>: <message>"; for
  // 401/403 the upstream text is never repeated. `x-should-retry: true|false` overrides the
  // status's retry default.
  UpstreamError MapError(std::string_view provider, int status, std::string_view body,
                         const Headers& headers) const override;
};

}  // namespace turnpike::providers::anthropic
