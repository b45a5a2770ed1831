-- 0003_price_history: effective-dated prices. Every change of an endpoint's prices is a row;
-- the prices in force at a time T are those of the endpoint's row with the latest
-- effective_from <= T (on equal effective_from, the later row, by id). A row whose effective_from
-- is in the future is a scheduled change. model_providers keeps its price columns as the prices
-- in force when the endpoint was last written (a fallback for an endpoint without history).
--
-- No foreign keys: the history of an endpoint outlives the endpoint (the request log keeps the
-- prices each request was charged at; this table says when each price applied). Rows are never
-- updated; the store deletes only changes that have not taken effect (scheduled changes of an
-- endpoint that is deleted).

CREATE TABLE price_history (
  id                INTEGER PRIMARY KEY,
  model_id          TEXT    NOT NULL CHECK (model_id <> ''),
  provider_id       TEXT    NOT NULL CHECK (provider_id <> ''),
  price_input       INTEGER NOT NULL CHECK (price_input >= 0),
  price_output      INTEGER NOT NULL CHECK (price_output >= 0),
  price_cache_read  INTEGER NOT NULL CHECK (price_cache_read >= 0),
  price_cache_write INTEGER NOT NULL CHECK (price_cache_write >= 0),
  effective_from    INTEGER NOT NULL,  -- unix seconds
  created_at        INTEGER NOT NULL   -- unix seconds
) STRICT;
CREATE INDEX price_history_endpoint ON price_history (model_id, provider_id, effective_from, id);
CREATE INDEX price_history_effective ON price_history (effective_from);

CREATE TRIGGER price_history_no_update BEFORE UPDATE ON price_history
BEGIN
  SELECT RAISE(ABORT, 'price_history rows are never changed');
END;

-- The endpoints that exist now: their prices, in force since this upgrade.
INSERT INTO price_history (model_id, provider_id, price_input, price_output, price_cache_read,
                           price_cache_write, effective_from, created_at)
SELECT model_id, provider_id, price_input, price_output, price_cache_read, price_cache_write,
       CAST(strftime('%s', 'now') AS INTEGER), CAST(strftime('%s', 'now') AS INTEGER)
FROM model_providers
ORDER BY id;
