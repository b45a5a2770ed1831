// The catalog administration routes, through Api::Handle: companies, providers, models and
// endpoints with effective-dated prices; the gateway's snapshot reloads at once.
#include "common/clock.h"
#include "control/api_test_fixture.h"
#include "control/time_format.h"

namespace turnpike::control {
namespace {

namespace json = boost::json;

const char kModelPath[] = "/api/admin/models/acme%2Frocket-1";
const char kEndpointPath[] = "/api/admin/models/acme%2Frocket-1/endpoints/acme-cloud";

class CatalogApiTest : public ApiTest {
 protected:
  void SetUp() override {
    ApiTest::SetUp();
    admin_ = Admin();
  }

  // A company, a provider (its key is set in the fixture's environment) and a model.
  void Seed() {
    ASSERT_EQ(Send("POST", "/api/admin/companies", R"({"id":"acme","name":"Acme"})", admin_).status, 201);
    Answer provider = Send("POST", "/api/admin/providers",
                           R"({"id":"acme-cloud","name":"Acme Cloud","adapter":"openai",)"
                           R"("base_url":"https://api.acme.test/v1/","key_env":"OPENAI_API_KEY"})",
                           admin_);
    ASSERT_EQ(provider.status, 201) << provider.body;
    Answer model = Send("POST", "/api/admin/models",
                        R"({"id":"acme/rocket-1","name":"Acme: Rocket 1","context_length":100000,)"
                        R"("max_output":8000,"description":"fast","created":"2025-06-01"})",
                        admin_);
    ASSERT_EQ(model.status, 201) << model.body;
  }

  Answer PutEndpoint(const std::string& body) { return Send("PUT", kEndpointPath, body, admin_); }

  const store::Endpoint* SnapshotEndpoint() {
    snapshot_ = router_->snapshot();
    if (!snapshot_) return nullptr;
    const store::Model* model = snapshot_->FindModel("acme/rocket-1");
    if (!model) return nullptr;
    for (const auto& e : model->endpoints) {
      if (e.provider_id == "acme-cloud") return &e;
    }
    return nullptr;
  }

