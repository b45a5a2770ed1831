#include "store/group_commit.h"

#include <spdlog/spdlog.h>

namespace turnpike::store {

GroupCommitter::GroupCommitter(Batch& db, Options options) : db_(db), options_(options), thread_([this] { Run(); }) {}

GroupCommitter::~GroupCommitter() { Stop(); }

void GroupCommitter::Submit(std::function<void()> call, std::function<void()> done) {
  {
    std::lock_guard lock(mutex_);
    if (!stopping_) {
      queue_.push_back(Item{std::move(call), std::move(done)});
      wake_.notify_one();
      return;
    }
  }
  call();
  done();
}

void GroupCommitter::Stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    stopping_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();
}

uint64_t GroupCommitter::batches() const {
  std::lock_guard lock(mutex_);
  return batches_;
}

uint64_t GroupCommitter::flushes() const {
  std::lock_guard lock(mutex_);
  return flushes_;
}

void GroupCommitter::Run() {
  using Clock = std::chrono::steady_clock;
  const bool windowed = options_.flush_interval.count() > 0;
  std::unique_lock lock(mutex_);
  for (;;) {
    const auto has_work = [&] { return stopping_ || !queue_.empty(); };
    if (windowed && unflushed_) {
      // Wait no longer than the window allows what is committed to stay unflushed.
      if (!wake_.wait_until(lock, last_flush_ + options_.flush_interval, has_work)) {
        lock.unlock();
        Flush();
        lock.lock();
        continue;
      }
    } else {
      wake_.wait(lock, has_work);
    }
    if (queue_.empty()) {  // stopping, and nothing left
      lock.unlock();
      if (unflushed_) Flush();
      return;
    }
    // Whatever queued while the last batch committed goes into this one.
    std::deque<Item> batch;
    while (!queue_.empty() && batch.size() < options_.max_batch) {
      batch.push_back(std::move(queue_.front()));
      queue_.pop_front();
    }
    const bool flush = !windowed || stopping_ || Clock::now() - last_flush_ >= options_.flush_interval;
    lock.unlock();
    RunBatch(batch, flush);
    lock.lock();
    ++batches_;
    if (flush) {
      ++flushes_;
      last_flush_ = Clock::now();
      unflushed_ = false;
    } else {
      unflushed_ = true;
    }
  }
}

void GroupCommitter::Flush() {
  if (Status s = db_.Flush(); !s.ok()) spdlog::error("store: flushing commits to disk failed: {}", s.error().message);
  std::lock_guard lock(mutex_);
  ++flushes_;
  last_flush_ = std::chrono::steady_clock::now();
  unflushed_ = false;
}

void GroupCommitter::RunBatch(std::deque<Item>& batch, bool flush) {
  Status committed = db_.RunBatch(
      [&] {
        for (auto& item : batch) {
          if (options_.test_delay.count() > 0) std::this_thread::sleep_for(options_.test_delay);
          item.call();
        }
      },
      flush);
  if (!committed.ok()) {
    // Nothing of the batch was kept: run each call again on its own.
    spdlog::warn("store: a batch of {} calls did not commit ({}); running them one by one", batch.size(),
                 committed.error().message);
    for (auto& item : batch) item.call();
  }
  for (auto& item : batch) item.done();
}

}  // namespace turnpike::store
