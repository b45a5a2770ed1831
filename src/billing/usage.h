// Token usage as providers report it, what it costs, and estimates for when they do not.
#pragma once

#include <boost/json/fwd.hpp>
#include <cstdint>
#include <string>

#include "common/money.h"
#include "protocol/canonical.h"

namespace turnpike::billing {

// OpenAI's accounting (protocol/canonical.h): prompt_tokens includes cached ones;
// completion_tokens includes reasoning.
using Usage = protocol::Usage;

// Splits usage into billable classes: each token is billed once, at its class's price.
money::TokenCounts Billable(const Usage& usage);

// What `usage` costs at `prices` (docs/architecture.md §4 rounding: ceil to the micro-USD).
money::Micros CostOf(const Usage& usage, const money::Prices& prices);

// Estimated tokens for text of `chars` characters (about four characters a token).
int64_t EstimateTokens(int64_t chars);

// The OpenAI usage object `usage_json` (its JSON text) with OpenRouter's `"cost":<USD>` added.
std::string UsageWithCost(const boost::json::object& usage, money::Micros cost);

}  // namespace turnpike::billing
