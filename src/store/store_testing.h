// Test-only: a store to run a test against.
#pragma once

#include <gtest/gtest.h>

#include <memory>

#include "store/store.h"

namespace turnpike::store {

// A fresh, migrated in-memory SQLite store; records a test failure and returns null when it
// cannot be opened or migrated (call it from SetUp and ASSERT_TRUE the result).
inline std::unique_ptr<Store> MigratedMemoryStore() {
  auto opened = OpenStore("sqlite::memory:");
  if (!opened.ok()) {
    ADD_FAILURE() << opened.error().message;
    return nullptr;
  }
  if (auto migrated = (*opened)->Migrate(); !migrated.ok()) {
    ADD_FAILURE() << migrated.error().message;
    return nullptr;
  }
  return std::move(*opened);
}

}  // namespace turnpike::store
