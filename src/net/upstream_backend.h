// Private to net/: the two implementations behind UpstreamClient (net/upstream_client.h) and how
// one is chosen for a request. Both keep every contract stated in upstream_client.h.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "common/result.h"
#include "config/config.h"
#include "net/upstream_client.h"

namespace turnpike::net {

class UpstreamBackend {
 public:
  virtual ~UpstreamBackend() = default;
  virtual std::shared_ptr<UpstreamCall> Start(UpstreamRequest request) = 0;
};

// libcurl's multi-socket API on the loop (net/curl_upstream.cc): HTTP/2, outbound proxies.
std::unique_ptr<UpstreamBackend> MakeCurlUpstream(asio::io_context& loop, const config::UpstreamOptions& options);
// Asio/Beast HTTP/1.1 with keep-alive pools per host (net/native_upstream.cc).
std::unique_ptr<UpstreamBackend> MakeNativeUpstream(asio::io_context& loop, const config::UpstreamOptions& options);

// An http(s) URL taken apart for the native client.
struct UpstreamTarget {
  bool tls = false;
  std::string host;         // a name or an address, IPv6 without brackets: for DNS, SNI, verification
  std::string port;         // "80" / "443" when the URL has none
  std::string host_header;  // the URL's authority without userinfo, as sent in Host
  std::string target;       // path and query, "/" when the URL has no path
  std::string pool_key;     // scheme://host:port
};
// Errors: kBadRequest for anything but an absolute http:// or https:// URL with a host.
Result<UpstreamTarget> ParseUpstreamUrl(std::string_view url);

// The outbound-proxy variables as libcurl reads them, taken once.
struct ProxyEnv {
  std::string http_proxy;   // http_proxy (libcurl ignores HTTP_PROXY)
  std::string https_proxy;  // https_proxy, else HTTPS_PROXY
  std::string all_proxy;    // all_proxy, else ALL_PROXY
  std::string no_proxy;     // no_proxy, else NO_PROXY
};
ProxyEnv ReadProxyEnv(const config::EnvLookup& env);
// Whether libcurl would send a request for `scheme`://`host` through a proxy: a proxy is set for
// the scheme and NO_PROXY does not match the host ("*", the host itself, or a domain it is in).
bool ProxyApplies(const ProxyEnv& env, std::string_view scheme, std::string_view host);

}  // namespace turnpike::net
