// Test helpers for the Gemini adapter tests: fixtures, JSON, and stream events as text.
#pragma once

#include <boost/json.hpp>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "protocol/canonical.h"

namespace turnpike::providers::gemini::testing {

inline std::string ReadFixture(const std::string& name) {
  std::ifstream in(std::string(TURNPIKE_FIXTURES_DIR) + "/gemini/" + name, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

inline boost::json::value Json(std::string_view text) { return boost::json::parse(text); }

// One line per event, every field that type carries, so two event lists compare as text and a
// difference prints readably.
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

}  // namespace turnpike::providers::gemini::testing
