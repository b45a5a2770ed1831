// Hashes, API keys, constant-time comparison and password hashing.
#include "common/crypto.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <set>

namespace turnpike::crypto {
namespace {

bool IsLowerHex(std::string_view s) { return s.find_first_not_of("0123456789abcdef") == std::string_view::npos; }

class CryptoTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { ASSERT_TRUE(InitCrypto()); }
};

TEST_F(CryptoTest, Sha256HexKnownVectors) {
  // FIPS 180-2 / NIST test vectors.
  EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(Sha256Hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

// RFC 4231 test cases 1 and 2.
TEST_F(CryptoTest, HmacSha256HexKnownVectors) {
  EXPECT_EQ(HmacSha256Hex(std::string(20, '\x0b'), "Hi There"),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  EXPECT_EQ(HmacSha256Hex("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST_F(CryptoTest, Sha256HexHashesEmbeddedNulBytes) {
  using namespace std::literals;
  EXPECT_NE(Sha256Hex("a\0b"sv), Sha256Hex("a"sv));
  EXPECT_EQ(Sha256Hex("a\0b"sv).size(), 64u);
}

TEST_F(CryptoTest, RandomHexLengthAndAlphabet) {
  for (size_t n : {0u, 1u, 16u, 32u}) {
    std::string h = RandomHex(n);
    EXPECT_EQ(h.size(), 2 * n);
    EXPECT_TRUE(IsLowerHex(h)) << h;
  }
  EXPECT_NE(RandomHex(16), RandomHex(16));
}

TEST_F(CryptoTest, GenerateApiKeyFormat) {
  NewApiKey k = GenerateApiKey();
  const std::string scheme = "sk-tp-v1-";
  ASSERT_EQ(k.key.size(), scheme.size() + 64);
  EXPECT_EQ(k.key.substr(0, scheme.size()), scheme);
  EXPECT_TRUE(IsLowerHex(k.key.substr(scheme.size()))) << k.key;
  EXPECT_EQ(k.hash_hex, Sha256Hex(k.key));
  EXPECT_EQ(k.hash_hex.size(), 64u);
  EXPECT_TRUE(IsLowerHex(k.hash_hex));
}

TEST_F(CryptoTest, KeyPrefixIsSafeToDisplay) {
  NewApiKey k = GenerateApiKey();
  // The scheme plus six hex chars of the key, then an ellipsis marker.
  ASSERT_GE(k.prefix.size(), 15u);
  EXPECT_EQ(k.prefix.substr(0, 15), k.key.substr(0, 15));
  EXPECT_LT(k.prefix.size(), k.key.size());
  // At most six of the 64 secret hex chars are shown (24 of 256 bits).
  std::string after_scheme = k.prefix.substr(9);
  EXPECT_LE(std::count_if(after_scheme.begin(), after_scheme.end(),
                          [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; }),
            6)
      << k.prefix;
  // It does not authenticate: neither the prefix nor its visible part hashes to the key's hash.
  EXPECT_NE(Sha256Hex(k.prefix), k.hash_hex);
  EXPECT_NE(Sha256Hex(k.prefix.substr(0, 15)), k.hash_hex);
  EXPECT_EQ(KeyPrefix(k.key), k.prefix);
}

TEST_F(CryptoTest, KeyPrefixOfShortInputNeverExposesMore) {
  std::string p = KeyPrefix("sk-tp");
  EXPECT_EQ(p.substr(0, 5), "sk-tp");
}

TEST_F(CryptoTest, TwoKeysDiffer) {
  std::set<std::string> keys, hashes;
  for (int i = 0; i < 50; ++i) {
    NewApiKey k = GenerateApiKey();
    keys.insert(k.key);
    hashes.insert(k.hash_hex);
  }
  EXPECT_EQ(keys.size(), 50u);
  EXPECT_EQ(hashes.size(), 50u);
}

TEST_F(CryptoTest, ConstantTimeEqualsSemantics) {
  EXPECT_TRUE(ConstantTimeEquals("", ""));
  EXPECT_TRUE(ConstantTimeEquals("abc", "abc"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abd"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "xbc"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "ab"));
  EXPECT_FALSE(ConstantTimeEquals("ab", "abc"));
  EXPECT_FALSE(ConstantTimeEquals("", "a"));
  using namespace std::literals;
  EXPECT_FALSE(ConstantTimeEquals("a\0b"sv, "a\0c"sv));
  EXPECT_TRUE(ConstantTimeEquals("a\0b"sv, "a\0b"sv));
  std::string h = Sha256Hex("k");
  EXPECT_TRUE(ConstantTimeEquals(h, Sha256Hex("k")));
  EXPECT_FALSE(ConstantTimeEquals(h, Sha256Hex("K")));
}

TEST_F(CryptoTest, PasswordHashVerifies) {
  auto hash = HashPassword("correct horse battery staple");
  ASSERT_TRUE(hash.ok()) << hash.error().message;
  EXPECT_EQ(hash->rfind("$argon2id$", 0), 0u) << *hash;
  EXPECT_EQ(hash->find("correct horse"), std::string::npos);
  EXPECT_TRUE(VerifyPassword("correct horse battery staple", *hash));
  EXPECT_FALSE(VerifyPassword("correct horse battery stapl", *hash));
  EXPECT_FALSE(VerifyPassword("Correct horse battery staple", *hash));
  EXPECT_FALSE(VerifyPassword("", *hash));
}

TEST_F(CryptoTest, SamePasswordHashesDifferently) {
  auto a = HashPassword("hunter2");
  auto b = HashPassword("hunter2");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(*a, *b);  // salted
  EXPECT_TRUE(VerifyPassword("hunter2", *a));
  EXPECT_TRUE(VerifyPassword("hunter2", *b));
}

TEST_F(CryptoTest, VerifyRejectsGarbageHashes) {
  EXPECT_FALSE(VerifyPassword("x", ""));
  EXPECT_FALSE(VerifyPassword("x", "not a hash"));
  EXPECT_FALSE(VerifyPassword("x", Sha256Hex("x")));
}

}  // namespace
}  // namespace turnpike::crypto
