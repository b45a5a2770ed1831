// The Store conformance suite: a key's limits as it carries them: per-key rate limits (requests
// and tokens per minute) and spending limits that reset each day, week or month.
#include "common/result_testing.h"
#include "store/sqlite/util.h"
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

// --- spending limits that reset (limit_reset) ---

// Sunday 2026-11-29 12:00 UTC: the last day of a week, in November.
constexpr int64_t kSundayNoon = 1'795'953'600;
constexpr int64_t kDay = 86'400;

// The room a lease finds on `key` at `now` (what it grants when it wants far more than the
// limit), or -1 when the limit refuses even 1 micro-USD. Leaves no lease behind.
Micros RoomAt(Store& store, int64_t user, int64_t key, int64_t now) {
  LeaseResult r = store.Lease(LeaseRequest{"probe", user, key, 1, 1'000'000'000}, now);
  EXPECT_TRUE(store.ReturnLease("probe", key).ok());
  if (r.outcome == HoldOutcome::kKeyLimitReached) return -1;
  EXPECT_EQ(r.outcome, HoldOutcome::kHeld);
  return r.lease;
}

int64_t MakeResettingKey(Store& store, int64_t user, std::string hash, Micros limit, LimitReset reset) {
  ApiKey key = KeyWithLimits(user, "resets", std::move(hash), std::nullopt, std::nullopt);
  key.limit = limit;
  key.limit_reset = reset;
  return Must(store.CreateKey(key));
}

TEST_P(StoreConformanceTest, ALimitThatResetsCountsOnlyItsPeriodsSpend) {
  int64_t user = MakeUser("alice@example.com", 100'000'000);
  int64_t daily = MakeResettingKey(*store_, user, HashFor(1), 1'000, LimitReset::kDaily);
  int64_t weekly = MakeResettingKey(*store_, user, HashFor(2), 1'000, LimitReset::kWeekly);
  int64_t monthly = MakeResettingKey(*store_, user, HashFor(3), 1'000, LimitReset::kMonthly);
  int64_t lifetime = MakeKey(user, 4, Micros{1'000});
  // Each key spends its whole limit on Sunday at noon.
  for (int64_t key : {daily, weekly, monthly, lifetime}) {
    ChargeRequest charge{.request_id = "sunday-" + std::to_string(key),
                         .user_id = user,
                         .key_id = key,
                         .held = 1'500,
                         .actual = 1'000,
                         .held_at = kSundayNoon};
    ASSERT_TRUE(store_->Charge(charge).ok());
  }
  const int64_t sunday_last_second = kSundayNoon + 12 * 3600 - 1, monday = kSundayNoon + 12 * 3600;
  const int64_t december = monday + kDay;  // Tuesday 2026-12-01 00:00 UTC
  for (int64_t key : {daily, weekly, monthly, lifetime}) {
    EXPECT_EQ(RoomAt(*store_, user, key, sunday_last_second), -1) << "key " << key << ": spent up on Sunday";
  }
  EXPECT_EQ(RoomAt(*store_, user, daily, monday), 1'000) << "a new day";
  EXPECT_EQ(RoomAt(*store_, user, weekly, monday), 1'000) << "a new week begins on Monday";
  EXPECT_EQ(RoomAt(*store_, user, monthly, monday), -1) << "still November";
  EXPECT_EQ(RoomAt(*store_, user, monthly, december), 1'000) << "a new month";
  EXPECT_EQ(RoomAt(*store_, user, lifetime, december), -1) << "a limit that never resets";
  EXPECT_EQ(RoomAt(*store_, user, weekly, monday + 6 * kDay + kDay - 1), 1'000) << "the same week to its end";
  ExpectBalanced(user);
}

TEST_P(StoreConformanceTest, APeriodsHoldsCountAtTheirHeldAmountUntilSettled) {
  int64_t user = MakeUser("alice@example.com", 100'000'000);
  int64_t key = MakeResettingKey(*store_, user, HashFor(1), 1'000, LimitReset::kDaily);
  const int64_t today = kSundayNoon + kDay;  // Monday noon
  // Yesterday's unsettled hold was a different day's: it takes nothing from today.
  ASSERT_EQ(store_->Hold(HoldRequest{"yesterday", user, key, 900}, kSundayNoon).outcome, HoldOutcome::kHeld);
  ASSERT_EQ(store_->Hold(HoldRequest{"a", user, key, 700}, today).outcome, HoldOutcome::kHeld);
  EXPECT_EQ(store_->Hold(HoldRequest{"b", user, key, 301}, today).outcome, HoldOutcome::kKeyLimitReached)
      << "700 held of 1,000";
  ASSERT_TRUE(store_->Settle("a", 200).ok());
  EXPECT_EQ(RoomAt(*store_, user, key, today), 800) << "settled at 200";
  ASSERT_EQ(store_->Hold(HoldRequest{"b", user, key, 800}, today).outcome, HoldOutcome::kHeld);
  EXPECT_EQ(RoomAt(*store_, user, key, today), -1);
  // Another owner's lease counts against the period as the holds do.
  ASSERT_TRUE(store_->Settle("b", 0).ok());
  LeaseResult other = store_->Lease(LeaseRequest{"proc-b", user, key, 500, 500}, today);
  ASSERT_EQ(other.outcome, HoldOutcome::kHeld);
  EXPECT_EQ(RoomAt(*store_, user, key, today), 300);
  // A lease still out when the day turns counts against the new day.
  EXPECT_EQ(RoomAt(*store_, user, key, today + kDay), 500);
  ASSERT_TRUE(store_->ReturnLease("proc-b", key).ok());
  ExpectBalanced(user);
}

TEST_P(StoreConformanceTest, KeysCarryTheirLimitResetAndItsPeriodsUsage) {
  int64_t user = MakeUser("alice@example.com", 100'000'000);
  int64_t key = MakeResettingKey(*store_, user, HashFor(1), 5'000, LimitReset::kWeekly);
  int64_t plain = MakeKey(user, 2, Micros{5'000});
  const int64_t now = sqlite::NowUnix();
  for (int64_t k : {key, plain}) {
    ChargeRequest old{.request_id = "old-" + std::to_string(k),
                      .user_id = user,
                      .key_id = k,
                      .held = 400,
                      .actual = 300,
                      .held_at = now - 8 * kDay};
    ChargeRequest recent{.request_id = "now-" + std::to_string(k),
                         .user_id = user,
                         .key_id = k,
                         .held = 100,
                         .actual = 40,
                         .held_at = now};
    ASSERT_TRUE(store_->Charge(old).ok());
    ASSERT_TRUE(store_->Charge(recent).ok());
  }
  ApiKey found = *Must(store_->FindKeyByHash(HashFor(1)));
  EXPECT_EQ(found.limit_reset, LimitReset::kWeekly);
  EXPECT_EQ(found.usage, 340) << "usage is the key's life's";
  EXPECT_EQ(found.limit_usage, 40) << "only this week's counts against the limit";
  ApiKey lifetime = *Must(store_->FindKeyById(plain));
  EXPECT_EQ(lifetime.limit_reset, LimitReset::kNever);
  EXPECT_EQ(lifetime.limit_usage, 340);
  std::vector<ApiKey> listed = Must(store_->ListKeys(user));
  ASSERT_EQ(listed.size(), 2u);
  EXPECT_EQ(listed[0].limit_usage, 40);

  // UpdateKey changes the reset alone, and kNever clears it.
  KeyUpdate monthly;
  monthly.limit_reset = LimitReset::kMonthly;
  ASSERT_TRUE(store_->UpdateKey(key, monthly).ok());
  found = *Must(store_->FindKeyById(key));
  EXPECT_EQ(found.limit_reset, LimitReset::kMonthly);
  EXPECT_EQ(found.limit, Micros{5'000});
  KeyUpdate rename;
  rename.name = "renamed";
  ASSERT_TRUE(store_->UpdateKey(key, rename).ok());
  EXPECT_EQ(Must(store_->FindKeyById(key))->limit_reset, LimitReset::kMonthly);
  KeyUpdate never;
  never.limit_reset = LimitReset::kNever;
  ASSERT_TRUE(store_->UpdateKey(key, never).ok());
  found = *Must(store_->FindKeyById(key));
  EXPECT_EQ(found.limit_reset, LimitReset::kNever);
  EXPECT_EQ(found.limit_usage, 340);
}

}  // namespace
}  // namespace turnpike::store
