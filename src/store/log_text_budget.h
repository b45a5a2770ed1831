// LogTextBudget: the bound, in bytes, on the request-log text that waits in memory to be written
// (docs/architecture.md, "Request-log retention"). A row's text takes its bytes when the gateway
// builds the row and gives them back when the row's last copy is gone: written, or dropped. What
// waits — in the group committer's queue, in a request retrying its charge, in the gateway's
// backlog of unwritten settlements — is bounded by bytes, not rows. Thread-safe.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>

namespace turnpike::store {

class LogTextBudget {
 public:
  // `max_bytes` 0: unbounded (Take always succeeds, and still counts).
  explicit LogTextBudget(int64_t max_bytes = 64 << 20);

  void set_max_bytes(int64_t max_bytes);
  int64_t max_bytes() const;

  // Takes `bytes` from the budget until the returned hold (and every copy of it) is destroyed,
  // on any thread. Null when they do not fit: counted in refused(), and logged at most once a
  // minute with how many were refused since. `past_bound`: taken even when they do not fit (the
  // small part of a row that is kept whatever the bound).
  std::shared_ptr<const void> Take(int64_t bytes, bool past_bound = false);

  int64_t in_use() const;    // bytes held now
  uint64_t refused() const;  // Take calls refused so far

 private:
  struct State {
    std::atomic<int64_t> max_bytes{0};
    std::atomic<int64_t> in_use{0};
    std::atomic<uint64_t> refused{0};
    std::atomic<uint64_t> refused_logged{0};  // refused() when the last warning was logged
    std::atomic<int64_t> last_warning_ms{0};  // steady-clock milliseconds
  };
  // Shared with every hold, so that a row outliving the budget gives its bytes back safely.
  std::shared_ptr<State> state_;
};

}  // namespace turnpike::store
