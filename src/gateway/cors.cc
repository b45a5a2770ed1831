#include "gateway/cors.h"

namespace turnpike::gateway {
namespace {

constexpr size_t kMaxRequestedHeaders = 1024;
constexpr std::string_view kDefaultAllowHeaders =
    "authorization, content-type, http-referer, x-title, x-request-id, user-agent";

bool IsHeaderList(std::string_view list) {
  if (list.empty() || list.size() > kMaxRequestedHeaders) return false;
  for (char ch : list) {
    bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '-' ||
              ch == '_' || ch == ',' || ch == ' ';
    if (!ok) return false;
  }
  return true;
}

void AddCors(Headers& headers) {
  headers.push_back(Header{"Access-Control-Allow-Origin", "*"});
  // Browser clients (the dashboard's playground) read these: Retry-After is not CORS-safelisted.
  headers.push_back(Header{"Access-Control-Expose-Headers", "x-request-id, retry-after"});
}

class CorsWriter final : public net::ResponseWriter {
 public:
  explicit CorsWriter(net::ResponseWriter& inner) : inner_(inner) {}

  net::asio::awaitable<bool> Send(int status, Headers headers, std::string body) override {
    AddCors(headers);
    return inner_.Send(status, std::move(headers), std::move(body));
  }
  net::asio::awaitable<bool> BeginStream(int status, Headers headers, bool now) override {
    AddCors(headers);
    return inner_.BeginStream(status, std::move(headers), now);
  }
  net::asio::awaitable<bool> Write(std::string data) override { return inner_.Write(std::move(data)); }
  net::asio::awaitable<bool> EndStream(std::string last) override { return inner_.EndStream(std::move(last)); }
  void OnClientGone(std::function<void()> on_gone) override { inner_.OnClientGone(std::move(on_gone)); }
  bool client_gone() const override { return inner_.client_gone(); }
  bool started() const override { return inner_.started(); }

 private:
  net::ResponseWriter& inner_;
};

}  // namespace

bool IsPreflight(const net::HttpRequest& request) {
  return request.method == "OPTIONS" && !FindHeader(request.headers, "access-control-request-method").empty();
}

Headers PreflightHeaders(const net::HttpRequest& request) {
  std::string_view requested = FindHeader(request.headers, "access-control-request-headers");
  Headers headers;
  headers.push_back(Header{"Access-Control-Allow-Origin", "*"});
  headers.push_back(Header{"Access-Control-Allow-Methods", "GET, POST, OPTIONS"});
  headers.push_back(
      Header{"Access-Control-Allow-Headers", std::string(IsHeaderList(requested) ? requested : kDefaultAllowHeaders)});
  headers.push_back(Header{"Access-Control-Max-Age", "86400"});
  headers.push_back(Header{"Vary", "Access-Control-Request-Headers"});
  return headers;
}

std::unique_ptr<net::ResponseWriter> WithCors(net::ResponseWriter& inner) {
  return std::make_unique<CorsWriter>(inner);
}

}  // namespace turnpike::gateway
