// KeyCache on an in-memory SQLite store: header parsing, every refusal with its code, and the
// cache holding its answer until the TTL (changes made in the store behind its back).
#include "state/key_cache.h"
#include "store/store_testing.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "common/crypto.h"
#include "store/store.h"

namespace turnpike::state {
namespace {

using namespace std::chrono_literals;

constexpr int64_t kNow = 1'800'000'000;  // the "current" unix time the tests pass in

class KeyCacheTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { ASSERT_TRUE(crypto::InitCrypto()); }

  void SetUp() override {
    store_ = store::MigratedMemoryStore();
    ASSERT_TRUE(store_);
    auto user = store_->CreateUser("owner@example.com", "", false);
    ASSERT_TRUE(user.ok()) << user.error().message;
    user_id_ = *user;
  }

  struct Made {
    std::string key;  // the secret
    std::string header;
    int64_t id = 0;
    std::string hash;
  };

  // Creates a key in the store and returns it with its Authorization header.
  Made MakeKey(std::optional<int64_t> limit = std::nullopt, int64_t usage = 0, bool disabled = false,
               std::optional<int64_t> expires_at = std::nullopt, bool management = false) {
    crypto::NewApiKey generated = crypto::GenerateApiKey();
    store::ApiKey k;
    k.user_id = user_id_;
    k.name = "test";
    k.prefix = generated.prefix;
    k.hash_hex = generated.hash_hex;
    k.limit = limit;
    k.usage = usage;
    k.disabled = disabled;
    k.expires_at = expires_at;
    k.management = management;
    auto id = store_->CreateKey(k);
    EXPECT_TRUE(id.ok()) << id.error().message;
    return Made{generated.key, "Bearer " + generated.key, id.ok() ? *id : 0, generated.hash_hex};
  }

  std::unique_ptr<store::Store> store_;
  int64_t user_id_ = 0;
};

void ExpectRefused(const Result<store::ApiKey>& r, ErrorCode code) {
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, code) << r.error().message;
  EXPECT_FALSE(r.error().message.empty());
}

TEST_F(KeyCacheTest, ValidKeyAuthenticates) {
  Made k = MakeKey();
  KeyCache cache(*store_, 5s);
  auto r = cache.Authenticate(k.header, kNow);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->id, k.id);
  EXPECT_EQ(r->user_id, user_id_);
  EXPECT_EQ(r->hash_hex, k.hash);
}

TEST_F(KeyCacheTest, UnknownKeyIs401) {
  MakeKey();
  KeyCache cache(*store_, 5s);
  ExpectRefused(cache.Authenticate("Bearer sk-tp-v1-" + std::string(64, '0'), kNow), ErrorCode::kUnauthorized);
  ExpectRefused(cache.Authenticate("Bearer whatever", kNow), ErrorCode::kUnauthorized);
}

TEST_F(KeyCacheTest, MissingOrMalformedHeaderIs401) {
  Made k = MakeKey();
  KeyCache cache(*store_, 5s);
  for (const std::string& header : std::vector<std::string>{"", k.key, "Basic " + k.key, "Bearer", "Bearer ",
                                                            "Token " + k.key, "Bearer" + k.key, " Bearer " + k.key}) {
    auto r = cache.Authenticate(header, kNow);
    ExpectRefused(r, ErrorCode::kUnauthorized);
    if (!r.ok()) {
      EXPECT_EQ(r.error().message.find(k.key), std::string::npos) << "the key is echoed back";
    }
  }
}

TEST_F(KeyCacheTest, SchemeIsCaseInsensitive) {
  Made k = MakeKey();
  KeyCache cache(*store_, 5s);
  for (const std::string scheme : {"bearer ", "BEARER ", "BeArEr "}) {
    auto r = cache.Authenticate(scheme + k.key, kNow);
    ASSERT_TRUE(r.ok()) << scheme << ": " << r.error().message;
    EXPECT_EQ(r->id, k.id);
  }
}

