// Config: defaults, the TOML file, environment overrides, and error messages that name the key
// and the reason. The environment is always an injected map, never the process's.
#include "config/config.h"
#include "config/networks.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>

namespace turnpike::config {
namespace {

namespace fs = std::filesystem;

// Passes when `text` holds `part`; prints both otherwise.
::testing::AssertionResult Has(const std::string& text, const std::string& part) {
  if (text.find(part) != std::string::npos) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "\"" << text << "\" does not contain \"" << part << "\"";
}

EnvLookup MapEnv(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

class ConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/turnpike-config-test-XXXXXX";
    char* made = mkdtemp(pattern);
    ASSERT_NE(made, nullptr);
    dir_ = made;
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  std::string Write(const std::string& name, const std::string& text) {
    std::string path = dir_ + "/" + name;
    std::ofstream(path) << text;
    return path;
  }

  // Loads `toml` (written to a file) with `env`; expects failure and returns the message.
  std::string ErrorOf(const std::string& toml, std::map<std::string, std::string> env = {}) {
    auto c = Load(Write("c.toml", toml), MapEnv(std::move(env)));
    EXPECT_FALSE(c.ok());
    if (c.ok()) return "";
    EXPECT_EQ(c.error().code, ErrorCode::kBadRequest);
    return c.error().message;
  }

  std::string dir_;
};

// Every field equals the documented default in config.h (a default-constructed Config), so a
// loader that touched a field it was not asked to change fails here.
void ExpectDefaults(const Config& c) {
  const Config d;
  EXPECT_EQ(c.host, d.host);
  EXPECT_EQ(c.gateway_port, d.gateway_port);
  EXPECT_EQ(c.control_port, d.control_port);
  EXPECT_EQ(c.threads, d.threads);
  EXPECT_EQ(c.max_body_bytes, d.max_body_bytes);
  EXPECT_EQ(c.max_header_bytes, d.max_header_bytes);
  EXPECT_EQ(c.read_timeout_ms, d.read_timeout_ms);
  EXPECT_EQ(c.keepalive_timeout_ms, d.keepalive_timeout_ms);
  EXPECT_EQ(c.shutdown_grace_ms, d.shutdown_grace_ms);
  EXPECT_EQ(c.database_url, d.database_url);
  EXPECT_EQ(c.data_dir, d.data_dir);
  EXPECT_EQ(c.fsync_interval_ms, d.fsync_interval_ms);
  EXPECT_EQ(c.billing_enabled, d.billing_enabled);
  EXPECT_EQ(c.lease_ttl_ms, d.lease_ttl_ms);
  EXPECT_EQ(c.log_requests, d.log_requests);
  EXPECT_EQ(c.jwt_secret, d.jwt_secret);
  EXPECT_EQ(c.key_cache_ttl_ms, d.key_cache_ttl_ms);
  EXPECT_EQ(c.cookie_secure, d.cookie_secure);
  EXPECT_EQ(c.allowed_origins, d.allowed_origins);
  EXPECT_EQ(c.allow_signup, d.allow_signup);
  EXPECT_EQ(c.login_per_ip_per_minute, d.login_per_ip_per_minute);
  EXPECT_EQ(c.login_per_email_per_minute, d.login_per_email_per_minute);
  EXPECT_EQ(c.payments_provider, d.payments_provider);
  EXPECT_EQ(c.payments_min_usd, d.payments_min_usd);
  EXPECT_EQ(c.payments_max_usd, d.payments_max_usd);
  EXPECT_EQ(c.payments_success_url, d.payments_success_url);
  EXPECT_EQ(c.payments_cancel_url, d.payments_cancel_url);
  EXPECT_EQ(c.stripe_secret_key_env, d.stripe_secret_key_env);
  EXPECT_EQ(c.stripe_webhook_secret_env, d.stripe_webhook_secret_env);
  EXPECT_EQ(c.stripe_api_base, d.stripe_api_base);
  EXPECT_EQ(c.stripe_webhook_tolerance_seconds, d.stripe_webhook_tolerance_seconds);
  EXPECT_EQ(c.stale_hold_seconds, d.stale_hold_seconds);
  EXPECT_EQ(c.bootstrap_admin, d.bootstrap_admin);
  EXPECT_EQ(c.admin_email, d.admin_email);
  EXPECT_EQ(c.admin_credits_usd, d.admin_credits_usd);
  EXPECT_EQ(c.log_level, d.log_level);
  EXPECT_EQ(c.request_log_batch, d.request_log_batch);
  EXPECT_EQ(c.request_log_flush_ms, d.request_log_flush_ms);
  EXPECT_EQ(c.log_retention_days, d.log_retention_days);
  EXPECT_EQ(c.log_max_bytes, d.log_max_bytes);
  EXPECT_EQ(c.log_sweep_interval_ms, d.log_sweep_interval_ms);
  EXPECT_EQ(c.log_max_text_bytes, d.log_max_text_bytes);
  EXPECT_EQ(c.log_queue_max_bytes, d.log_queue_max_bytes);
  EXPECT_EQ(c.upstream.connect_timeout_ms, d.upstream.connect_timeout_ms);
  EXPECT_EQ(c.upstream.first_byte_timeout_ms, d.upstream.first_byte_timeout_ms);
  EXPECT_EQ(c.upstream.idle_timeout_ms, d.upstream.idle_timeout_ms);
  EXPECT_EQ(c.upstream.max_response_bytes, d.upstream.max_response_bytes);
  EXPECT_EQ(c.upstream.max_event_bytes, d.upstream.max_event_bytes);
  EXPECT_EQ(c.upstream.max_connections_per_host, d.upstream.max_connections_per_host);
  EXPECT_EQ(c.upstream.client, d.upstream.client);
  EXPECT_EQ(c.upstream.client, "auto");
  EXPECT_EQ(c.header_timeout_ms, d.header_timeout_ms);
  EXPECT_EQ(c.max_connections, d.max_connections);
  EXPECT_EQ(c.control_max_connections, d.control_max_connections);
  EXPECT_EQ(c.trusted_proxies, d.trusted_proxies);
  EXPECT_EQ(c.metrics_host, d.metrics_host);
  EXPECT_EQ(c.metrics_port, d.metrics_port);
  EXPECT_EQ(c.metrics_token, d.metrics_token);
  EXPECT_EQ(c.login_per_email_any_address_per_minute, d.login_per_email_any_address_per_minute);
  // The defaults users read about in the docs and rely on.
  EXPECT_EQ(c.gateway_port, 4000);
  EXPECT_EQ(c.control_port, 3000);
  EXPECT_EQ(c.database_url, "sqlite://./data/turnpike.db");
  EXPECT_EQ(c.log_level, "info");
  EXPECT_EQ(c.jwt_secret, "");
  EXPECT_TRUE(c.bootstrap_admin);
  EXPECT_EQ(c.key_cache_ttl_ms, 500);
  EXPECT_EQ(c.lease_ttl_ms, 500);
  EXPECT_EQ(c.fsync_interval_ms, 100);
  EXPECT_TRUE(c.billing_enabled);
  EXPECT_TRUE(c.log_requests);
  EXPECT_FALSE(c.cookie_secure);
  EXPECT_TRUE(c.allowed_origins.empty());
  EXPECT_EQ(c.payments_provider, "none");  // free credit only when asked for (make run does)
  EXPECT_EQ(c.payments_success_url, "");
  EXPECT_EQ(c.stripe_secret_key_env, "STRIPE_SECRET_KEY");
  EXPECT_EQ(c.stripe_webhook_secret_env, "STRIPE_WEBHOOK_SECRET");
  EXPECT_EQ(c.stripe_api_base, "https://api.stripe.com");
  EXPECT_EQ(c.stripe_webhook_tolerance_seconds, 300);
}

TEST_F(ConfigTest, DefaultsWithEmptyFileAndEmptyEnv) {
  auto c = Load(Write("empty.toml", ""), MapEnv({}));
  ASSERT_TRUE(c.ok()) << c.error().message;
  ExpectDefaults(*c);
}

TEST_F(ConfigTest, DefaultsWithNoPathAndNoFileInTheWorkingDirectory) {
  fs::path old = fs::current_path();
  fs::current_path(dir_);  // holds no turnpike.toml
  auto c = Load("", MapEnv({}));
  fs::current_path(old);
  ASSERT_TRUE(c.ok()) << c.error().message;
  ExpectDefaults(*c);
}

TEST_F(ConfigTest, NoPathReadsTurnpikeTomlInTheWorkingDirectory) {
  Write("turnpike.toml", "[server]\ngateway_port = 4100\n");
  fs::path old = fs::current_path();
  fs::current_path(dir_);
  auto c = Load("", MapEnv({}));
  fs::current_path(old);
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->gateway_port, 4100);
}

constexpr char kFullToml[] = R"(
[server]
host = "127.0.0.1"
gateway_port = 8080
control_port = 8081
threads = 4
max_body_bytes = 2048

[database]
url = "sqlite:///var/lib/turnpike/t.db"
data_dir = "/var/lib/turnpike"

[auth]
jwt_secret = "0123456789abcdef0123456789abcdef"
key_cache_ttl_ms = 0

[billing]
stale_hold_seconds = 120

[bootstrap]
admin = false
admin_email = "root@example.com"
admin_credits_usd = "2.50"

[log]
level = "debug"
request_log_batch = 10
request_log_flush_ms = 5

[upstream]
connect_timeout_ms = 1000
first_byte_timeout_ms = 2000
idle_timeout_ms = 3000
max_response_bytes = 4096
max_event_bytes = 8192
max_connections_per_host = 7
client = "curl"
)";

