// OpenRouter's provider routing, rule by rule, on a catalog of one model at four providers.
#include "gateway/routing.h"

#include <gtest/gtest.h>

namespace turnpike::gateway {
namespace {

store::Catalog FourProviders() {
  store::Catalog c;
  for (const auto& [id, name] : std::vector<std::pair<std::string, std::string>>{
           {"openai", "OpenAI"}, {"azure", "Azure"}, {"groq", "Groq"}, {"together", "Together"}}) {
    c.providers.push_back(store::Provider{id, name, "openai", "http://127.0.0.1:9/v1", "", "", true});
  }
  store::Model m;
  m.id = "acme/m";
  // Prices (input, output per million): openai 3+6, azure 2+6, groq 1+1, together 3+4.
  auto endpoint = [](std::string provider, int64_t in, int64_t out, std::vector<std::string> params) {
    store::Endpoint e;
    e.provider_id = std::move(provider);
    e.upstream_model = "m";
    e.prices.input = in;
    e.prices.output = out;
    e.supported_parameters = std::move(params);
    return e;
  };
  m.endpoints = {endpoint("openai", 3, 6, {"tools", "temperature"}), endpoint("azure", 2, 6, {"temperature"}),
                 endpoint("groq", 1, 1, {}), endpoint("together", 3, 4, {"temperature"})};
  c.models.push_back(m);
  store::Model fallback;
  fallback.id = "acme/backup";
  fallback.endpoints = {endpoint("together", 1, 1, {})};
  c.models.push_back(fallback);
  return c;
}

class RoutingTest : public ::testing::Test {
 protected:
  RoutingTest() : snapshot_(FourProviders(), [](const std::string&) { return std::optional<std::string>(); }) {}

  RoutingInput Input() {
    RoutingInput in;
    in.models = {snapshot_.FindModel("acme/m")};
    in.now_ms = 1'000'000'000;
    return in;
  }
  // "provider@model" of each route, in order; or the error's code and message.
  std::vector<std::string> Order(const RoutingInput& in) {
    auto choice = ChooseRoutes(snapshot_, in);
    if (!choice.ok())
      return {"error " + std::to_string(static_cast<int>(choice.error().code)) + ": " + choice.error().message};
    std::vector<std::string> out;
    for (const auto& r : choice->routes)
      out.push_back(r.provider->provider->id + (r.model->id == "acme/m" ? "" : "@" + r.model->id));
    return out;
  }

