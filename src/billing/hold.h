// The worst-case cost of a chat request, held against the balance and the key's limit before
// the request is dispatched. Pure.
#pragma once

#include <cstdint>

#include "common/money.h"
#include "protocol/openai_chat.h"

namespace turnpike::billing {

// What an endpoint allows a request, and charges for it.
struct EndpointTerms {
  int64_t context_length = 0;  // tokens the prompt can be at most
  int64_t max_output = 0;      // the endpoint's output cap, used when the request sets none
  money::Prices prices;
};

// The most `request` can cost at one endpoint: the prompt at two characters a token plus 64
// (bounded by the context when it is known), images at 2,000 tokens each, and the request's
// max_tokens, else the endpoint's output cap (the whole cap for a thinking request), all at the
// endpoint's input and output prices. A max_tokens above the cap is still held in full: the bill
// is capped at the hold, and a provider may report more than it was asked for.
money::Micros WorstCaseCost(const protocol::ChatRequestInfo& request, const EndpointTerms& endpoint);

}  // namespace turnpike::billing
