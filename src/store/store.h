// The storage contract. Every durable thing Turnpike knows lives behind the interfaces of this
// folder, one a concern, each in its own header:
//   users.h        UserStore        accounts and their administration
//   keys.h         KeyStore         API keys
//   catalog.h      CatalogStore     the catalog, its administration and price history
//   ledger.h       Ledger           credits, deductions, holds, settlements, the ledger's reads
//   request_log.h  RequestLogStore  the request log and activity rollups
//   sessions.h     SessionStore     dashboard sessions
//   topups.h       TopupStore       top-ups through a payment provider
//   health_check.h HealthCheck      Ping, for /ready
//   settlement_journal.h SettlementJournal  finished requests, durable first, applied in bulk
// Code that needs one concern takes that interface; `Store` is all of them at once (plus
// Migrate), for the few places that need everything: wiring in app/, the conformance suites
// and OpenStore. `sqlite/` is the embedded default and `pg/` the PostgreSQL one; both pass the
// same conformance tests.
//
// Threading: every method may be called from any thread, concurrently. Implementations
// serialise internally as they need. Calls block (SQLite is embedded and fast; callers on the
// event loop keep to the few calls the hot path needs: FindKeyByHash on a cache miss, Hold,
// Settle).
//
// Errors: a read that can fail answers Result. Absent is a value, never an error: a find
// answers Result<std::optional<T>> (std::nullopt: no such row), a list an empty vector, a sum 0.
// A database error is an Error (kInternal, with the database's message, which never holds a
// bound value), so it never reads as "not found" or "empty". Writes answer Status or Result
// with the codes each method names.
//
// Several processes may open the same database at once (the CLI while `serve` runs): every
// write is a short transaction, and readers see committed writes at once.
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "common/result.h"
#include "store/batch.h"
#include "store/catalog.h"
#include "store/health_check.h"
#include "store/keys.h"
#include "store/ledger.h"
#include "store/request_log.h"
#include "store/sessions.h"
#include "store/settlement_journal.h"
#include "store/topups.h"
#include "store/users.h"

namespace turnpike::store {

class Store : public UserStore,
              public KeyStore,
              public CatalogStore,
              public Ledger,
              public RequestLogStore,
              public SessionStore,
              public TopupStore,
              public HealthCheck,
              public SettlementJournal,
              public Batch {
 public:
  ~Store() override = default;

  // Applies pending migrations in order inside transactions. Returns how many were applied.
  virtual Result<int> Migrate() = 0;
};

// Opens the store named by a DATABASE_URL ("sqlite:///abs/path.db", "sqlite://./rel.db",
// "sqlite://rel.db", "sqlite::memory:", or "postgresql://user:pass@host:port/db?sslmode=…" and
// "postgres://…", read by libpq). Creates a SQLite file and its directory if missing; connects to
// PostgreSQL at once (kUnavailable when it does not answer in time). Does not migrate.
// kBadRequest for a malformed or unsupported URL.
Result<std::unique_ptr<Store>> OpenStore(const std::string& database_url);

// True for a postgresql:// or postgres:// URL.
bool IsPostgresUrl(const std::string& database_url);

// Where the server processes sharing the database named by `database_url` keep their hold-owner
// locks (app/hold_owner.h): beside the database file ("<file>-holds"), so that every process on
// that file sees the same ones whatever its working directory; `fallback` for an in-memory
// database and for a PostgreSQL URL (which keeps its locks in the database instead:
// pg/pg_owners.h).
std::string HoldOwnersDir(const std::string& database_url, const std::string& fallback);

// A store ready to serve: opened, migrated, its settlement journal applied, and holding the
// built-in catalog when its catalog was empty. What `turnpike serve` and every CLI command start from.
struct ReadyStore {
  std::unique_ptr<Store> store;
  int migrations_applied = 0;
  size_t default_models_loaded = 0;  // 0 when the catalog already had entries
  size_t default_providers_loaded = 0;
};
// Errors name the step: "database (DATABASE_URL): …", "migration failed: …", and so on.
Result<ReadyStore> OpenReadyStore(const std::string& database_url);

}  // namespace turnpike::store