  std::string admin_;
  std::shared_ptr<const state::CatalogSnapshot> snapshot_;
};

TEST_F(CatalogApiTest, OnlyAdministratorsManageTheCatalog) {
  std::string user = SignUp("user@example.com");
  struct Case {
    const char* method;
    std::string path;
    const char* body;
  };
  const Case cases[] = {
      {"POST", "/api/admin/companies", R"({"id":"x","name":"X"})"},
      {"PATCH", "/api/admin/companies/x", R"({"name":"Y"})"},
      {"DELETE", "/api/admin/companies/x", ""},
      {"POST", "/api/admin/providers", R"({"id":"p","name":"P","adapter":"openai","base_url":"https://p.test"})"},
      {"PATCH", "/api/admin/providers/p", R"({"name":"Q"})"},
      {"DELETE", "/api/admin/providers/p", ""},
      {"POST", "/api/admin/models", R"({"id":"x/m","name":"M","context_length":1,"max_output":1})"},
      {"PATCH", "/api/admin/models/x%2Fm", R"({"name":"N"})"},
      {"DELETE", "/api/admin/models/x%2Fm", ""},
      {"PUT", "/api/admin/models/x%2Fm/endpoints/p", R"({"upstream_model":"m","prices":{"input":"1","output":"2"}})"},
      {"DELETE", "/api/admin/models/x%2Fm/endpoints/p", ""},
      {"GET", "/api/admin/models/x%2Fm/endpoints/p/prices", ""},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(ErrorParam(Send(c.method, c.path, c.body), 401), "") << c.method << " " << c.path;
    EXPECT_EQ(ErrorParam(Send(c.method, c.path, c.body, user), 403), "") << c.method << " " << c.path;
  }
  EXPECT_TRUE(Must(store_->CatalogEmpty()));
}

TEST_F(CatalogApiTest, LifecycleReachesTheGatewayAtOnce) {
  Seed();
  EXPECT_EQ(ErrorParam(Send("POST", "/api/admin/companies", R"({"id":"acme","name":"Again"})", admin_), 409), "id");
  Answer renamed = Send("PATCH", "/api/admin/companies/acme", R"({"name":"Acme Inc."})", admin_);
  ASSERT_EQ(renamed.status, 200) << renamed.body;
  EXPECT_EQ(renamed.at("company").at("name").as_string(), "Acme Inc.");

  // The provider: the variable's name, never its value; available because it is set.
  Answer patched = Send("PATCH", "/api/admin/providers/acme-cloud", R"({"base_url_env":"ACME_BASE_URL"})", admin_);
  ASSERT_EQ(patched.status, 200) << patched.body;
  const auto& provider = patched.at("provider").as_object();
  EXPECT_EQ(provider.at("base_url").as_string(), "https://api.acme.test/v1");
  EXPECT_EQ(provider.at("key_env").as_string(), "OPENAI_API_KEY");
  EXPECT_EQ(provider.at("base_url_env").as_string(), "ACME_BASE_URL");
  EXPECT_TRUE(provider.at("available").as_bool());
  EXPECT_TRUE(provider.at("unavailable_reason").is_null());
  EXPECT_EQ(patched.body.find("sk-upstream-secret-value"), std::string::npos);
  Answer other = Send(
      "POST", "/api/admin/providers",
      R"({"id":"far","name":"Far","adapter":"gemini","base_url":"http://far.test","key_env":"FAR_API_KEY"})", admin_);
  ASSERT_EQ(other.status, 201) << other.body;
  EXPECT_FALSE(other.at("provider").at("available").as_bool());
  EXPECT_EQ(other.at("provider").at("unavailable_reason").as_string(), "FAR_API_KEY is not set");

  // An endpoint: created, then in the gateway's snapshot with no reload needed.
  Answer created = PutEndpoint(R"({"upstream_model":"rocket-1-2025","prices":{"input":"0.15","output":"0.6"},)"
                               R"("supported_parameters":["temperature","tools"]})");
  ASSERT_EQ(created.status, 201) << created.body;
  const auto& endpoint = created.at("endpoint").as_object();
  EXPECT_EQ(endpoint.at("model").as_string(), "acme/rocket-1");
  EXPECT_EQ(endpoint.at("provider").as_string(), "acme-cloud");
  EXPECT_EQ(endpoint.at("prices").at("input").as_int64(), 150000);
  EXPECT_EQ(endpoint.at("prices").at("output").as_int64(), 600000);
  EXPECT_EQ(endpoint.at("prices").at("cache_read").as_int64(), 0);
  EXPECT_EQ(endpoint.at("context_length").as_int64(), 100000);  // the model's
  EXPECT_EQ(endpoint.at("max_output").as_int64(), 8000);
  EXPECT_TRUE(endpoint.at("available").as_bool());
  EXPECT_TRUE(endpoint.at("scheduled_prices").as_array().empty());
  const store::Endpoint* live = SnapshotEndpoint();
  ASSERT_NE(live, nullptr);
  EXPECT_EQ(live->upstream_model, "rocket-1-2025");
  EXPECT_EQ(live->prices.output, 600000);
  EXPECT_EQ(snapshot_->Candidates(*snapshot_->FindModel("acme/rocket-1")).size(), 1u);
  Answer models = Send("GET", "/api/models");
  EXPECT_NE(models.body.find("rocket-1-2025"), std::string::npos);

  // A change of price effective now: in the snapshot at once; the history has both.
  Answer changed = PutEndpoint(R"({"prices":{"output":"0.75"}})");
  ASSERT_EQ(changed.status, 200) << changed.body;
  EXPECT_EQ(changed.at("endpoint").at("prices").at("input").as_int64(), 150000);  // kept
  EXPECT_EQ(changed.at("endpoint").at("prices").at("output").as_int64(), 750000);
  EXPECT_EQ(changed.at("endpoint").at("upstream_model").as_string(), "rocket-1-2025");
  EXPECT_EQ(SnapshotEndpoint()->prices.output, 750000);
  Answer history = Send("GET", std::string(kEndpointPath) + "/prices", "", admin_);
  ASSERT_EQ(history.status, 200) << history.body;
  const auto& rows = history.at("history").as_array();
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].at("state").as_string(), "superseded");
  EXPECT_EQ(rows[1].at("state").as_string(), "current");
  EXPECT_EQ(rows[1].at("prices").at("output").as_int64(), 750000);
  EXPECT_TRUE(history.at("endpoint_exists").as_bool());

  // The model's own fields change; its endpoints stay.
  Answer model =
      Send("PATCH", kModelPath, R"({"name":"Rocket One","created":null,"input_modalities":["text","image"]})", admin_);
  ASSERT_EQ(model.status, 200) << model.body;
  EXPECT_EQ(model.at("model").at("name").as_string(), "Rocket One");
  EXPECT_TRUE(model.at("model").at("created").is_null());
  EXPECT_EQ(model.at("model").at("description").as_string(), "fast");
  ASSERT_EQ(model.at("model").at("endpoints").as_array().size(), 1u);

  // Dependencies: 409 while something depends on it.
  EXPECT_EQ(ErrorParam(Send("DELETE", "/api/admin/companies/acme", "", admin_), 409), "");
  EXPECT_EQ(ErrorParam(Send("DELETE", "/api/admin/providers/acme-cloud", "", admin_), 409), "");
  EXPECT_EQ(Send("DELETE", kEndpointPath, "", admin_).status, 204);
  EXPECT_EQ(SnapshotEndpoint(), nullptr);
  EXPECT_EQ(ErrorParam(Send("DELETE", kEndpointPath, "", admin_), 404), "");
  // A deleted endpoint's history stays readable.
  Answer kept = Send("GET", std::string(kEndpointPath) + "/prices", "", admin_);
  ASSERT_EQ(kept.status, 200);
  EXPECT_FALSE(kept.at("endpoint_exists").as_bool());
  EXPECT_EQ(kept.at("history").as_array().back().at("state").as_string(), "superseded");
  EXPECT_EQ(Send("DELETE", "/api/admin/providers/acme-cloud", "", admin_).status, 204);
  EXPECT_EQ(Send("DELETE", kModelPath, "", admin_).status, 204);
  EXPECT_EQ(router_->snapshot()->FindModel("acme/rocket-1"), nullptr);
  EXPECT_EQ(ErrorParam(Send("DELETE", kModelPath, "", admin_), 404), "");
  EXPECT_EQ(Send("DELETE", "/api/admin/companies/acme", "", admin_).status, 204);
  EXPECT_EQ(ErrorParam(Send("PATCH", "/api/admin/companies/acme", "{}", admin_), 404), "");
}

TEST_F(CatalogApiTest, ScheduledPricesWaitForTheirTime) {
  Seed();
  ASSERT_EQ(PutEndpoint(R"({"upstream_model":"r1","prices":{"input":"1","output":"2","cache_read":"0.5"}})").status,
            201);
  const int64_t when = UnixSeconds() + 3600;
  Answer scheduled = PutEndpoint(R"({"prices":{"input":"3"},"effective_from":")" + FormatUnixSeconds(when) +
                                 R"(","upstream_model":"r1-new"})");
  ASSERT_EQ(scheduled.status, 200) << scheduled.body;
  const auto& endpoint = scheduled.at("endpoint").as_object();
  EXPECT_EQ(endpoint.at("prices").at("input").as_int64(), 1'000'000);  // still the old price
  EXPECT_EQ(endpoint.at("upstream_model").as_string(), "r1-new");      // at once
  const auto& pending = endpoint.at("scheduled_prices").as_array();
  ASSERT_EQ(pending.size(), 1u);
  EXPECT_EQ(pending[0].at("prices").at("input").as_int64(), 3'000'000);
  EXPECT_EQ(pending[0].at("prices").at("output").as_int64(), 2'000'000);  // kept from before
  EXPECT_EQ(pending[0].at("prices").at("cache_read").as_int64(), 500'000);
  EXPECT_EQ(pending[0].at("effective_from").as_string(), FormatUnixSeconds(when));

  const store::Endpoint* live = SnapshotEndpoint();
  ASSERT_NE(live, nullptr);
  EXPECT_EQ(live->prices.input, 1'000'000);
  EXPECT_EQ(snapshot_->catalog().next_price_change, std::optional<int64_t>(when));
  EXPECT_EQ(Must(store_->LoadCatalogAt(when)).models[0].endpoints[0].prices.input, 3'000'000);

  Answer history = Send("GET", std::string(kEndpointPath) + "/prices", "", admin_);
  ASSERT_EQ(history.status, 200);
  const auto& rows = history.at("history").as_array();
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].at("state").as_string(), "current");
  EXPECT_EQ(rows[1].at("state").as_string(), "scheduled");

  // A time in the past means now.
  Answer past = PutEndpoint(R"({"prices":{"input":"1.5"},"effective_from":"2001-01-01T00:00:00Z"})");
  ASSERT_EQ(past.status, 200) << past.body;
  EXPECT_EQ(past.at("endpoint").at("prices").at("input").as_int64(), 1'500'000);
}

