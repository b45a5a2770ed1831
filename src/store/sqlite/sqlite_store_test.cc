// SqliteStore: the conformance suite on an in-memory and a file database, plus what only
// SQLite has (embedded migrations, the 0001 → 0002 and 0002 → 0003 upgrades, the append-only
// triggers seen through raw SQL, TouchKey never waiting for a lock, the long reads on read-only
// connections, URLs).
#include "store/sqlite/sqlite_store.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <stdlib.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <sstream>
#include <thread>

#include "common/result_testing.h"
#include "store/sqlite/connection.h"
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
  std::string Text(const std::string& sql, int column = 0) {
    sqlite3_stmt* stmt = nullptr;
    std::string out;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK && sqlite3_step(stmt) == SQLITE_ROW) {
      out = reinterpret_cast<const char*>(sqlite3_column_text(stmt, column));
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

  // 0012 gave the key made before it a public id of its own, and no management rights.
  std::optional<ApiKey> old_key = Must(store->FindKeyById(1));
  ASSERT_TRUE(old_key.has_value());
  EXPECT_EQ(old_key->public_id.size(), 64u);
  EXPECT_NE(old_key->public_id, old_key->hash_hex);
  EXPECT_FALSE(old_key->management);

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

// Under a steady stream of commits the WAL still starts over: without that it grows by every
// commit for as long as the load lasts (the background checkpoint alone never catches the writer).
TEST(SqliteStoreTest, TheWalStartsOverUnderSteadyCommits) {
  TempDir dir;
  const std::string path = dir.path() + "/turnpike.db";
  Options options;
  options.wal_rewind_frames = 64;
  Result<std::unique_ptr<SqliteStore>> opened = SqliteStore::Open(path, options);
  ASSERT_TRUE(opened.ok()) << opened.error().message;
  SqliteStore& store = **opened;
  ASSERT_TRUE(store.Migrate().ok());
  int commits = 0;
  const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(1'600);
  while (std::chrono::steady_clock::now() < until) {  // past three rounds of the checkpointer
    Settlement settlement;
    settlement.key_id = 1;
    settlement.used_at = commits;
    ASSERT_TRUE(store.RunBatch([&] { ASSERT_TRUE(store.Journal(settlement).ok()); }, /*flush=*/false).ok());
    ++commits;
    std::this_thread::sleep_for(std::chrono::microseconds(500));
  }
  ASSERT_GT(commits, 400);
  // Every commit appends at least one frame; what the WAL holds now is what came after its last start.
  RawDb raw(path);
  const std::string frames = raw.Text("PRAGMA wal_checkpoint(NOOP)", /*column=*/1);  // busy, log, checkpointed
  ASSERT_FALSE(frames.empty());
  EXPECT_LT(std::stoi(frames), commits / 2) << commits << " commits";
}

// The long reads (sqlite_store.h, "Design") on read-only connections of their own.

RequestLogRow LogRow(int64_t user_id, const std::string& request_id, int64_t created_at, size_t prompt_bytes = 0) {
  RequestLogRow row;
  row.request_id = request_id;
  row.user_id = user_id;
  row.key_id = 1;
  row.model_id = "acme/m";
  row.http_status = 200;
  row.prompt_tokens = 3;
  row.created_at = created_at;
  row.prompt_text = std::string(prompt_bytes, 'p');
  return row;
}

int64_t Requests(Store& store, int64_t user_id) {
  int64_t requests = 0;
  for (const ActivityBucket& bucket : Must(store.Activity(ActivityQuery{user_id, 0, INT64_MAX, "day"}))) {
    requests += bucket.requests;
  }
  return requests;
}

// Each read, right after a write committed by this handle or by another one (another process),
// sees it: a read-only connection starts each read at the last commit.
TEST(SqliteReadIsolationTest, AReadSeesEveryWriteCommittedBeforeIt) {
  FileDatabase db;
  std::unique_ptr<Store> store = db.Open();
  ASSERT_TRUE(store->Migrate().ok());
  std::unique_ptr<Store> other = db.Open();
  const int64_t user = Must(store->CreateUser("a@example.com", "x", false));
  for (int i = 0; i < 40; ++i) {
    Store& writer = i % 2 == 0 ? *store : *other;
    const std::string id = fmt::format("gen-{}", i);
    ASSERT_TRUE(writer.AppendRequestLogs({LogRow(user, id, 1'764'288'000'000 + i)}).ok());
    std::optional<RequestLogRow> found = Must(store->FindRequestLog(id));
    ASSERT_TRUE(found.has_value()) << id;
    std::vector<RequestLogRow> page = Must(store->QueryRequestLogs(LogQuery{.user_id = user, .limit = 200}));
    ASSERT_EQ(page.size(), static_cast<size_t>(i + 1));
    EXPECT_EQ(page.front().request_id, id);
    EXPECT_EQ(Must(store->ListRequestLogs(user, 200)).size(), static_cast<size_t>(i + 1));
    EXPECT_EQ(Requests(*store, user), i + 1);
  }
  EXPECT_TRUE(Must(store->CatalogEmpty()));
  ASSERT_TRUE(other->PutCompany(Company{"acme", "Acme"}, PutMode::kCreate).ok());
  EXPECT_FALSE(Must(store->CatalogEmpty()));
  EXPECT_EQ(Must(store->LoadCatalogAt(10)).companies.size(), 1u);
  const int64_t second = Must(other->CreateUser("b@example.com", "x", false));
  std::vector<User> users = Must(store->ListUsers(0, 10));
  ASSERT_EQ(users.size(), 2u);
  EXPECT_EQ(users.back().id, second);
}

// While another thread holds the main connection in a write transaction (a batch that has not
// committed), the long reads neither wait for it nor see its writes; the batch's own thread sees
// them. Then the commit is seen at once.
TEST(SqliteReadIsolationTest, ReadsDoNotWaitForAnOpenWriteTransaction) {
  FileDatabase db;
  std::unique_ptr<Store> store = db.Open();
  ASSERT_TRUE(store->Migrate().ok());
  const int64_t user = Must(store->CreateUser("a@example.com", "x", false));
  ASSERT_TRUE(store->AppendRequestLogs({LogRow(user, "gen-before", 1'764'288'000'000)}).ok());

  std::promise<void> written;
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  bool seen_in_batch = false;
  std::thread batch([&] {
    Status status = store->RunBatch(
        [&] {
          EXPECT_TRUE(store->AppendRequestLogs({LogRow(user, "gen-in-batch", 1'764'288'000'001)}).ok());
          seen_in_batch = Must(store->FindRequestLog("gen-in-batch")).has_value() &&
                          Must(store->QueryRequestLogs(LogQuery{.user_id = user})).size() == 2 &&
                          Requests(*store, user) == 2;
          written.set_value();
          released.wait();
        },
        /*flush=*/true);
    EXPECT_TRUE(status.ok()) << status.error().message;
  });
  written.get_future().wait();
  // On another thread, so that a read that does wait for the batch fails this test instead of
  // deadlocking it.
  auto reads = std::async(std::launch::async, [&] {
    EXPECT_FALSE(Must(store->FindRequestLog("gen-in-batch")).has_value());
    EXPECT_TRUE(Must(store->FindRequestLog("gen-before")).has_value());
    EXPECT_EQ(Must(store->QueryRequestLogs(LogQuery{.user_id = user})).size(), 1u);
    EXPECT_EQ(Must(store->ListRequestLogs(user, 10)).size(), 1u);
    EXPECT_EQ(Requests(*store, user), 1);
    EXPECT_EQ(Must(store->ListUsers(0, 10)).size(), 1u);
    EXPECT_TRUE(Must(store->LoadCatalogAt(10)).models.empty());
    EXPECT_TRUE(Must(store->CatalogEmpty()));
    EXPECT_TRUE(Must(store->ListPriceHistory("acme/m", "p")).empty());
  });
  const bool done = reads.wait_for(std::chrono::seconds(3)) == std::future_status::ready;
  EXPECT_TRUE(done) << "the reads waited for the open write transaction";
  release.set_value();
  batch.join();
  reads.wait();
  EXPECT_TRUE(seen_in_batch) << "a read inside the batch saw the batch's own writes";
  EXPECT_TRUE(Must(store->FindRequestLog("gen-in-batch")).has_value());
  EXPECT_EQ(Requests(*store, user), 2);
}

// A read in progress on a reader (its statement stepped once: a read transaction open on a
// snapshot) delays no write, on this handle or another: each commits at once. The read goes on
// with its snapshot; the reader's next read sees the writes.
TEST(SqliteReadIsolationTest, AReadInProgressDelaysNoWrite) {
  FileDatabase db;
  std::unique_ptr<Store> store = db.Open();
  ASSERT_TRUE(store->Migrate().ok());
  std::unique_ptr<Store> other = db.Open();
  const int64_t user = Must(store->CreateUser("a@example.com", "x", false));
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(store->AppendRequestLogs({LogRow(user, fmt::format("gen-{}", i), 1'764'288'000'000 + i)}).ok());
  }
  // A pool like the store's own readers (SqliteStore::Open), on the same file.
  Result<std::unique_ptr<ReaderPool>> pool = ReaderPool::Open(db.path(), 5'000, "PRAGMA foreign_keys = ON;", 2);
  ASSERT_TRUE(pool.ok()) << pool.error().message;
  {
    ConnectionLease reader = (*pool)->Acquire();
    Statement read(*reader, "SELECT request_id FROM request_log ORDER BY id");
    ASSERT_TRUE(Must(read.Next()));
    EXPECT_EQ(read.Text(0), "gen-0");

    // The writes, on another thread: one that waited for the read would hang there until the
    // read ends, which it does only after them.
    auto writes = std::async(std::launch::async, [&] {
      auto start = std::chrono::steady_clock::now();
      EXPECT_TRUE(store->AppendRequestLogs({LogRow(user, "gen-new", 1'764'288'000'100)}).ok());
      EXPECT_TRUE(store->Credit(user, 5, "grant", "g1", "").ok());
      EXPECT_TRUE(other->AppendRequestLogs({LogRow(user, "gen-other", 1'764'288'000'101)}).ok());
      return std::chrono::steady_clock::now() - start;
    });
    ASSERT_EQ(writes.wait_for(std::chrono::seconds(3)), std::future_status::ready)
        << "the writes waited for the read in progress";
    EXPECT_LT(writes.get(), std::chrono::seconds(1));

    // The read goes on with its snapshot.
    std::vector<std::string> rest;
    for (Result<bool> row = read.Next(); row.ok() && *row; row = read.Next()) rest.push_back(read.Text(0));
    EXPECT_EQ(rest, (std::vector<std::string>{"gen-1", "gen-2"}));
  }
  // Given back and taken again: the same reader, at the last commit now.
  ConnectionLease reader = (*pool)->Acquire();
  Statement count(*reader, "SELECT count(*) FROM request_log");
  EXPECT_EQ(Must(ReadInt(count)), 5);
  EXPECT_EQ((*pool)->size(), 1);
}

// Readers are query_only; more than one is opened only when one is busy, up to the maximum, and
// a call finding them all busy waits for the next one given back.
TEST(SqliteReadIsolationTest, ReaderPoolOpensReadersAsNeeded) {
  FileDatabase db;
  std::unique_ptr<Store> store = db.Open();
  ASSERT_TRUE(store->Migrate().ok());
  Result<std::unique_ptr<ReaderPool>> opened = ReaderPool::Open(db.path(), 5'000, "", 2);
  ASSERT_TRUE(opened.ok()) << opened.error().message;
  ReaderPool& pool = **opened;
  {
    ConnectionLease reader = pool.Acquire();
    Statement write(*reader, "INSERT INTO companies (id, name) VALUES ('x', 'X')");
    Status status = write.Run();
    ASSERT_FALSE(status.ok());
    EXPECT_NE(status.error().message.find("readonly"), std::string::npos) << status.error().message;
  }
  EXPECT_EQ(pool.size(), 1);
  std::optional<ConnectionLease> first(pool.Acquire());
  ConnectionLease second = pool.Acquire();
  EXPECT_EQ(pool.size(), 2);
  EXPECT_NE(&*second, &**first);
  Connection* given_back = &**first;
  auto third = std::async(std::launch::async, [&] {
    ConnectionLease lease = pool.Acquire();
    return &*lease;
  });
  EXPECT_EQ(third.wait_for(std::chrono::milliseconds(100)), std::future_status::timeout) << "a third reader";
  first.reset();
  EXPECT_EQ(third.get(), given_back);
  EXPECT_EQ(pool.size(), 2);
}

// A reader opened later opens the same file, even after the process changed directory (a relative
// path is resolved when the pool opens), and a reader never creates a database.
TEST(SqliteReadIsolationTest, ReaderPoolReadersOpenTheSameExistingFile) {
  TempDir dir;
  fs::path previous = fs::current_path();
  fs::current_path(dir.path());
  Result<std::unique_ptr<SqliteStore>> store = SqliteStore::Open("relative.db");
  const bool migrated = store.ok() && (*store)->Migrate().ok();
  Result<std::unique_ptr<ReaderPool>> opened = ReaderPool::Open("relative.db", 5'000, "", 2);
  Result<std::unique_ptr<ReaderPool>> missing = ReaderPool::Open("missing.db", 5'000, "", 2);
  fs::current_path(previous);
  ASSERT_TRUE(migrated);
  ASSERT_TRUE(opened.ok()) << opened.error().message;
  EXPECT_FALSE(missing.ok());
  EXPECT_FALSE(fs::exists(dir.path() + "/missing.db"));

  ReaderPool& pool = **opened;
  ConnectionLease first = pool.Acquire();
  ConnectionLease second = pool.Acquire();  // opened now, in another directory
  EXPECT_EQ(pool.size(), 2);
  Statement count(*second, "SELECT count(*) FROM schema_migrations");
  EXPECT_EQ(Must(ReadInt(count)), static_cast<int64_t>(Migrations().size()));
}

// Calls waiting for a reader get one in the order they asked.
TEST(SqliteReadIsolationTest, ReaderPoolServesWaitingCallsInTurn) {
  FileDatabase db;
  std::unique_ptr<Store> store = db.Open();
  ASSERT_TRUE(store->Migrate().ok());
  Result<std::unique_ptr<ReaderPool>> opened = ReaderPool::Open(db.path(), 5'000, "", 1);
  ASSERT_TRUE(opened.ok()) << opened.error().message;
  ReaderPool& pool = **opened;
  std::optional<ConnectionLease> held(pool.Acquire());
  std::mutex mu;
  std::vector<int> order;
  std::vector<std::thread> waiters;
  for (int i = 0; i < 4; ++i) {
    waiters.emplace_back([&, i] {
      ConnectionLease lease = pool.Acquire();
      std::lock_guard lock(mu);
      order.push_back(i);
    });
    // The next one asks only once this one waits.
    for (int spins = 0; pool.waiting() < i + 1 && spins < 5'000; ++spins) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    EXPECT_EQ(pool.waiting(), i + 1);
  }
  held.reset();
  for (std::thread& waiter : waiters) waiter.join();
  EXPECT_EQ(order, (std::vector<int>{0, 1, 2, 3}));
  EXPECT_EQ(pool.waiting(), 0);
}

// A private in-memory database has no second connection: the long reads use the main one, and
// see everything.
TEST(SqliteReadIsolationTest, InMemoryReadsUseTheMainConnection) {
  Result<std::unique_ptr<SqliteStore>> opened = SqliteStore::Open(":memory:");
  ASSERT_TRUE(opened.ok());
  SqliteStore& store = **opened;
  ASSERT_TRUE(store.Migrate().ok());
  const int64_t user = Must(store.CreateUser("a@example.com", "x", false));
  ASSERT_TRUE(store.AppendRequestLogs({LogRow(user, "gen-1", 1'764'288'000'000, 1'000)}).ok());
  std::optional<RequestLogRow> found = Must(store.FindRequestLog("gen-1"));
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->prompt_text.size(), 1'000u);
  EXPECT_EQ(Requests(store, user), 1);
  EXPECT_TRUE(Must(store.CatalogEmpty()));
  EXPECT_EQ(Must(store.ListUsers(0, 10)).size(), 1u);
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

// PostgreSQL URLs: pg/pg_store_test.cc.
TEST(OpenStoreTest, RejectsOtherUrls) {
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
