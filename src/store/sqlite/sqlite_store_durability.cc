// SqliteStore: group commits and how far they go before they return (docs/architecture.md §4.9).
#include <fcntl.h>
#include <unistd.h>

#include <spdlog/spdlog.h>
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
class SqliteStore::Checkpointer {
 public:
  explicit Checkpointer(std::unique_ptr<Connection> conn) : conn_(std::move(conn)), thread_([this] { Run(); }) {}
  ~Checkpointer() {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
    }
    wake_.notify_one();
    thread_.join();
  }

 private:
  void Run() {
    std::unique_lock lock(mu_);
    while (!wake_.wait_for(lock, std::chrono::milliseconds(500), [this] { return stopping_; })) {
      if (Status s = conn_->ExecScript("PRAGMA wal_checkpoint(PASSIVE);"); !s.ok()) {
        spdlog::debug("sqlite: background checkpoint: {}", s.error().message);
      }
    }
  }

  std::unique_ptr<Connection> conn_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;  // last: starts after the members it uses
};

Status SqliteStore::StartCheckpointer(const std::string& path, int busy_timeout_ms) {
  Result<std::unique_ptr<Connection>> conn = Connection::Open(path, busy_timeout_ms, /*create=*/false);
  if (!conn.ok()) return conn.error();
  // The writer no longer checkpoints when the WAL passes 1,000 pages; this thread does.
  if (Status s = conn_->ExecScript("PRAGMA wal_autocheckpoint = 0;"); !s.ok()) return s;
  checkpointer_ = std::make_shared<Checkpointer>(std::move(*conn));
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
