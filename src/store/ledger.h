// Ledger: the money. Credits and deductions, the leases the gateways hold requests from and the
// charges of finished requests, the ledger itself and the totals read from it. Every movement
// updates the balance and appends its ledger entry in one transaction.
// Threading and errors as every store interface (users.h): reads answer Result, absent is
// empty or 0, a database error is an Error. The gateway takes leases and records charges from its
// group-commit thread (docs/architecture.md §4.11); Hold and Settle are the per-request
// database holds of the first design, kept for the tools and their tests.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/money.h"
#include "common/result.h"

namespace turnpike::store {

using money::Micros;

// A hold reserves `amount` against both the owner's balance and the key's limit before a
// request is dispatched. It is identified by `request_id` (unique).
struct HoldRequest {
  std::string request_id;
  int64_t user_id = 0;
  int64_t key_id = 0;
  Micros amount = 0;
  std::string owner;  // the server process taking it (its instance id); "" when none is named
};

enum class HoldOutcome {
  kHeld,
  kInsufficientBalance,  // user's balance < amount
  kKeyLimitReached,      // key usage + amount > key limit
  kKeyDisabled,          // disabled, expired, or deleted since it was cached
  kDuplicate,            // a hold with this request_id exists already; nothing changed
  kFailed,               // the store could not decide (database error, lock timeout, negative
                         // amount); nothing changed; callers answer 503, not 402
};

struct HoldResult {
  HoldOutcome outcome = HoldOutcome::kHeld;
  Micros balance_after = 0;  // the user's balance after the hold (or as it is, when refused)
};

// A lease: what the process `owner` sets aside for `key_id` (of `user_id`) so that it can hold
// requests in memory. `need` is what must fit (the process's holds on the key in flight, plus
// the one asking); `want` (>= need) what to set aside if there is room, so that the next
// requests fit without asking again.
struct LeaseRequest {
  std::string owner;
  int64_t user_id = 0;
  int64_t key_id = 0;
  Micros need = 0;
  Micros want = 0;
};

struct LeaseResult {
  // kHeld (the lease now covers `need`), kInsufficientBalance, kKeyLimitReached, kKeyDisabled
  // or kFailed; when refused the lease is left as it was.
  HoldOutcome outcome = HoldOutcome::kFailed;
  Micros lease = 0;      // the owner's lease on the key afterwards
  Micros available = 0;  // the balance less every other lease of the user (for a 402's message)
};

// What the database knows of a key when it referees a hold or a lease: whether it may spend at
// all (exists, enabled, its owner enabled, unexpired) and, for a key with a limit, the room left
// under it (the limit less its usage and every other process's lease on it).
struct KeyRoom {
  bool usable = false;
  std::optional<Micros> room;
};

// The referee's rule for a lease (docs/architecture.md §4.11), one for every store: the room is
// the balance less every other lease of the user (`others`), and no more than the key's room;
// `need` must fit, else the refusal says which bound it met; the lease becomes
// max(own, min(want, room)), never below what the owner's requests in flight count on. `balance`
// nullopt: no such user (a refusal as a disabled key). On kHeld, `lease` is the new amount, which
// the store writes when it differs from `own`; on a refusal, `lease` is `own`.
LeaseResult DecideLease(const LeaseRequest& request, Micros own, std::optional<Micros> balance, Micros others,
                        const KeyRoom& key);

// One finished request's charge: what was held for it in memory and what it cost.
struct ChargeRequest {
  std::string request_id;
  int64_t user_id = 0;
  int64_t key_id = 0;
  Micros held = 0;    // >= 0
  Micros actual = 0;  // >= 0; above `held` when the provider reported more (the settle entry is then a debit)
  std::string owner;  // whose lease the hold came from; "" = none
  int64_t held_at = 0;
};

struct LedgerEntry {
  int64_t id = 0;
  int64_t user_id = 0;
  std::string kind;            // "topup", "grant", "hold", "settle", "refund", "deduct"
  Micros amount = 0;           // signed: credits positive, debits negative
  std::string idempotency_id;  // unique across the ledger
  std::string request_id;      // for hold/settle
  std::string note;
  int64_t created_at = 0;
};

// What ListHistory returns: filters and a cursor.
struct HistoryQuery {
  int limit = 50;
  int64_t before_id = 0;  // 0 = from the newest; else lines whose id is below it
  // "" = every line; "request" = the requests (a hold and its settlement); else one ledger kind
  // ("topup", "grant", "deduct", "refund").
  std::string kind;
  int64_t from_unix = 0;  // 0 = no bound; else lines created at or after it
  int64_t to_unix = 0;    // 0 = no bound; else lines created before it
};

// One line of a user's credit history: a ledger entry, except that a request's hold and its
// settlement are one line whose amount is what the request cost (negated), or, while the request
// runs (a hold without settlement), what is held for it.
struct HistoryLine {
  int64_t id = 0;        // the hold's id for a request; the cursor of the next page
  std::string kind;      // "request", "topup", "grant", "deduct", "refund"
  Micros amount = 0;     // signed: credits positive, debits negative
  bool running = false;  // a request whose hold is not settled yet
  std::string request_id;
  std::string note;
  int64_t created_at = 0;  // when the entry (the request's hold) was written
  int64_t settled_at = 0;  // a request's settlement; 0 while it runs or for other kinds
};

class Ledger {
 public:
  virtual ~Ledger() = default;

