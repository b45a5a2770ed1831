// Stripe's form encoding, webhook signatures and the session/event parsers.
#include "payments/stripe_wire.h"

#include <gtest/gtest.h>

#include "common/crypto.h"

namespace turnpike::payments {
namespace {

constexpr std::string_view kSecret = "whsec_test_secret";
constexpr int64_t kNow = 1'700'000'000;
const std::string kBody = R"({"id":"evt_1"})";

class StripeSignatureTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { ASSERT_TRUE(crypto::InitCrypto()); }
  static Status Verify(std::string_view header, std::string_view body = kBody, std::string_view secret = kSecret,
                       int64_t now = kNow, int64_t tolerance = 300) {
    return VerifyStripeSignature(header, body, secret, now, tolerance);
  }
  static std::string Message(const Status& s) { return s.ok() ? "" : s.error().message; }
};

TEST_F(StripeSignatureTest, SignatureIsHmacSha256OfTimestampDotBody) {
  // Computed independently: hmac.new(b"whsec_test_secret", b'1700000000.{"id":"evt_1"}', sha256).
  EXPECT_EQ(StripeSignature(kSecret, kNow, kBody), "248a374f50f943a28b0f6ab50faf9a7e7e29b710fa26df9fb1618b9bf8ea9c9a");
  EXPECT_EQ(StripeSignatureHeader(kSecret, kNow, kBody),
            "t=1700000000,v1=248a374f50f943a28b0f6ab50faf9a7e7e29b710fa26df9fb1618b9bf8ea9c9a");
}

TEST_F(StripeSignatureTest, ValidHeaderPasses) {
  EXPECT_TRUE(Verify(StripeSignatureHeader(kSecret, kNow, kBody)).ok());
  // Within the tolerance either way, and Stripe's test-mode v0 alongside.
  EXPECT_TRUE(Verify(StripeSignatureHeader(kSecret, kNow - 300, kBody)).ok());
  EXPECT_TRUE(Verify(StripeSignatureHeader(kSecret, kNow + 300, kBody)).ok());
  std::string sig = StripeSignature(kSecret, kNow, kBody);
  EXPECT_TRUE(Verify("t=" + std::to_string(kNow) + ",v1=" + sig + ",v0=" + std::string(64, 'a')).ok());
  // Element order and spaces do not matter; upper-case hex is the same signature.
  std::string upper = sig;
  for (char& ch : upper) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  EXPECT_TRUE(Verify("v1=" + upper + ", t=" + std::to_string(kNow)).ok());
}

TEST_F(StripeSignatureTest, TamperedBodyFails) {
  std::string header = StripeSignatureHeader(kSecret, kNow, kBody);
  Status s = Verify(header, R"({"id":"evt_2"})");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kBadRequest);
  EXPECT_NE(Message(s).find("No Stripe-Signature v1 signature matches"), std::string::npos) << Message(s);
  EXPECT_FALSE(Verify(header, kBody + " ").ok());  // one byte more: the raw body is what is signed
  EXPECT_FALSE(Verify(header, "").ok());
}

TEST_F(StripeSignatureTest, WrongSecretFails) {
  EXPECT_FALSE(Verify(StripeSignatureHeader("whsec_other", kNow, kBody)).ok());
  EXPECT_FALSE(Verify(StripeSignatureHeader(kSecret, kNow, kBody), kBody, "whsec_test_secreT").ok());
  // No secret configured is a server fault, never a pass.
  Status none = Verify(StripeSignatureHeader("", kNow, kBody), kBody, "");
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().code, ErrorCode::kInternal);
}

TEST_F(StripeSignatureTest, StaleOrFutureTimestampFails) {
  Status stale = Verify(StripeSignatureHeader(kSecret, kNow - 301, kBody));
  ASSERT_FALSE(stale.ok());
  EXPECT_NE(Message(stale).find("tolerance"), std::string::npos) << Message(stale);
  EXPECT_FALSE(Verify(StripeSignatureHeader(kSecret, kNow + 301, kBody)).ok());
  EXPECT_FALSE(Verify(StripeSignatureHeader(kSecret, 1, kBody)).ok());
  // A correct signature over a stale timestamp cannot be moved to a fresh one.
  std::string old_sig = StripeSignature(kSecret, kNow - 3600, kBody);
  EXPECT_FALSE(Verify("t=" + std::to_string(kNow) + ",v1=" + old_sig).ok());
  // The tolerance is the caller's.
  EXPECT_TRUE(Verify(StripeSignatureHeader(kSecret, kNow - 3600, kBody), kBody, kSecret, kNow, 3600).ok());
}

TEST_F(StripeSignatureTest, SeveralV1ValuesAnyMatchPasses) {
  std::string good = StripeSignature(kSecret, kNow, kBody);
  std::string other = StripeSignature("whsec_rolled_old", kNow, kBody);
  std::string t = "t=" + std::to_string(kNow);
  EXPECT_TRUE(Verify(t + ",v1=" + other + ",v1=" + good).ok());
  EXPECT_TRUE(Verify(t + ",v1=" + good + ",v1=" + other).ok());
  EXPECT_FALSE(Verify(t + ",v1=" + other + ",v1=" + std::string(64, '0')).ok());
  // A v0 that matches does not count: only v1 is a live scheme.
  EXPECT_FALSE(Verify(t + ",v0=" + good + ",v1=" + other).ok());
}

