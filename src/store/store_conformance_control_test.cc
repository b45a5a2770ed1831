// The Store conformance suite, part 3: the control plane's users, deductions, sessions, key
// management and top-ups.
#include <atomic>
#include <thread>
#include <vector>

#include "common/result_testing.h"
#include "store/store_conformance.h"

namespace turnpike::store {
namespace {

constexpr int64_t kNow = 1'700'000'000;

// A pending Stripe top-up of `amount` for `user`, as a checkout records it.
Topup StripeTopup(int64_t user, Micros amount, std::string external_id, int64_t created_at = kNow) {
  Topup topup;
  topup.user_id = user;
  topup.amount = amount;
  topup.provider = "stripe";
  topup.external_id = std::move(external_id);
  topup.created_at = created_at;
  return topup;
}

TEST_P(StoreConformanceTest, ListUsersPagesByIdAndFlagsChange) {
  int64_t a = MakeUser("a@example.com");
  int64_t b = MakeUser("b@example.com");
  int64_t c = MakeUser("c@example.com");
  std::vector<User> all = Must(store_->ListUsers(0, 10));
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].id, a);
  EXPECT_EQ(all[1].id, b);
  EXPECT_EQ(all[2].id, c);
  EXPECT_EQ(all[1].email, "b@example.com");
  EXPECT_FALSE(all[1].disabled);
  std::vector<User> after_a = Must(store_->ListUsers(a, 1));
  ASSERT_EQ(after_a.size(), 1u);
  EXPECT_EQ(after_a[0].id, b);
  EXPECT_TRUE(Must(store_->ListUsers(c, 10)).empty());
  EXPECT_TRUE(Must(store_->ListUsers(0, 0)).empty());

  ASSERT_TRUE(store_->SetUserFlags(b, true, std::nullopt).ok());
  EXPECT_TRUE(Must(store_->FindUserById(b))->is_admin);
  EXPECT_FALSE(Must(store_->FindUserById(b))->disabled);
  ASSERT_TRUE(store_->SetUserFlags(b, std::nullopt, true).ok());
  EXPECT_TRUE(Must(store_->FindUserById(b))->is_admin);
  EXPECT_TRUE(Must(store_->FindUserByEmail("B@example.com"))->disabled);
  ASSERT_TRUE(store_->SetUserFlags(b, false, false).ok());
  EXPECT_FALSE(Must(store_->FindUserById(b))->is_admin);
  EXPECT_FALSE(Must(store_->FindUserById(b))->disabled);
  ASSERT_TRUE(store_->SetUserFlags(b, std::nullopt, std::nullopt).ok());
  EXPECT_FALSE(Must(store_->FindUserById(a))->is_admin);  // the others are untouched
  EXPECT_EQ(store_->SetUserFlags(c + 1000, true, std::nullopt).error().code, ErrorCode::kNotFound);
}

TEST_P(StoreConformanceTest, SetUserPasswordReplacesOnlyThatUsersHash) {
  int64_t a = Must(store_->CreateUser("a@example.com", "hash-a", false));
  int64_t b = Must(store_->CreateUser("b@example.com", "hash-b", false));
  ASSERT_TRUE(store_->SetUserPassword(a, "hash-a2").ok());
  EXPECT_EQ(Must(store_->FindUserById(a))->password_hash, "hash-a2");
  EXPECT_EQ(Must(store_->FindUserByEmail("A@example.com"))->password_hash, "hash-a2");
  EXPECT_EQ(Must(store_->FindUserById(b))->password_hash, "hash-b");
  EXPECT_EQ(store_->SetUserPassword(b + 1000, "x").error().code, ErrorCode::kNotFound);
}

TEST_P(StoreConformanceTest, ProviderPreferencesTravelWithTheUsersKeys) {
  int64_t a = MakeUser("a@example.com");
  int64_t b = MakeUser("b@example.com");
  int64_t key = MakeKey(a, 1);
  int64_t other = MakeKey(b, 2);
  EXPECT_EQ(Must(store_->GetUserProviderPreferences(a)), "");
  EXPECT_EQ(Must(store_->FindKeyById(key))->user_provider_preferences, "");
  const std::string prefs = R"({"order":["fake-pricey"],"allow_fallbacks":false})";
  ASSERT_TRUE(store_->SetUserProviderPreferences(a, prefs).ok());
  EXPECT_EQ(Must(store_->GetUserProviderPreferences(a)), prefs);
  EXPECT_EQ(Must(store_->FindKeyById(key))->user_provider_preferences, prefs);
  EXPECT_EQ(Must(store_->ListKeys(a))[0].user_provider_preferences, prefs);
  EXPECT_EQ(Must(store_->FindKeyById(other))->user_provider_preferences, "");
  ASSERT_TRUE(store_->SetUserProviderPreferences(a, "").ok());
  EXPECT_EQ(Must(store_->FindKeyById(key))->user_provider_preferences, "");
  EXPECT_EQ(store_->SetUserProviderPreferences(b + 1000, prefs).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store_->GetUserProviderPreferences(b + 1000).error().code, ErrorCode::kNotFound);
}

