// LogSweeper: the request log's retention (docs/architecture.md, "Request-log retention"). A
// thread of its own deletes, every `interval`, the rows older than `retention_days` and then the
// oldest while the log's size is above `max_bytes` (RequestLogStore::SweepRequestLogs), in
// batches of `batch` rows, each its own short write transaction, pausing between batches so that
// the writer is never held for long. Never on an event loop. The activity rollups keep the
// history of the rows it deletes.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>

#include "store/request_log.h"

namespace turnpike::store {

class LogSweeper {
 public:
  struct Options {
    int64_t retention_days = 30;           // 0 = kept whatever their age
    int64_t max_bytes = int64_t{1} << 30;  // 0 = no size cap
    std::chrono::milliseconds interval{60'000};
    int batch = 500;
    std::chrono::milliseconds pause{5};  // between two batches of one sweep
    // Unix milliseconds now; injected so tests can move time.
    std::function<int64_t()> now_ms;
  };

  // Starts the thread; the first sweep runs at once. `log` must outlive the sweeper. With both
  // retention_days and max_bytes 0 no thread is started.
  LogSweeper(RequestLogStore& log, Options options);
  ~LogSweeper();  // Stop()
  LogSweeper(const LogSweeper&) = delete;
  LogSweeper& operator=(const LogSweeper&) = delete;

  // Sweeps until nothing is left to delete, or a batch fails (logged; the next sweep tries
  // again), or the sweeper stops. Returns the rows deleted. Called by the thread; tests call it.
  int64_t SweepOnce();

  // Ends the thread (a batch under way finishes first). Idempotent.
  void Stop();

 private:
  void Run();

  RequestLogStore& log_;
  Options options_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;  // guarded by mu_
  std::thread thread_;     // last: starts after the members it uses
};

}  // namespace turnpike::store
