// The control API's routing, sessions, origin check and login rate limits, through Api::Handle.
#include "control/api_test_fixture.h"

namespace turnpike::control {
namespace {

using namespace std::chrono_literals;

TEST_F(ApiTest, UnknownRouteAndWrongMethod) {
  EXPECT_EQ(ErrorParam(Send("GET", "/api/nope"), 404), "");
  Answer a = Send("PUT", "/api/keys");
  EXPECT_EQ(a.status, 405);
  EXPECT_EQ(a.Header("Allow"), "GET, POST");
  EXPECT_EQ(a.at("error").at("code").as_int64(), 405);
}

TEST_F(ApiTest, SignUpMeLogOut) {
  Answer a = Send("POST", "/api/auth/signup", Credentials("Alice@Example.com", "correct horse"));
  ASSERT_EQ(a.status, 201) << a.body;
  const auto& user = a.at("user");
  EXPECT_EQ(user.at("email").as_string(), "alice@example.com");
  EXPECT_FALSE(user.at("is_admin").as_bool());
  EXPECT_FALSE(user.at("disabled").as_bool());
  EXPECT_TRUE(user.at("created_at").as_string().ends_with("Z"));
  EXPECT_FALSE(user.as_object().contains("password_hash"));
  std::string token(a.at("token").as_string());
  std::string cookie = a.Header("Set-Cookie");
  EXPECT_EQ(cookie, "tp_session=" + token + "; HttpOnly; SameSite=Strict; Path=/; Max-Age=604800");
  EXPECT_EQ(a.body.find("argon2"), std::string::npos);

  Answer me = Send("GET", "/api/me", "", token);
  ASSERT_EQ(me.status, 200) << me.body;
  EXPECT_EQ(me.at("user").at("email").as_string(), "alice@example.com");
  EXPECT_EQ(me.at("balance_micros").as_int64(), 0);
  EXPECT_EQ(me.at("total_credited_micros").as_int64(), 0);
  EXPECT_EQ(me.at("total_spent_micros").as_int64(), 0);
  EXPECT_EQ(Send("GET", "/api/me", "", token, "cookie").status, 200);

  Answer out = Send("POST", "/api/auth/logout", "", token, "cookie");
  EXPECT_EQ(out.status, 204);
  EXPECT_TRUE(out.Header("Set-Cookie").find("Max-Age=0") != std::string::npos);
  // Revoked at once, however it is presented.
  EXPECT_EQ(ErrorParam(Send("GET", "/api/me", "", token), 401), "");
  Answer cookie_after = Send("GET", "/api/me", "", token, "cookie");
  EXPECT_EQ(cookie_after.status, 401);
  EXPECT_TRUE(cookie_after.Header("Set-Cookie").find("Max-Age=0") != std::string::npos);
  // Logging out again (or without a session) is harmless.
  EXPECT_EQ(Send("POST", "/api/auth/logout").status, 204);
}

TEST_F(ApiTest, ChangePasswordEndsOtherSessionsAndKeepsThisOne) {
  std::string here = SignUp("carol@example.com");
  std::string elsewhere = LogIn("carol@example.com");
  auto body = [](const std::string& current, const std::string& next) {
    boost::json::object o;
    o["current_password"] = current;
    o["new_password"] = next;
    return boost::json::serialize(o);
  };
  EXPECT_EQ(ErrorParam(Send("POST", "/api/me/password", body("wrong password", "new password 1"), here), 400),
            "current_password");
  EXPECT_EQ(ErrorParam(Send("POST", "/api/me/password", body("correct horse", "short"), here), 400), "new_password");
  EXPECT_EQ(ErrorParam(Send("POST", "/api/me/password", R"({"new_password":"new password 1"})", here), 400),
            "current_password");
  EXPECT_EQ(ErrorParam(Send("POST", "/api/me/password", body("correct horse", "new password 1")), 401), "");
  // Nothing changed by the refusals: both sessions still work.
  EXPECT_EQ(Send("GET", "/api/me", "", elsewhere).status, 200);

  Answer changed = Send("POST", "/api/me/password", body("correct horse", "new password 1"), here);
  ASSERT_EQ(changed.status, 200) << changed.body;
  std::string fresh(changed.at("token").as_string());
  EXPECT_FALSE(changed.Header("Set-Cookie").empty());
  EXPECT_EQ(Send("GET", "/api/me", "", fresh).status, 200);
  EXPECT_EQ(Send("GET", "/api/me", "", here).status, 401);
  EXPECT_EQ(Send("GET", "/api/me", "", elsewhere).status, 401);
  // (Checked in the store: one more failed sign-in would reach the 5-a-minute limit of this test's address.)
  auto carol = store_->FindUserByEmail("carol@example.com");
  ASSERT_TRUE(carol.ok() && carol->has_value());
  EXPECT_FALSE(crypto::VerifyPassword("correct horse", (*carol)->password_hash));
  EXPECT_EQ(Send("POST", "/api/auth/login", Credentials("carol@example.com", "new password 1")).status, 200);
}

TEST_F(ApiTest, LogoutEverywhereEndsEverySession) {
  std::string one = SignUp("dave@example.com");
  std::string two = LogIn("dave@example.com");
  std::string other = SignUp("erin@example.com");
  Answer out = Send("POST", "/api/auth/logout-all", "", one, "cookie");
  EXPECT_EQ(out.status, 204);
  EXPECT_TRUE(out.Header("Set-Cookie").find("Max-Age=0") != std::string::npos);
  EXPECT_EQ(Send("GET", "/api/me", "", one).status, 401);
  EXPECT_EQ(Send("GET", "/api/me", "", two).status, 401);
  EXPECT_EQ(Send("GET", "/api/me", "", other).status, 200);  // another user's session is untouched
  EXPECT_EQ(Send("POST", "/api/auth/logout-all").status, 401);
}

TEST_F(ApiTest, DeleteAccountNeedsTheEmailAndEndsEverything) {
  std::string token = SignUp("frank@example.com");
  const int64_t frank = UserId("frank@example.com");
  Answer made = Send("POST", "/api/keys", R"({"name":"k"})", token);
  ASSERT_EQ(made.status, 201) << made.body;
  EXPECT_EQ(ErrorParam(Send("DELETE", "/api/me", R"({"confirm_email":"someone@example.com"})", token), 400),
            "confirm_email");
  EXPECT_EQ(ErrorParam(Send("DELETE", "/api/me", "{}", token), 400), "confirm_email");
  EXPECT_EQ(Send("DELETE", "/api/me", R"({"confirm_email":"frank@example.com"})").status, 401);
  EXPECT_EQ(Send("GET", "/api/me", "", token).status, 200);  // refusals change nothing

  Answer gone = Send("DELETE", "/api/me", R"({"confirm_email":" Frank@Example.com "})", token, "cookie");
  EXPECT_EQ(gone.status, 204) << gone.body;
  EXPECT_TRUE(gone.Header("Set-Cookie").find("Max-Age=0") != std::string::npos);
  EXPECT_EQ(Send("GET", "/api/me", "", token).status, 401);
  EXPECT_EQ(Send("POST", "/api/auth/login", Credentials("frank@example.com", "correct horse")).status, 401);
  auto closed = Must(store_->FindUserById(frank));
  ASSERT_TRUE(closed.has_value());
  EXPECT_EQ(closed->email, "deleted-" + std::to_string(frank) + "@deleted.invalid");
  EXPECT_TRUE(closed->disabled);
  EXPECT_TRUE(Must(store_->ListKeys(frank)).empty());
  // The address may sign up again, as a new account.
  EXPECT_EQ(Send("POST", "/api/auth/signup", Credentials("frank@example.com", "another password")).status, 201);

  // An admin cannot delete their own account.
  std::string root = Admin();
  EXPECT_EQ(ErrorParam(Send("DELETE", "/api/me", R"({"confirm_email":"root@example.com"})", root), 403), "");
}

TEST_F(ApiTest, ProviderPreferencesAreCheckedStoredAndCleared) {
  std::string token = SignUp("gina@example.com");
  Answer none = Send("GET", "/api/me/provider-preferences", "", token);
  ASSERT_EQ(none.status, 200) << none.body;
  EXPECT_TRUE(none.at("provider").is_null());
  EXPECT_EQ(ErrorParam(Send("PUT", "/api/me/provider-preferences", R"({"provider":{"sort":"fastest"}})", token), 400),
            "provider");
  EXPECT_EQ(ErrorParam(Send("PUT", "/api/me/provider-preferences", R"({"provider":["a"]})", token), 400), "provider");
  EXPECT_EQ(ErrorParam(Send("PUT", "/api/me/provider-preferences", R"({})", token), 400), "provider");
  EXPECT_EQ(Send("PUT", "/api/me/provider-preferences", R"({"provider":null})").status, 401);

  Answer set =
      Send("PUT", "/api/me/provider-preferences",
           R"({"provider":{"order":["fake-pricey"],"allow_fallbacks":false,"data_collection":"deny"}})", token);
  ASSERT_EQ(set.status, 200) << set.body;
  EXPECT_EQ(set.at("provider").at("order").as_array().size(), 1u);
  EXPECT_FALSE(set.at("provider").at("allow_fallbacks").as_bool());
  Answer got = Send("GET", "/api/me/provider-preferences", "", token);
  EXPECT_EQ(got.at("provider").at("data_collection").as_string(), "deny");

  Answer cleared = Send("PUT", "/api/me/provider-preferences", R"({"provider":null})", token);
  ASSERT_EQ(cleared.status, 200) << cleared.body;
  EXPECT_TRUE(cleared.at("provider").is_null());
  EXPECT_TRUE(Send("GET", "/api/me/provider-preferences", "", token).at("provider").is_null());
}

TEST_F(ApiTest, LowBalanceAlertIsSetShownInMeAndCleared) {
  std::string token = SignUp("hana@example.com");
  EXPECT_TRUE(Send("GET", "/api/me", "", token).at("low_balance_alert_micros").is_null());
  EXPECT_EQ(ErrorParam(Send("PUT", "/api/me/low-balance-alert", R"({"alert_usd":"0"})", token), 400), "alert_usd");
  EXPECT_EQ(ErrorParam(Send("PUT", "/api/me/low-balance-alert", R"({"alert_usd":"-1"})", token), 400), "alert_usd");
  EXPECT_EQ(ErrorParam(Send("PUT", "/api/me/low-balance-alert", R"({"alert_usd":"abc"})", token), 400), "alert_usd");
  EXPECT_EQ(ErrorParam(Send("PUT", "/api/me/low-balance-alert", "{}", token), 400), "alert_usd");
  Answer set = Send("PUT", "/api/me/low-balance-alert", R"({"alert_usd":"5.50"})", token);
  ASSERT_EQ(set.status, 200) << set.body;
  EXPECT_EQ(set.at("low_balance_alert_micros").as_int64(), 5'500'000);
  EXPECT_EQ(Send("GET", "/api/me", "", token).at("low_balance_alert_micros").as_int64(), 5'500'000);
  Answer cleared = Send("PUT", "/api/me/low-balance-alert", R"({"alert_usd":null})", token);
  ASSERT_EQ(cleared.status, 200) << cleared.body;
  EXPECT_TRUE(Send("GET", "/api/me", "", token).at("low_balance_alert_micros").is_null());
}

TEST_F(ApiTest, SignUpValidation) {
  EXPECT_EQ(ErrorParam(Send("POST", "/api/auth/signup", Credentials("not-an-email", "correct horse")), 400), "email");
  EXPECT_EQ(ErrorParam(Send("POST", "/api/auth/signup", Credentials("a b@x.com", "correct horse")), 400), "email");
  EXPECT_EQ(ErrorParam(Send("POST", "/api/auth/signup", Credentials("a@x.com", "short")), 400), "password");
  EXPECT_EQ(ErrorParam(Send("POST", "/api/auth/signup", Credentials("a@x.com", std::string(257, 'p'))), 400),
            "password");
  EXPECT_EQ(ErrorParam(Send("POST", "/api/auth/signup", R"({"email":"a@x.com"})"), 400), "password");
  EXPECT_EQ(ErrorParam(Send("POST", "/api/auth/signup", R"({"email":5,"password":"correct horse"})"), 400), "email");
  EXPECT_EQ(ErrorParam(Send("POST", "/api/auth/signup", "{nope"), 400), "");
  EXPECT_EQ(ErrorParam(Send("POST", "/api/auth/signup", std::string(kMaxApiBodyBytes + 1, ' ')), 413), "");
  SignUp("dup@example.com");
  Answer dup = Send("POST", "/api/auth/signup", Credentials("DUP@example.com", "another password"));
  EXPECT_EQ(ErrorParam(dup, 409), "email");
}

TEST_F(ApiTest, SignUpCanBeTurnedOff) {
  config::Config closed;
  closed.allow_signup = false;
  MakeApi(closed);
  EXPECT_EQ(ErrorParam(Send("POST", "/api/auth/signup", Credentials("a@x.com", "correct horse")), 403), "");
}

TEST_F(ApiTest, LogIn) {
  SignUp("bob@example.com");
  Answer ok = Send("POST", "/api/auth/login", Credentials("BOB@example.com", "correct horse"));
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(ok.at("user").at("email").as_string(), "bob@example.com");
  EXPECT_TRUE(ok.at("expires_at").as_string().ends_with("Z"));
  EXPECT_FALSE(ok.Header("Set-Cookie").empty());

  Answer wrong = Send("POST", "/api/auth/login", Credentials("bob@example.com", "wrong horse"));
  Answer unknown = Send("POST", "/api/auth/login", Credentials("nobody@example.com", "correct horse"));
  EXPECT_EQ(ErrorParam(wrong, 401), "");
  EXPECT_EQ(ErrorParam(unknown, 401), "");
  EXPECT_EQ(wrong.at("error").at("message").as_string(), "Invalid email or password");
  EXPECT_EQ(unknown.body, wrong.body);

  ASSERT_TRUE(store_->SetUserFlags(UserId("bob@example.com"), std::nullopt, true).ok());
  Answer disabled = Send("POST", "/api/auth/login", Credentials("bob@example.com", "correct horse"));
  EXPECT_EQ(disabled.body, wrong.body);
}

TEST_F(ApiTest, DisabledUsersSessionStopsWorking) {
  std::string token = SignUp("carol@example.com");
  ASSERT_EQ(Send("GET", "/api/me", "", token).status, 200);
  ASSERT_TRUE(store_->SetUserFlags(UserId("carol@example.com"), std::nullopt, true).ok());
  EXPECT_EQ(Send("GET", "/api/me", "", token).status, 401);
}

TEST_F(ApiTest, BadTokens) {
  std::string token = SignUp("dave@example.com");
  EXPECT_EQ(Send("GET", "/api/me").status, 401);
  EXPECT_EQ(Send("GET", "/api/me", "", token + "x").status, 401);
  EXPECT_EQ(Send("GET", "/api/me", "", "sk-tp-v1-0123").status, 401);
  EXPECT_EQ(Send("GET", "/api/me", "", "", "bearer", {{"Authorization", "Basic abc"}}).status, 401);
  // Signed with another secret: not ours.
  SessionClaims claims;
  claims.user_id = UserId("dave@example.com");
  claims.session_id = std::string(64, 'a');
  claims.issued_at = 1;
  claims.expires_at = 4'000'000'000;
  EXPECT_EQ(Send("GET", "/api/me", "", SignSessionToken(claims, std::string(40, 'x'))).status, 401);
  // Signed with our secret but naming a session the store never had (forged or revoked).
  EXPECT_EQ(Send("GET", "/api/me", "", SignSessionToken(claims, std::string(40, 'k'))).status, 401);
}

TEST_F(ApiTest, OriginRules) {
  std::string token = SignUp("erin@example.com");
  const std::string body = R"({"name":"k"})";
  EXPECT_EQ(Send("POST", "/api/keys", body, token, "cookie").status, 201);  // own origin
  // Cookie without Origin, or with a foreign one: refused.
  EXPECT_EQ(Send("POST", "/api/keys", body, token, "cookie", {{"Origin", ""}}).status, 403);
  EXPECT_EQ(ErrorParam(Send("POST", "/api/keys", body, "", "bearer", {{"Cookie", "tp_session=" + token}}), 403), "");
  EXPECT_EQ(Send("POST", "/api/keys", body, token, "cookie", {{"Origin", "http://evil.example"}}).status, 403);
  // Bearer scripts need no Origin, but a foreign one is still refused.
  EXPECT_EQ(Send("POST", "/api/keys", body, token).status, 201);
  EXPECT_EQ(Send("POST", "/api/keys", body, token, "bearer", {{"Origin", "http://evil.example"}}).status, 403);
  // Reads are not checked.
  EXPECT_EQ(Send("GET", "/api/keys", "", token, "cookie", {{"Origin", "http://evil.example"}}).status, 200);
  // Login from a foreign page is refused too (login CSRF).
  EXPECT_EQ(Send("POST", "/api/auth/login", Credentials("erin@example.com", "correct horse"), "", "bearer",
                 {{"Origin", "http://evil.example"}})
                .status,
            403);

  config::Config vite;
  vite.allowed_origins = {"http://localhost:3001"};
  MakeApi(vite);
  EXPECT_EQ(Send("POST", "/api/keys", body, token, "cookie", {{"Origin", "http://localhost:3001"}}).status, 201);
}

TEST_F(ApiTest, LoginRateLimitPerEmail) {
  SignUp("frank@example.com");  // one attempt for this email already
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(Send("POST", "/api/auth/login", Credentials("frank@example.com", "wrong")).status, 401) << i;
  }
  Answer limited = Send("POST", "/api/auth/login", Credentials("FRANK@example.com", "correct horse"));
  EXPECT_EQ(ErrorParam(limited, 429), "");
  EXPECT_EQ(limited.Header("retry-after"), "12");
  // Another email from the same address is still fine.
  EXPECT_EQ(Send("POST", "/api/auth/login", Credentials("other@example.com", "whatever1")).status, 401);
  now_ += 12s;
  EXPECT_EQ(Send("POST", "/api/auth/login", Credentials("frank@example.com", "correct horse")).status, 200);
}

TEST_F(ApiTest, LoginRateLimitPerAddress) {
  for (int i = 0; i < 20; ++i) {
    std::string email = "u" + std::to_string(i) + "@example.com";
    EXPECT_EQ(Send("POST", "/api/auth/login", Credentials(email, "whatever1")).status, 401) << i;
  }
  Answer limited = Send("POST", "/api/auth/login", Credentials("new@example.com", "whatever1"));
  EXPECT_EQ(limited.status, 429);
  EXPECT_EQ(limited.Header("retry-after"), "3");
  EXPECT_EQ(Send("POST", "/api/auth/signup", Credentials("new@example.com", "whatever1")).status, 429);
  remote_ = "10.0.0.2";
  EXPECT_EQ(Send("POST", "/api/auth/signup", Credentials("new@example.com", "whatever1")).status, 201);
}

// Issue 13: the per-email limit let anyone lock a chosen account out with a few wrong passwords a
// minute. Now a guesser's attempts count per (email, address), and over all addresses only
// against addresses the account has not signed in from.
TEST_F(ApiTest, LoginLimitsSlowAGuesserWithoutLockingTheOwnerOut) {
  SignUp("grace@example.com");  // from 10.0.0.1: a known address of the account from now on
  remote_ = "10.0.0.66";
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(Send("POST", "/api/auth/login", Credentials("grace@example.com", "wrong")).status, 401) << i;
  }
  EXPECT_EQ(Send("POST", "/api/auth/login", Credentials("grace@example.com", "wrong")).status, 429);
  remote_ = "10.0.0.1";
  EXPECT_EQ(Send("POST", "/api/auth/login", Credentials("grace@example.com", "correct horse")).status, 200);
  // From many addresses: 10 a minute in all for the account from new addresses (6 spent above:
  // the sign-up, before the account had a known address, and the guesser's 5).
  for (int i = 0; i < 4; ++i) {
    remote_ = "10.0.1." + std::to_string(i);
    EXPECT_EQ(Send("POST", "/api/auth/login", Credentials("grace@example.com", "wrong")).status, 401) << i;
  }
  remote_ = "10.0.2.1";
  Answer limited = Send("POST", "/api/auth/login", Credentials("grace@example.com", "correct horse"));
  EXPECT_EQ(ErrorParam(limited, 429), "");
  EXPECT_EQ(limited.Header("retry-after"), "6");
  remote_ = "10.0.0.1";
  EXPECT_EQ(Send("POST", "/api/auth/login", Credentials("grace@example.com", "correct horse")).status, 200);
  now_ += 6s;
  remote_ = "10.0.2.1";
  EXPECT_EQ(Send("POST", "/api/auth/login", Credentials("grace@example.com", "correct horse")).status, 200);
}