TEST_F(KeyCacheTest, TrailingSpacesAreIgnoredButTheKeyMustMatchExactly) {
  Made k = MakeKey();
  KeyCache cache(*store_, 5s);
  EXPECT_TRUE(cache.Authenticate(k.header + "  ", kNow).ok());
  ExpectRefused(cache.Authenticate(k.header.substr(0, k.header.size() - 1), kNow), ErrorCode::kUnauthorized);
  ExpectRefused(cache.Authenticate(k.header + "0", kNow), ErrorCode::kUnauthorized);
  std::string upper = k.header;
  upper.back() = static_cast<char>(std::toupper(static_cast<unsigned char>(upper.back())));
  if (upper != k.header) ExpectRefused(cache.Authenticate(upper, kNow), ErrorCode::kUnauthorized);
}

TEST_F(KeyCacheTest, DisabledKeyIs403) {
  Made k = MakeKey(std::nullopt, 0, /*disabled=*/true);
  KeyCache cache(*store_, 5s);
  ExpectRefused(cache.Authenticate(k.header, kNow), ErrorCode::kForbidden);
}

TEST_F(KeyCacheTest, AManagementKeyCannotCallModelsButIsIdentified) {
  Made k = MakeKey(std::nullopt, 0, false, std::nullopt, /*management=*/true);
  KeyCache cache(*store_, 5s);
  auto refused = cache.Authenticate(k.header, kNow);
  ExpectRefused(refused, ErrorCode::kForbidden);
  EXPECT_EQ(refused.error().message, "Management keys cannot call models; use a regular API key");
  // The cached answer (the entry is fresh now) is the same refusal.
  auto cached = cache.AuthenticateCached(k.header, kNow);
  ASSERT_TRUE(cached.has_value());
  ExpectRefused(*cached, ErrorCode::kForbidden);
  // The routes where a key reads about itself still know it.
  auto identified = cache.Identify(k.header);
  ASSERT_TRUE(identified.ok()) << identified.error().message;
  EXPECT_TRUE(identified->management);
  EXPECT_EQ(identified->id, k.id);
}

TEST_F(KeyCacheTest, ExpiredKeyIs401) {
  KeyCache cache(*store_, 5s);
  ExpectRefused(cache.Authenticate(MakeKey(std::nullopt, 0, false, kNow - 1).header, kNow), ErrorCode::kUnauthorized);
  ExpectRefused(cache.Authenticate(MakeKey(std::nullopt, 0, false, kNow).header, kNow), ErrorCode::kUnauthorized);
  EXPECT_TRUE(cache.Authenticate(MakeKey(std::nullopt, 0, false, kNow + 1).header, kNow).ok());
}

TEST_F(KeyCacheTest, ExpiryIsJudgedAtTheTimeGiven) {
  Made k = MakeKey(std::nullopt, 0, false, kNow + 60);
  KeyCache cache(*store_, 1h);
  EXPECT_TRUE(cache.Authenticate(k.header, kNow).ok());
  // The same cached entry, a minute later.
  ExpectRefused(cache.Authenticate(k.header, kNow + 60), ErrorCode::kUnauthorized);
}

