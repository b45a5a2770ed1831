#include "control/origin.h"

#include <gtest/gtest.h>

namespace turnpike::control {
namespace {

const std::vector<std::string> kNone;
const std::vector<std::string> kVite = {"http://localhost:3001"};

bool Allowed(std::string_view method, std::string_view origin, std::string_view host,
             const std::vector<std::string>& allowed = kNone, bool cookie = false) {
  auto s = CheckOrigin(method, origin, host, allowed, cookie);
  if (!s.ok()) {
    EXPECT_EQ(s.error().code, ErrorCode::kForbidden);
  }
  return s.ok();
}

TEST(Origin, ReadsAreNeverChecked) {
  EXPECT_TRUE(Allowed("GET", "http://evil.example", "localhost:3000", kNone, true));
  EXPECT_TRUE(Allowed("HEAD", "", "localhost:3000", kNone, true));
}

TEST(Origin, OwnOrigin) {
  EXPECT_TRUE(Allowed("POST", "http://localhost:3000", "localhost:3000"));
  EXPECT_TRUE(Allowed("PATCH", "http://LocalHost:3000", "localhost:3000", kNone, true));
  EXPECT_TRUE(Allowed("DELETE", "https://turnpike.example.com", "turnpike.example.com", kNone, true));
  EXPECT_TRUE(Allowed("POST", "http://127.0.0.1:3000", "127.0.0.1:3000", kNone, true));
}

TEST(Origin, ForeignOrigins) {
  EXPECT_FALSE(Allowed("POST", "http://evil.example", "localhost:3000"));
  EXPECT_FALSE(Allowed("POST", "http://localhost:3001", "localhost:3000", kNone, true));
  EXPECT_FALSE(Allowed("POST", "http://localhost:30000", "localhost:3000"));
  EXPECT_FALSE(Allowed("POST", "http://localhost", "localhost:3000"));
  EXPECT_FALSE(Allowed("POST", "null", "localhost:3000"));
  EXPECT_FALSE(Allowed("POST", "http://localhost:3000", ""));
  EXPECT_FALSE(Allowed("POST", "ftp://localhost:3000", "localhost:3000"));
  EXPECT_FALSE(Allowed("POST", "http://localhost:3000.evil.example", "localhost:3000"));
}

TEST(Origin, ConfiguredOrigins) {
  EXPECT_TRUE(Allowed("POST", "http://localhost:3001", "localhost:3000", kVite, true));
  EXPECT_TRUE(Allowed("POST", "http://LOCALHOST:3001", "127.0.0.1:3000", kVite, true));
  EXPECT_FALSE(Allowed("POST", "https://localhost:3001", "localhost:3000", kVite, true));
}

TEST(Origin, MissingOrigin) {
  // Scripts (bearer token, or no session at all) need not send Origin…
  EXPECT_TRUE(Allowed("POST", "", "localhost:3000", kNone, false));
  // …but a request riding on the cookie must.
  EXPECT_FALSE(Allowed("POST", "", "localhost:3000", kNone, true));
  EXPECT_FALSE(Allowed("DELETE", "", "localhost:3000", kVite, true));
}

}  // namespace
}  // namespace turnpike::control
