// Live health of each endpoint (a provider serving a model) as this gateway sees it: calls,
// failures, an error-rate average, how fast the first byte comes back and how fast tokens
// stream (exponentially weighted moving averages), and a circuit breaker. Read by routing
// (gateway/routing.h), the model endpoints route and the control plane's provider list.
//
// The breaker (docs/architecture.md §7.3): closed while the endpoint answers. It opens after
// `trip_failures` failures in a row, or when its error rate stays at 75% or more over 20 calls,
// for `cooldown_ms`; routing then puts it behind every endpoint that is not cooling down. When
// the cooldown is over it is half-open: one request (MayTry) probes it. A success closes it;
// a failure opens it again for twice as long (at most `max_cooldown_ms`).
//
// Thread-safe, and no lock is taken per request: each endpoint's figures are atomics, found
// through a per-thread cache of pointers; routing reads a per-thread copy of every endpoint's
// figures, made again when a failure is recorded or a breaker changes anywhere, or when the
// copy is 50 ms old (docs/architecture.md §5.3). An endpoint's own lock is taken only when its
// breaker may change (a failure, or a success while it is not closed).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>

namespace turnpike::state {

struct ProviderHealthStats {
  int64_t requests = 0;               // upstream calls made
  int64_t failures = 0;               // transport failures and non-2xx answers
  double latency_ms_ewma = 0;         // time to the response head, successful calls only
  int64_t last_failure_unix = 0;      // 0 when none
  int64_t consecutive_failures = 0;   // since the last success
  double tokens_per_second_ewma = 0;  // output speed of streamed answers; 0 until measured
  double error_rate_ewma = 0;         // 1 per failure, 0 per success
  int64_t cooldown_until_ms = 0;      // unix ms; 0: the breaker is closed
  int64_t cooldown_ms = 0;            // the length of the current (or last) cooldown
};

enum class Breaker { kClosed, kOpen, kHalfOpen };
Breaker BreakerOf(const ProviderHealthStats& s, int64_t now_ms);
const char* BreakerName(Breaker b);  // "closed" | "open" | "half_open"

// (provider id, model id). Looked up without copying strings (HealthKeyLess is transparent).
using HealthKey = std::pair<std::string, std::string>;
struct HealthKeyLess {
  using is_transparent = void;
  template <class A, class B>
  bool operator()(const A& a, const B& b) const {
    const std::string_view ap = a.first, am = a.second, bp = b.first, bm = b.second;
    return ap != bp ? ap < bp : am < bm;
  }
};
using HealthMap = std::map<HealthKey, ProviderHealthStats, HealthKeyLess>;
const ProviderHealthStats* FindHealth(const HealthMap& health, std::string_view provider, std::string_view model);
// Each provider's figures over all its models (the control plane's provider list): calls and
// failures added up, averages weighted by calls, the latest failure, the longest failure streak.
std::map<std::string, ProviderHealthStats> ByProvider(const HealthMap& health);

struct BreakerOptions {
  int64_t trip_failures = 5;          // failures in a row that open the breaker
  int64_t cooldown_ms = 30'000;       // the first cooldown; doubled after each failed probe
  int64_t max_cooldown_ms = 300'000;  // the longest cooldown
  int64_t probe_timeout_ms = 10'000;  // a probe not ended by then lets another request probe
};

class ProviderHealth {
 public:
  // `alpha` weighs the newest sample of each average (0 < alpha ≤ 1).
  explicit ProviderHealth(double alpha = 0.2, BreakerOptions breaker = {});
  ~ProviderHealth();
  ProviderHealth(const ProviderHealth&) = delete;
  ProviderHealth& operator=(const ProviderHealth&) = delete;

  void RecordSuccess(const std::string& provider, const std::string& model, int64_t first_byte_ms);
  void RecordFailure(const std::string& provider, const std::string& model, int64_t now_ms);
  // A streamed answer of `completion_tokens` that took `generation_ms` after its first byte.
  // Answers too short to time (under 20 ms, or no tokens) are ignored.
  void RecordThroughput(const std::string& provider, const std::string& model, int64_t completion_tokens,
                        int64_t generation_ms);
  // Whether a request may call the endpoint now as far as its breaker goes: false only when it
  // is half-open and another request is already probing it. A request told true while it is
  // half-open is its probe.
  bool MayTry(const std::string& provider, const std::string& model, int64_t now_ms);

  // Every endpoint's figures now (takes the registry's lock: for the control plane).
  HealthMap Snapshot() const;
  // This thread's copy for routing: at most 50 ms old, and never older than the last failure or
  // breaker change. Valid until this thread's next View() (no lock unless it is remade).
  const HealthMap& View() const;

 private:
  struct Cell {
    std::atomic<int64_t> requests{0};
    std::atomic<int64_t> failures{0};
    std::atomic<double> latency_ms_ewma{0};
    std::atomic<int64_t> last_failure_unix{0};
    std::atomic<int64_t> consecutive_failures{0};
    std::atomic<double> tokens_per_second_ewma{0};
    std::atomic<double> error_rate_ewma{0};
    std::atomic<int64_t> cooldown_until_ms{0};
    std::atomic<int64_t> cooldown_ms{0};
    std::atomic<int64_t> probe_at_ms{0};  // when the current half-open probe was let through
    std::mutex breaker_mu;                // serialises breaker changes
  };
  struct Local;
  Cell& CellOf(const std::string& provider, const std::string& model);
  Local& ThisThread() const;
  void Blend(std::atomic<double>& ewma, double sample, bool first) const;

  const double alpha_;
  const BreakerOptions breaker_;
  const uint64_t id_;  // tells this instance's per-thread state from another's
  // Changed by every failure and breaker change: the views are remade at once.
  std::atomic<uint64_t> changes_{0};
  mutable std::mutex mutex_;  // the registry: taken when a thread meets an endpoint first, and by reads
  std::map<HealthKey, std::unique_ptr<Cell>, HealthKeyLess> cells_;
};

}  // namespace turnpike::state
