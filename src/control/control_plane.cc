#include "control/control_plane.h"

#include <spdlog/spdlog.h>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "common/error_table.h"
#include "control/forwarded.h"

namespace turnpike::control {
namespace asio = boost::asio;

namespace {

constexpr int kWorkers = 4;

// Runs `work` (returning a Reply) on `pool`, then resumes the calling coroutine on its own
// executor with the result. An exception from `work` becomes a 500.
template <class Work>
asio::awaitable<Reply> OnPool(asio::thread_pool& pool, Work work) {
  return asio::async_initiate<const asio::use_awaitable_t<>, void(Reply)>(
      [&pool](auto handler, Work work) {
        auto home = asio::get_associated_executor(handler);
        asio::post(pool, [handler = std::move(handler), work = std::move(work), home]() mutable {
          Reply reply;
          try {
            reply = work();
          } catch (const std::exception& e) {
            reply = ErrorReply(MakeError(ErrorCode::kInternal, std::string("API handler threw: ") + e.what()));
          }
          asio::post(home, [handler = std::move(handler), reply = std::move(reply)]() mutable {
            std::move(handler)(std::move(reply));
          });
        });
      },
      asio::use_awaitable, std::move(work));
}

Reply Html(std::string body) {
  Reply reply;
  reply.content_type = "text/html; charset=utf-8";
  reply.body = std::move(body);
  return reply;
}

Reply LandingPage(const std::string& gateway_url) {
  std::string gateway = gateway_url.empty() ? "the gateway listener" : "<code>" + gateway_url + "/api/v1</code>";
  return Html(
      "<!doctype html><meta charset=utf-8><title>Turnpike</title><h1>Turnpike</h1>"
      "<p>The gateway (OpenAI-compatible API) is at " +
      gateway +
      ".</p>"
      "<p>The control API is under <code>/api/</code>; its OpenAPI document is "
      "<a href=\"/api/openapi.json\"><code>/api/openapi.json</code></a>.</p>");
}

}  // namespace

ControlPlane::ControlPlane(store::HealthCheck& database, std::unique_ptr<Api> api, std::string gateway_url,
                           StaticFiles dashboard, EdgeHeaders edge)
    : database_(database),
      api_(std::move(api)),
      gateway_url_(std::move(gateway_url)),
      dashboard_(std::move(dashboard)),
      edge_(std::move(edge)),
      pool_(kWorkers) {}

ControlPlane::~ControlPlane() { Stop(); }

void ControlPlane::Stop() { pool_.join(); }

asio::awaitable<void> ControlPlane::Handle(int, const net::HttpRequest& request, net::ResponseWriter& writer) {
  const bool get = request.method == "GET" || request.method == "HEAD";
  const bool api = request.path.starts_with("/api/");
  Reply reply;
  if (request.path == "/health") {
    reply.body = R"({"status":"ok"})";
  } else if (request.path == "/ready") {
    // On the pool: the database may be slow, and the loop must not wait for it.
    reply = co_await OnPool(pool_, [this] {
      Reply ready;
      bool ok = database_.Ping();
      ready.status = ok ? 200 : 503;
      ready.body = ok ? R"({"status":"ready"})" : R"({"status":"database unreachable"})";
      return ready;
    });
  } else if (request.path == "/api/openapi.json" && get) {
    reply.body = std::string(kOpenApiJson);
  } else if (api) {
    reply = co_await OnPool(pool_, [this, &request] { return api_->Handle(request); });
  } else if (const StaticFile* file = get ? dashboard_.ForBrowser(request.path) : nullptr) {
    reply = StaticReply(*file, FindHeader(request.headers, "if-none-match"));
  } else if (request.path == "/" && get) {
    reply = LandingPage(gateway_url_);
  } else {
    reply = ErrorReply(MakeError(ErrorCode::kNotFound, "No route for " + request.method + " " + request.path));
  }
  Headers headers;
  if (!reply.content_type.empty()) headers.push_back(Header{"Content-Type", reply.content_type});
  headers.push_back(Header{"x-request-id", request.id});
  headers.push_back(Header{"X-Content-Type-Options", "nosniff"});
  if (!api) {
    // The dashboard: no framing by other sites (clickjacking), and no referrer sent to other
    // origins.
    headers.push_back(Header{"X-Frame-Options", "DENY"});
    headers.push_back(Header{"Referrer-Policy", "same-origin"});
    if (!edge_.content_security_policy.empty()) {
      headers.push_back(Header{"Content-Security-Policy", edge_.content_security_policy});
    }
  }
  // HSTS only over HTTPS (browsers ignore it over plain HTTP, and sending it there would claim
  // what is not so). No includeSubDomains: other services on sibling hosts are not ours to bind.
  if (SeeClient(request, edge_.trusted_proxies, edge_.always_https).https) {
    headers.push_back(Header{"Strict-Transport-Security", "max-age=31536000"});
  }
  if (api) headers.push_back(Header{"Cache-Control", "no-store"});
  for (auto& h : reply.headers) headers.push_back(std::move(h));
  co_await writer.Send(reply.status, std::move(headers), std::move(reply.body));
}

}  // namespace turnpike::control
