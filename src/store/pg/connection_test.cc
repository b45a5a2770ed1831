// The libpq layer: deadlines, cancellation, broken connections and the pool, against the server
// TURNPIKE_TEST_PG_URL names (SKIPPED without one).
#include "store/pg/connection.h"

#include <gtest/gtest.h>

#include <thread>

#include "store/pg/pg_testing.h"

namespace turnpike::store::pg {
namespace {

class PgConnectionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (TestServerUrl().empty()) GTEST_SKIP() << kNoTestServer;
  }
  std::unique_ptr<Connection> Open(ConnectionOptions options = {}) {
    Result<std::unique_ptr<Connection>> conn = Connection::Open(TestServerUrl(), options);
    EXPECT_TRUE(conn.ok()) << conn.error().message;
    return conn.ok() ? std::move(*conn) : nullptr;
  }
};

int64_t BackendPid(Connection& conn) {
  Result<Rows> rows = conn.Exec("SELECT pg_backend_pid()");
  EXPECT_TRUE(rows.ok()) << rows.error().message;
  return rows.ok() ? rows->Int(0, 0) : 0;
}

TEST_F(PgConnectionTest, AQueryPastItsDeadlineIsCancelledAndReported) {
  ConnectionOptions options;
  options.query_timeout = std::chrono::milliseconds(200);
  auto conn = Open(options);
  ASSERT_NE(conn, nullptr);
  const auto start = Clock::now();
  Result<Rows> slow = conn->Exec("SELECT pg_sleep(5)");
  const auto took = Clock::now() - start;
  ASSERT_FALSE(slow.ok());
  EXPECT_EQ(slow.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(slow.error().message.find("cancelled"), std::string::npos) << slow.error().message;
  EXPECT_LT(took, std::chrono::seconds(2));
  // The server stopped the statement, and the connection serves the next one.
  EXPECT_FALSE(conn->Broken());
  Result<Rows> next = conn->Exec("SELECT 1");
  ASSERT_TRUE(next.ok()) << next.error().message;
  EXPECT_EQ(next->Int(0, 0), 1);
  auto observer = Open();
  ASSERT_NE(observer, nullptr);
  Result<Rows> sleeping =
      observer->Exec("SELECT count(*) FROM pg_stat_activity WHERE query = 'SELECT pg_sleep(5)' AND state = 'active'");
  ASSERT_TRUE(sleeping.ok()) << sleeping.error().message;
  EXPECT_EQ(sleeping->Int(0, 0), 0);
}

TEST_F(PgConnectionTest, AScriptPastItsDeadlineIsCancelledToo) {
  ConnectionOptions options;
  options.query_timeout = std::chrono::milliseconds(200);
  auto conn = Open(options);
  ASSERT_NE(conn, nullptr);
  Status slow = conn->ExecScript("SELECT pg_sleep(5); SELECT 1");
  ASSERT_FALSE(slow.ok());
  EXPECT_EQ(slow.error().code, ErrorCode::kUnavailable);
  EXPECT_TRUE(conn->ExecScript("SELECT 1").ok());
}

TEST_F(PgConnectionTest, AKilledConnectionIsReportedAndReplacedByThePool) {
  PoolOptions options;
  options.max_connections = 1;
  Result<std::unique_ptr<Pool>> pool = Pool::Open(TestServerUrl(), options);
  ASSERT_TRUE(pool.ok()) << pool.error().message;
  int64_t first = 0;
  {
    Result<PooledConnection> conn = (*pool)->Acquire();
    ASSERT_TRUE(conn.ok()) << conn.error().message;
    first = BackendPid(**conn);
  }
  auto admin = Open();
  ASSERT_NE(admin, nullptr);
  // With a timeout, pg_terminate_backend returns once the backend is gone.
  Result<Rows> killed = admin->Exec("SELECT pg_terminate_backend($1, 5000)", Params().Add(first));
  ASSERT_TRUE(killed.ok()) << killed.error().message;
  ASSERT_TRUE(killed->Bool(0, 0));
  Result<PooledConnection> conn = (*pool)->Acquire();
  ASSERT_TRUE(conn.ok()) << conn.error().message;
  const int64_t second = BackendPid(**conn);
  EXPECT_NE(second, 0);
  EXPECT_NE(second, first);
  EXPECT_EQ((*pool)->size(), 1);
}

TEST_F(PgConnectionTest, AQueryOnAKilledConnectionIsAnErrorNotAHang) {
  auto conn = Open();
  auto admin = Open();
  ASSERT_NE(conn, nullptr);
  ASSERT_NE(admin, nullptr);
  Result<Rows> killed = admin->Exec("SELECT pg_terminate_backend($1, 5000)", Params().Add(BackendPid(*conn)));
  ASSERT_TRUE(killed.ok()) << killed.error().message;
  Result<Rows> rows = conn->Exec("SELECT 1");
  ASSERT_FALSE(rows.ok());
  EXPECT_EQ(rows.error().code, ErrorCode::kUnavailable) << rows.error().message;
  EXPECT_TRUE(conn->Broken());
  EXPECT_FALSE(conn->Exec("SELECT 1").ok());
}

TEST_F(PgConnectionTest, ThePoolIsBoundedAndWaitsWithADeadline) {
  PoolOptions options;
  options.max_connections = 1;
  options.connection.query_timeout = std::chrono::milliseconds(200);
  Result<std::unique_ptr<Pool>> pool = Pool::Open(TestServerUrl(), options);
  ASSERT_TRUE(pool.ok()) << pool.error().message;
  Result<PooledConnection> held = (*pool)->Acquire();
  ASSERT_TRUE(held.ok());
  EXPECT_FALSE((*pool)->TryAcquire().has_value());
  Result<PooledConnection> waited = (*pool)->Acquire();
  ASSERT_FALSE(waited.ok());
  EXPECT_EQ(waited.error().code, ErrorCode::kUnavailable);
  // Given back from another thread, it goes to the one waiting.
  std::thread giver([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    PooledConnection gone = std::move(*held);
  });
  Result<PooledConnection> next = (*pool)->Acquire();
  giver.join();
  ASSERT_TRUE(next.ok()) << next.error().message;
  EXPECT_EQ((*pool)->size(), 1);
}

TEST_F(PgConnectionTest, StatementsArePreparedOncePerConnection) {
  auto conn = Open();
  ASSERT_NE(conn, nullptr);
  for (int i = 0; i < 3; ++i) {
    Result<Rows> rows = conn->Exec("SELECT $1::bigint + 1", Params().Add(int64_t{i}));
    ASSERT_TRUE(rows.ok()) << rows.error().message;
    EXPECT_EQ(rows->Int(0, 0), i + 1);
  }
  EXPECT_EQ(conn->prepared(), 1u);
  Result<Rows> listed = conn->Exec("SELECT count(*) FROM pg_prepared_statements");
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ(listed->Int(0, 0), 2);  // that one and this one
}

TEST_F(PgConnectionTest, ParametersAreBoundNeverSpliced) {
  auto conn = Open();
  ASSERT_NE(conn, nullptr);
  const std::string tricky = "it's a \\ \"test\"; DROP TABLE x; -- é";
  Result<Rows> rows = conn->Exec("SELECT $1::text, $2::bigint IS NULL, $3::boolean",
                                 Params().Add(tricky).Add(std::optional<int64_t>()).Add(true));
  ASSERT_TRUE(rows.ok()) << rows.error().message;
  EXPECT_EQ(rows->Text(0, 0), tricky);
  EXPECT_TRUE(rows->Bool(0, 1));
  EXPECT_TRUE(rows->Bool(0, 2));
  // A NUL byte is refused, never silently cut off.
  Result<Rows> nul = conn->Exec("SELECT $1::text", Params().Add(std::string("a\0b", 3)));
  EXPECT_FALSE(nul.ok());
  EXPECT_EQ(conn->last_sqlstate().substr(0, 2), "22");
}

TEST_F(PgConnectionTest, ServerErrorsCarryTheirStateAndNoValues) {
  auto conn = Open();
  ASSERT_NE(conn, nullptr);
  ASSERT_TRUE(conn->ExecScript("CREATE TEMPORARY TABLE t (v text UNIQUE)").ok());
  ASSERT_TRUE(conn->Exec("INSERT INTO t VALUES ($1)", Params().Add("secret-value")).ok());
  Result<Rows> dup = conn->Exec("INSERT INTO t VALUES ($1)", Params().Add("secret-value"));
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(conn->last_sqlstate(), "23505");
  EXPECT_EQ(dup.error().code, ErrorCode::kInternal);
  EXPECT_EQ(dup.error().message.find("secret-value"), std::string::npos) << dup.error().message;
}

TEST(PgConnectionUrlTest, AnUnreachableServerFailsWithinTheConnectTimeout) {
  ConnectionOptions options;
  options.connect_timeout = std::chrono::milliseconds(300);
  const auto start = Clock::now();
  // 192.0.2.0/24 is reserved for documentation: nothing answers there.
  Result<std::unique_ptr<Connection>> conn = Connection::Open("postgresql://u:pw123456@192.0.2.1:5432/db", options);
  ASSERT_FALSE(conn.ok());
  EXPECT_EQ(conn.error().code, ErrorCode::kUnavailable);
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(3));
  EXPECT_EQ(conn.error().message.find("pw123456"), std::string::npos);
}

TEST(PgConnectionUrlTest, UrlPasswordIsFound) {
  EXPECT_EQ(UrlPassword("postgresql://user:pa%40ss@host:5432/db?sslmode=require"), "pa%40ss");
  EXPECT_EQ(UrlPassword("postgresql://user@host/db"), "");
  EXPECT_EQ(UrlPassword("postgresql://host/db"), "");
  EXPECT_EQ(UrlPassword("postgres://u:p@h"), "p");
}

}  // namespace
}  // namespace turnpike::store::pg
