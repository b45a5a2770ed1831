#include "gateway/routing.h"

#include <algorithm>
#include <cctype>
#include <limits>

namespace turnpike::gateway {

namespace {

// A provider whose last kDemotionFailures calls all failed, the last of them less than
// kDemotionSeconds ago, goes behind the others (one failure is not a pattern: failover already
// handles it); it is still tried when it is the last one left, and one success brings it back.
constexpr int64_t kDemotionFailures = 5;
constexpr int64_t kDemotionSeconds = 30;

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
  if (p.require_parameters) {
    for (const auto& param : in.parameters) {
      if (!protocol::EndpointSupports(r.endpoint->supported_parameters, param)) {
        return "does not support '" + param + "' (provider.require_parameters)";
      }
    }
  }
  return "";
}

// The order within one model: by `sort` (or the variant), else by price with recently failing
// providers behind the others.
void Sort(std::vector<state::Route>& routes, const RoutingInput& in) {
  std::string sort = in.preferences.sort;
  if (sort.empty() && in.variant == "floor") sort = "price";
  if (sort.empty() && in.variant == "nitro") sort = "throughput";
  auto stats = [&](const state::Route& r) -> const state::ProviderHealthStats* {
    auto it = in.health.find(r.provider->provider->id);
    return it == in.health.end() ? nullptr : &it->second;
  };
  auto key = [&](const state::Route& r) -> double {
    const state::ProviderHealthStats* s = stats(r);
    if (sort == "throughput") {  // fastest first; unmeasured last
      return s && s->tokens_per_second_ewma > 0 ? -s->tokens_per_second_ewma : 0;
    }
    if (sort == "latency") {  // quickest first byte first; unmeasured last
      return s && s->latency_ms_ewma > 0 ? s->latency_ms_ewma : std::numeric_limits<double>::max();
    }
    if (sort.empty() && s && s->consecutive_failures >= kDemotionFailures &&
        in.now_unix - s->last_failure_unix < kDemotionSeconds) {
      return 1;  // failing lately: behind every healthy one
    }
    return 0;
  };
  // Candidates arrive cheapest first, so a stable sort keeps price as the tie-break.
  std::stable_sort(routes.begin(), routes.end(), [&](const state::Route& a, const state::Route& b) {
    double ka = key(a), kb = key(b);
    if (ka != kb) return ka < kb;
    return sort == "price" && Price(a) < Price(b);
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
        choice.skipped.push_back(model->id + " at " + r.provider->provider->id + ": " + why);
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
        choice.skipped.push_back(model->id + " at " + routes[i].provider->provider->id +
                                 ": provider.allow_fallbacks is false");
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
  for (const auto& s : choice.skipped) why += (why.empty() ? "" : "; ") + s;
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
