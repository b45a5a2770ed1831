// `turnpike serve`: builds the object graph, listens, and shuts down gracefully.
#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include <algorithm>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <thread>

#include "app/commands.h"
#include "app/owners.h"
#include "app/settlement_spool.h"
#include "common/clock.h"
#include "common/crypto.h"
#include "common/error_table.h"
#include "control/control_plane.h"
#include "gateway/gateway.h"
#include "net/event_loops.h"
#include "net/http_server.h"
#include "payments/payments.h"
#include "store/log_sweeper.h"

namespace turnpike::app {
namespace asio = boost::asio;

namespace {

// The safety net: a reload however quiet the catalog version stays.
constexpr auto kCatalogRefresh = std::chrono::seconds(15);
// How often the refresher looks whether the catalog changed (its version, one row) or a scheduled
// price change has come due: a change made by another process serves within this and a reload.
constexpr auto kPriceChangeCheck = std::chrono::milliseconds(250);

int Fail(const std::string& message) {
  std::cerr << "turnpike: " << message << "\n";
  return 1;
}

constexpr int64_t kControlMaxBodyBytes = 64 << 10;

// JWT_SECRET, else a secret generated once and kept (mode 0600) in the data directory.
Result<std::string> SessionSecret(const config::Config& config) {
  if (!config.jwt_secret.empty()) return config.jwt_secret;
  std::filesystem::path path = std::filesystem::path(config.data_dir) / "jwt_secret";
  std::error_code ec;
  std::filesystem::create_directories(config.data_dir, ec);
  if (std::ifstream in(path); in) {
    std::string secret;
    std::getline(in, secret);
    if (secret.size() >= 32) return secret;
  }
  std::string secret = crypto::RandomHex(32);
  // Created with mode 0600, so the secret is never readable by others, not even for a moment.
  ::unlink(path.c_str());  // a short or unreadable one is replaced
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return MakeError(ErrorCode::kInternal, "cannot write " + path.string());
  const std::string line = secret + "\n";
  const bool written = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size());
  ::close(fd);
  if (!written) return MakeError(ErrorCode::kInternal, "cannot write " + path.string());
  return secret;
}

// On an empty database: one admin user with credits and one API key, printed once.
Status Bootstrap(const config::Config& config, store::Store& store) {
  if (!config.bootstrap_admin) return OkStatus();
  auto users = store.CountUsers();
  if (!users.ok()) return users.error();
  if (*users > 0) return OkStatus();
  std::string password = crypto::RandomHex(12);
  auto hash = crypto::HashPassword(password);
  if (!hash.ok()) return hash.error();
  auto user = store.CreateUser(config.admin_email, *hash, true);
  if (!user.ok()) return user.error();
  auto credits = money::ParseUsd(config.admin_credits_usd).value_or(0);
  if (credits > 0) {
    if (auto s = store.Credit(*user, credits, "grant", "grant:bootstrap", "first admin"); !s.ok()) return s;
  }
  auto generated = crypto::GenerateApiKey();
  store::ApiKey key;
  key.user_id = *user;
  key.name = "default";
  key.prefix = generated.prefix;
  key.hash_hex = generated.hash_hex;
  key.created_at = UnixSeconds();
  if (auto id = store.CreateKey(key); !id.ok()) return id.error();
  std::cout << "turnpike: created the first admin user and API key (shown only now)\n"
            << "admin email: " << config.admin_email << "\n"
            << "admin password: " << password << "\n"
            << "api key: " << generated.key << "\n"
            << "credits: $" << money::FormatUsd(credits) << "\n";
  return OkStatus();
}

// Every connection is a file descriptor, and the soft limit is often 1024: it is raised to the
// hard limit, which only the administrator can raise (ulimit -Hn; LimitNOFILE= under systemd).
// Returns the limit in force.
int64_t RaiseFileLimit() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return -1;
  const rlim_t before = limit.rlim_cur;
  if (limit.rlim_cur < limit.rlim_max) {
    rlimit raised = limit;
    // Linux refuses an unlimited descriptor count (fs.nr_open bounds it, 2^20 by default).
    raised.rlim_cur = limit.rlim_max == RLIM_INFINITY ? rlim_t{1} << 20 : limit.rlim_max;
    if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) {
      limit = raised;
    } else {
      spdlog::warn("could not raise the file-descriptor limit from {} to {}", before, raised.rlim_cur);
    }
  }
  if (limit.rlim_cur != before) {
    spdlog::info("file-descriptor limit raised from {} to {}", before, limit.rlim_cur);
  } else {
    spdlog::info("file-descriptor limit: {}", limit.rlim_cur);
  }
  return static_cast<int64_t>(limit.rlim_cur);
}

