// UpstreamClient: picks the native client or libcurl per request (upstream.client), and the pure
// rules that choice and the native client rest on: URLs taken apart, the proxy variables.
#include "net/upstream_client.h"

#include <boost/url/parse.hpp>

#include "net/upstream_backend.h"

namespace turnpike::net {

struct UpstreamClient::Impl {
  Impl(asio::io_context& l, const config::UpstreamOptions& o)
      : loop(l), options(o), proxy(ReadProxyEnv(config::ProcessEnv())) {}

  UpstreamBackend& Native() {
    if (!native) native = MakeNativeUpstream(loop, options);
    return *native;
  }
  UpstreamBackend& Curl() {
    if (!curl) curl = MakeCurlUpstream(loop, options);
    return *curl;
  }

  // "auto": native for http(s) URLs no proxy applies to; libcurl for the rest.
  bool UseNative(const std::string& url) const {
    if (options.client == "native") return true;
    if (options.client == "curl") return false;
    if (!url.starts_with("http://") && !url.starts_with("https://")) return false;
    if (proxy.http_proxy.empty() && proxy.https_proxy.empty() && proxy.all_proxy.empty()) return true;
    auto parsed = boost::urls::parse_absolute_uri(url);
    if (!parsed) return true;  // the native client reports the bad URL
    std::string host(parsed->encoded_host());
    if (host.size() > 2 && host.front() == '[') host = host.substr(1, host.size() - 2);
    return !ProxyApplies(proxy, parsed->scheme(), host);
  }

  asio::io_context& loop;
  config::UpstreamOptions options;
  ProxyEnv proxy;
  std::unique_ptr<UpstreamBackend> native;  // made on first use
  std::unique_ptr<UpstreamBackend> curl;
};

UpstreamClient::UpstreamClient(asio::io_context& loop, const config::UpstreamOptions& options)
    : impl_(std::make_shared<Impl>(loop, options)) {}

UpstreamClient::~UpstreamClient() = default;

std::shared_ptr<UpstreamCall> UpstreamClient::Start(UpstreamRequest request) {
  if (impl_->UseNative(request.url)) return impl_->Native().Start(std::move(request));
  return impl_->Curl().Start(std::move(request));
}

Result<UpstreamTarget> ParseUpstreamUrl(std::string_view url) {
  auto u = boost::urls::parse_absolute_uri(url);
  if (!u) return MakeError(ErrorCode::kBadRequest, "not an absolute URL");
  UpstreamTarget t;
  if (u->scheme() == "https") {
    t.tls = true;
  } else if (u->scheme() != "http") {
    return MakeError(ErrorCode::kBadRequest, "not an http:// or https:// URL");
  }
  if (u->host_type() == boost::urls::host_type::ipv6) {
    t.host = u->host_ipv6_address().to_string();
  } else {
    t.host = std::string(u->encoded_host());
  }
  if (t.host.empty()) return MakeError(ErrorCode::kBadRequest, "no host");
  if (u->has_port()) {
    if (u->port().empty() || u->port_number() == 0) return MakeError(ErrorCode::kBadRequest, "bad port");
    t.port = std::to_string(u->port_number());
  } else {
    t.port = t.tls ? "443" : "80";
  }
  t.host_header = std::string(u->encoded_host_and_port());
  t.target = std::string(u->encoded_path());
  if (t.target.empty()) t.target = "/";
  if (u->has_query()) t.target.append("?").append(u->encoded_query());
  t.pool_key = std::string(u->scheme()) + "://" + t.host + ":" + t.port;
  return t;
}

ProxyEnv ReadProxyEnv(const config::EnvLookup& env) {
  auto first = [&](const char* a, const char* b) -> std::string {
    if (auto v = env(a); v && !v->empty()) return *v;
    if (b) {
      if (auto v = env(b); v && !v->empty()) return *v;
    }
    return "";
  };
  return ProxyEnv{first("http_proxy", nullptr), first("https_proxy", "HTTPS_PROXY"), first("all_proxy", "ALL_PROXY"),
                  first("no_proxy", "NO_PROXY")};
}

namespace {

bool IEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  }
  return true;
}

// One NO_PROXY entry, as libcurl matches it: "*", the host itself, or a domain the host is in
// (a leading dot optional).
bool NoProxyMatches(std::string_view entry, std::string_view host) {
  while (!entry.empty() && entry.front() == ' ') entry.remove_prefix(1);
  while (!entry.empty() && entry.back() == ' ') entry.remove_suffix(1);
  if (entry == "*") return true;
  if (entry.size() > 2 && entry.front() == '[' && entry.back() == ']') entry = entry.substr(1, entry.size() - 2);
  if (!entry.empty() && entry.front() == '.') entry.remove_prefix(1);
  if (entry.empty()) return false;
  if (IEquals(entry, host)) return true;
  return host.size() > entry.size() && host[host.size() - entry.size() - 1] == '.' &&
         IEquals(host.substr(host.size() - entry.size()), entry);
}

}  // namespace

bool ProxyApplies(const ProxyEnv& env, std::string_view scheme, std::string_view host) {
  const std::string& proxy = scheme == "https" ? env.https_proxy : env.http_proxy;
  if (proxy.empty() && env.all_proxy.empty()) return false;
  std::string_view list = env.no_proxy;
  while (!list.empty()) {
    size_t comma = list.find(',');
    if (NoProxyMatches(list.substr(0, comma), host)) return false;
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return true;
}

}  // namespace turnpike::net
