#include "net/deadlines.h"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <memory>
#include <vector>

namespace turnpike::net {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// Runs `loop` until `done` or `limit` passes.
template <typename Pred>
void RunUntil(asio::io_context& loop, Pred done, std::chrono::milliseconds limit = 3s) {
  auto end = Clock::now() + limit;
  while (!done() && Clock::now() < end) {
    loop.restart();
    loop.run_for(5ms);
  }
}

TEST(DeadlineSweeper, FiresNotBeforeTheDeadlineAndWithinATick) {
  asio::io_context loop;
  auto& sweeper = DeadlineSweeper::For(loop);
  Clock::time_point fired{};
  Deadline d(sweeper, [&] { fired = Clock::now(); });
  auto start = Clock::now();
  d.ExpireAfter(250ms);
  EXPECT_TRUE(d.armed());
  EXPECT_TRUE(sweeper.ticking());
  RunUntil(loop, [&] { return fired != Clock::time_point{}; });
  ASSERT_NE(fired, Clock::time_point{});
  EXPECT_GE(fired - start, 250ms);
  EXPECT_LT(fired - start, 250ms + kSweepTick + 100ms);  // a tick late at most, plus scheduling slack
  EXPECT_FALSE(d.armed());
  // Nothing left to time: the tick timer stops after its next run.
  RunUntil(loop, [&] { return !sweeper.ticking(); });
  EXPECT_FALSE(sweeper.ticking());
  EXPECT_EQ(sweeper.timed(), 0);
}

TEST(DeadlineSweeper, DisarmedOrMovedDeadlinesDoNotFire) {
  asio::io_context loop;
  auto& sweeper = DeadlineSweeper::For(loop);
  int fired = 0;
  Deadline a(sweeper, [&] { ++fired; });
  Deadline b(sweeper, [&] { fired += 100; });
  a.ExpireAfter(50ms);
  a.Disarm();
  b.ExpireAfter(50ms);
  b.ExpireAfter(10s);  // moved later: no new timer, just a new integer
  EXPECT_EQ(sweeper.timed(), 1);
  loop.run_for(400ms);
  EXPECT_EQ(fired, 0);
  EXPECT_TRUE(b.armed());
}

TEST(DeadlineSweeper, CallbacksMayDestroyOtherEntriesAndRearmThemselves) {
  asio::io_context loop;
  auto& sweeper = DeadlineSweeper::For(loop);
  std::vector<std::unique_ptr<Deadline>> others;
  int others_fired = 0;
  for (int i = 0; i < 100; ++i) others.push_back(std::make_unique<Deadline>(sweeper, [&] { ++others_fired; }));
  int self_fired = 0;
  std::unique_ptr<Deadline> self;
  self = std::make_unique<Deadline>(sweeper, [&] {
    if (++self_fired == 1) {
      others.clear();            // every other due entry goes away mid-sweep
      self->ExpireAfter(100ms);  // and this one comes back once more
    }
  });
  // `self` is linked first, so the sweep reaches it before the others.
  self->ExpireAfter(10ms);
  for (auto& o : others) o->ExpireAfter(10ms);
  RunUntil(loop, [&] { return self_fired == 2; });
  EXPECT_EQ(self_fired, 2);
  EXPECT_EQ(others_fired, 0);
  EXPECT_EQ(sweeper.timed(), 0);
}

TEST(DeadlineSweeper, OnlyDueEntriesFire) {
  asio::io_context loop;
  auto& sweeper = DeadlineSweeper::For(loop);
  std::vector<int> fired(1000, 0);
  std::vector<std::unique_ptr<Deadline>> entries;
  for (int i = 0; i < 1000; ++i) {
    entries.push_back(std::make_unique<Deadline>(sweeper, [&fired, i] { ++fired[static_cast<size_t>(i)]; }));
    entries.back()->ExpireAfter(i % 2 ? 10ms : 60s);
  }
  RunUntil(loop, [&] { return sweeper.timed() == 500; });
  loop.run_for(2 * kSweepTick);
  for (int i = 0; i < 1000; ++i) EXPECT_EQ(fired[static_cast<size_t>(i)], i % 2) << i;
}

TEST(Waiter, WakeResumesAtOnceAndTheDeadlineReportsFalse) {
  asio::io_context loop;
  auto& sweeper = DeadlineSweeper::For(loop);
  Waiter waiter(sweeper);
  std::vector<bool> results;
  Clock::duration timed_out_after{};
  asio::co_spawn(
      loop,
      [&]() -> asio::awaitable<void> {
        results.push_back(co_await waiter.Wait(Clock::now() + 10s));  // woken below
        results.push_back(co_await waiter.Wait());                    // no deadline; woken below
        auto start = Clock::now();
        results.push_back(co_await waiter.Wait(start + 150ms));  // nobody wakes it
        timed_out_after = Clock::now() - start;
        results.push_back(co_await waiter.Wait(start));  // already past
      },
      asio::detached);
  loop.poll();
  ASSERT_TRUE(waiter.waiting());
  waiter.Wake();
  EXPECT_FALSE(waiter.waiting());
  loop.poll();
  ASSERT_TRUE(waiter.waiting());
  waiter.Wake();
  waiter.Wake();  // nobody waits: lost, by design
  RunUntil(loop, [&] { return results.size() == 4; });
  ASSERT_EQ(results, (std::vector<bool>{true, true, false, false}));
  EXPECT_GE(timed_out_after, 150ms);
  EXPECT_LT(timed_out_after, 150ms + kSweepTick + 100ms);
}

TEST(Waiter, APendingWaitIsDestroyedWithItsLoop) {
  struct Guard {
    bool* destroyed;
    ~Guard() { *destroyed = true; }
  };
  bool destroyed = false;
  bool resumed = false;
  {
    asio::io_context loop;
    auto holder = std::make_shared<Waiter>(DeadlineSweeper::For(loop));
    asio::co_spawn(
        loop,
        [&, holder]() -> asio::awaitable<void> {
          Guard g{&destroyed};
          co_await holder->Wait();
          resumed = true;
        },
        asio::detached);
    loop.poll();
    EXPECT_TRUE(holder->waiting());
    // The coroutine owns the waiter too; dropping this reference leaves a cycle only the loop's
    // shutdown breaks.
  }
  EXPECT_TRUE(destroyed);
  EXPECT_FALSE(resumed);
}

TEST(DeadlineSweeper, EntriesOutliveTheirLoopInertly) {
  std::unique_ptr<Deadline> d;
  {
    asio::io_context loop;
    d = std::make_unique<Deadline>(DeadlineSweeper::For(loop), [] {});
    d->ExpireAfter(1s);
  }
  EXPECT_FALSE(d->armed());
  d->ExpireAfter(1s);  // no sweeper: stays disarmed
  EXPECT_FALSE(d->armed());
}

}  // namespace
}  // namespace turnpike::net
