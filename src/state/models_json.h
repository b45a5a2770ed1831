// The /api/v1/models body in OpenRouter's shape (pricing in USD per token, as strings), plus a
// Turnpike extra per model: `endpoints`, every provider with its own prices and availability.
#pragma once

#include <map>
#include <string>

#include "state/provider_health.h"
#include "store/catalog.h"

namespace turnpike::state {

class CatalogSnapshot;
std::string BuildModelsJson(const CatalogSnapshot& snapshot);

// GET /api/v1/models/{author}/{slug}/endpoints in OpenRouter's shape (what every model's
// links.details points to): the model and each of its endpoints with prices, limits, supported
// parameters and this gateway's live figures for each endpoint (`health`, by provider and model):
// the first-byte latency and output speed averages as percentile stats (all four the same
// average: no distribution is kept), uptime as the share of calls that did not fail, and under
// `health` the error-rate average and the circuit breaker's state (`now_ms`: unix milliseconds).
std::string BuildModelEndpointsJson(const store::Model& model, const CatalogSnapshot& snapshot, const HealthMap& health,
                                    int64_t now_ms);

}  // namespace turnpike::state
