// Money: integers only. Balances, limits and costs are micro-USD (1 USD = 1'000'000).
// Prices are micro-USD per million tokens ($0.15/M = 150'000). No floating point touches money.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace turnpike::money {

using Micros = int64_t;  // micro-USD
inline constexpr Micros kMicrosPerUsd = 1'000'000;

// Per-token prices of one model at one provider, in micro-USD per million tokens.
struct Prices {
  int64_t input = 0;
  int64_t output = 0;
  int64_t cache_read = 0;   // 0 when the provider has no separate price: cached tokens bill as input
  int64_t cache_write = 0;  // 0 when the provider has no separate price: cache writes bill as input
};

// Token counts as billed. `prompt` excludes cached reads and cache writes; `completion`
// excludes `reasoning`. Each class is billed at its own price (reasoning at the output price).
struct TokenCounts {
  int64_t prompt = 0;
  int64_t completion = 0;
  int64_t cache_read = 0;
  int64_t cache_write = 0;
  int64_t reasoning = 0;
};

// cost = ceil(sum(tokens_i * price_i) / 1'000'000) micro-USD. Rounds up so that a request that
// used anything costs at least 1 micro-USD; exact for every input that fits in 128 bits.
// Negative counts or prices are treated as zero.
Micros Cost(const TokenCounts& tokens, const Prices& prices);

// Parses a decimal USD amount ("12", "0.15", "1.000001") into micro-USD exactly.
// Rejects signs other than a leading '-', exponents, more than 6 decimals, and overflow.
std::optional<Micros> ParseUsd(std::string_view text);

// Formats micro-USD as a plain decimal USD number with no exponent and no trailing zeros
// ("0.000123", "12", "-0.5"). Suitable to write into JSON as a number.
std::string FormatUsd(Micros micros);

// Formats a price (micro-USD per million tokens) as USD per single token, the unit OpenRouter
// uses in /models pricing strings: 150000 -> "0.00000015".
std::string FormatUsdPerToken(int64_t micros_per_million);

}  // namespace turnpike::money
