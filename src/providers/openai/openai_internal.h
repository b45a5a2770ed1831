// Pieces of the OpenAI adapter shared by its .cc files. Not part of the adapter's contract.
#pragma once

#include <boost/json/fwd.hpp>
#include <string>
#include <string_view>

#include "common/result.h"
#include "protocol/canonical.h"
#include "providers/json_fields.h"
#include "providers/provider.h"

namespace turnpike::providers::openai::internal {

// What an upstream HTTP status means for the client (the table in OpenAiAdapter::MapError's
// contract), shared by MapError and the stream's error chunks.
struct StatusClass {
  ErrorCode code = ErrorCode::kUpstream;
  bool retryable = false;
  bool credentials = false;  // 401/403: the provider's text may quote the key; never repeat it
};
StatusClass ClassifyStatus(int status);

// What the client reads instead of the provider's text when `credentials` is set.
inline constexpr std::string_view kCredentialsRejected = "the provider rejected the gateway's credentials";

// The choice with index 0 (or no index) of a chat.completion or chunk; nullptr when there is none.
inline const boost::json::object* ChoiceZero(const boost::json::object& completion) {
  return IndexZeroElement(completion, "choices");
}

// The thinking text of a message or delta: `reasoning` (OpenRouter, vLLM), else
// `reasoning_content` (DeepSeek, llama.cpp); "" when neither is a non-empty string.
std::string ReasoningText(const boost::json::object& message);

// error.message of an {"error":{…}} object; "" when there is none.
std::string ErrorMessage(const boost::json::object& error);

// An error the provider reported inside a 2xx answer (a stream's error chunk, or a body that is
// only {"error":{…}}): the code per ClassifyStatus of the status error.code names (a number, a
// three-digit string, or invalid_api_key → 401, rate_limit_exceeded / insufficient_quota → 429;
// anything else 500); the provider's message kept as it is, except kCredentialsRejected for
// 401/403.
Error ReportedError(const boost::json::object& error);

// The JSON body of POST /chat/completions for `request` (openai_request.cc).
Result<std::string> EncodeChatBody(const protocol::ChatRequest& request, const EndpointInfo& endpoint);

}  // namespace turnpike::providers::openai::internal
