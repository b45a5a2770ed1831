// The Stripe routes through Api::Handle: checkout answers the hosted page, the webhook needs no
// session and no Origin, and is 404 unless Stripe is the provider.
#include <boost/json.hpp>

#include "common/clock.h"
#include "control/api_test_fixture.h"
#include "payments/stripe_payments.h"

namespace turnpike::control {
namespace {

constexpr char kHook[] = "whsec_api_test_secret";

class ApiStripeTest : public ApiTest {
 protected:
  void SetUp() override {
    ApiTest::SetUp();
    payments::StripeOptions options;
    options.secret_key = "sk_test_api";
    options.webhook_secret = kHook;
    stripe_ = std::make_unique<payments::StripePayments>(
        *store_, options, [this](const net::UpstreamRequest& r, const net::BlockingLimits&) {
          last_form_ = r.body;
          return Result<net::BlockingResponse>(net::BlockingResponse{
              200, R"({"id":"cs_test_api","url":"https://checkout.stripe.com/c/pay/cs_test_api","amount_total":700})"});
        });
    api_ = std::make_unique<Api>(config_, ApiStores::Of(*store_), keys_.get(), *router_, stripe_.get(),
                                 std::string(40, 'k'), [this] { return now_; });
  }

  Answer Webhook(const std::string& body, std::map<std::string, std::string> headers) {
    return Send("POST", "/api/payments/stripe/webhook", body, "", "bearer", std::move(headers));
  }

  std::string Completed(int64_t user, int64_t cents) {
    return boost::json::serialize(
        boost::json::object{{"id", "evt_api"},
                            {"type", "checkout.session.completed"},
                            {"data",
                             {{"object",
                               {{"id", "cs_test_api"},
                                {"object", "checkout.session"},
                                {"amount_total", cents},
                                {"currency", "usd"},
                                {"payment_status", "paid"},
                                {"metadata", {{"turnpike_user_id", std::to_string(user)}}}}}}}});
  }

  std::unique_ptr<payments::StripePayments> stripe_;
  std::string last_form_;
};

TEST_F(ApiStripeTest, CheckoutThenWebhookWithoutSessionOrOrigin) {
  std::string token = SignUp("stripe@example.com");
  // Cookie-authenticated from the dashboard: its Origin is where the browser comes back to.
  Answer checkout = Send("POST", "/api/credits/checkout", R"({"amount_usd":"7"})", token, "cookie");
  ASSERT_EQ(checkout.status, 200) << checkout.body;
  EXPECT_EQ(checkout.at("checkout_url").as_string(), "https://checkout.stripe.com/c/pay/cs_test_api");
  EXPECT_EQ(checkout.at("topup").at("status").as_string(), "pending");
  EXPECT_EQ(checkout.at("topup").at("provider").as_string(), "stripe");
  EXPECT_TRUE(checkout.at("topup").at("completed_at").is_null());
  EXPECT_NE(last_form_.find("success_url=http%3A%2F%2Flocalhost%3A3000%2Fcredits"), std::string::npos) << last_form_;
  int64_t user = UserId("stripe@example.com");

  std::string body = Completed(user, 700);
  int64_t t = UnixSeconds();
  Answer unsigned_ = Webhook(body, {});
  EXPECT_EQ(ErrorParam(unsigned_, 400), "");
  // A foreign Origin or a stray cookie changes nothing: the signature is the authentication.
  Answer paid = Webhook(body, {{"Stripe-Signature", payments::StripeSignatureHeader(kHook, t, body)},
                               {"Origin", "https://evil.example"},
                               {"Cookie", "tp_session=garbage"}});
  ASSERT_EQ(paid.status, 200) << paid.body;
  EXPECT_EQ(paid.at("outcome").as_string(), "credited");
  EXPECT_TRUE(paid.at("received").as_bool());
  Answer again = Webhook(body, {{"Stripe-Signature", payments::StripeSignatureHeader(kHook, t, body)}});
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(again.at("outcome").as_string(), "already_credited");
  EXPECT_EQ(Send("GET", "/api/credits", "", token).at("balance_micros").as_int64(), 7'000'000);

  Answer big = Webhook(std::string(kMaxWebhookBodyBytes + 1, ' '), {{"Stripe-Signature", "t=1,v1=00"}});
  EXPECT_EQ(ErrorParam(big, 413), "");
  EXPECT_EQ(Send("GET", "/api/payments/stripe/webhook").status, 405);
}

TEST_F(ApiStripeTest, WebhookIsNotFoundWithAnotherProvider) {
  MakeApi(config_);  // the sandbox
  EXPECT_EQ(ErrorParam(Webhook("{}", {{"Stripe-Signature", "t=1,v1=00"}}), 404), "");
  MakeApi(config_, false);  // none
  EXPECT_EQ(ErrorParam(Webhook("{}", {}), 404), "");
}

}  // namespace
}  // namespace turnpike::control
