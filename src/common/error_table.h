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

// The JSON error body for `error`.
std::string ErrorBody(const Error& error);
// The JSON error body for a status the HTTP layer produced itself (413, 431, 408, 400).
std::string ErrorBodyForStatus(int status, const std::string& message);

// A mid-stream error as one OpenAI chat.completion.chunk, the way OpenRouter sends it: an `error`
// object beside a choice whose finish_reason is "error". openai's SDK throws on `error`.
std::string StreamErrorChunk(const Error& error, std::string_view id, std::string_view model);

}  // namespace turnpike
