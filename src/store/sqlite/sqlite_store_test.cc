// SqliteStore: the conformance suite on an in-memory and a file database, plus what only
// SQLite has (embedded migrations, the append-only triggers seen through raw SQL, URLs).
#include "store/sqlite/sqlite_store.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "store/sqlite/migrations.h"
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

INSTANTIATE_TEST_SUITE_P(
    Sqlite, StoreConformanceTest,
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
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK &&
        sqlite3_step(stmt) == SQLITE_ROW) {
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
  EXPECT_EQ(store->LedgerSum(*user), 950);
  EXPECT_EQ(store->FindUserById(*user)->balance, 950);
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
  for (const char* url :
       {"mysql://x", "sqlite://", "sqlite:///", "sqlite:///tmp/x.db?mode=ro", ""}) {
    Result<std::unique_ptr<Store>> store = OpenStore(url);
    EXPECT_FALSE(store.ok()) << url;
    if (!store.ok()) {
      EXPECT_EQ(store.error().code, ErrorCode::kBadRequest) << url;
    }
  }
}

}  // namespace
}  // namespace turnpike::store::sqlite
