// Gemini 3 wants each function call it made to come back with its opaque thought signature
// (docs/protocols.md §6.1); OpenAI clients never carry it. The gateway remembers the signatures it
// saw, by API key and tool-call id, and puts them back when that key replays the conversation:
// tool-call ids are chosen by the provider and can repeat across users, so one key never gets
// another's signature. Bounded; a forgotten signature falls back to the adapter's documented
// sentinel. Thread-safe: 16 shards by key, and a request with no unsigned tool call takes no lock.
#pragma once

#include <array>
#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

#include "protocol/canonical.h"

namespace turnpike::gateway {

class SignatureCache {
 public:
  explicit SignatureCache(size_t capacity = 100'000) : capacity_per_shard_(capacity / 16 + 1) {}

  void Remember(int64_t key_id, const std::string& tool_call_id, const std::string& signature);
  // Fills empty thought_signature fields of the request's assistant tool calls with what this
  // key's earlier answers carried.
  void Fill(int64_t key_id, protocol::ChatRequest& request);

 private:
  struct Shard {
    std::mutex mu;
    std::unordered_map<std::string, std::string> by_id;  // "<key id>:<tool call id>"
  };
  Shard& ShardOf(int64_t key_id) { return shards_[static_cast<uint64_t>(key_id) % shards_.size()]; }
  static std::string Slot(int64_t key_id, const std::string& tool_call_id) {
    return std::to_string(key_id) + ':' + tool_call_id;
  }

  size_t capacity_per_shard_;
  std::array<Shard, 16> shards_;
};

}  // namespace turnpike::gateway
