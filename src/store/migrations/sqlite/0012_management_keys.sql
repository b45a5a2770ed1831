-- 0012_management_keys: management keys (they manage their user's keys through the gateway's
-- /api/v1/keys and cannot call models), each key's public id (the `hash` of that API: random,
-- unrelated to the secret) and when a key was last changed. Same as the PostgreSQL
-- 0006_management_keys.
ALTER TABLE api_keys ADD COLUMN management INTEGER NOT NULL DEFAULT 0 CHECK (management IN (0, 1));
ALTER TABLE api_keys ADD COLUMN public_id TEXT;
ALTER TABLE api_keys ADD COLUMN updated_at INTEGER;
UPDATE api_keys SET public_id = lower(hex(randomblob(32))) WHERE public_id IS NULL;
CREATE UNIQUE INDEX api_keys_public_id ON api_keys (public_id);
