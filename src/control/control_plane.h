// The control listener (port 3000): /health, /ready, the OpenAPI document at /api/openapi.json,
// the REST API under /api/ (api.h), and the built dashboard at / (static_files.h) — or, when it
// is not built, a plain landing page.
//
// API requests block on the store and on password hashing, so they run on a small worker
// pool; the event loops (shared with the gateway) never wait for them.
#pragma once

#include <boost/asio/thread_pool.hpp>
#include <memory>
#include <string>

#include "config/networks.h"
#include "control/api.h"
#include "control/static_files.h"
#include "net/http.h"
#include "store/health_check.h"

namespace turnpike::control {

// The OpenAPI 3.1 document (src/control/openapi.json), embedded at build time.
extern const std::string_view kOpenApiJson;

// The security headers of the control listener's answers.
struct EdgeHeaders {
  config::Networks trusted_proxies;  // whose X-Forwarded-Proto is believed (forwarded.h)
  bool always_https = false;         // auth.cookie_secure: the dashboard is only reached over HTTPS
  // On the dashboard's pages and files (not the API's JSON); "" = none. See
  // DashboardContentSecurityPolicy (static_files.h).
  std::string content_security_policy;
};

class ControlPlane {
 public:
  // `database` answers /ready; `api` answers /api/ requests; `gateway_url` is shown on the
  // landing page ("" when this process runs no gateway); `dashboard` is served at / (empty: the
  // landing page instead).
  ControlPlane(store::HealthCheck& database, std::unique_ptr<Api> api, std::string gateway_url,
               StaticFiles dashboard = StaticFiles(), EdgeHeaders edge = EdgeHeaders());
  ~ControlPlane();

  boost::asio::awaitable<void> Handle(int worker, const net::HttpRequest& request, net::ResponseWriter& writer);

  // Waits for the API requests running on the worker pool to finish and stops it. Call after
  // the event loops have stopped and before they are drained (the completions go there).
  void Stop();

 private:
  store::HealthCheck& database_;
  std::unique_ptr<Api> api_;
  std::string gateway_url_;
  StaticFiles dashboard_;
  EdgeHeaders edge_;
  boost::asio::thread_pool pool_;
};

}  // namespace turnpike::control
