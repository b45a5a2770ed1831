#include "state/model_router.h"

#include <spdlog/spdlog.h>
#include <algorithm>

#include "providers/provider.h"
#include "state/models_json.h"

namespace turnpike::state {

namespace {

// How a model name is compared with the catalog's when it is not an exact id: lower case, and a
// dot between two digits read as a dash (OpenRouter writes versions "4.5"; ids had "4-5" before).
std::string ModelAliasKey(std::string_view name) {
  std::string key(name);
  for (size_t i = 0; i < key.size(); ++i) {
    char& c = key[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    auto digit = [](char d) { return d >= '0' && d <= '9'; };
    if (c == '.' && i > 0 && i + 1 < key.size() && digit(key[i - 1]) && digit(key[i + 1])) c = '-';
  }
  return key;
}

size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

}  // namespace

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
    // A key_env outside the rule (a database written before it, or by hand) is never read.
    const bool credential_name = p.key_env.empty() || store::IsProviderKeyEnv(p.key_env);
    if (!p.key_env.empty() && credential_name) {
      if (auto v = env(p.key_env)) s.api_key = *v;
    }
    if (!p.enabled) {
      s.unavailable_reason = "disabled in the catalog";
    } else if (!credential_name) {
      s.unavailable_reason = "key_env " + p.key_env + " " + std::string(store::kProviderKeyEnvRule);
    } else if (!AdapterSupported(p.adapter)) {
      s.unavailable_reason = "the " + p.adapter + " adapter is not available in this build";
    } else if (!p.key_env.empty() && s.api_key.empty()) {
      s.unavailable_reason = p.key_env + " is not set";
    } else {
      s.available = true;
    }
    providers_[p.id] = std::move(s);
  }
  for (const auto& m : catalog_.models) {
    models_[m.id] = &m;
    aliases_[ModelAliasKey(m.id)] = &m;
  }
  // A provider's own name for a model stands for it only while no other model has that name.
  std::unordered_map<std::string, const store::Model*> native;
  for (const auto& m : catalog_.models) {
    for (const auto& e : m.endpoints) {
      auto [it, added] = native.emplace(ModelAliasKey(e.upstream_model), &m);
      if (!added && it->second != &m) it->second = nullptr;
    }
  }
  for (const auto& [key, model] : native) aliases_.emplace(key, model);  // never over a catalog id
  models_json_ = BuildModelsJson(*this);
}

const store::Model* CatalogSnapshot::FindModel(const std::string& id) const {
  if (auto it = models_.find(id); it != models_.end()) return it->second;
  auto alias = aliases_.find(ModelAliasKey(id));
  return alias == aliases_.end() ? nullptr : alias->second;
}

std::optional<std::string> CatalogSnapshot::SuggestModel(const std::string& id) const {
  const std::string key = ModelAliasKey(id);
  const store::Model* best = nullptr;
  size_t best_distance = 0;
  for (const auto& m : catalog_.models) {
    // Against the whole id, and against the name after the author ("gpt-4o-mni" for "openai/gpt-4o-mini").
    const std::string candidate = ModelAliasKey(m.id);
    size_t d = EditDistance(key, candidate);
    if (auto slash = candidate.find('/'); key.find('/') == std::string::npos && slash != std::string::npos) {
      d = std::min(d, EditDistance(key, std::string_view(candidate).substr(slash + 1)));
    }
    if (!best || d < best_distance) {
      best = &m;
      best_distance = d;
    }
  }
  // A typo, not another model: a few edits, and fewer than a third of the name.
  if (!best || best_distance == 0 || best_distance > std::max<size_t>(2, key.size() / 6) ||
      best_distance * 3 > key.size()) {
    return std::nullopt;
  }
  return best->id;
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

namespace {
std::atomic<uint64_t> next_router_id{1};
}

ModelRouter::ModelRouter(config::EnvLookup env) : env_(std::move(env)), id_(next_router_id.fetch_add(1)) {}

void ModelRouter::Load(store::Catalog catalog) {
  auto snap = std::make_shared<const CatalogSnapshot>(std::move(catalog), env_);
  std::lock_guard lock(mutex_);
  snapshot_ = std::move(snap);
  generation_.fetch_add(1, std::memory_order_release);
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
  // One router per process: a thread keeps one copy, for whichever router it asked last.
  struct Copy {
    uint64_t router = 0;
    uint64_t generation = 0;
    std::shared_ptr<const CatalogSnapshot> snapshot;
  };
  thread_local Copy copy;
  if (copy.router != id_ || copy.generation != generation_.load(std::memory_order_acquire)) {
    std::lock_guard lock(mutex_);
    copy.router = id_;
    copy.generation = generation_.load(std::memory_order_relaxed);
    copy.snapshot = snapshot_;
  }
  return copy.snapshot;
}

}  // namespace turnpike::state
