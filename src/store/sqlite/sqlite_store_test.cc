// SqliteStore: the conformance suite on an in-memory and a file database, plus what only
// SQLite has (embedded migrations, the 0001 → 0002 and 0002 → 0003 upgrades, the append-only
// triggers seen through raw SQL, TouchKey never waiting for a lock, URLs).
#include "store/sqlite/sqlite_store.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <stdlib.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "common/result_testing.h"
#include "store/sqlite/migrations.h"
#include "store/sqlite/util.h"
#include "store/store_conformance.h"

namespace turnpike::store::sqlite {
namespace {

namespace fs = std::filesystem;

// A fresh directory under /tmp, removed with everything in it on destruction.
class TempDir {
 public:
  TempDir() {
    char pattern[] = "/tmp/turnpike-store-test-XXXXXX";
    char* made = mkdtemp(pattern);
    EXPECT_NE(made, nullptr);
    path_ = made != nullptr ? made : "/tmp";
  }
  ~TempDir() {
    std::error_code ec;
    if (path_ != "/tmp") fs::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

class FileDatabase : public StoreTestDatabase {
 public:
  std::unique_ptr<Store> Open() override {
    Result<std::unique_ptr<SqliteStore>> store = SqliteStore::Open(path());
    EXPECT_TRUE(store.ok()) << store.error().message;
    return store.ok() ? std::move(*store) : nullptr;
  }
  bool SupportsSecondHandle() const override { return true; }
  std::string path() const { return dir_.path() + "/turnpike.db"; }

 private:
  TempDir dir_;
};

class MemoryDatabase : public StoreTestDatabase {
 public:
  std::unique_ptr<Store> Open() override {
    Result<std::unique_ptr<SqliteStore>> store = SqliteStore::Open(":memory:");
    EXPECT_TRUE(store.ok()) << store.error().message;
    return store.ok() ? std::move(*store) : nullptr;
  }
  bool SupportsSecondHandle() const override { return false; }
};

INSTANTIATE_TEST_SUITE_P(Sqlite, StoreConformanceTest,
                         ::testing::Values(StoreBackend{"Memory", [] { return std::make_unique<MemoryDatabase>(); }},
                                           StoreBackend{"File", [] { return std::make_unique<FileDatabase>(); }}),
                         StoreBackendName);

TEST(SqliteMigrationsTest, VersionsFollowFileOrder) {
  int expected_version = 1;
  for (const Migration& migration : Migrations()) {
    EXPECT_EQ(migration.version, expected_version++);
    EXPECT_EQ(migration.name.substr(0, 4), fmt::format("{:04d}", migration.version));
    EXPECT_FALSE(migration.sql.empty());
  }
  EXPECT_GE(Migrations().size(), 1u);
}

TEST(SqliteMigrationsTest, ConcurrentMigrationsApplyEachOnce) {
  FileDatabase db;
  std::unique_ptr<Store> a = db.Open();
  std::unique_ptr<Store> b = db.Open();
  Result<int> from_a = 0;
  Result<int> from_b = 0;
  std::thread other([&] { from_b = b->Migrate(); });
  from_a = a->Migrate();
  other.join();
  ASSERT_TRUE(from_a.ok()) << from_a.error().message;
  ASSERT_TRUE(from_b.ok()) << from_b.error().message;
  EXPECT_EQ(*from_a + *from_b, static_cast<int>(Migrations().size()));
}

// A raw connection, as another program would open the file.
class RawDb {
 public:
  explicit RawDb(const std::string& path) { sqlite3_open(path.c_str(), &db_); }
  ~RawDb() { sqlite3_close(db_); }
  // The result code of running `sql`; `message` gets SQLite's message.
  int Exec(const std::string& sql, std::string* message = nullptr) {
    char* error = nullptr;
    int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &error);
    if (message != nullptr) *message = error != nullptr ? error : "";
    sqlite3_free(error);
    return rc;
  }
  std::string Text(const std::string& sql) {
    sqlite3_stmt* stmt = nullptr;
    std::string out;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK && sqlite3_step(stmt) == SQLITE_ROW) {
      out = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
    }
    sqlite3_finalize(stmt);
    return out;
  }

