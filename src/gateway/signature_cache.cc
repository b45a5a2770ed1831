#include "gateway/signature_cache.h"

namespace turnpike::gateway {

void SignatureCache::Remember(int64_t key_id, const std::string& tool_call_id, const std::string& signature) {
  if (tool_call_id.empty() || signature.empty()) return;
  Shard& shard = ShardOf(key_id);
  std::lock_guard lock(shard.mu);
  // Crude but bounded: when full, start again. Losing old signatures only costs the sentinel.
  if (shard.by_id.size() >= capacity_per_shard_) shard.by_id.clear();
  shard.by_id[Slot(key_id, tool_call_id)] = signature;
}

void SignatureCache::Fill(int64_t key_id, protocol::ChatRequest& request) {
  bool unsigned_call = false;
  for (const auto& message : request.messages) {
    for (const auto& call : message.tool_calls) unsigned_call = unsigned_call || call.thought_signature.empty();
  }
  if (!unsigned_call) return;
  Shard& shard = ShardOf(key_id);
  std::lock_guard lock(shard.mu);
  if (shard.by_id.empty()) return;
  for (auto& message : request.messages) {
    for (auto& call : message.tool_calls) {
      if (!call.thought_signature.empty()) continue;
      if (auto it = shard.by_id.find(Slot(key_id, call.id)); it != shard.by_id.end()) {
        call.thought_signature = it->second;
      }
    }
  }
}

}  // namespace turnpike::gateway
