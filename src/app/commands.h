// The subcommands of the turnpike binary, apart from argument parsing (main.cc). Each returns
// the process exit code and prints its result to stdout, errors to stderr.
#pragma once

#include <optional>
#include <string>

#include "config/config.h"

namespace turnpike::app {

int Serve(const config::Config& config, const std::string& role);
int Migrate(const config::Config& config);
int UserCreate(const config::Config& config, const std::string& email, const std::string& password, bool admin,
               const std::string& credits_usd);
int UserShow(const config::Config& config, const std::string& email);
// Sets the password of the user with `email`, hashed as the control plane hashes passwords, and
// ends every dashboard session of that user. The password is read from `in`: one line (without
// its line ending) when `from_stdin`, else typed twice at a prompt on the terminal with echo off.
// It is never an argument, so it never shows in the process list or the shell's history.
int UserSetPassword(const config::Config& config, const std::string& email, bool from_stdin);
// A key's limits as typed on the command line; nullopt: not given.
struct KeyLimitArgs {
  std::optional<std::string> limit_usd;    // spending limit: a USD amount, or "none"
  std::optional<std::string> limit_reset;  // when it starts again from zero: daily, weekly, monthly or never
  std::optional<std::string> rpm, tpm;     // requests, tokens per minute: a positive integer, or "0" / "none"
};
// `management`: a management key (store::ApiKey::management), which manages keys and cannot call
// models.
int KeyCreate(const config::Config& config, const std::string& email, const std::string& name,
              const KeyLimitArgs& limits, bool management = false);
int KeyList(const config::Config& config, const std::string& email);
int KeyDisable(const config::Config& config, int64_t id, bool disabled);
// Changes the limits given (as KeyCreate reads them) and leaves the others as they are. A running
// gateway applies the change within auth.key_cache_ttl_ms.
int KeySetLimits(const config::Config& config, int64_t id, const KeyLimitArgs& limits);
int CatalogImport(const config::Config& config, const std::string& file);
int CatalogList(const config::Config& config);

}  // namespace turnpike::app
