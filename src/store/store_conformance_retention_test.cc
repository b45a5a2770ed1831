// The Store conformance suite, part 6: the request log's retention — its running size, the
// sweeper's deletes by age and by size, and list reads that leave the text columns behind.
#include <vector>

#include "common/result_testing.h"
#include "store/store_conformance.h"

namespace turnpike::store {
namespace {

constexpr int64_t kDayMs = 86'400'000;
constexpr int64_t kDay0 = 1'764'288'000'000;  // 2025-11-28T00:00:00Z

RequestLogRow TextRow(const std::string& id, int64_t created_at_ms, size_t text_bytes) {
  RequestLogRow row;
  row.request_id = id;
  row.user_id = 1;
  row.key_id = 7;
  row.model_id = "a/x";
  row.provider_id = "openai";
  row.http_status = 200;
  row.prompt_tokens = 10;
  row.completion_tokens = 3;
  row.cost = 100;
  row.created_at = created_at_ms;
  row.prompt_text = std::string(text_bytes, 'p');
  row.completion_text = "done";
  row.attempts = {Attempt{"openai", 200, "", 5}};
  return row;
}

int64_t SizeOf(const std::vector<RequestLogRow>& rows) {
  int64_t size = 0;
  for (const RequestLogRow& row : rows) size += RowBytes(row, AttemptsJson(row.attempts), RoutingJson(row.routing));
  return size;
}

std::vector<std::string> Ids(Store& store) {
  std::vector<std::string> ids;
  for (const RequestLogRow& row : Must(store.QueryRequestLogs(LogQuery{.user_id = 1, .limit = 200}))) {
    ids.insert(ids.begin(), row.request_id);  // oldest first
  }
  return ids;
}

TEST_P(StoreConformanceTest, RequestLogSizeIsTheSumOfItsRows) {
  EXPECT_EQ(Must(store_->RequestLogBytes()), 0);
  std::vector<RequestLogRow> rows = {TextRow("s0", kDay0, 100), TextRow("s1", kDay0 + 1, 2'000)};
  rows[1].error_message = "upstream failed: é";
  ASSERT_TRUE(store_->AppendRequestLogs(rows).ok());
  EXPECT_EQ(Must(store_->RequestLogBytes()), SizeOf(rows));
  EXPECT_GT(SizeOf(rows), 2 * kRowOverheadBytes + 2'100);
  // A row appended again is ignored and not counted again.
  ASSERT_TRUE(store_->AppendRequestLogs({rows[1], TextRow("s2", kDay0 + 2, 10)}).ok());
  EXPECT_EQ(Must(store_->RequestLogBytes()), SizeOf({rows[0], rows[1], TextRow("s2", kDay0 + 2, 10)}));
}

TEST_P(StoreConformanceTest, SweepDeletesRowsOlderThanTheRetentionInBatchesAndKeepsTheRollups) {
  std::vector<RequestLogRow> rows;
  // Inserted out of time order: age, not id, decides.
  for (int i = 0; i < 5; ++i) rows.push_back(TextRow("old" + std::to_string(i), kDay0 + (4 - i) * 1'000, 50));
  for (int i = 0; i < 3; ++i) rows.push_back(TextRow("new" + std::to_string(i), kDay0 + 2 * kDayMs + i, 50));
  ASSERT_TRUE(store_->AppendRequestLogs(rows).ok());
  const auto before = Must(store_->Activity(ActivityQuery{.user_id = 1}));

  LogRetention retention{.older_than_ms = kDay0 + kDayMs, .batch = 2};
  LogSweep first = Must(store_->SweepRequestLogs(retention));
  EXPECT_EQ(first.deleted, 2);
  EXPECT_TRUE(first.more);
  // The oldest by age went first: old4 and old3 were created first.
  EXPECT_FALSE(Must(store_->FindRequestLog("old4")).has_value());
  EXPECT_FALSE(Must(store_->FindRequestLog("old3")).has_value());
  EXPECT_TRUE(Must(store_->FindRequestLog("old0")).has_value());
  int64_t deleted = first.deleted;
  for (int calls = 0; calls < 10; ++calls) {
    LogSweep sweep = Must(store_->SweepRequestLogs(retention));
    deleted += sweep.deleted;
    if (!sweep.more) break;
  }
  EXPECT_EQ(deleted, 5);
  EXPECT_EQ(Ids(*store_), (std::vector<std::string>{"new0", "new1", "new2"}));
  EXPECT_EQ(Must(store_->RequestLogBytes()), SizeOf({rows[5], rows[6], rows[7]}));
  // Nothing left to delete.
  LogSweep idle = Must(store_->SweepRequestLogs(retention));
  EXPECT_EQ(idle.deleted, 0);
  EXPECT_FALSE(idle.more);

  // The activity rollups still count every request.
  const auto after = Must(store_->Activity(ActivityQuery{.user_id = 1}));
  ASSERT_EQ(after.size(), before.size());
  int64_t requests = 0;
  for (size_t i = 0; i < after.size(); ++i) {
    EXPECT_EQ(after[i].group, before[i].group);
    EXPECT_EQ(after[i].requests, before[i].requests);
    EXPECT_EQ(after[i].cost, before[i].cost);
    requests += after[i].requests;
  }
  EXPECT_EQ(requests, 8);
}

TEST_P(StoreConformanceTest, SweepDeletesTheOldestRowsUntilTheLogFitsItsSize) {
  std::vector<RequestLogRow> rows;
  for (int i = 0; i < 6; ++i) rows.push_back(TextRow("r" + std::to_string(i), kDay0 + i, 1'000 * (i + 1)));
  ASSERT_TRUE(store_->AppendRequestLogs(rows).ok());
  // Room for the three newest rows and a little more, not for the fourth newest.
  const int64_t cap = SizeOf({rows[3], rows[4], rows[5]}) + 100;

  LogSweep sweep = Must(store_->SweepRequestLogs(LogRetention{.max_bytes = cap, .batch = 500}));
  EXPECT_EQ(sweep.deleted, 3);
  EXPECT_EQ(sweep.deleted_bytes, SizeOf({rows[0], rows[1], rows[2]}));
  EXPECT_FALSE(sweep.more);
  EXPECT_EQ(Ids(*store_), (std::vector<std::string>{"r3", "r4", "r5"}));
  EXPECT_EQ(Must(store_->RequestLogBytes()), SizeOf({rows[3], rows[4], rows[5]}));
  EXPECT_LE(Must(store_->RequestLogBytes()), cap);

  // In batches of one: a call a row, each saying whether there is more.
  ASSERT_TRUE(store_->AppendRequestLogs({TextRow("r6", kDay0 + 6, 6'000), TextRow("r7", kDay0 + 7, 5'000)}).ok());
  LogRetention one{.max_bytes = cap, .batch = 1};
  std::vector<bool> more;
  for (int calls = 0; calls < 10; ++calls) {
    LogSweep s = Must(store_->SweepRequestLogs(one));
    EXPECT_EQ(s.deleted, 1);
    more.push_back(s.more);
    if (!s.more) break;
  }
  EXPECT_EQ(more, (std::vector<bool>{true, true, false}));  // r3, r4, then r5 brings it under the cap
  EXPECT_EQ(Ids(*store_), (std::vector<std::string>{"r6", "r7"}));
  EXPECT_LE(Must(store_->RequestLogBytes()), cap);
  EXPECT_EQ(Must(store_->SweepRequestLogs(one)).deleted, 0);

  // No cap and no age: nothing goes.
  LogSweep none = Must(store_->SweepRequestLogs(LogRetention{}));
  EXPECT_EQ(none.deleted, 0);
  EXPECT_FALSE(none.more);
}

TEST_P(StoreConformanceTest, RequestLogListsLeaveTheTextColumnsBehind) {
  RequestLogRow row = TextRow("t0", kDay0, 300);
  row.completion_text = "the answer";
  row.error_message = "partly failed";
  ASSERT_TRUE(store_->AppendRequestLogs({row}).ok());
  for (const auto& listed :
       {Must(store_->QueryRequestLogs(LogQuery{.user_id = 1})), Must(store_->ListRequestLogs(1, 10))}) {
    ASSERT_EQ(listed.size(), 1u);
    EXPECT_EQ(listed[0].prompt_text, "");
    EXPECT_EQ(listed[0].completion_text, "");
    EXPECT_TRUE(listed[0].attempts.empty());
    EXPECT_EQ(listed[0].error_message, "partly failed");
    EXPECT_EQ(listed[0].prompt_tokens, 10);
  }
  std::optional<RequestLogRow> found = Must(store_->FindRequestLog("t0"));
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->prompt_text, row.prompt_text);
  EXPECT_EQ(found->completion_text, "the answer");
  ASSERT_EQ(found->attempts.size(), 1u);
}

}  // namespace
}  // namespace turnpike::store
