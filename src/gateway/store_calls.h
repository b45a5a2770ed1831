// Private to gateway/: how a request's coroutine calls the store without its event loop ever
// waiting for the database. The call runs on a store thread (a read on the read pool, a write in
// the group committer's next transaction) and the coroutine resumes on its own loop, with the
// result, once the call is done (for a write: committed).
#pragma once

#include <atomic>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <functional>
#include <memory>
#include <optional>

#include "common/take_all_stack.h"

namespace turnpike::gateway {

// Runs `call` somewhere else and then `done` (both on the store thread).
using StoreSubmit = std::function<void(std::function<void()> call, std::function<void()> done)>;

// Resumptions handed from store threads to one event loop, without a lock per resumption: a
// list pushed by compare-and-swap, and one post to the loop (its scheduler's lock) only when the
// list was empty; the loop then runs everything on it, oldest first. So a group commit that
// finishes N requests of a loop takes that loop's lock once, not N times (docs/architecture.md
// §5.3). One per event-loop thread.
class LoopInbox {
 public:
  // The calling thread's inbox (the thread must be the loop's, running it).
  static LoopInbox& OfThisThread();
  // Any thread: runs `resume` on the loop that `loop` (a tracked executor of it) belongs to.
  void Push(const boost::asio::any_io_executor& loop, std::function<void()> resume);

 private:
  struct Item {
    std::function<void()> run;
    Item* next = nullptr;
  };
  void Drain();
  TakeAllStack<Item> items_;
};

// `call()` run through `submit`; the awaiting coroutine resumes on the loop it awaited from.
// `call` may run more than once (a write whose batch could not commit runs again alone): it must
// be safe to repeat, as every store write the gateway makes is (idempotent by request id).
// Both arguments are references to the caller's named objects, which outlive the await: g++ 12
// mishandles a temporary passed by value into a coroutine that suspends (it is destroyed twice).
// `committed` (may be null) runs on the store thread once the call is done, before the coroutine
// is resumed: for a write, after its transaction committed and before the next one begins, so
// that what it does follows the database exactly (AccountBook::Charged).
template <class R>
boost::asio::awaitable<R> OnStoreThread(const StoreSubmit& submit, const std::function<R()>& call,
                                        const std::function<void()>* committed = nullptr) {
  namespace asio = boost::asio;
  asio::any_io_executor loop = co_await asio::this_coro::executor;
  // Counted as outstanding work of the loop until the call is done, so a draining loop waits
  // for it instead of ending under it.
  asio::any_io_executor tracked = asio::prefer(loop, asio::execution::outstanding_work.tracked);
  auto result = std::make_shared<std::optional<R>>();
  // The initiation is a named object too, and the result leaves through a named `out`: passed as
  // temporaries, g++ 12 handed back corrupted results (tests: store_calls_test.cc).
  LoopInbox* inbox = &LoopInbox::OfThisThread();
  auto initiation = [&submit, &call, committed, tracked, result, inbox](auto handler) {
    auto resume = std::make_shared<decltype(handler)>(std::move(handler));
    submit([result, &call] { result->emplace(call()); },
           [committed, tracked, resume, inbox] {
             if (committed != nullptr) (*committed)();
             inbox->Push(tracked, [tracked, resume] { std::move (*resume)(); });
           });
  };
  co_await asio::async_initiate<const asio::use_awaitable_t<>&, void()>(initiation, asio::use_awaitable);
  R out = std::move(**result);
  co_return out;
}

}  // namespace turnpike::gateway
