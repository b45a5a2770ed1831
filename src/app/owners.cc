#include "app/owners.h"

#include <spdlog/spdlog.h>

#include <vector>

#include "app/hold_owner.h"
#include "store/pg/pg_owners.h"
#include "store/store.h"

namespace turnpike::app {

Result<std::unique_ptr<store::OwnerRegistry>> OpenOwnerRegistry(const std::string& database_url,
                                                                const std::string& owners_dir) {
  if (store::IsPostgresUrl(database_url)) {
    auto registry = store::pg::PgOwnerRegistry::Open(database_url);
    if (!registry.ok()) return MakeError(registry.error().code, "owner locks: " + registry.error().message);
    return std::unique_ptr<store::OwnerRegistry>(std::move(*registry));
  }
  return std::unique_ptr<store::OwnerRegistry>(std::make_unique<FileOwnerRegistry>(owners_dir));
}

int OwnerReaper::Sweep(Clock::time_point now) {
  auto owners = ledger_.HoldOwners();
  if (!owners.ok()) {
    spdlog::error("reading the owners of open holds failed: {}", owners.error().message);
    gone_since_.clear();
    return 0;
  }
  if (last_sweep_ && now - *last_sweep_ > kMaxGap) gone_since_.clear();
  last_sweep_ = now;
  std::unordered_map<std::string, Clock::time_point> gone_since;
  std::vector<std::string> gone;
  for (const std::string& id : *owners) {
    auto running = owners_.Running(id);
    if (!running.ok() || *running) continue;
    auto seen = gone_since_.find(id);
    Clock::time_point since = seen != gone_since_.end() ? seen->second : now;
    gone_since[id] = since;
    if (now - since >= owners_.grace()) gone.push_back(id);
  }
  gone_since_ = std::move(gone_since);
  if (gone.empty()) return 0;
  if (auto applied = journal_.ApplyJournal(); !applied.ok()) {
    spdlog::error("applying the settlement journal before releasing holds: {}", applied.error().message);
    return 0;
  }
  int released = 0;
  for (const std::string& id : gone) {
    if (auto n = ledger_.ReleaseHoldsOf(id); n.ok()) {
      released += *n;
      owners_.Forget(id);
      gone_since_.erase(id);
    } else {
      spdlog::error("releasing the holds of a stopped process failed: {}", n.error().message);
    }
  }
  return released;
}

}  // namespace turnpike::app
