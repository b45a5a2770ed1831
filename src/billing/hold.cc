#include "billing/hold.h"

#include <algorithm>
#include <cstdint>

namespace turnpike::billing {

namespace {

// The prompt's tokens at most: two characters a token plus 64, images at 2,000 each.
int64_t PromptBound(const protocol::ChatRequestInfo& request) {
  return request.prompt_chars / 2 + 64 + request.images * 2000;
}

}  // namespace

int64_t OutputLimit(const protocol::ChatRequestInfo& request, const EndpointTerms& endpoint) {
  if (request.max_tokens && !request.reasoning) {  // the client's own limit, within the cap
    return endpoint.max_output > 0 ? std::min(*request.max_tokens, endpoint.max_output) : *request.max_tokens;
  }
  int64_t limit = endpoint.max_output > 0 ? endpoint.max_output : request.max_tokens.value_or(kDefaultOutputLimit);
  // The gateway's own choice stays within what the context leaves after the prompt: a provider
  // refuses a prompt plus max_tokens beyond its context (vLLM, OpenAI).
  if (endpoint.context_length > 0) {
    const int64_t room = endpoint.context_length - PromptBound(request);
    if (room > 0) limit = std::min(limit, std::max(room, request.max_tokens.value_or(1)));
  }
  return limit;
}

money::Micros WorstCaseCost(const protocol::ChatRequestInfo& request, const EndpointTerms& endpoint) {
  money::TokenCounts worst;
  // An endpoint whose context is unknown (0) bounds nothing.
  const int64_t prompt = PromptBound(request);
  // Each input of an embeddings batch has the whole context; a chat prompt is one input.
  const int64_t inputs = std::max<int64_t>(1, request.inputs);
  const int64_t context = endpoint.context_length > INT64_MAX / inputs ? INT64_MAX : endpoint.context_length * inputs;
  worst.prompt = endpoint.context_length > 0 ? std::min(context, prompt) : prompt;
  // n ≤ 128 and a limit far below 2^56 in any real catalog; saturating all the same.
  const int64_t n = std::max<int64_t>(1, request.n), limit = OutputLimit(request, endpoint);
  worst.completion = limit > INT64_MAX / n ? INT64_MAX : n * limit;
  return money::Cost(worst, endpoint.prices);
}

}  // namespace turnpike::billing
