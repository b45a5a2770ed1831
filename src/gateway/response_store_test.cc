// The responses kept for previous_response_id: per user, expiring, bounded in count and bytes.
#include "gateway/response_store.h"

#include <gtest/gtest.h>

namespace turnpike::gateway {
namespace {

using std::chrono::seconds;

TEST(ResponseStoreTest, AResponseIsItsUsersOnly) {
  ResponseStore store;
  const auto now = ResponseStore::Clock::now();
  ASSERT_TRUE(store.Put("gen-1", 7, "[1]", now));
  EXPECT_EQ(store.Get("gen-1", 7, now), "[1]");
  EXPECT_EQ(store.Get("gen-1", 8, now), std::nullopt);
  EXPECT_EQ(store.Get("gen-2", 7, now), std::nullopt);
}

TEST(ResponseStoreTest, ResponsesExpire) {
  ResponseStore store(10, 1000, 100, seconds(60));
  const auto now = ResponseStore::Clock::now();
  store.Put("a", 1, "[]", now);
  store.Put("b", 1, "[]", now + seconds(30));
  EXPECT_TRUE(store.Get("a", 1, now + seconds(59)));
  EXPECT_FALSE(store.Get("a", 1, now + seconds(60)));
  EXPECT_TRUE(store.Get("b", 1, now + seconds(60)));
  EXPECT_EQ(store.size(), 1u);
}

TEST(ResponseStoreTest, TheOldestGoFirstAtTheBounds) {
  ResponseStore store(2, 10, 6, seconds(60));
  const auto now = ResponseStore::Clock::now();
  store.Put("a", 1, "[1]", now);
  store.Put("b", 1, "[2]", now);
  store.Put("c", 1, "[3]", now);  // three responses: a goes
  EXPECT_FALSE(store.Get("a", 1, now));
  EXPECT_TRUE(store.Get("b", 1, now));
  EXPECT_TRUE(store.Get("c", 1, now));
  store.Put("d", 1, "[4,44]", now);  // 12 bytes: b goes
  EXPECT_FALSE(store.Get("b", 1, now));
  EXPECT_EQ(store.bytes(), 9u);
  EXPECT_FALSE(store.Put("e", 1, "[1,2,3]", now));  // larger than one response may be
  EXPECT_FALSE(store.Get("e", 1, now));
}

}  // namespace
}  // namespace turnpike::gateway
