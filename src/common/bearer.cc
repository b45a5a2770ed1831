#include "common/bearer.h"

namespace turnpike {
namespace {

// ASCII only: std::tolower on a char is undefined for bytes >= 0x80, and locale-dependent.
char LowerAscii(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

std::string_view TrimSpaces(std::string_view text) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  return text;
}

}  // namespace

std::optional<std::string_view> BearerToken(std::string_view authorization) {
  constexpr std::string_view kScheme = "bearer ";
  if (authorization.size() < kScheme.size()) return std::nullopt;
  for (size_t i = 0; i < kScheme.size(); ++i) {
    if (LowerAscii(authorization[i]) != kScheme[i]) return std::nullopt;
  }
  return TrimSpaces(authorization.substr(kScheme.size()));
}

}  // namespace turnpike
