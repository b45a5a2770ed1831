// The control plane's REST API under /api/ (docs/control-api.md): routing, the origin check,
// session authentication, and the route handlers (auth_routes.cc, key_routes.cc,
// credit_routes.cc, log_routes.cc, model_routes.cc, admin_routes.cc, catalog_admin_routes.cc).
//
// Handle() is synchronous: it blocks on the store and, for sign-in and sign-up, on argon2id.
// ControlPlane runs it on a worker pool, off the event loops. Thread-safe.
#pragma once

#include <boost/json/object.hpp>

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "config/config.h"
#include "control/forwarded.h"
#include "control/rate_limiter.h"
#include "control/reply.h"
#include "control/router.h"
#include "control/session.h"
#include "net/http.h"
#include "payments/payments.h"
#include "state/key_cache.h"
#include "state/model_router.h"
#include "state/provider_health.h"
#include "store/catalog.h"
#include "store/keys.h"
#include "store/ledger.h"
#include "store/request_log.h"
#include "store/sessions.h"
#include "store/store.h"
#include "store/topups.h"
#include "store/users.h"

namespace turnpike::control {

// The largest request body a control route reads (bodies are small JSON objects).
inline constexpr size_t kMaxApiBodyBytes = 64 << 10;
// The largest webhook body a payment provider may send (Stripe events are a few KB).
inline constexpr size_t kMaxWebhookBodyBytes = 1 << 20;

// Who is calling: the signed-in user (as the store has them now) and their session.
struct Principal {
  store::User user;
  SessionClaims session;
};

// One request as a handler sees it.
struct Call {
  const net::HttpRequest& http;
  PathParams params;
  std::optional<Principal> principal;  // set on routes that need a session
  int64_t now = 0;                     // unix seconds
  ClientView client;                   // the client's address and scheme, through trusted proxies
  std::string_view Param(std::string_view name) const { return FindParam(params, name); }
  const store::User& user() const { return principal->user; }
};

// The store interfaces the API works on: every one but Migrate and Ping.
struct ApiStores {
  store::UserStore& users;
  store::KeyStore& keys;
  store::CatalogStore& catalog;
  store::Ledger& ledger;
  store::RequestLogStore& request_log;
  store::SessionStore& sessions;
  store::TopupStore& topups;
  // Applied before a read, so the dashboard shows requests the gateway has just answered; null
  // when nothing journals here (tests).
  store::SettlementJournal* journal = nullptr;

  // Each of them from one Store.
  static ApiStores Of(store::Store& store) { return {store, store, store, store, store, store, store, &store}; }
};

class Api {
 public:
  // Every reference and pointer must outlive the Api. `key_cache` is the key cache of a gateway
  // in this process, or null when none runs here: a key changed through the API is dropped from
  // it at once (other processes see the change within their cache's TTL). `payments` may be
  // null (checkout off). `clock` drives the login rate limiters (tests inject one).
  //
  // A route whose store read fails answers 500 in the error shape of reply.h (the store's
  // message is logged, not sent), never 404 or an empty list.
  Api(const config::Config& config, const ApiStores& stores, state::KeyCache* key_cache, state::ModelRouter& models,
      payments::PaymentProvider* payments, std::string session_secret, RateLimiter::Clock clock = nullptr);

  // Answers one request whose path starts with /api/. Never throws for bad input.
  Reply Handle(const net::HttpRequest& request);

  // The gateway's live provider health, shown in /api/models; null (all zero) when this process
  // runs no gateway. Set before serving.
  void set_provider_health(const state::ProviderHealth* health) { health_ = health; }

  // The port this process's gateway listens on (0 = none here: the configured gateway_port is
  // shown), for GET /api/config. Set before serving.
  void set_gateway_port(int port) { gateway_port_ = port; }

 private:
  // kWebhook: server-to-server, authenticated by the payload's signature: no session and no
  // Origin check (a payment provider sends neither cookie nor Origin).
  enum class Access { kPublic, kOptionalUser, kUser, kAdmin, kWebhook };
  using Handler = Reply (Api::*)(const Call&);
  struct Route {
    const char* method;
    const char* pattern;
    Access access;
    Handler handler;
  };
  static const std::vector<Route>& Routes();

  // The session a request presents (Bearer token, else the tp_session cookie).
  Result<Principal> Authenticate(const net::HttpRequest& request, int64_t now);

