#include "gateway/store_calls.h"

namespace turnpike::gateway {

LoopInbox& LoopInbox::OfThisThread() {
  // Lives as long as the thread; a loop's thread outlives every resumption it is owed, because
  // each carries a tracked executor that keeps the loop running until it has run.
  thread_local LoopInbox inbox;
  return inbox;
}

void LoopInbox::Push(const boost::asio::any_io_executor& loop, std::function<void()> resume) {
  auto* item = new Item{std::move(resume)};
  Item* old = head_.load(std::memory_order_relaxed);
  do {
    item->next = old;
  } while (!head_.compare_exchange_weak(old, item, std::memory_order_release, std::memory_order_relaxed));
  // The list was empty: no drain is pending, so this push posts one. A push onto a non-empty list
  // is taken by the drain that the first push onto the empty list posted.
  if (old == nullptr) boost::asio::post(loop, [this] { Drain(); });
}

void LoopInbox::Drain() {
  Item* newest_first = head_.exchange(nullptr, std::memory_order_acquire);
  Item* oldest_first = nullptr;
  while (newest_first) {
    Item* next = newest_first->next;
    newest_first->next = oldest_first;
    oldest_first = newest_first;
    newest_first = next;
  }
  while (oldest_first) {
    Item* item = oldest_first;
    oldest_first = item->next;
    item->run();
    delete item;
  }
}

}  // namespace turnpike::gateway
