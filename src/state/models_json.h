// The /api/v1/models body in OpenRouter's shape (pricing in USD per token, as strings), plus a
// Turnpike extra per model: `endpoints`, every provider with its own prices and availability.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "state/provider_health.h"
#include "store/catalog.h"

namespace turnpike::state {

class CatalogSnapshot;

// The filters of GET /api/v1/models that OpenRouter documents and this gateway applies (each
// list from a comma-separated query value; empty: no filter). A model is listed when it passes
// every filter given.
struct ModelFilter {
  std::vector<std::string> supported_parameters;  // one endpoint of the model supports them all
  std::vector<std::string> providers;             // served by one of these (provider id or name, any case)
  std::vector<std::string> input_modalities;      // the model takes them all
  // The model produces them all; "all" alone lists every model. Empty: every model but the
  // embedding models (OpenRouter lists those at /embeddings/models, or with "embeddings" here).
  std::vector<std::string> output_modalities;
  std::vector<std::string> model_authors;  // the part of the id before '/'
  std::string q;                           // in the id or the name, any case
  size_t offset = 0;
  size_t limit = SIZE_MAX;
};

// `total_count` is the number of models that pass, before offset and limit.
std::string BuildModelsJson(const CatalogSnapshot& snapshot, const ModelFilter& filter = {});

// GET /api/v1/providers in OpenRouter's shape: each catalog provider's name and slug (its id);
// the policy and status-page links are null (the catalog holds none).
std::string BuildProvidersJson(const CatalogSnapshot& snapshot);

// GET /api/v1/models/{author}/{slug}/endpoints in OpenRouter's shape (what every model's
// links.details points to): the model and each of its endpoints with prices, limits, supported
// parameters and this gateway's live figures for each endpoint (`health`, by provider and model):
// the first-byte latency and output speed averages as percentile stats (all four the same
// average: no distribution is kept), uptime as the share of calls that did not fail, and under
// `health` the error-rate average and the circuit breaker's state (`now_ms`: unix milliseconds).
std::string BuildModelEndpointsJson(const store::Model& model, const CatalogSnapshot& snapshot, const HealthMap& health,
                                    int64_t now_ms);

}  // namespace turnpike::state
