#include "control/forwarded.h"

#include <gtest/gtest.h>

namespace turnpike::control {
namespace {

net::HttpRequest From(const std::string& remote, Headers headers = {}) {
  net::HttpRequest r;
  r.remote_address = remote;
  r.headers = std::move(headers);
  return r;
}

config::Networks Trust(const std::vector<std::string>& items) {
  auto parsed = config::Networks::Parse(items);
  EXPECT_TRUE(parsed.ok());
  return parsed.ok() ? *parsed : config::Networks();
}

TEST(ForwardedTest, UntrustedPeersAreTakenAsTheyAre) {
  auto view = SeeClient(From("203.0.113.9", {{"X-Forwarded-For", "1.2.3.4"}, {"X-Forwarded-Proto", "https"}}),
                        Trust({"10.0.0.0/8"}), false);
  EXPECT_EQ(view.address, "203.0.113.9");
  EXPECT_FALSE(view.https);
  EXPECT_TRUE(SeeClient(From("203.0.113.9"), Trust({}), true).https);  // auth.cookie_secure
}

TEST(ForwardedTest, TheRightMostUntrustedHopIsTheClient) {
  auto trusted = Trust({"10.0.0.0/8"});
  EXPECT_EQ(SeeClient(From("10.0.0.1", {{"X-Forwarded-For", "6.6.6.6, 198.51.100.2"}}), trusted, false).address,
            "198.51.100.2");
  EXPECT_EQ(SeeClient(From("10.0.0.1", {{"X-Forwarded-For", "198.51.100.2, 10.0.0.7"}}), trusted, false).address,
            "198.51.100.2");
  // Repeated headers are one list, in order.
  EXPECT_EQ(
      SeeClient(From("10.0.0.1", {{"X-Forwarded-For", "6.6.6.6"}, {"x-forwarded-for", "198.51.100.3"}}), trusted, false)
          .address,
      "198.51.100.3");
  // Only proxies: the left-most.
  EXPECT_EQ(SeeClient(From("10.0.0.1", {{"X-Forwarded-For", "10.0.0.3, 10.0.0.2"}}), trusted, false).address,
            "10.0.0.3");
  EXPECT_EQ(SeeClient(From("10.0.0.1"), trusted, false).address, "10.0.0.1");
}

TEST(ForwardedTest, TheNearestProxysSchemeCounts) {
  auto trusted = Trust({"::1"});
  EXPECT_TRUE(SeeClient(From("::1", {{"X-Forwarded-Proto", "HTTPS"}}), trusted, false).https);
  EXPECT_FALSE(SeeClient(From("::1", {{"X-Forwarded-Proto", "https, http"}}), trusted, false).https);
  EXPECT_TRUE(SeeClient(From("::1", {{"Forwarded", "for=1.2.3.4;proto=\"https\""}}), trusted, false).https);
  EXPECT_TRUE(
      SeeClient(From("::1", {{"Forwarded", "for=1.2.3.4, for=5.6.7.8;Proto=https;by=x"}}), trusted, false).https);
  EXPECT_FALSE(SeeClient(From("::1", {{"Forwarded", "proto=https, for=5.6.7.8"}}), trusted, false).https);
  EXPECT_FALSE(SeeClient(From("::1"), trusted, false).https);
}

}  // namespace
}  // namespace turnpike::control
