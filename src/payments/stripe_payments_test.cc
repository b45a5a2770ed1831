// The Stripe provider against an in-memory store and a scripted transport (no network).
#include "payments/stripe_payments.h"
#include "store/store_testing.h"

#include <gtest/gtest.h>

#include <atomic>
#include <boost/json.hpp>
#include <map>
#include <mutex>
#include <thread>

#include "common/crypto.h"
#include "common/result_testing.h"
#include "store/store.h"

namespace turnpike::payments {
namespace {

constexpr char kKey[] = "sk_test_unit_secret_key_0123456789";
constexpr char kHook[] = "whsec_unit_webhook_secret_0123456789";
constexpr int64_t kNow = 1'800'000'000;

// Splits a form body (values percent-decoded) for checking what was sent.
std::map<std::string, std::string> ParseForm(const std::string& body) {
  auto decode = [](std::string_view s) {
    std::string out;
    for (size_t i = 0; i < s.size(); ++i) {
      if (s[i] == '%' && i + 2 < s.size()) {
        out.push_back(static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16)));
        i += 2;
      } else {
        out.push_back(s[i]);
      }
    }
    return out;
  };
  std::map<std::string, std::string> fields;
  size_t pos = 0;
  while (pos < body.size()) {
    size_t amp = std::min(body.find('&', pos), body.size());
    std::string_view item(body.data() + pos, amp - pos);
    size_t eq = item.find('=');
    fields[decode(item.substr(0, eq))] = decode(item.substr(eq + 1));
    pos = amp + 1;
  }
  return fields;
}

class StripePaymentsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { ASSERT_TRUE(crypto::InitCrypto()); }

  void SetUp() override {
    store_ = store::MigratedMemoryStore();
    ASSERT_TRUE(store_);
    auto id = store_->CreateUser("payer@example.com", "x", false);
    ASSERT_TRUE(id.ok());
    user_ = *Must(store_->FindUserById(*id));
    options_.api_base = "https://stripe.fake/";
    options_.secret_key = kKey;
    options_.webhook_secret = kHook;
    Make();
  }

  void Make() {
    stripe_ = std::make_unique<StripePayments>(*store_, options_,
                                               [this](const net::UpstreamRequest& r, const net::BlockingLimits&) {
                                                 std::lock_guard lock(mu_);
                                                 sent_.push_back(r);
                                                 return answer_;
                                               });
  }

  // Answers the next create call like Stripe does.
  void AnswerSession(const std::string& id, int64_t cents) {
    answer_ = net::BlockingResponse{
        200, boost::json::serialize(boost::json::object{{"id", id},
                                                        {"object", "checkout.session"},
                                                        {"url", "https://checkout.stripe.com/c/pay/" + id},
                                                        {"amount_total", cents},
                                                        {"currency", "usd"},
                                                        {"payment_status", "unpaid"}})};
  }

  std::string Event(const std::string& type, const std::string& session, int64_t cents,
                    const std::string& payment_status = "paid", std::string user = "",
                    const std::string& currency = "usd") {
    if (user.empty()) user = std::to_string(user_.id);
    boost::json::object metadata;
    if (user != "-") metadata["turnpike_user_id"] = user;
    boost::json::object object{{"id", session},        {"object", "checkout.session"},     {"amount_total", cents},
                               {"currency", currency}, {"payment_status", payment_status}, {"metadata", metadata}};
    return boost::json::serialize(boost::json::object{
        {"id", "evt_" + crypto::RandomHex(8)}, {"object", "event"}, {"type", type}, {"data", {{"object", object}}}});
  }

  Result<WebhookOutcome> Deliver(const std::string& body, int64_t signed_at = kNow, const std::string& secret = kHook) {
    Headers headers{{"Content-Type", "application/json"},
                    {"Stripe-Signature", StripeSignatureHeader(secret, signed_at, body)}};
    return stripe_->HandleWebhook(headers, body, kNow);
  }

  Checkout Pending(const std::string& session, money::Micros amount) {
    AnswerSession(session, amount / 10'000);
    auto c = stripe_->CreateCheckout(user_, amount, "http://localhost:3000");
    EXPECT_TRUE(c.ok()) << c.error().message;
    return c.ok() ? *c : Checkout{};
  }

  int64_t Balance() { return Must(store_->FindUserById(user_.id))->balance; }

  std::unique_ptr<store::Store> store_;
  store::User user_;
  StripeOptions options_;
  std::unique_ptr<StripePayments> stripe_;
  std::mutex mu_;
  std::vector<net::UpstreamRequest> sent_;
  Result<net::BlockingResponse> answer_ = net::BlockingResponse{500, ""};
};

