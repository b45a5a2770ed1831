// The control API's keys, credits, logs, activity, models and admin routes, through Api::Handle.
#include "control/api_test_fixture.h"

#include "common/clock.h"
#include "store/catalog_file.h"

namespace turnpike::control {
namespace {

namespace json = boost::json;

TEST_F(ApiTest, KeyLifecycle) {
  std::string token = SignUp("kim@example.com");
  Answer created = Send("POST", "/api/keys", R"({"name":"ci","limit_usd":"2.50","log_prompts":true})", token);
  ASSERT_EQ(created.status, 201) << created.body;
  std::string secret(created.at("secret").as_string());
  EXPECT_TRUE(secret.starts_with("sk-tp-v1-"));
  const auto& key = created.at("key").as_object();
  int64_t id = key.at("id").as_int64();
  EXPECT_EQ(key.at("name").as_string(), "ci");
  EXPECT_EQ(key.at("limit_micros").as_int64(), 2'500'000);
  EXPECT_EQ(key.at("usage_micros").as_int64(), 0);
  EXPECT_TRUE(key.at("log_prompts").as_bool());
  EXPECT_FALSE(key.at("disabled").as_bool());
  EXPECT_TRUE(key.at("expires_at").is_null());
  EXPECT_TRUE(key.at("last_used_at").is_null());
  EXPECT_TRUE(secret.starts_with(std::string(key.at("prefix").as_string()).substr(0, 15)));
  EXPECT_FALSE(key.contains("hash_hex"));
  EXPECT_EQ(created.body.find(crypto::Sha256Hex(secret)), std::string::npos);
  ASSERT_TRUE(keys_->Authenticate("Bearer " + secret, UnixSeconds()).ok());

  Answer list = Send("GET", "/api/keys", "", token);
  ASSERT_EQ(list.status, 200);
  ASSERT_EQ(list.at("keys").as_array().size(), 1u);
  EXPECT_EQ(list.body.find("secret"), std::string::npos);

  std::string path = "/api/keys/" + std::to_string(id);
  Answer patched =
      Send("PATCH", path, R"({"name":"renamed","limit_usd":null,"disabled":true,"expires_at":"2999-01-01"})", token);
  ASSERT_EQ(patched.status, 200) << patched.body;
  EXPECT_EQ(patched.at("key").at("name").as_string(), "renamed");
  EXPECT_TRUE(patched.at("key").at("limit_micros").is_null());
  EXPECT_TRUE(patched.at("key").at("disabled").as_bool());
  EXPECT_EQ(patched.at("key").at("expires_at").as_string(), "2999-01-01T00:00:00Z");
  // The cache was told: the gateway sees the key disabled at once.
  auto refused = keys_->Authenticate("Bearer " + secret, UnixSeconds());
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kForbidden);
  ASSERT_EQ(Send("PATCH", path, R"({"disabled":false,"expires_at":null})", token).status, 200);

  Answer rotated = Send("POST", path + "/rotate", "", token);
  ASSERT_EQ(rotated.status, 200) << rotated.body;
  std::string fresh(rotated.at("secret").as_string());
  EXPECT_NE(fresh, secret);
  EXPECT_EQ(rotated.at("key").at("id").as_int64(), id);
  EXPECT_FALSE(keys_->Authenticate("Bearer " + secret, UnixSeconds()).ok());
  EXPECT_TRUE(keys_->Authenticate("Bearer " + fresh, UnixSeconds()).ok());