// Who may read /metrics, and where (config [metrics]).
struct MetricsAccess {
  std::string token;       // "" = anyone who reaches the listener
  bool elsewhere = false;  // served by a listener of its own, not the gateway's
};

bool MetricsAuthorized(const net::HttpRequest& request, const std::string& token) {
  if (token.empty()) return true;
  std::string_view authorization = FindHeader(request.headers, "authorization");
  if (authorization.size() <= 7 || ::strncasecmp(authorization.data(), "bearer ", 7) != 0) return false;
  return crypto::ConstantTimeEquals(authorization.substr(7), token);
}

asio::awaitable<void> AnswerError(net::ResponseWriter& writer, const net::HttpRequest& request, int status,
                                  const std::string& message) {
  Headers headers{{"Content-Type", "application/json"}, {"x-request-id", request.id}};
  if (status == 401) headers.push_back(Header{"WWW-Authenticate", "Bearer"});
  co_await writer.Send(status, std::move(headers), ErrorBodyForStatus(status, message));
}

// /metrics checks in front of the gateway. `metrics_listener`: the request came to the metrics
// listener, which serves /metrics alone.
asio::awaitable<void> ServeGatewayOrMetrics(gateway::Gateway& gateway, const MetricsAccess& access,
                                            bool metrics_listener, int worker, const net::HttpRequest& request,
                                            net::ResponseWriter& writer) {
  const bool metrics = request.path == "/metrics";
  if (metrics_listener ? !metrics : metrics && access.elsewhere) {
    const std::string message = "No route for " + request.method + " " + request.path;
    co_await AnswerError(writer, request, 404, message);
    co_return;
  }
  if (metrics && !MetricsAuthorized(request, access.token)) {
    const std::string message = "/metrics needs the header Authorization: Bearer <metrics.token>";
    co_await AnswerError(writer, request, 401, message);
    co_return;
  }
  co_await gateway.Handle(worker, request, writer);
}

// The gateway origin(s) the dashboard's playground calls, for its Content-Security-Policy: the
// public gateway URL's origin, else any host on the gateway's port (the dashboard uses the page's
// host name there, which the server cannot know in advance).
std::vector<std::string> GatewaySources(const config::Config& config, int gateway_port) {
  if (!config.public_gateway_url.empty()) {
    std::string url = config.public_gateway_url;
    const size_t scheme = url.find("://");
    const size_t path = scheme == std::string::npos ? std::string::npos : url.find('/', scheme + 3);
    if (path != std::string::npos) url.resize(path);
    return {url};
  }
  const int port = gateway_port != 0 ? gateway_port : config.gateway_port;
  if (port == 0) return {};
  return {"http://*:" + std::to_string(port), "https://*:" + std::to_string(port)};
}

// Where a browser on this machine finds a listener; says when it is open to every interface.
std::string Url(const std::string& host, int port) {
  const bool everywhere = host == "0.0.0.0" || host == "::";
  std::string h = everywhere ? "127.0.0.1" : host;
  if (h.find(':') != std::string::npos) h = "[" + h + "]";
  std::string url = "http://" + h + ":" + std::to_string(port);
  if (everywhere) url += " (bound to " + host + ": every interface, reachable from other hosts)";
  return url;
}

