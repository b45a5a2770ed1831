#include "control/control_plane.h"

#include "gateway/error_reply.h"

namespace turnpike::control {

boost::asio::awaitable<void> ControlPlane::Handle(int, const net::HttpRequest& request, net::ResponseWriter& writer) {
  const net::Headers json = {{"Content-Type", "application/json"}, {"x-request-id", request.id}};
  if (request.path == "/health") {
    co_await writer.Send(200, json, R"({"status":"ok"})");
  } else if (request.path == "/ready") {
    bool ok = store_.Ping();
    std::string body = ok ? R"({"status":"ready"})" : R"({"status":"database unreachable"})";
    co_await writer.Send(ok ? 200 : 503, json, std::move(body));
  } else if (request.path == "/" && request.method == "GET") {
    net::Headers html{{"Content-Type", "text/html; charset=utf-8"}, {"x-request-id", request.id}};
    co_await writer.Send(200, std::move(html),
                         "<!doctype html><title>Turnpike</title><h1>Turnpike</h1>"
                         "<p>The gateway (OpenAI-compatible API) is at <code>" + gateway_url_ +
                             "/api/v1</code>.</p><p>The dashboard is not part of this release yet; use the "
                             "<code>turnpike</code> command line to manage users, keys and the catalog.</p>");
  } else {
    co_await writer.Send(404, json,
                         gateway::ErrorBody(MakeError(ErrorCode::kNotFound, "No route for " + request.method + " " +
                                                                                request.path)));
  }
}

}  // namespace turnpike::control
