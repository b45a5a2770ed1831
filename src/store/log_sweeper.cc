#include "store/log_sweeper.h"

#include <spdlog/spdlog.h>

#include "common/clock.h"

namespace turnpike::store {

LogSweeper::LogSweeper(RequestLogStore& log, Options options) : log_(log), options_(std::move(options)) {
  if (!options_.now_ms) options_.now_ms = [] { return UnixMillis(); };
  if (options_.retention_days > 0 || options_.max_bytes > 0) thread_ = std::thread([this] { Run(); });
}

LogSweeper::~LogSweeper() { Stop(); }

void LogSweeper::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();
}

int64_t LogSweeper::SweepOnce() {
  LogRetention retention;
  if (options_.retention_days > 0) retention.older_than_ms = options_.now_ms() - options_.retention_days * 86'400'000;
  retention.max_bytes = options_.max_bytes;
  retention.batch = options_.batch;
  int64_t deleted = 0, bytes = 0;
  for (;;) {
    Result<LogSweep> sweep = log_.SweepRequestLogs(retention);
    if (!sweep.ok()) {
      spdlog::warn("request log retention: a sweep failed (tried again later): {}", sweep.error().message);
      break;
    }
    deleted += sweep->deleted;
    bytes += sweep->deleted_bytes;
    if (!sweep->more || sweep->deleted == 0) break;
    // Other writers get the database between two batches.
    std::unique_lock lock(mu_);
    if (wake_.wait_for(lock, options_.pause, [this] { return stopping_; })) break;
  }
  if (deleted > 0) spdlog::info("request log retention: {} rows ({} bytes) deleted", deleted, bytes);
  return deleted;
}

void LogSweeper::Run() {
  for (;;) {
    SweepOnce();
    std::unique_lock lock(mu_);
    if (wake_.wait_for(lock, options_.interval, [this] { return stopping_; })) return;
  }
}

}  // namespace turnpike::store
