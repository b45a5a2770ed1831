// PgStore: writing the catalog (companies, providers, models and their endpoints): the import, its
// administration, and the endpoints' effective-dated price history. Reading it is in
// pg_store_catalog_reads.cc. Every write holds the catalog's advisory lock for its transaction, so
// catalog writes are serialised across processes as they are in SQLite.
#include <algorithm>
#include <boost/json.hpp>
#include <set>

#include "store/pg/pg_store.h"
#include "store/pg/transaction.h"
#include "store/pg/util.h"

namespace turnpike::store::pg {
namespace {

// The advisory lock of catalog writes: "catalog!" in ASCII.
constexpr int64_t kCatalogLock = 0x636174616c6f6721;

std::string ToJsonArray(const std::vector<std::string>& items) {
  boost::json::array array;
  for (const std::string& item : items) array.emplace_back(item);
  return boost::json::serialize(array);
}

// A broken reference or constraint is the catalog's fault: kBadRequest.
Error CatalogError(const Connection& c, const Error& error, const std::string& what) {
  const std::string prefix = "catalog " + what;
  return MapWriteError(c.last_sqlstate(), error, {.invalid = prefix.c_str()});
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

// The price history row in force at `at` (ties: the later row).
constexpr char kPricesAtSql[] =
    "SELECT price_input, price_output, price_cache_read, price_cache_write FROM price_history "
    "WHERE model_id = $1 AND provider_id = $2 AND effective_from <= $3 "
    "ORDER BY effective_from DESC, id DESC LIMIT 1";

}  // namespace

Status PgStore::LockCatalog(Connection& c) {
  Result<Rows> locked = c.Exec("SELECT pg_advisory_xact_lock($1)", Params().Add(kCatalogLock));
  if (!locked.ok()) return locked.error();
  return OkStatus();
}

Result<bool> PgStore::Exists(Connection& c, const char* sql, const std::string& id) {
  Result<Rows> rows = c.Exec(sql, Params().Add(id));
  if (!rows.ok()) return rows.error();
  return !rows->empty();
}

Result<std::optional<money::Prices>> PgStore::PricesAt(Connection& c, const std::string& model_id,
                                                       const std::string& provider_id, int64_t at) {
  Result<Rows> rows = c.Exec(kPricesAtSql, Params().Add(model_id).Add(provider_id).Add(at));
  if (!rows.ok()) return rows.error();
  if (rows->empty()) return std::optional<money::Prices>();
  return std::optional<money::Prices>(
      money::Prices{rows->Int(0, 0), rows->Int(0, 1), rows->Int(0, 2), rows->Int(0, 3)});
}

Status PgStore::RecordPrices(Connection& c, const std::string& model_id, const std::string& provider_id,
                             const money::Prices& prices, int64_t effective_from, int64_t now_unix) {
  Result<Rows> rows = c.Exec(
      "INSERT INTO price_history (model_id, provider_id, price_input, price_output, price_cache_read, "
      "price_cache_write, effective_from, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
      Params()
          .Add(model_id)
          .Add(provider_id)
          .Add(prices.input)
          .Add(prices.output)
          .Add(prices.cache_read)
          .Add(prices.cache_write)
          .Add(effective_from)
          .Add(now_unix));
  if (!rows.ok()) return CatalogError(c, rows.error(), "prices of " + model_id + " @ " + provider_id);
  return OkStatus();
}

Status PgStore::RecordPriceChange(Connection& c, const std::string& model_id, const std::string& provider_id,
                                  const money::Prices& prices, int64_t at, int64_t now_unix) {
  Result<std::optional<money::Prices>> current = PricesAt(c, model_id, provider_id, at);
  if (!current.ok()) return current.error();
  if (*current && SamePrices(**current, prices)) return OkStatus();
  return RecordPrices(c, model_id, provider_id, prices, at, now_unix);
}

Status PgStore::CancelScheduledPrices(Connection& c, const std::string& model_id, const std::string& provider_id,
                                      int64_t now_unix) {
  Result<Rows> rows =
      c.Exec("DELETE FROM price_history WHERE model_id = $1 AND ($2 = '' OR provider_id = $2) AND effective_from > $3",
             Params().Add(model_id).Add(provider_id).Add(now_unix));
  if (!rows.ok()) return rows.error();
  return OkStatus();
}

Status PgStore::UpsertCompany(Connection& c, const Company& company) {
  Result<Rows> rows =
      c.Exec("INSERT INTO companies (id, name) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET name = excluded.name",
             Params().Add(company.id).Add(company.name));
  if (!rows.ok()) return CatalogError(c, rows.error(), "company " + company.id);
  return OkStatus();
}

Status PgStore::UpsertProvider(Connection& c, const Provider& provider) {
  Result<Rows> rows = c.Exec(
      "INSERT INTO providers (id, name, adapter, base_url, key_env, base_url_env, enabled) "
      "VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (id) DO UPDATE SET "
      "name = excluded.name, adapter = excluded.adapter, base_url = excluded.base_url, "
      "key_env = excluded.key_env, base_url_env = excluded.base_url_env, enabled = excluded.enabled",
      Params()
          .Add(provider.id)
          .Add(provider.name)
          .Add(provider.adapter)
          .Add(provider.base_url)
          .Add(provider.key_env)
          .Add(provider.base_url_env)
          .Add(provider.enabled));
  if (!rows.ok()) return CatalogError(c, rows.error(), "provider " + provider.id);
  return OkStatus();
}

Status PgStore::UpsertModel(Connection& c, const Model& model) {
  // An upsert in place: the row keeps its identity, so its endpoints stay.
  Result<Rows> rows = c.Exec(
      "INSERT INTO models (id, company_id, name, description, context_length, max_output, created, source, "
      "input_modalities, output_modalities, canonical_slug) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) "
      "ON CONFLICT (id) DO UPDATE SET company_id = excluded.company_id, name = excluded.name, "
      "description = excluded.description, context_length = excluded.context_length, "
      "max_output = excluded.max_output, created = excluded.created, source = excluded.source, "
      "input_modalities = excluded.input_modalities, output_modalities = excluded.output_modalities, "
      "canonical_slug = excluded.canonical_slug",
      Params()
          .Add(model.id)
          .Add(model.company_id)
          .Add(model.name)
          .Add(model.description)
          .Add(model.context_length)
          .Add(model.max_output)
          .Add(model.created)
          .Add(model.source)
          .Add(ToJsonArray(model.input_modalities))
          .Add(ToJsonArray(model.output_modalities))
          .Add(model.canonical_slug));
  if (!rows.ok()) return CatalogError(c, rows.error(), "model " + model.id);
  return OkStatus();
}

Status PgStore::ImportCatalog(const Catalog& catalog) {
  Result<Conn> conn = Acquire();
  if (!conn.ok()) return conn.error();
  Connection& c = **conn;
  const int64_t now = NowUnix();
  Transaction tx(c);
  if (Status status = tx.Begin(); !status.ok()) return status;
  if (Status status = LockCatalog(c); !status.ok()) return status;
  for (const Company& company : catalog.companies) {
    if (Status status = UpsertCompany(c, company); !status.ok()) return status;
  }
  for (const Provider& provider : catalog.providers) {
    if (Status status = UpsertProvider(c, provider); !status.ok()) return status;
  }
  for (const Model& model : catalog.models) {
    // A renamed model: the one under its former id goes, with its endpoints and their scheduled
    // prices (its past price history and the request log keep the old id).
    for (const std::string& former : model.former_ids) {
      if (former == model.id) continue;
      if (Status status = CancelScheduledPrices(c, former, "", now); !status.ok()) return status;
      Result<Rows> rows = c.Exec("DELETE FROM models WHERE id = $1", Params().Add(former));  // endpoints cascade
      if (!rows.ok()) return CatalogError(c, rows.error(), "model " + former);
    }
    if (Status status = UpsertModel(c, model); !status.ok()) return status;
    std::set<std::string> dropped;  // providers of the endpoints this import removes
    {
      Result<Rows> rows =
          c.Exec("DELETE FROM model_providers WHERE model_id = $1 RETURNING provider_id", Params().Add(model.id));
      if (!rows.ok()) return rows.error();
      for (int i = 0; i < rows->size(); ++i) dropped.insert(rows->Text(i, 0));
    }
    for (const Endpoint& endpoint : model.endpoints) {
      dropped.erase(endpoint.provider_id);
      Result<Rows> rows = c.Exec(
          "INSERT INTO model_providers (model_id, provider_id, upstream_model, price_input, price_output, "
          "price_cache_read, price_cache_write, context_length, max_output, supported_parameters, enabled, "
          "data_collection, zdr) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
          Params()
              .Add(model.id)
              .Add(endpoint.provider_id)
              .Add(endpoint.upstream_model)
              .Add(endpoint.prices.input)
              .Add(endpoint.prices.output)
              .Add(endpoint.prices.cache_read)
              .Add(endpoint.prices.cache_write)
              .Add(endpoint.context_length)
              .Add(endpoint.max_output)
              .Add(ToJsonArray(endpoint.supported_parameters))
              .Add(endpoint.enabled)
              .Add(endpoint.data_collection)
              .Add(endpoint.zdr));
      if (!rows.ok()) return CatalogError(c, rows.error(), "endpoint " + model.id + " @ " + endpoint.provider_id);
      if (Status status = RecordPriceChange(c, model.id, endpoint.provider_id, endpoint.prices, now, now);
          !status.ok()) {
        return status;
      }
    }
    for (const std::string& provider_id : dropped) {
      if (Status status = CancelScheduledPrices(c, model.id, provider_id, now); !status.ok()) return status;
    }
  }
  return tx.Commit();
}

template <class Upsert>
Status PgStore::PutCatalogRow(const char* exists_sql, const std::string& id, PutMode mode, const std::string& what,
                              const Upsert& upsert) {
  Result<Conn> conn = Acquire();
  if (!conn.ok()) return conn.error();
  Connection& c = **conn;
  Transaction tx(c);
  if (Status status = tx.Begin(); !status.ok()) return status;
  if (Status status = LockCatalog(c); !status.ok()) return status;
  Result<bool> exists = Exists(c, exists_sql, id);
  if (!exists.ok()) return exists.error();
  if (Status status = CheckMode(mode, *exists, what); !status.ok()) return status;
  if (Status status = upsert(c); !status.ok()) return status;
  return tx.Commit();
}

Status PgStore::PutCompany(const Company& company, PutMode mode) {
  return PutCatalogRow("SELECT 1 FROM companies WHERE id = $1", company.id, mode, "company " + company.id,
                       [&](Connection& c) { return UpsertCompany(c, company); });
}

Status PgStore::PutProvider(const Provider& provider, PutMode mode) {
  return PutCatalogRow("SELECT 1 FROM providers WHERE id = $1", provider.id, mode, "provider " + provider.id,
                       [&](Connection& c) { return UpsertProvider(c, provider); });
}

Status PgStore::PutModel(const Model& model, PutMode mode) {
  return PutCatalogRow("SELECT 1 FROM models WHERE id = $1", model.id, mode, "model " + model.id,
                       [&](Connection& c) -> Status {
                         Result<bool> company = Exists(c, "SELECT 1 FROM companies WHERE id = $1", model.company_id);
                         if (!company.ok()) return company.error();
                         if (!*company) return MakeError(ErrorCode::kBadRequest, "no company " + model.company_id);
                         return UpsertModel(c, model);
                       });
}

Status PgStore::DeleteCompany(const std::string& id) {
  return DeleteUnreferenced(
      {"company", "SELECT 1 FROM companies WHERE id = $1", "SELECT count(*) FROM models WHERE company_id = $1",
       "model(s)", "DELETE FROM companies WHERE id = $1"},
      id);
}

Status PgStore::DeleteProvider(const std::string& id) {
  return DeleteUnreferenced({"provider", "SELECT 1 FROM providers WHERE id = $1",
                             "SELECT count(*) FROM model_providers WHERE provider_id = $1", "endpoint(s)",
                             "DELETE FROM providers WHERE id = $1"},
                            id);
}

Status PgStore::DeleteUnreferenced(const Deletion& d, const std::string& id) {
  Result<Conn> conn = Acquire();
  if (!conn.ok()) return conn.error();
  Connection& c = **conn;
  Transaction tx(c);
  if (Status status = tx.Begin(); !status.ok()) return status;
  if (Status status = LockCatalog(c); !status.ok()) return status;
  Result<bool> exists = Exists(c, d.exists_sql, id);
  if (!exists.ok()) return exists.error();
  if (!*exists) return MakeError(ErrorCode::kNotFound, std::string("no ") + d.what + " " + id);
  {
    Result<Rows> rows = c.Exec(d.dependents_sql, Params().Add(id));
    if (!rows.ok()) return rows.error();
    if (int64_t n = FirstInt(*rows); n > 0) {
      return MakeError(ErrorCode::kConflict, std::string(d.what) + " " + id + " still has " + std::to_string(n) + " " +
                                                 d.dependents + "; delete them first");
    }
  }
  Result<Rows> rows = c.Exec(d.delete_sql, Params().Add(id));
  if (!rows.ok()) return CatalogError(c, rows.error(), std::string(d.what) + " " + id);
  return tx.Commit();
}

Status PgStore::DeleteModel(const std::string& id, int64_t now_unix) {
  Result<Conn> conn = Acquire();
  if (!conn.ok()) return conn.error();
  Connection& c = **conn;
  Transaction tx(c);
  if (Status status = tx.Begin(); !status.ok()) return status;
  if (Status status = LockCatalog(c); !status.ok()) return status;
  Result<bool> exists = Exists(c, "SELECT 1 FROM models WHERE id = $1", id);
  if (!exists.ok()) return exists.error();
  if (!*exists) return MakeError(ErrorCode::kNotFound, "no model " + id);
  if (Status status = CancelScheduledPrices(c, id, "", now_unix); !status.ok()) return status;
  Result<Rows> rows = c.Exec("DELETE FROM models WHERE id = $1", Params().Add(id));  // its endpoints cascade
  if (!rows.ok()) return CatalogError(c, rows.error(), "model " + id);
  return tx.Commit();
}

Result<bool> PgStore::PutEndpoint(const std::string& model_id, const Endpoint& endpoint, int64_t effective_from,
                                  int64_t now_unix) {
  Result<Conn> conn = Acquire();
  if (!conn.ok()) return conn.error();
  Connection& c = **conn;
  Transaction tx(c);
  if (Status status = tx.Begin(); !status.ok()) return status.error();
  if (Status status = LockCatalog(c); !status.ok()) return status.error();
  Result<bool> model = Exists(c, "SELECT 1 FROM models WHERE id = $1", model_id);
  if (!model.ok()) return model.error();
  if (!*model) return MakeError(ErrorCode::kNotFound, "no model " + model_id);
  Result<bool> provider = Exists(c, "SELECT 1 FROM providers WHERE id = $1", endpoint.provider_id);
  if (!provider.ok()) return provider.error();
  if (!*provider) return MakeError(ErrorCode::kNotFound, "no provider " + endpoint.provider_id);
  Result<Rows> found = c.Exec("SELECT 1 FROM model_providers WHERE model_id = $1 AND provider_id = $2",
                              Params().Add(model_id).Add(endpoint.provider_id));
  if (!found.ok()) return found.error();
  const bool exists = !found->empty();
  const int64_t at = std::max(effective_from, now_unix);
  if (!exists && at > now_unix) {
    return MakeError(ErrorCode::kBadRequest,
                     "a new endpoint's prices take effect at once; schedule changes once it exists");
  }
  if (Status status = RecordPriceChange(c, model_id, endpoint.provider_id, endpoint.prices, at, now_unix);
      !status.ok()) {
    return status.error();
  }
  Result<std::optional<money::Prices>> in_force = PricesAt(c, model_id, endpoint.provider_id, now_unix);
  if (!in_force.ok()) return in_force.error();
  const money::Prices prices = in_force->value_or(endpoint.prices);
  // Updated in place (the row keeps its id, so the endpoint keeps its place in the catalog).
  Result<Rows> rows = c.Exec(
      "INSERT INTO model_providers (model_id, provider_id, upstream_model, price_input, price_output, "
      "price_cache_read, price_cache_write, context_length, max_output, supported_parameters, enabled, "
      "data_collection, zdr) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) ON CONFLICT (model_id, "
      "provider_id) DO UPDATE SET "
      "upstream_model = excluded.upstream_model, price_input = excluded.price_input, "
      "price_output = excluded.price_output, price_cache_read = excluded.price_cache_read, "
      "price_cache_write = excluded.price_cache_write, context_length = excluded.context_length, "
      "max_output = excluded.max_output, supported_parameters = excluded.supported_parameters, "
      "enabled = excluded.enabled, data_collection = excluded.data_collection, zdr = excluded.zdr",
      Params()
          .Add(model_id)
          .Add(endpoint.provider_id)
          .Add(endpoint.upstream_model)
          .Add(prices.input)
          .Add(prices.output)
          .Add(prices.cache_read)
          .Add(prices.cache_write)
          .Add(endpoint.context_length)
          .Add(endpoint.max_output)
          .Add(ToJsonArray(endpoint.supported_parameters))
          .Add(endpoint.enabled)
          .Add(endpoint.data_collection)
          .Add(endpoint.zdr));
  if (!rows.ok()) return CatalogError(c, rows.error(), "endpoint " + model_id + " @ " + endpoint.provider_id);
  if (Status status = tx.Commit(); !status.ok()) return status.error();
  return !exists;
}

Status PgStore::DeleteEndpoint(const std::string& model_id, const std::string& provider_id, int64_t now_unix) {
  Result<Conn> conn = Acquire();
  if (!conn.ok()) return conn.error();
  Connection& c = **conn;
  Transaction tx(c);
  if (Status status = tx.Begin(); !status.ok()) return status;
  if (Status status = LockCatalog(c); !status.ok()) return status;
  Result<Rows> rows = c.Exec("DELETE FROM model_providers WHERE model_id = $1 AND provider_id = $2",
                             Params().Add(model_id).Add(provider_id));
  if (!rows.ok()) return rows.error();
  if (rows->affected() == 0)
    return MakeError(ErrorCode::kNotFound, "no endpoint of " + model_id + " at " + provider_id);
  if (Status status = CancelScheduledPrices(c, model_id, provider_id, now_unix); !status.ok()) return status;
  return tx.Commit();
}

}  // namespace turnpike::store::pg
