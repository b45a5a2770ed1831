#include "config/networks.h"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>
#include <optional>

namespace turnpike::config {
namespace {

// The address as 16 bytes (IPv4 mapped into IPv6: ::ffff:a.b.c.d), and whether it was IPv4.
std::optional<std::pair<std::array<uint8_t, 16>, bool>> ParseAddress(std::string_view text) {
  std::string s(text);
  // "[::1]" as some headers write IPv6.
  if (s.size() > 2 && s.front() == '[' && s.back() == ']') s = s.substr(1, s.size() - 2);
  std::array<uint8_t, 16> bytes{};
  in_addr v4{};
  if (::inet_pton(AF_INET, s.c_str(), &v4) == 1) {
    bytes[10] = 0xff;
    bytes[11] = 0xff;
    std::memcpy(bytes.data() + 12, &v4, 4);
    return std::make_pair(bytes, true);
  }
  in6_addr v6{};
  if (::inet_pton(AF_INET6, s.c_str(), &v6) == 1) {
    std::memcpy(bytes.data(), &v6, 16);
    return std::make_pair(bytes, false);
  }
  return std::nullopt;
}

bool PrefixMatches(const std::array<uint8_t, 16>& a, const std::array<uint8_t, 16>& b, int prefix) {
  int full = prefix / 8;
  if (std::memcmp(a.data(), b.data(), static_cast<size_t>(full)) != 0) return false;
  int rest = prefix % 8;
  if (rest == 0) return true;
  const auto mask = static_cast<uint8_t>(0xff << (8 - rest));
  return (a[static_cast<size_t>(full)] & mask) == (b[static_cast<size_t>(full)] & mask);
}

}  // namespace

Result<Networks> Networks::Parse(const std::vector<std::string>& items) {
  Networks networks;
  for (const std::string& item : items) {
    auto bad = [&item] {
      return MakeError(ErrorCode::kBadRequest,
                       "\"" + item + "\" is not an IP address or a CIDR range like \"10.0.0.0/8\" or \"fd00::/8\"");
    };
    const size_t slash = item.find('/');
    auto address = ParseAddress(std::string_view(item).substr(0, slash));
    if (!address) return bad();
    Range range;
    range.bytes = address->first;
    const bool v4 = address->second;
    if (slash != std::string::npos) {
      int bits = -1;
      const char* begin = item.data() + slash + 1;
      const char* end = item.data() + item.size();
      auto [p, ec] = std::from_chars(begin, end, bits);
      if (ec != std::errc() || p != end || begin == end || bits < 0 || bits > (v4 ? 32 : 128)) return bad();
      range.prefix = v4 ? 96 + bits : bits;
    }
    networks.ranges_.push_back(range);
  }
  return networks;
}

bool Networks::Contains(std::string_view address) const {
  if (ranges_.empty()) return false;
  auto parsed = ParseAddress(address);
  if (!parsed) return false;
  for (const Range& range : ranges_) {
    if (PrefixMatches(parsed->first, range.bytes, range.prefix)) return true;
  }
  return false;
}

}  // namespace turnpike::config
