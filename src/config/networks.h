// A set of IP addresses and CIDR ranges ("10.0.0.0/8", "::1", "fd00::/8"), for
// server.trusted_proxies. IPv4-mapped IPv6 addresses ("::ffff:10.1.2.3", as a listener bound to
// "::" reports IPv4 clients) match as the IPv4 address they carry. Immutable; thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace turnpike::config {

class Networks {
 public:
  Networks() = default;  // matches nothing

  // Each item an address or address/prefix-length; the error names the first bad one.
  static Result<Networks> Parse(const std::vector<std::string>& items);

  // Whether `address` (as text, IPv4 or IPv6) is in one of the ranges. Not an address: false.
  bool Contains(std::string_view address) const;
  bool empty() const { return ranges_.empty(); }

 private:
  struct Range {
    std::array<uint8_t, 16> bytes{};  // IPv4 as IPv4-mapped IPv6
    int prefix = 128;                 // leading bits that must match
  };
  std::vector<Range> ranges_;
};

}  // namespace turnpike::config
