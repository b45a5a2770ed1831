// Pieces of the Anthropic adapter shared by its .cc files. Not part of the adapter's contract.
#pragma once

#include <boost/json/fwd.hpp>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "common/result.h"
#include "protocol/canonical.h"
#include "providers/json_fields.h"
#include "providers/provider.h"

namespace turnpike::providers::anthropic::internal {

// Anthropic's token counts, as the message and the stream report them.
struct UsageCounts {
  int64_t input = 0;           // input_tokens: leaves out cached and cache-written tokens
  int64_t cache_creation = 0;  // cache_creation_input_tokens
  int64_t cache_read = 0;      // cache_read_input_tokens
  int64_t output = 0;          // output_tokens (thinking included)
};

// Overwrites each count that `usage` holds as a number; the others stay as they were.
void MergeUsage(const boost::json::object& usage, UsageCounts& counts);

// docs/protocols.md §9: prompt = input + cache_creation + cache_read, cached = cache_read,
// cache_write = cache_creation, completion = output.
protocol::Usage ToCanonicalUsage(const UsageCounts& counts);

// docs/protocols.md §10; unknown or missing stop reasons are "stop".
std::string MapStopReason(std::string_view stop_reason);

// The string member `key` of `object`; "" when absent or not a string.
using providers::StringMember;

// The JSON body for POST /v1/messages (anthropic_request.cc).
Result<std::string> EncodeMessagesBody(const protocol::ChatRequest& request, const EndpointInfo& endpoint);

// A fresh stream decoder (anthropic_stream.cc).
std::unique_ptr<StreamDecoder> MakeStreamDecoder();

}  // namespace turnpike::providers::anthropic::internal
