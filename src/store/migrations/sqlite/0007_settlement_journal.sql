-- Finished requests' settlements (charge, request-log row, key use), each one small row, durable
-- before the request's last byte; written into the ledger and the request log later, many at a
-- time, and deleted then (store/settlement_journal.h, docs/architecture.md §4.9).
CREATE TABLE settlement_journal (
  id      INTEGER PRIMARY KEY,
  payload TEXT    NOT NULL
) STRICT;
