// The one table that maps an ErrorCode to an HTTP status and to the client's error body.
// Body shape (readable by the openai and @openrouter/sdk clients):
//   {"error":{"code":<status as int>,"message":"…","type":"…","param":null}}
#pragma once

#include <string>
#include <string_view>

#include "common/result.h"

namespace turnpike {

int HttpStatus(ErrorCode code);
std::string_view ErrorType(ErrorCode code);

// What OpenRouter adds to an error a provider caused: `metadata.provider_name` and
// `metadata.raw` (the provider's own words, scrubbed: ScrubProviderText).
struct ProviderErrorMetadata {
  std::string provider_name;
  std::string raw;
};

// The JSON error body for `error`, with `metadata` when a provider caused it.
std::string ErrorBody(const Error& error, const ProviderErrorMetadata* metadata = nullptr);

// A provider's error text with what must not reach a client replaced by "***": API keys and
// tokens (sk-…, AIza…, Bearer …, key=…), organisation and project ids (org-…, proj_…), and e-mail
// addresses. Capped at `max_bytes`.
std::string ScrubProviderText(std::string_view text, size_t max_bytes = 2048);
// The ErrorCode of an HTTP status (431 is kTooLarge; one not in the table is kInternal).
ErrorCode CodeForStatus(int status);
// The JSON error body for a status the HTTP layer produced itself (413, 431, 408, 400).
std::string ErrorBodyForStatus(int status, const std::string& message);

// A mid-stream error as one OpenAI chat.completion.chunk, the way OpenRouter sends it: an `error`
// object beside a choice whose finish_reason is "error". openai's SDK throws on `error`.
std::string StreamErrorChunk(const Error& error, std::string_view id, std::string_view model,
                             const ProviderErrorMetadata* metadata = nullptr);

}  // namespace turnpike
