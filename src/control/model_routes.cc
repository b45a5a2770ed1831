// The public catalog: companies, providers and models with each provider's prices and whether
// this server can reach it now (its credential is set), built once per catalog snapshot, plus
// each provider's live health from the gateway, added on every call.
#include <boost/json.hpp>

#include "control/api.h"
#include "control/catalog_views.h"
#include "control/time_format.h"

namespace turnpike::control {
namespace json = boost::json;

namespace {

json::object BuildModels(const state::CatalogSnapshot& snapshot) {
  const store::Catalog& catalog = snapshot.catalog();
  json::array companies, providers, models;
  for (const auto& c : catalog.companies) companies.push_back(CompanyJson(c));
  for (const auto& p : catalog.providers) providers.push_back(ProviderJson(p, snapshot));
  for (const auto& m : catalog.models) models.push_back(ModelJson(m, snapshot));
  json::object body;
  body["companies"] = std::move(companies);
  body["providers"] = std::move(providers);
  body["models"] = std::move(models);
  return body;
}

json::object HealthJson(const state::ProviderHealthStats& s) {
  json::object h;
  h["requests"] = s.requests;
  h["failures"] = s.failures;
  h["error_rate"] = s.requests > 0 ? static_cast<double>(s.failures) / static_cast<double>(s.requests) : 0.0;
  int64_t answered = s.requests - s.failures;
  h["latency_ms"] = answered > 0 ? json::value(static_cast<int64_t>(s.latency_ms_ewma + 0.5)) : json::value(nullptr);
  h["throughput_tps"] =
      s.tokens_per_second_ewma > 0
          ? json::value(static_cast<double>(static_cast<int64_t>(s.tokens_per_second_ewma * 10 + 0.5)) / 10)
          : json::value(nullptr);
  h["last_failure_at"] =
      s.last_failure_unix > 0 ? json::value(FormatUnixSeconds(s.last_failure_unix)) : json::value(nullptr);
  return h;
}

}  // namespace

Reply Api::Models(const Call&) {
  auto snapshot = models_.snapshot();
  Reply reply;
  if (!snapshot) {
    reply.body = R"({"companies":[],"providers":[],"models":[]})";
    return reply;
  }
  json::object body;
  {
    std::lock_guard lock(models_mutex_);
    if (models_snapshot_ != snapshot) {
      models_body_ = BuildModels(*snapshot);
      models_snapshot_ = snapshot;
    }
    body = models_body_;
  }
  auto health = health_ ? state::ByProvider(health_->Snapshot()) : std::map<std::string, state::ProviderHealthStats>{};
  for (auto& p : body["providers"].as_array()) {
    auto& provider = p.as_object();
    provider["health"] = HealthJson(health[std::string(provider["id"].as_string())]);
  }
  reply.body = json::serialize(body);
  return reply;
}

}  // namespace turnpike::control