// Reloads the catalog from the store when its version moved (store::CatalogStore::CatalogVersion,
// read every kPriceChangeCheck), so that `turnpike catalog import` and admin changes made through
// another process (the control plane of a scaled-out deployment) reach every running server
// within a second; as soon as a scheduled price change that the current snapshot knows of comes
// due; and every kCatalogRefresh whatever the version says. The control plane of this process
// reloads at once after its own changes. Runs on a thread of its own: a catalog read never holds
// up an event loop.
class CatalogRefresher {
 public:
  // `tick` (may be empty) runs on the refresher's thread at every check, about four times a second.
  CatalogRefresher(store::CatalogStore& store, state::ModelRouter& router, std::function<void()> tick)
      : store_(store), router_(router), tick_(std::move(tick)), thread_([this] { Run(); }) {}
  ~CatalogRefresher() { Stop(); }

  void Stop() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_one();
    if (thread_.joinable()) thread_.join();
  }

 private:
  void Run() {
    auto loaded = std::chrono::steady_clock::now();
    // The version the snapshot was loaded at; unknown at first (the snapshot was loaded before this
    // thread began), so the first check reloads once.
    std::optional<int64_t> loaded_version;
    std::unique_lock lock(mutex_);
    while (!wake_.wait_for(lock, kPriceChangeCheck, [this] { return stopping_; })) {
      if (tick_) tick_();
      auto snapshot = router_.snapshot();
      std::optional<int64_t> due = snapshot ? snapshot->catalog().next_price_change : std::nullopt;
      // Read before the catalog: a change committed in between moves it again, and the next check
      // reloads. An unreadable version (the database away) waits for the periodic reload.
      Result<int64_t> version = store_.CatalogVersion();
      const bool changed = version.ok() && std::optional<int64_t>(*version) != loaded_version;
      if (!changed && std::chrono::steady_clock::now() - loaded < kCatalogRefresh && !(due && *due <= UnixSeconds())) {
        continue;
      }
      lock.unlock();
      // A failed read keeps the snapshot (Reload logs it); the next tick tries again.
      if (router_.Reload([this] { return store_.LoadCatalog(); }).ok() && version.ok()) loaded_version = *version;
      loaded = std::chrono::steady_clock::now();
      lock.lock();
    }
  }

  store::CatalogStore& store_;
  state::ModelRouter& router_;
  std::function<void()> tick_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;  // last: starts after the members it uses
};

// TURNPIKE_TEST_STORE_DELAY_MS: a test-only delay added to every store call the gateway makes,
// on the store threads (tests/integration/slow-store.test.mjs). Unset in production.
std::chrono::milliseconds TestStoreDelay() {
  const char* v = std::getenv("TURNPIKE_TEST_STORE_DELAY_MS");
  return std::chrono::milliseconds(v ? std::max(0L, std::strtol(v, nullptr, 10)) : 0L);
}

