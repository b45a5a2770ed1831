// GroupCommitter: one thread that runs queued store calls in batches, each batch one
// transaction (store::Batch), so many requests' leases and settlements share one commit
// and one flush to disk. Callers never wait for the database: they queue a call and are told
// when it is durable. Thread-safe, and Submit() takes no lock: calls are pushed onto a lock-free
// list that the committer takes whole, and a committer with nothing to do sleeps on a futex that
// a submitter wakes only when it finds it asleep (docs/architecture.md §5.3).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <thread>
#include <vector>

#include "common/take_all_stack.h"
#include "store/batch.h"

namespace turnpike::store {

class GroupCommitter {
 public:
  struct Options {
    size_t max_batch = 512;  // calls per transaction at most
    // Added before every call, on the committer's thread: a test-only way to make the store
    // slow (TURNPIKE_TEST_STORE_DELAY_MS). Zero in production.
    std::chrono::milliseconds test_delay{0};
    // The power-loss window (config database.fsync_interval_ms): a batch is flushed to disk when
    // the last flush is this old, and an idle committer flushes what is left within it. Zero:
    // every batch is flushed before its calls are told it is done.
    std::chrono::milliseconds flush_interval{0};
    // Work that follows the calls (applying the settlement journal), in small transactions of its
    // own so that a call waits for one of them at most: after a batch's calls have been told they
    // are done, at most every `housekeeping_interval` and only when batches were committed since
    // the last run. It answers whether work is left; then it runs again at once while no call is
    // queued, else after the next batch.
    std::function<bool()> housekeeping;
    std::chrono::milliseconds housekeeping_interval{20};
  };

  // `db` must outlive the committer.
  GroupCommitter(Batch& db, Options options);
  ~GroupCommitter();  // Stop()
  GroupCommitter(const GroupCommitter&) = delete;
  GroupCommitter& operator=(const GroupCommitter&) = delete;

  // Queues `call` (which makes store calls and keeps their results) for the next batch. `done`
  // runs on the committer's thread once what `call` did is committed. When a batch cannot
  // commit, each of its calls runs again alone (in its own transactions) before its `done`, so
  // one failing call never loses the others'. Calls are batched in the order they were queued.
  // After Stop() a call runs at once on the caller's thread. Lock-free.
  void Submit(std::function<void()> call, std::function<void()> done);

  // Runs everything queued, then ends the thread. Idempotent; call it from one thread.
  void Stop();

  uint64_t batches() const;  // transactions committed so far (for tests and metrics)
  uint64_t flushes() const;  // flushed batches and Flush() calls so far

 private:
  struct Item {
    std::function<void()> call;
    std::function<void()> done;
    Item* next = nullptr;
  };
  void Run();
  // Runs the calls of `oldest_first` (a list taken off the queue) in batches.
  void RunTaken(Item* oldest_first);
  void RunBatch(bool flush);
  void Flush();
  void Housekeep();
  // Whether a batch committed now should be flushed (the committer's thread).
  bool FlushDue() const;
  // Sleeps until `deadline` or until a submitter or Stop() wakes it (the committer's thread).
  void Sleep(std::chrono::steady_clock::time_point deadline);
  void Wake();
  bool QueueEmpty() const { return queue_.empty(); }

  Batch& db_;
  Options options_;
  TakeAllStack<Item> queue_;            // pushed by submitters, taken whole by the committer
  std::atomic<bool> sleeping_{false};   // the committer waits, or is about to, on wake_word_
  std::atomic<uint32_t> wake_word_{0};  // the futex word: changed by every wake
  std::atomic<bool> stopping_{false};
  std::atomic<uint32_t> submitting_{0};  // Submit() calls between their stopping_ check and push
  std::atomic<uint64_t> batches_{0};
  std::atomic<uint64_t> flushes_{0};
  // What the committer's thread alone reads and writes.
  std::vector<Item*> batch_;  // the calls of the batch being run, oldest first
  std::chrono::steady_clock::time_point last_flush_ = std::chrono::steady_clock::now();
  bool unflushed_ = false;
  std::chrono::steady_clock::time_point last_housekeeping_ = std::chrono::steady_clock::now();
  bool housekeeping_due_ = false;  // batches were committed since the last housekeeping
  std::thread thread_;             // last: starts after the members it uses
};

}  // namespace turnpike::store
