// The public catalog: companies, providers and models with each provider's prices and whether
// this server can reach it now (its credential is set). Built once per catalog snapshot.
#include <boost/json.hpp>

#include "control/api.h"

namespace turnpike::control {
namespace json = boost::json;

namespace {

// A base URL without any "user:password@" part (credentials never leave the server).
std::string WithoutUserinfo(const std::string& url) {
  size_t scheme = url.find("://");
  size_t start = scheme == std::string::npos ? 0 : scheme + 3;
  size_t end = url.find_first_of("/?#", start);
  size_t at = url.rfind('@', end == std::string::npos ? url.size() : end);
  if (at == std::string::npos || at < start) return url;
  return url.substr(0, start) + url.substr(at + 1);
}

json::array Strings(const std::vector<std::string>& items) {
  json::array out;
  for (const auto& s : items) out.emplace_back(s);
  return out;
}

json::object EndpointJson(const store::Endpoint& e, const gateway::CatalogSnapshot& snapshot) {
  const gateway::ProviderState* provider = snapshot.FindProvider(e.provider_id);
  json::object o;
  o["provider"] = e.provider_id;
  o["upstream_model"] = e.upstream_model;
  o["available"] = e.enabled && provider && provider->available;
  o["prices"] = json::object{{"input", e.prices.input},
                             {"output", e.prices.output},
                             {"cache_read", e.prices.cache_read},
                             {"cache_write", e.prices.cache_write}};
  o["context_length"] = e.context_length;
  o["max_output"] = e.max_output;
  o["supported_parameters"] = Strings(e.supported_parameters);
  return o;
}

std::string BuildModels(const gateway::CatalogSnapshot& snapshot) {
  const store::Catalog& catalog = snapshot.catalog();
  json::array companies, providers, models;
  for (const auto& c : catalog.companies) companies.push_back(json::object{{"id", c.id}, {"name", c.name}});
  for (const auto& p : catalog.providers) {
    const gateway::ProviderState* state = snapshot.FindProvider(p.id);
    providers.push_back(json::object{{"id", p.id},
                                     {"name", p.name},
                                     {"adapter", p.adapter},
                                     {"base_url", WithoutUserinfo(p.base_url)},
                                     {"key_env", p.key_env},
                                     {"available", state && state->available}});
  }
  for (const auto& m : catalog.models) {
    json::array endpoints;
    for (const auto& e : m.endpoints) endpoints.push_back(EndpointJson(e, snapshot));
    json::object o;
    o["id"] = m.id;
    o["name"] = m.name;
    o["company"] = m.company_id;
    o["description"] = m.description;
    o["context_length"] = m.context_length;
    o["max_output"] = m.max_output;
    o["input_modalities"] = Strings(m.input_modalities);
    o["output_modalities"] = Strings(m.output_modalities);
    o["endpoints"] = std::move(endpoints);
    models.push_back(std::move(o));
  }
  json::object body;
  body["companies"] = std::move(companies);
  body["providers"] = std::move(providers);
  body["models"] = std::move(models);
  return json::serialize(body);
}

}  // namespace

Reply Api::Models(const Call&) {
  auto snapshot = models_.snapshot();
  Reply reply;
  if (!snapshot) {
    reply.body = R"({"companies":[],"providers":[],"models":[]})";
    return reply;
  }
  std::lock_guard lock(models_mutex_);
  if (models_snapshot_ != snapshot) {
    models_body_ = BuildModels(*snapshot);
    models_snapshot_ = snapshot;
  }
  reply.body = models_body_;
  return reply;
}

}  // namespace turnpike::control
