// A transaction on one PostgreSQL connection (connection.h). Internal to the PostgreSQL store.
//
// Begun on a connection already inside a transaction (a batch, or a call inside another call),
// it is a savepoint of that one: Commit() releases it, and destruction without Commit() undoes
// only what it did, and leaves the outer transaction usable (in PostgreSQL a failed statement
// otherwise spoils the whole transaction). Not thread-safe, like its connection.
#pragma once

#include "common/result.h"
#include "store/pg/connection.h"

namespace turnpike::store::pg {

class Transaction {
 public:
  explicit Transaction(Connection& conn) : conn_(conn) {}
  ~Transaction();  // rolls back what was not committed
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  // BEGIN (READ COMMITTED: the store's money calls lock the rows they decide on, pg_store.h), or a
  // SAVEPOINT inside an open transaction.
  Status Begin();
  // COMMIT or RELEASE SAVEPOINT. An error when a statement failed inside (nothing is kept then).
  Status Commit();
  bool savepoint() const { return savepoint_; }

 private:
  Connection& conn_;
  bool active_ = false;
  bool savepoint_ = false;
};

}  // namespace turnpike::store::pg
