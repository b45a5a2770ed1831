#include "control/catalog_views.h"

#include <boost/json.hpp>

#include "control/time_format.h"
#include "control/views.h"

namespace turnpike::control {
namespace json = boost::json;

namespace {

bool Available(const store::Endpoint& e, const state::CatalogSnapshot& snapshot) {
  const state::ProviderState* provider = snapshot.FindProvider(e.provider_id);
  return e.enabled && provider && provider->available;
}

// A model's own fields, without its endpoints (the public and admin views list those differently).
json::object ModelFields(const store::Model& m) {
  json::object o;
  o["id"] = m.id;
  o["name"] = m.name;
  o["company"] = m.company_id;
  o["description"] = m.description;
  o["context_length"] = m.context_length;
  o["max_output"] = m.max_output;
  o["input_modalities"] = StringsJson(m.input_modalities);
  o["output_modalities"] = StringsJson(m.output_modalities);
  return o;
}

// An endpoint as everyone sees it.
json::object EndpointJson(const store::Endpoint& e, const state::CatalogSnapshot& snapshot) {
  json::object o;
  o["provider"] = e.provider_id;
  o["upstream_model"] = e.upstream_model;
  o["available"] = Available(e, snapshot);
  o["prices"] = PricesJson(e.prices);
  o["context_length"] = e.context_length;
  o["max_output"] = e.max_output;
  o["supported_parameters"] = StringsJson(e.supported_parameters);
  o["data_collection"] = e.data_collection;
  o["zdr"] = e.zdr;
  return o;
}

}  // namespace

json::object PricesJson(const money::Prices& prices) {
  return json::object{{"input", prices.input},
                      {"output", prices.output},
                      {"cache_read", prices.cache_read},
                      {"cache_write", prices.cache_write}};
}

std::string WithoutUserinfo(const std::string& url) {
  size_t scheme = url.find("://");
  size_t start = scheme == std::string::npos ? 0 : scheme + 3;
  size_t end = url.find_first_of("/?#", start);
  size_t at = url.rfind('@', end == std::string::npos ? url.size() : end);
  if (at == std::string::npos || at < start) return url;
  return url.substr(0, start) + url.substr(at + 1);
}

json::array StringsJson(const std::vector<std::string>& items) {
  json::array out;
  for (const auto& s : items) out.emplace_back(s);
  return out;
}

json::object CompanyJson(const store::Company& company) {
  return json::object{{"id", company.id}, {"name", company.name}};
}

json::object ProviderJson(const store::Provider& p, const state::CatalogSnapshot& snapshot) {
  const state::ProviderState* state = snapshot.FindProvider(p.id);
  return json::object{{"id", p.id},           {"name", p.name},
                      {"adapter", p.adapter}, {"base_url", WithoutUserinfo(p.base_url)},
                      {"key_env", p.key_env}, {"available", state && state->available}};
}

json::object ModelJson(const store::Model& m, const state::CatalogSnapshot& snapshot) {
  json::array endpoints;
  for (const auto& e : m.endpoints) endpoints.push_back(EndpointJson(e, snapshot));
  json::object o = ModelFields(m);
  o["endpoints"] = std::move(endpoints);
  return o;
}

json::object AdminProviderJson(const store::Provider& p, const state::CatalogSnapshot& snapshot) {
  const state::ProviderState* state = snapshot.FindProvider(p.id);
  bool available = state && state->available;
  json::object o = ProviderJson(p, snapshot);  // plus what only admins see
  o["key_env"] = TextOrNull(p.key_env);
  o["base_url_env"] = TextOrNull(p.base_url_env);
  o["enabled"] = p.enabled;
  o["unavailable_reason"] = available || !state ? json::value(nullptr) : json::value(state->unavailable_reason);
  return o;
}

json::object AdminEndpointJson(const std::string& model_id, const store::Endpoint& e,
                               const state::CatalogSnapshot& snapshot, const std::vector<store::PriceChange>& history,
                               int64_t now) {
  json::array scheduled;
  for (const auto& change : history) {
    if (change.effective_from <= now) continue;
    scheduled.push_back(json::object{{"prices", PricesJson(change.prices)},
                                     {"effective_from", FormatUnixSeconds(change.effective_from)}});
  }
  json::object o = EndpointJson(e, snapshot);  // plus what only admins see
  o["model"] = model_id;
  o["enabled"] = e.enabled;
  o["scheduled_prices"] = std::move(scheduled);
  return o;
}

json::object AdminModelJson(const store::Model& m, const state::CatalogSnapshot& snapshot,
                            const std::map<std::string, std::vector<store::PriceChange>>& histories, int64_t now) {
  json::object o = ModelFields(m);  // plus what only admins see
  o["created"] = m.created > 0 ? json::value(FormatUnixSeconds(m.created)) : json::value(nullptr);
  o["source"] = m.source;
  o["canonical_slug"] = m.canonical_slug.empty() ? m.id : m.canonical_slug;
  json::array endpoints;
  static const std::vector<store::PriceChange> kNone;
  for (const auto& e : m.endpoints) {
    auto it = histories.find(e.provider_id);
    endpoints.push_back(AdminEndpointJson(m.id, e, snapshot, it == histories.end() ? kNone : it->second, now));
  }
  o["endpoints"] = std::move(endpoints);
  return o;
}

}  // namespace turnpike::control
