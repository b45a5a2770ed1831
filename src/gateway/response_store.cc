#include "gateway/response_store.h"

namespace turnpike::gateway {

bool ResponseStore::Put(const std::string& id, int64_t user_id, std::string items, Clock::time_point now) {
  if (items.size() > max_response_bytes_ || items.size() > max_bytes_) return false;
  std::lock_guard lock(mu_);
  if (auto old = entries_.find(id); old != entries_.end()) {
    bytes_ -= old->second.items.size();
    entries_.erase(old);
  }
  bytes_ += items.size();
  entries_[id] = Entry{user_id, std::move(items), now + ttl_};
  order_.push_back(id);
  Evict(now);
  return true;
}

std::optional<std::string> ResponseStore::Get(const std::string& id, int64_t user_id, Clock::time_point now) {
  std::lock_guard lock(mu_);
  Evict(now);
  auto it = entries_.find(id);
  if (it == entries_.end() || it->second.user_id != user_id || it->second.expires <= now) return std::nullopt;
  return it->second.items;
}

void ResponseStore::Evict(Clock::time_point now) {
  // Entries expire in the order they were put (one ttl for all), so the oldest go first either way.
  while (!order_.empty()) {
    auto it = entries_.find(order_.front());
    if (it == entries_.end()) {
      order_.pop_front();
      continue;
    }
    const bool over = entries_.size() > max_responses_ || bytes_ > max_bytes_;
    if (!over && it->second.expires > now) break;
    bytes_ -= it->second.items.size();
    entries_.erase(it);
    order_.pop_front();
  }
}

size_t ResponseStore::size() const {
  std::lock_guard lock(mu_);
  return entries_.size();
}

size_t ResponseStore::bytes() const {
  std::lock_guard lock(mu_);
  return bytes_;
}

}  // namespace turnpike::gateway
