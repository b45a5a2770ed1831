// ISO 8601 times as the control API writes and reads them (always UTC on output).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace turnpike::control {

// "2026-11-28T09:30:00Z".
std::string FormatUnixSeconds(int64_t unix_seconds);
// "2026-11-28T09:30:00.123Z".
std::string FormatUnixMillis(int64_t unix_millis);

// Parses "YYYY-MM-DD" (midnight UTC) or "YYYY-MM-DDTHH:MM[:SS[.fraction]]" followed by "Z" or
// "±HH:MM" (a 't' or ' ' separator and a lower-case 'z' are accepted too). Returns unix
// milliseconds (the fraction is truncated to them), or nullopt when the text is not such a time
// or names an impossible date (February 30th) or a year outside 1970..9999.
std::optional<int64_t> ParseIsoMillis(std::string_view text);

}  // namespace turnpike::control
