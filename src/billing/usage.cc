#include "billing/usage.h"

#include <algorithm>
#include <boost/json.hpp>

namespace turnpike::billing {
namespace json = boost::json;

namespace {

int64_t Int(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  if (!v) return 0;
  if (v->is_int64()) return std::max<int64_t>(0, v->get_int64());
  if (v->is_uint64()) return static_cast<int64_t>(std::min<uint64_t>(v->get_uint64(), INT64_MAX));
  if (v->is_double()) return std::max<int64_t>(0, static_cast<int64_t>(v->get_double()));
  return 0;
}

}  // namespace

bool ParseOpenAiUsage(const json::value& value, Usage& out) {
  const auto* u = value.if_object();
  if (!u) return false;
  out = Usage{};
  out.prompt_tokens = Int(*u, "prompt_tokens");
  out.completion_tokens = Int(*u, "completion_tokens");
  if (const auto* d = u->if_contains("prompt_tokens_details"); d && d->is_object()) {
    out.cached_tokens = Int(d->get_object(), "cached_tokens");
    out.cache_write_tokens = Int(d->get_object(), "cache_write_tokens");
  }
  if (const auto* d = u->if_contains("completion_tokens_details"); d && d->is_object()) {
    out.reasoning_tokens = Int(d->get_object(), "reasoning_tokens");
  }
  return true;
}

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
