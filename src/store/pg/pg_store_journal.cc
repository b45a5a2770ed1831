// PgStore: the settlement journal (store/settlement_journal.h).
#include <spdlog/spdlog.h>

#include <map>
#include <set>

#include "store/pg/pg_store.h"
#include "store/pg/transaction.h"
#include "store/pg/util.h"

namespace turnpike::store::pg {

Status PgStore::Journal(const Settlement& settlement) {
  Result<Rows> rows =
      WriteOne("INSERT INTO settlement_journal (payload) VALUES ($1)", Params().Add(EncodeSettlement(settlement)));
  if (!rows.ok()) return rows.error();
  return OkStatus();
}

Result<int> PgStore::ApplyJournal(int max) {
  Result<Conn> c = Acquire();
  if (!c.ok()) return c.error();
  {
    // Most calls find it empty: that costs one read, and no transaction.
    Result<Rows> any = (*c)->Exec("SELECT 1 FROM settlement_journal LIMIT 1");
    if (!any.ok()) return any.error();
    if (any->empty()) return 0;
  }
  // First without a savepoint per settlement; should any settlement fail, that attempt is rolled
  // back whole and the careful one drops just it.
  Result<int> applied = ApplyJournalIn(**c, max, /*careful=*/false);
  if (applied.ok()) return applied;
  // A deadlock inside a batch ends the batch: the committer runs the call again on its own.
  if (BatchConnection() != nullptr && (*c)->retryable_failure()) return applied;
  return ApplyJournalIn(**c, max, /*careful=*/true);
}

Result<int> PgStore::ApplyJournalIn(Connection& c, int max, bool careful) {
  Transaction tx(c);
  if (Status status = tx.Begin(); !status.ok()) return status.error();
  // The rows are read first, unlocked, to learn whose money they move; those users' rows are
  // locked (ascending, as every money call locks them: pg_store.h), and the journal rows only
  // then. Locking the journal rows first, an apply could wait for a user's row that another
  // process's transaction held (a lease, in a batch) while that transaction's own apply waited for
  // the journal rows: the batch met its lock timeout ("applying the settlement journal before a
  // lease: lock timeout"), and a call run alone could be a deadlock's victim (a 503 for a request
  // that should have been held or refused with 402).
  std::map<int64_t, Settlement> decoded;
  std::string seen = "{";
  {
    Result<Rows> peek = c.Exec("SELECT id, payload FROM settlement_journal ORDER BY id LIMIT $1",
                               Params().Add(max > 0 ? int64_t{max} : INT64_MAX));
    if (!peek.ok()) return peek.error();
    if (peek->empty()) return 0;
    std::string users = "{";
    std::set<int64_t> locked;
    for (int i = 0; i < peek->size(); ++i) {
      const int64_t id = peek->Int(i, 0);
      seen += (i > 0 ? "," : "") + std::to_string(id);
      Result<Settlement> settlement = DecodeSettlement(peek->Text(i, 1));
      if (!settlement.ok()) {
        spdlog::error("settlement journal row {} dropped: {}", id, settlement.error().message);
        continue;
      }
      if (settlement->charge && locked.insert(settlement->charge->user_id).second) {
        users += (locked.size() > 1 ? "," : "") + std::to_string(settlement->charge->user_id);
      }
      decoded.emplace(id, std::move(*settlement));
    }
    seen += "}";
    users += "}";
    if (!locked.empty()) {
      Result<Rows> users_locked =
          c.Exec("SELECT id FROM users WHERE id = ANY($1::bigint[]) ORDER BY id FOR NO KEY UPDATE",
                 Params().AddLiteral(users));
      if (!users_locked.ok()) return users_locked.error();
    }
  }
  // Rows another process is applying are waited for, not skipped: a caller that applies the
  // journal before it leases (Gateway::LeaseAndHold) must find every earlier charge in the ledger
  // when it returns. Skipping them let a lease be read while another process's apply of this
  // process's own charges had not committed; the lease then shrank under the account book, which
  // had already counted those charges. Rows are locked in id order, so appliers never deadlock on
  // them; those another process applied meanwhile are gone, and rows journaled since the look
  // above wait for the next apply. A settlement journaled twice is idempotent by request id.
  Result<Rows> pending = c.Exec("SELECT id FROM settlement_journal WHERE id = ANY($1::bigint[]) ORDER BY id FOR UPDATE",
                                Params().AddLiteral(seen));
  if (!pending.ok()) return pending.error();
  if (pending->empty()) return 0;
  std::vector<RequestLogRow> rows;
  // The fast attempt writes each user's balance, key's usage and lease once for the whole chunk.
  ChargeTotals totals;
  std::string ids = "{";
  for (int i = 0; i < pending->size(); ++i) {
    const int64_t id = pending->Int(i, 0);
    ids += (i > 0 ? "," : "") + std::to_string(id);
    auto found = decoded.find(id);
    if (found == decoded.end()) continue;  // unreadable: logged above, deleted below
    Settlement* settlement = &found->second;
    if (settlement->charge) {
      if (!careful) {
        if (Status s = ChargeIn(c, *settlement->charge, &totals); !s.ok()) return s.error();
      } else {
        // Idempotent by request id; a charge the database refuses (its key or user gone) is
        // reported and dropped rather than blocking every later one.
        Transaction one(c);
        Status s = one.Begin();
        if (s.ok()) s = ChargeIn(c, *settlement->charge);
        if (s.ok()) s = one.Commit();
        if (!s.ok()) {
          spdlog::error("{}: the journaled charge could not be recorded: {}", settlement->charge->request_id,
                        s.error().message);
          if (c.retryable_failure() || c.Broken()) return s.error();
        }
      }
    }
    if (settlement->row) rows.push_back(std::move(*settlement->row));
    TouchKeyOn(c, settlement->key_id, settlement->used_at);
  }
  ids += "}";
  if (Status s = WriteChargeTotals(c, totals); !s.ok()) return s.error();  // empty when careful
  if (careful) {
    Transaction logs(c);
    Status s = logs.Begin();
    if (s.ok()) s = AppendRequestLogsIn(c, rows);
    if (s.ok()) s = logs.Commit();
    if (!s.ok()) return s.error();
  } else if (Status s = AppendRequestLogsIn(c, rows); !s.ok()) {
    return s.error();
  }
  Result<Rows> deleted =
      c.Exec("DELETE FROM settlement_journal WHERE id = ANY($1::bigint[])", Params().AddLiteral(ids));
  if (!deleted.ok()) return deleted.error();
  if (Status status = tx.Commit(); !status.ok()) return status.error();
  return pending->size();
}

}  // namespace turnpike::store::pg
