// The Gemini Developer API (generativelanguage.googleapis.com, v1beta) adapter: canonical chat
// requests to generateContent / streamGenerateContent?alt=sse, and their answers back
// (docs/protocols.md §6, §6.1, §7, §9, §10, §11). Pure: no I/O, no clock, no randomness; every
// method is const and safe to call from any thread.
//
// Choices this adapter makes where the protocol leaves one open:
// - URL: <base_url>/v1beta/models/<model>:generateContent, or :streamGenerateContent?alt=sse.
//   A leading "models/" on the upstream model is dropped; other characters outside
//   [A-Za-z0-9._~-] are percent-encoded. The key goes in x-goog-api-key (left out when "").
// - History: system/developer text → systemInstruction.parts, in order (images there are a
//   kBadRequest). user → role "user", assistant → role "model"; consecutive contents of the same
//   role merge into one. Empty text parts are left out, and so is a content left with no parts.
//   Images are allowed in user messages only: a data URL (base64 only) → inlineData; an
//   http(s) URL → fileData{mimeType guessed from the path's extension (png, jpg/jpeg, webp,
//   gif, heic, heif), else "image/jpeg", fileUri} — Gemini may refuse URLs that are not its own
//   Files API / GCS / YouTube URLs; the gateway does not fetch images.
// - Tool call ids: a ToolCall id that does not start with "call_" came from Gemini 3 (or
//   another client-visible id) and is sent back as functionCall.id / functionResponse.id; ids
//   starting with "call_" (minted by this adapter or by OpenAI) are left out.
// - Thought signatures (§6.1): a ToolCall's thought_signature goes on its functionCall part.
//   On models matching ^gemini-3[.-], the first functionCall part of each model content that
//   has none gets "skip_thought_signature_validator".
// - Tool results: the tool message's text parsed, when it is a JSON object, is the
//   functionResponse.response; anything else becomes {"content": "<text>"}. The name comes from
//   the earlier assistant tool call with that id (an unknown id is a kBadRequest).
// - tool_choice without tools: "required" or a named function is a kBadRequest; "auto"/"none"
//   are dropped. parallel_tool_calls, user and strict have no Gemini counterpart and are dropped.
// - reasoning_effort ("minimal" | "low" | "medium" | "high"; anything else is a kBadRequest):
//   gemini-2.5-* → thinkingConfig.thinkingBudget 1024 / 8192 / 24576 for low / medium / high;
//   "minimal" → 0 (thinking off) except on gemini-2.5-pro*, which cannot turn thinking off,
//   where it is 512. ^gemini-3[.-] → thinkingLevel "LOW" for minimal/low, "HIGH" for
//   medium/high (HIGH is Gemini 3's default, as medium is OpenAI's). Other models: ignored.
//   Thought text is not requested (no includeThoughts).
// - Answers: only the candidate with index 0 is read (the canonical response has one choice).
//   id = responseId (else "gemini-response"); a functionCall without an id gets
//   "call_<responseId>_<k>", k counting the answer's tool calls from 0 — deterministic, so the
//   same answer always yields the same ids. Thought parts become reasoning; thought signatures
//   on text parts are dropped.
// - Errors: an invalid key (400 with ErrorInfo reason API_KEY_*), 401 and 403 are the gateway's
//   own credential failure, so the client sees kUpstream (502) with "the provider rejected the
//   gateway's credentials" instead of the provider's message (docs/protocols.md §11 suggests 401, but
//   the client itself authenticated fine). None of those is retryable, nor are 400/404/413.
#pragma once

#include <memory>
#include <string_view>

#include "providers/provider.h"

namespace turnpike::providers::gemini {

class GeminiAdapter final : public Adapter {
 public:
  // kBadRequest for requests Gemini cannot express (see above); kInternal for an empty
  // upstream model.
  Result<EncodedRequest> EncodeRequest(const protocol::ChatRequest& request,
                                       const EndpointInfo& endpoint) const override;
  // kUpstream when the body is not a GenerateContentResponse.
  Result<protocol::ChatResponse> DecodeResponse(std::string_view body) const override;
  // Each event's data is one GenerateContentResponse; the stream ends at EOF (OnEnd). An
  // {"error":{…}} event yields kUsage (if any was seen) and kError, and nothing after it.
  std::unique_ptr<StreamDecoder> NewStreamDecoder() const override;
  // Messages read "Provider <provider> answered <status>: <Google's message>" (see Errors above).
  UpstreamError MapError(std::string_view provider, int status, std::string_view body,
                         const Headers& headers) const override;
};

}  // namespace turnpike::providers::gemini
