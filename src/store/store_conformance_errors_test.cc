// The Store conformance suite: a database the store cannot read. Every read answers an error
// then; none may pass for "not found", an empty list or a zero total.
#include "store/store_conformance.h"

#include "common/result_testing.h"

namespace turnpike::store {
namespace {

template <class T>
void ExpectError(const Result<T>& result, const char* read) {
  EXPECT_FALSE(result.ok()) << read << " answered a value from a database it cannot read";
}

// A database never migrated has none of the store's tables: the simplest unreadable database
// every backend can make.
TEST_P(StoreConformanceTest, ReadsOfAnUnreadableDatabaseAreErrorsNotEmpty) {
  std::unique_ptr<StoreTestDatabase> fresh = GetParam().create();
  ASSERT_NE(fresh, nullptr);
  std::unique_ptr<Store> unmigrated = fresh->Open();
  ASSERT_NE(unmigrated, nullptr);
  Store& s = *unmigrated;

  ExpectError(s.FindUserByEmail("a@example.com"), "FindUserByEmail");
  ExpectError(s.FindUserById(1), "FindUserById");
  ExpectError(s.CountUsers(), "CountUsers");
  ExpectError(s.ListUsers(0, 10), "ListUsers");
  ExpectError(s.FindKeyByHash(HashFor(1)), "FindKeyByHash");
  ExpectError(s.FindKeyById(1), "FindKeyById");
  ExpectError(s.ListKeys(1), "ListKeys");
  ExpectError(s.LoadCatalogAt(1'800'000'000), "LoadCatalogAt");
  ExpectError(s.LoadCatalog(), "LoadCatalog");
  ExpectError(s.CatalogEmpty(), "CatalogEmpty");
  ExpectError(s.CatalogVersion(), "CatalogVersion");
  ExpectError(s.ListPriceHistory("openai/gpt-4o-mini", "openai"), "ListPriceHistory");
  ExpectError(s.LedgerSum(1), "LedgerSum");
  ExpectError(s.ListLedger(1, 10), "ListLedger");
  ExpectError(s.ListHistory(1, HistoryQuery{}), "ListHistory");
  ExpectError(s.TotalCredited(1), "TotalCredited");
  ExpectError(s.TotalSpent(1), "TotalSpent");
  ExpectError(s.FindRequestLog("gen-1"), "FindRequestLog");
  ExpectError(s.ListRequestLogs(1, 10), "ListRequestLogs");
  ExpectError(s.QueryRequestLogs(LogQuery{.user_id = 1}), "QueryRequestLogs");
  ExpectError(s.Activity(ActivityQuery{.user_id = 1}), "Activity");
  ExpectError(s.RequestLogBytes(), "RequestLogBytes");
  ExpectError(s.SweepRequestLogs(LogRetention{.older_than_ms = 1, .max_bytes = 1}), "SweepRequestLogs");
  ExpectError(s.FindSession(std::string(64, 'a'), 0), "FindSession");
  ExpectError(s.FindTopup("sandbox", "sbx_1"), "FindTopup");
  ExpectError(s.ListTopups(1, 10), "ListTopups");
}

// The same reads on the migrated, empty database of the fixture: absent, empty and zero are
// values there.
TEST_P(StoreConformanceTest, ReadsOfAnEmptyDatabaseAreValues) {
  EXPECT_EQ(Must(store_->FindUserById(1)), std::nullopt);
  EXPECT_EQ(Must(store_->CountUsers()), 0);
  EXPECT_TRUE(Must(store_->ListKeys(1)).empty());
  EXPECT_EQ(Must(store_->TotalSpent(1)), 0);
  EXPECT_TRUE(Must(store_->ListTopups(1, 10)).empty());
  EXPECT_FALSE(Must(store_->FindRequestLog("gen-1")).has_value());
  EXPECT_EQ(Must(store_->RequestLogBytes()), 0);
  EXPECT_EQ(Must(store_->SweepRequestLogs(LogRetention{.older_than_ms = 1, .max_bytes = 1})).deleted, 0);
}

}  // namespace
}  // namespace turnpike::store