// TURNPIKE_TEST_CHARGE_RETRY_MS: a test-only shorter wait for a charge the database does not take
// before it is kept for later (tests/integration/pg-outage.test.mjs); 10 s when unset.
std::chrono::milliseconds ChargeRetryFor() {
  const char* v = std::getenv("TURNPIKE_TEST_CHARGE_RETRY_MS");
  return std::chrono::milliseconds(v ? std::max(0L, std::strtol(v, nullptr, 10)) : 10'000L);
}

std::vector<std::unique_ptr<net::UpstreamClient>> MakeUpstreams(net::EventLoops& loops, const config::Config& config) {
  std::vector<std::unique_ptr<net::UpstreamClient>> upstreams;
  for (int i = 0; i < loops.size(); ++i)
    upstreams.push_back(std::make_unique<net::UpstreamClient>(loops.at(i), config.upstream));
  return upstreams;
}

// What only the gateway listener uses; built only by a process that serves it (--role all or
// gateway).
struct GatewayParts {
  GatewayParts(const config::Config& config, store::Store& store, state::ModelRouter& router, net::EventLoops& loops,
               const std::string& hold_owner)
      : upstreams(MakeUpstreams(loops, config)),
        keys(store, std::chrono::milliseconds(config.key_cache_ttl_ms)),
        writes(store, {static_cast<size_t>(config.request_log_batch), TestStoreDelay(),
                       std::chrono::milliseconds(config.fsync_interval_ms), ApplyJournal(store)}),
        gateway(config,
                gateway::GatewayStores{store, store, store, store, store, writes, hold_owner, TestStoreDelay(),
                                       ChargeRetryFor()},
                keys, router, upstreams) {}

  // The committer's housekeeping: journaled settlements into the ledger and the request log.
  // 32 settlements a transaction: a request's own commit waits for one of them at most.
  static std::function<bool()> ApplyJournal(store::SettlementJournal& journal) {
    return [&journal] {
      constexpr int kChunk = 32;
      auto applied = journal.ApplyJournal(kChunk);
      if (!applied.ok()) spdlog::error("applying the settlement journal: {}", applied.error().message);
      return applied.ok() && *applied == kChunk;
    };
  }

  std::vector<std::unique_ptr<net::UpstreamClient>> upstreams;  // one per event loop
  state::KeyCache keys;
  store::GroupCommitter writes;  // the gateway's leases and settlements, and the journal's apply
  gateway::Gateway gateway;
};

// Keeps this process's owner claim and, with a registry whose grace is not zero, sweeps the holds
// and leases of gone owners (app/owners.h). Runs on the catalog refresher's thread.
class OwnerTicker {
 public:
  OwnerTicker(store::OwnerRegistry& owners, OwnerReaper& reaper, gateway::Gateway* gateway)
      : owners_(owners), reaper_(reaper), gateway_(gateway) {}

  void Tick(std::chrono::steady_clock::time_point now) {
    switch (owners_.Keep()) {
      case store::OwnerRegistry::Claimed::kHeld:
        break;
      case store::OwnerRegistry::Claimed::kRetaken:
        // Another process may have read this one as gone and released its leases meanwhile:
        // every lease is asked of the database again before it is used.
        spdlog::warn("the owner lock in the database was lost and is taken again; every lease is re-checked");
        lost_logged_ = false;
        if (gateway_) gateway_->InvalidateLeases();
        break;
      case store::OwnerRegistry::Claimed::kLost:
        if (lost_logged_) break;
        spdlog::error("the owner lock in the database is lost (connection down); retrying");
        lost_logged_ = true;
        if (gateway_) gateway_->InvalidateLeases();
        break;
    }
    if (owners_.grace().count() == 0 || now < next_sweep_) return;
    next_sweep_ = now + kSweepEvery;
    if (int released = reaper_.Sweep(now); released > 0) {
      spdlog::warn("released {} holds and leases of a process that stopped without settling them", released);
    }
  }

 private:
  static constexpr auto kSweepEvery = std::chrono::milliseconds(500);
  store::OwnerRegistry& owners_;
  OwnerReaper& reaper_;
  gateway::Gateway* gateway_;
  bool lost_logged_ = false;
  std::chrono::steady_clock::time_point next_sweep_{};
};

}  // namespace

