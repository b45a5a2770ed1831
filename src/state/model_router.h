// The catalog as the hot path sees it: an immutable snapshot, swapped whole when the catalog
// is reloaded, and the choice of providers for a model.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/result.h"
#include "config/config.h"
#include "store/catalog.h"

namespace turnpike::state {

// A provider as configured on this machine: its effective base URL and credential.
struct ProviderState {
  const store::Provider* provider = nullptr;
  std::string base_url;  // env override applied, no trailing '/'
  std::string api_key;   // "" when the provider needs none
  bool available = false;
  std::string unavailable_reason;  // why not, for /models and 503 messages (never a secret)
};

// One way to serve a request: a model at a provider.
struct Route {
  const store::Model* model = nullptr;
  const store::Endpoint* endpoint = nullptr;
  const ProviderState* provider = nullptr;
};

class CatalogSnapshot {
 public:
  CatalogSnapshot(store::Catalog catalog, const config::EnvLookup& env);

  // The model named `id`: its catalog id, or an alias (model_router.cc, ModelAliasKey): a version
  // spelled with a dash where the id has a dot, or the other way ("anthropic/claude-sonnet-4-5",
  // the id before the catalog took OpenRouter's "anthropic/claude-sonnet-4.5"), any letter case,
  // or a provider's own name for it ("gpt-4o-mini", "claude-sonnet-4-5") when only one model has
  // that name.
  const store::Model* FindModel(const std::string& id) const;
  // The catalog id closest to an unknown `id`, when one is close enough to be a likely typo.
  std::optional<std::string> SuggestModel(const std::string& id) const;
  const ProviderState* FindProvider(const std::string& id) const;
  // Available routes for `model`, cheapest first (input + output price, then catalog order).
  std::vector<Route> Candidates(const store::Model& model) const;
  const store::Catalog& catalog() const { return catalog_; }
  // The /api/v1/models body, built once per snapshot.
  const std::string& models_json() const { return models_json_; }

 private:
  store::Catalog catalog_;
  std::unordered_map<std::string, const store::Model*> models_;
  std::unordered_map<std::string, const store::Model*> aliases_;  // ModelAliasKey → model; nullptr: ambiguous
  std::unordered_map<std::string, ProviderState> providers_;
  std::string models_json_;
};

// Adapters this build can speak to.
bool AdapterSupported(const std::string& adapter);

class ModelRouter {
 public:
  explicit ModelRouter(config::EnvLookup env);
  // Replaces the snapshot. Thread-safe.
  void Load(store::Catalog catalog);
  // Replaces the snapshot with what `load` reads (a store's catalog now). When `load` fails
  // (the store cannot be read), the current snapshot stays, a warning is logged and the error is
  // returned: a failed read never replaces a good catalog with an empty one. Reloads are
  // serialised, so a slow reload that read the store before a change can never replace the
  // snapshot of a reload that read it after. Thread-safe.
  Status Reload(const std::function<Result<store::Catalog>()>& load);
  // The current snapshot; it stays valid while the caller holds it. Thread-safe, and lock-free
  // while the snapshot is unchanged: each thread keeps the one it last got and takes the lock only
  // after a Load() (docs/architecture.md §5.3).
  std::shared_ptr<const CatalogSnapshot> snapshot() const;

 private:
  config::EnvLookup env_;
  const uint64_t id_;                    // tells this router's per-thread copy from another's
  std::atomic<uint64_t> generation_{0};  // changed by every Load(), under mutex_
  mutable std::mutex mutex_;
  std::mutex reload_mutex_;  // held across a whole Reload (read + swap); taken before mutex_
  std::shared_ptr<const CatalogSnapshot> snapshot_;
};

}  // namespace turnpike::state
