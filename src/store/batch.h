// Batch: several store calls committed as one transaction (group commit). Thread-safe.
#pragma once

#include <functional>

#include "common/result.h"

namespace turnpike::store {

class Batch {
 public:
  virtual ~Batch() = default;
  // Runs `calls` inside one write transaction on this handle and commits it. The store calls
  // made by `calls` join that transaction (each still all-or-nothing on its own: a call that
  // fails undoes only itself); other threads' calls on this handle wait until it commits. An
  // error means nothing `calls` did was kept (the transaction could not begin or commit, or a
  // call's failure ended it): the caller decides what to run again.
  //
  // With `flush` false the commit may stay in the operating system's cache (it survives the
  // process being killed, not a power cut) until a later flushed commit or Flush().
  virtual Status RunBatch(const std::function<void()>& calls, bool flush) = 0;
  // Makes every commit so far durable against a power cut.
  virtual Status Flush() = 0;
};

}  // namespace turnpike::store
