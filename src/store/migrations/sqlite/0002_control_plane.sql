-- 0002_control_plane: what the control plane needs: disabled users, key management (prompt
-- logging, soft delete), the request log's prices and texts, activity rollups, completed
-- top-ups, and admin deductions in the ledger.
--
-- Runs inside the migration's transaction with foreign keys on. Two tables are rebuilt (SQLite
-- cannot change a CHECK or UNIQUE constraint in place): neither is referenced by a foreign
-- key, so dropping the old copy touches no other table, and their rows are copied as they are.

ALTER TABLE users ADD COLUMN disabled INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1));

-- A deleted key keeps its row (its ledger entries, holds and log rows refer to it) and its
-- hash (still UNIQUE: a rotation replaces the hash instead).
ALTER TABLE api_keys ADD COLUMN log_prompts INTEGER NOT NULL DEFAULT 0
  CHECK (log_prompts IN (0, 1));
ALTER TABLE api_keys ADD COLUMN deleted_at INTEGER;  -- unix seconds; NULL while the key exists

ALTER TABLE request_log ADD COLUMN price_input INTEGER NOT NULL DEFAULT 0;
ALTER TABLE request_log ADD COLUMN price_output INTEGER NOT NULL DEFAULT 0;
ALTER TABLE request_log ADD COLUMN price_cache_read INTEGER NOT NULL DEFAULT 0;
ALTER TABLE request_log ADD COLUMN price_cache_write INTEGER NOT NULL DEFAULT 0;
ALTER TABLE request_log ADD COLUMN prompt_text TEXT NOT NULL DEFAULT '';
ALTER TABLE request_log ADD COLUMN completion_text TEXT NOT NULL DEFAULT '';
-- QueryRequestLogs pages one user's rows newest first by id.
CREATE INDEX request_log_user_id ON request_log (user_id, id);

-- Per user, UTC day, model and key: the totals of the request log rows, maintained by the
-- transaction that inserts them, so activity charts never scan the log.
CREATE TABLE activity_rollups (
  user_id           INTEGER NOT NULL,
  day               TEXT    NOT NULL CHECK (day GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
  model_id          TEXT    NOT NULL,
  key_id            INTEGER NOT NULL,
  requests          INTEGER NOT NULL DEFAULT 0,
  errors            INTEGER NOT NULL DEFAULT 0,  -- rows with http_status >= 400
  prompt_tokens     INTEGER NOT NULL DEFAULT 0,
  completion_tokens INTEGER NOT NULL DEFAULT 0,
  cost_micros       INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (user_id, day, model_id, key_id)
) STRICT, WITHOUT ROWID;

-- The rows logged before this migration (created_at is unix milliseconds).
INSERT INTO activity_rollups (user_id, day, model_id, key_id, requests, errors, prompt_tokens,
                              completion_tokens, cost_micros)
SELECT user_id, date(created_at / 1000, 'unixepoch'), model_id, key_id, count(*),
       sum(http_status >= 400), sum(prompt_tokens), sum(completion_tokens), sum(cost_micros)
FROM request_log
WHERE created_at >= 0 AND created_at < 253402300800000
GROUP BY 1, 2, 3, 4;

-- Top-ups: external ids are unique per provider (not across providers), and a completed
-- top-up records when.
CREATE TABLE onramp_transactions_new (
  id            INTEGER PRIMARY KEY,
  user_id       INTEGER NOT NULL REFERENCES users (id),
  amount_micros INTEGER NOT NULL CHECK (amount_micros > 0),
  provider      TEXT    NOT NULL CHECK (provider <> ''),
  external_id   TEXT    NOT NULL CHECK (external_id <> ''),
  status        TEXT    NOT NULL CHECK (status IN ('pending', 'completed', 'failed')),
  created_at    INTEGER NOT NULL,
  completed_at  INTEGER,
  UNIQUE (provider, external_id),
  CHECK ((status = 'completed') = (completed_at IS NOT NULL))
) STRICT;
INSERT INTO onramp_transactions_new (id, user_id, amount_micros, provider, external_id, status,
                                     created_at, completed_at)
SELECT id, user_id, amount_micros, provider, external_id, status, created_at,
       CASE WHEN status = 'completed' THEN created_at END
FROM onramp_transactions;
DROP TABLE onramp_transactions;
ALTER TABLE onramp_transactions_new RENAME TO onramp_transactions;
CREATE INDEX onramp_transactions_user ON onramp_transactions (user_id, created_at);

-- The ledger gains "deduct" (an admin takes credit back; always negative). Same columns and
-- constraints otherwise, the same rows and ids, and the append-only triggers again.
CREATE TABLE ledger_entries_new (
  id             INTEGER PRIMARY KEY,
  user_id        INTEGER NOT NULL REFERENCES users (id),
  key_id         INTEGER REFERENCES api_keys (id),
  kind           TEXT    NOT NULL
                         CHECK (kind IN ('topup', 'grant', 'hold', 'settle', 'refund', 'deduct')),
  amount_micros  INTEGER NOT NULL,  -- signed: credits positive, debits negative
  idempotency_id TEXT    NOT NULL UNIQUE CHECK (idempotency_id <> ''),
  request_id     TEXT    NOT NULL DEFAULT '',
  note           TEXT    NOT NULL DEFAULT '',
  created_at     INTEGER NOT NULL,
  CHECK (kind NOT IN ('topup', 'grant') OR amount_micros > 0),
  CHECK (kind <> 'deduct' OR amount_micros < 0),
  CHECK (kind <> 'hold' OR amount_micros <= 0),
  CHECK (kind NOT IN ('hold', 'settle') OR (request_id <> '' AND key_id IS NOT NULL))
) STRICT;
INSERT INTO ledger_entries_new (id, user_id, key_id, kind, amount_micros, idempotency_id,
                                request_id, note, created_at)
SELECT id, user_id, key_id, kind, amount_micros, idempotency_id, request_id, note, created_at
FROM ledger_entries;
-- Dropping a table fires none of its triggers (and drops them with it).
DROP TABLE ledger_entries;
ALTER TABLE ledger_entries_new RENAME TO ledger_entries;
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
