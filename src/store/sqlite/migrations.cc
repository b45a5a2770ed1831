// The SQLite migrations as raw string literals. Keep each byte-identical to its file under
// src/store/migrations/sqlite/ (SqliteMigrationsTest.EmbeddedSqlMatchesFiles checks it). A new
// migration: add NNNN_name.sql there, append it here with the next version, never edit an old one.
#include "store/sqlite/migrations.h"

namespace turnpike::store::sqlite {
namespace {

constexpr std::string_view k0001Init = R"sql(-- 0001_init: the initial Turnpike schema, SQLite dialect.
--
-- Money is integer micro-USD (1 USD = 1'000'000); prices are integer micro-USD per million
-- tokens. Timestamps are unix seconds, except request_log.created_at (unix milliseconds).
-- Tables are STRICT so a value of the wrong type is an error, never a silent REAL or TEXT.
-- Arrays (modalities, supported parameters) are JSON text.

CREATE TABLE users (
  id             INTEGER PRIMARY KEY,
  email          TEXT    NOT NULL UNIQUE CHECK (email <> '' AND email = lower(email)),
  password_hash  TEXT    NOT NULL,
  is_admin       INTEGER NOT NULL DEFAULT 0 CHECK (is_admin IN (0, 1)),
  balance_micros INTEGER NOT NULL DEFAULT 0,  -- always the sum of the user's ledger_entries
  created_at     INTEGER NOT NULL
) STRICT;

CREATE TABLE sessions (
  id         TEXT    PRIMARY KEY,  -- hex SHA-256 of the session token, never the token
  user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  expires_at INTEGER NOT NULL,
  created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE api_keys (
  id           INTEGER PRIMARY KEY,
  user_id      INTEGER NOT NULL REFERENCES users (id),
  name         TEXT    NOT NULL,
  prefix       TEXT    NOT NULL,
  hash         TEXT    NOT NULL UNIQUE
                       CHECK (length(hash) = 64 AND hash NOT GLOB '*[^0-9a-f]*'),
  limit_micros INTEGER CHECK (limit_micros IS NULL OR limit_micros >= 0),  -- NULL: unlimited
  usage_micros INTEGER NOT NULL DEFAULT 0 CHECK (usage_micros >= 0),  -- settled + held
  disabled     INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
  expires_at   INTEGER,
  created_at   INTEGER NOT NULL,
  last_used_at INTEGER
) STRICT;
CREATE INDEX api_keys_user ON api_keys (user_id);

CREATE TABLE companies (
  id   TEXT PRIMARY KEY CHECK (id <> ''),
  name TEXT NOT NULL
) STRICT;

CREATE TABLE providers (
  id           TEXT    PRIMARY KEY CHECK (id <> ''),
  name         TEXT    NOT NULL,
  adapter      TEXT    NOT NULL CHECK (adapter <> ''),
  base_url     TEXT    NOT NULL DEFAULT '',
  key_env      TEXT    NOT NULL DEFAULT '',
  base_url_env TEXT    NOT NULL DEFAULT '',
  enabled      INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1))
) STRICT;

CREATE TABLE models (
  id                TEXT    PRIMARY KEY CHECK (id <> ''),
  company_id        TEXT    NOT NULL REFERENCES companies (id),
  name              TEXT    NOT NULL,
  description       TEXT    NOT NULL DEFAULT '',
  context_length    INTEGER NOT NULL DEFAULT 0 CHECK (context_length >= 0),
  max_output        INTEGER NOT NULL DEFAULT 0 CHECK (max_output >= 0),
  created           INTEGER NOT NULL DEFAULT 0,
  source            TEXT    NOT NULL DEFAULT '',
  input_modalities  TEXT    NOT NULL DEFAULT '[]' CHECK (json_valid(input_modalities)),
  output_modalities TEXT    NOT NULL DEFAULT '[]' CHECK (json_valid(output_modalities))
) STRICT;
CREATE INDEX models_company ON models (company_id);

CREATE TABLE model_providers (
  id                   INTEGER PRIMARY KEY,  -- insertion order is the catalog's endpoint order
  model_id             TEXT    NOT NULL REFERENCES models (id) ON DELETE CASCADE,
  provider_id          TEXT    NOT NULL REFERENCES providers (id),
  upstream_model       TEXT    NOT NULL,
  price_input          INTEGER NOT NULL DEFAULT 0 CHECK (price_input >= 0),
  price_output         INTEGER NOT NULL DEFAULT 0 CHECK (price_output >= 0),
  price_cache_read     INTEGER NOT NULL DEFAULT 0 CHECK (price_cache_read >= 0),
  price_cache_write    INTEGER NOT NULL DEFAULT 0 CHECK (price_cache_write >= 0),
  context_length       INTEGER NOT NULL DEFAULT 0 CHECK (context_length >= 0),
  max_output           INTEGER NOT NULL DEFAULT 0 CHECK (max_output >= 0),
  supported_parameters TEXT    NOT NULL DEFAULT '[]' CHECK (json_valid(supported_parameters)),
  enabled              INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
  UNIQUE (model_id, provider_id)
) STRICT;
CREATE INDEX model_providers_provider ON model_providers (provider_id);

CREATE TABLE onramp_transactions (
  id            INTEGER PRIMARY KEY,
  user_id       INTEGER NOT NULL REFERENCES users (id),
  amount_micros INTEGER NOT NULL CHECK (amount_micros > 0),
  provider      TEXT    NOT NULL,
  external_id   TEXT    NOT NULL UNIQUE,
  status        TEXT    NOT NULL,
  created_at    INTEGER NOT NULL
) STRICT;
CREATE INDEX onramp_transactions_user ON onramp_transactions (user_id, created_at);

-- The money ledger. Append-only: the triggers below refuse every UPDATE and DELETE.
CREATE TABLE ledger_entries (
  id             INTEGER PRIMARY KEY,
  user_id        INTEGER NOT NULL REFERENCES users (id),
  key_id         INTEGER REFERENCES api_keys (id),
  kind           TEXT    NOT NULL
                         CHECK (kind IN ('topup', 'grant', 'hold', 'settle', 'refund')),
  amount_micros  INTEGER NOT NULL,  -- signed: credits positive, debits negative
  idempotency_id TEXT    NOT NULL UNIQUE CHECK (idempotency_id <> ''),
  request_id     TEXT    NOT NULL DEFAULT '',
  note           TEXT    NOT NULL DEFAULT '',
  created_at     INTEGER NOT NULL,
  CHECK (kind NOT IN ('topup', 'grant') OR amount_micros > 0),
  CHECK (kind <> 'hold' OR amount_micros <= 0),
  CHECK (kind NOT IN ('hold', 'settle') OR (request_id <> '' AND key_id IS NOT NULL))
) STRICT;
CREATE INDEX ledger_entries_user ON ledger_entries (user_id);
CREATE INDEX ledger_entries_user_kind ON ledger_entries (user_id, kind, amount_micros);

CREATE TRIGGER ledger_entries_no_update BEFORE UPDATE ON ledger_entries
BEGIN
  SELECT RAISE(ABORT, 'ledger_entries is append-only');
END;

CREATE TRIGGER ledger_entries_no_delete BEFORE DELETE ON ledger_entries
BEGIN
  SELECT RAISE(ABORT, 'ledger_entries is append-only');
END;

-- One row per reserved request. settled_micros/settled_at are set together, exactly once.
CREATE TABLE holds (
  request_id     TEXT    PRIMARY KEY CHECK (request_id <> ''),
  user_id        INTEGER NOT NULL REFERENCES users (id),
  key_id         INTEGER NOT NULL REFERENCES api_keys (id),
  amount_micros  INTEGER NOT NULL CHECK (amount_micros >= 0),
  settled_micros INTEGER CHECK (settled_micros IS NULL OR settled_micros >= 0),
  created_at     INTEGER NOT NULL,
  settled_at     INTEGER,
  CHECK ((settled_micros IS NULL) = (settled_at IS NULL))
) STRICT;
CREATE INDEX holds_unsettled ON holds (created_at) WHERE settled_micros IS NULL;
CREATE INDEX holds_user ON holds (user_id);

CREATE TRIGGER holds_settle_once BEFORE UPDATE ON holds
WHEN OLD.settled_micros IS NOT NULL
  OR NEW.request_id IS NOT OLD.request_id
  OR NEW.user_id IS NOT OLD.user_id
  OR NEW.key_id IS NOT OLD.key_id
  OR NEW.amount_micros IS NOT OLD.amount_micros
  OR NEW.created_at IS NOT OLD.created_at
BEGIN
  SELECT RAISE(ABORT, 'a hold is settled once and otherwise immutable');
END;

CREATE TRIGGER holds_no_delete BEFORE DELETE ON holds
BEGIN
  SELECT RAISE(ABORT, 'holds are kept');
END;

-- The request log (the seed's Conversation). Written in batches; no foreign keys, so one
-- odd row never loses a batch.
CREATE TABLE request_log (
  id                INTEGER PRIMARY KEY,
  request_id        TEXT    NOT NULL UNIQUE,
  user_id           INTEGER NOT NULL,
  key_id            INTEGER NOT NULL,
  model_id          TEXT    NOT NULL,
  provider_id       TEXT    NOT NULL DEFAULT '',
  upstream_model    TEXT    NOT NULL DEFAULT '',
  streamed          INTEGER NOT NULL DEFAULT 0 CHECK (streamed IN (0, 1)),
  prompt_tokens     INTEGER NOT NULL DEFAULT 0,
  completion_tokens INTEGER NOT NULL DEFAULT 0,
  cached_tokens     INTEGER NOT NULL DEFAULT 0,
  reasoning_tokens  INTEGER NOT NULL DEFAULT 0,
  cost_micros       INTEGER NOT NULL DEFAULT 0,
  usage_source      TEXT    NOT NULL DEFAULT 'provider'
                            CHECK (usage_source IN ('provider', 'estimated')),
  latency_ms        INTEGER NOT NULL DEFAULT 0,
  ttft_ms           INTEGER NOT NULL DEFAULT -1,  -- -1: no content byte was sent
  http_status       INTEGER NOT NULL DEFAULT 0,
  finish_reason     TEXT    NOT NULL DEFAULT '',
  error_message     TEXT    NOT NULL DEFAULT '',
  created_at        INTEGER NOT NULL  -- unix milliseconds
) STRICT;
CREATE INDEX request_log_user ON request_log (user_id, created_at);
CREATE INDEX request_log_key ON request_log (key_id, created_at);
)sql";

constexpr Migration kMigrations[] = {
    {1, "0001_init", k0001Init},
};

}  // namespace

std::span<const Migration> Migrations() { return kMigrations; }

}  // namespace turnpike::store::sqlite