  state::CatalogSnapshot snapshot_;
};

using Names = std::vector<std::string>;

TEST_F(RoutingTest, CheapestFirstByDefault) {
  EXPECT_EQ(Order(Input()), (Names{"groq", "together", "azure", "openai"}));
}

TEST_F(RoutingTest, OrderGoesFirstThenTheRestUnlessFallbacksAreOff) {
  RoutingInput in = Input();
  in.preferences.order = {"OpenAI", "azure"};  // by name or id, any case
  EXPECT_EQ(Order(in), (Names{"openai", "azure", "groq", "together"}));
  in.preferences.allow_fallbacks = false;
  EXPECT_EQ(Order(in), (Names{"openai", "azure"}));
  in.preferences.order.clear();
  EXPECT_EQ(Order(in), (Names{"groq"})) << "no order and no fallbacks: the first choice alone";
}

TEST_F(RoutingTest, OnlyAndIgnore) {
  RoutingInput in = Input();
  in.preferences.only = {"azure", "together"};
  EXPECT_EQ(Order(in), (Names{"together", "azure"}));
  in.preferences.only.clear();
  in.preferences.ignore = {"groq"};
  EXPECT_EQ(Order(in), (Names{"together", "azure", "openai"}));
  in.preferences.ignore.clear();
  in.preferences.only = {"nobody"};
  Names refused = Order(in);
  ASSERT_EQ(refused.size(), 1u);
  EXPECT_NE(refused[0].find("No endpoints found for acme/m"), std::string::npos) << refused[0];
  EXPECT_NE(refused[0].find("openai: not in provider.only"), std::string::npos) << refused[0];
}

TEST_F(RoutingTest, MaxPriceAndRequiredParameters) {
  RoutingInput in = Input();
  in.preferences.max_prompt_price = 2;
  in.preferences.max_completion_price = 4;
  EXPECT_EQ(Order(in), (Names{"groq"}));
  in = Input();
  in.parameters = {"tools", "temperature"};
  EXPECT_EQ(Order(in), (Names{"groq", "together", "azure", "openai"}))
      << "without require_parameters nothing is skipped";
  in.preferences.require_parameters = true;
  EXPECT_EQ(Order(in), (Names{"groq", "openai"})) << "groq lists nothing (unknown: taken), openai lists both";
}

// OpenRouter's data policy preferences filter by the endpoints' catalog flags; what they leave
// out is named, with why, in the choice (and so in the routing explanation).
TEST(RoutingDataPolicyTest, DataCollectionDenyAndZdrKeepOnlyTheEndpointsThatQualify) {
  store::Catalog c = FourProviders();
  // openai: deny + zdr; azure: deny; groq and together: allow (the default).
  c.models[0].endpoints[0].data_collection = "deny";
  c.models[0].endpoints[0].zdr = true;
  c.models[0].endpoints[1].data_collection = "deny";
  state::CatalogSnapshot snapshot(c, [](const std::string&) { return std::optional<std::string>(); });
  RoutingInput in;
  in.models = {snapshot.FindModel("acme/m")};
  auto providers = [&](const RoutingInput& input) {
    std::vector<std::string> out;
    auto choice = ChooseRoutes(snapshot, input);
    if (!choice.ok()) return std::vector<std::string>{"error: " + choice.error().message};
    for (const auto& r : choice->routes) out.push_back(r.provider->provider->id);
    return out;
  };
  EXPECT_EQ(providers(in), (Names{"groq", "together", "azure", "openai"})) << "no preference: no filter";

  in.preferences.deny_data_collection = true;
  EXPECT_EQ(providers(in), (Names{"azure", "openai"}));
  auto choice = ChooseRoutes(snapshot, in);
  ASSERT_TRUE(choice.ok());
  ASSERT_EQ(choice->skipped.size(), 2u);
  EXPECT_EQ(choice->skipped[0].provider, "groq");
  EXPECT_EQ(choice->skipped[0].model, "acme/m");
  EXPECT_EQ(choice->skipped[0].reason, "data collection");
  EXPECT_EQ(choice->skipped[1].Describe(), "acme/m at together: data collection");

  in.preferences.deny_data_collection = false;
  in.preferences.zdr = true;
  EXPECT_EQ(providers(in), (Names{"openai"}));
  choice = ChooseRoutes(snapshot, in);
  ASSERT_TRUE(choice.ok());
  ASSERT_EQ(choice->skipped.size(), 3u);
  EXPECT_EQ(choice->skipped[0].Describe(), "acme/m at groq: not zdr") << "cheapest first, as candidates come";

  // None qualifies: a 404-class refusal before any upstream call, saying why for each.
  in.preferences.only = {"azure", "groq"};
  auto refused = ChooseRoutes(snapshot, in);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kNotFound);
  EXPECT_NE(refused.error().message.find("azure: not zdr"), std::string::npos) << refused.error().message;
  in.preferences.zdr = false;
  in.preferences.deny_data_collection = true;
  in.preferences.only = {"groq", "together"};
  refused = ChooseRoutes(snapshot, in);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message.find("acme/m at groq: data collection"), std::string::npos)
      << refused.error().message;
}

TEST_F(RoutingTest, SortAndVariants) {
  RoutingInput in = Input();
  state::HealthMap health;
  in.health = &health;
  health[{"openai", "acme/m"}].tokens_per_second_ewma = 200;
  health[{"azure", "acme/m"}].tokens_per_second_ewma = 90;
  health[{"groq", "acme/m"}].latency_ms_ewma = 400;
  health[{"together", "acme/m"}].latency_ms_ewma = 100;
  health[{"azure", "acme/m"}].latency_ms_ewma = 250;
  in.preferences.sort = "throughput";
  EXPECT_EQ(Order(in), (Names{"openai", "azure", "groq", "together"})) << "unmeasured last, by price";
  in.preferences.sort = "latency";
  EXPECT_EQ(Order(in), (Names{"together", "azure", "groq", "openai"}));
  in.preferences.sort.clear();
  in.variant = "nitro";
  EXPECT_EQ(Order(in), (Names{"openai", "azure", "groq", "together"}));
  in.variant = "floor";
  EXPECT_EQ(Order(in), (Names{"groq", "together", "azure", "openai"}));
  EXPECT_EQ(SplitVariant("acme/m:nitro"), (std::pair<std::string, std::string>{"acme/m", "nitro"}));
  EXPECT_EQ(SplitVariant("acme/m:floor"), (std::pair<std::string, std::string>{"acme/m", "floor"}));
  EXPECT_EQ(SplitVariant("acme/m:free"), (std::pair<std::string, std::string>{"acme/m:free", ""}));
}

