#include "config/config.h"

#include <toml++/toml.h>
#include <algorithm>
#include <boost/url/parse.hpp>
#include <cctype>
#include <charconv>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <set>

#include "common/money.h"
#include "config/networks.h"

namespace turnpike::config {
namespace {

Error Bad(const std::string& key, const std::string& why) {
  return MakeError(ErrorCode::kBadRequest, key + ": " + why);
}

// Applies one integer setting: the TOML value if present, then the env var if set.
Status Int(const toml::table& t, const char* section, const char* key, const char* env_name, const EnvLookup& env,
           int64_t min, int64_t max, int64_t& out) {
  std::string name = std::string(section) + "." + key;
  if (auto node = t[section][key]; node) {
    auto v = node.value<int64_t>();
    if (!v) return Bad(name, "must be an integer");
    out = *v;
  }
  if (env_name) {
    if (auto text = env(env_name)) {
      int64_t v = 0;
      auto [p, ec] = std::from_chars(text->data(), text->data() + text->size(), v);
      if (ec != std::errc() || p != text->data() + text->size()) {
        return Bad(name + " (" + env_name + ")", "must be an integer, got \"" + *text + "\"");
      }
      out = v;
      name += std::string(" (") + env_name + ")";
    }
  }
  if (out < min || out > max) {
    return Bad(name, "must be " + std::to_string(min) + ".." + std::to_string(max) + ", got " + std::to_string(out));
  }
  return OkStatus();
}

Status Str(const toml::table& t, const char* section, const char* key, const char* env_name, const EnvLookup& env,
           std::string& out) {
  if (auto node = t[section][key]; node) {
    auto v = node.value<std::string>();
    if (!v) return Bad(std::string(section) + "." + key, "must be a string");
    out = *v;
  }
  if (env_name) {
    if (auto v = env(env_name)) out = *v;
  }
  return OkStatus();
}

Status Bool(const toml::table& t, const char* section, const char* key, const char* env_name, const EnvLookup& env,
            bool& out) {
  if (auto node = t[section][key]; node) {
    auto v = node.value<bool>();
    if (!v) return Bad(std::string(section) + "." + key, "must be true or false");
    out = *v;
  }
  if (env_name) {
    if (auto v = env(env_name)) {
      if (*v == "1" || *v == "true")
        out = true;
      else if (*v == "0" || *v == "false")
        out = false;
      else
        return Bad(std::string(section) + "." + key + " (" + env_name + ")", "must be 0/1/true/false");
    }
  }
  return OkStatus();
}

// An array of strings; the env var, when set, replaces it with its comma-separated items.
Status Strings(const toml::table& t, const char* section, const char* key, const char* env_name, const EnvLookup& env,
               std::vector<std::string>& out) {
  std::string name = std::string(section) + "." + key;
  if (auto node = t[section][key]; node) {
    const auto* array = node.as_array();
    if (!array) return Bad(name, "must be an array of strings");
    out.clear();
    for (const auto& item : *array) {
      auto v = item.value<std::string>();
      if (!v) return Bad(name, "must be an array of strings");
      out.push_back(*v);
    }
  }
  if (env_name) {
    if (auto v = env(env_name)) {
      out.clear();
      size_t pos = 0;
      while (pos <= v->size()) {
        size_t comma = std::min(v->find(',', pos), v->size());
        std::string item = v->substr(pos, comma - pos);
        item.erase(0, item.find_first_not_of(' '));
        item.erase(item.find_last_not_of(' ') + 1);
        if (!item.empty()) out.push_back(item);
        pos = comma + 1;
      }
    }
  }
  return OkStatus();
}

// An origin as browsers send it: http(s)://host[:port], nothing after.
Status CheckOrigin(const std::string& name, std::string& origin) {
  for (char& ch : origin) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  auto parsed = boost::urls::parse_absolute_uri(origin);
  if (!parsed || (parsed->scheme() != "http" && parsed->scheme() != "https") || parsed->encoded_host().empty() ||
      !parsed->encoded_path().empty() || parsed->has_query() || parsed->has_userinfo()) {
    return Bad(name,
               "\"" + origin + "\" is not an origin like \"http://localhost:3001\" (scheme://host[:port], no path)");
  }
  return OkStatus();
}

// A USD amount in whole cents, > 0.
Status CheckCents(const std::string& name, const std::string& text) {
  auto v = money::ParseUsd(text);
  if (!v || *v <= 0 || *v % 10'000 != 0)
    return Bad(name, "must be a positive USD amount in whole cents, got \"" + text + "\"");
  return OkStatus();
}

// "" (derived) or an absolute http(s) URL.
Status CheckReturnUrl(const std::string& name, const std::string& url) {
  if (url.empty()) return OkStatus();
  auto parsed = boost::urls::parse_absolute_uri(url);
  if (!parsed || (parsed->scheme() != "http" && parsed->scheme() != "https") || parsed->encoded_host().empty()) {
    return Bad(name, "must be \"\" or an absolute http(s) URL, got \"" + url + "\"");
  }
  return OkStatus();
}

// The name of an environment variable (not its value: secrets stay out of the file).
Status CheckEnvName(const std::string& name, const std::string& value) {
  // The value is never echoed: it may be a secret pasted in the wrong place.
  for (const char* prefix : {"sk_", "rk_", "pk_", "whsec_"}) {
    if (value.starts_with(prefix)) {
      return Bad(name, "must be the name of the environment variable that holds the secret, not the secret itself");
    }
  }
  bool ok = !value.empty() && !std::isdigit(static_cast<unsigned char>(value[0]));
  for (char ch : value) ok = ok && (std::isalnum(static_cast<unsigned char>(ch)) || ch == '_');
  if (!ok) return Bad(name, "must name an environment variable (letters, digits and _)");
  return OkStatus();
}

#define TRY(expr)                                      \
  do {                                                 \
    if (auto s_ = (expr); !s_.ok()) return s_.error(); \
  } while (0)

// Every section and key the file may hold: a typo must stop start-up, not be ignored.
const std::map<std::string, std::set<std::string>, std::less<>> kKnownKeys = {
    {"server",
     {"host", "gateway_port", "control_port", "threads", "max_body_bytes", "max_header_bytes", "read_timeout_ms",
      "keepalive_timeout_ms", "header_timeout_ms", "shutdown_grace_ms", "max_connections", "control_max_connections",
      "trusted_proxies"}},
    {"metrics", {"host", "port", "token"}},
    {"database", {"url", "data_dir", "fsync_interval_ms"}},
    {"auth",
     {"jwt_secret", "key_cache_ttl_ms", "cookie_secure", "allowed_origins", "allow_signup", "login_per_ip_per_minute",
      "login_per_email_per_minute", "login_per_email_any_address_per_minute"}},
    {"dashboard", {"dir", "public_gateway_url"}},
    {"payments",
     {"provider", "min_usd", "max_usd", "success_url", "cancel_url", "stripe_secret_key_env",
      "stripe_webhook_secret_env", "stripe_api_base", "stripe_webhook_tolerance_seconds"}},
    {"billing", {"enabled", "stale_hold_seconds", "lease_ttl_ms"}},
    {"bootstrap", {"admin", "admin_email", "admin_credits_usd"}},
    {"log",
     {"level", "requests", "request_log_batch", "request_log_flush_ms", "retention_days", "max_bytes",
      "sweep_interval_ms", "max_text_bytes", "queue_max_bytes"}},
    {"upstream",
     {"connect_timeout_ms", "first_byte_timeout_ms", "idle_timeout_ms", "max_response_bytes", "max_event_bytes",
      "max_connections_per_host", "client", "breaker_cooldown_ms", "allow_private_base_urls"}},
};

Status CheckKnownKeys(const toml::table& t) {
  for (const auto& [section, node] : t) {
    auto known = kKnownKeys.find(section.str());
    if (known == kKnownKeys.end()) return Bad(std::string(section.str()), "unknown section");
    const auto* table = node.as_table();
    if (!table) return Bad(std::string(section.str()), "must be a table ([" + std::string(section.str()) + "])");
    for (const auto& [key, value] : *table) {
      if (!known->second.count(std::string(key.str()))) {
        return Bad(std::string(section.str()) + "." + std::string(key.str()), "unknown key");
      }
    }
  }
  return OkStatus();
}

Result<Config> Apply(const toml::table& t, const EnvLookup& env) {
  TRY(CheckKnownKeys(t));
  Config c;
  int64_t port = c.gateway_port, cport = c.control_port, threads = c.threads;
  TRY(Str(t, "server", "host", "TURNPIKE_HOST", env, c.host));
  TRY(Int(t, "server", "gateway_port", "TURNPIKE_GATEWAY_PORT", env, 0, 65535, port));
  TRY(Int(t, "server", "control_port", "TURNPIKE_CONTROL_PORT", env, 0, 65535, cport));
  TRY(Int(t, "server", "threads", "TURNPIKE_THREADS", env, 0, 256, threads));
  c.gateway_port = static_cast<int>(port);
  c.control_port = static_cast<int>(cport);
  c.threads = static_cast<int>(threads);
  TRY(Int(t, "server", "max_body_bytes", "TURNPIKE_MAX_BODY_BYTES", env, 1024, int64_t{1} << 30, c.max_body_bytes));
  TRY(Int(t, "server", "max_header_bytes", nullptr, env, 1024, 1 << 20, c.max_header_bytes));
  TRY(Int(t, "server", "read_timeout_ms", "TURNPIKE_READ_TIMEOUT_MS", env, 100, 3'600'000, c.read_timeout_ms));
  TRY(Int(t, "server", "keepalive_timeout_ms", "TURNPIKE_KEEPALIVE_TIMEOUT_MS", env, 100, 3'600'000,
          c.keepalive_timeout_ms));
  TRY(Int(t, "server", "header_timeout_ms", "TURNPIKE_HEADER_TIMEOUT_MS", env, 100, 3'600'000, c.header_timeout_ms));
  TRY(Int(t, "server", "max_connections", "TURNPIKE_MAX_CONNECTIONS", env, 1, 10'000'000, c.max_connections));
  TRY(Int(t, "server", "control_max_connections", "TURNPIKE_CONTROL_MAX_CONNECTIONS", env, 1, 10'000'000,
          c.control_max_connections));
  TRY(Strings(t, "server", "trusted_proxies", "TURNPIKE_TRUSTED_PROXIES", env, c.trusted_proxies));
  if (auto parsed = Networks::Parse(c.trusted_proxies); !parsed.ok()) {
    return Bad("server.trusted_proxies (TURNPIKE_TRUSTED_PROXIES)", parsed.error().message);
  }
  int64_t metrics_port = c.metrics_port;
  TRY(Str(t, "metrics", "host", "TURNPIKE_METRICS_HOST", env, c.metrics_host));
  TRY(Int(t, "metrics", "port", "TURNPIKE_METRICS_PORT", env, -1, 65535, metrics_port));
  c.metrics_port = static_cast<int>(metrics_port);
  TRY(Str(t, "metrics", "token", "TURNPIKE_METRICS_TOKEN", env, c.metrics_token));
  TRY(Int(t, "server", "shutdown_grace_ms", "TURNPIKE_SHUTDOWN_GRACE_MS", env, 0, 3'600'000, c.shutdown_grace_ms));
  TRY(Str(t, "database", "url", "DATABASE_URL", env, c.database_url));
  TRY(Str(t, "database", "data_dir", "TURNPIKE_DATA_DIR", env, c.data_dir));
  TRY(Int(t, "database", "fsync_interval_ms", "TURNPIKE_FSYNC_INTERVAL_MS", env, 0, 10'000, c.fsync_interval_ms));
  TRY(Str(t, "auth", "jwt_secret", "JWT_SECRET", env, c.jwt_secret));
  TRY(Int(t, "auth", "key_cache_ttl_ms", nullptr, env, 0, 3'600'000, c.key_cache_ttl_ms));
  TRY(Bool(t, "auth", "cookie_secure", "TURNPIKE_COOKIE_SECURE", env, c.cookie_secure));
  TRY(Strings(t, "auth", "allowed_origins", "TURNPIKE_ALLOWED_ORIGINS", env, c.allowed_origins));
  for (auto& origin : c.allowed_origins) TRY(CheckOrigin("auth.allowed_origins", origin));
  TRY(Bool(t, "auth", "allow_signup", "TURNPIKE_ALLOW_SIGNUP", env, c.allow_signup));
  TRY(Int(t, "auth", "login_per_ip_per_minute", "TURNPIKE_LOGIN_PER_IP_PER_MINUTE", env, 1, 1'000'000,
          c.login_per_ip_per_minute));
  TRY(Int(t, "auth", "login_per_email_per_minute", "TURNPIKE_LOGIN_PER_EMAIL_PER_MINUTE", env, 1, 1'000'000,
          c.login_per_email_per_minute));
  TRY(Int(t, "auth", "login_per_email_any_address_per_minute", "TURNPIKE_LOGIN_PER_EMAIL_ANY_ADDRESS_PER_MINUTE", env,
          1, 1'000'000, c.login_per_email_any_address_per_minute));
  TRY(Str(t, "dashboard", "dir", "TURNPIKE_DASHBOARD_DIR", env, c.dashboard_dir));
  TRY(Str(t, "dashboard", "public_gateway_url", "TURNPIKE_PUBLIC_GATEWAY_URL", env, c.public_gateway_url));
  if (!c.public_gateway_url.empty()) TRY(CheckBaseUrl("dashboard.public_gateway_url", c.public_gateway_url));
  TRY(Str(t, "payments", "provider", "TURNPIKE_PAYMENTS_PROVIDER", env, c.payments_provider));
  if (c.payments_provider != "sandbox" && c.payments_provider != "stripe" && c.payments_provider != "none") {
    return Bad("payments.provider", "must be \"sandbox\", \"stripe\" or \"none\", got \"" + c.payments_provider + "\"");
  }
  TRY(Str(t, "payments", "min_usd", nullptr, env, c.payments_min_usd));
  TRY(Str(t, "payments", "max_usd", nullptr, env, c.payments_max_usd));
  TRY(CheckCents("payments.min_usd", c.payments_min_usd));
  TRY(CheckCents("payments.max_usd", c.payments_max_usd));
  if (*money::ParseUsd(c.payments_min_usd) > *money::ParseUsd(c.payments_max_usd)) {
    return Bad("payments.min_usd", "must not exceed payments.max_usd");
  }
  TRY(Str(t, "payments", "success_url", "TURNPIKE_PAYMENTS_SUCCESS_URL", env, c.payments_success_url));
  TRY(Str(t, "payments", "cancel_url", "TURNPIKE_PAYMENTS_CANCEL_URL", env, c.payments_cancel_url));
  TRY(CheckReturnUrl("payments.success_url", c.payments_success_url));
  TRY(CheckReturnUrl("payments.cancel_url", c.payments_cancel_url));
  TRY(Str(t, "payments", "stripe_secret_key_env", nullptr, env, c.stripe_secret_key_env));
  TRY(Str(t, "payments", "stripe_webhook_secret_env", nullptr, env, c.stripe_webhook_secret_env));
  TRY(CheckEnvName("payments.stripe_secret_key_env", c.stripe_secret_key_env));
  TRY(CheckEnvName("payments.stripe_webhook_secret_env", c.stripe_webhook_secret_env));
  TRY(Str(t, "payments", "stripe_api_base", "TURNPIKE_STRIPE_API_BASE", env, c.stripe_api_base));
  TRY(CheckBaseUrl("payments.stripe_api_base", c.stripe_api_base));
  TRY(Int(t, "payments", "stripe_webhook_tolerance_seconds", nullptr, env, 1, 86'400,
          c.stripe_webhook_tolerance_seconds));
  TRY(Bool(t, "billing", "enabled", "TURNPIKE_BILLING_ENABLED", env, c.billing_enabled));
  TRY(Int(t, "billing", "stale_hold_seconds", nullptr, env, 60, 86'400 * 30, c.stale_hold_seconds));
  TRY(Int(t, "billing", "lease_ttl_ms", nullptr, env, 10, 60'000, c.lease_ttl_ms));
  TRY(Bool(t, "bootstrap", "admin", "TURNPIKE_BOOTSTRAP_ADMIN", env, c.bootstrap_admin));
  TRY(Str(t, "bootstrap", "admin_email", nullptr, env, c.admin_email));
  TRY(Str(t, "bootstrap", "admin_credits_usd", nullptr, env, c.admin_credits_usd));
  TRY(Str(t, "log", "level", "TURNPIKE_LOG_LEVEL", env, c.log_level));
  TRY(Bool(t, "log", "requests", "TURNPIKE_LOG_REQUESTS", env, c.log_requests));
  int64_t batch = c.request_log_batch;
  TRY(Int(t, "log", "request_log_batch", nullptr, env, 1, 100'000, batch));
  c.request_log_batch = static_cast<int>(batch);
  TRY(Int(t, "log", "request_log_flush_ms", nullptr, env, 1, 60'000, c.request_log_flush_ms));
  TRY(Int(t, "log", "retention_days", "TURNPIKE_LOG_RETENTION_DAYS", env, 0, 36'500, c.log_retention_days));
  TRY(Int(t, "log", "max_bytes", "TURNPIKE_LOG_MAX_BYTES", env, 0, int64_t{1} << 50, c.log_max_bytes));
  TRY(Int(t, "log", "sweep_interval_ms", "TURNPIKE_LOG_SWEEP_INTERVAL_MS", env, 10, 86'400'000,
          c.log_sweep_interval_ms));
  TRY(Int(t, "log", "max_text_bytes", "TURNPIKE_LOG_MAX_TEXT_BYTES", env, 0, 16 << 20, c.log_max_text_bytes));
  TRY(Int(t, "log", "queue_max_bytes", "TURNPIKE_LOG_QUEUE_MAX_BYTES", env, 1024, int64_t{1} << 40,
          c.log_queue_max_bytes));
  auto& u = c.upstream;
  TRY(Int(t, "upstream", "connect_timeout_ms", "TURNPIKE_UPSTREAM_CONNECT_TIMEOUT_MS", env, 100, 600'000,
          u.connect_timeout_ms));
  TRY(Int(t, "upstream", "first_byte_timeout_ms", "TURNPIKE_UPSTREAM_FIRST_BYTE_TIMEOUT_MS", env, 100, 3'600'000,
          u.first_byte_timeout_ms));
  TRY(Int(t, "upstream", "idle_timeout_ms", "TURNPIKE_UPSTREAM_IDLE_TIMEOUT_MS", env, 100, 3'600'000,
          u.idle_timeout_ms));
  TRY(Int(t, "upstream", "max_response_bytes", nullptr, env, 1024, int64_t{1} << 32, u.max_response_bytes));
  TRY(Int(t, "upstream", "max_event_bytes", nullptr, env, 1024, int64_t{1} << 30, u.max_event_bytes));
  TRY(Int(t, "upstream", "max_connections_per_host", nullptr, env, 1, 100'000, u.max_connections_per_host));
  TRY(Str(t, "upstream", "client", "TURNPIKE_UPSTREAM_CLIENT", env, u.client));
  TRY(Bool(t, "upstream", "allow_private_base_urls", "TURNPIKE_UPSTREAM_ALLOW_PRIVATE_BASE_URLS", env,
           u.allow_private_base_urls));
  TRY(Int(t, "upstream", "breaker_cooldown_ms", "TURNPIKE_UPSTREAM_BREAKER_COOLDOWN_MS", env, 100, 3'600'000,
          u.breaker_cooldown_ms));
  if (u.client != "auto" && u.client != "native" && u.client != "curl") {
    return Bad("upstream.client (TURNPIKE_UPSTREAM_CLIENT)",
               "must be \"auto\", \"native\" or \"curl\", got \"" + u.client + "\"");
  }

  static const char* kLevels[] = {"trace", "debug", "info", "warn", "error", "off"};
  if (std::find(std::begin(kLevels), std::end(kLevels), c.log_level) == std::end(kLevels)) {
    return Bad("log.level", "must be one of trace, debug, info, warn, error, off; got \"" + c.log_level + "\"");
  }
  if (!c.database_url.starts_with("sqlite:") && !c.database_url.starts_with("postgresql://") &&
      !c.database_url.starts_with("postgres://")) {
    return Bad("database.url (DATABASE_URL)", "must start with sqlite:// or postgresql://");
  }
  if (!money::ParseUsd(c.admin_credits_usd) || *money::ParseUsd(c.admin_credits_usd) < 0) {
    return Bad("bootstrap.admin_credits_usd", "must be a non-negative USD amount like \"10\" or \"2.50\"");
  }
  if (!c.jwt_secret.empty() && c.jwt_secret.size() < 32) {
    return Bad("auth.jwt_secret (JWT_SECRET)", "must be at least 32 characters");
  }
  for (const char* name : {"OPENAI_BASE_URL", "ANTHROPIC_BASE_URL", "GOOGLE_BASE_URL"}) {
    if (auto v = env(name)) TRY(CheckBaseUrl(name, *v));
  }
  return c;
}

}  // namespace

EnvLookup ProcessEnv() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* v = std::getenv(name.c_str());
    if (!v) return std::nullopt;
    return std::string(v);
  };
}

bool LoopbackOnly(const std::string& host) {
  return host == "localhost" || host == "::1" || host == "[::1]" || host.starts_with("127.");
}

Status CheckBaseUrl(const std::string& name, const std::string& url) {
  auto parsed = boost::urls::parse_absolute_uri(url);
  if (!parsed) return Bad(name, "is not an absolute URL: \"" + url + "\"");
  if (parsed->scheme() != "http" && parsed->scheme() != "https") {
    return Bad(name, "must use http or https, got \"" + std::string(parsed->scheme()) + "\"");
  }
  if (parsed->encoded_host().empty()) return Bad(name, "has no host: \"" + url + "\"");
  if (parsed->has_query() || parsed->has_fragment()) return Bad(name, "must not have a query or fragment");
  return OkStatus();
}

Result<Config> Load(const std::string& path, const EnvLookup& env) {
  std::string file = path;
  if (file.empty() && std::filesystem::exists("turnpike.toml")) file = "turnpike.toml";
  toml::table table;
  if (!file.empty()) {
    try {
      table = toml::parse_file(file);
    } catch (const toml::parse_error& e) {
      const auto& where = e.source().begin;
      return MakeError(ErrorCode::kBadRequest, file + ":" + std::to_string(where.line) + ":" +
                                                   std::to_string(where.column) + ": " + std::string(e.description()));
    }
  }
  return Apply(table, env);
}

}  // namespace turnpike::config