TEST_F(ConfigTest, FileValues) {
  auto c = Load(Write("full.toml", kFullToml), MapEnv({}));
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->host, "127.0.0.1");
  EXPECT_EQ(c->gateway_port, 8080);
  EXPECT_EQ(c->control_port, 8081);
  EXPECT_EQ(c->threads, 4);
  EXPECT_EQ(c->max_body_bytes, 2048);
  EXPECT_EQ(c->database_url, "sqlite:///var/lib/turnpike/t.db");
  EXPECT_EQ(c->data_dir, "/var/lib/turnpike");
  EXPECT_EQ(c->jwt_secret, "0123456789abcdef0123456789abcdef");
  EXPECT_EQ(c->key_cache_ttl_ms, 0);
  EXPECT_EQ(c->stale_hold_seconds, 120);
  EXPECT_FALSE(c->bootstrap_admin);
  EXPECT_EQ(c->admin_email, "root@example.com");
  EXPECT_EQ(c->admin_credits_usd, "2.50");
  EXPECT_EQ(c->log_level, "debug");
  EXPECT_EQ(c->request_log_batch, 10);
  EXPECT_EQ(c->request_log_flush_ms, 5);
  EXPECT_EQ(c->upstream.connect_timeout_ms, 1000);
  EXPECT_EQ(c->upstream.first_byte_timeout_ms, 2000);
  EXPECT_EQ(c->upstream.idle_timeout_ms, 3000);
  EXPECT_EQ(c->upstream.max_response_bytes, 4096);
  EXPECT_EQ(c->upstream.max_event_bytes, 8192);
  EXPECT_EQ(c->upstream.max_connections_per_host, 7);
  EXPECT_EQ(c->upstream.client, "curl");
}

