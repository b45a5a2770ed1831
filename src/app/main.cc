// turnpike: the command line. Parses arguments (CLI11 lives only here), loads the
// configuration, and hands over to app/commands.h.
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>
#include <iostream>

#include "app/commands.h"
#include "common/crypto.h"
#include "net/upstream_client.h"

int main(int argc, char** argv) {
  using namespace turnpike;
  CLI::App app{"Turnpike: a self-hosted, OpenRouter-compatible LLM router"};
  app.require_subcommand(1);
  app.fallthrough();  // --config may come after the subcommand: `turnpike serve --config FILE`
  std::string config_file;
  app.add_option("--config", config_file, "TOML configuration file (default: ./turnpike.toml if present)");

  std::string role = "all";
  auto* serve = app.add_subcommand("serve", "Run the gateway (:4000) and control (:3000) listeners");
  serve->add_option("--role", role, "all, gateway or control")->check(CLI::IsMember({"all", "gateway", "control"}));

  app.add_subcommand("migrate", "Apply pending schema migrations; load the default catalog into an empty one");

  auto* user = app.add_subcommand("user", "Manage users")->require_subcommand(1);
  std::string email, password, credits = "0";
  bool admin = false;
  auto* user_create = user->add_subcommand("create", "Create a user; prints the user id");
  user_create->add_option("--email", email, "Email address")->required();
  user_create->add_option("--password", password, "Password (at least 8 characters)")->required();
  user_create->add_flag("--admin", admin, "Make the user an administrator");
  user_create->add_option("--credits", credits, "Initial credits in USD, e.g. 10 or 2.50");
  auto* user_show = user->add_subcommand("show", "Show a user's balance and ledger totals as JSON");
  user_show->add_option("--email", email, "Email address")->required();
  bool password_stdin = false;
  auto* user_password = user->add_subcommand(
      "set-password", "Set a user's password (typed at a prompt) and sign out their dashboard sessions");
  user_password->add_option("--email", email, "Email address")->required();
  user_password->add_flag("--password-stdin", password_stdin,
                          "Read the password from the first line of standard input instead of a prompt");

  auto* key = app.add_subcommand("key", "Manage API keys")->require_subcommand(1);
  std::string name;
  int64_t key_id = 0;
  auto* key_create = key->add_subcommand("create", "Create an API key; prints it (the only time it is shown)");
  key_create->add_option("--email", email, "Owner's email address")->required();
  key_create->add_option("--name", name, "A name for the key")->required();
  app::KeyLimitArgs limits;
  key_create->add_option("--limit", limits.limit_usd, "Spending limit in USD (default: none)");
  key_create->add_option("--limit-reset", limits.limit_reset,
                         "When the spending limit starts again from zero, at UTC midnight: daily, weekly (Monday), "
                         "monthly, or never (default)");
  key_create->add_option("--rpm", limits.rpm, "Requests per minute (default: none)");
  key_create->add_option("--tpm", limits.tpm, "Tokens (prompt + completion) per minute (default: none)");
  bool management = false;
  key_create->add_flag("--management", management,
                       "A management key: manages keys through the gateway's /api/v1/keys, cannot call models");
  auto* key_list = key->add_subcommand("list", "List a user's keys, one JSON object per line");
  key_list->add_option("--email", email, "Owner's email address")->required();
  auto* key_disable = key->add_subcommand("disable", "Disable a key");
  key_disable->add_option("--id", key_id, "Key id (from key list)")->required();
  auto* key_enable = key->add_subcommand("enable", "Enable a disabled key");
  key_enable->add_option("--id", key_id, "Key id (from key list)")->required();
  auto* key_limits =
      key->add_subcommand("set-limits", "Change a key's spending and rate limits; those not given stay as they are");
  key_limits->add_option("--id", key_id, "Key id (from key list)")->required();
  key_limits->add_option("--limit", limits.limit_usd, "Spending limit in USD, or none for no limit");
  key_limits->add_option("--limit-reset", limits.limit_reset,
                         "When the spending limit starts again from zero: daily, weekly, monthly or never");
  key_limits->add_option("--rpm", limits.rpm, "Requests per minute, or 0 / none for no limit");
  key_limits->add_option("--tpm", limits.tpm, "Tokens (prompt + completion) per minute, or 0 / none for no limit");

  auto* catalog = app.add_subcommand("catalog", "Manage the model catalog")->require_subcommand(1);
  std::string catalog_file;
  auto* catalog_import =
      catalog->add_subcommand("import", "Load companies, models, providers and prices from a TOML file");
  catalog_import->add_option("FILE", catalog_file, "Catalog TOML (format: catalog/README.md)")->required();
  auto* catalog_list = catalog->add_subcommand("list", "Show models, providers and per-provider prices");

  CLI11_PARSE(app, argc, argv);

  if (!crypto::InitCrypto() || !net::InitCurl()) {
    std::cerr << "turnpike: cannot initialise libsodium or libcurl\n";
    return 1;
  }
  auto config = config::Load(config_file, config::ProcessEnv());
  if (!config.ok()) {
    std::cerr << "turnpike: bad configuration: " << config.error().message << "\n";
    return 2;
  }
  auto logger = spdlog::stderr_color_mt("turnpike");
  spdlog::set_default_logger(logger);
  spdlog::set_level(spdlog::level::from_str(config->log_level));

  if (*serve) return app::Serve(*config, role);
  if (app.got_subcommand("migrate")) return app::Migrate(*config);
  if (*user_create) return app::UserCreate(*config, email, password, admin, credits);
  if (*user_show) return app::UserShow(*config, email);
  if (*user_password) return app::UserSetPassword(*config, email, password_stdin);
  if (*key_create) return app::KeyCreate(*config, email, name, limits, management);
  if (*key_list) return app::KeyList(*config, email);
  if (*key_disable) return app::KeyDisable(*config, key_id, true);
  if (*key_enable) return app::KeyDisable(*config, key_id, false);
  if (*key_limits) return app::KeySetLimits(*config, key_id, limits);
  if (*catalog_import) return app::CatalogImport(*config, catalog_file);
  if (*catalog_list) return app::CatalogList(*config);
  return 1;
}
