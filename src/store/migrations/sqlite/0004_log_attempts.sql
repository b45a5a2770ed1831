-- Every provider the gateway tried for a request, in order, as a JSON array of
-- {"provider","status","error","latency_ms"} (status 0 = no response; error "" = it answered).
ALTER TABLE request_log ADD COLUMN attempts TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(attempts));
