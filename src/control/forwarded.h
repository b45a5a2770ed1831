// What a request says about its client when it came through a trusted reverse proxy
// (config server.trusted_proxies). Behind a proxy every connection comes from the proxy's address
// and arrives over plain HTTP; the proxy tells the real client address in X-Forwarded-For and the
// scheme the browser used in X-Forwarded-Proto (or Forwarded: proto=…). Those headers are believed
// only from a trusted proxy's address: anyone else could write them. Pure.
#pragma once

#include <string>

#include "config/networks.h"
#include "net/http.h"

namespace turnpike::control {

struct ClientView {
  std::string address;  // the client's IP address, for per-client limits
  bool https = false;   // the browser reached the server over HTTPS
};

// `always_https`: the operator says the dashboard is only reached over HTTPS (auth.cookie_secure).
// The address: with the connection from a trusted proxy, the right-most X-Forwarded-For entry that
// is not itself a trusted proxy (entries to its left are the client's own claims); otherwise the
// connection's address.
ClientView SeeClient(const net::HttpRequest& request, const config::Networks& trusted_proxies, bool always_https);

}  // namespace turnpike::control
