// What the control API accepts as an email address and a password. Pure.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace turnpike::control {

inline constexpr size_t kMinPasswordChars = 8;
inline constexpr size_t kMaxPasswordChars = 256;

// The address lower-cased, when it looks like one: at most 254 bytes, exactly one '@' with
// something on both sides, a dot-free-at-the-ends domain, and no spaces or control characters.
// nullopt otherwise. (Deliverability is not checked: there is no mail step.)
std::optional<std::string> NormalizeEmail(std::string_view email);

// 8 to 256 characters (UTF-8 code points).
bool ValidPassword(std::string_view password);

}  // namespace turnpike::control
