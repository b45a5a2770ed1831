#include "control/session.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <gtest/gtest.h>

namespace turnpike::control {
namespace {

const std::string kSecret(40, 's');
const std::string kSid(64, 'a');

SessionClaims Claims() {
  SessionClaims c;
  c.user_id = 42;
  c.session_id = kSid;
  c.issued_at = 1'000;
  c.expires_at = 2'000;
  return c;
}

std::string Hs(const EVP_MD* md, std::string_view key, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  HMAC(md, key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(data.data()), data.size(),
       out, &n);
  return Base64UrlEncode(std::string_view(reinterpret_cast<const char*>(out), n));
}

// A token with any header and payload, signed with `md` (nullptr: empty signature, as alg none).
std::string Forge(std::string_view header, std::string_view payload, const EVP_MD* md, std::string_view key) {
  std::string input = Base64UrlEncode(header) + "." + Base64UrlEncode(payload);
  return input + "." + (md ? Hs(md, key, input) : "");
}

const char kPayload[] =
    R"({"sub":"42","sid":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa","iat":1000,"exp":2000})";

TEST(SessionToken, RoundTrip) {
  std::string token = SignSessionToken(Claims(), kSecret);
  EXPECT_EQ(token.rfind(Base64UrlEncode(R"({"alg":"HS256","typ":"JWT"})") + ".", 0), 0u) << token;
  auto c = VerifySessionToken(token, kSecret, 1'500);
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->user_id, 42);
  EXPECT_EQ(c->session_id, kSid);
  EXPECT_EQ(c->issued_at, 1'000);
  EXPECT_EQ(c->expires_at, 2'000);
  // A token forged the same way by an independent HMAC is accepted: the format is standard.
  EXPECT_TRUE(
      VerifySessionToken(Forge(R"({"alg":"HS256","typ":"JWT"})", kPayload, EVP_sha256(), kSecret), kSecret, 1'500)
          .ok());
}

TEST(SessionToken, Expired) {
  std::string token = SignSessionToken(Claims(), kSecret);
  EXPECT_TRUE(VerifySessionToken(token, kSecret, 1'999).ok());
  auto at = VerifySessionToken(token, kSecret, 2'000);
  ASSERT_FALSE(at.ok());
  EXPECT_EQ(at.error().code, ErrorCode::kUnauthorized);
  EXPECT_FALSE(VerifySessionToken(token, kSecret, 5'000).ok());
}

TEST(SessionToken, WrongSecret) {
  std::string token = SignSessionToken(Claims(), kSecret);
  EXPECT_FALSE(VerifySessionToken(token, std::string(40, 't'), 1'500).ok());
  EXPECT_FALSE(VerifySessionToken(token, kSecret + "x", 1'500).ok());
}

TEST(SessionToken, TamperedPayload) {
  std::string token = SignSessionToken(Claims(), kSecret);
  size_t first = token.find('.'), second = token.rfind('.');
  std::string other = Base64UrlEncode(
      R"({"sub":"1","sid":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa","iat":1000,"exp":2000})");
  std::string swapped = token.substr(0, first + 1) + other + token.substr(second);
  EXPECT_FALSE(VerifySessionToken(swapped, kSecret, 1'500).ok());
  // Flip one character of the payload, and one of the signature.
  std::string flipped = token;
  flipped[first + 5] = flipped[first + 5] == 'A' ? 'B' : 'A';
  EXPECT_FALSE(VerifySessionToken(flipped, kSecret, 1'500).ok());
  std::string sig = token;
  sig[second + 3] = sig[second + 3] == 'A' ? 'B' : 'A';
  EXPECT_FALSE(VerifySessionToken(sig, kSecret, 1'500).ok());
  // A longer expiry, re-signed with another key.
  std::string later = Forge(R"({"alg":"HS256","typ":"JWT"})",
                            R"({"sub":"42","sid":")" + kSid + R"(","iat":1000,"exp":99999})", EVP_sha256(), "guess");
  EXPECT_FALSE(VerifySessionToken(later, kSecret, 1'500).ok());
}

TEST(SessionToken, OtherAlgorithmsAreRefused) {
  EXPECT_FALSE(VerifySessionToken(Forge(R"({"alg":"none","typ":"JWT"})", kPayload, nullptr, ""), kSecret, 1'500).ok());
  EXPECT_FALSE(VerifySessionToken(Forge(R"({"alg":"none"})", kPayload, nullptr, ""), kSecret, 1'500).ok());
  EXPECT_FALSE(
      VerifySessionToken(Forge(R"({"alg":"HS512","typ":"JWT"})", kPayload, EVP_sha512(), kSecret), kSecret, 1'500)
          .ok());
  EXPECT_FALSE(
      VerifySessionToken(Forge(R"({"alg":"HS384","typ":"JWT"})", kPayload, EVP_sha384(), kSecret), kSecret, 1'500)
          .ok());
  // Same algorithm, but another spelling of the header: not this server's token.
  EXPECT_FALSE(
      VerifySessionToken(Forge(R"({"typ":"JWT","alg":"HS256"})", kPayload, EVP_sha256(), kSecret), kSecret, 1'500)
          .ok());
}

TEST(SessionToken, Malformed) {
  std::string token = SignSessionToken(Claims(), kSecret);
  for (const std::string& bad : {std::string(""), std::string("a.b"), std::string("a.b.c.d"), token + ".", token + "=",
                                 token.substr(0, token.size() - 1) + "+", token + "*", std::string(5000, 'a')}) {
    EXPECT_FALSE(VerifySessionToken(bad, kSecret, 1'500).ok()) << bad;
  }
  for (const char* payload :
       {R"({"sub":42,"sid":"x","iat":1,"exp":2000})", R"([])", "not json",
        R"({"sub":"42","sid":"short","iat":1000,"exp":2000})",
        R"({"sub":"-1","sid":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa","iat":1,"exp":2000})",
        R"({"sub":"42","sid":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa","iat":1})"}) {
    EXPECT_FALSE(
        VerifySessionToken(Forge(R"({"alg":"HS256","typ":"JWT"})", payload, EVP_sha256(), kSecret), kSecret, 1'500)
            .ok())
        << payload;
  }
}

TEST(Base64Url, RoundTripAndStrictness) {
  for (std::string s : {"", "f", "fo", "foo", "foob", "fooba", "foobar", "\xff\xfe\x00\x01"}) {
    EXPECT_EQ(Base64UrlDecode(Base64UrlEncode(s)), s);
  }
  EXPECT_EQ(Base64UrlEncode("\xfb\xff"), "-_8");
  EXPECT_FALSE(Base64UrlDecode("Zg==").has_value());  // padding
  EXPECT_FALSE(Base64UrlDecode("Zh").has_value());    // non-zero trailing bits
  EXPECT_FALSE(Base64UrlDecode("Z").has_value());
  EXPECT_FALSE(Base64UrlDecode("a+b/").has_value());
}

TEST(SessionCookie, Attributes) {
  EXPECT_EQ(SessionCookie("t.o.k", false), "tp_session=t.o.k; HttpOnly; SameSite=Strict; Path=/; Max-Age=604800");
  EXPECT_EQ(SessionCookie("t.o.k", true),
            "tp_session=t.o.k; HttpOnly; SameSite=Strict; Path=/; Max-Age=604800; Secure");
  EXPECT_EQ(ClearedSessionCookie(false), "tp_session=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0");
}

TEST(SessionCookie, FindsTheValue) {
  EXPECT_EQ(SessionCookieValue("tp_session=abc"), "abc");
  EXPECT_EQ(SessionCookieValue("a=1; tp_session=abc.def; b=2"), "abc.def");
  EXPECT_EQ(SessionCookieValue("a=1;tp_session=\"x\""), "x");
  EXPECT_EQ(SessionCookieValue("xtp_session=abc; tp_sessionx=1"), "");
  EXPECT_EQ(SessionCookieValue(""), "");
}

}  // namespace
}  // namespace turnpike::control
