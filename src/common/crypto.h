// Hashes, randomness and secret comparison (libsodium + OpenSSL). Thread-safe after
// InitCrypto() has returned once (call it at start-up, before threads).
#pragma once

#include <string>
#include <string_view>

#include "common/result.h"

namespace turnpike::crypto {

// Initialises libsodium. Returns false if the library cannot start (no entropy source).
bool InitCrypto();

// Lower-case hex SHA-256 of `data`.
std::string Sha256Hex(std::string_view data);

// `bytes` random bytes from the OS CSPRNG, encoded as lower-case hex (2×bytes chars).
std::string RandomHex(size_t bytes);

// Lower-case hex HMAC-SHA256 of `data` under `key`.
std::string HmacSha256Hex(std::string_view key, std::string_view data);

// Equality of two strings in time that depends only on their lengths.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

// argon2id password hash (libsodium's interactive limits), as a self-describing string.
Result<std::string> HashPassword(std::string_view password);
bool VerifyPassword(std::string_view password, const std::string& hash);

// A new API key: "sk-tp-v1-" followed by 64 hex chars (256 bits from the CSPRNG).
struct NewApiKey {
  std::string key;       // shown to the user once; never stored
  std::string hash_hex;  // Sha256Hex(key): what the store keeps
  std::string prefix;    // "sk-tp-v1-" + first 6 hex chars + "…": safe to display
};
NewApiKey GenerateApiKey();
// Display prefix of an existing key (same rule as GenerateApiKey's).
std::string KeyPrefix(std::string_view key);

}  // namespace turnpike::crypto
