// SqliteStore: the settlement journal (store/settlement_journal.h).
#include <spdlog/spdlog.h>

#include <thread>

#include "store/sqlite/connection.h"
#include "store/sqlite/sqlite_store.h"

namespace turnpike::store::sqlite {

Status SqliteStore::Journal(const Settlement& settlement) {
  std::lock_guard lock(mu_);
  Statement s(*conn_, "INSERT INTO settlement_journal (payload) VALUES (?)");
  s.Bind(EncodeSettlement(settlement));
  return s.Run();
}

Result<int> SqliteStore::ApplyJournal(int max) {
  std::lock_guard lock(mu_);
  {
    // Most calls find it empty: that costs a read, not the write lock.
    Statement s(*conn_, "SELECT 1 FROM settlement_journal LIMIT 1");
    Result<bool> any = s.Next();
    if (!any.ok()) return any.error();
    if (!*any) return 0;
  }
  // First without a savepoint per settlement (each copies every page it touches); should any
  // settlement fail, that attempt is rolled back whole and the careful one drops just it.
  Result<int> applied = ApplyJournalLocked(max, /*careful=*/false);
  if (applied.ok()) return applied;
  // Inside a group commit whose transaction the failure ended, nothing more can run in it: the
  // committer runs the call again on its own.
  const bool in_batch = batch_thread_.load() == std::this_thread::get_id();
  if (in_batch && !conn_->InTransaction()) return applied;
  return ApplyJournalLocked(max, /*careful=*/true);
}

Result<int> SqliteStore::ApplyJournalLocked(int max, bool careful) {
  Transaction tx(*conn_);
  if (Status status = tx.Begin(Transaction::Mode::kWrite); !status.ok()) return status.error();
  std::vector<std::pair<int64_t, std::string>> pending;
  {
    Statement s(*conn_, "SELECT id, payload FROM settlement_journal ORDER BY id LIMIT ?");
    s.Bind(max > 0 ? int64_t{max} : INT64_MAX);
    auto rows = ReadRows(s, [](const Statement& row) { return std::make_pair(row.Int(0), row.Text(1)); });
    if (!rows.ok()) return rows.error();
    pending = std::move(*rows);
  }
  if (pending.empty()) return 0;
  std::vector<RequestLogRow> rows;
  // The fast attempt writes each user's balance, key's usage and lease once for the whole chunk.
  ChargeTotals totals;
  for (const auto& [id, payload] : pending) {
    Result<Settlement> settlement = DecodeSettlement(payload);
    if (!settlement.ok()) {
      spdlog::error("settlement journal row {} dropped: {}", id, settlement.error().message);
      continue;
    }
    if (settlement->charge) {
      if (!careful) {
        if (Status s = ChargeLocked(*settlement->charge, &totals); !s.ok()) return s.error();
      } else if (Status s = Charge(*settlement->charge); !s.ok()) {
        // Idempotent by request id; a charge the database refuses (its key or user gone) is
        // reported and dropped rather than blocking every later one.
        spdlog::error("{}: the journaled charge could not be recorded: {}", settlement->charge->request_id,
                      s.error().message);
        if (!conn_->InTransaction()) return s.error();
      }
    }
    if (settlement->row) rows.push_back(std::move(*settlement->row));
    TouchKey(settlement->key_id, settlement->used_at);
  }
  if (Status s = WriteChargeTotalsLocked(totals); !s.ok()) return s.error();  // empty when careful
  if (Status s = careful ? AppendRequestLogs(rows) : AppendRequestLogsLocked(rows); !s.ok()) return s.error();
  {
    Statement s(*conn_, "DELETE FROM settlement_journal WHERE id <= ?");
    s.Bind(pending.back().first);
    if (Status status = s.Run(); !status.ok()) return status.error();
  }
  if (Status status = tx.Commit(); !status.ok()) return status.error();
  return static_cast<int>(pending.size());
}

}  // namespace turnpike::store::sqlite