TEST_F(ConfigTest, EnvironmentOverridesTheFile) {
  const std::string secret(40, 's');
  auto c = Load(Write("full.toml", kFullToml), MapEnv({
                                                   {"DATABASE_URL", "postgresql://u:p@db:5432/turnpike"},
                                                   {"TURNPIKE_GATEWAY_PORT", "9000"},
                                                   {"TURNPIKE_CONTROL_PORT", "0"},
                                                   {"TURNPIKE_HOST", "::1"},
                                                   {"TURNPIKE_THREADS", "2"},
                                                   {"TURNPIKE_MAX_BODY_BYTES", "4096"},
                                                   {"TURNPIKE_DATA_DIR", "/data"},
                                                   {"JWT_SECRET", secret},
                                                   {"TURNPIKE_LOG_LEVEL", "warn"},
                                                   {"TURNPIKE_BOOTSTRAP_ADMIN", "true"},
                                                   {"TURNPIKE_UPSTREAM_CLIENT", "native"},
                                               }));
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->database_url, "postgresql://u:p@db:5432/turnpike");
  EXPECT_EQ(c->gateway_port, 9000);
  EXPECT_EQ(c->control_port, 0);
  EXPECT_EQ(c->host, "::1");
  EXPECT_EQ(c->threads, 2);
  EXPECT_EQ(c->max_body_bytes, 4096);
  EXPECT_EQ(c->data_dir, "/data");
  EXPECT_EQ(c->jwt_secret, secret);
  EXPECT_EQ(c->log_level, "warn");
  EXPECT_TRUE(c->bootstrap_admin);
  EXPECT_EQ(c->upstream.client, "native");
  // Keys without an override keep the file's value.
  EXPECT_EQ(c->admin_email, "root@example.com");
  EXPECT_EQ(c->upstream.idle_timeout_ms, 3000);
}

TEST_F(ConfigTest, EnvironmentOverridesTheDefaults) {
  auto c = Load(
      Write("empty.toml", ""),
      MapEnv({{"DATABASE_URL", "sqlite::memory:"}, {"TURNPIKE_GATEWAY_PORT", "0"}, {"TURNPIKE_BOOTSTRAP_ADMIN", "0"}}));
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->database_url, "sqlite::memory:");
  EXPECT_EQ(c->gateway_port, 0);
  EXPECT_FALSE(c->bootstrap_admin);
}

TEST_F(ConfigTest, ValidEnvWinsOverAnOutOfRangeFileValue) {
  auto c = Load(Write("c.toml", "[server]\ngateway_port = 70000\n"), MapEnv({{"TURNPIKE_GATEWAY_PORT", "4001"}}));
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->gateway_port, 4001);
}

TEST_F(ConfigTest, PortOutOfRangeInFile) {
  std::string e = ErrorOf("[server]\ngateway_port = 70000\n");
  EXPECT_TRUE(Has(e, "server.gateway_port"));
  EXPECT_TRUE(Has(e, "0..65535"));
  EXPECT_TRUE(Has(e, "70000"));
}

TEST_F(ConfigTest, NegativePortInFile) {
  std::string e = ErrorOf("[server]\ncontrol_port = -1\n");
  EXPECT_TRUE(Has(e, "server.control_port"));
  EXPECT_TRUE(Has(e, "-1"));
}

TEST_F(ConfigTest, PortOutOfRangeInEnvNamesTheVariable) {
  std::string e = ErrorOf("", {{"TURNPIKE_GATEWAY_PORT", "70000"}});
  EXPECT_EQ(e, "server.gateway_port (TURNPIKE_GATEWAY_PORT): must be 0..65535, got 70000");
}

