// The Store conformance suite: management keys and the public id of every key (the `hash` of the
// gateway's /api/v1/keys), and when a key was last changed.
#include <set>

#include "common/result_testing.h"
#include "store/store_conformance.h"

namespace turnpike::store {
namespace {

bool IsLowerHex64(const std::string& s) {
  return s.size() == 64 && s.find_first_not_of("0123456789abcdef") == std::string::npos;
}

TEST_P(StoreConformanceTest, ManagementFlagIsStoredAndRead) {
  int64_t user = MakeUser("alice@example.com");
  ApiKey management;
  management.user_id = user;
  management.name = "manager";
  management.prefix = "sk-tp-v1-m";
  management.hash_hex = HashFor(1);
  management.management = true;
  int64_t manager = Must(store_->CreateKey(management));
  int64_t plain = MakeKey(user, 2);

  EXPECT_TRUE(Must(store_->FindKeyByHash(HashFor(1)))->management);
  EXPECT_TRUE(Must(store_->FindKeyById(manager))->management);
  EXPECT_FALSE(Must(store_->FindKeyById(plain))->management);
  std::vector<ApiKey> listed = Must(store_->ListKeys(user));
  ASSERT_EQ(listed.size(), 2u);
  EXPECT_TRUE(listed[0].management);
  EXPECT_FALSE(listed[1].management);

  // No update turns a key into a management key or back: the flag is fixed at creation.
  KeyUpdate update;
  update.name = "still a manager";
  update.disabled = true;
  ASSERT_TRUE(store_->UpdateKey(manager, update).ok());
  EXPECT_TRUE(Must(store_->FindKeyById(manager))->management);
  ASSERT_TRUE(store_->RotateKey(manager, HashFor(3), "sk-tp-v1-r").ok());
  EXPECT_TRUE(Must(store_->FindKeyByHash(HashFor(3)))->management);
}

TEST_P(StoreConformanceTest, AKeyTellsWhetherItsUserIsDisabled) {
  int64_t alice = MakeUser("alice@example.com");
  int64_t bob = MakeUser("bob@example.com");
  int64_t key = MakeKey(alice, 1);
  int64_t other = MakeKey(bob, 2);
  EXPECT_FALSE(Must(store_->FindKeyById(key))->user_disabled);
  ASSERT_TRUE(store_->SetUserFlags(alice, std::nullopt, true).ok());
  EXPECT_TRUE(Must(store_->FindKeyById(key))->user_disabled);
  EXPECT_TRUE(Must(store_->FindKeyByHash(HashFor(1)))->user_disabled);
  EXPECT_TRUE(Must(store_->ListKeys(alice))[0].user_disabled);
  EXPECT_FALSE(Must(store_->FindKeyById(key))->disabled) << "the key's own flag stays as it was";
  EXPECT_FALSE(Must(store_->FindKeyById(other))->user_disabled);
  ASSERT_TRUE(store_->SetUserFlags(alice, std::nullopt, false).ok());
  EXPECT_FALSE(Must(store_->FindKeyById(key))->user_disabled);
}

TEST_P(StoreConformanceTest, EveryKeyHasItsOwnStablePublicId) {
  int64_t alice = MakeUser("alice@example.com");
  int64_t bob = MakeUser("bob@example.com");
  ApiKey asked;
  asked.user_id = alice;
  asked.name = "asks for an id";
  asked.prefix = "sk-tp-v1-a";
  asked.hash_hex = HashFor(1);
  asked.public_id = HashFor(1);  // ignored: the store draws its own
  int64_t first = Must(store_->CreateKey(asked));
  int64_t second = MakeKey(alice, 2);
  int64_t third = MakeKey(bob, 3);

  std::set<std::string> ids;
  for (int64_t id : {first, second, third}) {
    ApiKey key = *Must(store_->FindKeyById(id));
    EXPECT_TRUE(IsLowerHex64(key.public_id)) << key.public_id;
    EXPECT_NE(key.public_id, key.hash_hex) << "the public id is not the secret's hash";
    ids.insert(key.public_id);
  }
  EXPECT_EQ(ids.size(), 3u) << "every key has its own";

  // Stable: the same through every lookup, after an update and after a new secret.
  const std::string before = Must(store_->FindKeyById(first))->public_id;
  EXPECT_EQ(Must(store_->FindKeyByHash(HashFor(1)))->public_id, before);
  EXPECT_EQ(Must(store_->ListKeys(alice))[0].public_id, before);
  KeyUpdate rename;
  rename.name = "renamed";
  ASSERT_TRUE(store_->UpdateKey(first, rename).ok());
  ASSERT_TRUE(store_->RotateKey(first, HashFor(9), "sk-tp-v1-9").ok());
  EXPECT_EQ(Must(store_->FindKeyByHash(HashFor(9)))->public_id, before);
}

TEST_P(StoreConformanceTest, ChangesToAKeyRecordWhenTheyHappened) {
  int64_t user = MakeUser("alice@example.com");
  int64_t key = MakeKey(user, 1);
  int64_t other = MakeKey(user, 2);
  int64_t rotated = MakeKey(user, 3);
  EXPECT_FALSE(Must(store_->FindKeyById(key))->updated_at.has_value()) << "a new key was never changed";

  KeyUpdate update;
  update.limit = std::optional<Micros>(1'000'000);
  ASSERT_TRUE(store_->UpdateKey(key, update).ok());
  ApiKey changed = *Must(store_->FindKeyById(key));
  ASSERT_TRUE(changed.updated_at.has_value());
  EXPECT_GE(*changed.updated_at, changed.created_at);

  ASSERT_TRUE(store_->SetKeyDisabled(other, true).ok());
  EXPECT_TRUE(Must(store_->FindKeyById(other))->updated_at.has_value());
  ASSERT_TRUE(store_->RotateKey(rotated, HashFor(4), "sk-tp-v1-4").ok());
  EXPECT_TRUE(Must(store_->FindKeyById(rotated))->updated_at.has_value());
}

}  // namespace
}  // namespace turnpike::store
