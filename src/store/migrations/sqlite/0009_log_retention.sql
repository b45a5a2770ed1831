-- 0009_log_retention: what the request log's retention needs (docs/architecture.md, "Request-log
-- retention"). Each row's size (store::RowBytes: its text in bytes plus 256 for the fixed
-- columns), the log's size as a running figure kept by the transactions that insert and delete
-- rows (one row, so the sweeper never sums the table), and an index to find the rows older than
-- the retention. The activity rollups are apart from the rows and outlive them.
ALTER TABLE request_log ADD COLUMN row_bytes INTEGER NOT NULL DEFAULT 0;
UPDATE request_log SET row_bytes = 256 + length(CAST(request_id AS BLOB)) + length(CAST(model_id AS BLOB))
  + length(CAST(provider_id AS BLOB)) + length(CAST(upstream_model AS BLOB))
  + length(CAST(finish_reason AS BLOB)) + length(CAST(error_message AS BLOB))
  + length(CAST(prompt_text AS BLOB)) + length(CAST(completion_text AS BLOB)) + length(CAST(attempts AS BLOB));
CREATE TABLE request_log_size (
  id        INTEGER PRIMARY KEY CHECK (id = 1),
  row_bytes INTEGER NOT NULL
) STRICT;
INSERT INTO request_log_size (id, row_bytes) SELECT 1, coalesce(sum(row_bytes), 0) FROM request_log;
CREATE INDEX request_log_created ON request_log (created_at);