TEST_F(ConfigTest, PortNotAnIntegerInEnv) {
  for (const char* bad : {"abc", "", "80x", " 80", "8.5", "99999999999999999999999"}) {
    std::string e = ErrorOf("", {{"TURNPIKE_GATEWAY_PORT", bad}});
    EXPECT_TRUE(Has(e, "server.gateway_port")) << bad;
    EXPECT_TRUE(Has(e, "TURNPIKE_GATEWAY_PORT")) << bad;
    EXPECT_TRUE(Has(e, "integer")) << bad;
    EXPECT_TRUE(Has(e, std::string("\"") + bad + "\"")) << bad;
  }
}

TEST_F(ConfigTest, WrongTomlTypes) {
  std::string e = ErrorOf("[server]\ngateway_port = \"x\"\n");
  EXPECT_TRUE(Has(e, "server.gateway_port"));
  EXPECT_TRUE(Has(e, "integer"));

  e = ErrorOf("[server]\nhost = 12\n");
  EXPECT_TRUE(Has(e, "server.host"));
  EXPECT_TRUE(Has(e, "string"));

  e = ErrorOf("[bootstrap]\nadmin = \"yes\"\n");
  EXPECT_TRUE(Has(e, "bootstrap.admin"));
  EXPECT_TRUE(Has(e, "true or false"));
}

TEST_F(ConfigTest, BadBoolInEnv) {
  std::string e = ErrorOf("", {{"TURNPIKE_BOOTSTRAP_ADMIN", "yes"}});
  EXPECT_TRUE(Has(e, "bootstrap.admin"));
  EXPECT_TRUE(Has(e, "TURNPIKE_BOOTSTRAP_ADMIN"));
}

TEST_F(ConfigTest, BadLogLevel) {
  std::string e = ErrorOf("[log]\nlevel = \"verbose\"\n");
  EXPECT_TRUE(Has(e, "log.level"));
  EXPECT_TRUE(Has(e, "verbose"));
  EXPECT_TRUE(Has(e, "trace, debug, info, warn, error, off"));

  e = ErrorOf("", {{"TURNPIKE_LOG_LEVEL", "INFO"}});
  EXPECT_TRUE(Has(e, "log.level"));
  EXPECT_TRUE(Has(e, "INFO"));
}

TEST_F(ConfigTest, EveryLogLevelIsAccepted) {
  for (const char* level : {"trace", "debug", "info", "warn", "error", "off"}) {
    auto c = Load(Write("c.toml", ""), MapEnv({{"TURNPIKE_LOG_LEVEL", level}}));
    ASSERT_TRUE(c.ok()) << level << ": " << c.error().message;
    EXPECT_EQ(c->log_level, level);
  }
}

TEST_F(ConfigTest, BadDatabaseUrlScheme) {
  for (const char* url : {"mysql://u@h/db", "/var/lib/t.db", "", "http://db"}) {
    std::string e = ErrorOf("", {{"DATABASE_URL", url}});
    EXPECT_TRUE(Has(e, "database.url")) << url;
    EXPECT_TRUE(Has(e, "DATABASE_URL")) << url;
    EXPECT_TRUE(Has(e, "sqlite://")) << url;
  }
  std::string e = ErrorOf("[database]\nurl = \"mysql://u@h/db\"\n");
  EXPECT_TRUE(Has(e, "database.url"));
}

TEST_F(ConfigTest, AcceptedDatabaseUrls) {
  for (const char* url :
       {"sqlite://./data/t.db", "sqlite:///abs/t.db", "sqlite::memory:", "postgresql://u@h/db", "postgres://u@h/db"}) {
    auto c = Load(Write("c.toml", ""), MapEnv({{"DATABASE_URL", url}}));
    EXPECT_TRUE(c.ok()) << url << ": " << c.error().message;
  }
}

TEST_F(ConfigTest, ShortJwtSecret) {
  std::string e = ErrorOf("", {{"JWT_SECRET", std::string(31, 'x')}});
  EXPECT_TRUE(Has(e, "auth.jwt_secret"));
  EXPECT_TRUE(Has(e, "JWT_SECRET"));
  EXPECT_TRUE(Has(e, "at least 32"));
  // The secret itself is not echoed.
  EXPECT_FALSE(Has(e, std::string(31, 'x')));

  auto c = Load(Write("c.toml", ""), MapEnv({{"JWT_SECRET", std::string(32, 'x')}}));
  EXPECT_TRUE(c.ok()) << c.error().message;
}

TEST_F(ConfigTest, BadAdminCredits) {
  for (const char* credits : {"-1", "ten", "1.0000001"}) {
    std::string e = ErrorOf(std::string("[bootstrap]\nadmin_credits_usd = \"") + credits + "\"\n");
    EXPECT_TRUE(Has(e, "bootstrap.admin_credits_usd")) << credits;
  }
}

