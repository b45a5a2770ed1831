// PgStore: the conformance suite on PostgreSQL (a fresh database per test), plus what only the
// PostgreSQL store has: its migrations and their advisory lock, the append-only triggers seen
// through raw SQL, and its URLs. Every test needs the server TURNPIKE_TEST_PG_URL names, and
// reports SKIPPED without one.
#include "store/pg/pg_store.h"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <latch>
#include <thread>
#include <tuple>
#include <utility>
#include <vector>

#include "common/result_testing.h"
#include "store/group_commit.h"
#include "store/pg/migrations.h"
#include "store/pg/pg_testing.h"
#include "store/store_conformance.h"

namespace turnpike::store::pg {
namespace {

class PgDatabase : public StoreTestDatabase {
 public:
  std::unique_ptr<Store> Open() override {
    if (!db_.ok()) return nullptr;
    PoolOptions options;
    options.connection = db_.options();
    Result<std::unique_ptr<PgStore>> store = PgStore::Open(TestServerUrl(), options);
    EXPECT_TRUE(store.ok()) << store.error().message;
    return store.ok() ? std::move(*store) : nullptr;
  }
  bool SupportsSecondHandle() const override { return true; }

 private:
  TestDatabase db_;
};

INSTANTIATE_TEST_SUITE_P(Pg, StoreConformanceTest,
                         ::testing::Values(StoreBackend{"Server", [] { return std::make_unique<PgDatabase>(); },
                                                        TestServerUrl().empty() ? kNoTestServer : ""}),
                         StoreBackendName);

class PgStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (TestServerUrl().empty()) GTEST_SKIP() << kNoTestServer;
    db_ = std::make_unique<TestDatabase>();
    ASSERT_TRUE(db_->ok());
  }
  std::unique_ptr<PgStore> OpenStore() {
    PoolOptions options;
    options.connection = db_->options();
    Result<std::unique_ptr<PgStore>> store = PgStore::Open(TestServerUrl(), options);
    EXPECT_TRUE(store.ok()) << store.error().message;
    return store.ok() ? std::move(*store) : nullptr;
  }
  // A user of a@example.com with $0.01 of credit and one key (its hash made of `hash_char`):
  // {user id, key id}.
  static std::pair<int64_t, int64_t> FundedUserWithKey(PgStore& store, char hash_char) {
    int64_t user = Must(store.CreateUser("a@example.com", "x", false));
    EXPECT_TRUE(store.Credit(user, 10'000, "grant", "g:1", "").ok());
    ApiKey key;
    key.user_id = user;
    key.name = "k";
    key.prefix = "sk";
    key.hash_hex = std::string(64, hash_char);
    return {user, Must(store.CreateKey(key))};
  }
  std::unique_ptr<Connection> RawConnection() {
    Result<std::unique_ptr<Connection>> conn = Connection::Open(TestServerUrl(), db_->options());
    EXPECT_TRUE(conn.ok()) << conn.error().message;
    return conn.ok() ? std::move(*conn) : nullptr;
  }

  std::unique_ptr<TestDatabase> db_;
};

TEST(PgMigrationsTest, VersionsFollowFileOrder) {
  int expected_version = 1;
  for (const Migration& migration : Migrations()) {
    EXPECT_EQ(migration.version, expected_version++);
    EXPECT_FALSE(migration.sql.empty());
  }
  ASSERT_FALSE(Migrations().empty());
  EXPECT_EQ(Migrations()[0].name, "0001_init");
}

TEST_F(PgStoreTest, MigrationsAreRecordedWithTheirNames) {
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(Must(store->Migrate()), static_cast<int>(Migrations().size()));
  auto conn = RawConnection();
  ASSERT_NE(conn, nullptr);
  Result<Rows> rows = conn->Exec("SELECT version, name FROM schema_migrations ORDER BY version");
  ASSERT_TRUE(rows.ok()) << rows.error().message;
  ASSERT_EQ(rows->size(), static_cast<int>(Migrations().size()));
  EXPECT_EQ(rows->Int(0, 0), 1);
  EXPECT_EQ(rows->Text(0, 1), "0001_init");
}

// Several processes starting at once on an empty database: the advisory lock lets one apply each
// migration, and the others find it recorded.
TEST_F(PgStoreTest, ConcurrentMigrationsApplyEachOnce) {
  constexpr int kProcesses = 4;
  std::vector<std::unique_ptr<PgStore>> stores;
  for (int i = 0; i < kProcesses; ++i) {
    stores.push_back(OpenStore());
    ASSERT_NE(stores.back(), nullptr);
  }
  std::atomic<int> applied{0};
  std::atomic<int> failed{0};
  std::vector<std::thread> threads;
  for (auto& store : stores) {
    threads.emplace_back([&, s = store.get()] {
      Result<int> n = s->Migrate();
      if (n.ok()) {
        applied += *n;
      } else {
        ++failed;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failed.load(), 0);
  EXPECT_EQ(applied.load(), static_cast<int>(Migrations().size()));
}

TEST_F(PgStoreTest, LedgerAndSettledHoldsAreImmutable) {
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->Migrate().ok());
  auto [user, key_id] = FundedUserWithKey(*store, 'b');
  ASSERT_EQ(store->Hold({"r1", user, key_id, 1'000}, 1'700'000'000).outcome, HoldOutcome::kHeld);
  ASSERT_TRUE(store->Settle("r1", 400).ok());

  auto conn = RawConnection();
  ASSERT_NE(conn, nullptr);
  for (const char* sql :
       {"UPDATE ledger_entries SET amount_micros = 1", "DELETE FROM ledger_entries", "TRUNCATE ledger_entries CASCADE",
        "UPDATE holds SET settled_micros = 1", "DELETE FROM holds", "UPDATE holds SET amount_micros = 5"}) {
    Result<Rows> rows = conn->Exec(sql);
    EXPECT_FALSE(rows.ok()) << sql;
  }
  EXPECT_EQ(Must(store->LedgerSum(user)), 9'600);
  EXPECT_EQ(Must(store->FindUserById(user))->balance, 9'600);
}

TEST_F(PgStoreTest, BatchesRunEveryCallInASavepoint) {
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->Migrate().ok());
  int64_t user = Must(store->CreateUser("a@example.com", "x", false));
  Result<int64_t> duplicate = MakeError(ErrorCode::kInternal, "not run");
  Status batch = store->RunBatch(
      [&] {
        EXPECT_TRUE(store->Credit(user, 500, "grant", "g:1", "").ok());
        duplicate = store->CreateUser("A@example.com", "y", false);  // fails: undoes only itself
        EXPECT_TRUE(store->Credit(user, 700, "grant", "g:2", "").ok());
        EXPECT_EQ(Must(store->FindUserById(user))->balance, 1'200) << "a call sees what the batch wrote";
      },
      /*flush=*/false);
  ASSERT_TRUE(batch.ok()) << batch.error().message;
  ASSERT_FALSE(duplicate.ok());
  EXPECT_EQ(duplicate.error().code, ErrorCode::kConflict);
  EXPECT_EQ(Must(store->FindUserById(user))->balance, 1'200);
  EXPECT_TRUE(store->Flush().ok());
}

// Two processes' batches taking two users' locks in opposite orders deadlock. A batch that meets
// the deadlock (or waits for the other's lock past its lock timeout) is abandoned whole, for its
// calls to run again alone; nothing of it is kept, and a batch that commits keeps everything.
TEST_F(PgStoreTest, ABatchThatMeetsADeadlockIsAbandonedWhole) {
  auto first = OpenStore();
  auto second = OpenStore();
  ASSERT_NE(first, nullptr);
  ASSERT_NE(second, nullptr);
  ASSERT_TRUE(first->Migrate().ok());
  int64_t a = Must(first->CreateUser("a@example.com", "x", false));
  int64_t b = Must(first->CreateUser("b@example.com", "x", false));
  std::latch both_locked(2);
  auto batch = [&](PgStore& store, int64_t one, int64_t other, const std::string& tag) {
    return store.RunBatch(
        [&] {
          EXPECT_TRUE(store.Credit(one, 100, "grant", tag + ":1", "").ok());
          both_locked.arrive_and_wait();
          (void)store.Credit(other, 10, "grant", tag + ":2", "");  // waits for the other batch
        },
        /*flush=*/true);
  };
  Status left = OkStatus();
  std::thread other([&] { left = batch(*first, a, b, "left"); });
  const auto start = Clock::now();
  Status right = batch(*second, b, a, "right");
  other.join();
  EXPECT_LT(Clock::now() - start, std::chrono::milliseconds(900)) << "the lock timeout, not deadlock_timeout";
  ASSERT_FALSE(left.ok() && right.ok()) << "at least one batch is abandoned";
  for (const Status* s : {&left, &right}) {
    if (!s->ok()) {
      EXPECT_EQ(s->error().code, ErrorCode::kUnavailable) << s->error().message;
    }
  }
  EXPECT_EQ(Must(first->FindUserById(a))->balance, (left.ok() ? 100 : 0) + (right.ok() ? 10 : 0));
  EXPECT_EQ(Must(first->FindUserById(b))->balance, (right.ok() ? 100 : 0) + (left.ok() ? 10 : 0));
  EXPECT_EQ(Must(first->LedgerSum(a)), Must(first->FindUserById(a))->balance);
}

// The gateway's way of writing (docs/architecture.md §4.11): two processes, each with a group
// committer, leasing and charging three accounts in every order. Batches that deadlock run again
// call by call; no account is overspent, and every balance is its ledger.
TEST_F(PgStoreTest, GroupCommittersOfTwoProcessesNeverOverspend) {
  constexpr int kUsers = 3;
  constexpr int kThreadsPerProcess = 3;
  constexpr int kRequests = 40;
  constexpr Micros kCredit = 30'000;
  std::vector<std::unique_ptr<PgStore>> stores;
  for (int i = 0; i < 2; ++i) {
    stores.push_back(OpenStore());
    ASSERT_NE(stores.back(), nullptr);
  }
  ASSERT_TRUE(stores[0]->Migrate().ok());
  std::vector<int64_t> users;
  std::vector<int64_t> keys;
  for (int u = 0; u < kUsers; ++u) {
    users.push_back(Must(stores[0]->CreateUser("u" + std::to_string(u) + "@example.com", "x", false)));
    ASSERT_TRUE(stores[0]->Credit(users[u], kCredit, "grant", "g" + std::to_string(u), "").ok());
    ApiKey key;
    key.user_id = users[u];
    key.name = "k";
    key.prefix = "sk";
    key.hash_hex = std::string(63, 'a') + static_cast<char>('0' + u);
    keys.push_back(Must(stores[0]->CreateKey(key)));
  }
  std::atomic<int> charged[kUsers] = {};
  {
    std::vector<std::unique_ptr<GroupCommitter>> committers;
    for (auto& store : stores)
      committers.push_back(std::make_unique<GroupCommitter>(*store, GroupCommitter::Options{}));
    std::vector<std::thread> threads;
    for (int p = 0; p < 2; ++p) {
      for (int t = 0; t < kThreadsPerProcess; ++t) {
        threads.emplace_back([&, p, t] {
          const std::string owner = "proc-" + std::to_string(p);
          for (int i = 0; i < kRequests; ++i) {
            const int u = (i + t + p) % kUsers;
            const std::string id = owner + "-" + std::to_string(t) + "-" + std::to_string(i);
            auto done = std::make_shared<std::promise<bool>>();
            auto ok = std::make_shared<bool>(false);
            PgStore& store = *stores[p];
            committers[p]->Submit(
                [&, u, id, ok, owner] {  // may run twice (again alone): idempotent
                  *ok = store.Lease({owner, users[u], keys[u], 1'000, 1'000}, 1'700'000'000).outcome ==
                            HoldOutcome::kHeld &&
                        store.Charge({id, users[u], keys[u], 1'000, 700, owner, 1'700'000'000}).ok();
                },
                [done, ok] { done->set_value(*ok); });
            if (done->get_future().get()) ++charged[u];
          }
        });
      }
    }
    for (auto& thread : threads) thread.join();
  }
  for (int u = 0; u < kUsers; ++u) {
    const Micros balance = Must(stores[0]->FindUserById(users[u]))->balance;
    EXPECT_GE(balance, 0);
    EXPECT_EQ(balance, Must(stores[0]->LedgerSum(users[u])));
    EXPECT_EQ(balance, kCredit - 700 * Micros{charged[u].load()}) << "user " << u;
    EXPECT_EQ(Must(stores[0]->FindKeyById(keys[u]))->usage, 700 * Micros{charged[u].load()});
  }
}

// A money call waiting for a row lock another process holds gives up at its deadline, answers
// "could not decide", and leaves nothing half done.
TEST_F(PgStoreTest, ACallWaitingForALockEndsAtItsDeadline) {
  // Set up with the usual deadlines (a loaded machine may take more than 300 ms to migrate).
  int64_t user = 0;
  int64_t key_id = 0;
  {
    std::unique_ptr<PgStore> setup = OpenStore();
    ASSERT_NE(setup, nullptr);
    ASSERT_TRUE(setup->Migrate().ok());
    std::tie(user, key_id) = FundedUserWithKey(*setup, 'c');
  }
  PoolOptions options;
  options.connection = db_->options();
  // Long enough for a loaded machine's plain queries, far shorter than the lock is held.
  options.connection.query_timeout = std::chrono::milliseconds(1000);
  Result<std::unique_ptr<PgStore>> opened = PgStore::Open(TestServerUrl(), options);
  ASSERT_TRUE(opened.ok()) << opened.error().message;
  PgStore& store = **opened;

  auto other = RawConnection();  // another process, in the middle of a transaction on the user
  ASSERT_NE(other, nullptr);
  ASSERT_TRUE(other->ExecScript("BEGIN").ok());
  ASSERT_TRUE(other->Exec("SELECT 1 FROM users WHERE id = $1 FOR UPDATE", Params().Add(user)).ok());
  const auto start = Clock::now();
  EXPECT_EQ(store.Hold({"r1", user, key_id, 1'000}, 1'700'000'000).outcome, HoldOutcome::kFailed);
  Status credit = store.Credit(user, 5, "grant", "g:2", "");
  ASSERT_FALSE(credit.ok());
  EXPECT_EQ(credit.error().code, ErrorCode::kUnavailable) << credit.error().message;
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(6));
  ASSERT_TRUE(other->ExecScript("ROLLBACK").ok());

  EXPECT_EQ(store.Hold({"r1", user, key_id, 1'000}, 1'700'000'000).outcome, HoldOutcome::kHeld);
  EXPECT_EQ(Must(store.FindUserById(user))->balance, 9'000);
  EXPECT_EQ(Must(store.LedgerSum(user)), 9'000);
}

TEST_F(PgStoreTest, OpenStoreTakesPostgresUrls) {
  for (std::string url :
       {TestServerUrl(),
        TestServerUrl() + (TestServerUrl().find('?') == std::string::npos ? "?sslmode=disable" : "&sslmode=disable")}) {
    Result<std::unique_ptr<Store>> store = store::OpenStore(url);
    ASSERT_TRUE(store.ok()) << store.error().message;
    EXPECT_TRUE((*store)->Ping());
  }
  std::string postgres = TestServerUrl();
  if (postgres.starts_with("postgresql://")) {
    postgres.replace(0, std::string_view("postgresql://").size(), "postgres://");
    Result<std::unique_ptr<Store>> store = store::OpenStore(postgres);
    ASSERT_TRUE(store.ok()) << store.error().message;
    EXPECT_TRUE((*store)->Ping());
  }
  // The hold-owner locks of a server on PostgreSQL stay in the fallback directory (store.h).
  EXPECT_EQ(HoldOwnersDir(TestServerUrl(), "/data/holds"), "/data/holds");
}

// No server needed: these fail before one would be reached, or on a port nothing listens on.
TEST(PgUrlTest, BadUrlsAreClearErrorsWithoutThePassword) {
  struct Case {
    const char* url;
    ErrorCode code;
  };
  for (const Case& c : {Case{"postgresql://user:s3cret@127.0.0.1:1/turnpike", ErrorCode::kUnavailable},
                        Case{"postgresql://user:s3cret%zz@127.0.0.1/turnpike", ErrorCode::kBadRequest},
                        Case{"postgresql://user:s3cret@127.0.0.1:notaport/turnpike", ErrorCode::kBadRequest},
                        Case{"postgresql://user:s3cret@127.0.0.1/turnpike?sslmode=sometimes", ErrorCode::kBadRequest},
                        Case{"postgresql://user:s3cret@127.0.0.1/turnpike?nosuchoption=1", ErrorCode::kBadRequest},
                        Case{"postgresql://user:s3cret@[::1/turnpike", ErrorCode::kBadRequest}}) {
    Result<std::unique_ptr<Store>> store = store::OpenStore(c.url);
    ASSERT_FALSE(store.ok()) << c.url;
    EXPECT_EQ(store.error().code, c.code) << c.url << ": " << store.error().message;
    EXPECT_EQ(store.error().message.find("s3cret"), std::string::npos) << store.error().message;
    EXPECT_FALSE(store.error().message.empty());
  }
  EXPECT_EQ(HoldOwnersDir("postgresql://user:s3cret@db/turnpike", "/data/holds"), "/data/holds");
}

}  // namespace
}  // namespace turnpike::store::pg
