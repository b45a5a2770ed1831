// The JSON shapes of the catalog (docs/control-api.md): the public ones of GET /api/models and
// the administrators' ones of /api/admin/{companies,providers,models}. Prices in responses are
// integer micro-USD per million tokens. A provider's credential never appears: only the name of
// the variable that holds it.
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <map>
#include <string>
#include <vector>

#include "state/model_router.h"
#include "store/catalog.h"

namespace turnpike::control {

// {input, output, cache_read, cache_write}
boost::json::object PricesJson(const money::Prices& prices);
// A base URL without any "user:password@" part (credentials never leave the server).
std::string WithoutUserinfo(const std::string& url);
boost::json::array StringsJson(const std::vector<std::string>& items);

// Public: {id, name}, {id, name, adapter, base_url, key_env, available},
// {id, name, company, …, endpoints: [{provider, upstream_model, available, prices, …}]}.
boost::json::object CompanyJson(const store::Company& company);
boost::json::object ProviderJson(const store::Provider& provider, const state::CatalogSnapshot& snapshot);
boost::json::object ModelJson(const store::Model& model, const state::CatalogSnapshot& snapshot);

// Admin: the provider with base_url_env, enabled and why it is unavailable.
boost::json::object AdminProviderJson(const store::Provider& provider, const state::CatalogSnapshot& snapshot);
// Admin: one endpoint with its prices in force now and its scheduled changes (from `history`,
// the endpoint's price history, the rows effective after `now`).
boost::json::object AdminEndpointJson(const std::string& model_id, const store::Endpoint& endpoint,
                                      const state::CatalogSnapshot& snapshot,
                                      const std::vector<store::PriceChange>& history, int64_t now);
// Admin: the model with created, source and its endpoints as AdminEndpointJson;
// `histories` maps a provider id to that endpoint's price history.
boost::json::object AdminModelJson(const store::Model& model, const state::CatalogSnapshot& snapshot,
                                   const std::map<std::string, std::vector<store::PriceChange>>& histories,
                                   int64_t now);

}  // namespace turnpike::control
