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

void GroupCommitter::Run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping, and nothing left
    // Whatever queued while the last batch committed goes into this one.
    std::deque<Item> batch;
    while (!queue_.empty() && batch.size() < options_.max_batch) {
      batch.push_back(std::move(queue_.front()));
      queue_.pop_front();
    }
    lock.unlock();
    RunBatch(batch);
    lock.lock();
    ++batches_;
  }
}

void GroupCommitter::RunBatch(std::deque<Item>& batch) {
  Status committed = db_.RunBatch([&] {
    for (auto& item : batch) {
      if (options_.test_delay.count() > 0) std::this_thread::sleep_for(options_.test_delay);
      item.call();
    }
  });
  if (!committed.ok()) {
    // Nothing of the batch was kept: run each call again on its own.
    spdlog::warn("store: a batch of {} calls did not commit ({}); running them one by one", batch.size(),
                 committed.error().message);
    for (auto& item : batch) item.call();
  }
  for (auto& item : batch) item.done();
}

}  // namespace turnpike::store
