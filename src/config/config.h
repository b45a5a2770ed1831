// One immutable, validated configuration. Sources, later ones winning: built-in defaults,
// the TOML file (turnpike.toml, every key documented there), then environment variables.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"

namespace turnpike::config {

struct UpstreamOptions {
  int64_t connect_timeout_ms = 5'000;       // TCP + TLS handshake
  int64_t first_byte_timeout_ms = 600'000;  // request sent → response head (a non-streaming answer arrives whole)
  int64_t idle_timeout_ms = 60'000;         // longest silence inside a streaming body
  int64_t max_response_bytes = 64 << 20;    // a non-streaming body larger than this fails (502)
  int64_t max_event_bytes = 4 << 20;        // one SSE event larger than this fails the stream
  int64_t max_connections_per_host = 256;
  // Which HTTP client carries upstream requests: "native" (Asio/Beast, HTTP/1.1 keep-alive),
  // "curl" (libcurl: HTTP/2, outbound proxies) or "auto": native unless an outbound proxy from the
  // environment (https_proxy, http_proxy, ALL_PROXY, minus NO_PROXY) applies to the host.
  std::string client = "auto";
  // How long an endpoint failing again and again (5 in a row, or 75% of 20+ calls) is kept behind
  // the others before one request probes it; doubled after each failed probe, up to 10× this.
  int64_t breaker_cooldown_ms = 30'000;
  // Whether the control plane's admin API may set a provider's base_url to a loopback, private or
  // link-local address (a local model server). Base URLs from the environment or a catalog file
  // are the operator's and always allowed.
  bool allow_private_base_urls = false;
  // A PEM file of CAs trusted for upstream TLS (native: besides the system's; curl: instead of
  // them). Not read from the file or the environment: tests set it.
  std::string extra_ca_file;
};

struct Config {
  // [server]
  std::string host = "127.0.0.1";  // loopback unless configured: other hosts reach nothing by accident
  int gateway_port = 4000;         // 0 = any free port (printed at start-up)
  int control_port = 3000;
  int threads = 0;                      // event-loop threads; 0 = one per core
  int64_t max_body_bytes = 10 << 20;    // larger request bodies get 413
  int64_t max_header_bytes = 16 << 10;  // larger request heads get 431
  int64_t read_timeout_ms = 30'000;     // to read one whole request
  int64_t keepalive_timeout_ms = 75'000;
  // A new connection must send its first request head, and any request head must arrive once its
  // first byte did, within this long (slow or silent clients are closed; a started head gets 408).
  int64_t header_timeout_ms = 10'000;
  int64_t shutdown_grace_ms = 30'000;  // in-flight requests get this long after SIGTERM
  // Open connections per listener. At the limit a new connection takes the place of the one idle
  // the longest (closed: it was waiting for a request); when none is idle it is answered 503 with
  // Retry-After, and past that (a few hundred refusals at once) closed at accept
  // (docs/architecture.md, "Connection limits").
  int64_t max_connections = 10'000;         // the gateway listener
  int64_t control_max_connections = 1'000;  // the control listener
  // Addresses (or CIDR ranges) of reverse proxies in front of Turnpike. From these only,
  // X-Forwarded-For gives the client's address (login limits) and X-Forwarded-Proto / Forwarded
  // "proto=https" says the dashboard is reached over HTTPS (Secure cookie, HSTS).
  std::vector<std::string> trusted_proxies;

  // [metrics]
  // GET /metrics: on the gateway listener when metrics_port is -1, else only on a listener of
  // its own at metrics_host:metrics_port (metrics_host "" = server.host).
  std::string metrics_host;
  int metrics_port = -1;
  std::string metrics_token;  // when set, /metrics needs "Authorization: Bearer <token>"

  // [database]
  std::string database_url = "sqlite://./data/turnpike.db";
  std::string data_dir = "./data";
  // The power-loss window: a commit is flushed to disk (fsync) at most this long after it is
  // made. 0 = every commit is flushed before it returns. A killed process loses nothing either
  // way (a commit is in the operating system's hands once it returns); this bounds only what a
  // power cut or a kernel crash can take back (docs/architecture.md §4.9).
  int64_t fsync_interval_ms = 100;

