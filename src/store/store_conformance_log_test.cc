// The Store conformance suite, part 4: request log queries and the activity rollups.
#include <map>
#include <set>
#include <vector>

#include "common/result_testing.h"
#include "store/store_conformance.h"

namespace turnpike::store {
namespace {

constexpr int64_t kDayMs = 86'400'000;
constexpr int64_t kDay0 = 1'764'288'000'000;  // 2025-11-28T00:00:00Z

RequestLogRow Row(const std::string& id, int64_t user_id, int64_t key_id, const std::string& model, int status,
                  int64_t created_at_ms) {
  RequestLogRow row;
  row.request_id = id;
  row.user_id = user_id;
  row.key_id = key_id;
  row.model_id = model;
  row.provider_id = "openai";
  row.http_status = status;
  row.prompt_tokens = 10 + static_cast<int64_t>(id.size());
  row.completion_tokens = 3;
  row.cost = 100 + created_at_ms % 7;
  row.created_at = created_at_ms;
  return row;
}

std::vector<std::string> Ids(const std::vector<RequestLogRow>& rows) {
  std::vector<std::string> ids;
  for (const RequestLogRow& row : rows) ids.push_back(row.request_id);
  return ids;
}

TEST_P(StoreConformanceTest, RequestLogQueryFilters) {
  // Inserted in id order r0..r7; created_at is deliberately not monotonic in id.
  std::vector<RequestLogRow> rows = {
      Row("r0", 1, 7, "a/x", 200, kDay0 + 5'000), Row("r1", 1, 8, "a/x", 429, kDay0 + 1'000),
      Row("r2", 1, 7, "b/y", 200, kDay0 + 2'000), Row("r3", 2, 7, "a/x", 200, kDay0 + 3'000),
      Row("r4", 1, 7, "a/x", 500, kDay0 + 4'000), Row("r5", 1, 8, "b/y", 200, kDay0 + 6'000),
  };
  rows[2].prices = {150'000, 600'000, 75'000, 1};
  rows[2].prompt_text = "[{\"role\":\"user\",\"content\":\"hi\"}]";
  rows[2].completion_text = "hello";
  ASSERT_TRUE(store_->AppendRequestLogs(rows).ok());

  LogQuery query;
  query.user_id = 1;
  std::vector<RequestLogRow> all = Must(store_->QueryRequestLogs(query));
  EXPECT_EQ(Ids(all), (std::vector<std::string>{"r5", "r4", "r2", "r1", "r0"}));
  for (size_t i = 1; i < all.size(); ++i) EXPECT_GT(all[i - 1].id, all[i].id);
  const RequestLogRow& r2 = all[2];
  EXPECT_EQ(r2.prices.input, 150'000);
  EXPECT_EQ(r2.prices.output, 600'000);
  EXPECT_EQ(r2.prices.cache_read, 75'000);
  EXPECT_EQ(r2.prices.cache_write, 1);
  // A list leaves the text behind (RequestLogListsLeaveTheTextColumnsBehind); FindRequestLog has it.
  EXPECT_EQ(r2.prompt_text, "");
  EXPECT_EQ(r2.completion_text, "");
  std::optional<RequestLogRow> found = Must(store_->FindRequestLog("r2"));
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->id, r2.id);
  EXPECT_EQ(found->prompt_text, rows[2].prompt_text);
  EXPECT_EQ(found->completion_text, "hello");
  EXPECT_EQ(found->prices.output, 600'000);
  EXPECT_EQ(Must(store_->ListRequestLogs(1, 1))[0].id, all[0].id);

  LogQuery by_key = query;
  by_key.key_id = 8;
  EXPECT_EQ(Ids(Must(store_->QueryRequestLogs(by_key))), (std::vector<std::string>{"r5", "r1"}));
  LogQuery by_model = query;
  by_model.model_id = "a/x";
  EXPECT_EQ(Ids(Must(store_->QueryRequestLogs(by_model))), (std::vector<std::string>{"r4", "r1", "r0"}));
  LogQuery by_status = query;
  by_status.http_status = 200;
  EXPECT_EQ(Ids(Must(store_->QueryRequestLogs(by_status))), (std::vector<std::string>{"r5", "r2", "r0"}));
  LogQuery by_time = query;
  by_time.from_ms = kDay0 + 2'000;  // inclusive
  by_time.to_ms = kDay0 + 5'000;    // exclusive
  EXPECT_EQ(Ids(Must(store_->QueryRequestLogs(by_time))), (std::vector<std::string>{"r4", "r2"}));
  LogQuery combined = query;
  combined.key_id = 7;
  combined.model_id = "a/x";
  combined.http_status = 200;
  EXPECT_EQ(Ids(Must(store_->QueryRequestLogs(combined))), (std::vector<std::string>{"r0"}));
  combined.http_status = 404;
  EXPECT_TRUE(Must(store_->QueryRequestLogs(combined)).empty());
  LogQuery other_user = query;
  other_user.user_id = 2;
  EXPECT_EQ(Ids(Must(store_->QueryRequestLogs(other_user))), (std::vector<std::string>{"r3"}));
  other_user.user_id = 3;
  EXPECT_TRUE(Must(store_->QueryRequestLogs(other_user)).empty());

  LogQuery page = query;
  page.limit = 2;
  std::vector<RequestLogRow> first = Must(store_->QueryRequestLogs(page));
  EXPECT_EQ(Ids(first), (std::vector<std::string>{"r5", "r4"}));
  page.before_id = first.back().id;
  EXPECT_EQ(Ids(Must(store_->QueryRequestLogs(page))), (std::vector<std::string>{"r2", "r1"}));
  page.limit = 0;  // clamped to 1
  EXPECT_EQ(Ids(Must(store_->QueryRequestLogs(page))), (std::vector<std::string>{"r2"}));
  page.limit = -5;
  EXPECT_EQ(Must(store_->QueryRequestLogs(page)).size(), 1u);
}

TEST_P(StoreConformanceTest, RequestLogCursorPagesWithoutGapsOrRepeats) {
  constexpr int kRows = 250;
  std::set<std::string> inserted;
  for (int batch = 0; batch < 5; ++batch) {
    std::vector<RequestLogRow> rows;
    for (int i = 0; i < kRows / 5; ++i) {
      int n = batch * (kRows / 5) + i;
      std::string id = "gen-" + std::to_string(n);
      rows.push_back(Row(id, 1, 7 + n % 2, "a/x", 200, kDay0 + (n * 7'919) % 100'000));
      inserted.insert(id);
      rows.push_back(Row("other-" + std::to_string(n), 2, 9, "a/x", 200, kDay0));
    }
    ASSERT_TRUE(store_->AppendRequestLogs(rows).ok());
  }

  LogQuery big;
  big.user_id = 1;
  big.limit = 1'000;  // clamped to 200
  EXPECT_EQ(Must(store_->QueryRequestLogs(big)).size(), 200u);

  LogQuery page;
  page.user_id = 1;
  page.limit = 40;
  std::set<std::string> seen;
  int64_t previous_id = INT64_MAX;
  int pages = 0;
  while (true) {
    std::vector<RequestLogRow> rows = Must(store_->QueryRequestLogs(page));
    if (rows.empty()) break;
    ++pages;
    ASSERT_LE(rows.size(), 40u);
    for (const RequestLogRow& row : rows) {
      EXPECT_LT(row.id, previous_id);
      previous_id = row.id;
      EXPECT_TRUE(seen.insert(row.request_id).second) << "repeated " << row.request_id;
      EXPECT_EQ(row.user_id, 1);
    }
    page.before_id = rows.back().id;
    ASSERT_LT(pages, 20);
  }
  EXPECT_EQ(pages, 7);  // 6 x 40 + 10
  EXPECT_EQ(seen, inserted);
}

struct Totals {
  int64_t requests = 0, errors = 0, prompt = 0, completion = 0;
  Micros cost = 0;
};

void ExpectBuckets(const std::vector<ActivityBucket>& got, const std::map<std::string, Totals>& want) {
  ASSERT_EQ(got.size(), want.size());
  size_t i = 0;
  for (const auto& [group, totals] : want) {
    EXPECT_EQ(got[i].group, group);
    EXPECT_EQ(got[i].requests, totals.requests) << group;
    EXPECT_EQ(got[i].errors, totals.errors) << group;
    EXPECT_EQ(got[i].prompt_tokens, totals.prompt) << group;
    EXPECT_EQ(got[i].completion_tokens, totals.completion) << group;
    EXPECT_EQ(got[i].cost, totals.cost) << group;
    ++i;
  }
}

void Add(Totals& totals, const RequestLogRow& row) {
  totals.requests += 1;
  totals.errors += row.http_status >= 400 ? 1 : 0;
  totals.prompt += row.prompt_tokens;
  totals.completion += row.completion_tokens;
  totals.cost += row.cost;
}

std::string DayName(int day) { return "2025-" + std::string(day == 0 ? "11-28" : day == 1 ? "11-29" : "11-30"); }

TEST_P(StoreConformanceTest, ActivityRollupsSumTheRowsOnce) {
  // Three days, two models, keys 9 and 10 (ordered as numbers), some errors, another user.
  std::vector<RequestLogRow> rows;
  for (int n = 0; n < 60; ++n) {
    int day = n % 3;
    RequestLogRow row = Row("gen-" + std::to_string(n), 1, n % 4 == 0 ? 10 : 9, n % 5 == 0 ? "b/y" : "a/x",
                            n % 7 == 0 ? 502 : 200, kDay0 + day * kDayMs + (n * 1'000'003) % kDayMs);
    rows.push_back(row);
  }
  std::vector<RequestLogRow> first(rows.begin(), rows.begin() + 30);
  first.push_back(rows[3]);  // a duplicate inside one batch
  ASSERT_TRUE(store_->AppendRequestLogs(first).ok());
  std::vector<RequestLogRow> second(rows.begin() + 20, rows.end());  // 10 repeats
  RequestLogRow changed = rows[25];
  changed.cost = 1'000'000;  // a repeat with other numbers: still ignored
  second.push_back(changed);
  ASSERT_TRUE(store_->AppendRequestLogs(second).ok());
  ASSERT_TRUE(store_->AppendRequestLogs({Row("x-1", 2, 9, "a/x", 200, kDay0)}).ok());

  std::map<std::string, Totals> by_day, by_model, by_key;
  for (const RequestLogRow& row : rows) {
    Add(by_day[DayName(static_cast<int>((row.created_at - kDay0) / kDayMs))], row);
    Add(by_model[row.model_id], row);
  }
  for (const RequestLogRow& row : rows) Add(by_key[std::to_string(row.key_id)], row);

  ActivityQuery query;
  query.user_id = 1;
  ExpectBuckets(Must(store_->Activity(query)), by_day);
  query.group_by = "model";
  ExpectBuckets(Must(store_->Activity(query)), by_model);
  query.group_by = "key";
  std::vector<ActivityBucket> keys = Must(store_->Activity(query));
  ASSERT_EQ(keys.size(), 2u);
  EXPECT_EQ(keys[0].group, "9");  // by key id, not as text
  EXPECT_EQ(keys[1].group, "10");
  std::swap(keys[0], keys[1]);
  ExpectBuckets(keys, by_key);

  // [from, to) at day granularity: from rounds down into day 1, to rounds down to day 2.
  query.group_by = "day";
  query.from_ms = kDay0 + kDayMs + 5'000;
  query.to_ms = kDay0 + 2 * kDayMs + 5'000;
  std::vector<ActivityBucket> one_day = Must(store_->Activity(query));
  ASSERT_EQ(one_day.size(), 1u);
  EXPECT_EQ(one_day[0].group, "2025-11-29");
  EXPECT_EQ(one_day[0].requests, by_day["2025-11-29"].requests);
  query.from_ms = kDay0 + 3 * kDayMs;
  query.to_ms = INT64_MAX;
  EXPECT_TRUE(Must(store_->Activity(query)).empty());

  query = ActivityQuery{};
  query.user_id = 2;
  std::vector<ActivityBucket> other = Must(store_->Activity(query));
  ASSERT_EQ(other.size(), 1u);
  EXPECT_EQ(other[0].requests, 1);
  query.user_id = 3;
  EXPECT_TRUE(Must(store_->Activity(query)).empty());
}

TEST_P(StoreConformanceTest, ActivitySplitsDaysByModelOrKey) {
  std::vector<RequestLogRow> rows;
  for (int n = 0; n < 40; ++n) {
    rows.push_back(Row("gen-s" + std::to_string(n), 1, n % 4 == 0 ? 10 : 9, n % 5 == 0 ? "b/y" : "a/x",
                       n % 7 == 0 ? 500 : 200, kDay0 + (n % 2) * kDayMs + n * 1000));
  }
  ASSERT_TRUE(store_->AppendRequestLogs(rows).ok());
  std::map<std::pair<std::string, std::string>, Totals> by_day_model, by_day_key;
  for (const RequestLogRow& row : rows) {
    std::string day = DayName(static_cast<int>((row.created_at - kDay0) / kDayMs));
    Add(by_day_model[{day, row.model_id}], row);
    Add(by_day_key[{day, std::to_string(row.key_id)}], row);
  }
  ActivityQuery query;
  query.user_id = 1;
  query.split_by = "model";
  std::vector<ActivityBucket> got = Must(store_->Activity(query));
  ASSERT_EQ(got.size(), by_day_model.size());
  size_t i = 0;
  for (const auto& [group, totals] : by_day_model) {
    EXPECT_EQ(got[i].group, group.first);
    EXPECT_EQ(got[i].series, group.second);
    EXPECT_EQ(got[i].requests, totals.requests);
    EXPECT_EQ(got[i].errors, totals.errors);
    EXPECT_EQ(got[i].cost, totals.cost);
    ++i;
  }
  query.split_by = "key";
  got = Must(store_->Activity(query));
  ASSERT_EQ(got.size(), by_day_key.size());
  Totals sum;
  for (const ActivityBucket& b : got) {
    auto want = by_day_key.at({b.group, b.series});
    EXPECT_EQ(b.requests, want.requests) << b.group << " " << b.series;
    EXPECT_EQ(b.prompt_tokens, want.prompt);
    sum.requests += b.requests;
  }
  EXPECT_EQ(sum.requests, 40);
  query.split_by = "";
  for (const ActivityBucket& b : Must(store_->Activity(query)))
    EXPECT_EQ(b.series, "") << "unsplit buckets name no series";
  query.group_by = "model";
  query.split_by = "key";
  EXPECT_TRUE(Must(store_->Activity(query)).empty()) << "split_by needs group_by day";
}

TEST_P(StoreConformanceTest, RequestLogKeepsEveryAttempt) {
  RequestLogRow row = Row("gen-attempts", 1, 9, "a/x", 200, kDay0);
  row.attempts = {Attempt{"cheap", 503, "provider cheap answered 503: \"overloaded\"", 12},
                  Attempt{"slow", 0, "timed out connecting", 5000}, Attempt{"pricey", 200, "", 40}};
  RequestLogRow none = Row("gen-no-attempts", 1, 9, "a/x", 400, kDay0);
  ASSERT_TRUE(store_->AppendRequestLogs({row, none}).ok());
  auto got = Must(store_->FindRequestLog("gen-attempts"));
  ASSERT_TRUE(got.has_value());
  ASSERT_EQ(got->attempts.size(), 3u);
  EXPECT_EQ(got->attempts[0].provider, "cheap");
  EXPECT_EQ(got->attempts[0].status, 503);
  EXPECT_EQ(got->attempts[0].error, "provider cheap answered 503: \"overloaded\"");
  EXPECT_EQ(got->attempts[0].latency_ms, 12);
  EXPECT_EQ(got->attempts[1].status, 0);
  EXPECT_EQ(got->attempts[1].latency_ms, 5000);
  EXPECT_EQ(got->attempts[2].provider, "pricey");
  EXPECT_EQ(got->attempts[2].error, "");
  EXPECT_TRUE(Must(store_->FindRequestLog("gen-no-attempts"))->attempts.empty());
}

TEST_P(StoreConformanceTest, RequestLogKeepsTheRoutingExplanation) {
  RequestLogRow row = Row("gen-routing", 1, 9, "a/x", 200, kDay0);
  row.routing = {
      RoutingStep{"cheap", "a/x", "failed", 503, ""}, RoutingStep{"slow", "a/x", "failed", 0, ""},
      RoutingStep{"pricey", "a/x", "answered", 0, ""}, RoutingStep{"spare", "a/y", "not needed", 0, ""},
      RoutingStep{"odd", "a/x", "skipped", 0, "does not support 'tools' (\"provider\".require_parameters) é"}};
  RequestLogRow none = Row("gen-no-routing", 1, 9, "a/x", 401, kDay0);
  ASSERT_TRUE(store_->AppendRequestLogs({row, none}).ok());
  auto got = Must(store_->FindRequestLog("gen-routing"));
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->routing, row.routing);
  EXPECT_TRUE(Must(store_->FindRequestLog("gen-no-routing"))->routing.empty());
}

}  // namespace
}  // namespace turnpike::store
