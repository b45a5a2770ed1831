#include "billing/hold.h"

#include <algorithm>

namespace turnpike::billing {

money::Micros WorstCaseCost(const protocol::ChatRequestInfo& request, const EndpointTerms& endpoint) {
  money::TokenCounts worst;
  const int64_t prompt = request.prompt_chars / 2 + 64 + request.images * 2000;
  // An endpoint whose context is unknown (0) bounds nothing.
  worst.prompt = endpoint.context_length > 0 ? std::min(endpoint.context_length, prompt) : prompt;
  worst.completion = request.max_tokens.value_or(endpoint.max_output);
  // A thinking request may be sent with its thinking budget on top of max_tokens (Anthropic):
  // the whole output cap is held.
  if (request.reasoning) worst.completion = std::max(worst.completion, endpoint.max_output);
  return money::Cost(worst, endpoint.prices);
}

}  // namespace turnpike::billing
