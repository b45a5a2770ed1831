// ModelRouter's reloads: a good catalog replaces the snapshot; a failed read keeps it.
#include "state/model_router.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <map>

#include "state/models_json.h"
#include "store/catalog_file.h"

namespace turnpike::state {
namespace {

config::EnvLookup NoEnv() {
  return [](const std::string&) { return std::optional<std::string>(); };
}

store::Catalog OneModel(const std::string& id) {
  store::Catalog catalog;
  catalog.companies.push_back(store::Company{"acme", "Acme"});
  store::Model model;
  model.id = id;
  model.company_id = "acme";
  model.name = id;
  catalog.models.push_back(std::move(model));
  return catalog;
}

TEST(ModelRouterTest, ReloadReplacesTheSnapshot) {
  ModelRouter router(NoEnv());
  router.Load(OneModel("acme/old"));
  Status reloaded = router.Reload([] { return Result<store::Catalog>(OneModel("acme/new")); });
  ASSERT_TRUE(reloaded.ok()) << reloaded.error().message;
  EXPECT_EQ(router.snapshot()->FindModel("acme/old"), nullptr);
  EXPECT_NE(router.snapshot()->FindModel("acme/new"), nullptr);
}

TEST(ModelRouterTest, AFailedReloadKeepsTheSnapshotItHad) {
  ModelRouter router(NoEnv());
  router.Load(OneModel("acme/old"));
  auto before = router.snapshot();
  Status reloaded = router.Reload(
      [] { return Result<store::Catalog>(MakeError(ErrorCode::kInternal, "sqlite: database is locked")); });
  ASSERT_FALSE(reloaded.ok());
  EXPECT_EQ(reloaded.error().code, ErrorCode::kInternal);
  // The very snapshot it served before, not an empty catalog.
  EXPECT_EQ(router.snapshot(), before);
  EXPECT_NE(router.snapshot()->FindModel("acme/old"), nullptr);
  EXPECT_EQ(router.snapshot()->catalog().models.size(), 1u);
}

TEST(ModelRouterTest, AFailedFirstReloadLeavesNoSnapshot) {
  ModelRouter router(NoEnv());
  EXPECT_FALSE(router.Reload([] { return Result<store::Catalog>(MakeError(ErrorCode::kInternal, "x")); }).ok());
  EXPECT_EQ(router.snapshot(), nullptr);
}

}  // namespace
}  // namespace turnpike::state

