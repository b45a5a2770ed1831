// SqliteStore: the catalog (companies, providers, models and their endpoints).
#include <boost/json.hpp>
#include <map>

#include "store/sqlite/connection.h"
#include "store/sqlite/sqlite_store.h"

namespace turnpike::store::sqlite {
namespace {

std::string ToJsonArray(const std::vector<std::string>& items) {
  boost::json::array array;
  for (const std::string& item : items) array.emplace_back(item);
  return boost::json::serialize(array);
}

// Reads a JSON array of strings; anything else (which the CHECKs should prevent) reads as empty.
std::vector<std::string> FromJsonArray(const std::string& text) {
  std::vector<std::string> items;
  boost::json::error_code ec;
  boost::json::value value = boost::json::parse(text, ec);
  if (ec || !value.is_array()) return items;
  for (const boost::json::value& item : value.get_array()) {
    if (item.is_string()) items.emplace_back(item.get_string());
  }
  return items;
}

// Maps a failed catalog write: a broken reference or constraint is the catalog's fault.
Status CatalogError(const Statement& s, const Status& status, const std::string& what) {
  if (IsConstraintViolation(s.result_code())) {
    return MakeError(ErrorCode::kBadRequest, "catalog " + what + ": " + status.error().message);
  }
  return status;
}

}  // namespace

Status SqliteStore::ImportCatalog(const Catalog& catalog) {
  std::lock_guard lock(mu_);
  Transaction tx(*conn_);
  if (Status status = tx.Begin(Transaction::Mode::kWrite); !status.ok()) return status;
  for (const Company& company : catalog.companies) {
    Statement s(*conn_,
                "INSERT INTO companies (id, name) VALUES (?, ?) "
                "ON CONFLICT (id) DO UPDATE SET name = excluded.name");
    s.Bind(company.id).Bind(company.name);
    if (Status status = s.Run(); !status.ok())
      return CatalogError(s, status, "company " + company.id);
  }
  for (const Provider& provider : catalog.providers) {
    Statement s(*conn_,
                "INSERT INTO providers (id, name, adapter, base_url, key_env, base_url_env, "
                "enabled) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET "
                "name = excluded.name, adapter = excluded.adapter, base_url = excluded.base_url, "
                "key_env = excluded.key_env, base_url_env = excluded.base_url_env, "
                "enabled = excluded.enabled");
    s.Bind(provider.id).Bind(provider.name).Bind(provider.adapter).Bind(provider.base_url);
    s.Bind(provider.key_env).Bind(provider.base_url_env).Bind(provider.enabled);
    if (Status status = s.Run(); !status.ok()) {
      return CatalogError(s, status, "provider " + provider.id);
    }
  }
  for (const Model& model : catalog.models) {
    {
      // An upsert, not INSERT OR REPLACE: replacing would delete the row and cascade.
      Statement s(*conn_,
                  "INSERT INTO models (id, company_id, name, description, context_length, "
                  "max_output, created, source, input_modalities, output_modalities) "
                  "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET "
                  "company_id = excluded.company_id, name = excluded.name, "
                  "description = excluded.description, context_length = excluded.context_length, "
                  "max_output = excluded.max_output, created = excluded.created, "
                  "source = excluded.source, input_modalities = excluded.input_modalities, "
                  "output_modalities = excluded.output_modalities");
      s.Bind(model.id).Bind(model.company_id).Bind(model.name).Bind(model.description);
      s.Bind(model.context_length).Bind(model.max_output).Bind(model.created).Bind(model.source);
      s.Bind(ToJsonArray(model.input_modalities)).Bind(ToJsonArray(model.output_modalities));
      if (Status status = s.Run(); !status.ok())
        return CatalogError(s, status, "model " + model.id);
    }
    {
      Statement s(*conn_, "DELETE FROM model_providers WHERE model_id = ?");
      s.Bind(model.id);
      if (Status status = s.Run(); !status.ok()) return status;
    }
    for (const Endpoint& endpoint : model.endpoints) {
      Statement s(*conn_,
                  "INSERT INTO model_providers (model_id, provider_id, upstream_model, "
                  "price_input, price_output, price_cache_read, price_cache_write, "
                  "context_length, max_output, supported_parameters, enabled) "
                  "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
      s.Bind(model.id).Bind(endpoint.provider_id).Bind(endpoint.upstream_model);
      s.Bind(endpoint.prices.input).Bind(endpoint.prices.output);
      s.Bind(endpoint.prices.cache_read).Bind(endpoint.prices.cache_write);
      s.Bind(endpoint.context_length).Bind(endpoint.max_output);
      s.Bind(ToJsonArray(endpoint.supported_parameters)).Bind(endpoint.enabled);
      if (Status status = s.Run(); !status.ok()) {
        return CatalogError(s, status, "endpoint " + model.id + " @ " + endpoint.provider_id);
      }
    }
  }
  return tx.Commit();
}

Catalog SqliteStore::LoadCatalog() {
  std::lock_guard lock(mu_);
  Catalog catalog;
  // One read transaction: a concurrent import is seen entirely or not at all.
  Transaction tx(*conn_);
  if (!tx.Begin(Transaction::Mode::kRead).ok()) return catalog;
  {
    Statement s(*conn_, "SELECT id, name FROM companies ORDER BY id");
    for (Result<bool> row = s.Next(); row.ok() && *row; row = s.Next()) {
      catalog.companies.push_back(Company{s.Text(0), s.Text(1)});
    }
  }
  {
    Statement s(*conn_,
                "SELECT id, name, adapter, base_url, key_env, base_url_env, enabled "
                "FROM providers ORDER BY id");
    for (Result<bool> row = s.Next(); row.ok() && *row; row = s.Next()) {
      catalog.providers.push_back(
          Provider{s.Text(0), s.Text(1), s.Text(2), s.Text(3), s.Text(4), s.Text(5), s.Bool(6)});
    }
  }
  std::map<std::string, size_t> index;  // model id -> position in catalog.models
  {
    Statement s(*conn_,
                "SELECT id, company_id, name, description, context_length, max_output, created, "
                "source, input_modalities, output_modalities FROM models ORDER BY id");
    for (Result<bool> row = s.Next(); row.ok() && *row; row = s.Next()) {
      Model model;
      model.id = s.Text(0);
      model.company_id = s.Text(1);
      model.name = s.Text(2);
      model.description = s.Text(3);
      model.context_length = s.Int(4);
      model.max_output = s.Int(5);
      model.created = s.Int(6);
      model.source = s.Text(7);
      model.input_modalities = FromJsonArray(s.Text(8));
      model.output_modalities = FromJsonArray(s.Text(9));
      index[model.id] = catalog.models.size();
      catalog.models.push_back(std::move(model));
    }
  }
  {
    Statement s(*conn_,
                "SELECT model_id, provider_id, upstream_model, price_input, price_output, "
                "price_cache_read, price_cache_write, context_length, max_output, "
                "supported_parameters, enabled FROM model_providers ORDER BY model_id, id");
    for (Result<bool> row = s.Next(); row.ok() && *row; row = s.Next()) {
      auto it = index.find(s.Text(0));
      if (it == index.end()) continue;
      Endpoint endpoint;
      endpoint.provider_id = s.Text(1);
      endpoint.upstream_model = s.Text(2);
      endpoint.prices = money::Prices{s.Int(3), s.Int(4), s.Int(5), s.Int(6)};
      endpoint.context_length = s.Int(7);
      endpoint.max_output = s.Int(8);
      endpoint.supported_parameters = FromJsonArray(s.Text(9));
      endpoint.enabled = s.Bool(10);
      catalog.models[it->second].endpoints.push_back(std::move(endpoint));
    }
  }
  (void)tx.Commit();
  return catalog;
}

bool SqliteStore::CatalogEmpty() {
  std::lock_guard lock(mu_);
  Statement s(
      *conn_,
      "SELECT NOT EXISTS (SELECT 1 FROM companies) AND NOT EXISTS (SELECT 1 FROM providers) "
      "AND NOT EXISTS (SELECT 1 FROM models)");
  Result<bool> row = s.Next();
  return row.ok() && *row && s.Bool(0);
}

}  // namespace turnpike::store::sqlite
