// LogSweeper: one sweep deletes, batch after batch, every row past the retention, by age and by
// size, on a real (in-memory SQLite) store; the thread sweeps on its own.
#include "store/log_sweeper.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "common/result_testing.h"
#include "store/store_testing.h"

namespace turnpike::store {
namespace {

constexpr int64_t kDayMs = 86'400'000;
constexpr int64_t kNow = 1'764'288'000'000;

RequestLogRow At(const std::string& id, int64_t created_at, size_t text = 100) {
  RequestLogRow row;
  row.request_id = id;
  row.user_id = 1;
  row.key_id = 1;
  row.model_id = "a/x";
  row.http_status = 200;
  row.created_at = created_at;
  row.prompt_text = std::string(text, 'p');
  return row;
}

class LogSweeperTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = MigratedMemoryStore();
    ASSERT_NE(store_, nullptr);
  }
  size_t Rows() { return Must(store_->QueryRequestLogs(LogQuery{.user_id = 1, .limit = 200})).size(); }
  std::unique_ptr<Store> store_;
};

TEST_F(LogSweeperTest, OneSweepDeletesEveryRowOlderThanTheRetentionInBatches) {
  std::vector<RequestLogRow> rows;
  for (int i = 0; i < 7; ++i) rows.push_back(At("old" + std::to_string(i), kNow - 31 * kDayMs + i));
  for (int i = 0; i < 2; ++i) rows.push_back(At("new" + std::to_string(i), kNow - 29 * kDayMs + i));
  ASSERT_TRUE(store_->AppendRequestLogs(rows).ok());
  // Both limits off: no thread, and a sweep deletes nothing.
  LogSweeper::Options options{.retention_days = 0, .max_bytes = 0, .batch = 2};
  LogSweeper idle(*store_, options);
  EXPECT_EQ(idle.SweepOnce(), 0);
  EXPECT_EQ(Rows(), 9u);
  // The thread's first sweep runs at once; the next would be an hour later, so the seven old
  // rows, in batches of two, all go in that one sweep.
  options.retention_days = 30;
  options.now_ms = [] { return kNow; };
  options.interval = std::chrono::hours(1);
  LogSweeper sweeper(*store_, options);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (Rows() > 2 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_EQ(Rows(), 2u);
  EXPECT_FALSE(Must(store_->FindRequestLog("old6")).has_value());
  EXPECT_TRUE(Must(store_->FindRequestLog("new0")).has_value());
}

TEST_F(LogSweeperTest, TheThreadKeepsTheLogUnderItsSize) {
  LogSweeper sweeper(
      *store_,
      {.retention_days = 0, .max_bytes = 5'000, .interval = std::chrono::milliseconds(10), .batch = 3, .now_ms = [] {
         return kNow;
       }});
  for (int i = 0; i < 40; ++i)
    ASSERT_TRUE(store_->AppendRequestLogs({At("r" + std::to_string(i), kNow + i, 900)}).ok());
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (Must(store_->RequestLogBytes()) > 5'000 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_LE(Must(store_->RequestLogBytes()), 5'000);
  EXPECT_TRUE(Must(store_->FindRequestLog("r39")).has_value());
  EXPECT_FALSE(Must(store_->FindRequestLog("r0")).has_value());
}

}  // namespace
}  // namespace turnpike::store
