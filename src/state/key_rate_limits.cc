#include "state/key_rate_limits.h"

#include <chrono>
#include <string>

namespace turnpike::state {

namespace {

int64_t SecondOf(int64_t ms) { return ms >= 0 ? ms / 1000 : (ms - 999) / 1000; }

// "1 request", "3 requests".
std::string Count(int64_t n, const char* what) { return std::to_string(n) + " " + what + (n == 1 ? "" : "s"); }

}  // namespace

int64_t KeyRateLimits::NowMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

KeyRateLimits::Window& KeyRateLimits::WindowOf(Shard& shard, int64_t key_id, int64_t second) {
  if (auto it = shard.windows.find(key_id); it != shard.windows.end()) return it->second;
  if (shard.windows.size() >= shard.sweep_at) {
    // A window whose newest count is a minute old counts nothing: dropping it changes no answer.
    std::erase_if(shard.windows, [second](const auto& kv) { return kv.second.last_second <= second - kSlots; });
    shard.sweep_at = std::max<size_t>(256, 2 * shard.windows.size());
  }
  return shard.windows[key_id];
}

KeyRateLimits::Slot& KeyRateLimits::SlotAt(Window& w, int64_t second) {
  Slot& slot = w.slots[static_cast<size_t>(((second % kSlots) + kSlots) % kSlots)];
  // A slot already of a later second (a thread that read the clock long before it got the lock)
  // takes the count there: it then counts a little longer, never less.
  if (slot.second > second) return slot;
  if (slot.second != second) slot = Slot{second, 0, 0};
  if (second > w.last_second) w.last_second = second;
  return slot;
}

int64_t KeyRateLimits::Sum(const Window& w, int64_t second, bool tokens) {
  int64_t sum = 0;
  for (const Slot& s : w.slots) {
    if (s.second > second - kSlots && s.second <= second) sum += tokens ? s.tokens : s.requests;
  }
  return sum;
}

int64_t KeyRateLimits::SecondsUntilBelow(const Window& w, int64_t now_ms, int64_t limit, bool tokens) {
  const int64_t now_s = SecondOf(now_ms);
  int64_t left = Sum(w, now_s, tokens);
  // Oldest second first: the count falls as each one leaves the window, 60 s after it began.
  for (int64_t s = now_s - kSlots + 1; s <= now_s; ++s) {
    const Slot& slot = w.slots[static_cast<size_t>(((s % kSlots) + kSlots) % kSlots)];
    if (slot.second != s) continue;
    left -= tokens ? slot.tokens : slot.requests;
    if (left < limit) {
      const int64_t free_ms = (s + kSlots) * 1000;
      return std::max<int64_t>(1, (free_ms - now_ms + 999) / 1000);
    }
  }
  return kSlots;  // not reached: an empty window is below any positive limit
}

std::optional<KeyRateLimits::Refusal> KeyRateLimits::Admit(const store::ApiKey& key, int64_t now_ms) {
  if (!key.rpm_limit && !key.tpm_limit) return std::nullopt;
  const int64_t now_s = SecondOf(now_ms);
  Shard& shard = ShardOf(key.id);
  std::lock_guard lock(shard.mu);
  Window& w = WindowOf(shard, key.id, now_s);
  if (key.tpm_limit) {
    if (const int64_t used = Sum(w, now_s, true); used >= *key.tpm_limit) {
      const int64_t wait = SecondsUntilBelow(w, now_ms, *key.tpm_limit, true);
      return Refusal{MakeError(ErrorCode::kRateLimited,
                               "Rate limit exceeded: this API key allows " + Count(*key.tpm_limit, "token") +
                                   " per minute and its requests of the last minute used " + std::to_string(used) +
                                   "; retry in " + std::to_string(wait) + " s"),
                     wait};
    }
  }
  if (key.rpm_limit) {
    if (Sum(w, now_s, false) >= *key.rpm_limit) {
      const int64_t wait = SecondsUntilBelow(w, now_ms, *key.rpm_limit, false);
      return Refusal{MakeError(ErrorCode::kRateLimited, "Rate limit exceeded: this API key allows " +
                                                            Count(*key.rpm_limit, "request") +
                                                            " per minute; retry in " + std::to_string(wait) + " s"),
                     wait};
    }
    SlotAt(w, now_s).requests += 1;
  }
  return std::nullopt;
}

void KeyRateLimits::CountTokens(const store::ApiKey& key, int64_t tokens, int64_t now_ms) {
  if (!key.tpm_limit || tokens <= 0) return;
  const int64_t now_s = SecondOf(now_ms);
  Shard& shard = ShardOf(key.id);
  std::lock_guard lock(shard.mu);
  SlotAt(WindowOf(shard, key.id, now_s), now_s).tokens += tokens;
}

size_t KeyRateLimits::TrackedKeys() {
  size_t n = 0;
  for (Shard& shard : shards_) {
    std::lock_guard lock(shard.mu);
    n += shard.windows.size();
  }
  return n;
}

}  // namespace turnpike::state