// Behind a trusted proxy the client's address is the proxy's X-Forwarded-For entry, and the
// session cookie is Secure when the proxy says the browser used HTTPS.
TEST_F(ApiTest, TrustedProxyGivesTheClientAddressAndTheScheme) {
  config::Config behind = config_;
  behind.trusted_proxies = {"10.9.0.0/16"};
  MakeApi(behind);
  SignUp("heidi@example.com");
  remote_ = "10.9.0.5";  // the proxy
  // 25 sign-in attempts through the proxy, each from another client: the limit of 20 per address
  // applies to each client, not to the proxy.
  for (int i = 0; i < 25; ++i) {
    std::map<std::string, std::string> forwarded{{"X-Forwarded-For", "192.0.2." + std::to_string(i)}};
    const std::string email = "n" + std::to_string(i) + "@example.com";
    EXPECT_EQ(Send("POST", "/api/auth/login", Credentials(email, "wrong"), "", "bearer", forwarded).status, 401) << i;
  }
  Answer https = Send("POST", "/api/auth/login", Credentials("heidi@example.com", "correct horse"), "", "bearer",
                      {{"X-Forwarded-For", "198.51.100.1"}, {"X-Forwarded-Proto", "https"}});
  EXPECT_EQ(https.status, 200);
  EXPECT_NE(https.Header("set-cookie").find("; Secure"), std::string::npos) << https.Header("set-cookie");
  remote_ = "10.0.0.8";  // not a proxy: its X-Forwarded-Proto is not believed
  Answer spoofed = Send("POST", "/api/auth/login", Credentials("heidi@example.com", "correct horse"), "", "bearer",
                        {{"X-Forwarded-Proto", "https"}});
  EXPECT_EQ(spoofed.status, 200);
  EXPECT_EQ(spoofed.Header("set-cookie").find("Secure"), std::string::npos) << spoofed.Header("set-cookie");
}

}  // namespace
}  // namespace turnpike::control
