// TopupStore: top-ups through a payment provider. Completing one credits the user's ledger in
// the same transaction, so a payment provider needs nothing else of the store.
// Threading and errors as every store interface (users.h): reads answer Result, absent is
// std::nullopt or empty, a database error is an Error.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/money.h"
#include "common/result.h"

namespace turnpike::store {

using money::Micros;

// A top-up through a payment provider (the seed's OnrampTransaction).
struct Topup {
  int64_t id = 0;
  int64_t user_id = 0;
  Micros amount = 0;
  std::string provider;      // "sandbox" | "stripe"
  std::string external_id;   // the provider's id for it (e.g. a Checkout Session id); unique per provider
  std::string status;        // "pending" | "completed" | "failed"
  int64_t created_at = 0;    // unix seconds
  int64_t completed_at = 0;  // 0 until completed
};

class TopupStore {
 public:
  virtual ~TopupStore() = default;

  // Records a pending top-up. kConflict when (provider, external_id) exists.
  virtual Result<int64_t> CreateTopup(const Topup& topup) = 0;
  // Completes a pending top-up and credits the user (ledger kind "topup", idempotency id
  // "topup:<provider>:<external_id>") in one transaction. Returns true if this call credited,
  // false if it was already completed (a webhook delivered twice). kNotFound when unknown.
  virtual Result<bool> CompleteTopup(const std::string& provider, const std::string& external_id, int64_t now_unix) = 0;
  // Marks a pending top-up failed (its Checkout Session expired, or its payment failed): true if
  // this call did, false if it was not pending (completed stays completed). kNotFound when unknown.
  virtual Result<bool> FailTopup(const std::string& provider, const std::string& external_id) = 0;
  // nullopt when unknown.
  virtual Result<std::optional<Topup>> FindTopup(const std::string& provider, const std::string& external_id) = 0;
  virtual Result<std::vector<Topup>> ListTopups(int64_t user_id, int limit) = 0;  // newest first
};

}  // namespace turnpike::store
