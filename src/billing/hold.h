// The worst-case cost of a chat request, held against the balance and the key's limit before
// the request is dispatched, and the output limit that makes it a true bound. Pure.
#pragma once

#include <cstdint>

#include "common/money.h"
#include "protocol/openai_chat.h"

namespace turnpike::billing {

// What an endpoint allows a request, and charges for it.
struct EndpointTerms {
  int64_t context_length = 0;  // tokens the prompt can be at most (0: unknown)
  int64_t max_output = 0;      // the endpoint's output cap (0: unknown)
  money::Prices prices;
};

// Output tokens held for a request at an endpoint whose cap is unknown and that sets no max_tokens.
inline constexpr int64_t kDefaultOutputLimit = 4096;

// The most output tokens (thinking included) one choice of `request` may be asked for at
// `endpoint`: its max_tokens within the endpoint's cap, else the cap. A thinking request gets the
// whole cap, as a provider may send a thinking budget on top of max_tokens (Anthropic). Without a
// known cap: max_tokens, else kDefaultOutputLimit. Where the limit is the gateway's choice (no
// max_tokens, or thinking) it also stays within the context left after the prompt's bound, as
// providers refuse a prompt plus max_tokens beyond their context. The gateway writes this limit
// into the upstream request (docs/architecture.md), so the provider is never asked for more
// than was held.
int64_t OutputLimit(const protocol::ChatRequestInfo& request, const EndpointTerms& endpoint);

// The most `request` can cost at one endpoint: the prompt at two characters a token plus 64
// (bounded by the context when it is known, each of an embeddings batch's `inputs` by a whole
// context), images at 2,000 tokens each, and `n` choices of OutputLimit, all at the endpoint's
// input and output prices. An embeddings request (max_tokens 0) has no output: OutputLimit is 0,
// and only the input is held. The bill is the provider's usage,
// even above this (a provider that reports more than it was asked for is billed what it reports).
money::Micros WorstCaseCost(const protocol::ChatRequestInfo& request, const EndpointTerms& endpoint);

}  // namespace turnpike::billing
