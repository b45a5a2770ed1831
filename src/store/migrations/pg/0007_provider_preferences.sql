-- The account's default provider preferences (OpenRouter's `provider` object, as JSON text that
-- protocol/openrouter_request.h parses), which the gateway applies to a request that sets no
-- `provider`. NULL: none.
ALTER TABLE users ADD COLUMN provider_preferences text;
-- The balance under which the dashboard's header shows a low-balance alert (micro-USD); NULL: none.
ALTER TABLE users ADD COLUMN low_balance_alert_micros bigint CHECK (low_balance_alert_micros > 0);