TEST_F(ConfigTest, UpstreamClientIsOneOfThree) {
  for (const char* client : {"auto", "native", "curl"}) {
    auto c = Load(Write("c.toml", std::string("[upstream]\nclient = \"") + client + "\"\n"), MapEnv({}));
    ASSERT_TRUE(c.ok()) << c.error().message;
    EXPECT_EQ(c->upstream.client, client);
  }
  EXPECT_TRUE(Has(ErrorOf("[upstream]\nclient = \"beast\"\n"), "upstream.client"));
  auto e = Load(Write("c.toml", ""), MapEnv({{"TURNPIKE_UPSTREAM_CLIENT", "libcurl"}}));
  ASSERT_FALSE(e.ok());
  EXPECT_TRUE(Has(e.error().message, "TURNPIKE_UPSTREAM_CLIENT"));
}

TEST_F(ConfigTest, OtherRangesNameTheirKey) {
  EXPECT_TRUE(Has(ErrorOf("[upstream]\nconnect_timeout_ms = 1\n"), "upstream.connect_timeout_ms"));
  EXPECT_TRUE(Has(ErrorOf("[server]\nthreads = 1000\n"), "server.threads"));
  EXPECT_TRUE(Has(ErrorOf("[server]\nmax_body_bytes = 10\n"), "server.max_body_bytes"));
  EXPECT_TRUE(Has(ErrorOf("[billing]\nstale_hold_seconds = 1\n"), "billing.stale_hold_seconds"));
  EXPECT_TRUE(Has(ErrorOf("[log]\nrequest_log_batch = 0\n"), "log.request_log_batch"));
}

TEST_F(ConfigTest, BaseUrlNotAUrl) {
  std::string e = ErrorOf("", {{"OPENAI_BASE_URL", "not a url"}});
  EXPECT_TRUE(Has(e, "OPENAI_BASE_URL"));
  EXPECT_TRUE(Has(e, "not an absolute URL"));

  e = ErrorOf("", {{"ANTHROPIC_BASE_URL", "api.anthropic.com"}});
  EXPECT_TRUE(Has(e, "ANTHROPIC_BASE_URL"));
}

TEST_F(ConfigTest, BaseUrlWrongScheme) {
  std::string e = ErrorOf("", {{"OPENAI_BASE_URL", "ftp://files.example.com/v1"}});
  EXPECT_TRUE(Has(e, "OPENAI_BASE_URL"));
  EXPECT_TRUE(Has(e, "http or https"));
  EXPECT_TRUE(Has(e, "ftp"));
}

TEST_F(ConfigTest, BaseUrlWithQueryOrFragment) {
  std::string e = ErrorOf("", {{"OPENAI_BASE_URL", "https://api.example.com/v1?key=1"}});
  EXPECT_TRUE(Has(e, "OPENAI_BASE_URL"));
  EXPECT_TRUE(Has(e, "query"));

  // A fragment is refused too (boost.url's absolute-URI grammar has no fragment).
  e = ErrorOf("", {{"GOOGLE_BASE_URL", "https://api.example.com/v1#x"}});
  EXPECT_TRUE(Has(e, "GOOGLE_BASE_URL"));
}

TEST_F(ConfigTest, BaseUrlWithoutHost) {
  std::string e = ErrorOf("", {{"OPENAI_BASE_URL", "http:///v1"}});
  EXPECT_TRUE(Has(e, "OPENAI_BASE_URL"));
  EXPECT_TRUE(Has(e, "no host"));
}

TEST_F(ConfigTest, GoodBaseUrlsAreAccepted) {
  auto c = Load(Write("c.toml", ""), MapEnv({{"OPENAI_BASE_URL", "http://127.0.0.1:8080/v1"},
                                             {"ANTHROPIC_BASE_URL", "https://api.anthropic.com"},
                                             {"GOOGLE_BASE_URL", "http://localhost:9/"}}));
  EXPECT_TRUE(c.ok()) << c.error().message;
  EXPECT_TRUE(CheckBaseUrl("X", "https://api.openai.com/v1").ok());
}

TEST_F(ConfigTest, CheckBaseUrlNamesTheSetting) {
  auto s = CheckBaseUrl("MY_URL", "gopher://h");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kBadRequest);
  EXPECT_TRUE(Has(s.error().message, "MY_URL"));
}

TEST_F(ConfigTest, TomlSyntaxErrorReportsFileAndLine) {
  std::string path = Write("broken.toml", "[server]\ngateway_port = 4000\nhost = \n");
  auto c = Load(path, MapEnv({}));
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().message.rfind(path + ":3:", 0), 0u) << c.error().message;

  path = Write("broken2.toml", "[server\n");
  c = Load(path, MapEnv({}));
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().message.rfind(path + ":1:", 0), 0u) << c.error().message;
}

TEST_F(ConfigTest, MissingExplicitFileIsAnError) {
  std::string path = dir_ + "/does-not-exist.toml";
  auto c = Load(path, MapEnv({}));
  ASSERT_FALSE(c.ok());
  EXPECT_TRUE(Has(c.error().message, path));
}

