#include "common/money.h"

#include <cstdlib>
#include <limits>

namespace turnpike::money {
namespace {

using u128 = unsigned __int128;

u128 Term(int64_t tokens, int64_t price) {
  if (tokens <= 0 || price <= 0) return 0;
  return static_cast<u128>(tokens) * static_cast<u128>(price);
}

// Writes `value / 10^scale` as a decimal with trailing zeros trimmed.
std::string FormatScaled(int64_t value, int scale) {
  bool negative = value < 0;
  // Work in unsigned to survive INT64_MIN.
  uint64_t v = negative ? 0 - static_cast<uint64_t>(value) : static_cast<uint64_t>(value);
  uint64_t pow10 = 1;
  for (int i = 0; i < scale; ++i) pow10 *= 10;
  std::string out = negative ? "-" : "";
  out += std::to_string(v / pow10);
  uint64_t frac = v % pow10;
  if (frac != 0) {
    std::string digits = std::to_string(frac);
    digits.insert(0, static_cast<size_t>(scale) - digits.size(), '0');
    while (!digits.empty() && digits.back() == '0') digits.pop_back();
    out += "." + digits;
  }
  return out;
}

}  // namespace

Micros Cost(const TokenCounts& t, const Prices& p) {
  u128 sum = Term(t.prompt, p.input) + Term(t.completion, p.output) + Term(t.cache_read, p.cache_read) +
             Term(t.cache_write, p.cache_write) + Term(t.reasoning, p.output);
  u128 micros = (sum + 999'999) / 1'000'000;
  if (micros > static_cast<u128>(std::numeric_limits<int64_t>::max())) {
    return std::numeric_limits<int64_t>::max();
  }
  return static_cast<Micros>(micros);
}

std::optional<Micros> ParseUsd(std::string_view text) {
  if (text.empty()) return std::nullopt;
  bool negative = false;
  if (text.front() == '-') {
    negative = true;
    text.remove_prefix(1);
  }
  if (text.empty()) return std::nullopt;
  // 128 bits (the whole part is capped per digit, so it cannot wrap) and one range check at the
  // end: every amount that fits in int64 parses, INT64_MIN included, and nothing larger does.
  u128 whole = 0;
  int64_t frac = 0;
  int frac_digits = 0;
  bool seen_dot = false;
  bool seen_digit = false;
  for (char c : text) {
    if (c == '.') {
      if (seen_dot) return std::nullopt;
      seen_dot = true;
      continue;
    }
    if (c < '0' || c > '9') return std::nullopt;
    seen_digit = true;
    if (seen_dot) {
      if (++frac_digits > 6) return std::nullopt;
      frac = frac * 10 + (c - '0');
    } else {
      whole = whole * 10 + static_cast<unsigned>(c - '0');
      if (whole > static_cast<u128>(std::numeric_limits<int64_t>::max())) return std::nullopt;
    }
  }
  if (!seen_digit) return std::nullopt;
  while (frac_digits++ < 6) frac *= 10;
  u128 magnitude = whole * kMicrosPerUsd + static_cast<u128>(frac);
  u128 limit = static_cast<u128>(std::numeric_limits<int64_t>::max()) + (negative ? 1 : 0);
  if (magnitude > limit) return std::nullopt;
  if (negative) return static_cast<Micros>(0 - static_cast<uint64_t>(magnitude));
  return static_cast<Micros>(magnitude);
}

std::string FormatUsd(Micros micros) { return FormatScaled(micros, 6); }

std::string FormatUsdPerToken(int64_t micros_per_million) { return FormatScaled(micros_per_million, 12); }

}  // namespace turnpike::money
