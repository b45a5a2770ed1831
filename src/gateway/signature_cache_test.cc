#include "gateway/signature_cache.h"

#include <gtest/gtest.h>

namespace turnpike::gateway {
namespace {

protocol::ChatRequest Replay(const std::string& call_id) {
  protocol::ChatRequest request;
  protocol::Message assistant;
  assistant.role = protocol::Role::kAssistant;
  assistant.tool_calls.push_back(protocol::ToolCall{call_id, "get_weather", "{}", ""});
  request.messages.push_back(assistant);
  return request;
}

TEST(SignatureCacheTest, AKeyGetsBackItsOwnSignaturesOnly) {
  SignatureCache cache;
  cache.Remember(1, "call_1", "sig-of-key-1");
  // The same tool-call id from another user's conversation (ids are the provider's, and repeat).
  protocol::ChatRequest other = Replay("call_1");
  cache.Fill(2, other);
  EXPECT_EQ(other.messages[0].tool_calls[0].thought_signature, "") << "key 2 must not get key 1's signature";
  protocol::ChatRequest own = Replay("call_1");
  cache.Fill(1, own);
  EXPECT_EQ(own.messages[0].tool_calls[0].thought_signature, "sig-of-key-1");
}

TEST(SignatureCacheTest, ASignatureTheClientSentIsKept) {
  SignatureCache cache;
  cache.Remember(1, "call_1", "remembered");
  protocol::ChatRequest request = Replay("call_1");
  request.messages[0].tool_calls[0].thought_signature = "sent";
  cache.Fill(1, request);
  EXPECT_EQ(request.messages[0].tool_calls[0].thought_signature, "sent");
}

TEST(SignatureCacheTest, StaysWithinItsCapacity) {
  SignatureCache cache(32);
  for (int i = 0; i < 1000; ++i) cache.Remember(7, "call_" + std::to_string(i), "sig");
  protocol::ChatRequest last = Replay("call_999");
  cache.Fill(7, last);
  EXPECT_EQ(last.messages[0].tool_calls[0].thought_signature, "sig") << "the newest is kept";
  protocol::ChatRequest first = Replay("call_0");
  cache.Fill(7, first);
  EXPECT_EQ(first.messages[0].tool_calls[0].thought_signature, "") << "old ones are dropped when full";
}

}  // namespace
}  // namespace turnpike::gateway
