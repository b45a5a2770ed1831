-- 0003_log_retention: what the request log's retention needs (docs/architecture.md, "Request-log
-- retention"). Each row's size (store::RowBytes: its text in bytes plus 256 for the fixed
-- columns), the log's size as a running figure kept by the transactions that insert and delete
-- rows (one row, so the sweeper never sums the table), and an index to find the rows older than
-- the retention. The activity rollups are apart from the rows and outlive them. Same as the
-- SQLite 0009_log_retention.
ALTER TABLE request_log ADD COLUMN row_bytes bigint NOT NULL DEFAULT 0;
UPDATE request_log SET row_bytes = 256 + octet_length(request_id) + octet_length(model_id)
  + octet_length(provider_id) + octet_length(upstream_model) + octet_length(finish_reason)
  + octet_length(error_message) + octet_length(prompt_text) + octet_length(completion_text)
  + octet_length(attempts::text);
CREATE TABLE request_log_size (
  id        integer PRIMARY KEY CHECK (id = 1),
  row_bytes bigint  NOT NULL
);
INSERT INTO request_log_size (id, row_bytes) SELECT 1, coalesce(sum(row_bytes), 0) FROM request_log;
CREATE INDEX request_log_created ON request_log (created_at);
