#include "net/deadlines.h"

#include <boost/asio/post.hpp>

namespace turnpike::net {

namespace detail {

struct SweeperCore {
  // A sweep moves this node along the list, so the callbacks it runs can unlink or destroy any
  // entry without invalidating its position. It never has a deadline.
  struct Cursor final : DeadlineEntry {
    explicit Cursor(DeadlineSweeper& s) : DeadlineEntry(s) {}
    void Expired() override {}
  };

  DeadlineSweeper* sweeper = nullptr;  // null once the loop is shutting down or gone
  DeadlineEntry* head = nullptr;       // every linked entry, in no order
  DeadlineEntry* tail = nullptr;
  int64_t timed = 0;  // linked entries with a deadline
  bool ticking = false;

  void InsertAfter(DeadlineEntry& e, DeadlineEntry* pos) {  // pos null: at the head
    e.prev_ = pos;
    e.next_ = pos ? pos->next_ : head;
    if (e.next_) {
      e.next_->prev_ = &e;
    } else {
      tail = &e;
    }
    if (pos) {
      pos->next_ = &e;
    } else {
      head = &e;
    }
    e.linked_ = true;
  }

  void Unlink(DeadlineEntry& e) {
    if (e.prev_) {
      e.prev_->next_ = e.next_;
    } else {
      head = e.next_;
    }
    if (e.next_) {
      e.next_->prev_ = e.prev_;
    } else {
      tail = e.prev_;
    }
    e.prev_ = e.next_ = nullptr;
    e.linked_ = false;
  }

  void Timed(int64_t delta) {
    timed += delta;
    if (timed > 0 && !ticking && sweeper) sweeper->StartTicking();
  }

  void Sweep(DeadlineEntry& cursor) {
    if (timed == 0) return;
    const SteadyTime now = std::chrono::steady_clock::now();
    InsertAfter(cursor, nullptr);
    while (DeadlineEntry* e = cursor.next_) {
      Unlink(cursor);
      InsertAfter(cursor, e);
      // Entries linked meanwhile go to the tail, after the cursor, so this sweep looks at them
      // too: harmless, their deadlines are in the future.
      if (e->due_ <= now) {
        e->Unlink();
        e->Expired();
      }
    }
    Unlink(cursor);
  }
};

}  // namespace detail

// --- DeadlineEntry ---

DeadlineEntry::DeadlineEntry(DeadlineSweeper& sweeper) : core_(sweeper.core_) {}

DeadlineEntry::~DeadlineEntry() { Unlink(); }

bool DeadlineEntry::live() const { return core_->sweeper != nullptr; }

void DeadlineEntry::ExpireAt(SteadyTime due) {
  if (due == kNever || !live()) {
    Disarm();
    return;
  }
  if (!linked_) core_->InsertAfter(*this, core_->tail);
  bool was_timed = due_ != kNever;
  due_ = due;
  if (!was_timed) core_->Timed(+1);
}

void DeadlineEntry::Disarm() {
  if (due_ != kNever) Unlink();
}

void DeadlineEntry::LinkUntimed() {
  if (due_ != kNever) {
    due_ = kNever;
    core_->Timed(-1);
  }
  if (!linked_ && live()) core_->InsertAfter(*this, core_->tail);
}

void DeadlineEntry::Unlink() {
  if (due_ != kNever) {
    due_ = kNever;
    core_->Timed(-1);
  }
  if (linked_) core_->Unlink(*this);
}

// --- DeadlineSweeper ---

asio::execution_context::id DeadlineSweeper::id;

DeadlineSweeper::DeadlineSweeper(asio::execution_context& context)
    : asio::execution_context::service(context),
      loop_(static_cast<asio::io_context&>(context)),
      tick_(loop_),
      core_(std::make_shared<detail::SweeperCore>()) {
  core_->sweeper = this;
}

DeadlineSweeper::~DeadlineSweeper() { core_->sweeper = nullptr; }

bool DeadlineSweeper::ticking() const { return core_->ticking; }
int64_t DeadlineSweeper::timed() const { return core_->timed; }

void DeadlineSweeper::shutdown() {
  core_->sweeper = nullptr;
  tick_.cancel();
  // Each entry is unlinked before its Shutdown() runs, which may destroy other entries (a
  // coroutine frame owning them): those unlink themselves, so always restart from the head.
  while (DeadlineEntry* e = core_->head) {
    e->Unlink();
    e->Shutdown();
  }
}

void DeadlineSweeper::StartTicking() {
  core_->ticking = true;
  tick_.expires_after(kSweepTick);
  tick_.async_wait([this](boost::system::error_code ec) {
    auto& core = *core_;
    if (ec) {  // cancelled: the loop is shutting down
      core.ticking = false;
      return;
    }
    // Still "ticking" while the sweep runs, so deadlines its callbacks set do not start the
    // timer a second time.
    detail::SweeperCore::Cursor cursor(*this);
    core.Sweep(cursor);
    core.ticking = false;
    // With nothing left to time, the loop sleeps until a deadline is set again.
    if (core.timed > 0 && core.sweeper) StartTicking();
  });
}

// --- Waiter ---

Waiter::~Waiter() {
  // A wait still pending here has no one left to resume it: it is dropped, not resumed into a
  // destroyed object.
  handler_ = nullptr;
}

void Waiter::Start(asio::any_completion_handler<void(bool)> handler, SteadyTime deadline) {
  // swap, not move-assignment: Boost 1.81's any_completion_handler::operator=(&&) recurses.
  handler.swap(handler_);
  if (deadline == kNever) {
    LinkUntimed();
  } else if (deadline <= std::chrono::steady_clock::now()) {
    Complete(false);
  } else {
    ExpireAt(deadline);
  }
}

void Waiter::Complete(bool woken) {
  if (!handler_ || !live()) return;
  Unlink();
  asio::any_completion_handler<void(bool)> handler(std::move(handler_));
  asio::post(executor_, [handler = std::move(handler), woken]() mutable { std::move(handler)(woken); });
}

void Waiter::Shutdown() {
  // Moved out first: destroying a coroutine frame may destroy *this.
  asio::any_completion_handler<void(bool)> handler(std::move(handler_));
}

}  // namespace turnpike::net
