// AccountBook: the credit holds of one server process, in memory (docs/architecture.md §4.11).
//
// The database keeps, per (process, key), a lease: money (and key limit) set aside for this
// process. A request's hold is taken from that lease in memory — no database round trip — as
// long as the lease is fresh and has room; otherwise the process asks the database for a larger
// lease first (store::Ledger::Lease), and the database decides against the balance, the key's
// limit and every other process's leases, so no process can spend what another has set aside.
//
// Per key the book keeps the lease as the database has it (`lease`), what the requests in flight
// hold of it (`reserved`) and until when the lease may be used without asking again. A lease goes
// stale after `lease_ttl`: the next request re-asks, which re-checks the key (disabled, expired,
// limit lowered) and the balance against the database, so a change made elsewhere (the CLI, the
// dashboard, another replica) applies within that time.
//
// Threads: TryReserve and Reserved from any thread (the event loops). Everything else only from
// the one thread that writes leases and charges (the group committer), in the order of its
// database writes, which is what keeps `lease` equal to the database's. Each key's entry has
// its own shard lock; no lock is shared by every request.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "common/money.h"

namespace turnpike::billing {

class AccountBook {
 public:
  using Clock = std::chrono::steady_clock;
  struct Options {
    std::chrono::milliseconds lease_ttl{1000};
    // A lease asks for room for at least this many more holds like the one asking, beyond what
    // it needs (and for twice what the previous lease covered, when that is more: AskFor).
    int64_t spare_holds = 8;
  };

  explicit AccountBook(Options options) : options_(options) {}
  AccountBook() : AccountBook(Options{}) {}

  // Reserves `amount` for a request when the key's lease is fresh and has room. True when done.
  bool TryReserve(int64_t key_id, money::Micros amount, Clock::time_point now);

  // What a lease must cover for `amount` to be held too (`need`), and what to ask for (`want`).
  struct Ask {
    money::Micros need = 0;
    money::Micros want = 0;
  };
  Ask AskFor(int64_t key_id, money::Micros amount);
  // The database set the key's lease to `lease` in a transaction not yet committed: records it
  // and reserves `amount` for the asking request when it fits beside what is reserved now (true
  // when reserved). Other requests may hold from it only once Confirm(…, *ticket) says the
  // transaction committed: a batch that does not commit runs its calls again, and until then
  // the event loops must not hold from a lease the database rolled back.
  bool Leased(int64_t key_id, money::Micros lease, money::Micros amount, Clock::time_point now, uint64_t* ticket);
  // The lease recorded with `ticket` was committed: fresh until lease_ttl after it was granted,
  // unless a later Leased replaced it since.
  void Confirm(int64_t key_id, uint64_t ticket);
  // A request that held `amount` ended, charged `charged` (<= amount), and the charge is written
  // to the database (or 0 when it could not be): the lease shrinks by the charge.
  void Release(int64_t key_id, money::Micros amount, money::Micros charged);
  // Which lease of the key the book has now (0 when none): taken when a charge is written in a
  // transaction not yet committed, for Charged.
  uint64_t Mark(int64_t key_id) const;
  // The charge of a request that held `amount` is committed; it was written when the lease was
  // `mark`. The hold ends; the lease shrinks by `charged` unless it was replaced since (Leased):
  // the database granted that lease after applying the journal, this charge included, so it is
  // net of it already. Called only once the write committed: a hold ended when its charge was
  // written in a batch that then did not commit let the batch's calls, run again, lease without
  // counting that charge anywhere (the two-replica overspend, tests/integration/replicas.test.mjs).
  void Charged(int64_t key_id, money::Micros amount, money::Micros charged, uint64_t mark);
  // Undoes a reservation whose database write did not last (a batch that did not commit).
  void Unreserve(int64_t key_id, money::Micros amount);
  // Forgets whether the lease is fresh: the next request asks the database again, which sets
  // the lease afresh (after a write that may not have lasted).
  void Invalidate(int64_t key_id);
  // Invalidate for every key: after the database may have dropped this process's leases (its
  // owner claim was lost for a while, store/owners.h).
  void InvalidateAll();

  // Keys whose lease is stale with no request holding any of it: the database's lease can go
  // back to the others. Each is dropped from the book (the caller returns it in the database).
  std::vector<int64_t> TakeIdle(Clock::time_point now);
  // Whether TakeIdle would find anything (any thread: a cheap look before queueing the work).
  bool HasIdle(Clock::time_point now) const;

  // What the requests in flight hold on the key (for /api/v1/key usage).
  money::Micros Reserved(int64_t key_id) const;
  // Keys in the book (for tests and metrics).
  size_t size() const;

 private:
  struct Account {
    money::Micros lease = 0;
    money::Micros reserved = 0;
    money::Micros held_since_lease = 0;  // every hold taken from the current lease, ended or not
    Clock::time_point fresh_until{};     // {} until confirmed
    Clock::time_point granted_at{};
    uint64_t ticket = 0;  // of the last Leased: unique in the book, never reused by another lease
  };
  struct Shard {
    mutable std::mutex mu;
    std::unordered_map<int64_t, Account> accounts;
  };
  Shard& ShardOf(int64_t key_id) { return shards_[static_cast<uint64_t>(key_id) % shards_.size()]; }
  const Shard& ShardOf(int64_t key_id) const { return shards_[static_cast<uint64_t>(key_id) % shards_.size()]; }

  const Options options_;
  std::atomic<uint64_t> tickets_{0};  // the last ticket handed out
  std::array<Shard, 64> shards_;
};

}  // namespace turnpike::billing