int Serve(const config::Config& config, const std::string& role) {
  if (role != "all" && role != "gateway" && role != "control") return Fail("--role must be all, gateway or control");
  const bool run_gateway = role != "control";
  const bool run_control = role != "gateway";

  const int64_t file_limit = RaiseFileLimit();
  const int64_t wanted =
      (run_gateway ? config.max_connections : 0) + (run_control ? config.control_max_connections : 0);
  // Upstream connections, the database and files need descriptors too.
  constexpr int64_t kReserve = 1024;
  if (file_limit > 0 && wanted + kReserve > file_limit) {
    spdlog::warn(
        "the connection limits ({} in all) and a reserve of {} exceed the file-descriptor limit {}: "
        "accepts may fail for want of descriptors before a limit is reached (accepting then pauses); "
        "raise the hard limit (LimitNOFILE=) or lower server.max_connections",
        wanted, kReserve, file_limit);
  }

  auto ready = store::OpenReadyStore(config.database_url);
  if (!ready.ok()) return Fail(ready.error().message);
  std::unique_ptr<store::Store> store = std::move(ready->store);
  // Holds and leases left by a process that is gone are released: its requests never finished.
  // With lock files at once; with PostgreSQL once the owner has read as gone for the registry's
  // grace, by the periodic sweep below (store/owners.h).
  auto owners = OpenOwnerRegistry(
      config.database_url,
      store::HoldOwnersDir(config.database_url, (std::filesystem::path(config.data_dir) / "holds").string()));
  if (!owners.ok()) return Fail(owners.error().message);
  std::string owner_id;
  if (run_gateway) {
    auto claimed = (*owners)->Claim();
    if (!claimed.ok())
      return Fail(std::string(store::IsPostgresUrl(config.database_url) ? "" : "data_dir: ") + claimed.error().message);
    owner_id = *claimed;
  }
  OwnerReaper reaper(*store, *store, **owners);
  {
    int released = reaper.Sweep(std::chrono::steady_clock::now());
    // Holds no owner claims (taken before owners existed).
    if (auto n = store->ReleaseStaleHolds(UnixSeconds() - config.stale_hold_seconds); n.ok()) released += *n;
    if (released > 0) spdlog::warn("released {} holds left by a process that stopped without settling them", released);
  }
  // Settlements a server stopped with, the database being away then (app/settlement_spool.h).
  if (auto unspooled = UnspoolSettlements(config.data_dir, *store); !unspooled.ok()) {
    spdlog::error("writing the settlements kept by a stopped server: {} (tried again at the next start)",
                  unspooled.error().message);
  } else if (*unspooled > 0) {
    if (auto applied = store->ApplyJournal(); !applied.ok()) {
      spdlog::warn("applying the settlement journal: {}", applied.error().message);
    }
  }
  auto secret = SessionSecret(config);
  if (!secret.ok()) return Fail(secret.error().message);
  if (auto s = Bootstrap(config, *store); !s.ok()) return Fail("creating the first admin failed: " + s.error().message);

  // The request log's bounds (docs/architecture.md, "Request-log retention"): the text waiting in
  // memory, and the rows kept, deleted by a sweeper thread of their own.
  store->text_budget().set_max_bytes(config.log_queue_max_bytes);
  store::LogSweeper log_sweeper(*store, {.retention_days = config.log_retention_days,
                                         .max_bytes = config.log_max_bytes,
                                         .interval = std::chrono::milliseconds(config.log_sweep_interval_ms)});

  net::EventLoops loops(config.threads);
  state::ModelRouter router(config::ProcessEnv());
  auto catalog = store->LoadCatalog();
  if (!catalog.ok()) return Fail("reading the catalog failed: " + catalog.error().message);
  router.Load(std::move(*catalog));
  std::unique_ptr<GatewayParts> gateway_parts;
  if (run_gateway) gateway_parts = std::make_unique<GatewayParts>(config, *store, router, loops, owner_id);
  auto payments = payments::MakePaymentProvider(config, *store, config::ProcessEnv());
  if (!payments.ok()) return Fail(payments.error().message);

  net::ServerOptions options;
  options.max_body_bytes = config.max_body_bytes;
  options.max_header_bytes = config.max_header_bytes;
  options.read_timeout_ms = config.read_timeout_ms;
  options.keepalive_timeout_ms = config.keepalive_timeout_ms;
  options.header_timeout_ms = config.header_timeout_ms;
  options.error_body = gateway::Gateway::HttpErrorBody;
  MetricsAccess metrics_access{config.metrics_token, config.metrics_port >= 0};

  std::vector<std::unique_ptr<net::HttpServer>> servers;
  std::string gateway_url;
  int gateway_port = 0;
  std::unique_ptr<control::ControlPlane> control;
  if (run_gateway) {
    net::ServerOptions gateway_options = options;
    gateway_options.max_connections = config.max_connections;
    gateway_options.name = "gateway";
    auto server = std::make_unique<net::HttpServer>(
        loops, gateway_options,
        [&gateway = gateway_parts->gateway, &metrics_access](int w, const net::HttpRequest& r,
                                                             net::ResponseWriter& wr) {
          // Only /metrics goes through the check (a coroutine frame more); every other request
          // goes straight to the gateway.
          return r.path == "/metrics" ? ServeGatewayOrMetrics(gateway, metrics_access, false, w, r, wr)
                                      : gateway.Handle(w, r, wr);
        });
    auto port = server->Listen(config.host, config.gateway_port);
    if (!port.ok()) return Fail("server.gateway_port: " + port.error().message);
    gateway_url = Url(config.host, *port);
    gateway_port = *port;
    std::cout << "turnpike gateway listening on " << gateway_url << std::endl;
    gateway_parts->gateway.AddListenerGauges("gateway", server.get());
    servers.push_back(std::move(server));
    if (metrics_access.elsewhere) {
      net::ServerOptions metrics_options = options;
      metrics_options.max_connections = 64;  // a scraper or two
      metrics_options.max_body_bytes = 1024;
      metrics_options.name = "metrics";
      auto metrics =
          std::make_unique<net::HttpServer>(loops, metrics_options,
                                            [&gateway = gateway_parts->gateway, &metrics_access](
                                                int w, const net::HttpRequest& r, net::ResponseWriter& wr) {
                                              return ServeGatewayOrMetrics(gateway, metrics_access, true, w, r, wr);
                                            });
      const std::string& metrics_host = config.metrics_host.empty() ? config.host : config.metrics_host;
      auto metrics_port = metrics->Listen(metrics_host, config.metrics_port);
      if (!metrics_port.ok()) return Fail("metrics.port: " + metrics_port.error().message);
      std::cout << "turnpike metrics listening on " << Url(metrics_host, *metrics_port) << "/metrics" << std::endl;
      gateway_parts->gateway.AddListenerGauges("metrics", metrics.get());
      servers.push_back(std::move(metrics));
    }
  }
  if (run_control) {
    state::KeyCache* key_cache = gateway_parts ? &gateway_parts->keys : nullptr;
    auto api = std::make_unique<control::Api>(config, control::ApiStores::Of(*store), key_cache, router,
                                              payments->get(), *secret);
    if (gateway_parts) api->set_provider_health(&gateway_parts->gateway.health());
    api->set_gateway_port(gateway_port);
    auto dashboard = control::StaticFiles::Load(config.dashboard_dir);
    const std::string dashboard_problem = dashboard.ok() ? "" : dashboard.error().message;
    control::EdgeHeaders edge;
    if (auto trusted = config::Networks::Parse(config.trusted_proxies); trusted.ok()) edge.trusted_proxies = *trusted;
    edge.always_https = config.cookie_secure;
    if (dashboard.ok()) {
      edge.content_security_policy =
          control::DashboardContentSecurityPolicy(*dashboard, GatewaySources(config, gateway_port));
    }
    control = std::make_unique<control::ControlPlane>(*store, std::move(api), gateway_url,
                                                      dashboard.ok() ? std::move(*dashboard) : control::StaticFiles(),
                                                      std::move(edge));
    // The control API takes small JSON bodies (the largest, a catalog entry or a Stripe event, a
    // few KiB): 64 KiB is plenty, and a client cannot make it buffer the gateway's 10 MiB.
    net::ServerOptions control_options = options;
    control_options.max_connections = config.control_max_connections;
    control_options.name = "control";
    control_options.max_body_bytes = std::min<int64_t>(options.max_body_bytes, kControlMaxBodyBytes);
    auto server = std::make_unique<net::HttpServer>(
        loops, control_options,
        [&control](int w, const net::HttpRequest& r, net::ResponseWriter& wr) { return control->Handle(w, r, wr); });
    auto port = server->Listen(config.host, config.control_port);
    if (!port.ok()) return Fail("server.control_port: " + port.error().message);
    std::cout << "turnpike control listening on " << Url(config.host, *port) << std::endl;
    if (gateway_parts) gateway_parts->gateway.AddListenerGauges("control", server.get());
    if (dashboard_problem.empty()) {
      std::cout << "turnpike dashboard: open " << Url(config.host, *port) << "/ in a browser" << std::endl;
    } else {
      std::cout << "turnpike dashboard: not served (" << dashboard_problem << ")" << std::endl;
    }
    servers.push_back(std::move(server));
  }

  // The leases of keys gone idle go back to the database, for other processes to use; key uses
  // noted in memory are written. The owner claim is kept, and (when a running process can lose
  // its claim for a moment: PostgreSQL) the owners that are gone are looked for twice a second.
  OwnerTicker owner_ticker(**owners, reaper, gateway_parts ? &gateway_parts->gateway : nullptr);
  std::function<void()> tick = [&owner_ticker, gateway = gateway_parts ? &gateway_parts->gateway : nullptr] {
    owner_ticker.Tick(std::chrono::steady_clock::now());
    if (gateway) {
      gateway->ReturnIdleLeases();
      gateway->FlushKeyUses();
      gateway->WriteBacklog();
    }
  };
  CatalogRefresher refresh(*store, router, std::move(tick));

  // SIGTERM/SIGINT: stop accepting, let in-flight requests finish (at most the grace period),
  // then stop the loops. A second signal stops at once.
  asio::signal_set signals(loops.at(0), SIGINT, SIGTERM);
  asio::steady_timer drain(loops.at(0));
  auto deadline = std::make_shared<std::chrono::steady_clock::time_point>();
  std::function<void()> poll = [&] {
    int64_t active = 0;
    for (auto& s : servers) active += s->active_requests();
    if (active == 0 || std::chrono::steady_clock::now() >= *deadline) {
      if (active > 0) spdlog::warn("shutdown: {} requests still running after the grace period", active);
      loops.Stop();
      return;
    }
    drain.expires_after(std::chrono::milliseconds(20));
    drain.async_wait([&](boost::system::error_code ec) {
      if (!ec) poll();
    });
  };
  signals.async_wait([&](boost::system::error_code ec, int signo) {
    if (ec) return;
    spdlog::info("signal {}: shutting down, waiting for in-flight requests", signo);
    *deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(config.shutdown_grace_ms);
    for (auto& s : servers) s->BeginShutdown();
    refresh.Stop();
    signals.async_wait([&](boost::system::error_code ec2, int) {
      if (!ec2) loops.Stop();
    });
    poll();
  });

  std::cout << "turnpike ready" << std::endl;
  loops.Run();
  // API requests still on the control plane's worker pool finish first; their completions are
  // then run by Drain() while every connection still exists.
  if (control) control->Stop();
  servers.clear();
  loops.Drain();
  if (gateway_parts) {
    refresh.Stop();
    gateway_parts->gateway.FlushKeyUses();
    gateway_parts->gateway.WriteBacklog();
    gateway_parts->writes.Stop();  // what was queued is written
    // The committer stopped: each call now runs at once, a chunk at a time, while the database
    // takes them.
    for (size_t left = gateway_parts->gateway.backlog_size(), before = left + 1; left > 0 && left < before;
         before = left, left = gateway_parts->gateway.backlog_size()) {
      gateway_parts->gateway.WriteBacklog();
    }
    if (size_t unwritten = gateway_parts->gateway.backlog_size(); unwritten > 0) {
      auto spooled = SpoolSettlements(config.data_dir, owner_id, gateway_parts->gateway.TakeBacklog());
      if (spooled.ok()) {
        spdlog::error(
            "shutdown: {} settlements (charges, log rows) could not be written, the database being "
            "away: kept in {}, written when a server next starts on this data directory",
            unwritten, *spooled);
      } else {
        spdlog::error(
            "shutdown: {} settlements (charges, log rows) could not be written, the database being "
            "away, nor kept in a file: {}",
            unwritten, spooled.error().message);
      }
    }
    // Every request has been charged (the journal applied first, so that no charge is left
    // behind the lease it came from): the credit this process set aside is free again.
    if (auto applied = store->ApplyJournal(); !applied.ok()) {
      spdlog::warn("applying the settlement journal at shutdown: {}", applied.error().message);
    } else if (auto released = store->ReleaseHoldsOf(owner_id); !released.ok()) {
      spdlog::warn("returning this process's leases: {}", released.error().message);
    }
  }
  std::cout << "turnpike stopped" << std::endl;
  return 0;
}

}  // namespace turnpike::app
