#include "gateway/signature_cache.h"

namespace turnpike::gateway {

void SignatureCache::Remember(const std::string& tool_call_id, const std::string& signature) {
  if (tool_call_id.empty() || signature.empty()) return;
  std::lock_guard lock(mutex_);
  // Crude but bounded: when full, start again. Losing old signatures only costs the sentinel.
  if (by_id_.size() >= capacity_) by_id_.clear();
  by_id_[tool_call_id] = signature;
}

void SignatureCache::Fill(protocol::ChatRequest& request) {
  std::lock_guard lock(mutex_);
  if (by_id_.empty()) return;
  for (auto& message : request.messages) {
    for (auto& call : message.tool_calls) {
      if (!call.thought_signature.empty()) continue;
      if (auto it = by_id_.find(call.id); it != by_id_.end()) call.thought_signature = it->second;
    }
  }
}

}  // namespace turnpike::gateway
