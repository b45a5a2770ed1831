#include "state/provider_health.h"

namespace turnpike::state {

void ProviderHealth::RecordSuccess(const std::string& provider, int64_t first_byte_ms) {
  std::lock_guard lock(mutex_);
  auto& s = stats_[provider];
  bool first_sample = s.requests == s.failures;  // no successful call measured yet
  ++s.requests;
  s.consecutive_failures = 0;
  double sample = static_cast<double>(first_byte_ms < 0 ? 0 : first_byte_ms);
  s.latency_ms_ewma = first_sample ? sample : alpha_ * sample + (1 - alpha_) * s.latency_ms_ewma;
}

void ProviderHealth::RecordFailure(const std::string& provider, int64_t now_unix) {
  std::lock_guard lock(mutex_);
  auto& s = stats_[provider];
  ++s.requests;
  ++s.failures;
  ++s.consecutive_failures;
  s.last_failure_unix = now_unix;
}

void ProviderHealth::RecordThroughput(const std::string& provider, int64_t completion_tokens, int64_t generation_ms) {
  constexpr int64_t kMinGenerationMs = 20;
  if (completion_tokens <= 0 || generation_ms < kMinGenerationMs) return;
  double sample = static_cast<double>(completion_tokens) * 1000.0 / static_cast<double>(generation_ms);
  std::lock_guard lock(mutex_);
  auto& s = stats_[provider];
  s.tokens_per_second_ewma =
      s.tokens_per_second_ewma == 0 ? sample : alpha_ * sample + (1 - alpha_) * s.tokens_per_second_ewma;
}

std::map<std::string, ProviderHealthStats> ProviderHealth::Snapshot() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

}  // namespace turnpike::state