TEST_P(StoreConformanceTest, LowBalanceAlertIsSetReadAndCleared) {
  int64_t a = MakeUser("a@example.com");
  int64_t b = MakeUser("b@example.com");
  EXPECT_FALSE(Must(store_->FindUserById(a))->low_balance_alert.has_value());
  ASSERT_TRUE(store_->SetUserLowBalanceAlert(a, 5'000'000).ok());
  EXPECT_EQ(Must(store_->FindUserById(a))->low_balance_alert, std::optional<Micros>(5'000'000));
  EXPECT_EQ(Must(store_->FindUserByEmail("a@example.com"))->low_balance_alert, std::optional<Micros>(5'000'000));
  EXPECT_EQ(Must(store_->ListUsers(0, 10))[0].low_balance_alert, std::optional<Micros>(5'000'000));
  EXPECT_FALSE(Must(store_->FindUserById(b))->low_balance_alert.has_value());
  EXPECT_EQ(store_->SetUserLowBalanceAlert(a, 0).error().code, ErrorCode::kBadRequest);
  ASSERT_TRUE(store_->SetUserLowBalanceAlert(a, std::nullopt).ok());
  EXPECT_FALSE(Must(store_->FindUserById(a))->low_balance_alert.has_value());
  EXPECT_EQ(store_->SetUserLowBalanceAlert(b + 1000, 1).error().code, ErrorCode::kNotFound);
}

