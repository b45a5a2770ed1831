// SettlementJournal: how a finished request's bookkeeping becomes durable cheaply
// (docs/architecture.md §4.9). The gateway must have a request's charge and log row on disk before
// the last byte of its answer goes out; written into the ledger, keys, holds, request-log and
// rollup tables that is a score of B-tree pages per commit. Journal() instead appends the whole
// settlement as one small row (one or two pages), and ApplyJournal() later writes many journaled
// settlements into the real tables in one transaction, idempotently by request id, and deletes
// them. A settlement is durable once journaled: a process killed before applying it leaves it for
// the next ApplyJournal, by any process on the database (serve does it at start-up).
// Threading and errors as every store interface (users.h).
#pragma once

#include <optional>
#include <string>

#include "common/result.h"
#include "store/ledger.h"
#include "store/request_log.h"

namespace turnpike::store {

// One finished request: its charge (when a hold was taken), its request-log row (when the log is
// on) and its key's last use.
struct Settlement {
  std::optional<ChargeRequest> charge;
  std::optional<RequestLogRow> row;
  int64_t key_id = 0;
  int64_t used_at = 0;  // unix seconds
};

class SettlementJournal {
 public:
  virtual ~SettlementJournal() = default;
  // Appends `settlement` in one transaction (or the caller's batch).
  virtual Status Journal(const Settlement& settlement) = 0;
  // Writes the journaled settlements (the oldest `max` of them; 0 = all) into the ledger and the
  // request log and deletes them, in one transaction (or the caller's batch). Returns how many.
  // A settlement that cannot be decoded or applied is logged and dropped, never retried forever.
  virtual Result<int> ApplyJournal(int max = 0) = 0;
};

// The journal's row format (settlement_codec.cc): compact JSON, so that a person can read a
// journal left behind.
std::string EncodeSettlement(const Settlement& settlement);
Result<Settlement> DecodeSettlement(std::string_view text);

}  // namespace turnpike::store
