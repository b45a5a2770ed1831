// Transactions and savepoints on a PostgreSQL connection (transaction.h).
#include "store/pg/transaction.h"

namespace turnpike::store::pg {

// Every savepoint has one name: PostgreSQL releases or rolls back to the most recent savepoint of
// a name, so nested ones behave as a stack.
Status Transaction::Begin() {
  savepoint_ = conn_.InTransaction();
  Status begun = conn_.ExecScript(savepoint_ ? "SAVEPOINT tp" : "BEGIN");
  if (!begun.ok()) return begun;
  active_ = true;
  return OkStatus();
}

Status Transaction::Commit() {
  if (!active_) return MakeError(ErrorCode::kInternal, "postgresql: no transaction to commit");
  // COMMIT of a transaction a failed statement spoiled answers success and rolls back: refuse it.
  if (conn_.TransactionStatus() == PQTRANS_INERROR) {
    return MakeError(ErrorCode::kInternal, "postgresql: a statement of the transaction failed; it was rolled back");
  }
  active_ = false;
  Status done = conn_.ExecScript(savepoint_ ? "RELEASE SAVEPOINT tp" : "COMMIT");
  if (!done.ok() && savepoint_) {
    active_ = true;  // the destructor rolls the savepoint back
  }
  return done;
}

Transaction::~Transaction() {
  if (!active_ || conn_.Broken()) return;
  // Errors here leave the connection inside a transaction (or broken): the pool then drops it,
  // and a batch sees its transaction spoiled.
  if (savepoint_) {
    (void)conn_.ExecScript("ROLLBACK TO SAVEPOINT tp; RELEASE SAVEPOINT tp");
  } else {
    (void)conn_.ExecScript("ROLLBACK");
  }
}

}  // namespace turnpike::store::pg