TEST_P(StoreConformanceTest, CloseUserFreesTheEmailDeletesKeysAndEndsSessions) {
  int64_t gone = MakeUser("gone@example.com", 10'000);
  int64_t stays = MakeUser("stays@example.com", 5'000);
  int64_t key = MakeKey(gone, 1);
  int64_t other_key = MakeKey(stays, 2);
  ASSERT_TRUE(store_->CreateSession(Session{std::string(64, 'a'), gone, kNow + 3600, kNow}).ok());
  ASSERT_TRUE(store_->CreateSession(Session{std::string(64, 'b'), stays, kNow + 3600, kNow}).ok());

  ASSERT_TRUE(store_->CloseUser(gone, "deleted-1@deleted.invalid", kNow).ok());
  User closed = *Must(store_->FindUserById(gone));
  EXPECT_EQ(closed.email, "deleted-1@deleted.invalid");
  EXPECT_TRUE(closed.disabled);
  EXPECT_EQ(closed.password_hash, "!");
  EXPECT_EQ(closed.balance, 10'000);  // the ledger stays
  EXPECT_FALSE(Must(store_->FindUserByEmail("gone@example.com")).has_value());
  EXPECT_TRUE(Must(store_->ListKeys(gone)).empty());
  EXPECT_FALSE(Must(store_->FindSession(std::string(64, 'a'), kNow)).has_value());
  EXPECT_EQ(store_->Hold(HoldRequest{"r1", gone, key, 1'000}, kNow).outcome, HoldOutcome::kKeyDisabled);
  // The address may sign up again; nobody else is touched.
  EXPECT_TRUE(store_->CreateUser("gone@example.com", "hash", false).ok());
  EXPECT_EQ(Must(store_->ListKeys(stays)).size(), 1u);
  EXPECT_TRUE(Must(store_->FindSession(std::string(64, 'b'), kNow)).has_value());
  EXPECT_EQ(store_->Hold(HoldRequest{"r2", stays, other_key, 1'000}, kNow).outcome, HoldOutcome::kHeld);
  EXPECT_EQ(store_->CloseUser(stays + 1000, "x@deleted.invalid", kNow).error().code, ErrorCode::kNotFound);
  ExpectBalanced(gone);
}

TEST_P(StoreConformanceTest, DisabledUsersKeysHoldNothing) {
  int64_t user = MakeUser("alice@example.com", 10'000);
  int64_t key = MakeKey(user, 1);
  ASSERT_TRUE(store_->SetUserFlags(user, std::nullopt, true).ok());
  HoldResult refused = store_->Hold(HoldRequest{"r1", user, key, 1'000}, kNow);
  EXPECT_EQ(refused.outcome, HoldOutcome::kKeyDisabled);
  EXPECT_EQ(Must(store_->FindUserById(user))->balance, 10'000);
  EXPECT_EQ(Must(store_->FindKeyById(key))->usage, 0);
  ASSERT_TRUE(store_->SetUserFlags(user, std::nullopt, false).ok());
  EXPECT_EQ(store_->Hold(HoldRequest{"r2", user, key, 1'000}, kNow).outcome, HoldOutcome::kHeld);
  ExpectBalanced(user);
}

TEST_P(StoreConformanceTest, DebitNeverOverdrawsAndIsIdempotent) {
  int64_t user = MakeUser("alice@example.com", 10'000);
  int64_t key = MakeKey(user, 1);
  ASSERT_TRUE(store_->Debit(user, 3'000, "deduct:1", "refund by card").ok());
  EXPECT_EQ(Must(store_->FindUserById(user))->balance, 7'000);
  ASSERT_TRUE(store_->Debit(user, 3'000, "deduct:1", "again").ok());  // replay: unchanged
  EXPECT_EQ(Must(store_->FindUserById(user))->balance, 7'000);
  EXPECT_EQ(store_->Debit(user, 2'000, "deduct:1", "").error().code, ErrorCode::kConflict);
  EXPECT_EQ(store_->Debit(user, 1, "grant:alice@example.com", "").error().code,
            ErrorCode::kConflict);  // the id of a credit
  EXPECT_EQ(store_->Debit(user, 7'001, "deduct:2", "").error().code, ErrorCode::kConflict);
  EXPECT_EQ(Must(store_->FindUserById(user))->balance, 7'000);
  EXPECT_EQ(store_->Debit(user, 0, "deduct:3", "").error().code, ErrorCode::kBadRequest);
  EXPECT_EQ(store_->Debit(user, -1, "deduct:4", "").error().code, ErrorCode::kBadRequest);
  EXPECT_EQ(store_->Debit(user + 1000, 1, "deduct:5", "").error().code, ErrorCode::kNotFound);
  ExpectBalanced(user);

  std::vector<LedgerEntry> ledger = Must(store_->ListLedger(user, 1));
  ASSERT_EQ(ledger.size(), 1u);
  EXPECT_EQ(ledger[0].kind, "deduct");
  EXPECT_EQ(ledger[0].amount, -3'000);
  EXPECT_EQ(ledger[0].note, "refund by card");

  // Mixed with spending, a top-up and a grant, the balance stays the ledger's sum.
  ASSERT_EQ(store_->Hold(HoldRequest{"r1", user, key, 2'000}, kNow).outcome, HoldOutcome::kHeld);
  ExpectBalanced(user);
  EXPECT_EQ(store_->Debit(user, 5'001, "deduct:6", "").error().code, ErrorCode::kConflict);
  ASSERT_TRUE(store_->Debit(user, 5'000, "deduct:7", "").ok());
  EXPECT_EQ(Must(store_->FindUserById(user))->balance, 0);
  ASSERT_TRUE(store_->Settle("r1", 500).ok());
  ASSERT_TRUE(store_->Credit(user, 4'000, "grant", "grant:2", "").ok());
  ASSERT_TRUE(store_->Debit(user, 1'000, "deduct:8", "").ok());
  EXPECT_EQ(Must(store_->FindUserById(user))->balance, 4'500);
  EXPECT_EQ(Must(store_->TotalSpent(user)), 500);
  ExpectBalanced(user);
}

TEST_P(StoreConformanceTest, SessionsExpireAndDelete) {
  int64_t alice = MakeUser("alice@example.com");
  int64_t bob = MakeUser("bob@example.com");
  ASSERT_TRUE(store_->CreateSession(Session{HashFor(1), alice, kNow + 100, kNow}).ok());
  ASSERT_TRUE(store_->CreateSession(Session{HashFor(2), alice, kNow + 200, 0}).ok());
  ASSERT_TRUE(store_->CreateSession(Session{HashFor(3), bob, kNow + 300, kNow}).ok());

  std::optional<Session> found = Must(store_->FindSession(HashFor(1), kNow));
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->id_hash, HashFor(1));
  EXPECT_EQ(found->user_id, alice);
  EXPECT_EQ(found->expires_at, kNow + 100);
  EXPECT_EQ(found->created_at, kNow);
  EXPECT_GT(Must(store_->FindSession(HashFor(2), kNow))->created_at, 0);
  EXPECT_TRUE(Must(store_->FindSession(HashFor(1), kNow + 99)).has_value());
  EXPECT_FALSE(Must(store_->FindSession(HashFor(1), kNow + 100)).has_value());  // expired
  EXPECT_FALSE(Must(store_->FindSession(HashFor(9), kNow)).has_value());

  EXPECT_EQ(store_->CreateSession(Session{HashFor(1), bob, kNow + 100, kNow}).error().code, ErrorCode::kConflict);
  EXPECT_EQ(store_->CreateSession(Session{HashFor(4), bob + 1000, kNow + 100, kNow}).error().code,
            ErrorCode::kNotFound);

  ASSERT_TRUE(store_->DeleteSession(HashFor(1)).ok());
  EXPECT_FALSE(Must(store_->FindSession(HashFor(1), kNow)).has_value());
  EXPECT_TRUE(store_->DeleteSession(HashFor(1)).ok());  // already gone
  ASSERT_TRUE(store_->DeleteUserSessions(alice).ok());
  EXPECT_FALSE(Must(store_->FindSession(HashFor(2), kNow)).has_value());
  EXPECT_TRUE(Must(store_->FindSession(HashFor(3), kNow)).has_value());  // bob's stays
  EXPECT_TRUE(store_->DeleteUserSessions(alice).ok());
}

TEST_P(StoreConformanceTest, UpdateKeyChangesOnlyWhatIsGiven) {
  int64_t user = MakeUser("alice@example.com", 100'000);
  int64_t key = MakeKey(user, 1);
  EXPECT_FALSE(Must(store_->FindKeyById(key))->log_prompts);

  KeyUpdate rename;
  rename.name = "renamed";
  ASSERT_TRUE(store_->UpdateKey(key, rename).ok());
  ApiKey after = *Must(store_->FindKeyById(key));
  EXPECT_EQ(after.name, "renamed");
  EXPECT_EQ(after.prefix, "sk-tp-v1-1");
  EXPECT_FALSE(after.limit.has_value());
  EXPECT_FALSE(after.disabled);

  KeyUpdate all;
  all.disabled = true;
  all.limit = std::optional<Micros>(5'000);
  all.expires_at = std::optional<int64_t>(kNow + 10);
  all.log_prompts = true;
  ASSERT_TRUE(store_->UpdateKey(key, all).ok());
  after = *Must(store_->FindKeyById(key));
  EXPECT_EQ(after.name, "renamed");
  EXPECT_TRUE(after.disabled);
  EXPECT_EQ(after.limit, Micros{5'000});
  EXPECT_EQ(after.expires_at, kNow + 10);
  EXPECT_TRUE(after.log_prompts);
  EXPECT_TRUE(Must(store_->FindKeyByHash(HashFor(1)))->log_prompts);

  KeyUpdate clear;
  clear.disabled = false;
  clear.limit = std::optional<Micros>();
  clear.expires_at = std::optional<int64_t>();
  ASSERT_TRUE(store_->UpdateKey(key, clear).ok());
  after = *Must(store_->FindKeyById(key));
  EXPECT_FALSE(after.disabled);
  EXPECT_FALSE(after.limit.has_value());
  EXPECT_FALSE(after.expires_at.has_value());
  EXPECT_TRUE(after.log_prompts);
  ASSERT_TRUE(store_->UpdateKey(key, KeyUpdate{}).ok());

  // A limit lowered below the usage simply stops spending.
  ASSERT_EQ(store_->Hold(HoldRequest{"r1", user, key, 3'000}, kNow).outcome, HoldOutcome::kHeld);
  KeyUpdate lower;
  lower.limit = std::optional<Micros>(1'000);
  ASSERT_TRUE(store_->UpdateKey(key, lower).ok());
  EXPECT_EQ(Must(store_->FindKeyById(key))->usage, 3'000);
  EXPECT_EQ(store_->Hold(HoldRequest{"r2", user, key, 1}, kNow).outcome, HoldOutcome::kKeyLimitReached);

  KeyUpdate negative;
  negative.limit = std::optional<Micros>(-1);
  EXPECT_EQ(store_->UpdateKey(key, negative).error().code, ErrorCode::kBadRequest);
  EXPECT_EQ(Must(store_->FindKeyById(key))->limit, Micros{1'000});
  EXPECT_EQ(store_->UpdateKey(key + 1000, rename).error().code, ErrorCode::kNotFound);
  ExpectBalanced(user);
}

TEST_P(StoreConformanceTest, DeletedKeysAreGoneButTheirHistoryStays) {
  int64_t user = MakeUser("alice@example.com", 100'000);
  int64_t key = MakeKey(user, 1);
  int64_t other = MakeKey(user, 2);
  ASSERT_EQ(store_->Hold(HoldRequest{"r1", user, key, 4'000}, kNow).outcome, HoldOutcome::kHeld);

  ASSERT_TRUE(store_->DeleteKey(key).ok());
  EXPECT_FALSE(Must(store_->FindKeyById(key)).has_value());
  EXPECT_FALSE(Must(store_->FindKeyByHash(HashFor(1))).has_value());
  std::vector<ApiKey> keys = Must(store_->ListKeys(user));
  ASSERT_EQ(keys.size(), 1u);
  EXPECT_EQ(keys[0].id, other);
  EXPECT_EQ(store_->Hold(HoldRequest{"r2", user, key, 1}, kNow).outcome, HoldOutcome::kKeyDisabled);
  // A request in flight when the key was deleted still settles.
  ASSERT_TRUE(store_->Settle("r1", 1'500).ok());
  EXPECT_EQ(Must(store_->FindUserById(user))->balance, 98'500);
  EXPECT_EQ(Must(store_->ListLedger(user, 10)).size(), 3u);  // grant, hold, settle

  EXPECT_EQ(store_->DeleteKey(key).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store_->SetKeyDisabled(key, true).error().code, ErrorCode::kNotFound);
  KeyUpdate rename;
  rename.name = "x";
  EXPECT_EQ(store_->UpdateKey(key, rename).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store_->RotateKey(key, HashFor(3), "sk-3").error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store_->DeleteKey(other + 1000).error().code, ErrorCode::kNotFound);
  // The hash stays taken: a deleted key's secret can never authenticate another key.
  ApiKey reuse;
  reuse.user_id = user;
  reuse.name = "reuse";
  reuse.prefix = "sk";
  reuse.hash_hex = HashFor(1);
  EXPECT_EQ(store_->CreateKey(reuse).error().code, ErrorCode::kConflict);
  ExpectBalanced(user);
}

TEST_P(StoreConformanceTest, RotatedKeysKeepTheirIdentity) {
  int64_t user = MakeUser("alice@example.com", 100'000);
  int64_t key = MakeKey(user, 1, Micros{50'000});
  MakeKey(user, 2);
  ASSERT_EQ(store_->Hold(HoldRequest{"r1", user, key, 4'000}, kNow).outcome, HoldOutcome::kHeld);

  ASSERT_TRUE(store_->RotateKey(key, HashFor(3), "sk-tp-v1-3").ok());
  EXPECT_FALSE(Must(store_->FindKeyByHash(HashFor(1))).has_value());
  std::optional<ApiKey> rotated = Must(store_->FindKeyByHash(HashFor(3)));
  ASSERT_TRUE(rotated.has_value());
  EXPECT_EQ(rotated->id, key);
  EXPECT_EQ(rotated->prefix, "sk-tp-v1-3");
  EXPECT_EQ(rotated->name, "key 1");
  EXPECT_EQ(rotated->usage, 4'000);
  EXPECT_EQ(rotated->limit, Micros{50'000});
  ASSERT_TRUE(store_->Settle("r1", 1'000).ok());
  EXPECT_EQ(Must(store_->FindKeyById(key))->usage, 1'000);

  EXPECT_EQ(store_->RotateKey(key, HashFor(2), "sk").error().code, ErrorCode::kConflict);
  EXPECT_EQ(store_->RotateKey(key, "not-a-hash", "sk").error().code, ErrorCode::kBadRequest);
  EXPECT_EQ(store_->RotateKey(key + 1000, HashFor(4), "sk").error().code, ErrorCode::kNotFound);
  EXPECT_EQ(Must(store_->FindKeyByHash(HashFor(3)))->id, key);
  ExpectBalanced(user);
}

TEST_P(StoreConformanceTest, TouchKeyRecordsUse) {
  int64_t user = MakeUser("alice@example.com");
  int64_t key = MakeKey(user, 1);
  EXPECT_FALSE(Must(store_->FindKeyById(key))->last_used_at.has_value());
  store_->TouchKey(key, kNow);
  EXPECT_EQ(Must(store_->FindKeyById(key))->last_used_at, kNow);
  store_->TouchKey(key, kNow + 10);  // may be skipped: less than a minute later
  int64_t seen = Must(store_->FindKeyById(key))->last_used_at.value_or(0);
  EXPECT_TRUE(seen == kNow || seen == kNow + 10) << seen;
  store_->TouchKey(key, kNow + 3'600);
  EXPECT_EQ(Must(store_->FindKeyByHash(HashFor(1)))->last_used_at, kNow + 3'600);
  store_->TouchKey(key + 1000, kNow);  // unknown: nothing happens
  ASSERT_TRUE(store_->DeleteKey(key).ok());
  store_->TouchKey(key, kNow + 7'200);
  EXPECT_FALSE(Must(store_->FindKeyById(key)).has_value());
}

// A Checkout Session that expired or whose payment failed ends its top-up as failed, never as
// pending forever; a failed top-up is never credited, and a completed one never fails.
TEST_P(StoreConformanceTest, APendingTopupFailsOnceAndIsNeverCreditedAfter) {
  int64_t user = MakeUser("failing@example.com", 1'000);
  Topup topup = StripeTopup(user, 2'000'000, "cs_expired");
  ASSERT_TRUE(store_->CreateTopup(topup).ok());
  EXPECT_TRUE(Must(store_->FailTopup("stripe", "cs_expired")));
  EXPECT_FALSE(Must(store_->FailTopup("stripe", "cs_expired"))) << "already failed";
  EXPECT_EQ(Must(store_->FindTopup("stripe", "cs_expired"))->status, "failed");
  EXPECT_EQ(store_->CompleteTopup("stripe", "cs_expired", kNow + 1).error().code, ErrorCode::kConflict);
  EXPECT_EQ(Must(store_->FindUserById(user))->balance, 1'000);
  topup.external_id = "cs_paid";
  ASSERT_TRUE(store_->CreateTopup(topup).ok());
  ASSERT_TRUE(Must(store_->CompleteTopup("stripe", "cs_paid", kNow + 2)));
  EXPECT_FALSE(Must(store_->FailTopup("stripe", "cs_paid"))) << "a completed top-up stays completed";
  EXPECT_EQ(Must(store_->FindTopup("stripe", "cs_paid"))->status, "completed");
  EXPECT_EQ(store_->FailTopup("stripe", "cs_nobody").error().code, ErrorCode::kNotFound);
}

TEST_P(StoreConformanceTest, TopupsCompleteOnceAndCredit) {
  int64_t user = MakeUser("alice@example.com", 1'000);
  Topup topup = StripeTopup(user, 5'000'000, "cs_1");
  Result<int64_t> id = store_->CreateTopup(topup);
  ASSERT_TRUE(id.ok()) << id.error().message;

  std::optional<Topup> found = Must(store_->FindTopup("stripe", "cs_1"));
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->id, *id);
  EXPECT_EQ(found->user_id, user);
  EXPECT_EQ(found->amount, 5'000'000);
  EXPECT_EQ(found->status, "pending");
  EXPECT_EQ(found->created_at, kNow);
  EXPECT_EQ(found->completed_at, 0);
  EXPECT_FALSE(Must(store_->FindTopup("sandbox", "cs_1")).has_value());

  EXPECT_EQ(store_->CreateTopup(topup).error().code, ErrorCode::kConflict);
  Topup elsewhere = topup;
  elsewhere.provider = "sandbox";  // external ids are unique per provider only
  elsewhere.created_at = kNow + 1;
  ASSERT_TRUE(store_->CreateTopup(elsewhere).ok());
  Topup orphan = topup;
  orphan.user_id = user + 1000;
  orphan.external_id = "cs_2";
  EXPECT_EQ(store_->CreateTopup(orphan).error().code, ErrorCode::kNotFound);
  Topup empty = topup;
  empty.external_id = "cs_3";
  empty.amount = 0;
  EXPECT_EQ(store_->CreateTopup(empty).error().code, ErrorCode::kBadRequest);

  Result<bool> first = store_->CompleteTopup("stripe", "cs_1", kNow + 5);
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_TRUE(*first);
  EXPECT_EQ(Must(store_->FindUserById(user))->balance, 5'001'000);
  found = Must(store_->FindTopup("stripe", "cs_1"));
  EXPECT_EQ(found->status, "completed");
  EXPECT_EQ(found->completed_at, kNow + 5);
  std::vector<LedgerEntry> ledger = Must(store_->ListLedger(user, 1));
  ASSERT_EQ(ledger.size(), 1u);
  EXPECT_EQ(ledger[0].kind, "topup");
  EXPECT_EQ(ledger[0].amount, 5'000'000);
  EXPECT_EQ(ledger[0].idempotency_id, "topup:stripe:cs_1");

  Result<bool> second = store_->CompleteTopup("stripe", "cs_1", kNow + 6);
  ASSERT_TRUE(second.ok());
  EXPECT_FALSE(*second);
  EXPECT_EQ(Must(store_->FindUserById(user))->balance, 5'001'000);
  EXPECT_EQ(Must(store_->FindTopup("stripe", "cs_1"))->completed_at, kNow + 5);
  EXPECT_EQ(store_->CompleteTopup("stripe", "cs_404", kNow).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(Must(store_->TotalCredited(user)), 5'001'000);
  ExpectBalanced(user);

  std::vector<Topup> listed = Must(store_->ListTopups(user, 10));
  ASSERT_EQ(listed.size(), 2u);
  EXPECT_EQ(listed[0].provider, "sandbox");  // newest first
  EXPECT_EQ(listed[0].status, "pending");
  EXPECT_EQ(listed[1].status, "completed");
  EXPECT_EQ(Must(store_->ListTopups(user, 1)).size(), 1u);
  EXPECT_TRUE(Must(store_->ListTopups(user, 0)).empty());
  EXPECT_TRUE(Must(store_->ListTopups(user + 1000, 10)).empty());
}

// 8 threads complete the same 10 top-ups (webhooks delivered many times, to several
// processes): each credits exactly once.
void RunConcurrentTopups(StoreTestDatabase& db, Store& main, int handles) {
  constexpr int kTopups = 10;
  constexpr int kThreads = 8;
  Result<int64_t> user = main.CreateUser("race@example.com", "x", false);
  ASSERT_TRUE(user.ok());
  for (int i = 0; i < kTopups; ++i) {
    ASSERT_TRUE(main.CreateTopup(StripeTopup(*user, 1'000 + i, "cs_" + std::to_string(i), 0)).ok());
  }
  StoreHandles opened = OpenHandles(db, main, handles);
  ASSERT_EQ(opened.all.size(), static_cast<size_t>(handles));
  const std::vector<Store*>& stores = opened.all;
  std::atomic<int> credited{0};
  std::atomic<int> repeated{0};
  std::atomic<int> failed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      Store& store = *stores[t % stores.size()];
      for (int i = 0; i < kTopups; ++i) {
        Result<bool> done = store.CompleteTopup("stripe", "cs_" + std::to_string(i), kNow);
        if (!done.ok()) {
          ++failed;
        } else if (*done) {
          ++credited;
        } else {
          ++repeated;
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(failed.load(), 0);
  EXPECT_EQ(credited.load(), kTopups);
  EXPECT_EQ(repeated.load(), kTopups * (kThreads - 1));
  Micros want = 0;
  for (int i = 0; i < kTopups; ++i) want += 1'000 + i;
  EXPECT_EQ(Must(main.FindUserById(*user))->balance, want);
  EXPECT_EQ(Must(main.LedgerSum(*user)), want);
  EXPECT_EQ(Must(main.ListLedger(*user, 100)).size(), static_cast<size_t>(kTopups));
}

TEST_P(StoreConformanceTest, ConcurrentTopupCompletionsCreditOnce) { RunConcurrentTopups(*db_, *store_, 1); }

TEST_P(StoreConformanceTest, ConcurrentTopupCompletionsFromTwoHandlesCreditOnce) {
  if (!db_->SupportsSecondHandle()) GTEST_SKIP() << "database is private to one handle";
  RunConcurrentTopups(*db_, *store_, 2);
}

}  // namespace
}  // namespace turnpike::store
