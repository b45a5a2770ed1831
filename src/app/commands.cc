#include "app/commands.h"

#include <fmt/format.h>
#include <termios.h>
#include <unistd.h>
#include <boost/json.hpp>
#include <charconv>
#include <cstdio>
#include <iostream>

#include "common/clock.h"
#include "common/crypto.h"
#include "control/account_rules.h"
#include "store/catalog_file.h"
#include "store/store.h"

namespace turnpike::app {
namespace json = boost::json;

namespace {

int Fail(const std::string& message) {
  std::cerr << "turnpike: " << message << "\n";
  return 1;
}

// The store every command works on (store::OpenReadyStore), or null with `error` set.
std::unique_ptr<store::Store> OpenReady(const config::Config& config, std::string& error) {
  auto ready = store::OpenReadyStore(config.database_url);
  if (!ready.ok()) {
    error = ready.error().message;
    return nullptr;
  }
  return std::move(ready->store);
}

// The user with `email`, or the message to fail with: no such user, or the store's error.
Result<store::User> UserByEmail(store::UserStore& users, const std::string& email) {
  auto user = users.FindUserByEmail(email);
  if (!user.ok()) return user.error();
  if (!*user) return MakeError(ErrorCode::kNotFound, "no user with email " + email);
  return **user;
}

// A rate limit as the CLI takes it: a positive integer up to `max`, or "0" / "none" for no
// limit (an empty inner optional). nullopt when it is neither.
std::optional<std::optional<int64_t>> ParseRateLimit(const std::string& text, int64_t max) {
  if (text == "none" || text == "0") return std::optional<int64_t>();
  int64_t n = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || p != text.data() + text.size() || n < 1 || n > max) return std::nullopt;
  return std::optional<int64_t>(n);
}

// Reads the limits given into `update`; the message to fail with when one is bad.
std::optional<std::string> ReadKeyLimits(const KeyLimitArgs& args, store::KeyUpdate& update) {
  constexpr int64_t kMaxRpm = 1'000'000'000, kMaxTpm = 1'000'000'000'000;
  if (args.limit_usd) {
    std::optional<money::Micros> limit = money::ParseUsd(*args.limit_usd);
    if (*args.limit_usd != "none" && (!limit || *limit < 0)) {
      return "--limit: not a USD amount (or none for no limit): \"" + *args.limit_usd + "\"";
    }
    update.limit = limit;
  }
  if (args.limit_reset) {
    update.limit_reset =
        *args.limit_reset == "never" ? store::LimitReset::kNever : store::ParseLimitReset(*args.limit_reset);
    if (!update.limit_reset || args.limit_reset->empty()) {
      return "--limit-reset: daily, weekly, monthly or never: \"" + *args.limit_reset + "\"";
    }
  }
  if (args.rpm && !(update.rpm_limit = ParseRateLimit(*args.rpm, kMaxRpm))) {
    return "--rpm: not a number of requests per minute (1 to 1000000000, or 0 / none for no limit): \"" + *args.rpm +
           "\"";
  }
  if (args.tpm && !(update.tpm_limit = ParseRateLimit(*args.tpm, kMaxTpm))) {
    return "--tpm: not a number of tokens per minute (1 to 1000000000000, or 0 / none for no limit): \"" + *args.tpm +
           "\"";
  }
  return std::nullopt;
}

// One line of standard input without its line ending (\n or \r\n); nullopt at end of input
// before any line.
std::optional<std::string> ReadLine() {
  std::string line;
  if (!std::getline(std::cin, line)) return std::nullopt;
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

// A line typed at `prompt` on the terminal with echo off (restored afterwards, whatever happens).
std::optional<std::string> ReadHidden(const char* prompt) {
  std::cerr << prompt << std::flush;
  termios saved{};
  const bool tty = ::tcgetattr(STDIN_FILENO, &saved) == 0;
  if (tty) {
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
  }
  auto line = ReadLine();
  if (tty) ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
  std::cerr << "\n";
  return line;
}

json::value LimitOrNull(const std::optional<int64_t>& limit) {
  return limit ? json::value(*limit) : json::value(nullptr);
}

// A key's limits as `key list` and `key set-limits` print them.
void AddLimits(json::object& o, const store::ApiKey& key) {
  o["limit_micros"] = LimitOrNull(key.limit);
  const std::string_view reset = store::LimitResetName(key.limit_reset);
  o["limit_reset"] = reset.empty() ? json::value(nullptr) : json::value(reset);
  o["limit_usage_micros"] = key.limit_usage;
  o["rpm_limit"] = LimitOrNull(key.rpm_limit);
  o["tpm_limit"] = LimitOrNull(key.tpm_limit);
}

}  // namespace

int Migrate(const config::Config& config) {
  auto ready = store::OpenReadyStore(config.database_url);
  if (!ready.ok()) return Fail(ready.error().message);
  std::cout << "migrations applied: " << ready->migrations_applied << "\n";
  if (ready->default_models_loaded > 0) {
    std::cout << "default catalog loaded: " << ready->default_models_loaded << " models, "
              << ready->default_providers_loaded << " providers\n";
  }
  return 0;
}

int UserCreate(const config::Config& config, const std::string& email, const std::string& password, bool admin,
               const std::string& credits_usd) {
  if (email.find('@') == std::string::npos || email.size() > 254) return Fail("--email: not an email address");
  if (password.size() < 8) return Fail("--password: must be at least 8 characters");
  auto credits = money::ParseUsd(credits_usd);
  if (!credits || *credits < 0) return Fail("--credits: not a USD amount: \"" + credits_usd + "\"");
  std::string error;
  auto store = OpenReady(config, error);
  if (!store) return Fail(error);
  auto hash = crypto::HashPassword(password);
  if (!hash.ok()) return Fail(hash.error().message);
  auto id = store->CreateUser(email, *hash, admin);
  if (!id.ok()) return Fail(id.error().message);
  if (*credits > 0) {
    auto s =
        store->Credit(*id, *credits, "grant", "grant:cli:" + crypto::RandomHex(16), "turnpike user create --credits");
    if (!s.ok()) return Fail(s.error().message);
  }
  std::cout << *id << "\n";
  return 0;
}

int UserShow(const config::Config& config, const std::string& email) {
  std::string error;
  auto store = OpenReady(config, error);
  if (!store) return Fail(error);
  auto user = UserByEmail(*store, email);
  if (!user.ok()) return Fail(user.error().message);
  auto ledger_sum = store->LedgerSum(user->id);
  if (!ledger_sum.ok()) return Fail(ledger_sum.error().message);
  auto credited = store->TotalCredited(user->id);
  if (!credited.ok()) return Fail(credited.error().message);
  auto spent = store->TotalSpent(user->id);
  if (!spent.ok()) return Fail(spent.error().message);
  json::object o{{"id", user->id},
                 {"email", user->email},
                 {"is_admin", user->is_admin},
                 {"balance_micros", user->balance},
                 {"ledger_sum_micros", *ledger_sum},
                 {"total_credited_micros", *credited},
                 {"total_spent_micros", *spent}};
  std::cout << json::serialize(o) << "\n";
  return 0;
}

int UserSetPassword(const config::Config& config, const std::string& email, bool from_stdin) {
  std::optional<std::string> password;
  if (from_stdin) {
    password = ReadLine();
    if (!password) return Fail("--password-stdin: no password on standard input");
  } else {
    if (!::isatty(STDIN_FILENO)) {
      return Fail("set-password: standard input is not a terminal; pipe the password with --password-stdin");
    }
    password = ReadHidden("New password: ");
    auto again = ReadHidden("Repeat it: ");
    if (!password || !again) return Fail("set-password: no password typed");
    if (*password != *again) return Fail("set-password: the two passwords differ; nothing changed");
  }
  if (!control::ValidPassword(*password)) {
    return Fail(fmt::format("set-password: the password must be {} to {} characters", control::kMinPasswordChars,
                            control::kMaxPasswordChars));
  }
  std::string error;
  auto store = OpenReady(config, error);
  if (!store) return Fail(error);
  auto user = UserByEmail(*store, email);
  if (!user.ok()) return Fail(user.error().message);
  auto hash = crypto::HashPassword(*password);
  if (!hash.ok()) return Fail(hash.error().message);
  if (auto s = store->SetUserPassword(user->id, *hash); !s.ok()) return Fail(s.error().message);
  if (auto s = store->DeleteUserSessions(user->id); !s.ok()) {
    return Fail("the password was changed, but signing out the user's sessions failed: " + s.error().message);
  }
  std::cout << "password changed for " << user->email << "; every dashboard session of the user was signed out\n";
  return 0;
}

int KeyCreate(const config::Config& config, const std::string& email, const std::string& name, const KeyLimitArgs& args,
              bool management) {
  store::KeyUpdate limits;
  if (auto bad = ReadKeyLimits(args, limits)) return Fail(*bad);
  std::string error;
  auto store = OpenReady(config, error);
  if (!store) return Fail(error);
  auto user = UserByEmail(*store, email);
  if (!user.ok()) return Fail(user.error().message);
  auto generated = crypto::GenerateApiKey();
  store::ApiKey key;
  key.user_id = user->id;
  key.name = name;
  key.prefix = generated.prefix;
  key.hash_hex = generated.hash_hex;
  key.limit = limits.limit.value_or(std::nullopt);
  key.limit_reset = limits.limit_reset.value_or(store::LimitReset::kNever);
  key.rpm_limit = limits.rpm_limit.value_or(std::nullopt);
  key.tpm_limit = limits.tpm_limit.value_or(std::nullopt);
  key.management = management;
  key.created_at = UnixSeconds();
  auto id = store->CreateKey(key);
  if (!id.ok()) return Fail(id.error().message);
  std::cerr << "Created " << (management ? "management key " : "key ") << *id << " (" << generated.prefix << ") for "
            << user->email << ". It is shown only now; store it safely:\n";
  std::cout << generated.key << "\n";
  return 0;
}

int KeyList(const config::Config& config, const std::string& email) {
  std::string error;
  auto store = OpenReady(config, error);
  if (!store) return Fail(error);
  auto user = UserByEmail(*store, email);
  if (!user.ok()) return Fail(user.error().message);
  auto keys = store->ListKeys(user->id);
  if (!keys.ok()) return Fail(keys.error().message);
  for (const auto& k : *keys) {
    json::object o{
        {"id", k.id}, {"name", k.name}, {"prefix", k.prefix}, {"usage_micros", k.usage}, {"disabled", k.disabled}};
    AddLimits(o, k);
    o["management"] = k.management;
    o["hash"] = k.public_id;
    std::cout << json::serialize(o) << "\n";
  }
  return 0;
}

int KeyDisable(const config::Config& config, int64_t id, bool disabled) {
  std::string error;
  auto store = OpenReady(config, error);
  if (!store) return Fail(error);
  if (auto s = store->SetKeyDisabled(id, disabled); !s.ok()) return Fail(s.error().message);
  std::cout << "key " << id << (disabled ? " disabled" : " enabled") << "\n";
  return 0;
}

int KeySetLimits(const config::Config& config, int64_t id, const KeyLimitArgs& args) {
  if (!args.limit_usd && !args.limit_reset && !args.rpm && !args.tpm) {
    return Fail("key set-limits: give one or more of --limit, --limit-reset, --rpm, --tpm");
  }
  store::KeyUpdate update;
  if (auto bad = ReadKeyLimits(args, update)) return Fail(*bad);
  std::string error;
  auto store = OpenReady(config, error);
  if (!store) return Fail(error);
  if (auto s = store->UpdateKey(id, update); !s.ok()) return Fail(s.error().message);
  auto key = store->FindKeyById(id);
  if (!key.ok()) return Fail(key.error().message);
  if (!*key) return Fail("no key with id " + std::to_string(id));
  json::object o{{"id", id}};
  AddLimits(o, **key);
  std::cout << json::serialize(o) << "\n";
  return 0;
}

int CatalogImport(const config::Config& config, const std::string& file) {
  auto catalog = store::ReadCatalogFile(file);
  if (!catalog.ok()) return Fail(catalog.error().message);
  std::string error;
  auto store = OpenReady(config, error);
  if (!store) return Fail(error);
  if (auto s = store->ImportCatalog(*catalog); !s.ok()) return Fail(s.error().message);
  std::cout << "imported " << catalog->companies.size() << " companies, " << catalog->providers.size() << " providers, "
            << catalog->models.size() << " models\n";
  return 0;
}

int CatalogList(const config::Config& config) {
  std::string error;
  auto store = OpenReady(config, error);
  if (!store) return Fail(error);
  auto catalog = store->LoadCatalog();
  if (!catalog.ok()) return Fail(catalog.error().message);
  std::cout << fmt::format("{:<42} {:<12} {:<44} {:>10} {:>10} {:>10} {:>10}\n", "MODEL", "PROVIDER", "UPSTREAM ID",
                           "IN $/M", "OUT $/M", "CACHE RD", "CACHE WR");
  for (const auto& m : catalog->models) {
    for (const auto& e : m.endpoints) {
      std::cout << fmt::format("{:<42} {:<12} {:<44} {:>10} {:>10} {:>10} {:>10}\n", m.id, e.provider_id,
                               e.upstream_model, money::FormatUsd(e.prices.input), money::FormatUsd(e.prices.output),
                               money::FormatUsd(e.prices.cache_read), money::FormatUsd(e.prices.cache_write));
    }
  }
  return 0;
}

}  // namespace turnpike::app
