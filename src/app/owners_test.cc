// Owner liveness and the release of a gone owner's holds and leases (docs/architecture.md §4.8):
// two owners on one PostgreSQL database, one of them ended (its connection terminated, or its
// process killed): the survivor's sweep releases the dead one's holds and leases only, and only
// once it has read as gone for the grace; an owner that takes its lock again in time keeps them.
// Lock files beside a SQLite database: a gone owner's holds go at the first sweep.
#include "app/owners.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <thread>

#include "app/hold_owner.h"
#include "common/crypto.h"
#include "store/pg/pg_owners.h"
#include "store/pg/pg_store.h"
#include "store/pg/pg_testing.h"
#include "store/sqlite/sqlite_store.h"

namespace turnpike::app {
namespace {

using std::chrono::milliseconds;
using store::pg::PgOwnerRegistry;
using Clock = OwnerReaper::Clock;
using money::Micros;

constexpr int64_t kNow = 1'900'000'000;

template <class T>
T Must(Result<T> r) {
  EXPECT_TRUE(r.ok()) << r.error().message;
  return r.ok() ? std::move(*r) : T{};
}

// A user with `balance` and one key, on `s`.
struct Account {
  int64_t user = 0;
  int64_t key = 0;
};
Account MakeAccount(store::Store& s, Micros balance) {
  Account a;
  a.user = Must(s.CreateUser("alice@example.com", "x", false));
  EXPECT_TRUE(s.Credit(a.user, balance, "grant", "grant:test", "").ok());
  store::ApiKey key;
  key.user_id = a.user;
  key.name = "k";
  key.prefix = "sk-tp-v1-k";
  key.hash_hex = std::string(64, 'a');
  key.created_at = kNow;
  a.key = Must(s.CreateKey(key));
  return a;
}

// A lease and an open hold for `owner`.
void LeaseAndHold(store::Store& s, const Account& a, const std::string& owner, Micros amount) {
  ASSERT_EQ(s.Lease({owner, a.user, a.key, amount, amount}, kNow).outcome, store::HoldOutcome::kHeld);
  ASSERT_EQ(s.Hold({"req-" + owner, a.user, a.key, amount, owner}, kNow).outcome, store::HoldOutcome::kHeld);
}

// Sweeps from `from` to `to` (both included) every 500 ms, as serve does; returns how many were
// released in all.
int SweepEvery500ms(OwnerReaper& reaper, Clock::time_point from, Clock::time_point to) {
  int released = 0;
  for (Clock::time_point t = from; t < to; t += milliseconds(500)) released += reaper.Sweep(t);
  return released + reaper.Sweep(to);
}

class PgOwnersTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { ASSERT_TRUE(crypto::InitCrypto()); }
  void SetUp() override {
    if (store::pg::TestServerUrl().empty()) GTEST_SKIP() << store::pg::kNoTestServer;
    db_ = std::make_unique<store::pg::TestDatabase>();
    ASSERT_TRUE(db_->ok());
    store::pg::PoolOptions options;
    options.connection = db_->options();
    auto opened = store::pg::PgStore::Open(store::pg::TestServerUrl(), options);
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    store_ = std::move(*opened);
    ASSERT_TRUE(store_->Migrate().ok());
  }
  std::unique_ptr<PgOwnerRegistry> Registry() {
    auto r = PgOwnerRegistry::Open(store::pg::TestServerUrl(), db_->options());
    EXPECT_TRUE(r.ok()) << r.error().message;
    return r.ok() ? std::move(*r) : nullptr;
  }
  // Ends the server session `pid` as a crash or an operator would.
  void Terminate(int pid) {
    auto admin = store::pg::Connection::Open(store::pg::TestServerUrl(), db_->options());
    ASSERT_TRUE(admin.ok());
    auto rows = (*admin)->Exec("SELECT pg_terminate_backend($1::integer)", store::pg::Params().Add(pid));
    ASSERT_TRUE(rows.ok()) << rows.error().message;
    ASSERT_TRUE(rows->Bool(0, 0));
  }
  // Waits (up to 5 s) until `registry` reads `id` as gone.
  static void AwaitGone(PgOwnerRegistry& registry, const std::string& id) {
    for (int i = 0; i < 100 && Must(registry.Running(id)); ++i) std::this_thread::sleep_for(milliseconds(50));
    ASSERT_FALSE(Must(registry.Running(id)));
  }
  void ExpectBalanced(int64_t user) {
    EXPECT_EQ(Must(store_->FindUserById(user))->balance, Must(store_->LedgerSum(user)));
  }

