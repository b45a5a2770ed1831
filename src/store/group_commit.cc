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

bool GroupCommitter::FlushDue() const {
  return options_.flush_interval.count() <= 0 ||
         std::chrono::steady_clock::now() - last_flush_ >= options_.flush_interval;
}

void GroupCommitter::Run() {
  using Clock = std::chrono::steady_clock;
  const bool windowed = options_.flush_interval.count() > 0;
  const bool housekeeps = static_cast<bool>(options_.housekeeping);
  std::unique_lock lock(mutex_);
  for (;;) {
    const auto has_work = [&] { return stopping_ || !queue_.empty(); };
    // Wake for the queue, and no later than the window allows what is committed to stay
    // unflushed or the journal to stay unapplied.
    auto deadline = Clock::time_point::max();
    if (windowed && unflushed_) deadline = std::min(deadline, last_flush_ + options_.flush_interval);
    if (housekeeps && housekeeping_due_) {
      deadline = std::min(deadline, last_housekeeping_ + options_.housekeeping_interval);
    }
    if (deadline == Clock::time_point::max()) {
      wake_.wait(lock, has_work);
    } else if (!wake_.wait_until(lock, deadline, has_work)) {
      lock.unlock();
      if (housekeeps && housekeeping_due_ && Clock::now() - last_housekeeping_ >= options_.housekeeping_interval) {
        Housekeep();
      }
      if (windowed && unflushed_ && FlushDue()) Flush();
      lock.lock();
      continue;
    }
    if (queue_.empty()) {  // stopping, and nothing left
      lock.unlock();
      if (housekeeps && housekeeping_due_) Housekeep();
      if (unflushed_) Flush();
      return;
    }
    // Whatever queued while the last batch committed goes into this one.
    std::deque<Item> batch;
    while (!queue_.empty() && batch.size() < options_.max_batch) {
      batch.push_back(std::move(queue_.front()));
      queue_.pop_front();
    }
    const bool flush = stopping_ || FlushDue();
    lock.unlock();
    RunBatch(batch, flush);
    if (flush) {
      last_flush_ = Clock::now();
      unflushed_ = false;
    } else {
      unflushed_ = true;
    }
    housekeeping_due_ = true;
    // After the batch's calls were told: housekeeping is never on their path.
    if (housekeeps && Clock::now() - last_housekeeping_ >= options_.housekeeping_interval) Housekeep();
    lock.lock();
    ++batches_;
    if (flush) ++flushes_;
  }
}

void GroupCommitter::Housekeep() {
  bool more = true;
  bool flush = false;
  while (more) {
    flush = FlushDue();
    Status s = db_.RunBatch([&] { more = options_.housekeeping(); }, flush);
    if (!s.ok()) {
      spdlog::warn("store: housekeeping did not commit ({}); it runs again later", s.error().message);
      more = false;
    }
    std::lock_guard lock(mutex_);
    if (!queue_.empty()) break;  // calls first; the rest after their batch
  }
  last_housekeeping_ = more ? std::chrono::steady_clock::time_point{} : std::chrono::steady_clock::now();
  housekeeping_due_ = more;
  if (flush) {
    last_flush_ = last_housekeeping_;
    unflushed_ = false;
  } else {
    unflushed_ = true;
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
