#include "control/account_rules.h"

#include <gtest/gtest.h>

namespace turnpike::control {
namespace {

TEST(AccountRules, Emails) {
  EXPECT_EQ(NormalizeEmail("Alice@Example.COM"), "alice@example.com");
  EXPECT_EQ(NormalizeEmail("a.b+tag@sub.example.org"), "a.b+tag@sub.example.org");
  EXPECT_EQ(NormalizeEmail("x@localhost"), "x@localhost");
  std::string longest = std::string(64, 'a') + "@" + std::string(189, 'b');
  ASSERT_EQ(longest.size(), 254u);
  EXPECT_TRUE(NormalizeEmail(longest).has_value());
  for (const std::string& bad :
       {std::string(""), std::string("alice"), std::string("@example.com"), std::string("alice@"), std::string("a@b@c"),
        std::string("al ice@example.com"), std::string("alice@example.com "), std::string("alice@.example.com"),
        std::string("alice@example.com."), std::string("alice@ex..com"), std::string("al\tice@x.com"),
        std::string("a\nb@x.com"), longest + "b"}) {
    EXPECT_FALSE(NormalizeEmail(bad).has_value()) << bad;
  }
}

TEST(AccountRules, Passwords) {
  EXPECT_FALSE(ValidPassword("1234567"));
  EXPECT_TRUE(ValidPassword("12345678"));
  EXPECT_TRUE(ValidPassword(std::string(256, 'x')));
  EXPECT_FALSE(ValidPassword(std::string(257, 'x')));
  EXPECT_TRUE(ValidPassword("héhéhéhé"));  // 8 characters, 12 bytes
  EXPECT_FALSE(ValidPassword("héhéhé"));   // 6 characters, 9 bytes
}

}  // namespace
}  // namespace turnpike::control