TEST_F(KeyCacheTest, LimitReachedIs402) {
  KeyCache cache(*store_, 5s);
  ExpectRefused(cache.Authenticate(MakeKey(100, 100).header, kNow), ErrorCode::kPaymentRequired);
  ExpectRefused(cache.Authenticate(MakeKey(100, 150).header, kNow), ErrorCode::kPaymentRequired);
  ExpectRefused(cache.Authenticate(MakeKey(0, 0).header, kNow), ErrorCode::kPaymentRequired);
  EXPECT_TRUE(cache.Authenticate(MakeKey(100, 99).header, kNow).ok());
  EXPECT_TRUE(cache.Authenticate(MakeKey(std::nullopt, 1'000'000'000).header, kNow).ok());  // no limit
}

TEST_F(KeyCacheTest, ALimitThatResetsIsLeftToTheLease) {
  // A daily limit spent up over the key's life: the cached usage may be an earlier day's, so only
  // the lease (which counts today's spend) may refuse it.
  Made k = MakeKey(100, 100);
  store::KeyUpdate daily;
  daily.limit_reset = store::LimitReset::kDaily;
  ASSERT_TRUE(store_->UpdateKey(k.id, daily).ok());
  KeyCache cache(*store_, 5s);
  EXPECT_TRUE(cache.Authenticate(k.header, kNow).ok());
}

TEST_F(KeyCacheTest, DisabledWinsOverOtherRefusals) {
  KeyCache cache(*store_, 5s);
  ExpectRefused(cache.Authenticate(MakeKey(10, 10, true, kNow - 5).header, kNow), ErrorCode::kForbidden);
}

TEST_F(KeyCacheTest, AHitDoesNotReadTheStoreUntilTheTtl) {
  Made k = MakeKey();
  KeyCache cache(*store_, 1h);
  ASSERT_TRUE(cache.Authenticate(k.header, kNow).ok());
  ASSERT_TRUE(store_->SetKeyDisabled(k.id, true).ok());
  // The store says disabled; the cached answer holds.
  auto r = cache.Authenticate(k.header, kNow);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->disabled);
  // Forget() drops the entry: the next call reads the store.
  cache.Forget(k.hash);
  ExpectRefused(cache.Authenticate(k.header, kNow), ErrorCode::kForbidden);
}

TEST_F(KeyCacheTest, WithTtlZeroAChangeIsSeenAtOnce) {
  Made k = MakeKey();
  KeyCache cache(*store_, 0ms);
  ASSERT_TRUE(cache.Authenticate(k.header, kNow).ok());
  ASSERT_TRUE(store_->SetKeyDisabled(k.id, true).ok());
  ExpectRefused(cache.Authenticate(k.header, kNow), ErrorCode::kForbidden);
  ASSERT_TRUE(store_->SetKeyDisabled(k.id, false).ok());
  EXPECT_TRUE(cache.Authenticate(k.header, kNow).ok());
}

TEST_F(KeyCacheTest, AChangeIsSeenOnceTheTtlHasPassed) {
  Made k = MakeKey();
  KeyCache cache(*store_, 50ms);
  ASSERT_TRUE(cache.Authenticate(k.header, kNow).ok());
  ASSERT_TRUE(store_->SetKeyDisabled(k.id, true).ok());
  std::this_thread::sleep_for(80ms);
  ExpectRefused(cache.Authenticate(k.header, kNow), ErrorCode::kForbidden);
}

TEST_F(KeyCacheTest, AnUnknownKeyIsRememberedForTheTtl) {
  // A client retrying with a wrong key costs one store read per TTL, not one per request. (A new
  // key is never presented before it exists: its secret is only known once it is created.)
  KeyCache cache(*store_, 100ms);
  crypto::NewApiKey generated = crypto::GenerateApiKey();
  ExpectRefused(cache.Authenticate("Bearer " + generated.key, kNow), ErrorCode::kUnauthorized);
  store::ApiKey k;
  k.user_id = user_id_;
  k.name = "late";
  k.prefix = generated.prefix;
  k.hash_hex = generated.hash_hex;
  ASSERT_TRUE(store_->CreateKey(k).ok());
  ExpectRefused(cache.Authenticate("Bearer " + generated.key, kNow), ErrorCode::kUnauthorized);
  EXPECT_TRUE(cache.AuthenticateCached("Bearer " + generated.key, kNow).has_value())
      << "the miss is answered without the store";
  std::this_thread::sleep_for(150ms);
  EXPECT_FALSE(cache.AuthenticateCached("Bearer " + generated.key, kNow).has_value()) << "the miss has expired";
  EXPECT_TRUE(cache.Authenticate("Bearer " + generated.key, kNow).ok());
}

// The event loops answer from their own copies; a change made through this process (Forget) and
// the TTL reach those copies too.
TEST_F(KeyCacheTest, AnotherThreadsCopyIsDroppedByForgetAndTheTtl) {
  Made k = MakeKey();
  KeyCache cache(*store_, 1h);
  std::thread([&] { ASSERT_TRUE(cache.Authenticate(k.header, kNow).ok()); }).join();
  ASSERT_TRUE(cache.Authenticate(k.header, kNow).ok());  // this thread's copy
  ASSERT_TRUE(store_->SetKeyDisabled(k.id, true).ok());
  cache.Forget(k.hash);  // e.g. by the other thread, which knows of the change
  std::thread([&] { EXPECT_FALSE(cache.AuthenticateCached(k.header, kNow).has_value()); }).join();
  EXPECT_FALSE(cache.AuthenticateCached(k.header, kNow).has_value()) << "this thread's copy went too";
  ExpectRefused(cache.Authenticate(k.header, kNow), ErrorCode::kForbidden);

  KeyCache short_lived(*store_, 50ms);
  Made other = MakeKey();
  ASSERT_TRUE(short_lived.Authenticate(other.header, kNow).ok());
  ASSERT_TRUE(store_->SetKeyDisabled(other.id, true).ok());
  std::this_thread::sleep_for(80ms);
  EXPECT_FALSE(short_lived.AuthenticateCached(other.header, kNow).has_value()) << "a copy is no fresher than the TTL";
}

TEST_F(KeyCacheTest, IdentifyReturnsKeysInAnyState) {
  KeyCache cache(*store_, 5s);
  Made disabled = MakeKey(std::nullopt, 0, true);
  auto r = cache.Identify(disabled.header);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_TRUE(r->disabled);
  EXPECT_EQ(r->id, disabled.id);

  Made spent = MakeKey(5, 5, false, kNow - 100);
  r = cache.Identify(spent.header);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->limit, 5);
  EXPECT_EQ(r->usage, 5);
}

TEST_F(KeyCacheTest, IdentifyRefusesUnknownAndMalformed) {
  KeyCache cache(*store_, 5s);
  ExpectRefused(cache.Identify(""), ErrorCode::kUnauthorized);
  ExpectRefused(cache.Identify("Basic abc"), ErrorCode::kUnauthorized);
  ExpectRefused(cache.Identify("Bearer sk-tp-v1-nope"), ErrorCode::kUnauthorized);
}

TEST_F(KeyCacheTest, HeaderBytesAbove0x7fAreRefusedNotMisread) {
  Made k = MakeKey();
  KeyCache cache(*store_, 5s);
  // A scheme with bytes >= 0x80 (std::tolower on them was undefined behaviour), and a key made
  // of them.
  for (const std::string& header :
       std::vector<std::string>{"B\xC3\xA9"
                                "arer " +
                                    k.key,
                                "\xC2"
                                "earer " +
                                    k.key,
                                std::string(7, '\xFF') + k.key, "Bearer \xFF\xFE\x80", "Bearer " + k.key + "\xE9"}) {
    ExpectRefused(cache.Authenticate(header, kNow), ErrorCode::kUnauthorized);
  }
}

TEST_F(KeyCacheTest, LeadingSpacesBeforeTheKeyAreIgnored) {
  Made k = MakeKey();
  KeyCache cache(*store_, 5s);
  auto r = cache.Authenticate("Bearer   " + k.key, kNow);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->id, k.id);
}

