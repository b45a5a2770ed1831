-- Leases: money (and key limit) a server process sets aside in the database for the requests it
-- then holds in memory, without a database round trip per request (docs/architecture.md §4.11).
-- One row per (process, key). A lease is not a ledger movement: the balance stays the sum of the
-- ledger, and what any process may still lease is the balance less every lease of the user (and,
-- for a key with a limit, the limit less its usage and every lease on it). A charge lowers the
-- balance and its process's lease together, so what others may lease does not move.
CREATE TABLE leases (
  owner         TEXT    NOT NULL CHECK (owner <> ''),
  key_id        INTEGER NOT NULL REFERENCES api_keys (id),
  user_id       INTEGER NOT NULL REFERENCES users (id),
  amount_micros INTEGER NOT NULL CHECK (amount_micros >= 0),
  updated_at    INTEGER NOT NULL,
  PRIMARY KEY (owner, key_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX leases_user ON leases (user_id);
CREATE INDEX leases_key ON leases (key_id);
