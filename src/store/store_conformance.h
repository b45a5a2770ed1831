// The Store conformance suite: tests every Store implementation must pass, written against the
// interface only. An implementation joins by instantiating the suite with a factory of fresh
// databases, e.g. (sqlite/sqlite_store_test.cc):
//
//   INSTANTIATE_TEST_SUITE_P(Sqlite, StoreConformanceTest,
//                            ::testing::Values(StoreBackend{"File", &NewFileDatabase}),
//                            StoreBackendName);
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "store/store.h"

namespace turnpike::store {

// One fresh, empty database for one test. Destroying it removes it.
class StoreTestDatabase {
 public:
  virtual ~StoreTestDatabase() = default;
  // A new, unmigrated handle to this database. Returns nullptr on failure.
  virtual std::unique_ptr<Store> Open() = 0;
  // True when Open() may be called again for a second, independent handle (another
  // "process"); false for databases private to one handle, such as SQLite's :memory:.
  virtual bool SupportsSecondHandle() const = 0;
};

// `main` and `count - 1` more handles opened on `db`, for tests that play several processes on
// one database. The extra handles live in the returned object.
struct StoreHandles {
  std::vector<std::unique_ptr<Store>> extra;
  std::vector<Store*> all;
};
StoreHandles OpenHandles(StoreTestDatabase& db, Store& main, int count);

struct StoreBackend {
  std::string name;  // a test-name suffix: letters and digits only
  std::function<std::unique_ptr<StoreTestDatabase>()> create;
  // Not empty: the backend cannot run here (no server to test against), and every test reports
  // SKIPPED with this reason.
  std::string skip;
};

std::string StoreBackendName(const ::testing::TestParamInfo<StoreBackend>& info);
// Lets gtest print a backend by its name.
void PrintTo(const StoreBackend& backend, std::ostream* os);

class StoreConformanceTest : public ::testing::TestWithParam<StoreBackend> {
 protected:
  void SetUp() override;

  // A user with `credit` micro-USD granted (none when 0). Fails the test on error.
  int64_t MakeUser(const std::string& email, Micros credit = 0);
  // A key of `user_id` with a distinct valid hash derived from `seed`.
  int64_t MakeKey(int64_t user_id, int seed, std::optional<Micros> limit = std::nullopt,
                  std::optional<int64_t> expires_at = std::nullopt);
  // A lower-case hex SHA-256-shaped string, distinct per seed.
  static std::string HashFor(int seed);
  // Asserts balance == LedgerSum == TotalCredited - TotalSpent for `user_id`.
  void ExpectBalanced(int64_t user_id);

  std::unique_ptr<StoreTestDatabase> db_;
  std::unique_ptr<Store> store_;
  int migrations_applied_ = 0;
};

}  // namespace turnpike::store