// A KeyStore whose every read fails, as a database that cannot be read does.
class BrokenKeyStore : public store::KeyStore {
 public:
  Result<int64_t> CreateKey(const store::ApiKey&) override { return Broken(); }
  Result<std::optional<store::ApiKey>> FindKeyByHash(const std::string&) override { return Broken(); }
  Result<std::optional<store::ApiKey>> FindKeyById(int64_t) override { return Broken(); }
  Result<std::vector<store::ApiKey>> ListKeys(int64_t) override { return Broken(); }
  Status SetKeyDisabled(int64_t, bool) override { return Broken(); }
  Status UpdateKey(int64_t, const store::KeyUpdate&) override { return Broken(); }
  Status DeleteKey(int64_t) override { return Broken(); }
  Status RotateKey(int64_t, const std::string&, const std::string&) override { return Broken(); }
  void TouchKey(int64_t, int64_t) override {}

 private:
  static Error Broken() { return MakeError(ErrorCode::kInternal, "sqlite: disk I/O error"); }
};

TEST(KeyCacheStoreErrorTest, AStoreErrorIs503NotAnUnknownKey) {
  BrokenKeyStore broken;
  KeyCache cache(broken, 5s);
  crypto::NewApiKey generated = crypto::GenerateApiKey();
  auto r = cache.Authenticate("Bearer " + generated.key, kNow);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kUnavailable) << r.error().message;
  EXPECT_EQ(r.error().message.find("sqlite"), std::string::npos) << "the store's message leaks";
  EXPECT_EQ(cache.Identify("Bearer " + generated.key).error().code, ErrorCode::kUnavailable);
}

TEST_F(KeyCacheTest, ConcurrentCallsAgree) {
  Made k = MakeKey();
  KeyCache cache(*store_, 1h);
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 200; ++i) ok += cache.Authenticate(k.header, kNow).ok() ? 1 : 0;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 800);
}

}  // namespace
}  // namespace turnpike::state