// The shipped turnpike.toml documents every key with its default: loading it must change
// nothing, so the documentation cannot drift from the code.
TEST_F(ConfigTest, ShippedTurnpikeTomlHoldsExactlyTheDefaults) {
  auto c = Load(std::string(TURNPIKE_SOURCE_DIR) + "/turnpike.toml", MapEnv({}));
  ASSERT_TRUE(c.ok()) << c.error().message;
  ExpectDefaults(*c);
}

TEST_F(ConfigTest, UnknownKeysAndSectionsStopStartUp) {
  auto typo = Load(Write("typo.toml", "[server]\ngateway_prot = 4100\n"), MapEnv({}));
  ASSERT_FALSE(typo.ok());
  EXPECT_NE(typo.error().message.find("server.gateway_prot"), std::string::npos) << typo.error().message;
  EXPECT_NE(typo.error().message.find("unknown key"), std::string::npos) << typo.error().message;
  auto section = Load(Write("section.toml", "[servre]\nhost = \"::\"\n"), MapEnv({}));
  ASSERT_FALSE(section.ok());
  EXPECT_NE(section.error().message.find("servre"), std::string::npos) << section.error().message;
  auto top = Load(Write("top.toml", "gateway_port = 1\n"), MapEnv({}));
  ASSERT_FALSE(top.ok());
}

TEST_F(ConfigTest, ControlPlaneKeys) {
  auto c = Load(Write("c.toml",
                      "[auth]\ncookie_secure = true\nallowed_origins = [\"http://localhost:3001\", "
                      "\"HTTPS://Dash.Example.com\"]\nallow_signup = false\nlogin_per_ip_per_minute = 100\n"
                      "[payments]\nprovider = \"none\"\nmin_usd = \"5\"\nmax_usd = \"500.50\"\n"),
                MapEnv({}));
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_TRUE(c->cookie_secure);
  EXPECT_EQ(c->allowed_origins, (std::vector<std::string>{"http://localhost:3001", "https://dash.example.com"}));
  EXPECT_FALSE(c->allow_signup);
  EXPECT_EQ(c->login_per_ip_per_minute, 100);
  EXPECT_EQ(c->payments_provider, "none");
  EXPECT_EQ(c->payments_min_usd, "5");
  EXPECT_EQ(c->payments_max_usd, "500.50");

  auto e = Load(Write("c.toml", ""),
                MapEnv({{"TURNPIKE_ALLOWED_ORIGINS", " http://a:1 ,http://b "}, {"TURNPIKE_COOKIE_SECURE", "1"}}));
  ASSERT_TRUE(e.ok()) << e.error().message;
  EXPECT_EQ(e->allowed_origins, (std::vector<std::string>{"http://a:1", "http://b"}));
  EXPECT_TRUE(e->cookie_secure);
}

TEST_F(ConfigTest, BadControlPlaneKeys) {
  EXPECT_TRUE(Has(ErrorOf("[auth]\nallowed_origins = \"http://a\"\n"), "auth.allowed_origins"));
  EXPECT_TRUE(Has(ErrorOf("[auth]\nallowed_origins = [1]\n"), "array of strings"));
  for (const char* bad : {"localhost:3001", "http://a/", "http://a/path", "ftp://a", "http://a?x=1"}) {
    EXPECT_TRUE(Has(ErrorOf(std::string("[auth]\nallowed_origins = [\"") + bad + "\"]\n"), "auth.allowed_origins"))
        << bad;
  }
  EXPECT_TRUE(Has(ErrorOf("[payments]\nprovider = \"paypal\"\n"), "payments.provider"));
  EXPECT_TRUE(Has(ErrorOf("[payments]\nmin_usd = \"0.001\"\n"), "payments.min_usd"));
  EXPECT_TRUE(Has(ErrorOf("[payments]\nmax_usd = \"0\"\n"), "payments.max_usd"));
  EXPECT_TRUE(Has(ErrorOf("[payments]\nmin_usd = \"20\"\nmax_usd = \"10\"\n"), "payments.min_usd"));
  EXPECT_TRUE(Has(ErrorOf("[auth]\nlogin_per_email_per_minute = 0\n"), "auth.login_per_email_per_minute"));
}

TEST_F(ConfigTest, StripeKeys) {
  auto c = Load(Write("s.toml",
                      "[payments]\nprovider = \"stripe\"\nstripe_secret_key_env = \"MY_STRIPE_KEY\"\n"
                      "stripe_webhook_secret_env = \"MY_HOOK\"\nsuccess_url = \"https://dash.example.com/ok\"\n"
                      "stripe_webhook_tolerance_seconds = 60\n"),
                MapEnv({{"TURNPIKE_STRIPE_API_BASE", "http://127.0.0.1:9"},
                        {"TURNPIKE_PAYMENTS_CANCEL_URL", "https://dash.example.com/no"}}));
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->payments_provider, "stripe");
  EXPECT_EQ(c->stripe_secret_key_env, "MY_STRIPE_KEY");
  EXPECT_EQ(c->stripe_webhook_secret_env, "MY_HOOK");
  EXPECT_EQ(c->stripe_api_base, "http://127.0.0.1:9");
  EXPECT_EQ(c->payments_success_url, "https://dash.example.com/ok");
  EXPECT_EQ(c->payments_cancel_url, "https://dash.example.com/no");
  EXPECT_EQ(c->stripe_webhook_tolerance_seconds, 60);
  auto e = Load(Write("s.toml", ""), MapEnv({{"TURNPIKE_PAYMENTS_PROVIDER", "stripe"}}));
  ASSERT_TRUE(e.ok()) << e.error().message;
  EXPECT_EQ(e->payments_provider, "stripe");
}

