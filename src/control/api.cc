#include "control/api.h"

#include "common/bearer.h"
#include "common/clock.h"
#include "common/crypto.h"
#include "common/error_table.h"
#include "control/origin.h"

namespace turnpike::control {

Api::Api(const config::Config& config, const ApiStores& stores, state::KeyCache* key_cache, state::ModelRouter& models,
         payments::PaymentProvider* payments, std::string session_secret, RateLimiter::Clock clock)
    : cookie_secure_(config.cookie_secure),
      allow_signup_(config.allow_signup),
      allowed_origins_(config.allowed_origins),
      checkout_min_(money::ParseUsd(config.payments_min_usd).value_or(money::kMicrosPerUsd)),
      checkout_max_(money::ParseUsd(config.payments_max_usd).value_or(10'000 * money::kMicrosPerUsd)),
      host_(config.host),
      allow_private_base_urls_(config.upstream.allow_private_base_urls),
      users_(stores.users),
      keys_(stores.keys),
      catalog_(stores.catalog),
      ledger_(stores.ledger),
      request_log_(stores.request_log),
      topups_(stores.topups),
      journal_(stores.journal),
      key_cache_(key_cache),
      models_(models),
      payments_(payments),
      sessions_(stores.sessions, std::move(session_secret)),
      ip_limiter_(config.login_per_ip_per_minute, clock),
      email_limiter_(config.login_per_email_per_minute, clock),
      any_email_limiter_(config.login_per_email_any_address_per_minute, clock),
      known_clients_(std::chrono::hours(24 * 30), clock),
      configured_gateway_port_(config.gateway_port),
      public_gateway_url_(config.public_gateway_url) {
  // Validated by config::Load; a bad list (tests build configs by hand) trusts nobody.
  if (auto trusted = config::Networks::Parse(config.trusted_proxies); trusted.ok()) trusted_proxies_ = *trusted;
  const auto& routes = Routes();
  for (size_t i = 0; i < routes.size(); ++i) router_.Add(routes[i].method, routes[i].pattern, static_cast<int>(i));
  // Same cost parameters as real hashes, so verifying against it takes as long.
  auto dummy = crypto::HashPassword(crypto::RandomHex(16));
  if (dummy.ok()) dummy_hash_ = *dummy;
}

// Literal routes before parameterised ones with the same shape (the first match wins).
const std::vector<Api::Route>& Api::Routes() {
  static const std::vector<Route> routes = {
      {"POST", "/api/auth/signup", Access::kPublic, &Api::Signup},
      {"POST", "/api/auth/login", Access::kPublic, &Api::Login},
      {"POST", "/api/auth/logout", Access::kOptionalUser, &Api::Logout},
      {"POST", "/api/auth/logout-all", Access::kUser, &Api::LogoutEverywhere},
      {"GET", "/api/me", Access::kUser, &Api::Me},
      {"DELETE", "/api/me", Access::kUser, &Api::DeleteAccount},
      {"POST", "/api/me/password", Access::kUser, &Api::ChangePassword},
      {"GET", "/api/me/provider-preferences", Access::kUser, &Api::GetProviderPreferences},
      {"PUT", "/api/me/provider-preferences", Access::kUser, &Api::PutProviderPreferences},
      {"PUT", "/api/me/low-balance-alert", Access::kUser, &Api::PutLowBalanceAlert},
      {"GET", "/api/keys", Access::kUser, &Api::ListKeys},
      {"POST", "/api/keys", Access::kUser, &Api::CreateKey},
      {"PATCH", "/api/keys/{id}", Access::kUser, &Api::UpdateKey},
      {"DELETE", "/api/keys/{id}", Access::kUser, &Api::DeleteKey},
      {"POST", "/api/keys/{id}/rotate", Access::kUser, &Api::RotateKey},
      {"GET", "/api/credits", Access::kUser, &Api::Credits},
      {"GET", "/api/credits/transactions", Access::kUser, &Api::Transactions},
      {"POST", "/api/credits/checkout", Access::kUser, &Api::Checkout},
      {"POST", "/api/payments/stripe/webhook", Access::kWebhook, &Api::StripeWebhook},
      {"GET", "/api/logs", Access::kUser, &Api::Logs},
      {"GET", "/api/logs/{id}", Access::kUser, &Api::LogById},
      {"GET", "/api/activity", Access::kUser, &Api::Activity},
      {"GET", "/api/models", Access::kPublic, &Api::Models},
      {"GET", "/api/config", Access::kPublic, &Api::ServerConfig},
      {"GET", "/api/admin/users", Access::kAdmin, &Api::AdminUsers},
      {"GET", "/api/admin/users/{id}", Access::kAdmin, &Api::AdminUser},
      {"PATCH", "/api/admin/users/{id}", Access::kAdmin, &Api::AdminUpdateUser},
      {"POST", "/api/admin/users/{id}/credits", Access::kAdmin, &Api::AdminCredits},
      {"GET", "/api/admin/catalog", Access::kAdmin, &Api::AdminCatalog},
      {"POST", "/api/admin/companies", Access::kAdmin, &Api::AdminCreateCompany},
      {"PATCH", "/api/admin/companies/{id}", Access::kAdmin, &Api::AdminUpdateCompany},
      {"DELETE", "/api/admin/companies/{id}", Access::kAdmin, &Api::AdminDeleteCompany},
      {"POST", "/api/admin/providers", Access::kAdmin, &Api::AdminCreateProvider},
      {"PATCH", "/api/admin/providers/{id}", Access::kAdmin, &Api::AdminUpdateProvider},
      {"DELETE", "/api/admin/providers/{id}", Access::kAdmin, &Api::AdminDeleteProvider},
      {"POST", "/api/admin/models", Access::kAdmin, &Api::AdminCreateModel},
      {"PATCH", "/api/admin/models/{id}", Access::kAdmin, &Api::AdminUpdateModel},
      {"DELETE", "/api/admin/models/{id}", Access::kAdmin, &Api::AdminDeleteModel},
      {"PUT", "/api/admin/models/{id}/endpoints/{provider}", Access::kAdmin, &Api::AdminPutEndpoint},
      {"DELETE", "/api/admin/models/{id}/endpoints/{provider}", Access::kAdmin, &Api::AdminDeleteEndpoint},
      {"GET", "/api/admin/models/{id}/endpoints/{provider}/prices", Access::kAdmin, &Api::AdminPriceHistory},
  };
  return routes;
}

Reply Api::Handle(const net::HttpRequest& request) {
  Router::Match match = router_.Find(request.method, request.path);
  if (match.outcome == Router::Match::Outcome::kNoPath) {
    return ErrorReply(MakeError(ErrorCode::kNotFound, "No route for " + request.method + " " + request.path));
  }
  if (match.outcome == Router::Match::Outcome::kNoMethod) {
    Reply reply;
    reply.status = 405;
    reply.body =
        ErrorBodyForStatus(405, request.method + " is not allowed on " + request.path + "; use " + match.allow);
    AddHeader(reply, "Allow", match.allow);
    return reply;
  }
  const Route& route = Routes()[static_cast<size_t>(match.id)];
  if (route.access == Access::kWebhook) {
    return (this->*route.handler)(Call{request, std::move(match.params), std::nullopt, UnixSeconds(),
                                       SeeClient(request, trusted_proxies_, cookie_secure_)});
  }
  std::string_view authorization = FindHeader(request.headers, "authorization");
  bool via_cookie = authorization.empty() && !SessionCookieValue(FindHeader(request.headers, "cookie")).empty();
  auto origin = CheckOrigin(request.method, FindHeader(request.headers, "origin"), FindHeader(request.headers, "host"),
                            allowed_origins_, via_cookie);
  if (!origin.ok()) return ErrorReply(origin.error());

  Call call{request, std::move(match.params), std::nullopt, UnixSeconds(),
            SeeClient(request, trusted_proxies_, cookie_secure_)};
  if (journal_) {
    // What the gateway answered a moment ago reads as if it were in the ledger and the log
    // already, in every answer (a failure here is the store's; the call below reports it).
    (void)journal_->ApplyJournal();
  }
  if (route.access != Access::kPublic) {
    auto principal = Authenticate(request, call.now);
    const bool signed_out = !principal.ok() && principal.error().code == ErrorCode::kUnauthorized;
    if (principal.ok()) {
      call.principal = std::move(principal.value());
    } else if (route.access != Access::kOptionalUser || !signed_out) {
      // A store failure is not a sign-out: the cookie stays.
      Reply reply = ErrorReply(principal.error());
      if (via_cookie && signed_out) AddHeader(reply, "Set-Cookie", ClearedSessionCookie(call.client.https));
      return reply;
    }
    if (route.access == Access::kAdmin && !call.user().is_admin) {
      return ErrorReply(MakeError(ErrorCode::kForbidden, "Only administrators may do this"));
    }
  }
  return (this->*route.handler)(call);
}

Result<Principal> Api::Authenticate(const net::HttpRequest& request, int64_t now) {
  std::string_view authorization = FindHeader(request.headers, "authorization");
  std::string_view token;
  if (!authorization.empty()) {
    std::optional<std::string_view> bearer = BearerToken(authorization);
    if (!bearer) {
      return MakeError(ErrorCode::kUnauthorized, "Malformed Authorization header: expected 'Bearer <session token>'");
    }
    token = *bearer;
    if (token.starts_with("sk-tp-")) {
      return MakeError(ErrorCode::kUnauthorized,
                       "API keys work on the gateway only; sign in (POST /api/auth/login) for a session token");
    }
  } else {
    token = SessionCookieValue(FindHeader(request.headers, "cookie"));
  }
  if (token.empty()) return MakeError(ErrorCode::kUnauthorized, "Not signed in");
  auto claims = sessions_.Check(token, now);
  if (!claims.ok()) return claims.error();
  auto user = users_.FindUserById(claims->user_id);
  if (!user.ok()) return user.error();
  if (!*user || (*user)->disabled) return MakeError(ErrorCode::kUnauthorized, "Session ended: sign in again");
  return Principal{std::move(**user), std::move(claims.value())};
}

void Api::ForgetKey(const std::string& hash_hex) {
  if (key_cache_) key_cache_->Forget(hash_hex);
}

}  // namespace turnpike::control
