// SqliteStore: writing the catalog (companies, providers, models and their endpoints): the
// import, its administration, and the endpoints' effective-dated price history. Reading it is
// in sqlite_store_catalog_reads.cc.
#include <algorithm>
#include <boost/json.hpp>
#include <set>

#include "store/sqlite/connection.h"
#include "store/sqlite/sqlite_store.h"
#include "store/sqlite/util.h"

namespace turnpike::store::sqlite {
namespace {

std::string ToJsonArray(const std::vector<std::string>& items) {
  boost::json::array array;
  for (const std::string& item : items) array.emplace_back(item);
  return boost::json::serialize(array);
}

// Maps a failed catalog write: a broken reference or constraint is the catalog's fault.
Status CatalogError(const Statement& s, const Status& status, const std::string& what) {
  if (IsConstraintViolation(s.result_code())) {
    return MakeError(ErrorCode::kBadRequest, "catalog " + what + ": " + status.error().message);
  }
  return status;
}

bool SamePrices(const money::Prices& a, const money::Prices& b) {
  return a.input == b.input && a.output == b.output && a.cache_read == b.cache_read && a.cache_write == b.cache_write;
}

// kConflict / kNotFound when `mode` does not allow writing `what` (which `exists` or not).
Status CheckMode(PutMode mode, bool exists, const std::string& what) {
  if (mode == PutMode::kCreate && exists) return MakeError(ErrorCode::kConflict, what + " exists already");
  if (mode == PutMode::kUpdate && !exists) return MakeError(ErrorCode::kNotFound, "no " + what);
  return OkStatus();
}

// The price history row in force at `at` (ties: the later row), in one SELECT.
constexpr char kPricesAtSql[] =
    "SELECT price_input, price_output, price_cache_read, price_cache_write FROM price_history "
    "WHERE model_id = ? AND provider_id = ? AND effective_from <= ? "
    "ORDER BY effective_from DESC, id DESC LIMIT 1";

}  // namespace

Result<bool> SqliteStore::ExistsLocked(const char* sql, const std::string& id) {
  Statement s(*conn_, sql);
  s.Bind(id);
  Result<bool> row = s.Next();
  if (!row.ok()) return row.error();
  return *row;
}

Result<std::optional<money::Prices>> SqliteStore::PricesAtLocked(const std::string& model_id,
                                                                 const std::string& provider_id, int64_t at) {
  Statement s(*conn_, kPricesAtSql);
  s.Bind(model_id).Bind(provider_id).Bind(at);
  Result<bool> row = s.Next();
  if (!row.ok()) return row.error();
  if (!*row) return std::optional<money::Prices>();
  return std::optional<money::Prices>(money::Prices{s.Int(0), s.Int(1), s.Int(2), s.Int(3)});
}

Status SqliteStore::RecordPricesLocked(const std::string& model_id, const std::string& provider_id,
                                       const money::Prices& prices, int64_t effective_from, int64_t now_unix) {
  Statement s(*conn_,
              "INSERT INTO price_history (model_id, provider_id, price_input, price_output, "
              "price_cache_read, price_cache_write, effective_from, created_at) "
              "VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
  s.Bind(model_id).Bind(provider_id).Bind(prices.input).Bind(prices.output);
  s.Bind(prices.cache_read).Bind(prices.cache_write).Bind(effective_from).Bind(now_unix);
  if (Status status = s.Run(); !status.ok()) {
    return CatalogError(s, status, "prices of " + model_id + " @ " + provider_id);
  }
  return OkStatus();
}

Status SqliteStore::RecordPriceChangeLocked(const std::string& model_id, const std::string& provider_id,
                                            const money::Prices& prices, int64_t at, int64_t now_unix) {
  Result<std::optional<money::Prices>> current = PricesAtLocked(model_id, provider_id, at);
  if (!current.ok()) return current.error();
  if (*current && SamePrices(**current, prices)) return OkStatus();
  return RecordPricesLocked(model_id, provider_id, prices, at, now_unix);
}

Status SqliteStore::CancelScheduledPricesLocked(const std::string& model_id, const std::string& provider_id,
                                                int64_t now_unix) {
  Statement s(*conn_,
              "DELETE FROM price_history WHERE model_id = ? AND (? = '' OR provider_id = ?) "
              "AND effective_from > ?");
  s.Bind(model_id).Bind(provider_id).Bind(provider_id).Bind(now_unix);
  return s.Run();
}

Status SqliteStore::UpsertCompanyLocked(const Company& company) {
  Statement s(*conn_,
              "INSERT INTO companies (id, name) VALUES (?, ?) "
              "ON CONFLICT (id) DO UPDATE SET name = excluded.name");
  s.Bind(company.id).Bind(company.name);
  if (Status status = s.Run(); !status.ok()) return CatalogError(s, status, "company " + company.id);
  return OkStatus();
}

Status SqliteStore::UpsertProviderLocked(const Provider& provider) {
  Statement s(*conn_,
              "INSERT INTO providers (id, name, adapter, base_url, key_env, base_url_env, "
              "enabled) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET "
              "name = excluded.name, adapter = excluded.adapter, base_url = excluded.base_url, "
              "key_env = excluded.key_env, base_url_env = excluded.base_url_env, "
              "enabled = excluded.enabled");
  s.Bind(provider.id).Bind(provider.name).Bind(provider.adapter).Bind(provider.base_url);
  s.Bind(provider.key_env).Bind(provider.base_url_env).Bind(provider.enabled);
  if (Status status = s.Run(); !status.ok()) return CatalogError(s, status, "provider " + provider.id);
  return OkStatus();
}

Status SqliteStore::UpsertModelLocked(const Model& model) {
  // An upsert, not INSERT OR REPLACE: replacing would delete the row and cascade.
  Statement s(*conn_,
              "INSERT INTO models (id, company_id, name, description, context_length, "
              "max_output, created, source, input_modalities, output_modalities, canonical_slug) "
              "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET "
              "company_id = excluded.company_id, name = excluded.name, "
              "description = excluded.description, context_length = excluded.context_length, "
              "max_output = excluded.max_output, created = excluded.created, "
              "source = excluded.source, input_modalities = excluded.input_modalities, "
              "output_modalities = excluded.output_modalities, canonical_slug = excluded.canonical_slug");
  s.Bind(model.id).Bind(model.company_id).Bind(model.name).Bind(model.description);
  s.Bind(model.context_length).Bind(model.max_output).Bind(model.created).Bind(model.source);
  s.Bind(ToJsonArray(model.input_modalities)).Bind(ToJsonArray(model.output_modalities)).Bind(model.canonical_slug);
  if (Status status = s.Run(); !status.ok()) return CatalogError(s, status, "model " + model.id);
  return OkStatus();
}

Status SqliteStore::ImportCatalog(const Catalog& catalog) {
  std::lock_guard lock(mu_);
  const int64_t now = NowUnix();
  Transaction tx(*conn_);
  if (Status status = tx.Begin(Transaction::Mode::kWrite); !status.ok()) return status;
  for (const Company& company : catalog.companies) {
    if (Status status = UpsertCompanyLocked(company); !status.ok()) return status;
  }
  for (const Provider& provider : catalog.providers) {
    if (Status status = UpsertProviderLocked(provider); !status.ok()) return status;
  }
  for (const Model& model : catalog.models) {
    // A renamed model: the one under its former id goes, with its endpoints and their scheduled
    // prices (its past price history and the request log keep the old id).
    for (const std::string& former : model.former_ids) {
      if (former == model.id) continue;
      if (Status status = CancelScheduledPricesLocked(former, "", now); !status.ok()) return status;
      Statement s(*conn_, "DELETE FROM models WHERE id = ?");  // its endpoints cascade
      s.Bind(former);
      if (Status status = s.Run(); !status.ok()) return CatalogError(s, status, "model " + former);
    }
    if (Status status = UpsertModelLocked(model); !status.ok()) return status;
    std::set<std::string> dropped;  // providers of the endpoints this import removes
    {
      Statement s(*conn_, "SELECT provider_id FROM model_providers WHERE model_id = ?");
      s.Bind(model.id);
      Result<bool> row = s.Next();
      for (; row.ok() && *row; row = s.Next()) dropped.insert(s.Text(0));
      if (!row.ok()) return row.error();
    }
    {
      Statement s(*conn_, "DELETE FROM model_providers WHERE model_id = ?");
      s.Bind(model.id);
      if (Status status = s.Run(); !status.ok()) return status;
    }
    for (const Endpoint& endpoint : model.endpoints) {
      dropped.erase(endpoint.provider_id);
      Statement s(*conn_,
                  "INSERT INTO model_providers (model_id, provider_id, upstream_model, "
                  "price_input, price_output, price_cache_read, price_cache_write, "
                  "context_length, max_output, supported_parameters, enabled, data_collection, zdr) "
                  "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
      s.Bind(model.id).Bind(endpoint.provider_id).Bind(endpoint.upstream_model);
      s.Bind(endpoint.prices.input).Bind(endpoint.prices.output);
      s.Bind(endpoint.prices.cache_read).Bind(endpoint.prices.cache_write);
      s.Bind(endpoint.context_length).Bind(endpoint.max_output);
      s.Bind(ToJsonArray(endpoint.supported_parameters)).Bind(endpoint.enabled);
      s.Bind(endpoint.data_collection).Bind(endpoint.zdr);
      if (Status status = s.Run(); !status.ok()) {
        return CatalogError(s, status, "endpoint " + model.id + " @ " + endpoint.provider_id);
      }
      if (Status status = RecordPriceChangeLocked(model.id, endpoint.provider_id, endpoint.prices, now, now);
          !status.ok()) {
        return status;
      }
    }
    for (const std::string& provider_id : dropped) {
      if (Status status = CancelScheduledPricesLocked(model.id, provider_id, now); !status.ok()) {
        return status;
      }
    }
  }
  return tx.Commit();
}

Status SqliteStore::PutCompany(const Company& company, PutMode mode) {
  std::lock_guard lock(mu_);
  Transaction tx(*conn_);
  if (Status status = tx.Begin(Transaction::Mode::kWrite); !status.ok()) return status;
  Result<bool> exists = ExistsLocked("SELECT 1 FROM companies WHERE id = ?", company.id);
  if (!exists.ok()) return exists.error();
  if (Status status = CheckMode(mode, *exists, "company " + company.id); !status.ok()) return status;
  if (Status status = UpsertCompanyLocked(company); !status.ok()) return status;
  return tx.Commit();
}

Status SqliteStore::DeleteCompany(const std::string& id) {
  return DeleteUnreferenced(
      {"company", "SELECT 1 FROM companies WHERE id = ?", "SELECT count(*) FROM models WHERE company_id = ?",
       "model(s)", "DELETE FROM companies WHERE id = ?"},
      id);
}

Status SqliteStore::PutProvider(const Provider& provider, PutMode mode) {
  std::lock_guard lock(mu_);
  Transaction tx(*conn_);
  if (Status status = tx.Begin(Transaction::Mode::kWrite); !status.ok()) return status;
  Result<bool> exists = ExistsLocked("SELECT 1 FROM providers WHERE id = ?", provider.id);
  if (!exists.ok()) return exists.error();
  if (Status status = CheckMode(mode, *exists, "provider " + provider.id); !status.ok()) return status;
  if (Status status = UpsertProviderLocked(provider); !status.ok()) return status;
  return tx.Commit();
}

Status SqliteStore::DeleteProvider(const std::string& id) {
  return DeleteUnreferenced(
      {"provider", "SELECT 1 FROM providers WHERE id = ?", "SELECT count(*) FROM model_providers WHERE provider_id = ?",
       "endpoint(s)", "DELETE FROM providers WHERE id = ?"},
      id);
}

Status SqliteStore::DeleteUnreferenced(const Deletion& d, const std::string& id) {
  std::lock_guard lock(mu_);
  Transaction tx(*conn_);
  if (Status status = tx.Begin(Transaction::Mode::kWrite); !status.ok()) return status;
  Result<bool> exists = ExistsLocked(d.exists_sql, id);
  if (!exists.ok()) return exists.error();
  if (!*exists) return MakeError(ErrorCode::kNotFound, std::string("no ") + d.what + " " + id);
  {
    Statement s(*conn_, d.dependents_sql);
    s.Bind(id);
    Result<bool> row = s.Next();
    if (!row.ok()) return row.error();
    if (*row && s.Int(0) > 0) {
      return MakeError(ErrorCode::kConflict, std::string(d.what) + " " + id + " still has " + std::to_string(s.Int(0)) +
                                                 " " + d.dependents + "; delete them first");
    }
  }
  Statement s(*conn_, d.delete_sql);
  s.Bind(id);
  if (Status status = s.Run(); !status.ok()) return CatalogError(s, status, std::string(d.what) + " " + id);
  return tx.Commit();
}

Status SqliteStore::PutModel(const Model& model, PutMode mode) {
  std::lock_guard lock(mu_);
  Transaction tx(*conn_);
  if (Status status = tx.Begin(Transaction::Mode::kWrite); !status.ok()) return status;
  Result<bool> exists = ExistsLocked("SELECT 1 FROM models WHERE id = ?", model.id);
  if (!exists.ok()) return exists.error();
  if (Status status = CheckMode(mode, *exists, "model " + model.id); !status.ok()) return status;
  Result<bool> company = ExistsLocked("SELECT 1 FROM companies WHERE id = ?", model.company_id);
  if (!company.ok()) return company.error();
  if (!*company) return MakeError(ErrorCode::kBadRequest, "no company " + model.company_id);
  if (Status status = UpsertModelLocked(model); !status.ok()) return status;
  return tx.Commit();
}

Status SqliteStore::DeleteModel(const std::string& id, int64_t now_unix) {
  std::lock_guard lock(mu_);
  Transaction tx(*conn_);
  if (Status status = tx.Begin(Transaction::Mode::kWrite); !status.ok()) return status;
  Result<bool> exists = ExistsLocked("SELECT 1 FROM models WHERE id = ?", id);
  if (!exists.ok()) return exists.error();
  if (!*exists) return MakeError(ErrorCode::kNotFound, "no model " + id);
  if (Status status = CancelScheduledPricesLocked(id, "", now_unix); !status.ok()) return status;
  Statement s(*conn_, "DELETE FROM models WHERE id = ?");  // its endpoints cascade
  s.Bind(id);
  if (Status status = s.Run(); !status.ok()) return CatalogError(s, status, "model " + id);
  return tx.Commit();
}

Result<bool> SqliteStore::PutEndpoint(const std::string& model_id, const Endpoint& endpoint, int64_t effective_from,
                                      int64_t now_unix) {
  std::lock_guard lock(mu_);
  Transaction tx(*conn_);
  if (Status status = tx.Begin(Transaction::Mode::kWrite); !status.ok()) return status.error();
  Result<bool> model = ExistsLocked("SELECT 1 FROM models WHERE id = ?", model_id);
  if (!model.ok()) return model.error();
  if (!*model) return MakeError(ErrorCode::kNotFound, "no model " + model_id);
  Result<bool> provider = ExistsLocked("SELECT 1 FROM providers WHERE id = ?", endpoint.provider_id);
  if (!provider.ok()) return provider.error();
  if (!*provider) return MakeError(ErrorCode::kNotFound, "no provider " + endpoint.provider_id);
  bool exists = false;
  {
    Statement s(*conn_, "SELECT 1 FROM model_providers WHERE model_id = ? AND provider_id = ?");
    s.Bind(model_id).Bind(endpoint.provider_id);
    Result<bool> row = s.Next();
    if (!row.ok()) return row.error();
    exists = *row;
  }
  const int64_t at = std::max(effective_from, now_unix);
  if (!exists && at > now_unix) {
    return MakeError(ErrorCode::kBadRequest,
                     "a new endpoint's prices take effect at once; schedule changes once it exists");
  }
  if (Status status = RecordPriceChangeLocked(model_id, endpoint.provider_id, endpoint.prices, at, now_unix);
      !status.ok()) {
    return status.error();
  }
  Result<std::optional<money::Prices>> in_force = PricesAtLocked(model_id, endpoint.provider_id, now_unix);
  if (!in_force.ok()) return in_force.error();
  const money::Prices prices = in_force->value_or(endpoint.prices);
  // Updated in place (the row keeps its id, so the endpoint keeps its place in the catalog).
  Statement s(*conn_,
              "INSERT INTO model_providers (model_id, provider_id, upstream_model, price_input, "
              "price_output, price_cache_read, price_cache_write, context_length, max_output, "
              "supported_parameters, enabled, data_collection, zdr) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
              "ON CONFLICT (model_id, provider_id) DO UPDATE SET "
              "upstream_model = excluded.upstream_model, price_input = excluded.price_input, "
              "price_output = excluded.price_output, price_cache_read = excluded.price_cache_read, "
              "price_cache_write = excluded.price_cache_write, "
              "context_length = excluded.context_length, max_output = excluded.max_output, "
              "supported_parameters = excluded.supported_parameters, enabled = excluded.enabled, "
              "data_collection = excluded.data_collection, zdr = excluded.zdr");
  s.Bind(model_id).Bind(endpoint.provider_id).Bind(endpoint.upstream_model);
  s.Bind(prices.input).Bind(prices.output).Bind(prices.cache_read).Bind(prices.cache_write);
  s.Bind(endpoint.context_length).Bind(endpoint.max_output);
  s.Bind(ToJsonArray(endpoint.supported_parameters)).Bind(endpoint.enabled);
  s.Bind(endpoint.data_collection).Bind(endpoint.zdr);
  if (Status status = s.Run(); !status.ok()) {
    return CatalogError(s, status, "endpoint " + model_id + " @ " + endpoint.provider_id).error();
  }
  if (Status status = tx.Commit(); !status.ok()) return status.error();
  return !exists;
}

Status SqliteStore::DeleteEndpoint(const std::string& model_id, const std::string& provider_id, int64_t now_unix) {
  std::lock_guard lock(mu_);
  Transaction tx(*conn_);
  if (Status status = tx.Begin(Transaction::Mode::kWrite); !status.ok()) return status;
  {
    Statement s(*conn_, "DELETE FROM model_providers WHERE model_id = ? AND provider_id = ?");
    s.Bind(model_id).Bind(provider_id);
    if (Status status = s.Run(); !status.ok()) return status;
  }
  if (conn_->Changes() == 0) {
    return MakeError(ErrorCode::kNotFound, "no endpoint of " + model_id + " at " + provider_id);
  }
  if (Status status = CancelScheduledPricesLocked(model_id, provider_id, now_unix); !status.ok()) {
    return status;
  }
  return tx.Commit();
}

}  // namespace turnpike::store::sqlite
