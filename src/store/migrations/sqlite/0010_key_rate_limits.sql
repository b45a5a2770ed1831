-- 0010_key_rate_limits: per-key rate limits, requests and tokens per minute (NULL: no limit),
-- enforced by each gateway in memory (docs/architecture.md, "Per-key rate limits"). Same as the
-- PostgreSQL 0004_key_rate_limits.
ALTER TABLE api_keys ADD COLUMN rpm_limit INTEGER CHECK (rpm_limit IS NULL OR rpm_limit > 0);
ALTER TABLE api_keys ADD COLUMN tpm_limit INTEGER CHECK (tpm_limit IS NULL OR tpm_limit > 0);
