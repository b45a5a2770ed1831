#include "net/event_loops.h"

#include <boost/asio/executor_work_guard.hpp>

namespace turnpike::net {

EventLoops::EventLoops(int count) {
  if (count <= 0) count = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  for (int i = 0; i < count; ++i) contexts_.push_back(std::make_unique<boost::asio::io_context>(1));
}

EventLoops::~EventLoops() {
  Stop();
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
  // Loop 0 goes last: handlers still queued on the others may own objects (a server's state
  // with its acceptor) that belong to loop 0, and they are destroyed with their loop.
  while (!contexts_.empty()) contexts_.pop_back();
}

void EventLoops::Run() {
  using Guard = boost::asio::executor_work_guard<boost::asio::io_context::executor_type>;
  std::vector<Guard> guards;
  for (auto& c : contexts_) guards.emplace_back(c->get_executor());
  for (size_t i = 1; i < contexts_.size(); ++i) {
    threads_.emplace_back([this, i] { contexts_[i]->run(); });
  }
  contexts_[0]->run();
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
  threads_.clear();
}

void EventLoops::Drain() {
  for (int round = 0; round < 100; ++round) {
    size_t ran = 0;
    for (auto& c : contexts_) {
      c->restart();
      ran += c->poll();
    }
    if (ran == 0) return;
  }
}

void EventLoops::Stop() {
  for (auto& c : contexts_) c->stop();
}

}  // namespace turnpike::net
