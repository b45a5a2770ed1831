#include "common/bearer.h"

#include <gtest/gtest.h>

namespace turnpike {
namespace {

TEST(BearerTokenTest, TakesTheTokenAfterTheScheme) {
  EXPECT_EQ(BearerToken("Bearer sk-tp-abc"), "sk-tp-abc");
  EXPECT_EQ(BearerToken("Bearer eyJ.a.b"), "eyJ.a.b");
}

TEST(BearerTokenTest, MatchesTheSchemeCaseInsensitively) {
  EXPECT_EQ(BearerToken("bearer x"), "x");
  EXPECT_EQ(BearerToken("BEARER x"), "x");
  EXPECT_EQ(BearerToken("bEaReR x"), "x");
}

TEST(BearerTokenTest, DropsExtraSpacesAroundTheToken) {
  EXPECT_EQ(BearerToken("Bearer   x"), "x");
  EXPECT_EQ(BearerToken("Bearer x   "), "x");
  EXPECT_EQ(BearerToken("Bearer  x y "), "x y");
}

TEST(BearerTokenTest, AnEmptyTokenIsEmptyNotAbsent) {
  EXPECT_EQ(BearerToken("Bearer "), "");
  EXPECT_EQ(BearerToken("Bearer    "), "");
}

TEST(BearerTokenTest, RefusesEmptyAndOtherSchemes) {
  EXPECT_EQ(BearerToken(""), std::nullopt);
  EXPECT_EQ(BearerToken("Bearer"), std::nullopt);
  EXPECT_EQ(BearerToken("Bearerx"), std::nullopt);
  EXPECT_EQ(BearerToken("Bearer\tx"), std::nullopt);
  EXPECT_EQ(BearerToken("Basic dXNlcjpwYXNz"), std::nullopt);
  EXPECT_EQ(BearerToken("Token x"), std::nullopt);
  EXPECT_EQ(BearerToken(" Bearer x"), std::nullopt);
  EXPECT_EQ(BearerToken("sk-tp-abc"), std::nullopt);
}

TEST(BearerTokenTest, BytesAbove0x7fNeverMatchTheScheme) {
  // Each is "Bearer" with one letter replaced by a byte >= 0x80 (std::tolower on such a char
  // was undefined behaviour).
  EXPECT_EQ(BearerToken("B\xC3\xA9"
                        "arer x"),
            std::nullopt);
  EXPECT_EQ(BearerToken("\xC2"
                        "earer x"),
            std::nullopt);
  EXPECT_EQ(BearerToken("Beare\xF2 x"), std::nullopt);
  EXPECT_EQ(BearerToken("\xFF\xFF\xFF\xFF\xFF\xFF\xFF"), std::nullopt);
  // In the token they are kept as they are.
  EXPECT_EQ(BearerToken("Bearer \xFF\xFE"), "\xFF\xFE");
}

}  // namespace
}  // namespace turnpike
