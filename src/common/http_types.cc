#include "common/http_types.h"

#include <strings.h>

namespace turnpike {

std::string_view FindHeader(const Headers& headers, std::string_view name) {
  for (const auto& h : headers) {
    if (h.name.size() == name.size() && strncasecmp(h.name.data(), name.data(), name.size()) == 0) {
      return h.value;
    }
  }
  return {};
}

}  // namespace turnpike
