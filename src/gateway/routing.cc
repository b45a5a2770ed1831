#include "gateway/routing.h"

#include <algorithm>
#include <cctype>
#include <limits>

namespace turnpike::gateway {

namespace {

bool SameName(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

// Whether a preference list names the route's provider, by id ("openai") or name ("OpenAI").
bool Names(const std::vector<std::string>& list, const state::Route& r) {
  return std::any_of(list.begin(), list.end(), [&](const std::string& n) {
    return SameName(n, r.provider->provider->id) || SameName(n, r.provider->provider->name);
  });
}

// The position of the route's provider in `order`, or order.size() when it is not there.
size_t OrderOf(const std::vector<std::string>& order, const state::Route& r) {
  for (size_t i = 0; i < order.size(); ++i) {
    if (SameName(order[i], r.provider->provider->id) || SameName(order[i], r.provider->provider->name)) return i;
  }
  return order.size();
}

money::Micros Price(const state::Route& r) { return r.endpoint->prices.input + r.endpoint->prices.output; }

// Why the preferences or parameters leave the route out ("" when they keep it).
std::string Excluded(const state::Route& r, const RoutingInput& in) {
  const protocol::ProviderPreferences& p = in.preferences;
  if (!p.only.empty() && !Names(p.only, r)) return "not in provider.only";
  if (Names(p.ignore, r)) return "in provider.ignore";
  if (p.max_prompt_price && r.endpoint->prices.input > *p.max_prompt_price) {
    return "prompt price above provider.max_price.prompt";
  }
  if (p.max_completion_price && r.endpoint->prices.output > *p.max_completion_price) {
    return "completion price above provider.max_price.completion";
  }
  if (p.deny_data_collection && r.endpoint->data_collection != "deny") return "data collection";
  if (p.zdr && !r.endpoint->zdr) return "not zdr";
  if (p.require_parameters) {
    for (const auto& param : in.parameters) {
      if (!protocol::EndpointSupports(r.endpoint->supported_parameters, param)) {
        return "does not support '" + param + "' (provider.require_parameters)";
      }
    }
  }
  return "";
}

// The order within one model: by `sort` (or the variant), else by price, with equal prices in
// order of their error rates. Whatever the sort, an endpoint whose breaker is open (cooling down,
// state/provider_health.h) goes behind every other, the one back in service soonest first: it is
// still tried when nothing else is left, so no request fails only because every endpoint cools down.
void Sort(std::vector<state::Route>& routes, const RoutingInput& in) {
  std::string sort = in.preferences.sort;
  if (sort.empty() && in.variant == "floor") sort = "price";
  if (sort.empty() && in.variant == "nitro") sort = "throughput";
  auto stats = [&](const state::Route& r) -> const state::ProviderHealthStats* {
    return in.health ? state::FindHealth(*in.health, r.provider->provider->id, r.model->id) : nullptr;
  };
  auto cooling_until = [&](const state::ProviderHealthStats* s) -> int64_t {
    return s && state::BreakerOf(*s, in.now_ms) == state::Breaker::kOpen ? s->cooldown_until_ms : 0;
  };
  auto key = [&](const state::ProviderHealthStats* s) -> double {
    if (sort == "throughput") {  // fastest first; unmeasured last
      return s && s->tokens_per_second_ewma > 0 ? -s->tokens_per_second_ewma : 0;
    }
    if (sort == "latency") {  // quickest first byte first; unmeasured last
      return s && s->latency_ms_ewma > 0 ? s->latency_ms_ewma : std::numeric_limits<double>::max();
    }
    return 0;
  };
  // Candidates arrive cheapest first, so a stable sort keeps price (then catalog order) as the
  // last tie-break.
  std::stable_sort(routes.begin(), routes.end(), [&](const state::Route& a, const state::Route& b) {
    const state::ProviderHealthStats *sa = stats(a), *sb = stats(b);
    const int64_t ca = cooling_until(sa), cb = cooling_until(sb);
    if ((ca != 0) != (cb != 0)) return ca == 0;
    if (ca != cb) return ca < cb;
    const double ka = key(sa), kb = key(sb);
    if (ka != kb) return ka < kb;
    if (sort == "price" && Price(a) != Price(b)) return Price(a) < Price(b);
    if (sort.empty() && Price(a) == Price(b)) return (sa ? sa->error_rate_ewma : 0) < (sb ? sb->error_rate_ewma : 0);
    return false;
  });
}

}  // namespace

Result<RoutingChoice> ChooseRoutes(const state::CatalogSnapshot& snapshot, const RoutingInput& in) {
  RoutingChoice choice;
  bool any_available = false;
  const protocol::ProviderPreferences& p = in.preferences;
  for (const store::Model* model : in.models) {
    std::vector<state::Route> routes;
    for (state::Route& r : snapshot.Candidates(*model)) {
      any_available = true;
      if (std::string why = Excluded(r, in); !why.empty()) {
        choice.skipped.push_back({model->id, r.provider->provider->id, std::move(why)});
        continue;
      }
      routes.push_back(r);
    }
    Sort(routes, in);
    // `order` first, in its order; the rest after them, unless fallbacks are off.
    std::stable_sort(routes.begin(), routes.end(), [&](const state::Route& a, const state::Route& b) {
      return OrderOf(p.order, a) < OrderOf(p.order, b);
    });
    if (!p.allow_fallbacks) {
      size_t keep = 0;
      if (p.order.empty()) {
        keep = std::min<size_t>(1, routes.size());
      } else {
        while (keep < routes.size() && OrderOf(p.order, routes[keep]) < p.order.size()) ++keep;
      }
      for (size_t i = keep; i < routes.size(); ++i) {
        choice.skipped.push_back({model->id, routes[i].provider->provider->id, "provider.allow_fallbacks is false"});
      }
      routes.resize(keep);
    }
    choice.routes.insert(choice.routes.end(), routes.begin(), routes.end());
  }
  if (!choice.routes.empty()) return choice;
  if (!any_available) {
    std::string why;
    for (const store::Model* model : in.models) {
      for (const auto& e : model->endpoints) {
        const state::ProviderState* s = snapshot.FindProvider(e.provider_id);
        why += (why.empty() ? "" : "; ") + e.provider_id + ": " + (s ? s->unavailable_reason : "unknown provider");
      }
    }
    return MakeError(ErrorCode::kUnavailable,
                     "No provider is available for " + in.models.front()->id + " (" + why + ")");
  }
  std::string why;
  for (const auto& s : choice.skipped) why += (why.empty() ? "" : "; ") + s.Describe();
  return MakeError(ErrorCode::kNotFound, "No endpoints found for " + in.models.front()->id +
                                             " that match the request's provider preferences (" + why + ")");
}

std::pair<std::string, std::string> SplitVariant(const std::string& model) {
  for (std::string_view variant : {"floor", "nitro"}) {
    std::string suffix = ":" + std::string(variant);
    if (model.size() > suffix.size() && model.ends_with(suffix)) {
      return {model.substr(0, model.size() - suffix.size()), std::string(variant)};
    }
  }
  return {model, ""};
}

}  // namespace turnpike::gateway