TEST_F(StripePaymentsTest, CheckoutCreatesASessionAndAPendingTopup) {
  Checkout c = Pending("cs_test_abc", 12'340'000);
  EXPECT_EQ(c.external_id, "cs_test_abc");
  EXPECT_EQ(c.checkout_url, "https://checkout.stripe.com/c/pay/cs_test_abc");
  EXPECT_FALSE(c.completed_immediately);

  ASSERT_EQ(sent_.size(), 1u);
  const auto& r = sent_[0];
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.url, "https://stripe.fake/v1/checkout/sessions");
  EXPECT_EQ(FindHeader(r.headers, "authorization"), std::string("Bearer ") + kKey);
  EXPECT_EQ(FindHeader(r.headers, "content-type"), "application/x-www-form-urlencoded");
  EXPECT_EQ(FindHeader(r.headers, "stripe-version"), kStripeApiVersion) << "the API version is pinned";
  auto form = ParseForm(r.body);
  EXPECT_EQ(form["mode"], "payment");
  EXPECT_EQ(form["line_items[0][price_data][currency]"], "usd");
  EXPECT_EQ(form["line_items[0][price_data][unit_amount]"], "1234");
  EXPECT_EQ(form["line_items[0][price_data][product_data][name]"], "Turnpike credits");
  EXPECT_EQ(form["line_items[0][quantity]"], "1");
  EXPECT_EQ(form["success_url"], "http://localhost:3000/credits?checkout=success&session_id={CHECKOUT_SESSION_ID}");
  EXPECT_EQ(form["cancel_url"], "http://localhost:3000/credits?checkout=cancelled");
  EXPECT_EQ(form["client_reference_id"], "turnpike-user-" + std::to_string(user_.id));
  EXPECT_EQ(form["metadata[turnpike_user_id]"], std::to_string(user_.id));

  auto topup = Must(store_->FindTopup("stripe", "cs_test_abc"));
  ASSERT_TRUE(topup.has_value());
  EXPECT_EQ(topup->status, "pending");
  EXPECT_EQ(topup->amount, 12'340'000);
  EXPECT_EQ(topup->user_id, user_.id);
  EXPECT_EQ(Balance(), 0);
}

TEST_F(StripePaymentsTest, ConfiguredReturnUrlsWin) {
  options_.success_url = "https://dash.example.com/paid";
  options_.cancel_url = "https://dash.example.com/not-paid";
  Make();
  auto form = stripe_->SessionForm(user_, 1'000'000, "");
  ASSERT_TRUE(form.ok()) << form.error().message;
  std::map<std::string, std::string> fields(form->begin(), form->end());
  EXPECT_EQ(fields["success_url"], "https://dash.example.com/paid");
  EXPECT_EQ(fields["cancel_url"], "https://dash.example.com/not-paid");
  options_.success_url.clear();
  Make();
  EXPECT_FALSE(stripe_->SessionForm(user_, 1'000'000, "").ok());          // nowhere to return to
  EXPECT_FALSE(stripe_->SessionForm(user_, 1'000'001, "http://a").ok());  // not whole cents
}

