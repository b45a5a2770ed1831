// A key's spending limit as the gateway shows it: the members OpenRouter's key APIs (GET
// /api/v1/key, /api/v1/keys) use for it, and the refusal of a request it does not cover.
#pragma once

#include <string>

#include "common/money.h"
#include "store/keys.h"

namespace turnpike::gateway {

// `"limit":…,"limit_remaining":…,"limit_reset":…` of `key`, whose requests in flight hold
// `reserved` (counted as used until they are charged). For a limit that resets, what remains is
// of the current period's (store/keys.h ApiKey::limit_usage).
std::string KeyLimitMembers(const store::ApiKey& key, money::Micros reserved);

// The 402 for a request of `key` that its spending limit does not cover: what it could cost
// (`held`) and, for a limit that resets, when the next period begins after `now_unix`.
std::string KeyLimitMessage(const store::ApiKey& key, money::Micros held, int64_t now_unix);

}  // namespace turnpike::gateway
