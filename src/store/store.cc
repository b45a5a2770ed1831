// OpenStore: picks the Store implementation named by a DATABASE_URL.
#include "store/store.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <string_view>

#include "common/clock.h"
#include "store/catalog_file.h"
#include "store/pg/pg_store.h"
#include "store/sqlite/sqlite_store.h"

namespace turnpike::store {
namespace {

bool StartsWith(std::string_view text, std::string_view prefix) { return text.substr(0, prefix.size()) == prefix; }

// The file path of a sqlite URL, or ":memory:". Accepted forms:
//   sqlite::memory:   sqlite:///abs/path.db   sqlite://./rel.db   sqlite://rel/path.db
Result<std::string> SqlitePath(std::string_view url) {
  if (url == "sqlite::memory:" || url == "sqlite://:memory:") return std::string(":memory:");
  constexpr std::string_view kScheme = "sqlite://";
  if (!StartsWith(url, kScheme)) {
    return MakeError(ErrorCode::kBadRequest, "DATABASE_URL: expected sqlite://PATH");
  }
  std::string_view path = url.substr(kScheme.size());  // "/abs", "./rel" or "rel"
  if (path.empty() || path == "/") {
    return MakeError(ErrorCode::kBadRequest, "DATABASE_URL: the sqlite URL names no file");
  }
  if (path.find('?') != std::string_view::npos || path.find('#') != std::string_view::npos) {
    return MakeError(ErrorCode::kBadRequest, "DATABASE_URL: sqlite URLs take no query string");
  }
  return std::string(path);
}

}  // namespace

bool IsPostgresUrl(const std::string& database_url) {
  return StartsWith(database_url, "postgresql://") || StartsWith(database_url, "postgres://");
}

std::string HoldOwnersDir(const std::string& database_url, const std::string& fallback) {
  auto path = SqlitePath(database_url);
  if (!path.ok() || *path == ":memory:") return fallback;
  return *path + "-holds";
}

Result<Catalog> CatalogStore::LoadCatalog() { return LoadCatalogAt(UnixSeconds()); }

Result<std::unique_ptr<Store>> OpenStore(const std::string& database_url) {
  if (IsPostgresUrl(database_url)) {
    // libpq reads the URL itself (sslmode and the PG* environment variables as usual); errors
    // never quote its password.
    Result<std::unique_ptr<pg::PgStore>> store = pg::PgStore::Open(database_url);
    if (!store.ok()) return store.error();
    return std::unique_ptr<Store>(std::move(*store));
  }
  if (!StartsWith(database_url, "sqlite:")) {
    return MakeError(ErrorCode::kBadRequest, "DATABASE_URL: unsupported scheme (expected sqlite:// or postgresql://)");
  }
  Result<std::string> path = SqlitePath(database_url);
  if (!path.ok()) return path.error();
  if (*path != ":memory:") {
    std::filesystem::path parent = std::filesystem::path(*path).parent_path();
    std::error_code ec;
    if (!parent.empty()) std::filesystem::create_directories(parent, ec);
    if (ec) {
      return MakeError(ErrorCode::kInternal,
                       "cannot create the database directory " + parent.string() + ": " + ec.message());
    }
    // A new database is created readable by its owner only (it holds password and key hashes,
    // every prompt a key logs); SQLite gives its -wal and -shm files the same mode.
    int fd = ::open(path->c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd >= 0) ::close(fd);
  }
  Result<std::unique_ptr<sqlite::SqliteStore>> store = sqlite::SqliteStore::Open(*path);
  if (!store.ok()) return store.error();
  return std::unique_ptr<Store>(std::move(*store));
}

Result<ReadyStore> OpenReadyStore(const std::string& database_url) {
  auto Failed = [](std::string_view step, const Error& e) { return MakeError(e.code, std::string(step) + e.message); };
  auto opened = OpenStore(database_url);
  if (!opened.ok()) return Failed("database (DATABASE_URL): ", opened.error());
  ReadyStore ready;
  ready.store = std::move(*opened);
  auto applied = ready.store->Migrate();
  if (!applied.ok()) return Failed("migration failed: ", applied.error());
  ready.migrations_applied = *applied;
  // Settlements a running or killed server journaled are written into the ledger and the log
  // before anything reads them (idempotent, so racing a running server's own apply is harmless).
  if (auto journal = ready.store->ApplyJournal(); !journal.ok()) {
    return Failed("applying the settlement journal failed: ", journal.error());
  }
  auto empty = ready.store->CatalogEmpty();
  if (!empty.ok()) return Failed("reading the catalog failed: ", empty.error());
  if (*empty) {
    auto catalog = DefaultCatalog();
    if (!catalog.ok()) return Failed("the built-in catalog is invalid: ", catalog.error());
    if (auto s = ready.store->ImportCatalog(*catalog); !s.ok())
      return Failed("loading the default catalog failed: ", s.error());
    ready.default_models_loaded = catalog->models.size();
    ready.default_providers_loaded = catalog->providers.size();
  }
  return ready;
}

}  // namespace turnpike::store
