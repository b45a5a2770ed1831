// Write-behind for the request log: the hot path enqueues a row (a lock and a push), a
// background thread writes batches in one transaction each (group commit). Rows still queued
// at Stop() are written before it returns.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "store/request_log.h"

namespace turnpike::store {

class RequestLogWriter {
 public:
  RequestLogWriter(RequestLogStore& store, size_t batch_size, std::chrono::milliseconds flush_interval);
  RequestLogWriter(const RequestLogWriter&) = delete;
  RequestLogWriter& operator=(const RequestLogWriter&) = delete;
  ~RequestLogWriter();  // calls Stop()

  // Thread-safe; never blocks on the database. When the queue holds more than 64 batches
  // (the database is stuck), the row is dropped and counted.
  void Enqueue(RequestLogRow row);
  // Writes what is queued and stops the thread. Idempotent.
  void Stop();
  // Waits until every row enqueued before the call is written (tests, shutdown).
  void Flush();

  uint64_t dropped() const;

 private:
  void Run();

  RequestLogStore& store_;
  size_t batch_size_;
  std::chrono::milliseconds flush_interval_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable written_;
  std::vector<RequestLogRow> queue_;
  uint64_t enqueued_ = 0;
  uint64_t done_ = 0;
  uint64_t dropped_ = 0;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace turnpike::store
