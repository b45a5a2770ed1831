// Test helpers shared by the adapters' tests: recorded fixtures, streams fed through
// protocol::SseReader, canonical stream events as text (so two event lists compare exactly and a
// difference prints readably), and MapError tables.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json.hpp>
#include <filesystem>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "common/fixture_testing.h"
#include "protocol/canonical.h"
#include "protocol/sse_reader.h"
#include "providers/provider.h"

namespace turnpike::providers::testing {

using turnpike::fixtures::ReadFixture;

// One line per event, every field that type carries.
inline std::string Describe(const protocol::StreamEvent& e) {
  using T = protocol::StreamEvent::Type;
  std::ostringstream out;
  switch (e.type) {
    case T::kStart:
      out << "start id=" << e.id << " model=" << e.model;
      break;
    case T::kText:
      out << "text " << boost::json::serialize(boost::json::string(e.text));
      break;
    case T::kReasoning:
      out << "reasoning " << boost::json::serialize(boost::json::string(e.text));
      break;
    case T::kToolCallStart:
      out << "tool_start " << e.tool_index << " id=" << e.tool_id << " name=" << e.tool_name
          << " sig=" << e.thought_signature;
      break;
    case T::kToolCallArgs:
      out << "tool_args " << e.tool_index << " " << e.text;
      break;
    case T::kFinish:
      out << "finish " << e.finish_reason;
      break;
    case T::kUsage:
      out << "usage prompt=" << e.usage.prompt_tokens << " completion=" << e.usage.completion_tokens
          << " cached=" << e.usage.cached_tokens << " cache_write=" << e.usage.cache_write_tokens
          << " reasoning=" << e.usage.reasoning_tokens;
      break;
    case T::kError:
      out << "error code=" << static_cast<int>(e.error.code) << " " << e.error.message;
      break;
  }
  return out.str();
}

inline std::vector<std::string> Describe(const std::vector<protocol::StreamEvent>& events) {
  std::vector<std::string> out;
  for (const auto& e : events) out.push_back(Describe(e));
  return out;
}

// Whether tests/fixtures/providers/<folder>/<name> records the provider's chat API (what the
// adapters speak): OpenAI chat-*, Anthropic messages-*, Gemini (stream-)generate-content*. The
// folders also hold other APIs' recordings (embeddings, responses, count_tokens, completions).
inline bool IsChatFixture(std::string_view folder, std::string_view name) {
  if (folder == "openai") return name.starts_with("chat-");
  if (folder == "anthropic") return name.starts_with("messages-");
  if (folder == "gemini") return name.starts_with("generate-content") || name.starts_with("stream-generate-content");
  return true;
}

// The names of the recorded chat streams (*.sse) in tests/fixtures/providers/<folder>, sorted.
inline std::vector<std::string> SseFixtures(std::string_view folder) {
  std::vector<std::string> out;
  std::filesystem::path dir = std::filesystem::path(TURNPIKE_FIXTURES_DIR) / folder;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (entry.path().extension() == ".sse" && IsChatFixture(folder, name)) out.push_back(name);
  }
  std::sort(out.begin(), out.end());
  return out;
}

struct DecodedStream {
  std::vector<protocol::StreamEvent> events;
  bool complete = false;  // OnEnd's answer
  std::string failure;    // the first reader or decoder error, "" if none
};

// `pieces` fed in order through a fresh SseReader into a fresh decoder of `adapter`, then the end.
// Events after the first failure are not fed.
inline DecodedStream DecodeStream(const Adapter& adapter, const std::vector<std::string_view>& pieces) {
  auto decoder = adapter.NewStreamDecoder();
  protocol::SseReader reader;
  DecodedStream d;
  for (auto piece : pieces) {
    auto fed = reader.Feed(piece, [&](protocol::SseEvent&& e) {
      if (!d.failure.empty()) return;
      auto s = decoder->OnEvent(e, d.events);
      if (!s.ok()) d.failure = s.error().message;
    });
    if (!fed.ok() && d.failure.empty()) d.failure = fed.error().message;
  }
  d.complete = decoder->OnEnd(d.events);
  return d;
}

// One row of a MapError table.
struct MapErrorCase {
  int status;
  std::string body;
  Headers headers;
  ErrorCode code;
  bool retryable;
  std::string message;  // the whole expected message
};

inline void ExpectMapErrors(const Adapter& adapter, std::string_view provider, const std::vector<MapErrorCase>& table) {
  for (const auto& c : table) {
    auto e = adapter.MapError(provider, c.status, c.body, c.headers);
    std::string label = std::to_string(c.status) + " " + c.body.substr(0, 60);
    EXPECT_EQ(e.error.code, c.code) << label;
    EXPECT_EQ(e.retryable, c.retryable) << label;
    EXPECT_EQ(e.error.message, c.message) << label;
  }
}

}  // namespace turnpike::providers::testing