  EXPECT_EQ(Send("DELETE", path, "", token).status, 204);
  EXPECT_FALSE(keys_->Authenticate("Bearer " + fresh, UnixSeconds()).ok());
  EXPECT_EQ(Send("GET", "/api/keys", "", token).at("keys").as_array().size(), 0u);
  EXPECT_EQ(ErrorParam(Send("DELETE", path, "", token), 404), "");
}

// `serve --role control` runs no gateway and so has no key cache: key changes still work.
TEST_F(ApiTest, KeyChangesWorkWithoutAKeyCache) {
  api_ = std::make_unique<Api>(config_, ApiStores::Of(*store_), nullptr, *router_, payments_.get(),
                               std::string(40, 'k'), [this] { return now_; });
  std::string token = SignUp("kim@example.com");
  Answer created = Send("POST", "/api/keys", R"({"name":"ci"})", token);
  ASSERT_EQ(created.status, 201) << created.body;
  std::string path = "/api/keys/" + std::to_string(created.at("key").at("id").as_int64());
  EXPECT_EQ(Send("PATCH", path, R"({"disabled":true})", token).status, 200);
  EXPECT_EQ(Send("POST", path + "/rotate", "", token).status, 200);
  EXPECT_EQ(Send("DELETE", path, "", token).status, 204);
  std::string admin = Admin();
  EXPECT_EQ(
      Send("PATCH", "/api/admin/users/" + std::to_string(UserId("kim@example.com")), R"({"disabled":true})", admin)
          .status,
      200);
}

TEST_F(ApiTest, KeyValidation) {
  std::string token = SignUp("lee@example.com");
  EXPECT_EQ(ErrorParam(Send("POST", "/api/keys", "{}", token), 400), "name");
  EXPECT_EQ(ErrorParam(Send("POST", "/api/keys", R"({"name":""})", token), 400), "name");
  EXPECT_EQ(ErrorParam(Send("POST", "/api/keys", R"({"name":"k","limit_usd":"-1"})", token), 400), "limit_usd");
  EXPECT_EQ(ErrorParam(Send("POST", "/api/keys", R"({"name":"k","limit_usd":"1.0000001"})", token), 400), "limit_usd");
  EXPECT_EQ(ErrorParam(Send("POST", "/api/keys", R"({"name":"k","expires_at":"2001-01-01"})", token), 400),
            "expires_at");
  EXPECT_EQ(ErrorParam(Send("POST", "/api/keys", R"({"name":"k","expires_at":"soon"})", token), 400), "expires_at");
  EXPECT_EQ(ErrorParam(Send("POST", "/api/keys", R"({"name":"k","log_prompts":"yes"})", token), 400), "log_prompts");
  Answer ok = Send("POST", "/api/keys", R"({"name":"k","limit_usd":12.5})", token);
  ASSERT_EQ(ok.status, 201);
  EXPECT_EQ(ok.at("key").at("limit_micros").as_int64(), 12'500'000);
  std::string path = "/api/keys/" + std::to_string(ok.at("key").at("id").as_int64());
  EXPECT_EQ(ErrorParam(Send("PATCH", path, R"({"name":null})", token), 400), "name");
  EXPECT_EQ(ErrorParam(Send("PATCH", "/api/keys/abc", "{}", token), 404), "");
  EXPECT_EQ(ErrorParam(Send("PATCH", "/api/keys/99999", "{}", token), 404), "");
}

TEST_F(ApiTest, AnotherUsersKeyIsNotFound) {
  std::string owner = SignUp("owner@example.com");
  std::string other = SignUp("other@example.com");
  Answer created = Send("POST", "/api/keys", R"({"name":"mine"})", owner);
  std::string path = "/api/keys/" + std::to_string(created.at("key").at("id").as_int64());
  Answer missing = Send("PATCH", "/api/keys/99999", R"({"name":"x"})", other);
  Answer foreign = Send("PATCH", path, R"({"name":"x"})", other);
  EXPECT_EQ(ErrorParam(foreign, 404), "");
  EXPECT_EQ(Send("DELETE", path, "", other).status, 404);
  EXPECT_EQ(Send("POST", path + "/rotate", "", other).status, 404);
  EXPECT_EQ(Send("GET", "/api/keys", "", other).at("keys").as_array().size(), 0u);
  EXPECT_EQ(Send("GET", "/api/keys", "", owner).at("keys").at(0).at("name").as_string(), "mine");
}

TEST_F(ApiTest, CheckoutAndTransactions) {
  std::string token = SignUp("pat@example.com");
  Answer paid = Send("POST", "/api/credits/checkout", R"({"amount_usd":"12.50"})", token);
  ASSERT_EQ(paid.status, 200) << paid.body;
  EXPECT_TRUE(paid.at("checkout_url").is_null());
  const auto& topup = paid.at("topup");
  EXPECT_EQ(topup.at("amount_micros").as_int64(), 12'500'000);
  EXPECT_EQ(topup.at("provider").as_string(), "sandbox");
  EXPECT_EQ(topup.at("status").as_string(), "completed");
  EXPECT_TRUE(topup.at("completed_at").is_string());

  Answer credits = Send("GET", "/api/credits", "", token);
  EXPECT_EQ(credits.at("balance_micros").as_int64(), 12'500'000);
  EXPECT_EQ(credits.at("total_credited_micros").as_int64(), 12'500'000);
  EXPECT_EQ(credits.at("total_spent_micros").as_int64(), 0);
  Answer tx = Send("GET", "/api/credits/transactions?limit=10", "", token);
  ASSERT_EQ(tx.status, 200) << tx.body;
  ASSERT_EQ(tx.at("transactions").as_array().size(), 1u);
  EXPECT_EQ(tx.at("transactions").at(0).at("kind").as_string(), "topup");
  EXPECT_EQ(tx.at("transactions").at(0).at("amount_micros").as_int64(), 12'500'000);

  for (const char* bad : {R"({"amount_usd":"12.505"})", R"({"amount_usd":"0.99"})", R"({"amount_usd":10000.01})",
                          R"({"amount_usd":"-5"})", R"({"amount_usd":"x"})", "{}"}) {
    EXPECT_EQ(ErrorParam(Send("POST", "/api/credits/checkout", bad, token), 400), "amount_usd") << bad;
  }
  EXPECT_EQ(Send("POST", "/api/credits/checkout", R"({"amount_usd":10000})", token).status, 200);
  EXPECT_EQ(ErrorParam(Send("GET", "/api/credits/transactions?limit=0", "", token), 400), "limit");

  MakeApi(config_, false);
  EXPECT_EQ(ErrorParam(Send("POST", "/api/credits/checkout", R"({"amount_usd":"5"})", LogIn("pat@example.com")), 503),
            "");
}

store::RequestLogRow Row(int64_t user, int64_t key, const std::string& id, const std::string& model, int status,
                         int64_t created_ms) {
  store::RequestLogRow r;
  r.request_id = id;
  r.user_id = user;
  r.key_id = key;
  r.model_id = model;
  r.provider_id = "openai";
  r.upstream_model = "gpt";
  r.prompt_tokens = 10;
  r.completion_tokens = 5;
  r.cost = 7;
  r.http_status = status;
  r.finish_reason = status == 200 ? "stop" : "error";
  r.error_message = status == 200 ? "" : "upstream failed";
  r.created_at = created_ms;
  r.latency_ms = 30;
  return r;
}

TEST_F(ApiTest, LogsAndActivity) {
  std::string token = SignUp("quinn@example.com");
  std::string other = SignUp("rita@example.com");
  int64_t user = UserId("quinn@example.com");
  int64_t key = Send("POST", "/api/keys", R"({"name":"k"})", token).at("key").at("id").as_int64();
  int64_t now_ms = UnixMillis();
  std::vector<store::RequestLogRow> rows = {Row(user, key, "gen-a", "openai/a", 200, now_ms - 3000),
                                            Row(user, key, "gen-b", "openai/b", 502, now_ms - 2000),
                                            Row(user, key, "gen-c", "openai/a", 200, now_ms - 1000)};
  rows[2].prompt_text = "hello";
  rows[2].completion_text = "hi there";
  ASSERT_TRUE(store_->AppendRequestLogs(rows).ok());

  Answer page = Send("GET", "/api/logs?limit=2", "", token);
  ASSERT_EQ(page.status, 200) << page.body;
  ASSERT_EQ(page.at("logs").as_array().size(), 2u);
  EXPECT_EQ(page.at("logs").at(0).at("id").as_string(), "gen-c");
  EXPECT_FALSE(page.at("logs").at(0).as_object().contains("prompt"));
  ASSERT_TRUE(page.at("next_cursor").is_string());
  Answer rest = Send("GET", "/api/logs?limit=2&cursor=" + std::string(page.at("next_cursor").as_string()), "", token);
  ASSERT_EQ(rest.at("logs").as_array().size(), 1u);
  EXPECT_EQ(rest.at("logs").at(0).at("id").as_string(), "gen-a");
  EXPECT_TRUE(rest.at("next_cursor").is_null());
  EXPECT_EQ(Send("GET", "/api/logs?status=502", "", token).at("logs").as_array().size(), 1u);
  EXPECT_EQ(Send("GET", "/api/logs?model=openai%2Fa", "", token).at("logs").as_array().size(), 2u);
  EXPECT_EQ(ErrorParam(Send("GET", "/api/logs?cursor=zz", "", token), 400), "cursor");
  EXPECT_EQ(ErrorParam(Send("GET", "/api/logs?from=yesterday", "", token), 400), "from");
  EXPECT_EQ(Send("GET", "/api/logs", "", other).at("logs").as_array().size(), 0u);

  Answer one = Send("GET", "/api/logs/gen-c", "", token);
  ASSERT_EQ(one.status, 200) << one.body;
  EXPECT_EQ(one.at("log").at("prompt").as_string(), "hello");
  EXPECT_EQ(one.at("log").at("completion").as_string(), "hi there");
  EXPECT_EQ(one.at("log").at("usage_source").as_string(), "provider");
  EXPECT_TRUE(one.at("log").at("ttft_ms").is_null());
  EXPECT_FALSE(Send("GET", "/api/logs/gen-a", "", token).at("log").as_object().contains("prompt"));
  EXPECT_EQ(Send("GET", "/api/logs/gen-c", "", other).status, 404);
  EXPECT_EQ(Send("GET", "/api/logs/gen-zzz", "", token).status, 404);

  Answer by_model = Send("GET", "/api/activity?group_by=model", "", token);
  ASSERT_EQ(by_model.status, 200) << by_model.body;
  ASSERT_EQ(by_model.at("buckets").as_array().size(), 2u);
  EXPECT_EQ(by_model.at("buckets").at(0).at("group").as_string(), "openai/a");
  EXPECT_EQ(by_model.at("buckets").at(0).at("requests").as_int64(), 2);
  EXPECT_EQ(by_model.at("totals").at("requests").as_int64(), 3);
  EXPECT_EQ(by_model.at("totals").at("errors").as_int64(), 1);
  EXPECT_EQ(by_model.at("totals").at("cost_micros").as_int64(), 21);
  EXPECT_FALSE(by_model.at("totals").as_object().contains("group"));
  EXPECT_EQ(Send("GET", "/api/activity", "", token).at("totals").at("requests").as_int64(), 3);
  EXPECT_EQ(ErrorParam(Send("GET", "/api/activity?group_by=hour", "", token), 400), "group_by");
  EXPECT_EQ(Send("GET", "/api/activity?to=2001-01-01", "", token).at("totals").at("requests").as_int64(), 0);
}

TEST_F(ApiTest, ModelsArePublicAndHoldNoSecrets) {
  auto catalog = store::DefaultCatalog();
  ASSERT_TRUE(catalog.ok());
  router_->Load(*catalog);
  Answer models = Send("GET", "/api/models");
  ASSERT_EQ(models.status, 200) << models.body.substr(0, 200);
  EXPECT_EQ(models.body.find("sk-upstream-secret-value"), std::string::npos);
  bool openai_available = false, anthropic_available = true;
  for (const auto& p : models.at("providers").as_array()) {
    if (p.at("id") == "openai") openai_available = p.at("available").as_bool();
    if (p.at("id") == "anthropic") anthropic_available = p.at("available").as_bool();
  }
  EXPECT_TRUE(openai_available);
  EXPECT_FALSE(anthropic_available);
  ASSERT_FALSE(models.at("models").as_array().empty());
  const auto& endpoint = models.at("models").at(0).at("endpoints").at(0);
  EXPECT_TRUE(endpoint.at("prices").at("input").is_int64());
  EXPECT_FALSE(models.at("companies").as_array().empty());
}

TEST_F(ApiTest, AdminOnly) {
  std::string user = SignUp("sam@example.com");
  EXPECT_EQ(ErrorParam(Send("GET", "/api/admin/users", "", user), 403), "");
  EXPECT_EQ(Send("POST", "/api/admin/users/1/credits", R"({"amount_usd":"5"})", user).status, 403);
  EXPECT_EQ(Send("GET", "/api/admin/users").status, 401);
}

TEST_F(ApiTest, AdminManagesUsersAndCredits) {
  std::string user_token = SignUp("tess@example.com");
  std::string admin = Admin();
  int64_t tess = UserId("tess@example.com");
  std::string base = "/api/admin/users/" + std::to_string(tess);

  Answer granted = Send("POST", base + "/credits", R"({"amount_usd":"10","note":"welcome"})", admin);
  ASSERT_EQ(granted.status, 200) << granted.body;
  EXPECT_EQ(granted.at("balance_micros").as_int64(), 10'000'000);
  Answer deducted = Send("POST", base + "/credits", R"({"amount_usd":-2.5})", admin);
  EXPECT_EQ(deducted.at("balance_micros").as_int64(), 7'500'000);
  EXPECT_EQ(ErrorParam(Send("POST", base + "/credits", R"({"amount_usd":"-100"})", admin), 409), "amount_usd");
  EXPECT_EQ(ErrorParam(Send("POST", base + "/credits", R"({"amount_usd":0})", admin), 400), "amount_usd");
  EXPECT_EQ(Send("POST", "/api/admin/users/99999/credits", R"({"amount_usd":1})", admin).status, 404);
  EXPECT_EQ(Must(store_->LedgerSum(tess)), 7'500'000);
  auto tx = Send("GET", "/api/credits/transactions", "", user_token).at("transactions");
  ASSERT_EQ(tx.as_array().size(), 2u);
  EXPECT_EQ(tx.at(0).at("kind").as_string(), "deduct");
  EXPECT_EQ(tx.at(1).at("note").as_string(), "welcome");
  auto grants = Send("GET", "/api/credits/transactions?type=grant", "", user_token).at("transactions");
  ASSERT_EQ(grants.as_array().size(), 1u);
  EXPECT_EQ(grants.at(0).at("amount_micros").as_int64(), 10'000'000);
  EXPECT_FALSE(grants.at(0).at("running").as_bool());
  EXPECT_TRUE(grants.at(0).at("settled_at").is_null());
  EXPECT_TRUE(
      Send("GET", "/api/credits/transactions?type=request", "", user_token).at("transactions").as_array().empty());
  EXPECT_TRUE(Send("GET", "/api/credits/transactions?to=2001-01-01T00:00:00Z", "", user_token)
                  .at("transactions")
                  .as_array()
                  .empty());
  EXPECT_EQ(Send("GET", "/api/credits/transactions?from=2001-01-01T00:00:00%2B02:00", "", user_token)
                .at("transactions")
                .as_array()
                .size(),
            2u);
  EXPECT_EQ(ErrorParam(Send("GET", "/api/credits/transactions?type=settle", "", user_token), 400), "type");

  Answer one = Send("GET", base, "", admin);
  ASSERT_EQ(one.status, 200) << one.body;
  EXPECT_EQ(one.at("user").at("email").as_string(), "tess@example.com");
  EXPECT_EQ(one.at("user").at("balance_micros").as_int64(), 7'500'000);
  EXPECT_EQ(one.at("user").at("total_credited_micros").as_int64(), 7'500'000);
  EXPECT_TRUE(one.at("keys").as_array().empty());
  EXPECT_TRUE(one.at("recent_requests").as_array().empty());
  EXPECT_EQ(one.at("usage").at("totals").at("requests").as_int64(), 0);
  EXPECT_TRUE(one.at("usage").at("by_model").as_array().empty());
  EXPECT_EQ(Send("GET", "/api/admin/users/99999", "", admin).status, 404);
  EXPECT_EQ(Send("GET", "/api/admin/users/abc", "", admin).status, 404);
  EXPECT_EQ(Send("GET", base, "", user_token).status, 403);

  Answer users = Send("GET", "/api/admin/users?limit=1", "", admin);
  ASSERT_EQ(users.status, 200) << users.body;
  ASSERT_EQ(users.at("users").as_array().size(), 1u);
  EXPECT_EQ(users.at("users").at(0).at("balance_micros").as_int64(), 7'500'000);
  EXPECT_EQ(users.body.find("argon2"), std::string::npos);
  Answer after = Send("GET", "/api/admin/users?after=" + std::to_string(tess), "", admin);
  EXPECT_EQ(after.at("users").at(0).at("email").as_string(), "root@example.com");

  Answer promoted = Send("PATCH", base, R"({"is_admin":true})", admin);
  ASSERT_EQ(promoted.status, 200) << promoted.body;
  EXPECT_TRUE(promoted.at("user").at("is_admin").as_bool());
  Answer disabled = Send("PATCH", base, R"({"disabled":true})", admin);
  EXPECT_TRUE(disabled.at("user").at("disabled").as_bool());
  EXPECT_EQ(Send("GET", "/api/me", "", user_token).status, 401);  // signed out everywhere

  int64_t self = UserId("root@example.com");
  std::string me = "/api/admin/users/" + std::to_string(self);
  EXPECT_EQ(Send("PATCH", me, R"({"is_admin":false})", admin).status, 409);
  EXPECT_EQ(Send("PATCH", me, R"({"disabled":true})", admin).status, 409);
  EXPECT_EQ(ErrorParam(Send("PATCH", me, R"({"disabled":"no"})", admin), 400), "disabled");
  EXPECT_EQ(Send("PATCH", "/api/admin/users/0", "{}", admin).status, 404);
}

}  // namespace
}  // namespace turnpike::control
