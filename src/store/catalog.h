// CatalogStore: the catalog (companies, providers, models and their endpoints), its
// administration, and the endpoints' effective-dated price history.
// Threading and errors as every store interface (users.h): reads answer Result, absent is
// std::nullopt or empty, a database error is an Error — a failed catalog read is never an empty
// catalog.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/money.h"
#include "common/result.h"

namespace turnpike::store {

struct Company {
  std::string id;    // "openai"
  std::string name;  // "OpenAI"
};

// The rule for a provider's key_env: the credential is read from the environment variable it
// names and sent to the provider's base_url, so it may only name a provider credential —
// "<SOMETHING>_API_KEY", upper case — and never one of Turnpike's own settings (TURNPIKE_…).
// Anything else (JWT_SECRET, STRIPE_SECRET_KEY, DATABASE_URL, a cloud account's key) could be
// sent wherever an administrator points the provider.
bool IsProviderKeyEnv(std::string_view name);
inline constexpr std::string_view kProviderKeyEnvRule =
    "must name a provider credential variable: upper case, ending in _API_KEY (such as \"OPENAI_API_KEY\"), "
    "not starting with TURNPIKE_";

struct Provider {
  std::string id;  // "openai", "groq", …
  std::string name;
  std::string adapter;       // "openai" | "anthropic" | "gemini"
  std::string base_url;      // default public URL; an env override is applied by config, not here
  std::string key_env;       // env var holding the credential, e.g. "OPENAI_API_KEY"; "" = none needed
  std::string base_url_env;  // env var that overrides base_url, e.g. "OPENAI_BASE_URL"; may be ""
  bool enabled = true;
};

// One model served by one provider (the seed's ModelProviderMapping).
struct Endpoint {
  std::string provider_id;
  std::string upstream_model;  // the provider's name for the model, e.g. "gpt-4o-mini"
  money::Prices prices;        // micro-USD per million tokens
  int64_t context_length = 0;
  int64_t max_output = 0;  // the provider's cap on output tokens
  std::vector<std::string> supported_parameters;
  bool enabled = true;
  // The provider's data policy at this endpoint (catalog/README.md), which OpenRouter's
  // `provider.data_collection: "deny"` and `provider.zdr: true` filter on: "allow" when the
  // provider may keep prompts or train on them (or nothing better is known), "deny" when it does
  // neither; `zdr` when it keeps nothing at all (zero data retention).
  std::string data_collection = "allow";
  bool zdr = false;
};

struct Model {
  std::string id;          // "openai/gpt-4o-mini"
  std::string company_id;  // "openai"
  std::string name;        // "OpenAI: GPT-4o mini"
  std::string description;
  int64_t context_length = 0;
  int64_t max_output = 0;
  int64_t created = 0;                         // unix seconds the model was released (0 if unknown)
  std::string source;                          // where the prices came from, with a date
  std::vector<std::string> input_modalities;   // "text", "image", …
  std::vector<std::string> output_modalities;  // "text"
  std::vector<Endpoint> endpoints;
  // OpenRouter's canonical_slug: the release the id stands for ("anthropic/claude-4-sonnet-20250522");
  // "" when it is the id itself.
  std::string canonical_slug;
  // Ids the model was known by before (catalog files only; not stored): ImportCatalog deletes the
  // models with these ids, so a renamed model leaves no duplicate behind.
  std::vector<std::string> former_ids;
};

struct Catalog {
  std::vector<Company> companies;
  std::vector<Provider> providers;
  std::vector<Model> models;
  // Set by LoadCatalogAt: the earliest scheduled price change of an endpoint after the time it
  // was loaded for (a reload then gives new prices). ImportCatalog ignores it.
  std::optional<int64_t> next_price_change;
};

// One row of an endpoint's price history. The prices in force at time T are those of the
// endpoint's row with the latest effective_from <= T; on equal effective_from the later row (by
// id) wins. A row with effective_from in the future is a scheduled change.
struct PriceChange {
  int64_t id = 0;
  std::string model_id;
  std::string provider_id;
  money::Prices prices;        // micro-USD per million tokens
  int64_t effective_from = 0;  // unix seconds
  int64_t created_at = 0;      // unix seconds
};

// How a catalog administration write treats an entity that exists already, or not.
enum class PutMode {
  kUpsert,  // create it or replace it
  kCreate,  // create it; kConflict when it exists
  kUpdate,  // replace it; kNotFound when it does not exist
};

class CatalogStore {
 public:
  virtual ~CatalogStore() = default;

  // Upserts every company, provider and model of `catalog`; a model's endpoints are replaced by
  // the ones given. Entities not mentioned are left alone. One transaction. An endpoint whose
  // prices differ from those in force now gets a price history row effective now; scheduled
  // changes of the endpoints it keeps stay scheduled; those of endpoints it drops are cancelled.
  virtual Status ImportCatalog(const Catalog& catalog) = 0;
  // The catalog with, for each endpoint, the prices in force at `now_unix` (unix seconds), and
  // next_price_change set. One consistent read.
  virtual Result<Catalog> LoadCatalogAt(int64_t now_unix) = 0;
  // LoadCatalogAt(the current time).
  Result<Catalog> LoadCatalog();
  virtual Result<bool> CatalogEmpty() = 0;
  // A number that every committed change to the catalog moves (a company, provider, model,
  // endpoint or price written or deleted, by any process): a process whose snapshot was loaded
  // after reading another number reloads it. One row: cheap to read a few times a second.
  virtual Result<int64_t> CatalogVersion() = 0;

  // --- administration ---
  // A company as given. kBadRequest for an empty id.
  virtual Status PutCompany(const Company& company, PutMode mode) = 0;
  // kNotFound when unknown; kConflict while a model belongs to it.
  virtual Status DeleteCompany(const std::string& id) = 0;
  // A provider as given. kBadRequest for an empty id or adapter.
  virtual Status PutProvider(const Provider& provider, PutMode mode) = 0;
  // kNotFound when unknown; kConflict while an endpoint uses it.
  virtual Status DeleteProvider(const std::string& id) = 0;
  // The model's own fields; `model.endpoints` is ignored and its endpoints stay as they are.
  // kBadRequest for an unknown company or an empty id.
  virtual Status PutModel(const Model& model, PutMode mode) = 0;
  // Deletes the model and its endpoints, and cancels their scheduled price changes (effective
  // after `now_unix`); their past price history stays. kNotFound when unknown.
  virtual Status DeleteModel(const std::string& id, int64_t now_unix) = 0;
  // Creates or replaces the endpoint of `model_id` at `endpoint.provider_id`. Every field but the
  // prices takes effect at once. The prices take effect at `effective_from` (a time before
  // `now_unix` means now): when they differ from the prices that would be in force then, a price
  // history row records them (a later effective_from schedules the change). A new endpoint's
  // prices take effect at once (a later effective_from is kBadRequest). Returns true when the
  // endpoint was created. kNotFound for an unknown model or provider.
  virtual Result<bool> PutEndpoint(const std::string& model_id, const Endpoint& endpoint, int64_t effective_from,
                                   int64_t now_unix) = 0;
  // Deletes the endpoint and cancels its scheduled price changes (effective after `now_unix`);
  // its past price history stays. kNotFound when there is no such endpoint.
  virtual Status DeleteEndpoint(const std::string& model_id, const std::string& provider_id, int64_t now_unix) = 0;
  // Every price history row of one endpoint (also of a deleted one), by effective_from, then id.
  virtual Result<std::vector<PriceChange>> ListPriceHistory(const std::string& model_id,
                                                            const std::string& provider_id) = 0;
};

}  // namespace turnpike::store