  std::unique_ptr<store::pg::TestDatabase> db_;
  std::unique_ptr<store::pg::PgStore> store_;
};

TEST_F(PgOwnersTest, AClaimReadsAsRunningEverywhereUntilItsSessionEnds) {
  auto a = Registry();
  auto b = Registry();
  auto c = Registry();  // claims nothing: a control process
  ASSERT_TRUE(a && b && c);
  std::string ida = Must(a->Claim());
  std::string idb = Must(b->Claim());
  EXPECT_NE(ida, idb);
  EXPECT_FALSE(a->Claim().ok()) << "one claim per registry";
  EXPECT_TRUE(Must(a->Running(ida)));
  EXPECT_TRUE(Must(b->Running(ida)));
  EXPECT_TRUE(Must(c->Running(ida)));
  EXPECT_TRUE(Must(c->Running(ida))) << "asking does not take the lock";
  EXPECT_FALSE(Must(c->Running("0123456789abcdef01234567"))) << "nobody claimed it";
  EXPECT_EQ(a->Keep(), store::OwnerRegistry::Claimed::kHeld);
  a.reset();  // the process stops: its session ends
  AwaitGone(*c, ida);
  EXPECT_TRUE(Must(c->Running(idb)));
}

TEST_F(PgOwnersTest, TheSurvivorReleasesOnlyTheDeadOwnersHoldsAndLeasesAfterTheGrace) {
  Account acct = MakeAccount(*store_, 10'000);
  auto a = Registry();
  auto b = Registry();
  ASSERT_TRUE(a && b);
  std::string ida = Must(a->Claim());
  std::string idb = Must(b->Claim());
  LeaseAndHold(*store_, acct, ida, 3'000);
  LeaseAndHold(*store_, acct, idb, 2'000);
  // The hold's own 3'000 and 2'000 left the balance; the leases set 5'000 more aside.
  EXPECT_EQ(store_->Lease({"other", acct.user, acct.key, 1, 10'000}, kNow).lease, 0);

  Terminate(a->backend_pid());
  AwaitGone(*b, ida);
  OwnerReaper reaper(*store_, *store_, *b);
  const Clock::time_point t0 = Clock::now();
  EXPECT_EQ(SweepEvery500ms(reaper, t0, t0 + b->grace() - milliseconds(1)), 0) << "gone for less than the grace";
  EXPECT_EQ(Must(store_->HoldOwners()), (std::vector<std::string>{std::min(ida, idb), std::max(ida, idb)}));
  EXPECT_EQ(reaper.Sweep(t0 + b->grace()), 2) << "the dead owner's hold and lease";
  EXPECT_EQ(Must(store_->HoldOwners()), (std::vector<std::string>{idb}));
  EXPECT_EQ(Must(store_->FindUserById(acct.user))->balance, 10'000 - 2'000) << "the dead hold was refunded";
  // The room others may lease: the balance less the survivor's lease only.
  EXPECT_EQ(store_->Lease({"other", acct.user, acct.key, 1, 10'000}, kNow).lease, 8'000 - 2'000);
  EXPECT_EQ(SweepEvery500ms(reaper, t0 + b->grace(), t0 + 3 * b->grace()), 1) << "the lease of \"other\": no process";
  EXPECT_EQ(Must(store_->HoldOwners()), (std::vector<std::string>{idb}));
  ExpectBalanced(acct.user);
}

TEST_F(PgOwnersTest, AnOwnerThatTakesItsLockAgainWithinTheGraceKeepsItsLeases) {
  Account acct = MakeAccount(*store_, 10'000);
  auto a = Registry();
  auto b = Registry();
  ASSERT_TRUE(a && b);
  std::string ida = Must(a->Claim());
  ASSERT_TRUE(b->Claim().ok());
  LeaseAndHold(*store_, acct, ida, 3'000);
  Terminate(a->backend_pid());
  AwaitGone(*b, ida);
  OwnerReaper reaper(*store_, *store_, *b);
  const Clock::time_point t0 = Clock::now();
  EXPECT_EQ(reaper.Sweep(t0), 0);
  EXPECT_EQ(a->Keep(), store::OwnerRegistry::Claimed::kRetaken) << "the lock is taken again on a new session";
  EXPECT_EQ(a->Keep(), store::OwnerRegistry::Claimed::kHeld);
  EXPECT_TRUE(Must(b->Running(ida)));
  EXPECT_EQ(SweepEvery500ms(reaper, t0 + milliseconds(500), t0 + 2 * b->grace()), 0);
  EXPECT_EQ(Must(store_->HoldOwners()), (std::vector<std::string>{ida}));
  // Gone again: the count starts afresh.
  Terminate(a->backend_pid());
  AwaitGone(*b, ida);
  const Clock::time_point t1 = t0 + 2 * b->grace() + milliseconds(500);
  EXPECT_EQ(SweepEvery500ms(reaper, t1, t1 + b->grace() - milliseconds(500)), 0);
  // A gap in the checks (a sweep that could not run) starts the count again too.
  EXPECT_EQ(reaper.Sweep(t1 + 2 * b->grace()), 0) << "the first check after a gap";
  EXPECT_EQ(SweepEvery500ms(reaper, t1 + 2 * b->grace(), t1 + 3 * b->grace()), 2);
  ExpectBalanced(acct.user);
}

TEST_F(PgOwnersTest, AKilledProcessReadsAsGone) {
  auto b = Registry();
  ASSERT_TRUE(b);
  int pipe_fds[2];
  ASSERT_EQ(pipe(pipe_fds), 0);
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    auto a = PgOwnerRegistry::Open(store::pg::TestServerUrl(), db_->options());
    std::string id;
    if (a.ok()) {
      auto claimed = (*a)->Claim();
      if (claimed.ok()) id = *claimed;
    }
    (void)!write(pipe_fds[1], id.data(), id.size());
    pause();  // until killed: no clean-up
    _exit(0);
  }
  char buf[64] = {};
  ssize_t n = read(pipe_fds[0], buf, sizeof buf);
  close(pipe_fds[0]);
  close(pipe_fds[1]);
  ASSERT_GT(n, 0);
  std::string id(buf, static_cast<size_t>(n));
  EXPECT_TRUE(Must(b->Running(id)));
  kill(child, SIGKILL);
  waitpid(child, nullptr, 0);
  AwaitGone(*b, id);
}

TEST_F(PgOwnersTest, KeepReportsALostLockWhileTheServerIsUnreachable) {
  // A registry on a port nobody listens on: it cannot even open.
  EXPECT_FALSE(PgOwnerRegistry::Open("postgresql://postgres@127.0.0.1:1/x").ok());
  auto a = Registry();
  ASSERT_TRUE(a);
  EXPECT_EQ(a->Keep(), store::OwnerRegistry::Claimed::kHeld) << "nothing claimed: nothing to keep";
  ASSERT_TRUE(a->Claim().ok());
  // Dropping the test database ends every session on it and makes it unreachable.
  Terminate(a->backend_pid());
  db_.reset();
  EXPECT_EQ(a->Keep(), store::OwnerRegistry::Claimed::kLost);
  EXPECT_FALSE(a->Running("0123").ok()) << "an owner that cannot be checked is neither running nor gone";
  store_.reset();
}

// Lock files: a free lock is final, so the first sweep releases; the SQLite store's behaviour is
// as before owners had registries.
TEST(FileOwnersTest, AGoneOwnersHoldsGoAtTheFirstSweep) {
  ASSERT_TRUE(crypto::InitCrypto());
  const std::string dir = (std::filesystem::temp_directory_path() / ("tp-owners-" + crypto::RandomHex(6))).string();
  auto opened = store::sqlite::SqliteStore::Open(":memory:");
  ASSERT_TRUE(opened.ok());
  auto& s = **opened;
  ASSERT_TRUE(s.Migrate().ok());
  Account acct = MakeAccount(s, 10'000);
  FileOwnerRegistry registry(dir);
  std::string mine = Must(registry.Claim());
  LeaseAndHold(s, acct, mine, 1'000);
  LeaseAndHold(s, acct, "aa11", 2'000);  // no lock file: its process is gone
  EXPECT_EQ(registry.grace().count(), 0);
  OwnerReaper reaper(s, s, registry);
  EXPECT_EQ(reaper.Sweep(Clock::now()), 2);
  EXPECT_EQ(Must(s.HoldOwners()), (std::vector<std::string>{mine}));
  EXPECT_EQ(Must(s.FindUserById(acct.user))->balance, 10'000 - 1'000);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace turnpike::app
