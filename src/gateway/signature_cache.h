// Gemini 3 wants each function call it made to come back with its opaque thought signature
// (docs/protocols.md §6.1); OpenAI clients never carry it. The gateway remembers the signatures it
// saw, by tool-call id, and puts them back when the conversation is replayed. Bounded; a
// forgotten signature falls back to the adapter's documented sentinel. Thread-safe.
#pragma once

#include <mutex>
#include <string>
#include <unordered_map>

#include "protocol/canonical.h"

namespace turnpike::gateway {

class SignatureCache {
 public:
  explicit SignatureCache(size_t capacity = 100'000) : capacity_(capacity) {}

  void Remember(const std::string& tool_call_id, const std::string& signature);
  // Fills empty thought_signature fields of the request's assistant tool calls.
  void Fill(protocol::ChatRequest& request);

 private:
  size_t capacity_;
  std::mutex mutex_;
  std::unordered_map<std::string, std::string> by_id_;
};

}  // namespace turnpike::gateway
