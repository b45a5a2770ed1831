// The one parser of "Authorization: Bearer <token>" headers (RFC 6750 §2.1), used by the
// gateway's API-key check (state/key_cache.h) and the control plane's session check. Pure; no
// allocation.
#pragma once

#include <optional>
#include <string_view>

namespace turnpike {

// The token of an Authorization header value that uses the Bearer scheme: what follows the
// scheme and one or more spaces, without leading or trailing spaces. It may be empty ("Bearer ",
// "Bearer   "). std::nullopt when the value does not use the Bearer scheme: empty, another
// scheme ("Basic …"), or "Bearer" not followed by a space. The scheme matches
// case-insensitively in ASCII only: a byte >= 0x80 never matches a letter of it.
std::optional<std::string_view> BearerToken(std::string_view authorization);

}  // namespace turnpike