 private:
  sqlite3* db_ = nullptr;
};

TEST(SqliteStoreTest, LedgerAndSettledHoldsAreImmutable) {
  FileDatabase db;
  std::unique_ptr<Store> store = db.Open();
  ASSERT_TRUE(store->Migrate().ok());
  Result<int64_t> user = store->CreateUser("a@example.com", "x", false);
  ASSERT_TRUE(user.ok());
  ASSERT_TRUE(store->Credit(*user, 1'000, "topup", "t1", "").ok());
  ApiKey key;
  key.user_id = *user;
  key.hash_hex = std::string(64, 'b');
  Result<int64_t> key_id = store->CreateKey(key);
  ASSERT_TRUE(key_id.ok());
  ASSERT_EQ(store->Hold(HoldRequest{"r1", *user, *key_id, 100}, 10).outcome, HoldOutcome::kHeld);
  ASSERT_TRUE(store->Settle("r1", 50).ok());

  RawDb raw(db.path());
  EXPECT_EQ(raw.Text("PRAGMA journal_mode"), "wal");
  std::string message;
  EXPECT_NE(raw.Exec("UPDATE ledger_entries SET amount_micros = 999999", &message), SQLITE_OK);
  EXPECT_NE(message.find("append-only"), std::string::npos) << message;
  EXPECT_NE(raw.Exec("DELETE FROM ledger_entries", &message), SQLITE_OK);
  EXPECT_NE(message.find("append-only"), std::string::npos) << message;
  EXPECT_NE(raw.Exec("UPDATE holds SET settled_micros = 0, settled_at = 1"), SQLITE_OK);
  EXPECT_NE(raw.Exec("DELETE FROM holds"), SQLITE_OK);
  EXPECT_NE(raw.Exec("INSERT INTO ledger_entries (user_id, kind, amount_micros, idempotency_id, "
                     "created_at) VALUES (1, 'bogus', 1, 'b1', 0)"),
            SQLITE_OK);
  EXPECT_EQ(Must(store->LedgerSum(*user)), 950);
  EXPECT_EQ(Must(store->FindUserById(*user))->balance, 950);
}

// A table gone behind the store's back (another program, a damaged file): the catalog read
// fails; it does not answer a catalog without endpoints.
TEST(SqliteStoreTest, ACatalogReadThatFailsIsAnErrorNotAnEmptyCatalog) {
  FileDatabase db;
  std::unique_ptr<Store> store = db.Open();
  ASSERT_TRUE(store->Migrate().ok());
  ASSERT_TRUE(store->PutCompany(Company{"acme", "Acme"}, PutMode::kCreate).ok());
  ASSERT_EQ(Must(store->LoadCatalogAt(10)).companies.size(), 1u);

  RawDb raw(db.path());
  ASSERT_EQ(raw.Exec("PRAGMA foreign_keys = OFF; DROP TABLE price_history"), SQLITE_OK);
  Result<Catalog> catalog = store->LoadCatalogAt(10);
  ASSERT_FALSE(catalog.ok());
  EXPECT_EQ(catalog.error().code, ErrorCode::kInternal);
  EXPECT_NE(catalog.error().message.find("price_history"), std::string::npos) << catalog.error().message;
  EXPECT_FALSE(store->ListPriceHistory("acme/x", "p").ok());
  // What does not need the table still reads.
  EXPECT_FALSE(Must(store->CatalogEmpty()));
}

// A database made by 0001 alone, with rows in every rebuilt table, upgraded by Migrate():
// the rows survive, the rollups cover the old log, and the ledger is append-only again.
TEST(SqliteMigrationsTest, ControlPlaneMigrationKeepsRowsAndTriggers) {
  FileDatabase db;
  {
    RawDb raw(db.path());
    ASSERT_EQ(raw.Exec("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT "
                       "NOT NULL, applied_at INTEGER NOT NULL) STRICT;"),
              SQLITE_OK);
    ASSERT_EQ(raw.Exec(std::string(Migrations()[0].sql)), SQLITE_OK);
    ASSERT_EQ(raw.Exec("INSERT INTO schema_migrations VALUES (1, '0001_init', 0);"
                       "INSERT INTO users (email, password_hash, balance_micros, created_at) "
                       "  VALUES ('a@example.com', 'x', 90, 1);"
                       "INSERT INTO api_keys (user_id, name, prefix, hash, created_at) "
                       "  VALUES (1, 'k', 'sk', '" +
                       std::string(64, 'c') +
                       "', 1);"
                       "INSERT INTO ledger_entries (user_id, kind, amount_micros, idempotency_id, created_at) "
                       "  VALUES (1, 'grant', 100, 'g1', 1);"
                       "INSERT INTO ledger_entries (user_id, key_id, kind, amount_micros, idempotency_id, "
                       "  request_id, created_at) VALUES (1, 1, 'hold', -10, 'hold:r1', 'r1', 2);"
                       "INSERT INTO onramp_transactions (user_id, amount_micros, provider, external_id, "
                       "  status, created_at) VALUES (1, 5, 'stripe', 'cs_1', 'completed', 7), "
                       "  (1, 6, 'stripe', 'cs_2', 'pending', 8);"
                       "INSERT INTO request_log (request_id, user_id, key_id, model_id, http_status, "
                       "  prompt_tokens, completion_tokens, cost_micros, created_at) VALUES "
                       "  ('gen-1', 1, 1, 'a/x', 200, 5, 1, 10, 1764288000000), "
                       "  ('gen-2', 1, 1, 'a/x', 500, 7, 0, 0, 1764288000001);"),
              SQLITE_OK);
  }
  std::unique_ptr<Store> store = db.Open();
  Result<int> applied = store->Migrate();
  ASSERT_TRUE(applied.ok()) << applied.error().message;
  EXPECT_EQ(*applied, static_cast<int>(Migrations().size()) - 1);

  EXPECT_EQ(Must(store->LedgerSum(1)), 90);
  std::vector<LedgerEntry> ledger = Must(store->ListLedger(1, 10));
  ASSERT_EQ(ledger.size(), 2u);
  EXPECT_EQ(ledger[0].id, 2);
  EXPECT_EQ(ledger[0].request_id, "r1");
  std::optional<Topup> completed = Must(store->FindTopup("stripe", "cs_1"));
  ASSERT_TRUE(completed.has_value());
  EXPECT_EQ(completed->status, "completed");
  EXPECT_EQ(completed->completed_at, 7);
  EXPECT_EQ(Must(store->FindTopup("stripe", "cs_2"))->completed_at, 0);
  Result<bool> credited = store->CompleteTopup("stripe", "cs_2", 9);
  ASSERT_TRUE(credited.ok()) << credited.error().message;
  EXPECT_TRUE(*credited);
  ASSERT_TRUE(store->Debit(1, 20, "deduct:1", "").ok());
  EXPECT_EQ(Must(store->FindUserById(1))->balance, 76);
  EXPECT_EQ(Must(store->LedgerSum(1)), 76);
  std::vector<ActivityBucket> days = Must(store->Activity(ActivityQuery{1, 0, INT64_MAX, "day"}));
  ASSERT_EQ(days.size(), 1u);
  EXPECT_EQ(days[0].group, "2025-11-28");
  EXPECT_EQ(days[0].requests, 2);
  EXPECT_EQ(days[0].errors, 1);
  EXPECT_EQ(days[0].prompt_tokens, 12);
  EXPECT_EQ(days[0].cost, 10);

  RawDb raw(db.path());
  EXPECT_EQ(raw.Text("PRAGMA foreign_key_check"), "");
  EXPECT_EQ(raw.Text("PRAGMA integrity_check"), "ok");
  std::string message;
  EXPECT_NE(raw.Exec("UPDATE ledger_entries SET note = 'x'", &message), SQLITE_OK);
  EXPECT_NE(message.find("append-only"), std::string::npos) << message;
  EXPECT_NE(raw.Exec("DELETE FROM ledger_entries", &message), SQLITE_OK);
  EXPECT_NE(message.find("append-only"), std::string::npos) << message;
  EXPECT_NE(raw.Exec("INSERT INTO ledger_entries (user_id, kind, amount_micros, idempotency_id, "
                     "created_at) VALUES (1, 'deduct', 5, 'd2', 0)"),
            SQLITE_OK);  // a deduction is negative
  EXPECT_EQ(Must(store->LedgerSum(1)), 76);
}

// A database made by 0001 and 0002, with endpoints, upgraded by Migrate(): every endpoint's
// prices get a history row in force from the upgrade on, and history rows cannot be changed.
TEST(SqliteMigrationsTest, PriceHistoryMigrationRecordsTheCurrentPrices) {
  FileDatabase db;
  {
    RawDb raw(db.path());
    ASSERT_EQ(raw.Exec("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT "
                       "NOT NULL, applied_at INTEGER NOT NULL) STRICT;"),
              SQLITE_OK);
    ASSERT_EQ(raw.Exec("PRAGMA foreign_keys = ON; BEGIN;" + std::string(Migrations()[0].sql) +
                       std::string(Migrations()[1].sql) + "COMMIT;"),
              SQLITE_OK);
    ASSERT_EQ(raw.Exec("INSERT INTO schema_migrations VALUES (1, '0001_init', 0), "
                       "  (2, '0002_control_plane', 0);"
                       "INSERT INTO companies VALUES ('a', 'A');"
                       "INSERT INTO providers (id, name, adapter) VALUES ('p', 'P', 'openai');"
                       "INSERT INTO models (id, company_id, name) VALUES ('a/x', 'a', 'X');"
                       "INSERT INTO model_providers (model_id, provider_id, upstream_model, "
                       "  price_input, price_output, price_cache_read, price_cache_write) "
                       "  VALUES ('a/x', 'p', 'x-1', 11, 22, 3, 4);"),
              SQLITE_OK);
  }
  const int64_t before = NowUnix();
  std::unique_ptr<Store> store = db.Open();
  Result<int> applied = store->Migrate();
  ASSERT_TRUE(applied.ok()) << applied.error().message;
  EXPECT_EQ(*applied, static_cast<int>(Migrations().size()) - 2);
  std::vector<PriceChange> history = Must(store->ListPriceHistory("a/x", "p"));
  ASSERT_EQ(history.size(), 1u);
  EXPECT_EQ(history[0].prices.input, 11);
  EXPECT_EQ(history[0].prices.output, 22);
  EXPECT_EQ(history[0].prices.cache_read, 3);
  EXPECT_EQ(history[0].prices.cache_write, 4);
  EXPECT_GE(history[0].effective_from, before);
  EXPECT_LE(history[0].effective_from, NowUnix());
  Catalog catalog = Must(store->LoadCatalog());
  ASSERT_EQ(catalog.models.size(), 1u);
  ASSERT_EQ(catalog.models[0].endpoints.size(), 1u);
  EXPECT_EQ(catalog.models[0].endpoints[0].prices.output, 22);
  // Before the upgrade there was no history: the endpoint's own prices apply.
  EXPECT_EQ(Must(store->LoadCatalogAt(before - 1000)).models[0].endpoints[0].prices.output, 22);

  RawDb raw(db.path());
  std::string message;
  EXPECT_NE(raw.Exec("UPDATE price_history SET price_input = 1", &message), SQLITE_OK);
  EXPECT_NE(message.find("never changed"), std::string::npos) << message;
}

TEST(SqliteStoreTest, TouchKeyNeverWaitsForAnotherWriter) {
  FileDatabase db;
  std::unique_ptr<Store> store = db.Open();
  ASSERT_TRUE(store->Migrate().ok());
  Result<int64_t> user = store->CreateUser("a@example.com", "x", false);
  ApiKey key;
  key.user_id = *user;
  key.hash_hex = std::string(64, 'd');
  Result<int64_t> key_id = store->CreateKey(key);
  ASSERT_TRUE(key_id.ok());

  RawDb raw(db.path());
  ASSERT_EQ(raw.Exec("BEGIN IMMEDIATE"), SQLITE_OK);  // another process holds the write lock
  auto start = std::chrono::steady_clock::now();
  store->TouchKey(*key_id, 1'000);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(1));
  ASSERT_EQ(raw.Exec("COMMIT"), SQLITE_OK);
  EXPECT_FALSE(Must(store->FindKeyById(*key_id))->last_used_at.has_value());  // dropped
  store->TouchKey(*key_id, 1'001);                                            // not throttled by the dropped write
  EXPECT_EQ(Must(store->FindKeyById(*key_id))->last_used_at, 1'001);
  // The busy timeout is back for everything else.
  ASSERT_EQ(raw.Exec("BEGIN IMMEDIATE"), SQLITE_OK);
  std::thread release([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    raw.Exec("COMMIT");
  });
  EXPECT_TRUE(store->SetKeyDisabled(*key_id, true).ok());
  release.join();
}

TEST(SqliteStoreTest, UtcDays) {
  EXPECT_EQ(UtcDay(0), "1970-01-01");
  EXPECT_EQ(UtcDay(86'399'999), "1970-01-01");
  EXPECT_EQ(UtcDay(-1), "1969-12-31");
  EXPECT_EQ(UtcDay(1'764'288'000'000), "2025-11-28");
  EXPECT_EQ(UtcDay(1'764'287'999'999), "2025-11-27");
  EXPECT_EQ(UtcDay(951'782'400'000), "2000-02-29");
  EXPECT_EQ(UtcDay(INT64_MAX), "9999-12-31");
  EXPECT_EQ(UtcDay(INT64_MIN), "0000-01-01");
}

TEST(SqliteStoreTest, NormalDurabilityOpens) {
  Options options;
  options.durability = Options::Durability::kNormal;
  Result<std::unique_ptr<SqliteStore>> store = SqliteStore::Open(":memory:", options);
  ASSERT_TRUE(store.ok());
  EXPECT_TRUE((*store)->Migrate().ok());
  EXPECT_TRUE((*store)->Ping());
}

TEST(SqliteStoreTest, OpenFailsCleanlyOnAMissingDirectory) {
  Result<std::unique_ptr<SqliteStore>> store = SqliteStore::Open("/nonexistent-dir/x/y.db");
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.error().code, ErrorCode::kInternal);
}

TEST(OpenStoreTest, ParsesSqliteUrls) {
  Result<std::unique_ptr<Store>> memory = OpenStore("sqlite::memory:");
  ASSERT_TRUE(memory.ok()) << memory.error().message;
  EXPECT_TRUE((*memory)->Migrate().ok());

  TempDir dir;
  std::string absolute = dir.path() + "/nested/deeper/abs.db";
  Result<std::unique_ptr<Store>> file = OpenStore("sqlite://" + absolute);
  ASSERT_TRUE(file.ok()) << file.error().message;
  EXPECT_TRUE((*file)->Migrate().ok());
  EXPECT_TRUE(fs::exists(absolute));

  fs::path previous = fs::current_path();
  fs::current_path(dir.path());
  Result<std::unique_ptr<Store>> dotted = OpenStore("sqlite://./data/rel.db");
  Result<std::unique_ptr<Store>> bare = OpenStore("sqlite://bare/plain.db");
  fs::current_path(previous);
  ASSERT_TRUE(dotted.ok()) << dotted.error().message;
  ASSERT_TRUE(bare.ok()) << bare.error().message;
  EXPECT_TRUE(fs::exists(dir.path() + "/data/rel.db"));
  EXPECT_TRUE(fs::exists(dir.path() + "/bare/plain.db"));
}

TEST(OpenStoreTest, RejectsOtherUrls) {
  Result<std::unique_ptr<Store>> pg = OpenStore("postgresql://user:secret@db/turnpike");
  ASSERT_FALSE(pg.ok());
  EXPECT_NE(pg.error().message.find("later issue"), std::string::npos);
  EXPECT_EQ(pg.error().message.find("secret"), std::string::npos);
  for (const char* url : {"mysql://x", "sqlite://", "sqlite:///", "sqlite:///tmp/x.db?mode=ro", ""}) {
    Result<std::unique_ptr<Store>> store = OpenStore(url);
    EXPECT_FALSE(store.ok()) << url;
    if (!store.ok()) {
      EXPECT_EQ(store.error().code, ErrorCode::kBadRequest) << url;
    }
  }
}

}  // namespace
}  // namespace turnpike::store::sqlite