  // auth_routes.cc
  Reply Signup(const Call& call);
  Reply Login(const Call& call);
  Reply Logout(const Call& call);
  Reply Me(const Call& call);
  Reply ChangePassword(const Call& call);
  Reply LogoutEverywhere(const Call& call);
  Reply DeleteAccount(const Call& call);
  Reply GetProviderPreferences(const Call& call);
  Reply PutProviderPreferences(const Call& call);
  Reply PutLowBalanceAlert(const Call& call);
  // Rate limits by client address, by (email, client address), and by email over every address
  // the account was not signed in from before; 429 with retry-after when refused.
  std::optional<Reply> Throttle(const Call& call, const std::string& email);
  // Starts a session: {user, token, expires_at} with the cookie (Secure over HTTPS).
  Reply SessionReply(int status, const store::User& user, const Call& call);

  // key_routes.cc
  Reply ListKeys(const Call& call);
  Reply CreateKey(const Call& call);
  Reply UpdateKey(const Call& call);
  Reply DeleteKey(const Call& call);
  Reply RotateKey(const Call& call);
  // The caller's key named by {id}; kNotFound for another user's key.
  Result<store::ApiKey> OwnKey(const Call& call);
  // Drops a changed key from this process's key cache, if there is one.
  void ForgetKey(const std::string& hash_hex);
  // {key} (or {key, secret} when `secret` is not empty) of the key as the store has it now.
  Reply KeyReply(int status, int64_t key_id, const std::string& secret);

  // credit_routes.cc
  Reply Credits(const Call& call);
  // Adds total_credited_micros and total_spent_micros of `user_id` to `body` (/api/me too).
  Status AddTotals(int64_t user_id, boost::json::object& body);
  Reply Transactions(const Call& call);
  Reply Checkout(const Call& call);
  Reply StripeWebhook(const Call& call);

  // log_routes.cc
  Reply Logs(const Call& call);
  Reply LogById(const Call& call);
  Reply Activity(const Call& call);

  // model_routes.cc
  Reply Models(const Call& call);
  // config_routes.cc
  Reply ServerConfig(const Call& call);

  // admin_routes.cc
  Reply AdminUsers(const Call& call);
  Reply AdminUser(const Call& call);
  Reply AdminUpdateUser(const Call& call);
  Reply AdminCredits(const Call& call);

  // catalog_admin_routes.cc
  Reply AdminCatalog(const Call& call);
  Reply AdminCreateCompany(const Call& call);
  Reply AdminUpdateCompany(const Call& call);
  Reply AdminDeleteCompany(const Call& call);
  Reply AdminCreateProvider(const Call& call);
  Reply AdminUpdateProvider(const Call& call);
  Reply AdminDeleteProvider(const Call& call);
  Reply AdminCreateModel(const Call& call);
  Reply AdminUpdateModel(const Call& call);
  Reply AdminDeleteModel(const Call& call);
  Reply AdminPutEndpoint(const Call& call);
  Reply AdminDeleteEndpoint(const Call& call);
  Reply AdminPriceHistory(const Call& call);
  // Reloads the catalog snapshot the gateway routes and prices with (after every change). When
  // the store cannot be read, the snapshot stays as it was (ModelRouter::Reload) and is returned.
  std::shared_ptr<const state::CatalogSnapshot> ReloadCatalog();

  bool cookie_secure_;
  config::Networks trusted_proxies_;
  bool allow_signup_;
  std::vector<std::string> allowed_origins_;
  money::Micros checkout_min_;
  money::Micros checkout_max_;
  std::string host_;              // server.host: whether other hosts can reach this server (the sandbox's rule)
  bool allow_private_base_urls_;  // upstream.allow_private_base_urls: the admin API may name them
  store::UserStore& users_;
  store::KeyStore& keys_;
  store::CatalogStore& catalog_;
  store::Ledger& ledger_;
  store::RequestLogStore& request_log_;
  store::TopupStore& topups_;
  store::SettlementJournal* journal_;
  state::KeyCache* key_cache_;  // null when no gateway runs in this process
  state::ModelRouter& models_;
  payments::PaymentProvider* payments_;
  Sessions sessions_;
  RateLimiter ip_limiter_;
  RateLimiter email_limiter_;      // per (email, client address)
  RateLimiter any_email_limiter_;  // per email, from addresses it was not signed in from lately
  KnownClients known_clients_;     // (email, address) pairs that signed in lately
  Router router_;
  std::string dummy_hash_;  // verified against on a login for an unknown email (timing)

  std::mutex models_mutex_;
  std::shared_ptr<const state::CatalogSnapshot> models_snapshot_;
  boost::json::object models_body_;  // /api/models for models_snapshot_, without live health
  const state::ProviderHealth* health_ = nullptr;
  int gateway_port_ = 0;
  int configured_gateway_port_;
  std::string public_gateway_url_;
  std::string payments_name_;  // "none" | "sandbox" | "stripe"
};

}  // namespace turnpike::control
