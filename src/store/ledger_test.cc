// The referee's rule for a lease, as both stores apply it (DecideLease).
#include "store/ledger.h"

#include <gtest/gtest.h>

namespace turnpike::store {
namespace {

LeaseRequest Ask(Micros need, Micros want) { return LeaseRequest{"p1", 1, 2, need, want}; }

TEST(DecideLeaseTest, GrantsWhatItWantsWithinTheRoomAndNeverLessThanItHas) {
  KeyRoom open{true, std::nullopt};
  // balance 1,000, others lease 300: room 700.
  LeaseResult r = DecideLease(Ask(100, 500), 0, 1'000, 300, open);
  EXPECT_EQ(r.outcome, HoldOutcome::kHeld);
  EXPECT_EQ(r.lease, 500);
  EXPECT_EQ(r.available, 700);
  EXPECT_EQ(DecideLease(Ask(100, 5'000), 0, 1'000, 300, open).lease, 700) << "capped at the room";
  EXPECT_EQ(DecideLease(Ask(100, 200), 650, 1'000, 300, open).lease, 650) << "never below its own";
}

TEST(DecideLeaseTest, RefusalsSayWhichBoundWasMet) {
  EXPECT_EQ(DecideLease(Ask(800, 800), 40, 1'000, 300, {true, std::nullopt}).outcome,
            HoldOutcome::kInsufficientBalance);
  LeaseResult limited = DecideLease(Ask(200, 200), 40, 1'000, 0, {true, Micros{150}});
  EXPECT_EQ(limited.outcome, HoldOutcome::kKeyLimitReached);
  EXPECT_EQ(limited.lease, 40) << "a refusal leaves the lease as it was";
  EXPECT_EQ(DecideLease(Ask(100, 900), 0, 1'000, 0, {true, Micros{150}}).lease, 150) << "the key's room bounds it";
  EXPECT_EQ(DecideLease(Ask(1, 1), 0, 1'000, 0, {false, std::nullopt}).outcome, HoldOutcome::kKeyDisabled);
  EXPECT_EQ(DecideLease(Ask(1, 1), 0, std::nullopt, 0, {true, std::nullopt}).outcome, HoldOutcome::kKeyDisabled);
}

}  // namespace
}  // namespace turnpike::store
