// Coarse timeouts on an event loop, without a timer per connection or per call.
//
// Arming an asio timer on Linux costs a timerfd_settime syscall whenever it becomes the loop's
// earliest timer, and re-arming one per I/O operation (read timeout, write timeout, keep-alive,
// a coroutine's wake-up) cost several such syscalls per request. Here each loop has one
// DeadlineSweeper: a single steady_timer that ticks every kSweepTick while some deadline is set,
// and on each tick expires what is due. Setting, moving or clearing a deadline writes an integer
// and links or unlinks an intrusive list node: no syscall, no allocation.
//
// The price is precision: a deadline fires between its time and one tick later, never before.
// Timeouts measured in seconds keep their meaning; anything that needs millisecond precision
// should use a real timer.
//
// Everything here belongs to one loop: use it only from that loop's thread (constructing an
// entry elsewhere is fine: it links itself only when armed).
#pragma once

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>

namespace turnpike::net {

namespace asio = boost::asio;

using SteadyTime = std::chrono::steady_clock::time_point;
inline constexpr SteadyTime kNever = SteadyTime::max();
inline constexpr std::chrono::milliseconds kSweepTick{100};

class DeadlineSweeper;
class DeadlineEntry;

namespace detail {
// What entries link into. Owned jointly by the loop's DeadlineSweeper and every entry made for
// that loop, so an entry that outlives its loop (destroyed after it, or made on one thread for
// another loop's use) never points at freed memory: it finds the sweeper gone and stays inert.
struct SweeperCore;
}  // namespace detail

// Something with at most one deadline on one loop. The sweeper calls Expired() once the deadline
// has passed, having cleared it first, so Expired() may set a new one.
class DeadlineEntry {
 public:
  explicit DeadlineEntry(DeadlineSweeper& sweeper);
  DeadlineEntry(const DeadlineEntry&) = delete;
  DeadlineEntry& operator=(const DeadlineEntry&) = delete;
  virtual ~DeadlineEntry();

  void ExpireAt(SteadyTime due);
  void ExpireAfter(std::chrono::milliseconds d) { ExpireAt(std::chrono::steady_clock::now() + d); }
  void Disarm();
  bool armed() const { return due_ != kNever; }
  SteadyTime due() const { return due_; }

 protected:
  virtual void Expired() = 0;
  // The loop is being destroyed while this entry is linked: drop whatever would resume work
  // (asio destroys pending handlers the same way). The entry is already unlinked.
  virtual void Shutdown() {}
  // Linked with no deadline: kept only so that Shutdown() reaches it.
  void LinkUntimed();
  void Unlink();
  // False once the loop is shutting down or gone.
  bool live() const;

 private:
  friend class DeadlineSweeper;
  friend struct detail::SweeperCore;
  std::shared_ptr<detail::SweeperCore> core_;
  DeadlineEntry* prev_ = nullptr;
  DeadlineEntry* next_ = nullptr;
  SteadyTime due_ = kNever;
  bool linked_ = false;
};

// One per io_context, found with For(); an asio service, so it lives exactly as long as its loop.
class DeadlineSweeper : public asio::execution_context::service {
 public:
  using key_type = DeadlineSweeper;
  static asio::execution_context::id id;

  explicit DeadlineSweeper(asio::execution_context& context);
  ~DeadlineSweeper() override;

  static DeadlineSweeper& For(asio::io_context& loop) { return asio::use_service<DeadlineSweeper>(loop); }

  asio::io_context& loop() { return loop_; }
  // Whether the tick timer is running (it stops once no deadline is set). For tests.
  bool ticking() const;
  // Entries with a deadline set now.
  int64_t timed() const;

 private:
  friend class DeadlineEntry;
  friend struct detail::SweeperCore;
  void shutdown() override;
  void StartTicking();

  asio::io_context& loop_;
  asio::steady_timer tick_;
  std::shared_ptr<detail::SweeperCore> core_;
};

// A deadline that runs a callback on expiry.
class Deadline final : public DeadlineEntry {
 public:
  Deadline(DeadlineSweeper& sweeper, std::function<void()> on_expiry)
      : DeadlineEntry(sweeper), on_expiry_(std::move(on_expiry)) {}

 private:
  void Expired() override { on_expiry_(); }
  std::function<void()> on_expiry_;
};

// A coroutine's wake-up with an optional coarse deadline. Wait() suspends until Wake() (true) or
// the deadline (false); the resumption is posted, never run inside Wake(), so Wake() is safe to
// call from callbacks (libcurl's) that must not re-enter their caller. A Wake() with nobody
// waiting is lost: check the condition before waiting, as with a condition variable (the loop
// is single-threaded, so nothing can change between the check and the wait). One wait at a time.
class Waiter final : private DeadlineEntry {
 public:
  explicit Waiter(DeadlineSweeper& sweeper) : DeadlineEntry(sweeper), executor_(sweeper.loop().get_executor()) {}
  ~Waiter() override;

  asio::awaitable<bool> Wait(SteadyTime deadline = kNever) {
    return asio::async_initiate<decltype(asio::use_awaitable), void(bool)>(
        [this, deadline](auto handler) { Start(std::move(handler), deadline); }, asio::use_awaitable);
  }
  void Wake() { Complete(true); }
  bool waiting() const { return static_cast<bool>(handler_); }

 private:
  void Start(asio::any_completion_handler<void(bool)> handler, SteadyTime deadline);
  void Complete(bool woken);
  void Expired() override { Complete(false); }
  void Shutdown() override;

  asio::io_context::executor_type executor_;
  asio::any_completion_handler<void(bool)> handler_;
};

}  // namespace turnpike::net