namespace turnpike::state {
namespace {

store::Catalog Models(std::vector<std::pair<std::string, std::vector<std::string>>> models) {
  store::Catalog catalog;
  catalog.providers.push_back(store::Provider{"p", "P", "openai", "http://127.0.0.1:9/v1", "", "", true});
  for (auto& [id, natives] : models) {
    store::Model m;
    m.id = id;
    for (const auto& native : natives) {
      store::Endpoint e;
      e.provider_id = "p";
      e.upstream_model = native;
      m.endpoints.push_back(e);
    }
    catalog.models.push_back(std::move(m));
  }
  return catalog;
}

// OpenRouter's slugs, any case, and a provider's own names reach the catalog's model.
TEST(CatalogSnapshotTest, FindsAModelByItsIdOrAnAlias) {
  CatalogSnapshot snap(Models({{"anthropic/claude-sonnet-4-5", {"claude-sonnet-4-5-20250929"}},
                               {"openai/gpt-4o-mini", {"gpt-4o-mini"}},
                               {"meta/llama-3.1-8b", {"llama"}},
                               {"other/llama", {"llama"}}}),
                       NoEnv());
  auto id = [&](const std::string& name) {
    const store::Model* m = snap.FindModel(name);
    return m ? m->id : std::string("(none)");
  };
  EXPECT_EQ(id("anthropic/claude-sonnet-4-5"), "anthropic/claude-sonnet-4-5");
  EXPECT_EQ(id("anthropic/claude-sonnet-4.5"), "anthropic/claude-sonnet-4-5");
  EXPECT_EQ(id("Anthropic/Claude-Sonnet-4.5"), "anthropic/claude-sonnet-4-5");
  EXPECT_EQ(id("claude-sonnet-4-5-20250929"), "anthropic/claude-sonnet-4-5");
  EXPECT_EQ(id("gpt-4o-mini"), "openai/gpt-4o-mini");
  EXPECT_EQ(id("meta/llama-3.1-8b"), "meta/llama-3.1-8b") << "a catalog id with a dot is found as it is";
  EXPECT_EQ(id("meta/llama-3-1-8b"), "meta/llama-3.1-8b");
  EXPECT_EQ(id("other/llama"), "other/llama");
  EXPECT_EQ(id("llama"), "(none)") << "two models call themselves llama: neither is meant";
  EXPECT_EQ(id("openai/gpt-4o"), "(none)");
  EXPECT_EQ(id("anthropic/claude-sonnet-4.50"), "(none)");
}

// A key_env outside the rule (a database written before it) is never read, let alone sent.
// The default catalog uses OpenRouter's slugs as ids; the ids it had before still name the same
// model (they differ in a dot for a dash), and canonical_slug comes from the catalog.
TEST(CatalogSnapshotTest, TheDefaultCatalogsFormerIdsStillNameTheirModels) {
  auto catalog = store::DefaultCatalog();
  ASSERT_TRUE(catalog.ok()) << catalog.error().message;
  CatalogSnapshot snap(*catalog, NoEnv());
  size_t renamed = 0;
  for (const auto& m : catalog->models) {
    for (const auto& former : m.former_ids) {
      const store::Model* found = snap.FindModel(former);
      ASSERT_NE(found, nullptr) << former;
      EXPECT_EQ(found->id, m.id) << former;
      ++renamed;
    }
  }
  EXPECT_GT(renamed, 0u);
  ASSERT_NE(snap.FindModel("anthropic/claude-sonnet-4.5"), nullptr);
  EXPECT_EQ(snap.FindModel("anthropic/claude-sonnet-4-5")->id, "anthropic/claude-sonnet-4.5");

  auto listed = boost::json::parse(snap.models_json());
  std::map<std::string, std::string> slugs;
  for (const auto& m : listed.at("data").as_array()) {
    slugs[std::string(m.at("id").as_string())] = std::string(m.at("canonical_slug").as_string());
  }
  EXPECT_EQ(slugs["anthropic/claude-sonnet-4"], "anthropic/claude-4-sonnet-20250522") << "from the catalog";
  EXPECT_EQ(slugs["anthropic/claude-sonnet-4.5"], "anthropic/claude-sonnet-4.5") << "none in the catalog: the id";
}

TEST(CatalogSnapshotTest, AKeyEnvThatIsNotAProviderCredentialIsNeverRead) {
  store::Catalog catalog = Models({{"acme/m", {"m"}}});
  catalog.providers[0].key_env = "JWT_SECRET";
  bool read = false;
  CatalogSnapshot snap(std::move(catalog), [&](const std::string&) {
    read = true;
    return std::optional<std::string>("the-secret");
  });
  const ProviderState* p = snap.FindProvider("p");
  ASSERT_NE(p, nullptr);
  EXPECT_FALSE(p->available);
  EXPECT_TRUE(p->api_key.empty());
  EXPECT_NE(p->unavailable_reason.find("_API_KEY"), std::string::npos) << p->unavailable_reason;
  EXPECT_FALSE(read);
  EXPECT_TRUE(store::IsProviderKeyEnv("OPENAI_API_KEY"));
  EXPECT_FALSE(store::IsProviderKeyEnv("STRIPE_SECRET_KEY"));
  EXPECT_FALSE(store::IsProviderKeyEnv("TURNPIKE_X_API_KEY"));
  EXPECT_FALSE(store::IsProviderKeyEnv("_API_KEY"));
  EXPECT_FALSE(store::IsProviderKeyEnv("openai_API_KEY"));
}

TEST(CatalogSnapshotTest, SuggestsOnlyAModelCloseToAnUnknownName) {
  CatalogSnapshot snap(Models({{"openai/gpt-4o-mini", {"gpt-4o-mini"}}, {"anthropic/claude-haiku-4-5", {"h"}}}),
                       NoEnv());
  EXPECT_EQ(snap.SuggestModel("openai/gpt-4o-mni"), "openai/gpt-4o-mini");
  EXPECT_EQ(snap.SuggestModel("gpt-4o-mnii"), "openai/gpt-4o-mini");
  EXPECT_EQ(snap.SuggestModel("anthropic/claude-haiku-4.6"), "anthropic/claude-haiku-4-5");
  EXPECT_EQ(snap.SuggestModel("nobody/no-such-model"), std::nullopt);
  EXPECT_EQ(snap.SuggestModel("x"), std::nullopt);
}

}  // namespace
}  // namespace turnpike::state
