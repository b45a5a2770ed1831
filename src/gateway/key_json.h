// The members OpenRouter's key APIs (GET /api/v1/key, /api/v1/keys) use for a key's spending limit.
#pragma once

#include <string>

#include "common/money.h"
#include "store/keys.h"

namespace turnpike::gateway {

// `"limit":…,"limit_remaining":…,"limit_reset":…` of `key`, whose requests in flight hold
// `reserved` (counted as used until they are charged). For a limit that resets, what remains is
// of the current period's (store/keys.h ApiKey::limit_usage).
std::string KeyLimitMembers(const store::ApiKey& key, money::Micros reserved);

}  // namespace turnpike::gateway
