-- 0006_management_keys: management keys (they manage their user's keys through the gateway's
-- /api/v1/keys and cannot call models), each key's public id (the `hash` of that API: random,
-- unrelated to the secret; the volatile default gives every existing row its own) and when a
-- key was last changed. Same as the SQLite 0012_management_keys.
ALTER TABLE api_keys ADD COLUMN management boolean NOT NULL DEFAULT false;
ALTER TABLE api_keys ADD COLUMN public_id text NOT NULL
  DEFAULT encode(sha256(convert_to(gen_random_uuid()::text || gen_random_uuid()::text, 'UTF8')), 'hex');
ALTER TABLE api_keys ADD COLUMN updated_at bigint;
CREATE UNIQUE INDEX api_keys_public_id ON api_keys (public_id);
