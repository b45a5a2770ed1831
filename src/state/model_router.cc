#include "state/model_router.h"

#include <spdlog/spdlog.h>
#include <algorithm>

#include "providers/provider.h"
#include "state/models_json.h"

namespace turnpike::state {

bool AdapterSupported(const std::string& adapter) {
  return adapter == "openai" || providers::FindAdapter(adapter) != nullptr;
}

CatalogSnapshot::CatalogSnapshot(store::Catalog catalog, const config::EnvLookup& env) : catalog_(std::move(catalog)) {
  for (const auto& p : catalog_.providers) {
    ProviderState s;
    s.provider = &p;
    s.base_url = p.base_url;
    if (!p.base_url_env.empty()) {
      if (auto v = env(p.base_url_env); v && !v->empty()) s.base_url = *v;
    }
    while (s.base_url.ends_with("/")) s.base_url.pop_back();
    if (!p.key_env.empty()) {
      if (auto v = env(p.key_env)) s.api_key = *v;
    }
    if (!p.enabled) {
      s.unavailable_reason = "disabled in the catalog";
    } else if (!AdapterSupported(p.adapter)) {
      s.unavailable_reason = "the " + p.adapter + " adapter is not available in this build";
    } else if (!p.key_env.empty() && s.api_key.empty()) {
      s.unavailable_reason = p.key_env + " is not set";
    } else {
      s.available = true;
    }
    providers_[p.id] = std::move(s);
  }
  for (const auto& m : catalog_.models) models_[m.id] = &m;
  models_json_ = BuildModelsJson(*this);
}

const store::Model* CatalogSnapshot::FindModel(const std::string& id) const {
  auto it = models_.find(id);
  return it == models_.end() ? nullptr : it->second;
}

const ProviderState* CatalogSnapshot::FindProvider(const std::string& id) const {
  auto it = providers_.find(id);
  return it == providers_.end() ? nullptr : &it->second;
}

std::vector<Route> CatalogSnapshot::Candidates(const store::Model& model) const {
  std::vector<Route> routes;
  for (const auto& e : model.endpoints) {
    const ProviderState* p = FindProvider(e.provider_id);
    if (!e.enabled || !p || !p->available) continue;
    routes.push_back(Route{&model, &e, p});
  }
  std::stable_sort(routes.begin(), routes.end(), [](const Route& a, const Route& b) {
    return a.endpoint->prices.input + a.endpoint->prices.output < b.endpoint->prices.input + b.endpoint->prices.output;
  });
  return routes;
}

void ModelRouter::Load(store::Catalog catalog) {
  auto snap = std::make_shared<const CatalogSnapshot>(std::move(catalog), env_);
  std::lock_guard lock(mutex_);
  snapshot_ = std::move(snap);
}

Status ModelRouter::Reload(const std::function<Result<store::Catalog>()>& load) {
  std::lock_guard reload(reload_mutex_);
  Result<store::Catalog> catalog = load();
  if (!catalog.ok()) {
    spdlog::warn("catalog reload failed, still serving the catalog loaded before: {}", catalog.error().message);
    return catalog.error();
  }
  Load(std::move(*catalog));
  return OkStatus();
}

std::shared_ptr<const CatalogSnapshot> ModelRouter::snapshot() const {
  std::lock_guard lock(mutex_);
  return snapshot_;
}

}  // namespace turnpike::state