TEST_F(ConfigTest, BadStripeKeys) {
  EXPECT_TRUE(Has(ErrorOf("[payments]\nstripe_api_base = \"api.stripe.com\"\n"), "payments.stripe_api_base"));
  EXPECT_TRUE(Has(ErrorOf("[payments]\nsuccess_url = \"/credits\"\n"), "payments.success_url"));
  EXPECT_TRUE(Has(ErrorOf("[payments]\ncancel_url = \"javascript:alert(1)\"\n"), "payments.cancel_url"));
  EXPECT_TRUE(
      Has(ErrorOf("[payments]\nstripe_webhook_tolerance_seconds = 0\n"), "payments.stripe_webhook_tolerance_seconds"));
  EXPECT_TRUE(Has(ErrorOf("[payments]\nstripe_secret_key_env = \"MY-KEY\"\n"), "payments.stripe_secret_key_env"));
  // A secret pasted where its variable's name belongs stops start-up, and is not repeated.
  std::string pasted = ErrorOf("[payments]\nstripe_secret_key_env = \"sk_test_abcdef123456\"\n");
  EXPECT_TRUE(Has(pasted, "payments.stripe_secret_key_env"));
  EXPECT_EQ(pasted.find("abcdef123456"), std::string::npos) << pasted;
  std::string hook = ErrorOf("[payments]\nstripe_webhook_secret_env = \"whsec_abcdef123456\"\n");
  EXPECT_TRUE(Has(hook, "payments.stripe_webhook_secret_env"));
  EXPECT_EQ(hook.find("abcdef123456"), std::string::npos) << hook;
}

}  // namespace
}  // namespace turnpike::config

