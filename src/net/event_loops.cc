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

void EventLoops::Stop() {
  for (auto& c : contexts_) c->stop();
}

}  // namespace turnpike::net
