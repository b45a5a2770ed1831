#include "billing/hold.h"

#include <algorithm>

namespace turnpike::billing {

money::Micros WorstCaseCost(const protocol::ChatRequestInfo& request, const EndpointTerms& endpoint) {
  money::TokenCounts worst;
  worst.prompt = std::min(endpoint.context_length, request.prompt_chars / 2 + 64 + request.images * 2000);
  worst.completion = request.max_tokens.value_or(endpoint.max_output);
  return money::Cost(worst, endpoint.prices);
}

}  // namespace turnpike::billing
