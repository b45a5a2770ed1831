// PgStore: reading the catalog (one consistent snapshot of it at a time) and the price history of
// an endpoint. Writing it is in pg_store_catalog.cc.
#include <boost/json.hpp>
#include <map>
#include <utility>

#include "store/pg/pg_store.h"
#include "store/pg/transaction.h"
#include "store/pg/util.h"

namespace turnpike::store::pg {
namespace {

// Reads a JSON array of strings; anything else reads as empty.
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

Model ReadModel(const Rows& r, int i) {
  return Model{r.Text(i, 0),
               r.Text(i, 1),
               r.Text(i, 2),
               r.Text(i, 3),
               r.Int(i, 4),
               r.Int(i, 5),
               r.Int(i, 6),
               r.Text(i, 7),
               FromJsonArray(r.Text(i, 8)),
               FromJsonArray(r.Text(i, 9)),
               {},
               r.Text(i, 10)};
}

// An endpoint from columns 1.. of LoadCatalogAt's endpoint query (column 0 is its model id).
Endpoint ReadEndpoint(const Rows& r, int i) {
  return Endpoint{r.Text(i, 1),  r.Text(i, 2),  money::Prices{r.Int(i, 3), r.Int(i, 4), r.Int(i, 5), r.Int(i, 6)},
                  r.Int(i, 7),   r.Int(i, 8),   FromJsonArray(r.Text(i, 9)),
                  r.Bool(i, 10), r.Text(i, 11), r.Bool(i, 12)};
}

}  // namespace

Result<Catalog> PgStore::LoadCatalogAt(int64_t now_unix) {
  Result<Conn> conn = Acquire();
  if (!conn.ok()) return conn.error();
  Connection& c = **conn;
  Catalog catalog;
  // One snapshot for every read: a concurrent import is seen entirely or not at all. (Inside a
  // batch this is a savepoint of the batch's transaction, which sees what the batch wrote.)
  Transaction tx(c);
  if (Status status = tx.Begin(); !status.ok()) return status.error();
  if (!tx.savepoint()) {
    if (Status s = c.ExecScript("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY"); !s.ok()) {
      return s.error();
    }
  }
  {
    Result<Rows> rows = c.Exec("SELECT id, name FROM companies ORDER BY id");
    if (!rows.ok()) return rows.error();
    catalog.companies = AllRows(*rows, [](const Rows& r, int i) { return Company{r.Text(i, 0), r.Text(i, 1)}; });
  }
  {
    Result<Rows> rows =
        c.Exec("SELECT id, name, adapter, base_url, key_env, base_url_env, enabled FROM providers ORDER BY id");
    if (!rows.ok()) return rows.error();
    catalog.providers = AllRows(*rows, [](const Rows& r, int i) {
      return Provider{r.Text(i, 0), r.Text(i, 1), r.Text(i, 2), r.Text(i, 3), r.Text(i, 4), r.Text(i, 5), r.Bool(i, 6)};
    });
  }
  {
    Result<Rows> rows = c.Exec(
        "SELECT id, company_id, name, description, context_length, max_output, created, source, "
        "input_modalities, output_modalities, canonical_slug FROM models ORDER BY id");
    if (!rows.ok()) return rows.error();
    catalog.models = AllRows(*rows, ReadModel);
  }
  std::map<std::string, size_t> index;  // model id -> position in catalog.models
  for (size_t i = 0; i < catalog.models.size(); ++i) index[catalog.models[i].id] = i;
  {
    // Each endpoint's prices: its history row in force at now_unix, else its own columns.
    Result<Rows> rows = c.Exec(
        "SELECT mp.model_id, mp.provider_id, mp.upstream_model, coalesce(ph.price_input, mp.price_input), "
        "coalesce(ph.price_output, mp.price_output), coalesce(ph.price_cache_read, mp.price_cache_read), "
        "coalesce(ph.price_cache_write, mp.price_cache_write), mp.context_length, mp.max_output, "
        "mp.supported_parameters, mp.enabled, mp.data_collection, mp.zdr FROM model_providers mp "
        "LEFT JOIN price_history ph ON ph.id = (SELECT h.id FROM price_history h "
        "WHERE h.model_id = mp.model_id AND h.provider_id = mp.provider_id AND h.effective_from <= $1 "
        "ORDER BY h.effective_from DESC, h.id DESC LIMIT 1) "
        "ORDER BY mp.model_id, mp.id",
        Params().Add(now_unix));
    if (!rows.ok()) return rows.error();
    for (int i = 0; i < rows->size(); ++i) {
      if (auto it = index.find(rows->Text(i, 0)); it != index.end()) {
        catalog.models[it->second].endpoints.push_back(ReadEndpoint(*rows, i));
      }
    }
  }
  {
    Result<Rows> rows = c.Exec(
        "SELECT min(ph.effective_from) FROM price_history ph WHERE ph.effective_from > $1 "
        "AND EXISTS (SELECT 1 FROM model_providers mp WHERE mp.model_id = ph.model_id "
        "AND mp.provider_id = ph.provider_id)",
        Params().Add(now_unix));
    if (!rows.ok()) return rows.error();
    catalog.next_price_change = rows->empty() ? std::nullopt : rows->OptionalInt(0, 0);
  }
  if (Status status = tx.Commit(); !status.ok()) return status.error();
  return catalog;
}

Result<bool> PgStore::CatalogEmpty() {
  Result<Rows> rows = Read(
      "SELECT NOT EXISTS (SELECT 1 FROM companies) AND NOT EXISTS (SELECT 1 FROM providers) "
      "AND NOT EXISTS (SELECT 1 FROM models)");
  if (!rows.ok()) return rows.error();
  return !rows->empty() && rows->Bool(0, 0);
}

Result<int64_t> PgStore::CatalogVersion() {
  Result<Rows> rows = Read("SELECT version FROM catalog_version WHERE id = 1");
  if (!rows.ok()) return rows.error();
  if (rows->empty()) return MakeError(ErrorCode::kInternal, "postgresql: the catalog version row is missing");
  return rows->Int(0, 0);
}

Result<std::vector<PriceChange>> PgStore::ListPriceHistory(const std::string& model_id,
                                                           const std::string& provider_id) {
  Result<Rows> rows = Read(
      "SELECT id, model_id, provider_id, price_input, price_output, price_cache_read, price_cache_write, "
      "effective_from, created_at FROM price_history WHERE model_id = $1 AND provider_id = $2 "
      "ORDER BY effective_from, id",
      Params().Add(model_id).Add(provider_id));
  if (!rows.ok()) return rows.error();
  return AllRows(*rows, [](const Rows& r, int i) {
    return PriceChange{r.Int(i, 0),  r.Text(i, 1),
                       r.Text(i, 2), money::Prices{r.Int(i, 3), r.Int(i, 4), r.Int(i, 5), r.Int(i, 6)},
                       r.Int(i, 7),  r.Int(i, 8)};
  });
}

}  // namespace turnpike::store::pg
