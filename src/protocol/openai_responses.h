// The OpenAI Responses API (POST /v1/responses): its requests decoded into the canonical chat
// types, and answers and stream events encoded from them.
#pragma once

#include <string>

#include "common/result.h"

namespace turnpike::protocol {

// A failure after a Responses stream began: an `error` event.
std::string ResponsesErrorEvent(const Error& error);

}  // namespace turnpike::protocol
