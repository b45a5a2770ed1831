#include "gateway/store_calls.h"

namespace turnpike::gateway {

LoopInbox& LoopInbox::OfThisThread() {
  // Lives as long as the thread; a loop's thread outlives every resumption it is owed, because
  // each carries a tracked executor that keeps the loop running until it has run.
  thread_local LoopInbox inbox;
  return inbox;
}

void LoopInbox::Push(const boost::asio::any_io_executor& loop, std::function<void()> resume) {
  // The list was empty: no drain is pending, so this push posts one. A push onto a non-empty list
  // is taken by the drain that the first push onto the empty list posted.
  if (items_.Push(new Item{std::move(resume)})) boost::asio::post(loop, [this] { Drain(); });
}

void LoopInbox::Drain() {
  Item* oldest_first = items_.TakeOldestFirst();
  while (oldest_first) {
    Item* item = oldest_first;
    oldest_first = item->next;
    item->run();
    delete item;
  }
}

}  // namespace turnpike::gateway
