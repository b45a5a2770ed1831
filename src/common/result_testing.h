// Test-only: unwrapping a Result in a test where failure is not the point of the test.
#pragma once

#include <gtest/gtest.h>

#include <source_location>
#include <utility>

#include "common/result.h"

namespace turnpike {

// The value of `result`; when it holds an error, records a test failure at the caller's line
// (the test goes on) and returns T{} — so a failed read can never pass for "not found" or
// "empty" unnoticed.
template <class T>
T Must(Result<T> result, std::source_location where = std::source_location::current()) {
  if (!result.ok()) {
    ADD_FAILURE_AT(where.file_name(), static_cast<int>(where.line())) << "unexpected error: " << result.error().message;
    return T{};
  }
  return std::move(result).value();
}

}  // namespace turnpike
