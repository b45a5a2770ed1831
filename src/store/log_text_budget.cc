#include "store/log_text_budget.h"

#include <spdlog/spdlog.h>

#include <chrono>

namespace turnpike::store {
namespace {

constexpr int64_t kWarnEveryMs = 60'000;

int64_t SteadyMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

LogTextBudget::LogTextBudget(int64_t max_bytes) : state_(std::make_shared<State>()) { set_max_bytes(max_bytes); }

void LogTextBudget::set_max_bytes(int64_t max_bytes) {
  state_->max_bytes.store(max_bytes > 0 ? max_bytes : 0, std::memory_order_relaxed);
}

int64_t LogTextBudget::max_bytes() const { return state_->max_bytes.load(std::memory_order_relaxed); }

std::shared_ptr<const void> LogTextBudget::Take(int64_t bytes, bool past_bound) {
  State& s = *state_;
  const int64_t max = s.max_bytes.load(std::memory_order_relaxed);
  int64_t used = s.in_use.load(std::memory_order_relaxed);
  do {
    if (!past_bound && max > 0 && used + bytes > max) {
      const uint64_t refused = s.refused.fetch_add(1, std::memory_order_relaxed) + 1;
      const int64_t now = SteadyMillis();
      int64_t last = s.last_warning_ms.load(std::memory_order_relaxed);
      if ((last == 0 || now - last >= kWarnEveryMs) &&
          s.last_warning_ms.compare_exchange_strong(last, now, std::memory_order_relaxed)) {
        const uint64_t since = refused - s.refused_logged.exchange(refused, std::memory_order_relaxed);
        spdlog::warn(
            "request log: {} rows kept without their prompt and completion text, the text waiting to be "
            "written being at its bound (log.queue_max_bytes = {} bytes)",
            since, max);
      }
      return nullptr;
    }
  } while (!s.in_use.compare_exchange_weak(used, used + bytes, std::memory_order_relaxed));
  // The hold owns no object: its deleter gives the bytes back.
  std::shared_ptr<State> state = state_;
  return std::shared_ptr<const void>(static_cast<const void*>(state.get()), [state, bytes](const void*) {
    state->in_use.fetch_sub(bytes, std::memory_order_relaxed);
  });
}

int64_t LogTextBudget::in_use() const { return state_->in_use.load(std::memory_order_relaxed); }

uint64_t LogTextBudget::refused() const { return state_->refused.load(std::memory_order_relaxed); }

}  // namespace turnpike::store
