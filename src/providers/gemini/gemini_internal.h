// Helpers the Gemini adapter's files share: reading GenerateContentResponse pieces and mapping
// Google errors. Internal to providers/gemini; not a public API.
#pragma once

#include <boost/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "protocol/canonical.h"
#include "providers/provider.h"

namespace turnpike::providers::gemini {

namespace json = boost::json;

inline constexpr std::string_view kProviderName = "google";

// True for models named like ^gemini-3[.-] (a leading "models/" is ignored).
bool IsGemini3(std::string_view model);

// `text` parsed as JSON; nullopt when it is not JSON.
std::optional<json::value> ParseJson(std::string_view text);

// One part of a candidate's content that the gateway keeps.
struct Part {
  enum class Kind { kText, kThought, kFunctionCall };
  Kind kind = Kind::kText;
  std::string text;               // kText, kThought (never empty)
  std::string call_id;            // kFunctionCall: functionCall.id, "" when Gemini gave none
  std::string name;               // kFunctionCall
  std::string arguments;          // kFunctionCall: args as compact JSON, "{}" when absent
  std::string thought_signature;  // kFunctionCall: the part's thoughtSignature, or ""
};

// The candidate with index 0 (or no index) of a GenerateContentResponse; nullptr if none.
const json::object* FirstCandidate(const json::object& response);

// The kept parts of `candidate`'s content, in order: empty texts and other part kinds are left
// out. kUpstream when the content is malformed.
Result<std::vector<Part>> ReadParts(const json::object& candidate);

// The candidate's finishReason, or "" when it has none.
std::string FinishReasonOf(const json::object& candidate);

// True when the response has no candidate but promptFeedback.blockReason.
bool PromptBlocked(const json::object& response);

// docs/protocols.md §10: Gemini's finishReason ("" when absent) as OpenAI's finish_reason.
std::string MapFinishReason(std::string_view reason, bool any_function_call);

// docs/protocols.md §9: usageMetadata as canonical usage. kUpstream when a count is not an integer.
Result<protocol::Usage> ReadUsage(const json::object& usage_metadata);

// responseId, or "gemini-response" when absent.
std::string ResponseIdOf(const json::object& response);
// modelVersion, or "" when absent.
std::string ModelVersionOf(const json::object& response);

// The id for the `index`-th (from 0) functionCall of a response without functionCall.id.
std::string MintCallId(std::string_view response_id, int index);

// An error Google reported, as the client should see it: "Provider <provider> answered
// <status>…". `status` is the HTTP status (or the error's own code for an in-stream error);
// `error` is the body's "error" object, if any.
UpstreamError MapGoogleError(std::string_view provider, int status, const json::object* error);

// The HTTP status for a google.rpc status name ("RESOURCE_EXHAUSTED" → 429); 500 if unknown.
int HttpStatusOfRpcStatus(std::string_view status);

// The model name as one URL path segment (percent-encoded but for unreserved characters).
std::string PathSegment(std::string_view model);

}  // namespace turnpike::providers::gemini
