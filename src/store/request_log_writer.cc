#include "store/request_log_writer.h"

#include <spdlog/spdlog.h>

namespace turnpike::store {

RequestLogWriter::RequestLogWriter(RequestLogStore& store, size_t batch_size, std::chrono::milliseconds flush_interval)
    : store_(store), batch_size_(batch_size), flush_interval_(flush_interval), thread_([this] { Run(); }) {}

RequestLogWriter::~RequestLogWriter() { Stop(); }

void RequestLogWriter::Enqueue(RequestLogRow row) {
  std::lock_guard lock(mutex_);
  if (queue_.size() >= batch_size_ * 64) {
    ++dropped_;
    return;
  }
  queue_.push_back(std::move(row));
  ++enqueued_;
  if (queue_.size() >= batch_size_) wake_.notify_one();
}

void RequestLogWriter::Stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    stopping_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();
}

void RequestLogWriter::Flush() {
  std::unique_lock lock(mutex_);
  uint64_t target = enqueued_;
  wake_.notify_one();
  written_.wait(lock, [&] { return done_ >= target || (stopping_ && !thread_.joinable()); });
}

uint64_t RequestLogWriter::dropped() const {
  std::lock_guard lock(mutex_);
  return dropped_;
}

void RequestLogWriter::Run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait_for(lock, flush_interval_, [&] { return stopping_ || queue_.size() >= batch_size_; });
    if (queue_.empty()) {
      if (stopping_) return;
      continue;
    }
    std::vector<RequestLogRow> batch;
    batch.swap(queue_);
    lock.unlock();
    for (size_t i = 0; i < batch.size(); i += batch_size_) {
      std::vector<RequestLogRow> part(batch.begin() + static_cast<long>(i),
                                      batch.begin() + static_cast<long>(std::min(batch.size(), i + batch_size_)));
      if (auto s = store_.AppendRequestLogs(part); !s.ok()) {
        spdlog::error("request log: {} rows not written: {}", part.size(), s.error().message);
      }
    }
    lock.lock();
    done_ += batch.size();
    written_.notify_all();
  }
}

}  // namespace turnpike::store
