#include "state/provider_health.h"

#include <algorithm>
#include <unordered_map>

namespace turnpike::state {

namespace {

constexpr auto kViewMaxAge = std::chrono::milliseconds(50);
// An endpoint failing at least this often, over at least this many calls, is cooled down even
// without a long streak (a provider answering one call in four is not one to keep trying first).
constexpr double kTripErrorRate = 0.75;
constexpr int64_t kTripMinCalls = 20;

std::atomic<uint64_t> next_instance_id{1};

}  // namespace

Breaker BreakerOf(const ProviderHealthStats& s, int64_t now_ms) {
  if (s.cooldown_until_ms == 0) return Breaker::kClosed;
  return now_ms < s.cooldown_until_ms ? Breaker::kOpen : Breaker::kHalfOpen;
}

const char* BreakerName(Breaker b) {
  switch (b) {
    case Breaker::kClosed:
      return "closed";
    case Breaker::kOpen:
      return "open";
    case Breaker::kHalfOpen:
      return "half_open";
  }
  return "closed";
}

const ProviderHealthStats* FindHealth(const HealthMap& health, std::string_view provider, std::string_view model) {
  auto it = health.find(std::pair<std::string_view, std::string_view>(provider, model));
  return it == health.end() ? nullptr : &it->second;
}

std::map<std::string, ProviderHealthStats> ByProvider(const HealthMap& health) {
  std::map<std::string, ProviderHealthStats> out;
  std::map<std::string, double> answered, timed;  // weights of the two averages
  for (const auto& [key, s] : health) {
    ProviderHealthStats& p = out[key.first];
    const double ok = static_cast<double>(s.requests - s.failures);
    double& w = answered[key.first];
    if (ok > 0) p.latency_ms_ewma = (p.latency_ms_ewma * w + s.latency_ms_ewma * ok) / (w + ok);
    w += ok;
    if (s.tokens_per_second_ewma > 0) {
      double& t = timed[key.first];
      p.tokens_per_second_ewma = (p.tokens_per_second_ewma * t + s.tokens_per_second_ewma) / (t + 1);
      t += 1;
    }
    const double calls = static_cast<double>(s.requests);
    if (p.requests + s.requests > 0) {
      p.error_rate_ewma = (p.error_rate_ewma * static_cast<double>(p.requests) + s.error_rate_ewma * calls) /
                          static_cast<double>(p.requests + s.requests);
    }
    p.requests += s.requests;
    p.failures += s.failures;
    p.last_failure_unix = std::max(p.last_failure_unix, s.last_failure_unix);
    p.consecutive_failures = std::max(p.consecutive_failures, s.consecutive_failures);
    p.cooldown_until_ms = std::max(p.cooldown_until_ms, s.cooldown_until_ms);
    p.cooldown_ms = std::max(p.cooldown_ms, s.cooldown_ms);
  }
  return out;
}

// What one thread keeps of one ProviderHealth. A thread keeps one at a time: a process has one
// ProviderHealth, and a test that makes several only pays a rebuild when it switches.
struct ProviderHealth::Local {
  uint64_t owner = 0;
  std::unordered_map<std::string, std::unordered_map<std::string, Cell*>> cells;  // provider → model →
  HealthMap view;
  uint64_t view_changes = 0;
  std::chrono::steady_clock::time_point view_made{};
};

ProviderHealth::ProviderHealth(double alpha, BreakerOptions breaker)
    : alpha_(alpha), breaker_(breaker), id_(next_instance_id.fetch_add(1)) {}

ProviderHealth::~ProviderHealth() = default;

ProviderHealth::Local& ProviderHealth::ThisThread() const {
  thread_local Local local;
  if (local.owner != id_) {
    local = Local{};
    local.owner = id_;
  }
  return local;
}

ProviderHealth::Cell& ProviderHealth::CellOf(const std::string& provider, const std::string& model) {
  Local& local = ThisThread();
  auto& models = local.cells[provider];
  if (auto it = models.find(model); it != models.end()) return *it->second;
  std::lock_guard lock(mutex_);
  auto& cell = cells_[HealthKey{provider, model}];
  if (!cell) cell = std::make_unique<Cell>();
  models.emplace(model, cell.get());
  return *cell;
}

void ProviderHealth::Blend(std::atomic<double>& ewma, double sample, bool first) const {
  double old = ewma.load(std::memory_order_relaxed);
  while (!ewma.compare_exchange_weak(old, first ? sample : alpha_ * sample + (1 - alpha_) * old,
                                     std::memory_order_relaxed)) {
  }
}

void ProviderHealth::RecordSuccess(const std::string& provider, const std::string& model, int64_t first_byte_ms) {
  Cell& c = CellOf(provider, model);
  // No successful call measured yet: the first sample is the average.
  const bool first_sample = c.requests.load(std::memory_order_relaxed) == c.failures.load(std::memory_order_relaxed);
  const bool first_call = c.requests.fetch_add(1, std::memory_order_relaxed) == 0;
  Blend(c.error_rate_ewma, 0, first_call);
  Blend(c.latency_ms_ewma, static_cast<double>(first_byte_ms < 0 ? 0 : first_byte_ms), first_sample);
  const bool streak_ended = c.consecutive_failures.exchange(0) != 0;
  if (c.cooldown_until_ms.load() != 0) {  // a probe (or a last resort) answered: back in service
    std::lock_guard lock(c.breaker_mu);
    c.cooldown_until_ms.store(0);
    c.probe_at_ms.store(0);
    changes_.fetch_add(1);
  } else if (streak_ended) {
    changes_.fetch_add(1);
  }
}

void ProviderHealth::RecordFailure(const std::string& provider, const std::string& model, int64_t now_ms) {
  Cell& c = CellOf(provider, model);
  const bool first_call = c.requests.fetch_add(1, std::memory_order_relaxed) == 0;
  c.failures.fetch_add(1, std::memory_order_relaxed);
  Blend(c.error_rate_ewma, 1, first_call);
  c.last_failure_unix.store(now_ms / 1000, std::memory_order_relaxed);
  const int64_t streak = c.consecutive_failures.fetch_add(1) + 1;
  {
    std::lock_guard lock(c.breaker_mu);
    const int64_t until = c.cooldown_until_ms.load();
    if (until != 0 && now_ms >= until) {
      // Half-open, and the probe failed: cool down again, for longer.
      const int64_t next = std::min(std::max(c.cooldown_ms.load() * 2, breaker_.cooldown_ms), breaker_.max_cooldown_ms);
      c.cooldown_ms.store(next);
      c.cooldown_until_ms.store(now_ms + next);
      c.probe_at_ms.store(0);
    } else if (until == 0 && (streak >= breaker_.trip_failures ||
                              (c.requests.load(std::memory_order_relaxed) >= kTripMinCalls &&
                               c.error_rate_ewma.load(std::memory_order_relaxed) >= kTripErrorRate))) {
      c.cooldown_ms.store(breaker_.cooldown_ms);
      c.cooldown_until_ms.store(now_ms + breaker_.cooldown_ms);
      c.probe_at_ms.store(0);
    }
  }
  // Every failure counts towards the breaker and the order, so every one remakes the views.
  changes_.fetch_add(1);
}

void ProviderHealth::RecordThroughput(const std::string& provider, const std::string& model, int64_t completion_tokens,
                                      int64_t generation_ms) {
  constexpr int64_t kMinGenerationMs = 20;
  if (completion_tokens <= 0 || generation_ms < kMinGenerationMs) return;
  double sample = static_cast<double>(completion_tokens) * 1000.0 / static_cast<double>(generation_ms);
  std::atomic<double>& ewma = CellOf(provider, model).tokens_per_second_ewma;
  Blend(ewma, sample, ewma.load(std::memory_order_relaxed) == 0);
}

bool ProviderHealth::MayTry(const std::string& provider, const std::string& model, int64_t now_ms) {
  Cell& c = CellOf(provider, model);
  const int64_t until = c.cooldown_until_ms.load();
  if (until == 0 || now_ms < until) return true;  // closed; or open, and routing chose it as the last resort
  int64_t probe = c.probe_at_ms.load();
  if (probe != 0 && now_ms - probe < breaker_.probe_timeout_ms) return false;  // another request probes it
  return c.probe_at_ms.compare_exchange_strong(probe, now_ms);
}

HealthMap ProviderHealth::Snapshot() const {
  HealthMap out;
  std::lock_guard lock(mutex_);
  for (const auto& [key, c] : cells_) {
    ProviderHealthStats& s = out[key];
    s.requests = c->requests.load(std::memory_order_relaxed);
    s.failures = c->failures.load(std::memory_order_relaxed);
    s.latency_ms_ewma = c->latency_ms_ewma.load(std::memory_order_relaxed);
    s.last_failure_unix = c->last_failure_unix.load(std::memory_order_relaxed);
    s.consecutive_failures = c->consecutive_failures.load(std::memory_order_relaxed);
    s.tokens_per_second_ewma = c->tokens_per_second_ewma.load(std::memory_order_relaxed);
    s.error_rate_ewma = c->error_rate_ewma.load(std::memory_order_relaxed);
    s.cooldown_until_ms = c->cooldown_until_ms.load(std::memory_order_relaxed);
    s.cooldown_ms = c->cooldown_ms.load(std::memory_order_relaxed);
  }
  return out;
}

const HealthMap& ProviderHealth::View() const {
  Local& local = ThisThread();
  const uint64_t changes = changes_.load();
  const auto now = std::chrono::steady_clock::now();
  if (local.view_made == std::chrono::steady_clock::time_point{} || local.view_changes != changes ||
      now - local.view_made >= kViewMaxAge) {
    local.view = Snapshot();
    local.view_changes = changes;
    local.view_made = now;
  }
  return local.view;
}

}  // namespace turnpike::state
