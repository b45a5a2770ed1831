// UserStore: accounts (who owns keys, balances and sessions) and their administration.
//
// Conventions of every store interface (store.h gathers them):
// - Threading: every method may be called from any thread, concurrently; calls block.
// - Errors: a read that can fail answers Result. Absent is a value (std::nullopt, an empty
//   vector, 0), never an error; a database error is an Error (kInternal) and never reads as
//   absent. Writes answer Status or Result with the codes each method names.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/money.h"
#include "common/result.h"

namespace turnpike::store {

using money::Micros;

struct User {
  int64_t id = 0;
  std::string email;          // stored lower-cased
  std::string password_hash;  // argon2id string from libsodium (crypto_pwhash_str)
  bool is_admin = false;
  Micros balance = 0;      // always equals the sum of the user's ledger entries
  int64_t created_at = 0;  // unix seconds
  bool disabled = false;   // a disabled user cannot sign in, and their keys stop working
  // The balance under which the dashboard shows a low-balance alert; nullopt: none. Positive.
  std::optional<Micros> low_balance_alert;
};

class UserStore {
 public:
  virtual ~UserStore() = default;

  // Fails with kConflict when the email is taken. Email is matched case-insensitively.
  virtual Result<int64_t> CreateUser(const std::string& email, const std::string& password_hash, bool is_admin) = 0;
  // nullopt when there is no such user.
  virtual Result<std::optional<User>> FindUserByEmail(const std::string& email) = 0;
  virtual Result<std::optional<User>> FindUserById(int64_t id) = 0;
  virtual Result<int64_t> CountUsers() = 0;

  // --- administration ---
  virtual Result<std::vector<User>> ListUsers(int64_t after_id, int limit) = 0;  // by id ascending
  // kNotFound when the user does not exist.
  virtual Status SetUserFlags(int64_t user_id, std::optional<bool> is_admin, std::optional<bool> disabled) = 0;
  // Replaces the password hash (the caller ends the user's sessions). kNotFound when the user does not exist.
  virtual Status SetUserPassword(int64_t user_id, const std::string& password_hash) = 0;
  // The account's default provider preferences: JSON text of OpenRouter's `provider` object
  // ("" for none), carried with each of its keys (ApiKey::user_provider_preferences). The caller
  // validates it. kNotFound when the user does not exist.
  virtual Result<std::string> GetUserProviderPreferences(int64_t user_id) = 0;
  virtual Status SetUserProviderPreferences(int64_t user_id, const std::string& json) = 0;
  // Sets (positive micro-USD) or clears (nullopt) User::low_balance_alert. kNotFound when the
  // user does not exist; kBadRequest for an amount not above zero.
  virtual Status SetUserLowBalanceAlert(int64_t user_id, std::optional<Micros> alert) = 0;
  // Closes an account, at once and for good: its email becomes `tombstone_email` (so the address
  // may sign up again), its password hash a value no password matches, it is disabled, its keys
  // are deleted and its sessions end. Its ledger, balance and request logs stay (they are the
  // money's record; log retention removes logs as for anyone). kNotFound when the user does not exist.
  virtual Status CloseUser(int64_t user_id, const std::string& tombstone_email, int64_t now_unix) = 0;
};

}  // namespace turnpike::store
