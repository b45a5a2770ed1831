#include "protocol/openrouter_request.h"

#include <algorithm>
#include <array>
#include <boost/json.hpp>
#include <cmath>

namespace turnpike::protocol {
namespace json = boost::json;

namespace {

Error Bad(std::string message) { return MakeError(ErrorCode::kBadRequest, std::move(message)); }

constexpr std::array<std::string_view, 8> kGatewayMembers = {"provider", "models", "route",     "transforms",
                                                             "plugins",  "usage",  "reasoning", "user"};
constexpr std::array<std::string_view, 4> kStructure = {"model", "messages", "stream", "stream_options"};

Result<std::vector<std::string>> Strings(const json::object& o, std::string_view key, std::string_view where) {
  std::vector<std::string> out;
  const json::value* v = o.if_contains(key);
  if (!v || v->is_null()) return out;
  const std::string field = std::string(where) + "." + std::string(key);
  if (!v->is_array()) return Bad("'" + field + "' must be an array of strings");
  for (const auto& item : v->get_array()) {
    if (!item.is_string() || item.get_string().empty()) return Bad("'" + field + "' must be an array of strings");
    out.emplace_back(item.get_string());
  }
  return out;
}

Result<std::optional<bool>> Bool(const json::object& o, std::string_view key, std::string_view where) {
  const json::value* v = o.if_contains(key);
  if (!v || v->is_null()) return std::optional<bool>();
  if (!v->is_bool()) return Bad("'" + std::string(where) + "." + std::string(key) + "' must be a boolean");
  return std::optional<bool>(v->get_bool());
}

// USD per million tokens, as OpenRouter's max_price takes it, in micro-USD per million.
Result<std::optional<int64_t>> Price(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (!v || v->is_null()) return std::optional<int64_t>();
  double usd = 0;
  if (v->is_number()) {
    usd = v->to_number<double>();
  } else if (v->is_string()) {
    char* end = nullptr;
    std::string text(v->get_string());
    usd = std::strtod(text.c_str(), &end);
    if (end == text.c_str() || *end != '\0') usd = -1;
  } else {
    usd = -1;
  }
  if (!(usd >= 0) || usd > 1e9) return Bad("'provider.max_price." + std::string(key) + "' must be a price in USD >= 0");
  return std::optional<int64_t>(static_cast<int64_t>(std::llround(usd * 1e6)));
}

Result<ProviderPreferences> ParseProvider(const json::value& v) {
  ProviderPreferences p;
  if (v.is_null()) return p;
  if (!v.is_object()) return Bad("'provider' must be an object");
  const json::object& o = v.get_object();
  auto order = Strings(o, "order", "provider");
  if (!order.ok()) return order.error();
  p.order = std::move(*order);
  auto only = Strings(o, "only", "provider");
  if (!only.ok()) return only.error();
  p.only = std::move(*only);
  auto ignore = Strings(o, "ignore", "provider");
  if (!ignore.ok()) return ignore.error();
  p.ignore = std::move(*ignore);
  auto fallbacks = Bool(o, "allow_fallbacks", "provider");
  if (!fallbacks.ok()) return fallbacks.error();
  p.allow_fallbacks = fallbacks->value_or(true);
  auto require = Bool(o, "require_parameters", "provider");
  if (!require.ok()) return require.error();
  p.require_parameters = require->value_or(false);
  if (const json::value* sort = o.if_contains("sort"); sort && !sort->is_null()) {
    const json::string* s = sort->if_string();
    if (!s || (*s != "price" && *s != "throughput" && *s != "latency")) {
      return Bad("'provider.sort' must be \"price\", \"throughput\" or \"latency\"");
    }
    p.sort = std::string(*s);
  }
  if (const json::value* max = o.if_contains("max_price"); max && !max->is_null()) {
    if (!max->is_object()) return Bad("'provider.max_price' must be an object");
    auto prompt = Price(max->get_object(), "prompt");
    if (!prompt.ok()) return prompt.error();
    auto completion = Price(max->get_object(), "completion");
    if (!completion.ok()) return completion.error();
    p.max_prompt_price = *prompt;
    p.max_completion_price = *completion;
  }
  if (const json::value* dc = o.if_contains("data_collection"); dc && !dc->is_null()) {
    if (!dc->is_string() || (dc->get_string() != "allow" && dc->get_string() != "deny")) {
      return Bad("'provider.data_collection' must be \"allow\" or \"deny\"");
    }
    p.deny_data_collection = dc->get_string() == "deny";
  }
  auto zdr = Bool(o, "zdr", "provider");
  if (!zdr.ok()) return zdr.error();
  p.zdr = zdr->value_or(false);
  // Contradictions are the client's mistake, said before anything is sent.
  for (const auto& id : p.ignore) {
    if (std::find(p.only.begin(), p.only.end(), id) != p.only.end()) {
      return Bad("provider '" + id + "' is both in 'provider.only' and in 'provider.ignore'");
    }
    if (std::find(p.order.begin(), p.order.end(), id) != p.order.end()) {
      return Bad("provider '" + id + "' is both in 'provider.order' and in 'provider.ignore'");
    }
  }
  return p;
}

Result<std::optional<ReasoningRequest>> ParseReasoning(const json::value& v) {
  if (v.is_null()) return std::optional<ReasoningRequest>();
  if (!v.is_object()) return Bad("'reasoning' must be an object");
  const json::object& o = v.get_object();
  ReasoningRequest r;
  if (const json::value* effort = o.if_contains("effort"); effort && !effort->is_null()) {
    static constexpr std::array<std::string_view, 6> kEfforts = {"none", "minimal", "low", "medium", "high", "xhigh"};
    const json::string* s = effort->if_string();
    if (!s || std::find(kEfforts.begin(), kEfforts.end(), std::string_view(*s)) == kEfforts.end()) {
      return Bad("'reasoning.effort' must be one of none, minimal, low, medium, high, xhigh");
    }
    r.effort = std::string(*s);
  }
  if (const json::value* max = o.if_contains("max_tokens"); max && !max->is_null()) {
    if (!max->is_int64() || max->get_int64() <= 0) return Bad("'reasoning.max_tokens' must be a positive integer");
    r.max_tokens = max->get_int64();
  }
  auto exclude = Bool(o, "exclude", "reasoning");
  if (!exclude.ok()) return exclude.error();
  r.exclude = exclude->value_or(false);
  auto enabled = Bool(o, "enabled", "reasoning");
  if (!enabled.ok()) return enabled.error();
  r.enabled = *enabled;
  if (!r.effort.empty() && r.max_tokens) return Bad("'reasoning' takes 'effort' or 'max_tokens', not both");
  return std::optional<ReasoningRequest>(r);
}

}  // namespace

Result<ProviderPreferences> ParseProviderPreferences(const json::value& provider) { return ParseProvider(provider); }

Result<OpenRouterFields> ParseOpenRouterFields(const json::object& root) {
  OpenRouterFields f;
  if (const json::value* provider = root.if_contains("provider")) {
    auto p = ParseProvider(*provider);
    if (!p.ok()) return p.error();
    f.provider = std::move(*p);
    f.provider_set = true;
  }
  auto models = Strings(root, "models", "request");
  if (!models.ok()) return Bad("'models' must be an array of model ids");
  f.models = std::move(*models);
  if (const json::value* reasoning = root.if_contains("reasoning")) {
    auto r = ParseReasoning(*reasoning);
    if (!r.ok()) return r.error();
    f.reasoning = std::move(*r);
  }
  if (const json::value* user = root.if_contains("user"); user && !user->is_null()) {
    if (!user->is_string()) return Bad("'user' must be a string");
    f.user = std::string(user->get_string());
  }
  for (std::string_view member : {"transforms", "plugins"}) {
    if (const json::value* v = root.if_contains(member); v && !v->is_null() && !v->is_array()) {
      return Bad("'" + std::string(member) + "' must be an array");
    }
  }
  if (const json::value* route = root.if_contains("route"); route && !route->is_null() && !route->is_string()) {
    return Bad("'route' must be a string");
  }
  if (const json::value* usage = root.if_contains("usage"); usage && !usage->is_null() && !usage->is_object()) {
    return Bad("'usage' must be an object");
  }
  return f;
}

bool IsGatewayMember(std::string_view member) {
  return std::find(kGatewayMembers.begin(), kGatewayMembers.end(), member) != kGatewayMembers.end();
}

std::vector<std::string> RequestParameters(const json::object& root) {
  std::vector<std::string> out;
  for (const auto& member : root) {
    std::string_view key = member.key();
    if (member.value().is_null() || IsGatewayMember(key)) continue;
    if (std::find(kStructure.begin(), kStructure.end(), key) != kStructure.end()) continue;
    out.emplace_back(key);
  }
  return out;
}

bool EndpointSupports(const std::vector<std::string>& supported, std::string_view parameter) {
  if (supported.empty()) return true;
  auto listed = [&](std::string_view name) {
    return std::find(supported.begin(), supported.end(), name) != supported.end();
  };
  if (listed(parameter)) return true;
  if (parameter == "max_completion_tokens") return listed("max_tokens");
  if (parameter == "tool_choice" || parameter == "parallel_tool_calls") return listed("tools");
  if (parameter == "top_logprobs") return listed("logprobs");
  if (parameter == "response_format") return listed("structured_outputs");
  if (parameter == "reasoning_effort") return listed("reasoning");
  return false;
}

std::string ReasoningEffort(const ReasoningRequest& r) {
  if (r.enabled == false || r.effort == "none") return "";
  if (r.effort == "xhigh") return "high";  // OpenAI's highest for the models it has
  if (!r.effort.empty()) return r.effort;
  if (r.max_tokens) {
    if (*r.max_tokens >= 16'384) return "high";
    if (*r.max_tokens >= 4'096) return "medium";
    if (*r.max_tokens >= 1'024) return "low";
    return "minimal";
  }
  return "medium";  // `enabled: true` or `exclude` alone: OpenRouter's default effort
}

bool DropReasoningMembers(json::value& answer) {
  auto* choices = answer.is_object() ? answer.get_object().if_contains("choices") : nullptr;
  if (!choices || !choices->is_array()) return false;
  bool dropped = false;
  for (auto& choice : choices->get_array()) {
    if (!choice.is_object()) continue;
    for (std::string_view part : {"message", "delta"}) {
      auto* m = choice.get_object().if_contains(part);
      if (!m || !m->is_object()) continue;
      for (std::string_view member : {"reasoning", "reasoning_content", "reasoning_details"}) {
        dropped = m->get_object().erase(member) > 0 || dropped;
      }
    }
  }
  return dropped;
}

}  // namespace turnpike::protocol
