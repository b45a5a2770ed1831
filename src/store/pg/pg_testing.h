// Test-only: a throwaway PostgreSQL database per test, on the server TURNPIKE_TEST_PG_URL names
// (scripts/pg-test-cluster starts one; `make test` and `make unit` set the variable).
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <random>
#include <string>

#include "store/pg/connection.h"

namespace turnpike::store::pg {

// The server's URL, or "" when the variable is unset.
inline std::string TestServerUrl() {
  const char* url = std::getenv("TURNPIKE_TEST_PG_URL");
  return url != nullptr ? url : "";
}

inline constexpr char kNoTestServer[] =
    "TURNPIKE_TEST_PG_URL is not set: no PostgreSQL server to test against (make unit starts one with "
    "scripts/pg-test-cluster)";

// CREATE DATABASE turnpike_test_<random> on the test server; DROP … WITH (FORCE) on destruction, so
// tests run in parallel, each on a database of its own. Records a test failure when it cannot.
class TestDatabase {
 public:
  TestDatabase() {
    std::random_device random;
    std::uniform_int_distribution<uint64_t> digits;
    char name[40];
    std::snprintf(name, sizeof(name), "turnpike_test_%016llx", static_cast<unsigned long long>(digits(random)));
    name_ = name;
    Result<std::unique_ptr<Connection>> admin = Connection::Open(TestServerUrl(), ConnectionOptions{});
    if (!admin.ok()) {
      ADD_FAILURE() << "cannot reach the test server: " << admin.error().message;
      return;
    }
    // The name is made here, never from outside: safe to splice into the statement.
    Status created = (*admin)->ExecScript("CREATE DATABASE " + name_);
    if (!created.ok()) {
      ADD_FAILURE() << "CREATE DATABASE: " << created.error().message;
      return;
    }
    created_ = true;
  }
  ~TestDatabase() {
    if (!created_) return;
    Result<std::unique_ptr<Connection>> admin = Connection::Open(TestServerUrl(), ConnectionOptions{});
    if (admin.ok()) (void)(*admin)->ExecScript("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
  }
  TestDatabase(const TestDatabase&) = delete;
  TestDatabase& operator=(const TestDatabase&) = delete;

  bool ok() const { return created_; }
  const std::string& name() const { return name_; }
  // Connection options that name this database.
  ConnectionOptions options() const {
    ConnectionOptions o;
    o.database = name_;
    return o;
  }

 private:
  std::string name_;
  bool created_ = false;
};

}  // namespace turnpike::store::pg
