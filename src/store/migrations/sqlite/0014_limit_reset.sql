-- 0014_limit_reset: a key's spending limit may start again from zero each UTC day, week (from
-- Monday) or month (OpenRouter's `limit_reset`; store/keys.h LimitReset); NULL: it never does.
-- Such a limit adds up the key's holds since its period began, hence the index. Same as the
-- PostgreSQL 0008_limit_reset.
ALTER TABLE api_keys ADD COLUMN limit_reset TEXT CHECK (limit_reset IN ('daily', 'weekly', 'monthly'));
CREATE INDEX holds_key_created ON holds (key_id, created_at);
