#include "control/account_rules.h"

#include "control/fields.h"

namespace turnpike::control {

std::optional<std::string> NormalizeEmail(std::string_view email) {
  if (email.empty() || email.size() > 254) return std::nullopt;
  size_t at = email.find('@');
  if (at == std::string_view::npos || at == 0 || at + 1 == email.size() ||
      email.find('@', at + 1) != std::string_view::npos) {
    return std::nullopt;
  }
  std::string_view domain = email.substr(at + 1);
  if (domain.front() == '.' || domain.back() == '.' || domain.find("..") != std::string_view::npos) {
    return std::nullopt;
  }
  std::string out;
  out.reserve(email.size());
  for (char ch : email) {
    auto byte = static_cast<unsigned char>(ch);
    if (byte <= 0x20 || byte == 0x7F) return std::nullopt;  // spaces and control characters
    out += (ch >= 'A' && ch <= 'Z') ? static_cast<char>(ch - 'A' + 'a') : ch;
  }
  return out;
}

bool ValidPassword(std::string_view password) {
  size_t n = Utf8Length(password);
  return n >= kMinPasswordChars && n <= kMaxPasswordChars;
}

}  // namespace turnpike::control
