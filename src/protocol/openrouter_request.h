// The members of a chat request that OpenRouter defines beside OpenAI's (docs/protocols.md,
// "OpenRouter's request fields"): the gateway consumes them — routing preferences, the fallback
// models, the reasoning switch — and no provider ever receives them as sent (api.openai.com
// answers 400 to any argument it does not know). What each provider does receive is decided per
// endpoint from the catalog's supported_parameters.
#pragma once

#include <boost/json/fwd.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace turnpike::protocol {

// `provider`: OpenRouter's provider routing preferences.
struct ProviderPreferences {
  std::vector<std::string> order;   // tried first, in this order
  std::vector<std::string> only;    // none but these
  std::vector<std::string> ignore;  // never these
  bool allow_fallbacks = true;      // false: none beyond `order` (or beyond the first, with no order)
  bool require_parameters = false;  // skip endpoints that lack a parameter the request uses
  std::string sort;                 // "" (price, health breaking ties) | "price" | "throughput" | "latency"
  // max_price, in micro-USD per million tokens (OpenRouter's USD per million × 10^6).
  std::optional<int64_t> max_prompt_price;
  std::optional<int64_t> max_completion_price;
  // data_collection "deny": only endpoints whose provider neither keeps nor trains on prompts
  // (store::Endpoint::data_collection); "allow" (the default) is no filter.
  bool deny_data_collection = false;
  bool zdr = false;  // only zero-data-retention endpoints
};

// `reasoning`: OpenRouter's one switch for every provider's thinking.
struct ReasoningRequest {
  std::string effort;                 // "" | "none" | "minimal" | "low" | "medium" | "high" | "xhigh"
  std::optional<int64_t> max_tokens;  // a thinking budget
  bool exclude = false;               // think, but keep the reasoning out of the answer
  std::optional<bool> enabled;
};

struct OpenRouterFields {
  ProviderPreferences provider;
  bool provider_set = false;        // the request had a `provider` member (else the account's defaults apply)
  std::vector<std::string> models;  // fallback models, in order, after `model`
  std::optional<ReasoningRequest> reasoning;
  std::optional<std::string> user;
};

// OpenRouter's `provider` object alone (the account's default provider preferences are stored
// as one): the same checks and messages as in a request.
Result<ProviderPreferences> ParseProviderPreferences(const boost::json::value& provider);
// Reads and checks OpenRouter's members of a request body (an object). Errors are kBadRequest
// naming the field; an empty choice or a contradiction (a provider both in `only` and `ignore`)
// is an error too.
Result<OpenRouterFields> ParseOpenRouterFields(const boost::json::object& root);

// Whether `member` is one the gateway consumes and never forwards as sent: provider, models,
// route, transforms, plugins, usage, reasoning, user.
bool IsGatewayMember(std::string_view member);

// Members that are neither structure (model, messages, stream, stream_options) nor the gateway's:
// the parameters an endpoint must support (OpenAI's names, as the catalog lists them).
std::vector<std::string> RequestParameters(const boost::json::object& root);

// Whether an endpoint whose catalog entry lists `supported` takes `parameter`. An empty list
// means unknown: everything is forwarded. Families count as one: max_completion_tokens is
// max_tokens, tool_choice and parallel_tool_calls come with tools, top_logprobs with logprobs,
// response_format with structured_outputs, reasoning_effort with reasoning.
bool EndpointSupports(const std::vector<std::string>& supported, std::string_view parameter);

// OpenAI's reasoning_effort for a `reasoning` request ("" when it asks for none): the effort as
// given (xhigh → high, none → ""), else one from the thinking budget (max_tokens).
std::string ReasoningEffort(const ReasoningRequest& reasoning);

// OpenRouter's reasoning.exclude on an OpenAI-shaped answer or chunk relayed as the provider sent
// it: the model thinks (and the thinking is billed), the client gets no reasoning members
// (reasoning, reasoning_content, reasoning_details) in any choice's message or delta. True when
// one was taken out.
bool DropReasoningMembers(boost::json::value& answer);

}  // namespace turnpike::protocol
