// OwnerRegistry: which server processes are alive, for the holds and leases each of them owns
// (docs/architecture.md §4.8, §4.11). Every `serve` process that runs a gateway claims a fresh
// owner id; its holds and leases carry that id. A process that finds an owner gone for good
// releases that owner's holds and leases (nothing was charged for them); an owner still running
// keeps them.
//
// Two implementations: a lock file per owner beside a SQLite database (app/hold_owner.h; the
// kernel's flock, so only processes on one machine see each other), and a session-level advisory
// lock per owner in a PostgreSQL database (pg/pg_owners.h; every process on every host sees it).
#pragma once

#include <chrono>
#include <string>

#include "common/result.h"

namespace turnpike::store {

class OwnerRegistry {
 public:
  virtual ~OwnerRegistry() = default;

  // Claims a fresh owner id for this process and keeps the claim for as long as the registry
  // lives (or, with PostgreSQL, for as long as its connection does: see Keep). Called once at
  // most. Errors say why the claim could not be taken.
  virtual Result<std::string> Claim() = 0;

  // Whether the process that claimed `id` is running: true; false when it is gone (its holds and
  // leases may be released once it has been seen gone for grace()); an error when this cannot be
  // told right now (the caller then releases nothing). This process's own id reads as running.
  virtual Result<bool> Running(const std::string& id) = 0;

  // Forgets an owner that is gone, after its holds and leases were released (best effort).
  virtual void Forget(const std::string& id) = 0;

  // What Keep found.
  enum class Claimed {
    kHeld,     // the claim was held throughout (or nothing is claimed)
    kRetaken,  // the claim had been lost (the connection to the database broke) and is held again
    kLost,     // the claim is lost and could not be taken again yet
  };
  // Checks that this process's claim is still held, and takes it again when it was lost. Call it
  // periodically (a few times a second) from one thread. A claim that was lost for a while may
  // have been read as gone by another process, which may have released this process's leases:
  // after kRetaken the caller must stop trusting what it remembers of its leases.
  virtual Claimed Keep() = 0;

  // How long an owner must read as gone, over several checks, before its holds and leases are
  // released: zero when a free lock is final (a lock file: the kernel drops it only when the
  // process ends), longer when a running process can lose its lock for a moment (PostgreSQL: a
  // broken connection) and take it again.
  virtual std::chrono::milliseconds grace() const = 0;
};

}  // namespace turnpike::store