TEST_F(StripeSignatureTest, MalformedHeadersFail) {
  std::string sig = StripeSignature(kSecret, kNow, kBody);
  std::string t = "t=" + std::to_string(kNow);
  for (const std::string& header : std::vector<std::string>{
           "", ",", "garbage", "t=", "v1=" + sig, t, t + ",v1=", t + ",v1=" + sig.substr(1), t + ",v1=" + sig + "0",
           t + ",v1=" + std::string(64, 'g'), "t=abc,v1=" + sig, "t=-5,v1=" + sig, "t=0,v1=" + sig,
           "t=1700000000x,v1=" + sig, "t=99999999999999999999999,v1=" + sig, t + "," + t + ",v1=" + sig,
           "t =" + std::to_string(kNow) + ",v2=" + sig}) {
    Status s = Verify(header);
    EXPECT_FALSE(s.ok()) << header;
    if (!s.ok()) {
      EXPECT_EQ(s.error().code, ErrorCode::kBadRequest) << header;
      EXPECT_EQ(Message(s).find(kSecret), std::string::npos);
      EXPECT_EQ(Message(s).find(sig), std::string::npos);
    }
  }
}

TEST(StripeFormTest, EncodesLikeStripeLibraries) {
  EXPECT_EQ(StripeFormEncode({}), "");
  EXPECT_EQ(StripeFormEncode({{"mode", "payment"}, {"line_items[0][quantity]", "1"}}),
            "mode=payment&line_items[0][quantity]=1");
  EXPECT_EQ(
      StripeFormEncode({{"success_url", "https://a.test/credits?checkout=success&session_id={CHECKOUT_SESSION_ID}"}}),
      "success_url=https%3A%2F%2Fa.test%2Fcredits%3Fcheckout%3Dsuccess%26session_id%3D%7BCHECKOUT_SESSION_ID%7D");
  EXPECT_EQ(StripeFormEncode({{"line_items[0][price_data][product_data][name]", "Turnpike credits"}}),
            "line_items[0][price_data][product_data][name]=Turnpike%20credits");
  // Reserved characters in values never break the form apart; brackets in values are encoded.
  EXPECT_EQ(StripeFormEncode({{"metadata[note]", "a=b&c+d[e]"}}), "metadata[note]=a%3Db%26c%2Bd%5Be%5D");
  EXPECT_EQ(StripeFormEncode({{"k", "\xC3\xA9~-_."}}), "k=%C3%A9~-_.");
  EXPECT_EQ(StripeFormEncode({{"a b", ""}}), "a%20b=");
}

TEST(StripeParseTest, Session) {
  auto s = ParseStripeSession(
      R"({"id":"cs_test_1","object":"checkout.session","url":"https://checkout.stripe.com/c/pay/cs_test_1",
                                  "amount_total":1250,"currency":"usd","payment_status":"unpaid",
                                  "metadata":{"turnpike_user_id":"7"}})");
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(s->id, "cs_test_1");
  EXPECT_EQ(s->url, "https://checkout.stripe.com/c/pay/cs_test_1");
  EXPECT_EQ(s->amount_total, 1250);
  EXPECT_EQ(s->currency, "usd");
  EXPECT_EQ(s->payment_status, "unpaid");
  EXPECT_EQ(s->user_ref, "7");
  auto bare = ParseStripeSession(R"({"id":"cs_2","amount_total":null,"metadata":{}})");
  ASSERT_TRUE(bare.ok());
  EXPECT_EQ(bare->amount_total, -1);
  EXPECT_EQ(bare->user_ref, "");
  for (const char* bad : {"", "[]", "{", R"({"id":5})", R"({"url":"x"})"})
    EXPECT_FALSE(ParseStripeSession(bad).ok()) << bad;
}

TEST(StripeParseTest, Event) {
  auto e = ParseStripeEvent(R"({"id":"evt_1","object":"event","type":"checkout.session.completed",
      "data":{"object":{"id":"cs_1","object":"checkout.session","payment_status":"paid","amount_total":500,
      "currency":"usd","metadata":{"turnpike_user_id":"3"}}}})");
  ASSERT_TRUE(e.ok()) << e.error().message;
  EXPECT_EQ(e->id, "evt_1");
  EXPECT_EQ(e->type, "checkout.session.completed");
  EXPECT_EQ(e->session.id, "cs_1");
  EXPECT_EQ(e->session.payment_status, "paid");
  EXPECT_EQ(e->session.amount_total, 500);
  EXPECT_EQ(e->session.user_ref, "3");
  auto other =
      ParseStripeEvent(R"({"id":"evt_2","type":"charge.succeeded","data":{"object":{"id":"ch_1","object":"charge"}}})");
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(other->session.id, "");
  EXPECT_FALSE(ParseStripeEvent(R"({"id":"evt_3"})").ok());
  EXPECT_FALSE(ParseStripeEvent("not json").ok());
  EXPECT_FALSE(
      ParseStripeEvent(R"({"type":"checkout.session.completed","data":{"object":{"object":"checkout.session"}}})")
          .ok());
}

TEST(StripeParseTest, ErrorMessage) {
  EXPECT_EQ(StripeErrorMessage(
                R"({"error":{"message":"Invalid API Key provided: sk_test_****abcd","type":"invalid_request_error"}})"),
            "Invalid API Key provided: sk_test_****abcd");
  EXPECT_EQ(StripeErrorMessage("<html>"), "");
  EXPECT_EQ(StripeErrorMessage(R"({"error":"x"})"), "");
}

}  // namespace
}  // namespace turnpike::payments
