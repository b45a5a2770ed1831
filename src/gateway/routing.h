// OpenRouter's provider routing (docs/architecture.md §7.4): which of a request's endpoints are
// tried, and in what order — the requested model's, then its fallback models' — from the
// request's `provider` preferences, the `:floor` / `:nitro` variants, the parameters it uses and
// live provider health. A pure function of its inputs, so each rule is unit-tested alone.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "protocol/openrouter_request.h"
#include "state/model_router.h"
#include "state/provider_health.h"

namespace turnpike::gateway {

struct RoutingInput {
  std::vector<const store::Model*> models;  // the requested model, then the fallbacks (`models`)
  protocol::ProviderPreferences preferences;
  std::string variant;                       // "" | "floor" (by price) | "nitro" (by throughput)
  std::vector<std::string> parameters;       // protocol::RequestParameters of the request
  const state::HealthMap* health = nullptr;  // none: no provider measured yet
  int64_t now_ms = 0;                        // unix milliseconds: which breakers are open
};

// An endpoint the request's preferences or parameters left out, and why.
struct SkippedEndpoint {
  std::string model;     // model id
  std::string provider;  // provider id
  std::string reason;    // "not in provider.only"
  // "acme/m at openai: not in provider.only"
  std::string Describe() const { return model + " at " + provider + ": " + reason; }
};

struct RoutingChoice {
  std::vector<state::Route> routes;  // in the order they are tried
  // The endpoints left out, per model in the order the candidates come (cheapest first).
  std::vector<SkippedEndpoint> skipped;
};

// The routes to try. kUnavailable when the models have no available endpoint at all (the
// deployment's problem: no credential, disabled); kNotFound when endpoints exist but the
// request's preferences or parameters exclude every one (the message says why, per endpoint).
Result<RoutingChoice> ChooseRoutes(const state::CatalogSnapshot& snapshot, const RoutingInput& input);

// A model id with an OpenRouter variant suffix split off: "openai/gpt-4o:nitro" → the id and
// "nitro". Only the variants routing understands (floor, nitro) are split; others stay in the id.
std::pair<std::string, std::string> SplitVariant(const std::string& model);

}  // namespace turnpike::gateway
