#include "billing/usage.h"

#include <algorithm>
#include <boost/json.hpp>

namespace turnpike::billing {
namespace json = boost::json;

money::TokenCounts Billable(const Usage& u) {
  money::TokenCounts t;
  t.cache_read = std::min(u.cached_tokens, u.prompt_tokens);
  t.cache_write = std::min(u.cache_write_tokens, u.prompt_tokens - t.cache_read);
  t.prompt = u.prompt_tokens - t.cache_read - t.cache_write;
  t.reasoning = std::min(u.reasoning_tokens, u.completion_tokens);
  t.completion = u.completion_tokens - t.reasoning;
  return t;
}

money::Micros CostOf(const Usage& usage, const money::Prices& prices) {
  money::Prices p = prices;
  // A provider without a separate cache price bills those tokens as ordinary input.
  if (p.cache_read == 0) p.cache_read = p.input;
  if (p.cache_write == 0) p.cache_write = p.input;
  return money::Cost(Billable(usage), p);
}

int64_t EstimateTokens(int64_t chars) { return chars <= 0 ? 0 : (chars + 3) / 4; }

std::string UsageWithCost(const json::object& usage, money::Micros cost) {
  json::object copy = usage;
  copy.erase("cost");
  std::string text = json::serialize(copy);
  text.pop_back();  // '}'
  if (text.size() > 1) text += ',';
  text += "\"cost\":" + money::FormatUsd(cost) + "}";
  return text;
}

}  // namespace turnpike::billing
