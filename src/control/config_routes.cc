// GET /api/config: what the dashboard needs to know about this server and nothing secret — where
// browsers reach the gateway, and how top-ups work here.
#include <boost/json.hpp>

#include "control/api.h"

namespace turnpike::control {
namespace json = boost::json;

namespace {

// The request's Host without its port ("localhost:3000" → "localhost", "[::1]:3000" → "[::1]"),
// or "" when it is missing or holds anything but host characters.
std::string HostName(std::string_view host) {
  if (host.empty() || host.size() > 255) return "";
  for (char ch : host) {
    bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '.' ||
              ch == '-' || ch == ':' || ch == '[' || ch == ']';
    if (!ok) return "";
  }
  size_t end = host.size();
  if (host.front() == '[') {
    end = host.find(']');
    if (end == std::string_view::npos) return "";
    ++end;
  } else if (auto colon = host.rfind(':'); colon != std::string_view::npos) {
    end = colon;
  }
  return std::string(host.substr(0, end));
}

}  // namespace

Reply Api::ServerConfig(const Call& call) {
  json::object body;
  int port = gateway_port_ != 0 ? gateway_port_ : configured_gateway_port_;
  std::string host = HostName(FindHeader(call.http.headers, "host"));
  if (!public_gateway_url_.empty()) {
    std::string url = public_gateway_url_;
    while (!url.empty() && url.back() == '/') url.pop_back();
    body["gateway_url"] = url;
  } else if (!host.empty() && port != 0) {
    // The dashboard's own scheme: a page reached over https may not call an http gateway (mixed
    // content). Behind a proxy that serves the gateway elsewhere, server.public_gateway_url says where.
    body["gateway_url"] = (call.client.https ? "https://" : "http://") + host + ":" + std::to_string(port);
  } else {
    body["gateway_url"] = nullptr;
  }
  json::object payments;
  payments["provider"] = payments_ ? std::string(payments_->name()) : std::string("none");
  payments["min_micros"] = checkout_min_;
  payments["max_micros"] = checkout_max_;
  body["payments"] = std::move(payments);
  return JsonReply(200, body);
}

}  // namespace turnpike::control
