// Test helpers for the Gemini adapter tests: fixtures, JSON, and stream events as text.
#pragma once

#include <boost/json.hpp>
#include <string>
#include <string_view>

#include "providers/adapter_test_util.h"

namespace turnpike::providers::gemini::testing {

inline std::string ReadFixture(const std::string& name) { return providers::testing::ReadFixture("gemini", name); }

inline boost::json::value Json(std::string_view text) { return boost::json::parse(text); }

using providers::testing::Describe;

}  // namespace turnpike::providers::gemini::testing
