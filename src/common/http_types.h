// Plain HTTP header types, shared by the HTTP layer (net/), the adapters that build upstream
// requests (providers/) and the planes. No I/O and no Asio here, so pure layers can use them.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace turnpike {

struct Header {
  std::string name;  // as sent; compare case-insensitively
  std::string value;
};
using Headers = std::vector<Header>;

// Case-insensitive lookup; "" when absent.
std::string_view FindHeader(const Headers& headers, std::string_view name);

}  // namespace turnpike
