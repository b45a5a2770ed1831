// The Store conformance suite: per-key rate limits (requests and tokens per minute) as a key
// carries them: created with the key, changed or cleared by UpdateKey, read by every lookup.
#include "common/result_testing.h"
#include "store/store_conformance.h"

namespace turnpike::store {
namespace {

// A key of `user` to create, with the given hash and limits.
ApiKey KeyWithLimits(int64_t user, std::string name, std::string hash, std::optional<int64_t> rpm,
                     std::optional<int64_t> tpm) {
  ApiKey key;
  key.user_id = user;
  key.name = std::move(name);
  key.prefix = "sk-tp-v1-" + hash.substr(0, 4);
  key.hash_hex = std::move(hash);
  key.rpm_limit = rpm;
  key.tpm_limit = tpm;
  return key;
}

TEST_P(StoreConformanceTest, KeysCarryTheirRateLimits) {
  int64_t user = MakeUser("alice@example.com");
  int64_t limited = Must(store_->CreateKey(KeyWithLimits(user, "limited", HashFor(7), 60, 100'000)));
  int64_t plain = MakeKey(user, 8);

  ApiKey found = *Must(store_->FindKeyByHash(HashFor(7)));
  EXPECT_EQ(found.rpm_limit, int64_t{60});
  EXPECT_EQ(found.tpm_limit, int64_t{100'000});
  EXPECT_FALSE(Must(store_->FindKeyById(plain))->rpm_limit.has_value());
  EXPECT_FALSE(Must(store_->FindKeyById(plain))->tpm_limit.has_value());
  std::vector<ApiKey> listed = Must(store_->ListKeys(user));
  ASSERT_EQ(listed.size(), 2u);
  EXPECT_EQ(listed[0].rpm_limit, int64_t{60});
  EXPECT_FALSE(listed[1].tpm_limit.has_value());

  // Only what is given changes: one limit at a time, and the other fields stay.
  KeyUpdate rpm_only;
  rpm_only.rpm_limit = std::optional<int64_t>(5);
  ASSERT_TRUE(store_->UpdateKey(limited, rpm_only).ok());
  found = *Must(store_->FindKeyById(limited));
  EXPECT_EQ(found.rpm_limit, int64_t{5});
  EXPECT_EQ(found.tpm_limit, int64_t{100'000});
  EXPECT_EQ(found.name, "limited");

  KeyUpdate rename;
  rename.name = "renamed";
  ASSERT_TRUE(store_->UpdateKey(limited, rename).ok());
  EXPECT_EQ(Must(store_->FindKeyById(limited))->rpm_limit, int64_t{5});

  KeyUpdate set_plain;
  set_plain.tpm_limit = std::optional<int64_t>(3'000'000'000);  // past 32 bits
  ASSERT_TRUE(store_->UpdateKey(plain, set_plain).ok());
  EXPECT_EQ(Must(store_->FindKeyById(plain))->tpm_limit, int64_t{3'000'000'000});
  EXPECT_FALSE(Must(store_->FindKeyById(plain))->rpm_limit.has_value());

  KeyUpdate clear;
  clear.rpm_limit = std::optional<int64_t>();
  clear.tpm_limit = std::optional<int64_t>();
  ASSERT_TRUE(store_->UpdateKey(limited, clear).ok());
  found = *Must(store_->FindKeyByHash(HashFor(7)));
  EXPECT_FALSE(found.rpm_limit.has_value());
  EXPECT_FALSE(found.tpm_limit.has_value());
}

TEST_P(StoreConformanceTest, RateLimitsMustBePositive) {
  int64_t user = MakeUser("alice@example.com");
  int64_t key = MakeKey(user, 1);
  KeyUpdate zero;
  zero.rpm_limit = std::optional<int64_t>(0);
  EXPECT_EQ(store_->UpdateKey(key, zero).error().code, ErrorCode::kBadRequest);
  KeyUpdate negative;
  negative.tpm_limit = std::optional<int64_t>(-5);
  EXPECT_EQ(store_->UpdateKey(key, negative).error().code, ErrorCode::kBadRequest);
  EXPECT_FALSE(Must(store_->FindKeyById(key))->rpm_limit.has_value());
  EXPECT_FALSE(Must(store_->FindKeyById(key))->tpm_limit.has_value());

  EXPECT_EQ(store_->CreateKey(KeyWithLimits(user, "bad", HashFor(2), 0, std::nullopt)).error().code,
            ErrorCode::kBadRequest);
}

}  // namespace
}  // namespace turnpike::store
