#include "control/forwarded.h"

#include <strings.h>

#include <string_view>
#include <vector>

namespace turnpike::control {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool IEquals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && ::strncasecmp(a.data(), b.data(), a.size()) == 0;
}

// Every value of header `name` (it may be repeated), joined with commas in order.
std::string AllValues(const Headers& headers, std::string_view name) {
  std::string joined;
  for (const auto& h : headers) {
    if (!IEquals(h.name, name)) continue;
    if (!joined.empty()) joined += ',';
    joined += h.value;
  }
  return joined;
}

std::vector<std::string_view> SplitCommas(std::string_view s) {
  std::vector<std::string_view> items;
  size_t pos = 0;
  while (pos <= s.size()) {
    size_t comma = std::min(s.find(',', pos), s.size());
    items.push_back(Trim(s.substr(pos, comma - pos)));
    pos = comma + 1;
  }
  return items;
}

// The proto the nearest proxy reports: the last X-Forwarded-Proto item, else the last
// "proto=" of Forwarded (RFC 7239).
bool ForwardedHttps(const Headers& headers) {
  std::string xfp = AllValues(headers, "x-forwarded-proto");
  if (!xfp.empty()) return IEquals(SplitCommas(xfp).back(), "https");
  std::string forwarded = AllValues(headers, "forwarded");
  if (forwarded.empty()) return false;
  std::string_view last = SplitCommas(forwarded).back();
  size_t pos = 0;
  while (pos <= last.size()) {
    size_t semi = std::min(last.find(';', pos), last.size());
    std::string_view pair = Trim(last.substr(pos, semi - pos));
    if (pair.size() > 6 && IEquals(pair.substr(0, 6), "proto=")) {
      std::string_view v = pair.substr(6);
      if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
      return IEquals(v, "https");
    }
    pos = semi + 1;
  }
  return false;
}

}  // namespace

ClientView SeeClient(const net::HttpRequest& request, const config::Networks& trusted_proxies, bool always_https) {
  ClientView view{request.remote_address, always_https};
  if (!trusted_proxies.Contains(request.remote_address)) return view;
  if (ForwardedHttps(request.headers)) view.https = true;
  std::string xff = AllValues(request.headers, "x-forwarded-for");
  if (xff.empty()) return view;
  // Right to left: each trusted proxy appended the address it got the request from.
  auto hops = SplitCommas(xff);
  for (auto it = hops.rbegin(); it != hops.rend(); ++it) {
    if (it->empty()) continue;
    view.address = std::string(*it);
    if (!trusted_proxies.Contains(*it)) break;
  }
  return view;
}

}  // namespace turnpike::control
