// The Store conformance suite, part 2: credits, holds, settlements, the ledger and concurrency.
#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "common/result_testing.h"
#include "store/store_conformance.h"

namespace turnpike::store {
namespace {

constexpr int64_t kNow = 1'700'000'000;

HoldRequest MakeHold(const std::string& id, int64_t user, int64_t key, Micros amount) {
  return HoldRequest{id, user, key, amount};
}

TEST_P(StoreConformanceTest, CreditIsIdempotent) {
  int64_t user = MakeUser("alice@example.com");
  ASSERT_TRUE(store_->Credit(user, 5'000'000, "topup", "stripe:evt_1", "card").ok());
  ASSERT_TRUE(store_->Credit(user, 5'000'000, "topup", "stripe:evt_1", "card").ok());
  ASSERT_TRUE(store_->Credit(user, 250'000, "grant", "admin:1", "welcome").ok());
  EXPECT_EQ(Must(store_->FindUserById(user))->balance, 5'250'000);
  EXPECT_EQ(Must(store_->TotalCredited(user)), 5'250'000);
  EXPECT_EQ(Must(store_->TotalSpent(user)), 0);

  Status reused = store_->Credit(user, 1, "topup", "stripe:evt_1", "");
  ASSERT_FALSE(reused.ok());
  EXPECT_EQ(reused.error().code, ErrorCode::kConflict);
  EXPECT_EQ(store_->Credit(user, 1, "hold", "x:1", "").error().code, ErrorCode::kBadRequest);
  EXPECT_EQ(store_->Credit(user, 0, "grant", "x:2", "").error().code, ErrorCode::kBadRequest);
  EXPECT_EQ(store_->Credit(user, -5, "grant", "x:3", "").error().code, ErrorCode::kBadRequest);
  EXPECT_EQ(store_->Credit(user + 1000, 5, "grant", "x:4", "").error().code, ErrorCode::kNotFound);

  std::vector<LedgerEntry> ledger = Must(store_->ListLedger(user, 10));
  ASSERT_EQ(ledger.size(), 2u);
  EXPECT_EQ(ledger[0].kind, "grant");  // newest first
  EXPECT_EQ(ledger[0].note, "welcome");
  EXPECT_EQ(ledger[1].kind, "topup");
  EXPECT_EQ(ledger[1].amount, 5'000'000);
  EXPECT_EQ(ledger[1].idempotency_id, "stripe:evt_1");
  EXPECT_EQ(ledger[1].user_id, user);
  EXPECT_GT(ledger[1].created_at, 0);
  EXPECT_EQ(Must(store_->ListLedger(user, 1)).size(), 1u);
  ExpectBalanced(user);
}

TEST_P(StoreConformanceTest, LedgerPagesByCursorWithoutGapsOrRepeats) {
  int64_t user = MakeUser("pages@example.com");
  int64_t other = MakeUser("other@example.com");
  for (int i = 1; i <= 7; ++i) {
    ASSERT_TRUE(store_->Credit(user, i, "grant", "g:" + std::to_string(i), "").ok());
    ASSERT_TRUE(store_->Credit(other, i, "grant", "o:" + std::to_string(i), "").ok());
  }
  std::vector<Micros> amounts;
  int64_t before = 0;
  for (int page = 0; page < 5; ++page) {
    auto entries = Must(store_->ListLedger(user, 3, before));
    for (const auto& e : entries) {
      EXPECT_EQ(e.user_id, user);
      amounts.push_back(e.amount);
    }
    if (entries.size() < 3) break;
    before = entries.back().id;
  }
  EXPECT_EQ(amounts, (std::vector<Micros>{7, 6, 5, 4, 3, 2, 1}));  // newest first, each once
}

// The credit history: a request's hold and settlement are one line of what it cost, a running
// request shows what is held, and the type, time and cursor filters hold together.
TEST_P(StoreConformanceTest, HistoryHasOneLinePerRequest) {
  int64_t user = MakeUser("history@example.com", 100'000);
  int64_t other = MakeUser("other@example.com", 100'000);
  int64_t key = MakeKey(user, 1, std::nullopt);
  int64_t other_key = MakeKey(other, 2, std::nullopt);
  ASSERT_EQ(store_->Hold(MakeHold("done", user, key, 10'000), kNow).outcome, HoldOutcome::kHeld);
  ASSERT_TRUE(store_->Settle("done", 2'500).ok());
  ASSERT_TRUE(store_->Credit(user, 7, "grant", "g:history", "welcome").ok());
  ASSERT_EQ(store_->Hold(MakeHold("running", user, key, 4'000), kNow).outcome, HoldOutcome::kHeld);
  ChargeRequest charge{.request_id = "charged", .user_id = user, .key_id = key, .held = 9'000, .actual = 1'200};
  ASSERT_TRUE(store_->Charge(charge).ok());
  ASSERT_EQ(store_->Hold(MakeHold("others", other, other_key, 1'000), kNow).outcome, HoldOutcome::kHeld);

  std::vector<HistoryLine> lines = Must(store_->ListHistory(user, HistoryQuery{.limit = 10}));
  ASSERT_EQ(lines.size(), 5u);  // the four above and MakeUser's starting grant
  EXPECT_EQ(lines[0].kind, "request");
  EXPECT_EQ(lines[0].request_id, "charged");
  EXPECT_EQ(lines[0].amount, -1'200);
  EXPECT_FALSE(lines[0].running);
  EXPECT_GE(lines[0].settled_at, lines[0].created_at);
  EXPECT_EQ(lines[1].request_id, "running");
  EXPECT_EQ(lines[1].amount, -4'000);  // what is held while it runs
  EXPECT_TRUE(lines[1].running);
  EXPECT_EQ(lines[1].settled_at, 0);
  EXPECT_EQ(lines[2].kind, "grant");
  EXPECT_EQ(lines[2].note, "welcome");
  EXPECT_EQ(lines[2].amount, 7);
  EXPECT_EQ(lines[3].request_id, "done");
  EXPECT_EQ(lines[3].amount, -2'500);
  EXPECT_GT(lines[3].created_at, 0);
  EXPECT_EQ(lines[4].kind, "grant");
  EXPECT_EQ(lines[4].amount, 100'000);
  Micros sum = 0;
  for (const auto& line : lines) sum += line.amount;
  EXPECT_EQ(sum, Must(store_->FindUserById(user))->balance);

  // Settling keeps the line where it was: the cursor of a page already read stays valid.
  ASSERT_TRUE(store_->Settle("running", 0).ok());
  std::vector<HistoryLine> second = Must(store_->ListHistory(user, HistoryQuery{.limit = 2, .before_id = lines[0].id}));
  ASSERT_EQ(second.size(), 2u);
  EXPECT_EQ(second[0].id, lines[1].id);
  EXPECT_EQ(second[0].amount, 0);
  EXPECT_FALSE(second[0].running);
  EXPECT_EQ(second[1].kind, "grant");
  std::vector<HistoryLine> last = Must(store_->ListHistory(user, HistoryQuery{.limit = 2, .before_id = second[1].id}));
  ASSERT_EQ(last.size(), 2u);
  EXPECT_EQ(last[0].request_id, "done");
  EXPECT_TRUE(Must(store_->ListHistory(user, HistoryQuery{.limit = 2, .before_id = last[1].id})).empty());

  std::vector<HistoryLine> requests = Must(store_->ListHistory(user, HistoryQuery{.limit = 10, .kind = "request"}));
  ASSERT_EQ(requests.size(), 3u);
  for (const auto& line : requests) EXPECT_EQ(line.kind, "request");
  std::vector<HistoryLine> grants = Must(store_->ListHistory(user, HistoryQuery{.limit = 10, .kind = "grant"}));
  ASSERT_EQ(grants.size(), 2u);
  EXPECT_EQ(grants[0].note, "welcome");
  EXPECT_TRUE(Must(store_->ListHistory(user, HistoryQuery{.limit = 10, .kind = "topup"})).empty());

  // Holds are stamped at the time given to Hold (kNow), credits at the store's clock.
  EXPECT_EQ(lines[1].created_at, kNow);
  EXPECT_EQ(lines[3].created_at, kNow);
  for (int64_t t : {kNow, kNow + 1}) {
    size_t at_or_after = 0;
    for (const auto& line : lines) at_or_after += line.created_at >= t ? 1 : 0;
    EXPECT_EQ(Must(store_->ListHistory(user, HistoryQuery{.limit = 10, .from_unix = t})).size(), at_or_after) << t;
    EXPECT_EQ(Must(store_->ListHistory(user, HistoryQuery{.limit = 10, .to_unix = t})).size(),
              lines.size() - at_or_after)
        << t;
  }
  std::vector<HistoryLine> held_then = Must(
      store_->ListHistory(user, HistoryQuery{.limit = 10, .kind = "request", .from_unix = kNow, .to_unix = kNow + 1}));
  ASSERT_EQ(held_then.size(), 2u);
  EXPECT_EQ(held_then[0].request_id, "running");
  EXPECT_EQ(held_then[1].request_id, "done");
  EXPECT_TRUE(Must(store_->ListHistory(user, HistoryQuery{.limit = 0})).empty());
}

TEST_P(StoreConformanceTest, HoldOutcomes) {
  int64_t alice = MakeUser("alice@example.com", 10'000);
  int64_t bob = MakeUser("bob@example.com", 10'000);
  int64_t key = MakeKey(alice, 1, Micros{6'000});
  int64_t expiring = MakeKey(alice, 2, std::nullopt, kNow);
  int64_t later = MakeKey(alice, 3, std::nullopt, kNow + 1);
  int64_t disabled = MakeKey(alice, 4);
  int64_t bobs = MakeKey(bob, 5);
  ASSERT_TRUE(store_->SetKeyDisabled(disabled, true).ok());

  HoldResult held = store_->Hold(MakeHold("r1", alice, key, 4'000), kNow);
  EXPECT_EQ(held.outcome, HoldOutcome::kHeld);
  EXPECT_EQ(held.balance_after, 6'000);
  EXPECT_EQ(Must(store_->FindKeyById(key))->usage, 4'000);

  HoldResult dup = store_->Hold(MakeHold("r1", alice, key, 1), kNow);
  EXPECT_EQ(dup.outcome, HoldOutcome::kDuplicate);
  EXPECT_EQ(dup.balance_after, 6'000);

  HoldResult over_limit = store_->Hold(MakeHold("r2", alice, key, 2'001), kNow);
  EXPECT_EQ(over_limit.outcome, HoldOutcome::kKeyLimitReached);
  EXPECT_EQ(over_limit.balance_after, 6'000);
  EXPECT_EQ(store_->Hold(MakeHold("r3", alice, key, 2'000), kNow).outcome, HoldOutcome::kHeld);
  EXPECT_EQ(Must(store_->FindKeyById(key))->usage, 6'000);

  HoldResult poor = store_->Hold(MakeHold("r4", alice, later, 4'001), kNow);
  EXPECT_EQ(poor.outcome, HoldOutcome::kInsufficientBalance);
  EXPECT_EQ(poor.balance_after, 4'000);
  EXPECT_EQ(store_->Hold(MakeHold("r5", alice, later, 4'000), kNow).outcome, HoldOutcome::kHeld);

  EXPECT_EQ(store_->Hold(MakeHold("r6", alice, expiring, 0), kNow).outcome, HoldOutcome::kKeyDisabled);
  EXPECT_EQ(store_->Hold(MakeHold("r7", alice, disabled, 0), kNow).outcome, HoldOutcome::kKeyDisabled);
  EXPECT_EQ(store_->Hold(MakeHold("r8", alice, key + 1000, 0), kNow).outcome, HoldOutcome::kKeyDisabled);
  EXPECT_EQ(store_->Hold(MakeHold("r9", alice, bobs, 0), kNow).outcome, HoldOutcome::kKeyDisabled);
  EXPECT_EQ(store_->Hold(MakeHold("r10", alice, key, -1), kNow).outcome, HoldOutcome::kFailed);
  EXPECT_EQ(store_->Hold(MakeHold("r11", bob, bobs, 0), kNow).outcome, HoldOutcome::kHeld);

  EXPECT_EQ(Must(store_->FindUserById(alice))->balance, 0);
  EXPECT_EQ(Must(store_->FindUserById(bob))->balance, 10'000);
  EXPECT_EQ(Must(store_->TotalSpent(alice)), 10'000);
  std::vector<LedgerEntry> ledger = Must(store_->ListLedger(alice, 1));
  ASSERT_EQ(ledger.size(), 1u);
  EXPECT_EQ(ledger[0].kind, "hold");
  EXPECT_EQ(ledger[0].amount, -4'000);
  EXPECT_EQ(ledger[0].idempotency_id, "hold:r5");
  EXPECT_EQ(ledger[0].request_id, "r5");
  ExpectBalanced(alice);
  ExpectBalanced(bob);
}

TEST_P(StoreConformanceTest, SettleAdjustsAndIsIdempotent) {
  int64_t user = MakeUser("alice@example.com", 100'000);
  int64_t key = MakeKey(user, 1, Micros{1'000'000});
  for (const char* id : {"less", "equal", "more"}) {
    ASSERT_EQ(store_->Hold(MakeHold(id, user, key, 10'000), kNow).outcome, HoldOutcome::kHeld);
  }
  EXPECT_EQ(Must(store_->FindUserById(user))->balance, 70'000);

  ASSERT_TRUE(store_->Settle("less", 2'500).ok());  // 7'500 back
  EXPECT_EQ(Must(store_->FindUserById(user))->balance, 77'500);
  EXPECT_EQ(Must(store_->FindKeyById(key))->usage, 22'500);
  ASSERT_TRUE(store_->Settle("less", 9'999).ok());  // no change the second time
  EXPECT_EQ(Must(store_->FindUserById(user))->balance, 77'500);

  ASSERT_TRUE(store_->Settle("equal", 10'000).ok());
  EXPECT_EQ(Must(store_->FindUserById(user))->balance, 77'500);
  ASSERT_TRUE(store_->Settle("more", 12'000).ok());  // 2'000 more taken
  EXPECT_EQ(Must(store_->FindUserById(user))->balance, 75'500);
  EXPECT_EQ(Must(store_->FindKeyById(key))->usage, 24'500);

  std::vector<LedgerEntry> ledger = Must(store_->ListLedger(user, 3));
  ASSERT_EQ(ledger.size(), 3u);
  EXPECT_EQ(ledger[0].kind, "settle");
  EXPECT_EQ(ledger[0].amount, -2'000);
  EXPECT_EQ(ledger[0].idempotency_id, "settle:more");
  EXPECT_EQ(ledger[1].amount, 0);
  EXPECT_EQ(ledger[2].amount, 7'500);
  EXPECT_EQ(Must(store_->TotalSpent(user)), 24'500);
  EXPECT_EQ(Must(store_->TotalCredited(user)), 100'000);

  Status missing = store_->Settle("nope", 1);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store_->Settle("more", -1).error().code, ErrorCode::kBadRequest);
  ExpectBalanced(user);
}

TEST_P(StoreConformanceTest, ReleaseStaleHoldsRefundsOldOpenHolds) {
  int64_t user = MakeUser("alice@example.com", 10'000);
  int64_t key = MakeKey(user, 1);
  ASSERT_EQ(store_->Hold(MakeHold("old-settled", user, key, 1'000), 50).outcome, HoldOutcome::kHeld);
  ASSERT_TRUE(store_->Settle("old-settled", 400).ok());
  ASSERT_EQ(store_->Hold(MakeHold("old-open", user, key, 2'000), 100).outcome, HoldOutcome::kHeld);
  ASSERT_EQ(store_->Hold(MakeHold("new-open", user, key, 3'000), 200).outcome, HoldOutcome::kHeld);
  EXPECT_EQ(Must(store_->FindUserById(user))->balance, 4'600);

  Result<int> released = store_->ReleaseStaleHolds(150);
  ASSERT_TRUE(released.ok()) << released.error().message;
  EXPECT_EQ(*released, 1);
  EXPECT_EQ(Must(store_->FindUserById(user))->balance, 6'600);
  EXPECT_EQ(Must(store_->FindKeyById(key))->usage, 3'400);
  EXPECT_EQ(store_->ReleaseStaleHolds(150).value(), 0);
  EXPECT_TRUE(store_->Settle("old-open", 2'000).ok());  // already settled: no change
  EXPECT_EQ(Must(store_->FindUserById(user))->balance, 6'600);
  EXPECT_EQ(store_->ReleaseStaleHolds(1'000).value(), 1);
  EXPECT_EQ(Must(store_->FindUserById(user))->balance, 9'600);
  EXPECT_EQ(Must(store_->TotalSpent(user)), 400);
  ExpectBalanced(user);
}

TEST_P(StoreConformanceTest, ReleaseHoldsOfAnOwnerRefundsOnlyItsOpenHolds) {
  int64_t user = MakeUser("alice@example.com", 10'000);
  int64_t key = MakeKey(user, 1);
  HoldRequest gone_open = MakeHold("gone-open", user, key, 1'000);
  gone_open.owner = "aa11";
  HoldRequest gone_settled = MakeHold("gone-settled", user, key, 2'000);
  gone_settled.owner = "aa11";
  HoldRequest alive = MakeHold("alive", user, key, 3'000);
  alive.owner = "bb22";
  for (const auto& h : {gone_open, gone_settled, alive}) {
    ASSERT_EQ(store_->Hold(h, kNow).outcome, HoldOutcome::kHeld);
  }
  ASSERT_TRUE(store_->Settle("gone-settled", 500).ok());
  ASSERT_EQ(store_->Hold(MakeHold("nobody", user, key, 100), kNow).outcome, HoldOutcome::kHeld);
  EXPECT_EQ(Must(store_->HoldOwners()), (std::vector<std::string>{"aa11", "bb22"}));

  EXPECT_EQ(Must(store_->ReleaseHoldsOf("aa11")), 1);
  EXPECT_EQ(Must(store_->FindUserById(user))->balance, 10'000 - 500 - 3'000 - 100);
  EXPECT_EQ(Must(store_->HoldOwners()), (std::vector<std::string>{"bb22"}));
  EXPECT_EQ(Must(store_->ReleaseHoldsOf("aa11")), 0);
  EXPECT_TRUE(store_->Settle("alive", 1'200).ok());  // its owner finishes it as usual
  EXPECT_TRUE(Must(store_->HoldOwners()).empty());
  EXPECT_EQ(Must(store_->TotalSpent(user)), 500 + 1'200 + 100);
  ExpectBalanced(user);
}

// 8 threads x 50 holds of 1'000 against 100'000: exactly 100 may succeed. With `handles` > 1
// the threads share several independent handles (several processes on one database).
void RunConcurrentHolds(StoreTestDatabase& db, Store& main, int handles) {
  constexpr int kThreads = 8;
  constexpr int kHoldsPerThread = 50;
  Result<int64_t> user = main.CreateUser("race@example.com", "x", false);
  ASSERT_TRUE(user.ok());
  ASSERT_TRUE(main.Credit(*user, 100'000, "topup", "race", "").ok());
  ApiKey key;
  key.user_id = *user;
  key.name = "race";
  key.prefix = "sk";
  key.hash_hex = std::string(64, 'a');
  Result<int64_t> key_id = main.CreateKey(key);
  ASSERT_TRUE(key_id.ok());

  StoreHandles opened = OpenHandles(db, main, handles);
  ASSERT_EQ(opened.all.size(), static_cast<size_t>(handles));
  const std::vector<Store*>& stores = opened.all;
  std::atomic<int> held{0};
  std::atomic<int> refused{0};
  std::atomic<int> other{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      Store& store = *stores[t % stores.size()];
      for (int i = 0; i < kHoldsPerThread; ++i) {
        std::string id = "req-" + std::to_string(t) + "-" + std::to_string(i);
        switch (store.Hold(HoldRequest{id, *user, *key_id, 1'000}, kNow).outcome) {
          case HoldOutcome::kHeld:
            ++held;
            break;
          case HoldOutcome::kInsufficientBalance:
            ++refused;
            break;
          default:
            ++other;
            break;
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(held.load(), 100);
  EXPECT_EQ(refused.load(), kThreads * kHoldsPerThread - 100);
  EXPECT_EQ(other.load(), 0);
  EXPECT_EQ(Must(main.FindUserById(*user))->balance, 0);
  EXPECT_EQ(Must(main.LedgerSum(*user)), 0);
  EXPECT_EQ(Must(main.FindKeyById(*key_id))->usage, 100'000);
}

TEST_P(StoreConformanceTest, ConcurrentHoldsNeverOverspend) { RunConcurrentHolds(*db_, *store_, 1); }

TEST_P(StoreConformanceTest, ConcurrentHoldsFromTwoHandlesNeverOverspend) {
  if (!db_->SupportsSecondHandle()) GTEST_SKIP() << "database is private to one handle";
  RunConcurrentHolds(*db_, *store_, 2);
}

TEST_P(StoreConformanceTest, ConcurrentHoldsRespectTheKeyLimit) {
  int64_t user = MakeUser("alice@example.com", 1'000'000);
  int64_t key = MakeKey(user, 1, Micros{25'000});
  std::atomic<int> held{0};
  std::atomic<int> limited{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 20; ++i) {
        std::string id = "lim-" + std::to_string(t) + "-" + std::to_string(i);
        HoldOutcome outcome = store_->Hold(HoldRequest{id, user, key, 1'000}, kNow).outcome;
        if (outcome == HoldOutcome::kHeld) ++held;
        if (outcome == HoldOutcome::kKeyLimitReached) ++limited;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(held.load(), 25);
  EXPECT_EQ(limited.load(), 55);
  EXPECT_EQ(Must(store_->FindKeyById(key))->usage, 25'000);
  ExpectBalanced(user);
}

// Leases: a process sets credit aside for its in-memory holds; the database decides against the
// balance, the key's limit and every other process's leases.
TEST_P(StoreConformanceTest, LeasesShareTheBalanceAndTheKeyLimit) {
  int64_t user = MakeUser("alice@example.com", 10'000);
  int64_t key = MakeKey(user, 1, Micros{8'000});
  int64_t other_key = MakeKey(user, 2);

  LeaseResult a = store_->Lease({"proc-a", user, key, 1'000, 6'000}, kNow);
  EXPECT_EQ(a.outcome, HoldOutcome::kHeld);
  EXPECT_EQ(a.lease, 6'000);
  EXPECT_EQ(a.available, 10'000);
  // The key's limit (8'000) less proc-a's 6'000 leaves 2'000 for proc-b on this key.
  LeaseResult b = store_->Lease({"proc-b", user, key, 1'000, 5'000}, kNow);
  EXPECT_EQ(b.outcome, HoldOutcome::kHeld);
  EXPECT_EQ(b.lease, 2'000);
  EXPECT_EQ(store_->Lease({"proc-c", user, key, 1, 1}, kNow).outcome, HoldOutcome::kKeyLimitReached);
  // The balance (10'000) less both leases leaves 2'000 for another key of the user.
  LeaseResult c = store_->Lease({"proc-c", user, other_key, 2'000, 9'000}, kNow);
  EXPECT_EQ(c.outcome, HoldOutcome::kHeld);
  EXPECT_EQ(c.lease, 2'000);
  LeaseResult refused = store_->Lease({"proc-d", user, other_key, 1, 1}, kNow);
  EXPECT_EQ(refused.outcome, HoldOutcome::kInsufficientBalance);
  EXPECT_EQ(refused.available, 0);
  // A lease never shrinks below what its owner holds, and a refusal leaves it as it was.
  EXPECT_EQ(store_->Lease({"proc-a", user, key, 7'000, 7'000}, kNow).outcome, HoldOutcome::kKeyLimitReached);
  LeaseResult again = store_->Lease({"proc-a", user, key, 100, 100}, kNow);
  EXPECT_EQ(again.outcome, HoldOutcome::kHeld);
  EXPECT_EQ(again.lease, 6'000);
  // Leases are not ledger movements.
  EXPECT_EQ(Must(store_->FindUserById(user))->balance, 10'000);
  EXPECT_EQ(Must(store_->HoldOwners()), (std::vector<std::string>{"proc-a", "proc-b", "proc-c"}));
  // Nor can a database hold, or an admin's deduction, take what is leased.
  EXPECT_EQ(store_->Hold(MakeHold("db-hold", user, other_key, 1), kNow).outcome, HoldOutcome::kInsufficientBalance);
  EXPECT_EQ(store_->Hold(MakeHold("db-hold", user, key, 1), kNow).outcome, HoldOutcome::kKeyLimitReached);
  EXPECT_EQ(store_->Debit(user, 1, "d:1", "").error().code, ErrorCode::kConflict);
  ASSERT_TRUE(store_->ReturnLease("proc-c", other_key).ok());
  ASSERT_TRUE(store_->ReturnLease("proc-c", other_key).ok());  // none left: fine
  EXPECT_TRUE(store_->Debit(user, 2'000, "d:2", "").ok());
  EXPECT_EQ(Must(store_->ReleaseHoldsOf("proc-b")), 1);
  EXPECT_EQ(Must(store_->HoldOwners()), (std::vector<std::string>{"proc-a"}));
  ExpectBalanced(user);
}

TEST_P(StoreConformanceTest, LeasesCheckTheKey) {
  int64_t alice = MakeUser("alice@example.com", 10'000);
  int64_t bob = MakeUser("bob@example.com", 10'000);
  int64_t expired = MakeKey(alice, 1, std::nullopt, kNow);
  int64_t disabled = MakeKey(alice, 2);
  ASSERT_TRUE(store_->SetKeyDisabled(disabled, true).ok());
  int64_t bobs = MakeKey(bob, 3);
  EXPECT_EQ(store_->Lease({"p", alice, expired, 1, 1}, kNow).outcome, HoldOutcome::kKeyDisabled);
  EXPECT_EQ(store_->Lease({"p", alice, disabled, 1, 1}, kNow).outcome, HoldOutcome::kKeyDisabled);
  EXPECT_EQ(store_->Lease({"p", alice, bobs, 1, 1}, kNow).outcome, HoldOutcome::kKeyDisabled);
  EXPECT_EQ(store_->Lease({"", bob, bobs, 1, 1}, kNow).outcome, HoldOutcome::kFailed);
  EXPECT_EQ(store_->Lease({"p", bob, bobs, 2, 1}, kNow).outcome, HoldOutcome::kFailed);
}

// A charge moves the balance and the key's usage by the cost, lowers its process's lease by the
// same (what others may lease does not move), and reads in the ledger as a hold and a settle.
TEST_P(StoreConformanceTest, ChargeIsAHoldAndASettlementAtOnceAndIdempotent) {
  int64_t user = MakeUser("alice@example.com", 10'000);
  int64_t key = MakeKey(user, 1);
  ASSERT_EQ(store_->Lease({"proc", user, key, 3'000, 5'000}, kNow).outcome, HoldOutcome::kHeld);
  const ChargeRequest charge{"gen-1", user, key, 3'000, 1'200, "proc", kNow - 2};
  ASSERT_TRUE(store_->Charge(charge).ok());
  ASSERT_TRUE(store_->Charge(charge).ok());  // recorded once
  EXPECT_EQ(Must(store_->FindUserById(user))->balance, 8'800);
  EXPECT_EQ(Must(store_->FindKeyById(key))->usage, 1'200);
  EXPECT_EQ(Must(store_->TotalSpent(user)), 1'200);
  std::vector<LedgerEntry> ledger = Must(store_->ListLedger(user, 10));
  ASSERT_EQ(ledger.size(), 3u);
  EXPECT_EQ(ledger[0].kind, "settle");
  EXPECT_EQ(ledger[0].amount, 1'800);
  EXPECT_EQ(ledger[1].kind, "hold");
  EXPECT_EQ(ledger[1].amount, -3'000);
  EXPECT_EQ(ledger[1].request_id, "gen-1");
  EXPECT_EQ(ledger[1].created_at, kNow - 2);
  // The lease is now 3'800: with the balance at 8'800, another process may lease 5'000.
  LeaseResult other = store_->Lease({"other", user, key, 5'000, 9'000}, kNow);
  EXPECT_EQ(other.outcome, HoldOutcome::kHeld);
  EXPECT_EQ(other.lease, 5'000);
  EXPECT_EQ(store_->Charge({"gen-3", user, key, 100, -1, "proc", kNow}).error().code, ErrorCode::kBadRequest);
  ExpectBalanced(user);
}

// A provider that reports more than it was asked for is billed what it reports: the settle entry
// debits the excess, the balance and the key's usage move by the whole cost.
TEST_P(StoreConformanceTest, AChargeAboveItsHoldIsBilledInFullAndTheLedgerShowsTheExcess) {
  int64_t user = MakeUser("alice@example.com", 10'000);
  int64_t key = MakeKey(user, 1);
  ASSERT_EQ(store_->Lease({"proc", user, key, 1'000, 1'000}, kNow).outcome, HoldOutcome::kHeld);
  Status charged = store_->Charge({"gen-over", user, key, 100, 460, "proc", kNow});
  ASSERT_TRUE(charged.ok()) << charged.error().message;
  EXPECT_EQ(Must(store_->FindUserById(user))->balance, 9'540);
  EXPECT_EQ(Must(store_->FindKeyById(key))->usage, 460);
  EXPECT_EQ(Must(store_->TotalSpent(user)), 460);
  std::vector<LedgerEntry> ledger = Must(store_->ListLedger(user, 10));
  ASSERT_EQ(ledger.size(), 3u);
  EXPECT_EQ(ledger[0].kind, "settle");
  EXPECT_EQ(ledger[0].amount, -360);  // the excess over the hold, debited
  EXPECT_EQ(ledger[1].kind, "hold");
  EXPECT_EQ(ledger[1].amount, -100);
  ExpectBalanced(user);
}

// The settlement journal: a journaled request is durable at once and reaches the ledger and the
// log when applied — once, however often it is journaled or applied.
TEST_P(StoreConformanceTest, JournaledSettlementsApplyOnceIntoTheLedgerAndTheLog) {
  int64_t user = MakeUser("alice@example.com", 10'000);
  int64_t key = MakeKey(user, 1);
  ASSERT_EQ(store_->Lease({"proc", user, key, 3'000, 5'000}, kNow).outcome, HoldOutcome::kHeld);
  Settlement s;
  s.charge = ChargeRequest{"gen-j1", user, key, 3'000, 1'200, "proc", kNow};
  RequestLogRow row;
  row.request_id = "gen-j1";
  row.user_id = user;
  row.key_id = key;
  row.model_id = "m/one";
  row.cost = 1'200;
  row.http_status = 200;
  row.created_at = kNow * 1000;
  row.prices = {1, 2, 3, 4};
  row.attempts = {Attempt{"p", 200, "", 12}};
  s.row = row;
  s.key_id = key;
  s.used_at = kNow;
  ASSERT_TRUE(store_->Journal(s).ok());
  ASSERT_TRUE(store_->Journal(s).ok());  // a batch run twice journals twice
  EXPECT_EQ(Must(store_->FindUserById(user))->balance, 10'000) << "not applied yet";
  EXPECT_EQ(Must(store_->ApplyJournal(1)), 1) << "the oldest one";
  EXPECT_EQ(Must(store_->ApplyJournal()), 1);
  EXPECT_EQ(Must(store_->ApplyJournal()), 0);
  EXPECT_EQ(Must(store_->FindUserById(user))->balance, 8'800);
  EXPECT_EQ(Must(store_->FindKeyById(key))->usage, 1'200);
  auto logged = Must(store_->FindRequestLog("gen-j1"));
  ASSERT_TRUE(logged.has_value());
  EXPECT_EQ(logged->cost, 1'200);
  EXPECT_EQ(logged->prices.cache_write, 4);
  ASSERT_EQ(logged->attempts.size(), 1u);
  EXPECT_EQ(logged->attempts[0].latency_ms, 12);
  EXPECT_EQ(Must(store_->Activity({user, 0, INT64_MAX, "day"})).at(0).requests, 1);
  ExpectBalanced(user);
}

// A journaled settlement the ledger refuses is dropped alone; the others are applied.
TEST_P(StoreConformanceTest, AJournaledChargeThatFailsIsDroppedAlone) {
  int64_t user = MakeUser("alice@example.com", 10'000);
  int64_t key = MakeKey(user, 1);
  Settlement good;
  good.charge = ChargeRequest{"gen-ok", user, key, 500, 200, "", kNow};
  good.key_id = key;
  good.used_at = kNow;
  Settlement bad = good;
  bad.charge = ChargeRequest{"gen-bad", user, key, 100, -300, "", kNow};  // a negative cost
  Settlement after = good;
  after.charge->request_id = "gen-after";
  for (const auto& s : {good, bad, after}) ASSERT_TRUE(store_->Journal(s).ok());
  EXPECT_EQ(Must(store_->ApplyJournal()), 3);
  EXPECT_EQ(Must(store_->FindUserById(user))->balance, 10'000 - 200 - 200);
  EXPECT_EQ(Must(store_->ApplyJournal()), 0) << "the bad one is not retried forever";
  ExpectBalanced(user);
}

// Several processes leasing and charging one account at once never spend more than it holds.
TEST_P(StoreConformanceTest, ConcurrentLeasesAndChargesNeverOverspend) {
  if (!db_->SupportsSecondHandle()) GTEST_SKIP() << "database is private to one handle";
  int64_t user = MakeUser("race@example.com", 100'000);
  int64_t key = MakeKey(user, 1);
  StoreHandles opened = OpenHandles(*db_, *store_, 2);
  std::atomic<Micros> charged{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      Store& store = *opened.all[t % opened.all.size()];
      const std::string owner = "proc-" + std::to_string(t);
      // Until the account is spent: a refusal seen while the others hold leases is not that, so
      // the owner gives its own lease back and tries again; five refusals in a row, with no lease
      // of its own in the way, are. (A fixed number of rounds left money unspent when a thread
      // ran out of rounds before the others gave theirs back: 98,000 of 98,300 once.)
      int refused = 0;
      for (int i = 0; i < 1'000 && refused < 5; ++i) {
        // Hold 1'000 at a time, as a process with one request in flight would, and charge 700.
        if (store.Lease({owner, user, key, 1'000, 3'000}, kNow).outcome != HoldOutcome::kHeld) {
          ++refused;
          EXPECT_TRUE(store.ReturnLease(owner, key).ok());
          std::this_thread::sleep_for(std::chrono::milliseconds(2));
          continue;
        }
        refused = 0;
        std::string id = owner + "-" + std::to_string(i);
        if (store.Charge({id, user, key, 1'000, 700, owner, kNow}).ok()) charged += 700;
      }
      EXPECT_TRUE(store.ReturnLease(owner, key).ok());
    });
  }
  for (std::thread& thread : threads) thread.join();
  const Micros balance = Must(store_->FindUserById(user))->balance;
  EXPECT_GE(balance, 0);
  EXPECT_EQ(balance, 100'000 - charged.load());
  EXPECT_GE(charged.load(), 100'000 - 1'000 - 700) << "the account was spent down to what no hold fits";
  ExpectBalanced(user);
}

}  // namespace
}  // namespace turnpike::store