TEST_F(RoutingTest, AnEndpointCoolingDownGoesBehindTheOthersLeastBadFirst) {
  RoutingInput in = Input();
  state::HealthMap health;
  in.health = &health;
  // Cooling down until 5 s from now, and until 1 s from now; azure's cooldown is over (half-open:
  // it is tried in its place, as the probe).
  health[{"groq", "acme/m"}] = {.failures = 5, .consecutive_failures = 5, .cooldown_until_ms = in.now_ms + 5'000};
  health[{"together", "acme/m"}] = {.failures = 9, .consecutive_failures = 9, .cooldown_until_ms = in.now_ms + 1'000};
  health[{"azure", "acme/m"}] = {.failures = 9, .consecutive_failures = 9, .cooldown_until_ms = in.now_ms - 1};
  EXPECT_EQ(Order(in), (Names{"azure", "openai", "together", "groq"}));
  in.preferences.sort = "latency";
  health[{"groq", "acme/m"}].latency_ms_ewma = 1;
  EXPECT_EQ(Order(in), (Names{"azure", "openai", "together", "groq"})) << "whatever the sort";
  // Another model's breaker at the same provider changes nothing here.
  in.preferences.sort.clear();
  health.clear();
  health[{"groq", "acme/backup"}] = {.failures = 5, .cooldown_until_ms = in.now_ms + 5'000};
  EXPECT_EQ(Order(in), (Names{"groq", "together", "azure", "openai"}));
}

TEST_F(RoutingTest, EqualPricesGoInOrderOfTheirErrorRates) {
  store::Catalog catalog = FourProviders();
  catalog.models[0].endpoints[3].prices = {};  // together: 2 + 6, as azure
  catalog.models[0].endpoints[3].prices.input = 2;
  catalog.models[0].endpoints[3].prices.output = 6;
  state::CatalogSnapshot snapshot(std::move(catalog), [](const std::string&) { return std::optional<std::string>(); });
  RoutingInput in;
  in.models = {snapshot.FindModel("acme/m")};
  in.now_ms = 1'000'000'000;
  in.preferences.only = {"openai", "azure", "together"};
  auto order = [&] {
    std::vector<std::string> out;
    for (const auto& r : ChooseRoutes(snapshot, in)->routes) out.push_back(r.provider->provider->id);
    return out;
  };
  EXPECT_EQ(order(), (Names{"azure", "together", "openai"})) << "equal prices: catalog order";
  state::HealthMap health;
  in.health = &health;
  health[{"azure", "acme/m"}].error_rate_ewma = 0.3;
  EXPECT_EQ(order(), (Names{"together", "azure", "openai"})) << "the one failing less first";
  health[{"openai", "acme/m"}].error_rate_ewma = 0;
  health[{"together", "acme/m"}].error_rate_ewma = 0.9;
  EXPECT_EQ(order(), (Names{"azure", "together", "openai"})) << "never ahead of a cheaper one";
}

TEST_F(RoutingTest, FallbackModelsComeAfterTheModelsOwnProviders) {
  RoutingInput in = Input();
  in.models.push_back(snapshot_.FindModel("acme/backup"));
  in.preferences.only = {"groq", "together"};
  EXPECT_EQ(Order(in), (Names{"groq", "together", "together@acme/backup"}));
}

TEST_F(RoutingTest, NoAvailableProviderIsTheDeploymentsProblem) {
  store::Catalog c = FourProviders();
  for (auto& p : c.providers) p.enabled = false;
  state::CatalogSnapshot off(std::move(c), [](const std::string&) { return std::optional<std::string>(); });
  RoutingInput in;
  in.models = {off.FindModel("acme/m")};
  auto choice = ChooseRoutes(off, in);
  ASSERT_FALSE(choice.ok());
  EXPECT_EQ(choice.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(choice.error().message.find("disabled in the catalog"), std::string::npos);
}

}  // namespace
}  // namespace turnpike::gateway
