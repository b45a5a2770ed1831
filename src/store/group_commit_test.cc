// GroupCommitter over the SQLite store: many callers' holds and settlements share transactions,
// a failing call undoes only itself, a batch that cannot commit loses nobody's call, and the
// money rules hold exactly as with one transaction per call.
#include "store/group_commit.h"

#include <gtest/gtest.h>

#include <atomic>
#include <latch>
#include <mutex>
#include <thread>
#include <vector>

#include "common/crypto.h"
#include "common/result_testing.h"
#include "store/store_testing.h"

namespace turnpike::store {
namespace {

constexpr int64_t kNow = 1'800'000'000;

class GroupCommitTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { ASSERT_TRUE(crypto::InitCrypto()); }

  void SetUp() override {
    store_ = MigratedMemoryStore();
    ASSERT_TRUE(store_);
    user_ = Must(store_->CreateUser("batch@example.com", "", false));
    ASSERT_TRUE(store_->Credit(user_, 100'000, "grant", "grant:test", "").ok());
    ApiKey key;
    key.user_id = user_;
    key.name = "k";
    key.prefix = "sk-tp-v1-aa";
    key.hash_hex = std::string(64, 'a');
    key_ = Must(store_->CreateKey(key));
  }

  // Submits a hold of `amount` and waits for it to be committed.
  HoldResult HoldAndWait(GroupCommitter& c, const std::string& id, Micros amount) {
    HoldResult result;
    std::latch done(1);
    c.Submit([&] { result = store_->Hold({id, user_, key_, amount}, kNow); }, [&] { done.count_down(); });
    done.wait();
    return result;
  }

  std::unique_ptr<Store> store_;
  int64_t user_ = 0;
  int64_t key_ = 0;
};

TEST_F(GroupCommitTest, ConcurrentHoldsShareTransactionsAndNeverOverspend) {
  GroupCommitter committer(*store_, {});
  constexpr int kThreads = 8, kEach = 50;  // 400 holds of 1,000 against 100,000: exactly 100 fit
  std::atomic<int> held{0}, refused{0}, other{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        auto r = HoldAndWait(committer, "req-" + std::to_string(t) + "-" + std::to_string(i), 1'000);
        (r.outcome == HoldOutcome::kHeld ? held : r.outcome == HoldOutcome::kInsufficientBalance ? refused : other)++;
      }
    });
  }
  for (auto& t : threads) t.join();
  committer.Stop();
  EXPECT_EQ(held.load(), 100);
  EXPECT_EQ(refused.load(), kThreads * kEach - 100);
  EXPECT_EQ(other.load(), 0);
  EXPECT_LT(committer.batches(), static_cast<uint64_t>(kThreads * kEach)) << "callers shared no transaction";
  auto user = Must(store_->FindUserById(user_));
  ASSERT_TRUE(user);
  EXPECT_EQ(user->balance, 0);
  EXPECT_EQ(Must(store_->LedgerSum(user_)), 0);
}

TEST_F(GroupCommitTest, AFailingCallUndoesOnlyItself) {
  GroupCommitter committer(*store_, {});
  ASSERT_EQ(HoldAndWait(committer, "dup", 500).outcome, HoldOutcome::kHeld);
  // One batch: a good settlement, a duplicate hold (refused), another good hold.
  Status settled = MakeError(ErrorCode::kInternal, "not run");
  HoldResult duplicate, fresh;
  std::latch done(3);
  committer.Submit([&] { settled = store_->Settle("dup", 200); }, [&] { done.count_down(); });
  committer.Submit([&] { duplicate = store_->Hold({"dup", user_, key_, 500}, kNow); }, [&] { done.count_down(); });
  committer.Submit([&] { fresh = store_->Hold({"fresh", user_, key_, 300}, kNow); }, [&] { done.count_down(); });
  done.wait();
  EXPECT_TRUE(settled.ok());
  EXPECT_EQ(duplicate.outcome, HoldOutcome::kDuplicate);
  EXPECT_EQ(fresh.outcome, HoldOutcome::kHeld);
  auto user = Must(store_->FindUserById(user_));
  ASSERT_TRUE(user);
  EXPECT_EQ(user->balance, 100'000 - 200 - 300);
  EXPECT_EQ(Must(store_->LedgerSum(user_)), user->balance);
}

// A Batch that never commits: the committer must still run every call (alone) before `done`.
class FailingBatch : public Batch {
 public:
  Status RunBatch(const std::function<void()>& calls, bool) override {
    calls();  // what they did is "rolled back": the committer runs them again
    return MakeError(ErrorCode::kInternal, "disk full");
  }
  Status Flush() override { return OkStatus(); }
};

TEST(GroupCommitFailureTest, CallsOfABatchThatCannotCommitRunAgainAlone) {
  FailingBatch db;
  GroupCommitter committer(db, {});
  std::atomic<int> runs{0}, dones{0};
  std::latch done(3);
  for (int i = 0; i < 3; ++i) {
    committer.Submit([&] { runs++; },
                     [&] {
                       dones++;
                       done.count_down();
                     });
  }
  done.wait();
  EXPECT_EQ(dones.load(), 3);
  EXPECT_GE(runs.load(), 6) << "each call once in the batch and once alone";
}

TEST(GroupCommitFailureTest, AfterStopACallRunsAtOnce) {
  FailingBatch db;
  GroupCommitter committer(db, {});
  committer.Stop();
  bool ran = false, finished = false;
  committer.Submit([&] { ran = true; }, [&] { finished = true; });
  EXPECT_TRUE(ran);
  EXPECT_TRUE(finished);
}

// A Batch that records how each transaction ends: flushed or not, housekeeping or calls.
class RecordingBatch : public Batch {
 public:
  Status RunBatch(const std::function<void()>& calls, bool flush) override {
    calls();
    std::lock_guard lock(mu);
    (flush ? flushed : unflushed)++;
    return OkStatus();
  }
  Status Flush() override {
    std::lock_guard lock(mu);
    explicit_flushes++;
    return OkStatus();
  }
  std::mutex mu;
  int flushed = 0, unflushed = 0, explicit_flushes = 0;
};

TEST(GroupCommitWindowTest, WithoutAWindowEveryBatchIsFlushed) {
  RecordingBatch db;
  {
    GroupCommitter committer(db, {});
    std::latch done(5);
    for (int i = 0; i < 5; ++i) committer.Submit([] {}, [&] { done.count_down(); });
    done.wait();
  }
  EXPECT_EQ(db.unflushed, 0);
  EXPECT_GE(db.flushed, 1);
}

TEST(GroupCommitWindowTest, WithAWindowAnIdleCommitterFlushesWithinIt) {
  RecordingBatch db;
  GroupCommitter::Options options;
  options.flush_interval = std::chrono::milliseconds(50);
  GroupCommitter committer(db, options);
  // The first batch finds the last flush (at start) younger than the window: not flushed.
  std::latch first(1);
  committer.Submit([] {}, [&] { first.count_down(); });
  first.wait();
  {
    std::lock_guard lock(db.mu);
    EXPECT_EQ(db.unflushed, 1);
    EXPECT_EQ(db.explicit_flushes, 0);
  }
  // Idle, the committer flushes it before the window ends (well within 2 s on any machine).
  for (int i = 0; i < 200; ++i) {
    {
      std::lock_guard lock(db.mu);
      if (db.explicit_flushes + db.flushed > 0) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  std::lock_guard lock(db.mu);
  EXPECT_EQ(db.explicit_flushes, 1);
}

TEST(GroupCommitWindowTest, HousekeepingFollowsBatchesInATransactionOfItsOwn) {
  RecordingBatch db;
  std::atomic<int> housekeeping{0};
  GroupCommitter::Options options;
  options.housekeeping = [&] {
    housekeeping++;
    return false;
  };
  options.housekeeping_interval = std::chrono::milliseconds(20);
  GroupCommitter committer(db, options);
  std::this_thread::sleep_for(std::chrono::milliseconds(60));
  EXPECT_EQ(housekeeping.load(), 0) << "nothing was committed: nothing to keep";
  std::latch done(1);
  committer.Submit([] {}, [&] { done.count_down(); });
  done.wait();
  for (int i = 0; i < 200 && housekeeping.load() == 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_EQ(housekeeping.load(), 1);
  std::this_thread::sleep_for(std::chrono::milliseconds(60));
  EXPECT_EQ(housekeeping.load(), 1) << "once per committed batch, not on a timer";
}

// The queue takes no lock: submitters push onto a list that the committer takes whole. Calls
// still run in the order each submitter queued them, none is lost or run twice, and a committer
// asleep is woken by the next call.
TEST(GroupCommitQueueTest, ManySubmittersLoseNothingAndKeepTheirOrder) {
  RecordingBatch db;
  GroupCommitter committer(db, {});
  constexpr int kThreads = 6, kEach = 5'000;
  std::vector<std::vector<int>> seen(kThreads);  // written by the committer's thread only
  std::atomic<int> dones{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        committer.Submit([&, t, i] { seen[t].push_back(i); }, [&] { dones++; });
        if (i % 1'000 == 0) std::this_thread::sleep_for(std::chrono::milliseconds(2));  // let it sleep
      }
    });
  }
  for (auto& t : threads) t.join();
  for (int i = 0; i < 500 && dones.load() < kThreads * kEach; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_EQ(dones.load(), kThreads * kEach) << "every call was told it is done, without Stop()";
  committer.Stop();
  for (int t = 0; t < kThreads; ++t) {
    ASSERT_EQ(seen[t].size(), static_cast<size_t>(kEach));
    for (int i = 0; i < kEach; ++i) ASSERT_EQ(seen[t][i], i) << "thread " << t << " out of order";
  }
}

TEST(GroupCommitQueueTest, CallsQueuedWhileStoppingAllRunOnce) {
  for (int round = 0; round < 20; ++round) {
    RecordingBatch db;
    auto committer = std::make_unique<GroupCommitter>(db, GroupCommitter::Options{});
    std::atomic<int> runs{0}, dones{0};
    std::atomic<bool> go{false};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&] {
        while (!go.load()) {
        }
        for (int i = 0; i < 500; ++i) committer->Submit([&] { runs++; }, [&] { dones++; });
      });
    }
    go = true;
    committer->Stop();  // races the submitters
    for (auto& t : threads) t.join();
    EXPECT_EQ(runs.load(), 2'000) << "round " << round;
    EXPECT_EQ(dones.load(), 2'000) << "round " << round;
  }
}

}  // namespace
}  // namespace turnpike::store