TEST_F(StripePaymentsTest, StripeFailuresCreateNothingAndLeakNoSecret) {
  const std::vector<std::pair<Result<net::BlockingResponse>, ErrorCode>> cases = {
      {net::BlockingResponse{401, R"({"error":{"message":"Invalid API Key provided: )" + std::string(kKey) + R"("}})"},
       ErrorCode::kUpstream},
      {net::BlockingResponse{500, "<html>oops</html>"}, ErrorCode::kUpstream},
      {net::BlockingResponse{200, "not json"}, ErrorCode::kUpstream},
      {net::BlockingResponse{200, R"({"id":"cs_nourl","amount_total":100})"}, ErrorCode::kUpstream},
      {net::BlockingResponse{200, R"({"id":"cs_wrong","url":"https://x","amount_total":999})"}, ErrorCode::kUpstream},
      {MakeError(ErrorCode::kTimeout, "stripe.fake did not answer in time"), ErrorCode::kUpstream},
      {MakeError(ErrorCode::kUpstream, "cannot reach stripe.fake"), ErrorCode::kUpstream},
  };
  for (const auto& [answer, code] : cases) {
    answer_ = answer;
    auto c = stripe_->CreateCheckout(user_, 1'000'000, "http://localhost:3000");
    ASSERT_FALSE(c.ok());
    EXPECT_EQ(c.error().code, code) << c.error().message;
    EXPECT_EQ(c.error().message.find(kKey), std::string::npos) << c.error().message;
  }
  EXPECT_TRUE(Must(store_->ListTopups(user_.id, 10)).empty());
}

TEST_F(StripePaymentsTest, PaidWebhookCreditsExactlyOnce) {
  Pending("cs_once", 5'000'000);
  std::string body = Event("checkout.session.completed", "cs_once", 500);
  auto first = Deliver(body);
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_EQ(*first, WebhookOutcome::kCredited);
  EXPECT_EQ(Balance(), 5'000'000);
  for (int i = 0; i < 4; ++i) {
    auto again = Deliver(body, kNow - i);  // Stripe re-signs each delivery
    ASSERT_TRUE(again.ok()) << again.error().message;
    EXPECT_EQ(*again, WebhookOutcome::kAlreadyCredited);
  }
  EXPECT_EQ(Balance(), 5'000'000);
  EXPECT_EQ(Must(store_->LedgerSum(user_.id)), 5'000'000);
  auto topup = Must(store_->FindTopup("stripe", "cs_once"));
  EXPECT_EQ(topup->status, "completed");
  EXPECT_EQ(topup->completed_at, kNow);
}

TEST_F(StripePaymentsTest, ConcurrentDeliveriesCreditOnce) {
  Pending("cs_race", 2'500'000);
  std::string body = Event("checkout.session.completed", "cs_race", 250);
  std::atomic<int> credited{0}, already{0}, failed{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&] {
      auto r = Deliver(body);
      if (!r.ok())
        ++failed;
      else if (*r == WebhookOutcome::kCredited)
        ++credited;
      else if (*r == WebhookOutcome::kAlreadyCredited)
        ++already;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(credited.load(), 1);
  EXPECT_EQ(already.load(), 7);
  EXPECT_EQ(failed.load(), 0);
  EXPECT_EQ(Balance(), 2'500'000);
  EXPECT_EQ(Must(store_->LedgerSum(user_.id)), 2'500'000);
}

TEST_F(StripePaymentsTest, BadDeliveriesChangeNothing) {
  Pending("cs_bad", 3'000'000);
  std::string good = Event("checkout.session.completed", "cs_bad", 300);
  auto expect = [&](Result<WebhookOutcome> r, ErrorCode code, const char* what) {
    ASSERT_FALSE(r.ok()) << what;
    EXPECT_EQ(r.error().code, code) << what << ": " << r.error().message;
    EXPECT_EQ(r.error().message.find(kHook), std::string::npos);
  };
  expect(stripe_->HandleWebhook({}, good, kNow), ErrorCode::kBadRequest, "no signature");
  expect(Deliver(good, kNow, "whsec_forged"), ErrorCode::kBadRequest, "wrong secret");
  expect(Deliver(good, kNow - 301), ErrorCode::kBadRequest, "stale");
  {
    Headers headers{{"Stripe-Signature", StripeSignatureHeader(kHook, kNow, good)}};
    std::string tampered = Event("checkout.session.completed", "cs_bad", 300000);
    expect(stripe_->HandleWebhook(headers, tampered, kNow), ErrorCode::kBadRequest, "tampered body");
  }
  expect(Deliver(Event("checkout.session.completed", "cs_bad", 299)), ErrorCode::kBadRequest, "wrong amount");
  expect(Deliver(Event("checkout.session.completed", "cs_bad", 300, "paid", "", "eur")), ErrorCode::kBadRequest,
         "wrong currency");
  expect(Deliver(Event("checkout.session.completed", "cs_bad", 300, "paid", "999")), ErrorCode::kBadRequest,
         "another user");
  expect(Deliver(Event("checkout.session.completed", "cs_unknown", 300)), ErrorCode::kNotFound, "unknown session");
  expect(Deliver("not json"), ErrorCode::kBadRequest, "signed garbage");
  EXPECT_EQ(Balance(), 0);
  EXPECT_EQ(Must(store_->FindTopup("stripe", "cs_bad"))->status, "pending");
  // The real one still works afterwards.
  auto ok = Deliver(good);
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  EXPECT_EQ(*ok, WebhookOutcome::kCredited);
  EXPECT_EQ(Balance(), 3'000'000);
}

// A session that expired (the customer never paid) or whose delayed payment failed ends its
// top-up as failed, not pending forever; nothing is credited, and a repeat changes nothing.
TEST_F(StripePaymentsTest, ExpiredOrFailedSessionsEndTheirTopupAsFailed) {
  Pending("cs_expired", 1'000'000);
  Pending("cs_declined", 2'000'000);
  auto expired = Deliver(Event("checkout.session.expired", "cs_expired", 100, "unpaid"));
  ASSERT_TRUE(expired.ok()) << expired.error().message;
  EXPECT_EQ(*expired, WebhookOutcome::kFailed);
  EXPECT_EQ(Must(store_->FindTopup("stripe", "cs_expired"))->status, "failed");
  auto again = Deliver(Event("checkout.session.expired", "cs_expired", 100, "unpaid"));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, WebhookOutcome::kIgnored) << "a repeated delivery changes nothing";
  auto declined = Deliver(Event("checkout.session.async_payment_failed", "cs_declined", 200, "unpaid"));
  ASSERT_TRUE(declined.ok()) << declined.error().message;
  EXPECT_EQ(*declined, WebhookOutcome::kFailed);
  EXPECT_EQ(Must(store_->FindTopup("stripe", "cs_declined"))->status, "failed");
  // A paid event for a failed top-up credits nothing.
  EXPECT_FALSE(Deliver(Event("checkout.session.completed", "cs_expired", 100)).ok());
  EXPECT_EQ(Balance(), 0);
}

TEST_F(StripePaymentsTest, OtherEventsAreIgnored) {
  Pending("cs_later", 1'000'000);
  auto outcome = [&](const std::string& body) {
    auto r = Deliver(body);
    EXPECT_TRUE(r.ok()) << r.error().message;
    return r.ok() ? *r : WebhookOutcome::kCredited;
  };
  EXPECT_EQ(outcome(R"({"id":"evt_x","type":"customer.created","data":{"object":{"id":"cus_1","object":"customer"}}})"),
            WebhookOutcome::kIgnored);
  // Not created by Turnpike (no metadata): another application's session on the same account.
  EXPECT_EQ(outcome(Event("checkout.session.completed", "cs_foreign", 100, "paid", "-")), WebhookOutcome::kIgnored);
  // A delayed payment method: completed but unpaid, then paid later.
  EXPECT_EQ(outcome(Event("checkout.session.completed", "cs_later", 100, "unpaid")), WebhookOutcome::kIgnored);
  EXPECT_EQ(Balance(), 0);
  EXPECT_EQ(outcome(Event("checkout.session.async_payment_succeeded", "cs_later", 100)), WebhookOutcome::kCredited);
  EXPECT_EQ(Balance(), 1'000'000);
}

TEST(StripeOptionsTest, SecretsComeFromTheNamedVariables) {
  config::Config config;
  config.stripe_secret_key_env = "MY_KEY";
  std::map<std::string, std::string> vars{{"MY_KEY", "sk_test_from_env"}, {"STRIPE_WEBHOOK_SECRET", "whsec_from_env"}};
  auto env = [&vars](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
  auto o = StripeOptionsFrom(config, env);
  ASSERT_TRUE(o.ok()) << o.error().message;
  EXPECT_EQ(o->secret_key, "sk_test_from_env");
  EXPECT_EQ(o->webhook_secret, "whsec_from_env");
  EXPECT_EQ(o->api_base, "https://api.stripe.com");
  EXPECT_EQ(o->webhook_tolerance_seconds, 300);

  vars.erase("MY_KEY");
  auto missing = StripeOptionsFrom(config, env);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("MY_KEY"), std::string::npos) << missing.error().message;
  EXPECT_EQ(missing.error().message.find("whsec_from_env"), std::string::npos);
  vars["MY_KEY"] = "sk_test_from_env";
  vars["STRIPE_WEBHOOK_SECRET"] = "";
  auto empty = StripeOptionsFrom(config, env);
  ASSERT_FALSE(empty.ok());
  EXPECT_NE(empty.error().message.find("STRIPE_WEBHOOK_SECRET"), std::string::npos) << empty.error().message;
  EXPECT_EQ(empty.error().message.find("sk_test_from_env"), std::string::npos);
}

}  // namespace
}  // namespace turnpike::payments