  // [auth]
  std::string jwt_secret;                    // "" = generated once and kept in data_dir/jwt_secret
  int64_t key_cache_ttl_ms = 500;            // a cached key is re-read from the store after this long
  bool cookie_secure = false;                // mark the session cookie Secure (serve the dashboard over HTTPS)
  std::vector<std::string> allowed_origins;  // extra origins (scheme://host[:port]) allowed to mutate
  bool allow_signup = true;                  // POST /api/auth/signup open to anyone
  int64_t login_per_ip_per_minute = 20;      // login + sign-up attempts per client IP
  int64_t login_per_email_per_minute = 5;    // login + sign-up attempts per (email address, client IP)
  // Login + sign-up attempts per email address from every client IP the account has not signed in
  // from in the last 30 days, together: someone guessing from many addresses is held to this;
  // the owner, from an address they used before, is not.
  int64_t login_per_email_any_address_per_minute = 10;

  // [dashboard]
  std::string dashboard_dir =
      "./web/dist";  // the built dashboard the control listener serves at /; missing = a plain landing page
  std::string public_gateway_url;  // the gateway's URL as browsers reach it; "" = the page's host on gateway_port

  // [payments]
  // "none" (checkout off) | "sandbox" (credited at once: development; `make run` turns it on) |
  // "stripe". Off by default so that no production server hands out free credit.
  std::string payments_provider = "none";
  std::string payments_min_usd = "1";      // smallest checkout, whole cents
  std::string payments_max_usd = "10000";  // largest checkout, whole cents
  // Where the browser lands after paying / giving up; "" = derived per checkout from the page
  // that started it (its Origin, else http://<Host>): <origin>/credits?checkout=success&session_id=…
  std::string payments_success_url;
  std::string payments_cancel_url;
  // Stripe: the secrets come from the environment variables named here, never from the file.
  std::string stripe_secret_key_env = "STRIPE_SECRET_KEY";          // sk_live_… / sk_test_… / rk_…
  std::string stripe_webhook_secret_env = "STRIPE_WEBHOOK_SECRET";  // whsec_… (the endpoint's signing secret)
  std::string stripe_api_base = "https://api.stripe.com";           // tests point it at a fake
  int64_t stripe_webhook_tolerance_seconds = 300;                   // a webhook signed longer ago (or ahead) is refused

  // [billing]
  bool billing_enabled = true;         // false: no holds and no charges (costs are still logged)
  int64_t stale_hold_seconds = 3'600;  // holds older than this are released at start-up
  int64_t lease_ttl_ms = 500;          // how long a lease serves holds before the database is asked again

  // [bootstrap]
  bool bootstrap_admin = true;  // on an empty database, create an admin user and one key
  std::string admin_email = "admin@turnpike.local";
  std::string admin_credits_usd = "10";

  // [log]
  std::string log_level = "info";      // trace | debug | info | warn | error | off
  bool log_requests = true;            // false: no request-log rows (no /generation, logs, activity)
  int request_log_batch = 256;         // store calls per group commit
  int64_t request_log_flush_ms = 100;  // accepted, no longer used
  // Retention (docs/architecture.md, "Request-log retention"): rows older than this many days are
  // deleted, and the oldest while the log's size (its rows' text in bytes plus 256 a row) is above
  // max_bytes; 0 turns either off. The activity charts keep the history of deleted rows.
  int64_t log_retention_days = 30;
  int64_t log_max_bytes = int64_t{1} << 30;
  int64_t log_sweep_interval_ms = 60'000;  // how often the sweeper looks
  // Prompt and completion text kept per row (keys with log_prompts), each; a failed request that
  // cost nothing keeps at most 1 KiB of its prompt.
  int64_t log_max_text_bytes = 64 << 10;
  // Log text waiting in memory to be written, at most: past it new rows are kept without their
  // prompt and completion (the charge is never dropped), counted and logged.
  int64_t log_queue_max_bytes = 64 << 20;

  // [upstream]
  UpstreamOptions upstream;
};

// Reads an environment variable; nullopt when unset. Injected so tests control the env.
using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;
EnvLookup ProcessEnv();

// Loads `path` (empty = "turnpike.toml" if it exists, else defaults only), applies environment
// overrides and validates. Errors name the offending key and why, e.g.
// "server.gateway_port (TURNPIKE_GATEWAY_PORT): must be 0..65535, got 70000".
Result<Config> Load(const std::string& path, const EnvLookup& env);

// Whether a listener bound to `host` is reachable from this machine only: 127.0.0.0/8, ::1 or
// "localhost".
bool LoopbackOnly(const std::string& host);

// Validates an upstream base URL ("OPENAI_BASE_URL" etc.): http or https, a host, no query.
Status CheckBaseUrl(const std::string& name, const std::string& url);

}  // namespace turnpike::config
