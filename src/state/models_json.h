// The /api/v1/models body in OpenRouter's shape (pricing in USD per token, as strings), plus a
// Turnpike extra per model: `endpoints`, every provider with its own prices and availability.
#pragma once

#include <string>

namespace turnpike::state {

class CatalogSnapshot;
std::string BuildModelsJson(const CatalogSnapshot& snapshot);

}  // namespace turnpike::state
