// OnStoreThread: a call made on another thread hands its result back to the awaiting coroutine,
// on the coroutine's own loop.
#include "gateway/store_calls.h"

#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>
#include <thread>

#include "common/result.h"

namespace turnpike::gateway {
namespace {

namespace asio = boost::asio;

// Runs each call, then its `done`, on `pool`.
StoreSubmit PoolSubmit(asio::thread_pool& pool) {
  return [&pool](std::function<void()> call, std::function<void()> done) {
    asio::post(pool, [call = std::move(call), done = std::move(done)] {
      call();
      done();
    });
  };
}

struct Row {
  std::string text;
  int64_t n = 0;
};

TEST(OnStoreThreadTest, TheResultComesBackOnTheLoop) {
  asio::io_context loop;
  asio::thread_pool pool(1);
  StoreSubmit submit = PoolSubmit(pool);
  std::thread::id loop_thread, call_thread;
  Result<Row> got = MakeError(ErrorCode::kInternal, "not run");
  asio::co_spawn(
      loop,
      [&]() -> asio::awaitable<void> {
        loop_thread = std::this_thread::get_id();
        const std::function<Result<Row>()> call = [&]() -> Result<Row> {
          call_thread = std::this_thread::get_id();
          return Row{std::string(100, 'x'), 42};
        };
        Result<Row> r = co_await OnStoreThread(submit, call);
        EXPECT_EQ(std::this_thread::get_id(), loop_thread);
        got = std::move(r);
      },
      asio::detached);
  loop.run();
  pool.join();
  ASSERT_TRUE(got.ok()) << (got.ok() ? "" : got.error().message);
  EXPECT_EQ(got->text, std::string(100, 'x'));
  EXPECT_EQ(got->n, 42);
  EXPECT_NE(call_thread, loop_thread);
}

TEST(OnStoreThreadTest, TwoCallsInARowWithStringResults) {
  asio::io_context loop;
  asio::thread_pool pool(1);
  StoreSubmit submit = PoolSubmit(pool);
  Result<std::string> got = MakeError(ErrorCode::kInternal, "not run");
  asio::co_spawn(
      loop,
      [&]() -> asio::awaitable<void> {
        Result<Row> key = MakeError(ErrorCode::kUnauthorized, "x");
        const std::function<Result<Row>()> first = [] { return Result<Row>(Row{"k", 1}); };
        Result<Row> read = co_await OnStoreThread(submit, first);
        key = std::move(read);
        EXPECT_TRUE(key.ok());
        const std::function<Result<std::string>()> second = [&] { return Result<std::string>(key->text + "!"); };
        Result<std::string> body = co_await OnStoreThread(submit, second);
        got = std::move(body);
      },
      asio::detached);
  loop.run();
  pool.join();
  ASSERT_TRUE(got.ok()) << (got.ok() ? "" : got.error().message);
  EXPECT_EQ(*got, "k!");
}

// Many coroutines of one loop waiting on calls that end on other threads at once: every one
// resumes, on the loop's thread, with its own result, and the loop is posted to far fewer times
// than there are resumptions (they share drains of the loop's inbox).
TEST(OnStoreThreadTest, ManyResumptionsReachTheLoopThroughItsInbox) {
  asio::io_context loop;
  asio::thread_pool pool(3);
  StoreSubmit submit = PoolSubmit(pool);
  constexpr int kCoroutines = 2'000;
  std::atomic<int> resumed{0}, wrong{0};
  std::thread::id loop_thread;
  for (int i = 0; i < kCoroutines; ++i) {
    asio::co_spawn(
        loop,
        [&, i]() -> asio::awaitable<void> {
          loop_thread = std::this_thread::get_id();
          const std::function<int()> call = [i] { return i * 3; };
          int r = co_await OnStoreThread(submit, call);
          if (r != i * 3 || std::this_thread::get_id() != loop_thread) wrong++;
          resumed++;
        },
        asio::detached);
  }
  const size_t handlers = loop.run();
  pool.join();
  EXPECT_EQ(resumed.load(), kCoroutines);
  EXPECT_EQ(wrong.load(), 0);
  // One handler per coroutine's start, plus the drains; a post per resumption would make it two
  // per coroutine.
  EXPECT_LT(handlers, static_cast<size_t>(kCoroutines * 3 / 2)) << "each resumption was posted alone";
}

}  // namespace
}  // namespace turnpike::gateway
