// SqliteStore: group commits and how far they go before they return (docs/architecture.md §4.9).
#include <fcntl.h>
#include <unistd.h>

#include <spdlog/spdlog.h>
#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <thread>

#include "store/sqlite/connection.h"
#include "store/sqlite/sqlite_store.h"

namespace turnpike::store::sqlite {

// A checkpoint copies committed WAL frames into the database file and flushes both; left to
// SQLite it runs inside whichever commit crosses wal_autocheckpoint, which holds up that commit
// (and the requests waiting for it) for the copy and two fsyncs. Here a thread of its own runs a
// PASSIVE checkpoint twice a second on its own connection: it never waits for the writer, nor the
// writer for it (WAL mode), and what it cannot copy yet (frames a reader still needs) it copies
// next time.
//
// That alone never lets the WAL start over under a steady stream of commits: SQLite rewinds it to
// its beginning only when a write transaction begins with every frame copied, and by the time
// this thread has copied them the writer has appended more. The file then grows without end (1.7
// GB after a minute of load), and every commit extends it, allocating blocks in the file system.
// So once the WAL is past Options::wal_rewind_frames, this thread asks the writer to catch up: between two of
// its transactions, the writer copies the few frames written since (CatchUpCheckpoint), and its
// next commit starts the WAL over.
class SqliteStore::Checkpointer {
 public:
  Checkpointer(std::unique_ptr<Connection> conn, int rewind_frames)
      : conn_(std::move(conn)), rewind_frames_(rewind_frames), thread_([this] { Run(); }) {}
  ~Checkpointer() {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
    }
    wake_.notify_one();
    thread_.join();
  }

  // Whether the writer should copy what is left (and clears the request).
  bool TakeCatchUp() { return catch_up_.exchange(false, std::memory_order_relaxed); }

 private:
  void Run() {
    std::unique_lock lock(mu_);
    while (!wake_.wait_for(lock, std::chrono::milliseconds(500), [this] { return stopping_; })) {
      Result<Connection::Checkpointed> done = conn_->CheckpointPassive();
      if (!done.ok()) {
        spdlog::debug("sqlite: background checkpoint: {}", done.error().message);
        continue;
      }
      if (done->wal_frames > rewind_frames_) catch_up_.store(true, std::memory_order_relaxed);
    }
  }

  std::unique_ptr<Connection> conn_;
  const int rewind_frames_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::atomic<bool> catch_up_ = false;
  std::thread thread_;  // last: starts after the members it uses
};

Status SqliteStore::StartCheckpointer(const std::string& path, const Options& options) {
  Result<std::unique_ptr<Connection>> conn = Connection::Open(path, options.busy_timeout_ms, /*create=*/false);
  if (!conn.ok()) return conn.error();
  // A connection that has read nothing has not opened the WAL, and its checkpoints do nothing
  // (they report -1 frames): read the schema once.
  if (Status s = (*conn)->ExecScript("SELECT count(*) FROM sqlite_schema;"); !s.ok()) return s;
  // The writer no longer checkpoints when the WAL passes 1,000 pages; this thread does.
  if (Status s = conn_->ExecScript("PRAGMA wal_autocheckpoint = 0;"); !s.ok()) return s;
  checkpointer_ = std::make_shared<Checkpointer>(std::move(*conn), options.wal_rewind_frames);
  return OkStatus();
}

Status SqliteStore::RunBatch(const std::function<void()>& calls, bool flush) {
  std::lock_guard lock(mu_);
  // synchronous is per connection and may change between transactions: an unflushed batch
  // commits at NORMAL (the WAL frames are written, not fsync'ed) and the connection goes back to
  // what it was opened with, so the control plane's writes (credits, top-ups) keep theirs.
  const bool relax = !flush && durability_ == Options::Durability::kFull && !wal_path_.empty();
  if (relax) {
    if (Status s = conn_->ExecScript("PRAGMA synchronous = NORMAL;"); !s.ok()) return s;
  }
  if (checkpointer_ && !conn_->InTransaction() && checkpointer_->TakeCatchUp()) {
    // Between transactions. A failure costs only this rewind: the checkpointer asks again.
    if (Result<Connection::Checkpointed> done = conn_->CheckpointPassive(); !done.ok()) {
      spdlog::debug("sqlite: the writer's catch-up checkpoint: {}", done.error().message);
    }
  }
  Status committed = [&]() -> Status {
    Transaction tx(*conn_);
    if (Status status = tx.Begin(Transaction::Mode::kWrite); !status.ok()) return status;
    // The calls' reads see what the calls before them wrote: on this thread, LockReader() answers
    // the main connection until the batch ends (a batch inside a batch restores the outer one's).
    const std::thread::id outer = batch_thread_.exchange(std::this_thread::get_id());
    calls();
    batch_thread_.store(outer);
    // A call whose failure ended the whole transaction (SQLite rolls back on some errors) took
    // the others' work with it.
    if (!conn_->InTransaction()) return MakeError(ErrorCode::kInternal, "sqlite: the batch was rolled back");
    return tx.Commit();
  }();
  if (relax) {
    if (Status s = conn_->ExecScript("PRAGMA synchronous = FULL;"); !s.ok() && committed.ok()) return s;
  }
  return committed;
}

Status SqliteStore::Flush() {
  if (wal_path_.empty()) return OkStatus();
  // Any descriptor of the file flushes its cached pages: the ones SQLite wrote through its own.
  int fd = ::open(wal_path_.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return OkStatus();  // no WAL (yet, or checkpointed away): nothing to flush
    return MakeError(ErrorCode::kInternal, std::string("opening the WAL to flush it: ") + std::strerror(errno));
  }
  int rc = ::fdatasync(fd);
  int err = errno;
  ::close(fd);
  if (rc != 0) return MakeError(ErrorCode::kInternal, std::string("flushing the WAL: ") + std::strerror(err));
  return OkStatus();
}

}  // namespace turnpike::store::sqlite
