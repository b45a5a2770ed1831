#include "billing/account_book.h"

#include <algorithm>
#include <limits>

namespace turnpike::billing {

using money::Micros;

namespace {
constexpr Micros kMax = std::numeric_limits<Micros>::max();
Micros SaturatingAdd(Micros a, Micros b) { return a > kMax - b ? kMax : a + b; }
Micros SaturatingTimes(Micros a, int64_t n) { return n != 0 && a > kMax / n ? kMax : a * n; }
}  // namespace

bool AccountBook::TryReserve(int64_t key_id, Micros amount, Clock::time_point now) {
  Shard& shard = ShardOf(key_id);
  std::lock_guard lock(shard.mu);
  auto it = shard.accounts.find(key_id);
  if (it == shard.accounts.end()) return false;
  Account& a = it->second;
  // Written as a subtraction: reserved <= lease always, so nothing overflows.
  if (now >= a.fresh_until || amount > a.lease - a.reserved) return false;
  a.reserved += amount;
  a.held_since_lease = SaturatingAdd(a.held_since_lease, amount);
  return true;
}

AccountBook::Ask AccountBook::AskFor(int64_t key_id, Micros amount) {
  Shard& shard = ShardOf(key_id);
  std::lock_guard lock(shard.mu);
  Micros reserved = 0;
  Micros held = 0;
  if (auto it = shard.accounts.find(key_id); it != shard.accounts.end()) {
    reserved = it->second.reserved;
    held = it->second.held_since_lease;
  }
  Ask ask;
  ask.need = SaturatingAdd(reserved, amount);
  // Room for spare_holds more like this one, or twice what the last lease had to cover, whichever
  // is more: a busy key's lease doubles until it lasts its lease_ttl, so that it asks about
  // once per lease_ttl however many requests it carries (32 at once took a lease per 8 requests).
  // Saturating: the database caps the lease at the room there is anyway.
  const Micros spare = std::max(SaturatingTimes(amount, options_.spare_holds), SaturatingTimes(held, 2));
  ask.want = SaturatingAdd(ask.need, spare);
  return ask;
}

bool AccountBook::Leased(int64_t key_id, Micros lease, Micros amount, Clock::time_point now, uint64_t* ticket) {
  Shard& shard = ShardOf(key_id);
  std::lock_guard lock(shard.mu);
  Account& a = shard.accounts[key_id];
  a.lease = lease;
  a.fresh_until = {};  // until the transaction that granted it commits (Confirm)
  a.granted_at = now;
  // Unique across keys, and across an account dropped and made again (TakeIdle): the mark of one
  // lease never matches another's.
  a.ticket = tickets_.fetch_add(1, std::memory_order_relaxed) + 1;
  *ticket = a.ticket;
  a.held_since_lease = 0;
  if (a.reserved > a.lease || amount > a.lease - a.reserved) return false;
  a.reserved += amount;
  a.held_since_lease = amount;
  return true;
}

void AccountBook::Confirm(int64_t key_id, uint64_t ticket) {
  Shard& shard = ShardOf(key_id);
  std::lock_guard lock(shard.mu);
  auto it = shard.accounts.find(key_id);
  if (it == shard.accounts.end() || it->second.ticket != ticket) return;  // replaced (or returned) since
  it->second.fresh_until = it->second.granted_at + options_.lease_ttl;
}

void AccountBook::Release(int64_t key_id, Micros amount, Micros charged) {
  Shard& shard = ShardOf(key_id);
  std::lock_guard lock(shard.mu);
  Account& a = shard.accounts[key_id];
  a.reserved = std::max<Micros>(0, a.reserved - amount);
  a.lease = std::max<Micros>(0, a.lease - charged);
}

uint64_t AccountBook::Mark(int64_t key_id) const {
  const Shard& shard = ShardOf(key_id);
  std::lock_guard lock(shard.mu);
  auto it = shard.accounts.find(key_id);
  return it == shard.accounts.end() ? 0 : it->second.ticket;
}

void AccountBook::Charged(int64_t key_id, Micros amount, Micros charged, uint64_t mark) {
  Shard& shard = ShardOf(key_id);
  std::lock_guard lock(shard.mu);
  auto it = shard.accounts.find(key_id);
  if (it == shard.accounts.end()) return;  // no hold can be in a dropped account (TakeIdle)
  Account& a = it->second;
  a.reserved = std::max<Micros>(0, a.reserved - amount);
  if (a.ticket == mark) a.lease = std::max<Micros>(0, a.lease - charged);
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

void AccountBook::InvalidateAll() {
  for (Shard& shard : shards_) {
    std::lock_guard lock(shard.mu);
    for (auto& [key_id, account] : shard.accounts) account.fresh_until = {};
  }
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
