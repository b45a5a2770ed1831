#include "store/group_commit.h"

#include <linux/futex.h>
#include <spdlog/spdlog.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <climits>

namespace turnpike::store {

namespace {

using Clock = std::chrono::steady_clock;

// The futex word is the atomic's own storage (std::atomic<uint32_t> is a plain 32-bit word on
// Linux, as std::atomic::wait relies on too).
uint32_t* FutexWord(std::atomic<uint32_t>& word) { return reinterpret_cast<uint32_t*>(&word); }

// Sleeps while `word` still holds `expected`, until `deadline` (max: no deadline). Returns on a
// wake, a timeout, a signal or a changed word alike: the caller looks again.
void FutexWait(std::atomic<uint32_t>& word, uint32_t expected, Clock::time_point deadline) {
  timespec relative{};
  timespec* timeout = nullptr;
  if (deadline != Clock::time_point::max()) {
    auto left = deadline - Clock::now();
    if (left <= Clock::duration::zero()) return;
    auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(left).count();
    relative.tv_sec = static_cast<time_t>(ns / 1'000'000'000);
    relative.tv_nsec = static_cast<long>(ns % 1'000'000'000);
    timeout = &relative;
  }
  syscall(SYS_futex, FutexWord(word), FUTEX_WAIT_PRIVATE, expected, timeout, nullptr, 0);
}

void FutexWakeOne(std::atomic<uint32_t>& word) {
  syscall(SYS_futex, FutexWord(word), FUTEX_WAKE_PRIVATE, 1, nullptr, nullptr, 0);
}

}  // namespace

GroupCommitter::GroupCommitter(Batch& db, Options options) : db_(db), options_(options), thread_([this] { Run(); }) {}

GroupCommitter::~GroupCommitter() { Stop(); }

void GroupCommitter::Submit(std::function<void()> call, std::function<void()> done) {
  // Counted before stopping_ is read, so that Stop() either sees this call coming (and runs what
  // it queued) or this call sees stopping_ (and runs itself): both are sequentially consistent.
  submitting_.fetch_add(1);
  if (stopping_.load()) {
    submitting_.fetch_sub(1);
    call();
    done();
    return;
  }
  // The committer only sleeps with the queue empty, after announcing it in sleeping_ and then
  // looking at the queue once more: either it sees this item, or this sees it asleep.
  if (queue_.Push(new Item{std::move(call), std::move(done)}) && sleeping_.load()) Wake();
  submitting_.fetch_sub(1);
}

void GroupCommitter::Wake() {
  wake_word_.fetch_add(1);
  FutexWakeOne(wake_word_);
}

void GroupCommitter::Stop() {
  if (stopping_.exchange(true)) return;
  Wake();
  if (thread_.joinable()) thread_.join();
  // Submitters that read stopping_ before it changed may still be queueing: wait for them, then
  // run what they queued here.
  while (submitting_.load() != 0) std::this_thread::yield();
  if (Item* left = queue_.TakeOldestFirst()) RunTaken(left);
  if (unflushed_) Flush();
}

uint64_t GroupCommitter::batches() const { return batches_.load(std::memory_order_relaxed); }

uint64_t GroupCommitter::flushes() const { return flushes_.load(std::memory_order_relaxed); }

bool GroupCommitter::FlushDue() const {
  return options_.flush_interval.count() <= 0 || Clock::now() - last_flush_ >= options_.flush_interval;
}

void GroupCommitter::Sleep(Clock::time_point deadline) {
  const uint32_t word = wake_word_.load();
  sleeping_.store(true);
  if (QueueEmpty() && !stopping_.load()) FutexWait(wake_word_, word, deadline);
  sleeping_.store(false, std::memory_order_relaxed);
}

void GroupCommitter::Run() {
  const bool windowed = options_.flush_interval.count() > 0;
  const bool housekeeps = static_cast<bool>(options_.housekeeping);
  for (;;) {
    // Whatever was queued while the last batch committed goes into the next one.
    if (Item* taken = queue_.TakeOldestFirst()) {
      RunTaken(taken);
      continue;
    }
    if (stopping_.load()) {
      if (!QueueEmpty()) continue;  // queued just before stopping_ changed
      if (housekeeps && housekeeping_due_) Housekeep();
      if (unflushed_) Flush();
      return;
    }
    // Nothing queued: what is committed must not stay unflushed, nor the journal unapplied,
    // longer than their windows allow.
    const auto now = Clock::now();
    if (housekeeps && housekeeping_due_ && now - last_housekeeping_ >= options_.housekeeping_interval) {
      Housekeep();
      continue;
    }
    if (windowed && unflushed_ && FlushDue()) {
      Flush();
      continue;
    }
    auto deadline = Clock::time_point::max();
    if (windowed && unflushed_) deadline = std::min(deadline, last_flush_ + options_.flush_interval);
    if (housekeeps && housekeeping_due_) {
      deadline = std::min(deadline, last_housekeeping_ + options_.housekeeping_interval);
    }
    Sleep(deadline);
  }
}

void GroupCommitter::RunTaken(Item* oldest_first) {
  const bool housekeeps = static_cast<bool>(options_.housekeeping);
  while (oldest_first) {
    batch_.clear();
    while (oldest_first && batch_.size() < options_.max_batch) {
      batch_.push_back(oldest_first);
      oldest_first = oldest_first->next;
    }
    const bool flush = stopping_.load(std::memory_order_relaxed) || FlushDue();
    RunBatch(flush);
    for (Item* item : batch_) delete item;
    batch_.clear();
    if (flush) {
      last_flush_ = Clock::now();
      unflushed_ = false;
      flushes_.fetch_add(1, std::memory_order_relaxed);
    } else {
      unflushed_ = true;
    }
    batches_.fetch_add(1, std::memory_order_relaxed);
    housekeeping_due_ = true;
    // After the batch's calls were told, and only once the calls taken are all run: housekeeping
    // is never on their path.
    if (housekeeps && !oldest_first && Clock::now() - last_housekeeping_ >= options_.housekeeping_interval) Housekeep();
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
    if (!QueueEmpty()) break;  // calls first; the rest after their batch
  }
  last_housekeeping_ = more ? Clock::time_point{} : Clock::now();
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
  flushes_.fetch_add(1, std::memory_order_relaxed);
  last_flush_ = Clock::now();
  unflushed_ = false;
}

void GroupCommitter::RunBatch(bool flush) {
  Status committed = db_.RunBatch(
      [&] {
        for (Item* item : batch_) {
          if (options_.test_delay.count() > 0) std::this_thread::sleep_for(options_.test_delay);
          item->call();
        }
      },
      flush);
  if (!committed.ok()) {
    // Nothing of the batch was kept: run each call again on its own.
    spdlog::warn("store: a batch of {} calls did not commit ({}); running them one by one", batch_.size(),
                 committed.error().message);
    for (Item* item : batch_) item->call();
  }
  for (Item* item : batch_) item->done();
}

}  // namespace turnpike::store