TEST_F(CatalogApiTest, BadInputNamesTheField) {
  Seed();
  auto post = [&](const char* path, const std::string& body) { return Send("POST", path, body, admin_); };
  EXPECT_EQ(ErrorParam(post("/api/admin/companies", R"({"name":"No id"})"), 400), "id");
  EXPECT_EQ(ErrorParam(post("/api/admin/companies", R"({"id":"Bad Id","name":"B"})"), 400), "id");
  EXPECT_EQ(ErrorParam(post("/api/admin/companies", R"({"id":"b","name":"B","extra":1})"), 400), "extra");
  const std::string provider = R"({"id":"p","name":"P","adapter":"openai","base_url":"https://p.test")";
  EXPECT_EQ(ErrorParam(post("/api/admin/providers", provider + R"(,"api_key":"sk-live-123"})"), 400), "api_key");
  EXPECT_EQ(ErrorParam(post("/api/admin/providers", provider + R"(,"key_env":"sk-live-123"})"), 400), "key_env");
  EXPECT_EQ(ErrorParam(post("/api/admin/providers", provider + R"(,"key_env":"lower_case"})"), 400), "key_env");
  EXPECT_EQ(ErrorParam(post("/api/admin/providers", provider + R"(,"base_url_env":"1ABC"})"), 400), "base_url_env");
  EXPECT_EQ(
      ErrorParam(
          post("/api/admin/providers", R"({"id":"p","name":"P","adapter":"cohere","base_url":"https://p.test"})"), 400),
      "adapter");
  for (const char* url :
       {"ftp://p.test", "https://user:pw@p.test/v1", "not a url", "https://p.test/v1?key=1", "https://"}) {
    std::string body = R"({"id":"p","name":"P","adapter":"openai","base_url":")" + std::string(url) + R"("})";
    EXPECT_EQ(ErrorParam(post("/api/admin/providers", body), 400), "base_url") << url;
  }
  EXPECT_EQ(
      ErrorParam(post("/api/admin/models", R"({"id":"no-slash","name":"M","context_length":1,"max_output":1})"), 400),
      "id");
  EXPECT_EQ(
      ErrorParam(post("/api/admin/models", R"({"id":"nobody/m","name":"M","context_length":1,"max_output":1})"), 400),
      "company");
  EXPECT_EQ(
      ErrorParam(post("/api/admin/models", R"({"id":"acme/m","name":"M","context_length":0,"max_output":1})"), 400),
      "context_length");
  EXPECT_EQ(ErrorParam(post("/api/admin/models", R"({"id":"acme/m","name":"M","context_length":1,"max_output":1,)"
                                                 R"("input_modalities":"text"})"),
                       400),
            "input_modalities");
  EXPECT_EQ(
      ErrorParam(post("/api/admin/models", R"({"id":"acme/rocket-1","name":"M","context_length":1,"max_output":1})"),
                 409),
      "id");

  EXPECT_EQ(ErrorParam(PutEndpoint(R"({"upstream_model":"r"})"), 400), "prices");
  EXPECT_EQ(ErrorParam(PutEndpoint(R"({"prices":{"input":"1","output":"2"}})"), 400), "upstream_model");
  EXPECT_EQ(ErrorParam(PutEndpoint(R"({"upstream_model":"r","prices":{"input":"1"}})"), 400), "prices.output");
  EXPECT_EQ(ErrorParam(PutEndpoint(R"({"upstream_model":"r","prices":{"input":"-1","output":"2"}})"), 400),
            "prices.input");
  EXPECT_EQ(ErrorParam(PutEndpoint(R"({"upstream_model":"r","prices":{"input":"0.0000001","output":"2"}})"), 400),
            "prices.input");
  EXPECT_EQ(ErrorParam(PutEndpoint(R"({"upstream_model":"r","prices":{"input":"1","output":"2","gold":"1"}})"), 400),
            "prices.gold");
  EXPECT_EQ(ErrorParam(PutEndpoint(R"({"upstream_model":"r","prices":"cheap"})"), 400), "prices");
  EXPECT_EQ(ErrorParam(PutEndpoint(R"({"upstream_model":"r","prices":{"input":"1","output":"2"},)"
                                   R"("effective_from":"2999-01-01"})"),
                       400),
            "effective_from");
  EXPECT_EQ(
      ErrorParam(PutEndpoint(R"({"upstream_model":"r","prices":{"input":"1","output":"2"},"effective_from":"soon"})"),
                 400),
      "effective_from");
  EXPECT_TRUE(Must(store_->ListPriceHistory("acme/rocket-1", "acme-cloud")).empty());
  ASSERT_EQ(PutEndpoint(R"({"upstream_model":"r","prices":{"input":"1","output":"2"}})").status, 201);
  EXPECT_EQ(ErrorParam(PutEndpoint(R"({"effective_from":"2999-01-01"})"), 400), "effective_from");
  EXPECT_EQ(ErrorParam(PutEndpoint(R"({"supported_parameters":["Temperature"]})"), 400), "supported_parameters");

  // Unknown things are 404, whoever's fault; a model id must be URL-encoded.
  EXPECT_EQ(ErrorParam(Send("PUT", "/api/admin/models/acme%2Fnone/endpoints/acme-cloud", "{}", admin_), 404), "");
  EXPECT_EQ(ErrorParam(Send("PUT", "/api/admin/models/acme%2Frocket-1/endpoints/none", "{}", admin_), 404), "");
  EXPECT_EQ(ErrorParam(Send("PATCH", "/api/admin/models/acme/rocket-1", "{}", admin_), 404), "");
  EXPECT_EQ(ErrorParam(Send("PATCH", "/api/admin/models/acme%2", "{}", admin_), 404), "");
  EXPECT_EQ(ErrorParam(Send("GET", "/api/admin/models/acme%2Fnone/endpoints/acme-cloud/prices", "", admin_), 404), "");
  EXPECT_EQ(ErrorParam(Send("PATCH", "/api/admin/providers/none", "{}", admin_), 404), "");
  EXPECT_EQ(ErrorParam(Send("DELETE", "/api/admin/providers/none", "", admin_), 404), "");
  EXPECT_EQ(ErrorParam(Send("PATCH", "/api/admin/providers/acme-cloud", R"({"id":"other"})", admin_), 400), "id");
}

}  // namespace
}  // namespace turnpike::control
