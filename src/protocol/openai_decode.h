// Decodes an OpenAI Chat Completions request body into the canonical ChatRequest, for
// providers that do not speak OpenAI. (OpenAI-compatible upstreams get the client's bytes.)
#pragma once

#include <boost/json/fwd.hpp>

#include "common/result.h"
#include "protocol/canonical.h"

namespace turnpike::protocol {

// `body` must already have passed InspectChatRequest. Errors are kBadRequest naming the field
// (an unsupported content part, a tool that is not a function, malformed tool_calls, …).
Result<ChatRequest> DecodeChatRequest(const boost::json::value& body);

}  // namespace turnpike::protocol
