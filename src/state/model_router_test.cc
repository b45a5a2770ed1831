// ModelRouter's reloads: a good catalog replaces the snapshot; a failed read keeps it.
#include "state/model_router.h"

#include <gtest/gtest.h>

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
