// Live health of each provider as this gateway sees it: requests, failures and how fast the
// first byte comes back (an exponentially weighted moving average). Read by the control plane's
// model listing and by routing (gateway/routing.h). Thread-safe; each Record…() call is one short lock.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>

namespace turnpike::state {

struct ProviderHealthStats {
  int64_t requests = 0;               // upstream calls made
  int64_t failures = 0;               // transport failures and non-2xx answers
  double latency_ms_ewma = 0;         // time to the response head, successful calls only
  int64_t last_failure_unix = 0;      // 0 when none
  int64_t consecutive_failures = 0;   // since the last success
  double tokens_per_second_ewma = 0;  // output speed of streamed answers; 0 until measured
};

class ProviderHealth {
 public:
  // `alpha` weighs the newest latency sample (0 < alpha ≤ 1).
  explicit ProviderHealth(double alpha = 0.2) : alpha_(alpha) {}

  void RecordSuccess(const std::string& provider, int64_t first_byte_ms);
  void RecordFailure(const std::string& provider, int64_t now_unix);
  // A streamed answer of `completion_tokens` that took `generation_ms` after its first byte.
  // Answers too short to time (under 20 ms, or no tokens) are ignored.
  void RecordThroughput(const std::string& provider, int64_t completion_tokens, int64_t generation_ms);
  std::map<std::string, ProviderHealthStats> Snapshot() const;

 private:
  double alpha_;
  mutable std::mutex mutex_;
  std::map<std::string, ProviderHealthStats> stats_;
};

}  // namespace turnpike::state
