#include "control/router.h"

#include <gtest/gtest.h>

namespace turnpike::control {
namespace {

using Outcome = Router::Match::Outcome;

Router Make() {
  Router r;
  r.Add("GET", "/api/keys", 1);
  r.Add("POST", "/api/keys", 2);
  r.Add("PATCH", "/api/keys/{id}", 3);
  r.Add("DELETE", "/api/keys/{id}", 4);
  r.Add("POST", "/api/keys/{id}/rotate", 5);
  r.Add("GET", "/api/logs/{id}", 6);
  r.Add("GET", "/api/admin/users/{user}/x/{other}", 7);
  return r;
}

TEST(Router, LiteralAndMethod) {
  Router r = Make();
  auto m = r.Find("GET", "/api/keys");
  EXPECT_EQ(m.outcome, Outcome::kFound);
  EXPECT_EQ(m.id, 1);
  EXPECT_TRUE(m.params.empty());
  EXPECT_EQ(r.Find("POST", "/api/keys").id, 2);
}

TEST(Router, Parameters) {
  Router r = Make();
  auto m = r.Find("PATCH", "/api/keys/42");
  ASSERT_EQ(m.outcome, Outcome::kFound);
  EXPECT_EQ(m.id, 3);
  EXPECT_EQ(FindParam(m.params, "id"), "42");
  EXPECT_EQ(FindParam(m.params, "nope"), "");
  auto rot = r.Find("POST", "/api/keys/7/rotate");
  EXPECT_EQ(rot.id, 5);
  EXPECT_EQ(FindParam(rot.params, "id"), "7");
  auto two = r.Find("GET", "/api/admin/users/3/x/abc");
  ASSERT_EQ(two.outcome, Outcome::kFound);
  EXPECT_EQ(FindParam(two.params, "user"), "3");
  EXPECT_EQ(FindParam(two.params, "other"), "abc");
}

TEST(Router, WrongMethodListsAllowed) {
  Router r = Make();
  auto m = r.Find("PUT", "/api/keys/42");
  EXPECT_EQ(m.outcome, Outcome::kNoMethod);
  EXPECT_EQ(m.allow, "PATCH, DELETE");
  EXPECT_EQ(r.Find("DELETE", "/api/keys").allow, "GET, POST");
  EXPECT_EQ(r.Find("GET", "/api/keys/1/rotate").outcome, Outcome::kNoMethod);
}

TEST(Router, UnknownPaths) {
  Router r = Make();
  for (const char* path :
       {"/api/key", "/api/keys/", "/api/keys//rotate", "/api/keys/1/2", "/", "", "/api/logs/", "/api/keys/1/rotate/"}) {
    EXPECT_EQ(r.Find("GET", path).outcome, Outcome::kNoPath) << path;
  }
}

}  // namespace
}  // namespace turnpike::control
