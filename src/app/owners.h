// Which server processes own the holds and leases in the database, and the release of those whose
// owner is gone (docs/architecture.md §4.8): the registry for a DATABASE_URL, and the sweep that
// start-up and (with PostgreSQL) a periodic check run.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>

#include "common/result.h"
#include "store/ledger.h"
#include "store/owners.h"
#include "store/settlement_journal.h"

namespace turnpike::app {

// The owner registry of the database `database_url` names: advisory locks in the database for
// PostgreSQL (store/pg/pg_owners.h), else lock files under `owners_dir` (app/hold_owner.h;
// store::HoldOwnersDir says where). Errors name what could not be opened.
Result<std::unique_ptr<store::OwnerRegistry>> OpenOwnerRegistry(const std::string& database_url,
                                                                const std::string& owners_dir);

// Releases the holds and leases of owners that are gone. Not thread-safe: one thread calls Sweep.
class OwnerReaper {
 public:
  using Clock = std::chrono::steady_clock;
  // All references must outlive the reaper.
  OwnerReaper(store::Ledger& ledger, store::SettlementJournal& journal, store::OwnerRegistry& owners)
      : ledger_(ledger), journal_(journal), owners_(owners) {}

  // Looks up every owner of open holds or leases, and releases the holds and leases of each one
  // that has read as gone at every check for at least owners.grace() (at this first check when the
  // grace is zero). An owner that cannot be checked, or reads as running, is left alone and its
  // count starts again; so do all of them after a sweep that failed, or when the last sweep is
  // more than kMaxGap old (a gap in the checks is no proof that an owner stayed gone). The settlement journal is
  // applied before anything is released: a charge journaled by a gone process was taken from the lease about to go.
  // Returns how many holds and leases were released; failures are logged.
  int Sweep(Clock::time_point now);

  static constexpr std::chrono::milliseconds kMaxGap{1000};

 private:
  store::Ledger& ledger_;
  store::SettlementJournal& journal_;
  store::OwnerRegistry& owners_;
  std::unordered_map<std::string, Clock::time_point> gone_since_;  // owner id -> first read as gone
  std::optional<Clock::time_point> last_sweep_;                    // the last sweep that read the owners
};

}  // namespace turnpike::app
