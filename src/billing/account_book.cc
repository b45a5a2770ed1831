#include "billing/account_book.h"

#include <algorithm>
#include <limits>

namespace turnpike::billing {

using money::Micros;

bool AccountBook::TryReserve(int64_t key_id, Micros amount, Clock::time_point now) {
  Shard& shard = ShardOf(key_id);
  std::lock_guard lock(shard.mu);
  auto it = shard.accounts.find(key_id);
  if (it == shard.accounts.end()) return false;
  Account& a = it->second;
  // Written as a subtraction: reserved <= lease always, so nothing overflows.
  if (now >= a.fresh_until || amount > a.lease - a.reserved) return false;
  a.reserved += amount;
  return true;
}

AccountBook::Ask AccountBook::AskFor(int64_t key_id, Micros amount) {
  Shard& shard = ShardOf(key_id);
  std::lock_guard lock(shard.mu);
  Micros reserved = 0;
  if (auto it = shard.accounts.find(key_id); it != shard.accounts.end()) reserved = it->second.reserved;
  Ask ask;
  ask.need = reserved + amount;
  // Saturating: the database caps the lease at the room there is anyway.
  constexpr Micros kMax = std::numeric_limits<Micros>::max();
  Micros spare = amount > kMax / (options_.spare_holds + 1) ? 0 : amount * options_.spare_holds;
  ask.want = ask.need > kMax - spare ? ask.need : ask.need + spare;
  return ask;
}

bool AccountBook::Leased(int64_t key_id, Micros lease, Micros amount, Clock::time_point now) {
  Shard& shard = ShardOf(key_id);
  std::lock_guard lock(shard.mu);
  Account& a = shard.accounts[key_id];
  a.lease = lease;
  a.fresh_until = now + options_.lease_ttl;
  if (a.reserved > a.lease || amount > a.lease - a.reserved) return false;
  a.reserved += amount;
  return true;
}

void AccountBook::Release(int64_t key_id, Micros amount, Micros charged) {
  Shard& shard = ShardOf(key_id);
  std::lock_guard lock(shard.mu);
  Account& a = shard.accounts[key_id];
  a.reserved = std::max<Micros>(0, a.reserved - amount);
  a.lease = std::max<Micros>(0, a.lease - charged);
}

void AccountBook::Unreserve(int64_t key_id, Micros amount) {
  Shard& shard = ShardOf(key_id);
  std::lock_guard lock(shard.mu);
  Account& a = shard.accounts[key_id];
  a.reserved = std::max<Micros>(0, a.reserved - amount);
}

void AccountBook::Invalidate(int64_t key_id) {
  Shard& shard = ShardOf(key_id);
  std::lock_guard lock(shard.mu);
  if (auto it = shard.accounts.find(key_id); it != shard.accounts.end()) it->second.fresh_until = {};
}

std::vector<int64_t> AccountBook::TakeIdle(Clock::time_point now) {
  std::vector<int64_t> idle;
  for (Shard& shard : shards_) {
    std::lock_guard lock(shard.mu);
    for (auto it = shard.accounts.begin(); it != shard.accounts.end();) {
      if (it->second.reserved == 0 && now >= it->second.fresh_until) {
        if (it->second.lease > 0) idle.push_back(it->first);
        it = shard.accounts.erase(it);
      } else {
        ++it;
      }
    }
  }
  return idle;
}

bool AccountBook::HasIdle(Clock::time_point now) const {
  for (const Shard& shard : shards_) {
    std::lock_guard lock(shard.mu);
    for (const auto& [key_id, a] : shard.accounts) {
      if (a.reserved == 0 && now >= a.fresh_until) return true;
    }
  }
  return false;
}

Micros AccountBook::Reserved(int64_t key_id) const {
  const Shard& shard = ShardOf(key_id);
  std::lock_guard lock(shard.mu);
  auto it = shard.accounts.find(key_id);
  return it == shard.accounts.end() ? 0 : it->second.reserved;
}

size_t AccountBook::size() const {
  size_t n = 0;
  for (const Shard& shard : shards_) {
    std::lock_guard lock(shard.mu);
    n += shard.accounts.size();
  }
  return n;
}

}  // namespace turnpike::billing
