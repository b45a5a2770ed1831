// N event loops (io_context), one thread each. Connections, their upstream calls and per-thread
// state stay on one loop for their whole life, so they need no locks.
#pragma once

#include <boost/asio/io_context.hpp>
#include <memory>
#include <thread>
#include <vector>

namespace turnpike::net {

class EventLoops {
 public:
  explicit EventLoops(int count);  // count <= 0: one per core
  EventLoops(const EventLoops&) = delete;
  EventLoops& operator=(const EventLoops&) = delete;
  ~EventLoops();

  int size() const { return static_cast<int>(contexts_.size()); }
  boost::asio::io_context& at(int i) { return *contexts_[static_cast<size_t>(i)]; }

  // Runs every loop on its own thread (loop 0 on the calling thread) until Stop().
  void Run();
  // Thread-safe. Makes Run() return once the loops have stopped.
  void Stop();

  // After Run() has returned: runs, on the calling thread, every handler that is ready on any
  // loop (aborted operations' completions included) until none is left, so coroutines finish
  // and release what they own while every loop still exists.
  void Drain();

 private:
  std::vector<std::unique_ptr<boost::asio::io_context>> contexts_;
  std::vector<std::thread> threads_;
};

}  // namespace turnpike::net
