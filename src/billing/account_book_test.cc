// The in-memory holds of one process: a request holds from its key's lease only while the lease
// is fresh and has room; everything else goes back to the database.
#include "billing/account_book.h"

#include <gtest/gtest.h>

#include <thread>

namespace turnpike::billing {
namespace {

using namespace std::chrono_literals;
using Clock = AccountBook::Clock;

// A lease granted and its transaction committed at once.
bool Grant(AccountBook& book, int64_t key, money::Micros lease, money::Micros amount, Clock::time_point t) {
  uint64_t ticket = 0;
  bool reserved = book.Leased(key, lease, amount, t, &ticket);
  book.Confirm(key, ticket);
  return reserved;
}

TEST(AccountBookTest, NothingIsHeldWithoutALease) {
  AccountBook book;
  EXPECT_FALSE(book.TryReserve(1, 10, Clock::now()));
  EXPECT_FALSE(book.TryReserve(1, 0, Clock::now()));
  EXPECT_EQ(book.Reserved(1), 0);
}

TEST(AccountBookTest, HoldsFromAFreshLeaseUpToItsAmount) {
  AccountBook book({.lease_ttl = 1000ms, .spare_holds = 8});
  const auto t = Clock::now();
  AccountBook::Ask ask = book.AskFor(7, 100);
  EXPECT_EQ(ask.need, 100);
  EXPECT_EQ(ask.want, 900);  // room for eight more like it
  ASSERT_TRUE(Grant(book, 7, 300, 100, t));
  EXPECT_TRUE(book.TryReserve(7, 100, t));
  EXPECT_TRUE(book.TryReserve(7, 100, t));
  EXPECT_FALSE(book.TryReserve(7, 1, t)) << "the lease is used up";
  EXPECT_EQ(book.Reserved(7), 300);
  EXPECT_EQ(book.AskFor(7, 50).need, 350);
  EXPECT_FALSE(book.TryReserve(8, 1, t)) << "another key has no lease";
}

// A key busier than spare_holds asks for twice what its last lease carried: its lease doubles until
// it lasts, so that it asks the database a few times a second, not once per eight requests.
TEST(AccountBookTest, ABusyKeysLeaseGrowsWithWhatItCarried) {
  AccountBook book({.lease_ttl = 1000ms, .spare_holds = 2});
  const auto t = Clock::now();
  ASSERT_TRUE(Grant(book, 7, 300, 100, t));
  ASSERT_TRUE(book.TryReserve(7, 100, t));
  book.Release(7, 100, 100);  // one ended, charged in full
  ASSERT_TRUE(book.TryReserve(7, 100, t));
  EXPECT_FALSE(book.TryReserve(7, 100, t)) << "300 held of a lease of 300";
  AccountBook::Ask ask = book.AskFor(7, 100);
  EXPECT_EQ(ask.need, 300);            // 200 in flight and this one
  EXPECT_EQ(ask.want, 300 + 2 * 300);  // twice the 300 the lease carried, more than 2 × 100
  ASSERT_TRUE(Grant(book, 7, 900, 100, t));
  EXPECT_EQ(book.AskFor(7, 100).want, 400 + 2 * 100) << "the new lease has carried only the one hold so far";
}

// The event loops hold from a new lease only once the transaction that granted it committed:
// until then (and for good, if it rolled back and a later grant replaced it) the lease is not theirs.
TEST(AccountBookTest, OthersHoldFromALeaseOnlyOnceItsGrantCommitted) {
  AccountBook book({.lease_ttl = 1000ms, .spare_holds = 8});
  const auto t = Clock::now();
  uint64_t first = 0;
  ASSERT_TRUE(book.Leased(7, 1'000, 100, t, &first));
  EXPECT_FALSE(book.TryReserve(7, 100, t)) << "not committed yet";
  uint64_t second = 0;
  book.Unreserve(7, 100);  // the batch failed: its call runs again alone and is granted anew
  ASSERT_TRUE(book.Leased(7, 600, 100, t, &second));
  book.Confirm(7, first);
  EXPECT_FALSE(book.TryReserve(7, 100, t)) << "the first grant's confirmation is for a lease since replaced";
  book.Confirm(7, second);
  EXPECT_TRUE(book.TryReserve(7, 100, t));
  EXPECT_FALSE(book.TryReserve(7, 100, t + 1000ms)) << "fresh for lease_ttl after the grant";
}

TEST(AccountBookTest, AStaleLeaseHoldsNothing) {
  AccountBook book({.lease_ttl = 1000ms, .spare_holds = 8});
  const auto t = Clock::now();
  ASSERT_TRUE(Grant(book, 7, 1'000, 0, t));
  EXPECT_TRUE(book.TryReserve(7, 10, t + 999ms));
  EXPECT_FALSE(book.TryReserve(7, 10, t + 1000ms));
  ASSERT_TRUE(Grant(book, 7, 1'000, 10, t + 1000ms));
  book.Invalidate(7);
  EXPECT_FALSE(book.TryReserve(7, 10, t + 1001ms));
}

TEST(AccountBookTest, InvalidateAllMakesEveryLeaseStale) {
  AccountBook book({.lease_ttl = 1000ms, .spare_holds = 8});
  const auto t = Clock::now();
  ASSERT_TRUE(Grant(book, 7, 1'000, 0, t));
  ASSERT_TRUE(Grant(book, 8, 1'000, 0, t));
  book.InvalidateAll();
  EXPECT_FALSE(book.TryReserve(7, 10, t + 1ms));
  EXPECT_FALSE(book.TryReserve(8, 10, t + 1ms));
  ASSERT_TRUE(Grant(book, 7, 1'000, 10, t + 2ms)) << "asking the database again makes it fresh";
  EXPECT_TRUE(book.TryReserve(7, 10, t + 3ms));
}

TEST(AccountBookTest, ALeaseThatDoesNotCoverWhatIsHeldReservesNothing) {
  AccountBook book;
  const auto t = Clock::now();
  ASSERT_TRUE(Grant(book, 7, 100, 100, t));
  EXPECT_FALSE(Grant(book, 7, 150, 100, t)) << "100 held + 100 asked > 150";
  EXPECT_EQ(book.Reserved(7), 100);
}

TEST(AccountBookTest, AChargeShrinksTheLeaseAndFreesTheHold) {
  AccountBook book;
  const auto t = Clock::now();
  ASSERT_TRUE(Grant(book, 7, 1'000, 400, t));
  book.Release(7, 400, 30);
  EXPECT_EQ(book.Reserved(7), 0);
  EXPECT_TRUE(book.TryReserve(7, 970, t));
  EXPECT_FALSE(book.TryReserve(7, 1, t)) << "30 of the lease was spent";
  book.Unreserve(7, 970);
  EXPECT_EQ(book.Reserved(7), 0);
}

// A charge written in a transaction not yet committed keeps its hold, so that a lease asked for
// meanwhile (or after the transaction failed and its calls ran again) still counts its money; once
// committed, the lease shrinks by the charge unless the database granted a new lease since, which
// was net of it (docs/architecture.md §4.11).
TEST(AccountBookTest, AChargeEndsItsHoldOnlyOnceCommitted) {
  AccountBook book;
  const auto t = Clock::now();
  ASSERT_TRUE(Grant(book, 7, 1'000, 400, t));
  const uint64_t mark = book.Mark(7);
  EXPECT_NE(mark, 0u);
  // Written, not committed: a lease asked for now must still cover the 400.
  EXPECT_EQ(book.AskFor(7, 100).need, 500);
  book.Charged(7, 400, 30, mark);
  EXPECT_EQ(book.Reserved(7), 0);
  EXPECT_TRUE(book.TryReserve(7, 970, t));
  EXPECT_FALSE(book.TryReserve(7, 1, t)) << "30 of the lease was spent";
}

TEST(AccountBookTest, AChargeCommittedAfterANewLeaseDoesNotShrinkItAgain) {
  AccountBook book;
  const auto t = Clock::now();
  ASSERT_TRUE(Grant(book, 7, 1'000, 400, t));
  const uint64_t mark = book.Mark(7);
  // The same transaction applies the journal, the charge of 30 included, and leases: 970 of the
  // old lease is left, and 100 more are granted.
  ASSERT_TRUE(Grant(book, 7, 1'070, 100, t));
  EXPECT_NE(book.Mark(7), mark);
  book.Charged(7, 400, 30, mark);
  EXPECT_EQ(book.Reserved(7), 100);
  EXPECT_TRUE(book.TryReserve(7, 970, t));
  EXPECT_FALSE(book.TryReserve(7, 1, t));
}

TEST(AccountBookTest, ALeaseTakenBackAndGrantedAgainHasANewMark) {
  AccountBook book({.lease_ttl = 1000ms, .spare_holds = 8});
  const auto t = Clock::now();
  ASSERT_TRUE(Grant(book, 1, 500, 0, t));
  ASSERT_TRUE(Grant(book, 2, 500, 0, t));
  const uint64_t first = book.Mark(1);
  EXPECT_NE(first, book.Mark(2)) << "marks are not per key";
  ASSERT_EQ(book.TakeIdle(t + 1000ms).size(), 2u);
  EXPECT_EQ(book.Mark(1), 0u);
  ASSERT_TRUE(Grant(book, 1, 500, 0, t + 1000ms));
  EXPECT_NE(book.Mark(1), first);
}

TEST(AccountBookTest, IdleStaleLeasesAreTakenBack) {
  AccountBook book({.lease_ttl = 1000ms, .spare_holds = 8});
  const auto t = Clock::now();
  ASSERT_TRUE(Grant(book, 1, 500, 0, t));    // idle, will be stale
  ASSERT_TRUE(Grant(book, 2, 500, 100, t));  // a request in flight
  ASSERT_TRUE(Grant(book, 3, 0, 0, t));      // nothing leased
  EXPECT_FALSE(book.HasIdle(t + 500ms));
  EXPECT_TRUE(book.TakeIdle(t + 500ms).empty()) << "still fresh";
  EXPECT_TRUE(book.HasIdle(t + 1000ms));
  EXPECT_EQ(book.TakeIdle(t + 1000ms), std::vector<int64_t>{1});
  EXPECT_EQ(book.size(), 1u) << "only the key with a hold stays";
  EXPECT_FALSE(book.HasIdle(t + 1000ms));
  EXPECT_EQ(book.Reserved(2), 100);
}

// Many threads holding from one lease never hold more than it, whatever the interleaving.
TEST(AccountBookTest, ConcurrentHoldsNeverExceedTheLease) {
  AccountBook book({.lease_ttl = 60'000ms, .spare_holds = 8});
  const auto t = Clock::now();
  ASSERT_TRUE(Grant(book, 5, 10'000, 0, t));
  std::atomic<int> held{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&] {
      for (int j = 0; j < 1'000; ++j) {
        if (book.TryReserve(5, 7, t)) held.fetch_add(1);
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(held.load(), 10'000 / 7);
  EXPECT_EQ(book.Reserved(5), (10'000 / 7) * 7);
}

}  // namespace
}  // namespace turnpike::billing
