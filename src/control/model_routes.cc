// The public catalog: companies, providers and models with each provider's prices and whether
// this server can reach it now (its credential is set). Built once per catalog snapshot.
#include <boost/json.hpp>

#include "control/api.h"
#include "control/catalog_views.h"

namespace turnpike::control {
namespace json = boost::json;

namespace {

std::string BuildModels(const gateway::CatalogSnapshot& snapshot) {
  const store::Catalog& catalog = snapshot.catalog();
  json::array companies, providers, models;
  for (const auto& c : catalog.companies) companies.push_back(CompanyJson(c));
  for (const auto& p : catalog.providers) providers.push_back(ProviderJson(p, snapshot));
  for (const auto& m : catalog.models) models.push_back(ModelJson(m, snapshot));
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