namespace turnpike::config {
namespace {

// The edge's settings (issue 13): connection limits, the header timeout, trusted proxies and the
// metrics listener, from the file and from the environment.
TEST_F(ConfigTest, EdgeSettingsFromFileAndEnvironment) {
  auto d = Load(Write("empty.toml", ""), MapEnv({}));
  ASSERT_TRUE(d.ok()) << d.error().message;
  EXPECT_EQ(d->max_connections, 10'000);
  EXPECT_EQ(d->control_max_connections, 1'000);
  EXPECT_EQ(d->header_timeout_ms, 10'000);
  EXPECT_EQ(d->metrics_port, -1);
  EXPECT_EQ(d->metrics_token, "");
  EXPECT_TRUE(d->trusted_proxies.empty());

  auto f = Load(Write("edge.toml",
                      "[server]\nmax_connections = 50\ncontrol_max_connections = 7\nheader_timeout_ms = 2000\n"
                      "trusted_proxies = [\"10.0.0.0/8\", \"::1\"]\n"
                      "[metrics]\nhost = \"127.0.0.2\"\nport = 9464\ntoken = \"t0ken\"\n"),
                MapEnv({}));
  ASSERT_TRUE(f.ok()) << f.error().message;
  EXPECT_EQ(f->max_connections, 50);
  EXPECT_EQ(f->control_max_connections, 7);
  EXPECT_EQ(f->header_timeout_ms, 2000);
  EXPECT_EQ(f->trusted_proxies, (std::vector<std::string>{"10.0.0.0/8", "::1"}));
  EXPECT_EQ(f->metrics_host, "127.0.0.2");
  EXPECT_EQ(f->metrics_port, 9464);
  EXPECT_EQ(f->metrics_token, "t0ken");

  auto e = Load(Write("empty2.toml", ""), MapEnv({{"TURNPIKE_MAX_CONNECTIONS", "123"},
                                                  {"TURNPIKE_CONTROL_MAX_CONNECTIONS", "45"},
                                                  {"TURNPIKE_HEADER_TIMEOUT_MS", "500"},
                                                  {"TURNPIKE_KEEPALIVE_TIMEOUT_MS", "600"},
                                                  {"TURNPIKE_TRUSTED_PROXIES", "192.168.1.1, 172.16.0.0/12"},
                                                  {"TURNPIKE_METRICS_PORT", "0"},
                                                  {"TURNPIKE_METRICS_TOKEN", "secret-token"}}));
  ASSERT_TRUE(e.ok()) << e.error().message;
  EXPECT_EQ(e->max_connections, 123);
  EXPECT_EQ(e->control_max_connections, 45);
  EXPECT_EQ(e->header_timeout_ms, 500);
  EXPECT_EQ(e->keepalive_timeout_ms, 600);
  EXPECT_EQ(e->trusted_proxies, (std::vector<std::string>{"192.168.1.1", "172.16.0.0/12"}));
  EXPECT_EQ(e->metrics_port, 0);
  EXPECT_EQ(e->metrics_token, "secret-token");
}

TEST_F(ConfigTest, RequestLogRetentionFromFileAndEnvironment) {
  Config d;
  EXPECT_EQ(d.log_retention_days, 30);
  EXPECT_EQ(d.log_max_bytes, int64_t{1} << 30);
  EXPECT_EQ(d.log_max_text_bytes, 64 << 10);
  auto f = Load(Write("log.toml",
                      "[log]\nretention_days = 7\nmax_bytes = 5000000\nsweep_interval_ms = 2000\n"
                      "max_text_bytes = 1024\nqueue_max_bytes = 2097152\n"),
                MapEnv({}));
  ASSERT_TRUE(f.ok()) << f.error().message;
  EXPECT_EQ(f->log_retention_days, 7);
  EXPECT_EQ(f->log_max_bytes, 5'000'000);
  EXPECT_EQ(f->log_sweep_interval_ms, 2'000);
  EXPECT_EQ(f->log_max_text_bytes, 1'024);
  EXPECT_EQ(f->log_queue_max_bytes, 2'097'152);

  auto e = Load(Write("log2.toml", "[log]\nretention_days = 7\n"), MapEnv({{"TURNPIKE_LOG_RETENTION_DAYS", "0"},
                                                                           {"TURNPIKE_LOG_MAX_BYTES", "0"},
                                                                           {"TURNPIKE_LOG_SWEEP_INTERVAL_MS", "50"},
                                                                           {"TURNPIKE_LOG_MAX_TEXT_BYTES", "0"},
                                                                           {"TURNPIKE_LOG_QUEUE_MAX_BYTES", "4096"}}));
  ASSERT_TRUE(e.ok()) << e.error().message;
  EXPECT_EQ(e->log_retention_days, 0);
  EXPECT_EQ(e->log_max_bytes, 0);
  EXPECT_EQ(e->log_sweep_interval_ms, 50);
  EXPECT_EQ(e->log_max_text_bytes, 0);
  EXPECT_EQ(e->log_queue_max_bytes, 4'096);

  auto bad = Load(Write("log3.toml", ""), MapEnv({{"TURNPIKE_LOG_RETENTION_DAYS", "-1"}}));
  ASSERT_FALSE(bad.ok());
  EXPECT_TRUE(Has(bad.error().message, "log.retention_days (TURNPIKE_LOG_RETENTION_DAYS)"));
}

TEST_F(ConfigTest, BadTrustedProxyNamesTheKeyAndTheItem) {
  auto c = Load(Write("empty.toml", ""), MapEnv({{"TURNPIKE_TRUSTED_PROXIES", "10.0.0.0/8,proxy.local"}}));
  ASSERT_FALSE(c.ok());
  EXPECT_TRUE(Has(c.error().message, "server.trusted_proxies (TURNPIKE_TRUSTED_PROXIES)"));
  EXPECT_TRUE(Has(c.error().message, "\"proxy.local\""));
  auto zero = Load(Write("zero.toml", "[server]\nmax_connections = 0\n"), MapEnv({}));
  ASSERT_FALSE(zero.ok());
  EXPECT_TRUE(Has(zero.error().message, "server.max_connections"));
}

TEST(NetworksTest, AddressesAndRanges) {
  auto n = Networks::Parse({"10.0.0.0/8", "192.168.1.7", "fd00::/8", "::1", "172.16.0.0/12"});
  ASSERT_TRUE(n.ok()) << n.error().message;
  EXPECT_TRUE(n->Contains("10.1.2.3"));
  EXPECT_TRUE(n->Contains("::ffff:10.1.2.3"));  // an IPv4 client of a listener bound to ::
  EXPECT_TRUE(n->Contains("192.168.1.7"));
  EXPECT_FALSE(n->Contains("192.168.1.8"));
  EXPECT_TRUE(n->Contains("172.31.255.255"));
  EXPECT_FALSE(n->Contains("172.32.0.1"));
  EXPECT_TRUE(n->Contains("fd12::5"));
  EXPECT_TRUE(n->Contains("[::1]"));
  EXPECT_FALSE(n->Contains("::2"));
  EXPECT_FALSE(n->Contains("11.0.0.1"));
  EXPECT_FALSE(n->Contains("not an address"));
  EXPECT_FALSE(Networks().Contains("10.1.2.3"));
  for (const char* bad : {"10.0.0.0/33", "10.0.0.0/", "::/129", "10.0.0.0/8x", "example.com", ""}) {
    EXPECT_FALSE(Networks::Parse({bad}).ok()) << bad;
  }
}

}  // namespace
}  // namespace turnpike::config
