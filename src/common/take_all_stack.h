// A list that any thread pushes onto and one thread takes whole: a Treiber stack with no pop of
// single items, so there is no ABA problem and no lock. The group committer's queue and each
// event loop's inbox of store-call resumptions are one (docs/architecture.md §5.3). `Node` has a
// member `Node* next`. Push and the take are sequentially consistent, so a taker that announces
// it is about to sleep and then looks at the list pairs with a pusher that pushes and then looks
// whether the taker sleeps: one of them sees the other.
#pragma once

#include <atomic>

namespace turnpike {

template <class Node>
class TakeAllStack {
 public:
  // Any thread. True when the list was empty before: no take is pending for what it holds now.
  bool Push(Node* node) {
    Node* old = head_.load(std::memory_order_relaxed);
    do {
      node->next = old;
    } while (!head_.compare_exchange_weak(old, node));
    return old == nullptr;
  }

  // Everything pushed so far, oldest first (linked by `next`); nullptr when empty.
  Node* TakeOldestFirst() {
    Node* newest_first = head_.exchange(nullptr);
    Node* oldest_first = nullptr;
    while (newest_first) {
      Node* next = newest_first->next;
      newest_first->next = oldest_first;
      oldest_first = newest_first;
      newest_first = next;
    }
    return oldest_first;
  }

  bool empty() const { return head_.load() == nullptr; }

 private:
  std::atomic<Node*> head_{nullptr};
};

}  // namespace turnpike