  // Adds a ledger entry of `kind` ("topup" or "grant") and moves the balance, atomically.
  // Idempotent: a second call with the same idempotency_id changes nothing and succeeds.
  virtual Status Credit(int64_t user_id, Micros amount, const std::string& kind, const std::string& idempotency_id,
                        const std::string& note) = 0;
  // Takes `amount` (> 0) off a user's balance with a "deduct" ledger entry; kConflict when the
  // balance less the user's leases would go below zero; idempotent like Credit.
  virtual Status Debit(int64_t user_id, Micros amount, const std::string& idempotency_id, const std::string& note) = 0;

  // Atomically: checks the key (exists, not disabled, not expired at `now_unix`), the key's
  // limit and the user's balance, then subtracts `amount` from the balance, adds it to the key's
  // usage and appends a "hold" ledger entry (idempotency id "hold:<request_id>").
  virtual HoldResult Hold(const HoldRequest& hold, int64_t now_unix) = 0;
  // Replaces the hold of `request_id` with the actual cost: appends a "settle" ledger entry of
  // (held - actual) (idempotency id "settle:<request_id>"), moves balance and key usage by it.
  // `actual` may exceed the amount held (the balance may then go negative by the difference;
  // callers size holds so it does not). Idempotent: settling twice changes nothing the second
  // time and returns OK. kNotFound if no hold has this id.
  virtual Status Settle(const std::string& request_id, Micros actual) = 0;
  // Settles every hold older than `older_than_unix` that has no settlement, at its held
  // amount minus nothing charged (actual = 0). Returns how many. Used at start-up to release
  // holds left by a crashed process.
  virtual Result<int> ReleaseStaleHolds(int64_t older_than_unix) = 0;
  // The distinct non-empty owners of holds that have no settlement, and of leases.
  virtual Result<std::vector<std::string>> HoldOwners() = 0;
  // Settles every unsettled hold of `owner` at 0 and drops its leases (a process known to be
  // gone: its requests never finished). Returns how many holds and leases.
  virtual Result<int> ReleaseHoldsOf(const std::string& owner) = 0;

  // Sets the lease of (owner, key) to max(its lease, min(want, room)) when `need` fits the room
  // (see LeaseResult); the room is the user's balance less the user's other leases, and, for a
  // key with a limit, the limit less the key's usage and its other leases. Checks the key like
  // Hold (exists, belongs to the user, enabled, unexpired at `now_unix`, its user enabled).
  virtual LeaseResult Lease(const LeaseRequest& lease, int64_t now_unix) = 0;
  // Gives back the lease of (owner, key): the money is free for others again. OK when none.
  virtual Status ReturnLease(const std::string& owner, int64_t key_id) = 0;
  // Records a finished request, atomically: a settled hold row (held, actual, owner), the "hold"
  // and "settle" ledger entries (so the ledger reads as with database holds), the balance and
  // the key's usage moved by `actual`, and the owner's lease lowered by `actual` (the money it
  // set aside is spent). Idempotent by request_id: a second call changes nothing and is OK.
  virtual Status Charge(const ChargeRequest& charge) = 0;

  // Sum of a user's ledger entries (a test compares it with the balance).
  virtual Result<Micros> LedgerSum(int64_t user_id) = 0;
  // A user's ledger, newest first: at most `limit` entries with ids below `before_id` (0 = from
  // the newest), so the last id of one page is the cursor of the next.
  virtual Result<std::vector<LedgerEntry>> ListLedger(int64_t user_id, int limit, int64_t before_id = 0) = 0;
  // A user's credit history (see HistoryLine), newest first: at most `query.limit` lines that
  // match the query's kind and time range, with ids below `query.before_id`, so the last id of
  // one page is the cursor of the next. A settlement never moves its request's line (the line
  // keeps the hold's id and time). Errors: the store's.
  virtual Result<std::vector<HistoryLine>> ListHistory(int64_t user_id, const HistoryQuery& query) = 0;
  // Total ever credited (topups + grants, less deducts) and total spent of a user, for
  // /api/v1/credits.
  // Spent is settled costs plus the amounts currently held (minus refunds), i.e. the negated
  // sum of the hold, settle and refund entries, so TotalCredited - TotalSpent == balance.
  virtual Result<Micros> TotalCredited(int64_t user_id) = 0;
  virtual Result<Micros> TotalSpent(int64_t user_id) = 0;
};

}  // namespace turnpike::store
