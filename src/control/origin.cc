#include "control/origin.h"

#include <algorithm>
#include <cctype>

namespace turnpike::control {
namespace {

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

bool SameHost(std::string_view origin, std::string_view scheme, std::string_view host) {
  return origin.size() == scheme.size() + host.size() && EqualsIgnoreCase(origin.substr(0, scheme.size()), scheme) &&
         EqualsIgnoreCase(origin.substr(scheme.size()), host);
}

}  // namespace

bool IsMutating(std::string_view method) { return method != "GET" && method != "HEAD" && method != "OPTIONS"; }

Status CheckOrigin(std::string_view method, std::string_view origin, std::string_view host,
                   const std::vector<std::string>& allowed, bool cookie_authenticated) {
  if (!IsMutating(method)) return OkStatus();
  if (origin.empty()) {
    if (!cookie_authenticated) return OkStatus();
    return MakeError(ErrorCode::kForbidden, "Cross-site request refused: an Origin header is required");
  }
  if (!host.empty() && (SameHost(origin, "http://", host) || SameHost(origin, "https://", host))) return OkStatus();
  for (const auto& a : allowed) {
    if (EqualsIgnoreCase(origin, a)) return OkStatus();
  }
  return MakeError(ErrorCode::kForbidden,
                   "Cross-site request refused: origin " + std::string(origin.substr(0, 200)) + " is not allowed");
}

}  // namespace turnpike::control
