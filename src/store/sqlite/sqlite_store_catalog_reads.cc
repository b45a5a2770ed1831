// SqliteStore: reading the catalog (one consistent snapshot of it at a time) and the price
// history of an endpoint. Writing it is in sqlite_store_catalog.cc.
#include <boost/json.hpp>
#include <map>
#include <utility>

#include "store/sqlite/connection.h"
#include "store/sqlite/sqlite_store.h"

namespace turnpike::store::sqlite {
namespace {

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

// A row of "SELECT id, company_id, name, description, context_length, max_output, created,
// source, input_modalities, output_modalities, canonical_slug FROM models"; its endpoints are
// left empty.
Model ReadModel(const Statement& s) {
  return Model{s.Text(0),
               s.Text(1),
               s.Text(2),
               s.Text(3),
               s.Int(4),
               s.Int(5),
               s.Int(6),
               s.Text(7),
               FromJsonArray(s.Text(8)),
               FromJsonArray(s.Text(9)),
               {},
               s.Text(10)};
}

// An endpoint from columns 1.. of LoadCatalogAt's endpoint query (column 0 is its model id).
Endpoint ReadEndpoint(const Statement& s) {
  return Endpoint{s.Text(1),  s.Text(2),  money::Prices{s.Int(3), s.Int(4), s.Int(5), s.Int(6)},
                  s.Int(7),   s.Int(8),   FromJsonArray(s.Text(9)),
                  s.Bool(10), s.Text(11), s.Bool(12)};
}

}  // namespace

Result<Catalog> SqliteStore::LoadCatalogAt(int64_t now_unix) {
  ConnectionLease conn = LockReader();
  Catalog catalog;
  // One read transaction: a concurrent import is seen entirely or not at all.
  Transaction tx(*conn);
  if (Status status = tx.Begin(Transaction::Mode::kRead); !status.ok()) return status.error();
  {
    Statement s(*conn, "SELECT id, name FROM companies ORDER BY id");
    auto companies = ReadRows(s, [](const Statement& row) { return Company{row.Text(0), row.Text(1)}; });
    if (!companies.ok()) return companies.error();
    catalog.companies = std::move(*companies);
  }
  {
    Statement s(*conn,
                "SELECT id, name, adapter, base_url, key_env, base_url_env, enabled "
                "FROM providers ORDER BY id");
    auto providers = ReadRows(s, [](const Statement& row) {
      return Provider{row.Text(0), row.Text(1), row.Text(2), row.Text(3), row.Text(4), row.Text(5), row.Bool(6)};
    });
    if (!providers.ok()) return providers.error();
    catalog.providers = std::move(*providers);
  }
  {
    Statement s(*conn,
                "SELECT id, company_id, name, description, context_length, max_output, created, "
                "source, input_modalities, output_modalities, canonical_slug FROM models ORDER BY id");
    auto models = ReadRows(s, ReadModel);
    if (!models.ok()) return models.error();
    catalog.models = std::move(*models);
  }
  std::map<std::string, size_t> index;  // model id -> position in catalog.models
  for (size_t i = 0; i < catalog.models.size(); ++i) index[catalog.models[i].id] = i;
  {
    // Each endpoint's prices: its history row in force at now_unix, else its own columns.
    Statement s(*conn,
                "SELECT mp.model_id, mp.provider_id, mp.upstream_model, "
                "coalesce(ph.price_input, mp.price_input), "
                "coalesce(ph.price_output, mp.price_output), "
                "coalesce(ph.price_cache_read, mp.price_cache_read), "
                "coalesce(ph.price_cache_write, mp.price_cache_write), mp.context_length, "
                "mp.max_output, mp.supported_parameters, mp.enabled, mp.data_collection, mp.zdr "
                "FROM model_providers mp "
                "LEFT JOIN price_history ph ON ph.id = (SELECT h.id FROM price_history h "
                "WHERE h.model_id = mp.model_id AND h.provider_id = mp.provider_id "
                "AND h.effective_from <= ? ORDER BY h.effective_from DESC, h.id DESC LIMIT 1) "
                "ORDER BY mp.model_id, mp.id");
    s.Bind(now_unix);
    auto endpoints = ReadRows(s, [](const Statement& row) { return std::make_pair(row.Text(0), ReadEndpoint(row)); });
    if (!endpoints.ok()) return endpoints.error();
    for (auto& [model_id, endpoint] : *endpoints) {
      if (auto it = index.find(model_id); it != index.end()) {
        catalog.models[it->second].endpoints.push_back(std::move(endpoint));
      }
    }
  }
  {
    Statement s(*conn,
                "SELECT min(ph.effective_from) FROM price_history ph WHERE ph.effective_from > ? "
                "AND EXISTS (SELECT 1 FROM model_providers mp WHERE mp.model_id = ph.model_id "
                "AND mp.provider_id = ph.provider_id)");
    s.Bind(now_unix);
    auto next = ReadFirstRow(s, [](const Statement& row) { return row.OptionalInt(0); });
    if (!next.ok()) return next.error();
    catalog.next_price_change = next->value_or(std::nullopt);
  }
  if (Status status = tx.Commit(); !status.ok()) return status.error();
  return catalog;
}

Result<bool> SqliteStore::CatalogEmpty() {
  ConnectionLease conn = LockReader();
  Statement s(*conn,
              "SELECT NOT EXISTS (SELECT 1 FROM companies) AND NOT EXISTS (SELECT 1 FROM providers) "
              "AND NOT EXISTS (SELECT 1 FROM models)");
  Result<int64_t> empty = ReadInt(s);
  if (!empty.ok()) return empty.error();
  return *empty != 0;
}

Result<int64_t> SqliteStore::CatalogVersion() {
  ConnectionLease conn = LockReader();
  Statement s(*conn, "SELECT version FROM catalog_version WHERE id = 1");
  return ReadInt(s);
}

Result<std::vector<PriceChange>> SqliteStore::ListPriceHistory(const std::string& model_id,
                                                               const std::string& provider_id) {
  ConnectionLease conn = LockReader();
  Statement s(*conn,
              "SELECT id, model_id, provider_id, price_input, price_output, price_cache_read, "
              "price_cache_write, effective_from, created_at FROM price_history "
              "WHERE model_id = ? AND provider_id = ? ORDER BY effective_from, id");
  s.Bind(model_id).Bind(provider_id);
  return ReadRows(s, [](const Statement& row) {
    return PriceChange{row.Int(0),  row.Text(1),
                       row.Text(2), money::Prices{row.Int(3), row.Int(4), row.Int(5), row.Int(6)},
                       row.Int(7),  row.Int(8)};
  });
}

}  // namespace turnpike::store::sqlite
