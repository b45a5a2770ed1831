// The control API when the store cannot be read: 500 in the error shape, never 404, an empty
// list or zero totals, and the store's message is not sent.
#include <gtest/gtest.h>

#include "control/api_test_fixture.h"

namespace turnpike::control {
namespace {

Error Broken() { return MakeError(ErrorCode::kInternal, "sqlite: disk I/O error"); }

// A request log whose every read fails.
class BrokenRequestLog : public store::RequestLogStore {
 public:
  Status AppendRequestLogs(const std::vector<store::RequestLogRow>&) override { return Broken(); }
  Result<std::optional<store::RequestLogRow>> FindRequestLog(const std::string&) override { return Broken(); }
  Result<std::vector<store::RequestLogRow>> ListRequestLogs(int64_t, int) override { return Broken(); }
  Result<std::vector<store::RequestLogRow>> QueryRequestLogs(const store::LogQuery&) override { return Broken(); }
  Result<std::vector<store::ActivityBucket>> Activity(const store::ActivityQuery&) override { return Broken(); }
  Result<store::LogSweep> SweepRequestLogs(const store::LogRetention&) override { return Broken(); }
  Result<int64_t> RequestLogBytes() override { return Broken(); }
};

// A ledger whose reads fail; its writes go to the real store.
class BrokenLedgerReads : public store::Ledger {
 public:
  explicit BrokenLedgerReads(store::Ledger& writes) : writes_(writes) {}
  Status Credit(int64_t user_id, store::Micros amount, const std::string& kind, const std::string& id,
                const std::string& note) override {
    return writes_.Credit(user_id, amount, kind, id, note);
  }
  Status Debit(int64_t user_id, store::Micros amount, const std::string& id, const std::string& note) override {
    return writes_.Debit(user_id, amount, id, note);
  }
  store::HoldResult Hold(const store::HoldRequest& hold, int64_t now) override { return writes_.Hold(hold, now); }
  Status Settle(const std::string& request_id, store::Micros actual) override {
    return writes_.Settle(request_id, actual);
  }
  Result<int> ReleaseStaleHolds(int64_t older_than) override { return writes_.ReleaseStaleHolds(older_than); }
  Result<std::vector<std::string>> HoldOwners() override { return writes_.HoldOwners(); }
  Result<int> ReleaseHoldsOf(const std::string& owner) override { return writes_.ReleaseHoldsOf(owner); }
  store::LeaseResult Lease(const store::LeaseRequest& lease, int64_t now) override { return writes_.Lease(lease, now); }
  Status ReturnLease(const std::string& owner, int64_t key_id) override { return writes_.ReturnLease(owner, key_id); }
  Status Charge(const store::ChargeRequest& charge) override { return writes_.Charge(charge); }
  Result<store::Micros> LedgerSum(int64_t) override { return Broken(); }
  Result<std::vector<store::LedgerEntry>> ListLedger(int64_t, int, int64_t) override { return Broken(); }
  Result<std::vector<store::HistoryLine>> ListHistory(int64_t, const store::HistoryQuery&) override { return Broken(); }
  Result<store::Micros> TotalCredited(int64_t) override { return Broken(); }
  Result<store::Micros> TotalSpent(int64_t) override { return Broken(); }

 private:
  store::Ledger& writes_;
};

class ApiStoreErrorsTest : public ApiTest {
 protected:
  void SetUp() override {
    ApiTest::SetUp();
    ledger_ = std::make_unique<BrokenLedgerReads>(*store_);
    store::Store& s = *store_;
    api_ = std::make_unique<Api>(config_, ApiStores{s, s, s, *ledger_, request_log_, s, s}, keys_.get(), *router_,
                                 payments_.get(), std::string(40, 'k'), [this] { return now_; });
  }

  void ExpectStoreError(const Answer& a) {
    ErrorParam(a, 500);
    EXPECT_EQ(a.body.find("sqlite"), std::string::npos) << a.body;
  }

  BrokenRequestLog request_log_;
  std::unique_ptr<BrokenLedgerReads> ledger_;
};

TEST_F(ApiStoreErrorsTest, AFailedLogReadIs500Not404OrEmpty) {
  std::string token = SignUp("ann@example.com");
  ExpectStoreError(Send("GET", "/api/logs/gen-abc", "", token));
  ExpectStoreError(Send("GET", "/api/logs", "", token));
  ExpectStoreError(Send("GET", "/api/activity", "", token));
}

TEST_F(ApiStoreErrorsTest, AFailedLedgerReadIs500NotZero) {
  std::string token = SignUp("ann@example.com");
  ExpectStoreError(Send("GET", "/api/credits", "", token));
  ExpectStoreError(Send("GET", "/api/credits/transactions", "", token));
  ExpectStoreError(Send("GET", "/api/me", "", token));
}

}  // namespace
}  // namespace turnpike::control
