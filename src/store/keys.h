// KeyStore: API keys, as the gateway authenticates them and their owners manage them.
// Threading and errors as every store interface (users.h): reads answer Result, absent is
// std::nullopt or empty, a database error is an Error.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/money.h"
#include "common/result.h"

namespace turnpike::store {

using money::Micros;

// When a key's spending limit starts again from zero (OpenRouter's `limit_reset`): never (the
// limit caps the key's whole life), or at each UTC midnight, each Monday's UTC midnight, or the
// first of each month at UTC midnight.
enum class LimitReset { kNever, kDaily, kWeekly, kMonthly };
// "daily", "weekly", "monthly"; "" for kNever (null in JSON, NULL in the database).
std::string_view LimitResetName(LimitReset reset);
// The reset a name stands for ("" is kNever); nullopt for any other text.
std::optional<LimitReset> ParseLimitReset(std::string_view name);
// The start of the period whose spend counts against the limit at `now_unix`, in unix seconds;
// 0 for kNever (all of it). A request's spend belongs to the period in which it was held.
int64_t LimitPeriodStart(LimitReset reset, int64_t now_unix);
// When that period ends, which is when the next one starts; 0 for kNever.
int64_t LimitPeriodEnd(LimitReset reset, int64_t now_unix);

struct ApiKey {
  int64_t id = 0;
  int64_t user_id = 0;
  std::string name;
  std::string prefix;           // display prefix, e.g. "sk-tp-v1-ab12…" (never enough to authenticate)
  std::string hash_hex;         // lower-case hex SHA-256 of the full key; unique
  std::optional<Micros> limit;  // spending cap for this key; nullopt = unlimited
  LimitReset limit_reset = LimitReset::kNever;  // when the cap starts again from zero
  Micros usage = 0;                             // settled spend plus outstanding holds, over the key's life
  // Read only: what counts against the limit now: `usage` for a limit that never resets; for one
  // that resets, the spend (settled, or held while unsettled) of the requests held since
  // LimitPeriodStart() at the time of the read.
  Micros limit_usage = 0;
  bool disabled = false;
  std::optional<int64_t> expires_at;  // unix seconds
  int64_t created_at = 0;
  bool log_prompts = false;             // keep prompt and completion text in the request log
  std::optional<int64_t> last_used_at;  // unix seconds, best effort
  // Rate limits, enforced by each gateway process in memory (state/key_rate_limits.h): requests
  // and tokens (prompt + completion) per minute; nullopt = none. Positive when set.
  std::optional<int64_t> rpm_limit;
  std::optional<int64_t> tpm_limit;
  // A management key manages its user's keys through the gateway's /api/v1/keys and cannot call
  // models (state/key_cache.h refuses it there).
  bool management = false;
  // The key's public identifier (64 lower-case hex chars, the `hash` of OpenRouter's key
  // management API): random, given by CreateKey (whatever the caller put here), unique, never
  // changed (not even by RotateKey), and unrelated to the secret or hash_hex.
  std::string public_id;
  std::optional<int64_t> updated_at;  // unix seconds of the last UpdateKey/SetKeyDisabled/RotateKey
  // Read only: the key's user is disabled (users.h), so the key must not work either. Model calls
  // learn it when they lease (ledger.h); the key management API checks it here.
  bool user_disabled = false;
  // Read only: the key's user's default provider preferences (users.h), JSON text or "" for none.
  std::string user_provider_preferences;
};

// A change to a key; fields left empty stay as they are.
struct KeyUpdate {
  std::optional<std::string> name;
  std::optional<bool> disabled;
  std::optional<std::optional<Micros>> limit;  // set to nullopt-inside for "no limit"
  std::optional<LimitReset> limit_reset;
  std::optional<std::optional<int64_t>> expires_at;
  std::optional<bool> log_prompts;
  std::optional<std::optional<int64_t>> rpm_limit;  // set to nullopt-inside for "no limit"
  std::optional<std::optional<int64_t>> tpm_limit;
};

class KeyStore {
 public:
  virtual ~KeyStore() = default;

  // Fails with kConflict on a duplicate hash; kNotFound when the user does not exist; kBadRequest
  // for a rate limit that is not positive. Stores `management`; draws a new `public_id`.
  virtual Result<int64_t> CreateKey(const ApiKey& key) = 0;
  // nullopt when no live key has this hash (or id).
  virtual Result<std::optional<ApiKey>> FindKeyByHash(const std::string& hash_hex) = 0;
  virtual Result<std::optional<ApiKey>> FindKeyById(int64_t id) = 0;
  virtual Result<std::vector<ApiKey>> ListKeys(int64_t user_id) = 0;
  virtual Status SetKeyDisabled(int64_t key_id, bool disabled) = 0;

  // --- key management ---
  // kNotFound for an unknown or deleted key; kBadRequest for a rate limit that is not positive. A
  // key whose limit is lowered below its usage simply stops authorising spending.
  virtual Status UpdateKey(int64_t key_id, const KeyUpdate& update) = 0;
  // The key stops working at once and disappears from ListKeys; its ledger and log history stay.
  virtual Status DeleteKey(int64_t key_id) = 0;
  // A new secret for the same key (same id, usage, limit and history); the old secret stops
  // working at once. kConflict on a duplicate hash.
  virtual Status RotateKey(int64_t key_id, const std::string& hash_hex, const std::string& prefix) = 0;
  // Records use of a key (best effort; may be batched or dropped under load).
  virtual void TouchKey(int64_t key_id, int64_t now_unix) = 0;
};

}  // namespace turnpike::store
