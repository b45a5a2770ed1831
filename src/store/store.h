// The storage contract. Every durable thing Turnpike knows lives behind this interface:
// users, API keys, the catalog, the money ledger and the request log. `sqlite/` is the
// embedded default; a PostgreSQL implementation will pass the same conformance tests.
//
// Threading: every method may be called from any thread, concurrently. Implementations
// serialise internally as they need. Calls block (SQLite is embedded and fast; callers on the
// event loop keep to the few calls the hot path needs: FindKeyByHash on a cache miss, Hold,
// Settle).
//
// Several processes may open the same database at once (the CLI while `serve` runs): every
// write is a short transaction, and readers see committed writes at once.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/money.h"
#include "common/result.h"

namespace turnpike::store {

using money::Micros;

struct User {
  int64_t id = 0;
  std::string email;          // stored lower-cased
  std::string password_hash;  // argon2id string from libsodium (crypto_pwhash_str)
  bool is_admin = false;
  Micros balance = 0;         // always equals the sum of the user's ledger entries
  int64_t created_at = 0;     // unix seconds
  bool disabled = false;      // a disabled user cannot sign in, and their keys stop working
};

struct ApiKey {
  int64_t id = 0;
  int64_t user_id = 0;
  std::string name;
  std::string prefix;        // display prefix, e.g. "sk-tp-v1-ab12…" (never enough to authenticate)
  std::string hash_hex;      // lower-case hex SHA-256 of the full key; unique
  std::optional<Micros> limit;  // spending cap for this key; nullopt = unlimited
  Micros usage = 0;          // settled spend plus outstanding holds
  bool disabled = false;
  std::optional<int64_t> expires_at;  // unix seconds
  int64_t created_at = 0;
  bool log_prompts = false;           // keep prompt and completion text in the request log
  std::optional<int64_t> last_used_at;  // unix seconds, best effort
};

// A change to a key; fields left empty stay as they are.
struct KeyUpdate {
  std::optional<std::string> name;
  std::optional<bool> disabled;
  std::optional<std::optional<Micros>> limit;  // set to nullopt-inside for "no limit"
  std::optional<std::optional<int64_t>> expires_at;
  std::optional<bool> log_prompts;
};

// A dashboard session. The token a browser holds names the session by a random id; the store
// keeps only the id's hash, so a database leak does not leak sessions.
struct Session {
  std::string id_hash;     // lower-case hex SHA-256 of the session id
  int64_t user_id = 0;
  int64_t expires_at = 0;  // unix seconds
  int64_t created_at = 0;
};

// A top-up through a payment provider (the seed's OnrampTransaction).
struct Topup {
  int64_t id = 0;
  int64_t user_id = 0;
  Micros amount = 0;
  std::string provider;     // "sandbox" | "stripe"
  std::string external_id;  // the provider's id for it (e.g. a Checkout Session id); unique per provider
  std::string status;       // "pending" | "completed" | "failed"
  int64_t created_at = 0;   // unix seconds
  int64_t completed_at = 0; // 0 until completed
};

struct Company {
  std::string id;    // "openai"
  std::string name;  // "OpenAI"
};

struct Provider {
  std::string id;            // "openai", "groq", …
  std::string name;
  std::string adapter;       // "openai" | "anthropic" | "gemini"
  std::string base_url;      // default public URL; an env override is applied by config, not here
  std::string key_env;       // env var holding the credential, e.g. "OPENAI_API_KEY"; "" = none needed
  std::string base_url_env;  // env var that overrides base_url, e.g. "OPENAI_BASE_URL"; may be ""
  bool enabled = true;
};

// One model served by one provider (the seed's ModelProviderMapping).
struct Endpoint {
  std::string provider_id;
  std::string upstream_model;  // the provider's name for the model, e.g. "gpt-4o-mini"
  money::Prices prices;        // micro-USD per million tokens
  int64_t context_length = 0;
  int64_t max_output = 0;      // the provider's cap on output tokens
  std::vector<std::string> supported_parameters;
  bool enabled = true;
};

struct Model {
  std::string id;          // "openai/gpt-4o-mini"
  std::string company_id;  // "openai"
  std::string name;        // "OpenAI: GPT-4o mini"
  std::string description;
  int64_t context_length = 0;
  int64_t max_output = 0;
  int64_t created = 0;     // unix seconds the model was released (0 if unknown)
  std::string source;      // where the prices came from, with a date
  std::vector<std::string> input_modalities;   // "text", "image", …
  std::vector<std::string> output_modalities;  // "text"
  std::vector<Endpoint> endpoints;
};

struct Catalog {
  std::vector<Company> companies;
  std::vector<Provider> providers;
  std::vector<Model> models;
  // Set by LoadCatalogAt: the earliest scheduled price change of an endpoint after the time it
  // was loaded for (a reload then gives new prices). ImportCatalog ignores it.
  std::optional<int64_t> next_price_change;
};

// One row of an endpoint's price history. The prices in force at time T are those of the
// endpoint's row with the latest effective_from <= T; on equal effective_from the later row (by
// id) wins. A row with effective_from in the future is a scheduled change.
struct PriceChange {
  int64_t id = 0;
  std::string model_id;
  std::string provider_id;
  money::Prices prices;        // micro-USD per million tokens
  int64_t effective_from = 0;  // unix seconds
  int64_t created_at = 0;      // unix seconds
};

// How a catalog administration write treats an entity that exists already, or not.
enum class PutMode {
  kUpsert,  // create it or replace it
  kCreate,  // create it; kConflict when it exists
  kUpdate,  // replace it; kNotFound when it does not exist
};

// A hold reserves `amount` against both the owner's balance and the key's limit before a
// request is dispatched. It is identified by `request_id` (unique).
struct HoldRequest {
  std::string request_id;
  int64_t user_id = 0;
  int64_t key_id = 0;
  Micros amount = 0;
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

enum class UsageSource { kProvider, kEstimated };

// One row of the request log (the seed's Conversation), written through a batching writer.
// One provider the gateway tried for a request, in order.
struct Attempt {
  std::string provider;
  int status = 0;       // the upstream's HTTP status; 0 when no response came
  std::string error;    // why the gateway moved on or the answer failed; "" for the one that answered
  int64_t latency_ms = 0;  // sending the attempt → its response head or failure
};

struct RequestLogRow {
  int64_t id = 0;          // row id, set by the store (the cursor of QueryRequestLogs)
  std::string request_id;  // "gen-…", unique
  int64_t user_id = 0;
  int64_t key_id = 0;
  std::string model_id;     // as the client asked, "openai/gpt-4o-mini"
  std::string provider_id;  // "" when no provider was reached
  std::string upstream_model;
  bool streamed = false;
  int64_t prompt_tokens = 0;
  int64_t completion_tokens = 0;
  int64_t cached_tokens = 0;
  int64_t reasoning_tokens = 0;
  Micros cost = 0;
  UsageSource usage_source = UsageSource::kProvider;
  int64_t latency_ms = 0;     // request received → last byte sent
  int64_t ttft_ms = -1;       // request received → first content byte; -1 when none
  int http_status = 0;        // status the client got
  std::string finish_reason;  // "stop", "length", "tool_calls", "error", "cancelled", …
  std::string error_message;  // "" on success
  int64_t created_at = 0;     // unix milliseconds
  money::Prices prices;       // the prices the request was charged at (micro-USD per million tokens)
  std::string prompt_text;      // only for keys with log_prompts; "" otherwise
  std::string completion_text;  // only for keys with log_prompts; "" otherwise
  std::vector<Attempt> attempts;  // every provider tried, in order
};

// Filters for the request log, newest first. `before_id` is the cursor: rows with a smaller id.
struct LogQuery {
  int64_t user_id = 0;
  std::optional<int64_t> key_id;
  std::string model_id;           // "" = any
  std::optional<int> http_status;
  int64_t from_ms = 0;            // created_at >= from_ms
  int64_t to_ms = INT64_MAX;      // created_at < to_ms
  int64_t before_id = 0;          // 0 = from the newest
  int limit = 50;
};

// One group of the activity rollups.
struct ActivityBucket {
  std::string group;  // the day ("2026-11-28", UTC), the model id, or the key id as text
  std::string series;  // with ActivityQuery::split_by: the model id or key id (as text); else ""
  int64_t requests = 0;
  int64_t errors = 0;  // http_status >= 400
  int64_t prompt_tokens = 0;
  int64_t completion_tokens = 0;
  Micros cost = 0;
};

struct ActivityQuery {
  int64_t user_id = 0;
  int64_t from_ms = 0;
  int64_t to_ms = INT64_MAX;
  std::string group_by = "day";  // "day" | "model" | "key"
  std::string split_by;          // "" | "model" | "key": with group_by "day", one bucket per day and series
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

class Store {
 public:
  virtual ~Store() = default;

  // Applies pending migrations in order inside transactions. Returns how many were applied.
  virtual Result<int> Migrate() = 0;
  // True when the database answers a trivial query (for /ready).
  virtual bool Ping() = 0;

  // --- users ---
  // Fails with kConflict when the email is taken. Email is matched case-insensitively.
  virtual Result<int64_t> CreateUser(const std::string& email, const std::string& password_hash,
                                     bool is_admin) = 0;
  virtual std::optional<User> FindUserByEmail(const std::string& email) = 0;
  virtual std::optional<User> FindUserById(int64_t id) = 0;
  virtual int64_t CountUsers() = 0;
  // Adds a ledger entry of `kind` ("topup" or "grant") and moves the balance, atomically.
  // Idempotent: a second call with the same idempotency_id changes nothing and succeeds.
  virtual Status Credit(int64_t user_id, Micros amount, const std::string& kind,
                        const std::string& idempotency_id, const std::string& note) = 0;

  // --- API keys ---
  // Fails with kConflict on a duplicate hash; kNotFound when the user does not exist.
  virtual Result<int64_t> CreateKey(const ApiKey& key) = 0;
  virtual std::optional<ApiKey> FindKeyByHash(const std::string& hash_hex) = 0;
  virtual std::optional<ApiKey> FindKeyById(int64_t id) = 0;
  virtual std::vector<ApiKey> ListKeys(int64_t user_id) = 0;
  virtual Status SetKeyDisabled(int64_t key_id, bool disabled) = 0;

  // --- catalog ---
  // Upserts every company, provider and model of `catalog`; a model's endpoints are replaced by
  // the ones given. Entities not mentioned are left alone. One transaction. An endpoint whose
  // prices differ from those in force now gets a price history row effective now; scheduled
  // changes of the endpoints it keeps stay scheduled; those of endpoints it drops are cancelled.
  virtual Status ImportCatalog(const Catalog& catalog) = 0;
  // The catalog with, for each endpoint, the prices in force at `now_unix` (unix seconds), and
  // next_price_change set. One consistent read.
  virtual Catalog LoadCatalogAt(int64_t now_unix) = 0;
  // LoadCatalogAt(the current time).
  Catalog LoadCatalog();
  virtual bool CatalogEmpty() = 0;

  // --- catalog administration ---
  // A company as given. kBadRequest for an empty id.
  virtual Status PutCompany(const Company& company, PutMode mode) = 0;
  // kNotFound when unknown; kConflict while a model belongs to it.
  virtual Status DeleteCompany(const std::string& id) = 0;
  // A provider as given. kBadRequest for an empty id or adapter.
  virtual Status PutProvider(const Provider& provider, PutMode mode) = 0;
  // kNotFound when unknown; kConflict while an endpoint uses it.
  virtual Status DeleteProvider(const std::string& id) = 0;
  // The model's own fields; `model.endpoints` is ignored and its endpoints stay as they are.
  // kBadRequest for an unknown company or an empty id.
  virtual Status PutModel(const Model& model, PutMode mode) = 0;
  // Deletes the model and its endpoints, and cancels their scheduled price changes (effective
  // after `now_unix`); their past price history stays. kNotFound when unknown.
  virtual Status DeleteModel(const std::string& id, int64_t now_unix) = 0;
  // Creates or replaces the endpoint of `model_id` at `endpoint.provider_id`. Every field but the
  // prices takes effect at once. The prices take effect at `effective_from` (a time before
  // `now_unix` means now): when they differ from the prices that would be in force then, a price
  // history row records them (a later effective_from schedules the change). A new endpoint's
  // prices take effect at once (a later effective_from is kBadRequest). Returns true when the
  // endpoint was created. kNotFound for an unknown model or provider.
  virtual Result<bool> PutEndpoint(const std::string& model_id, const Endpoint& endpoint,
                                   int64_t effective_from, int64_t now_unix) = 0;
  // Deletes the endpoint and cancels its scheduled price changes (effective after `now_unix`);
  // its past price history stays. kNotFound when there is no such endpoint.
  virtual Status DeleteEndpoint(const std::string& model_id, const std::string& provider_id,
                                int64_t now_unix) = 0;
  // Every price history row of one endpoint (also of a deleted one), by effective_from, then id.
  virtual std::vector<PriceChange> ListPriceHistory(const std::string& model_id,
                                                    const std::string& provider_id) = 0;

  // --- money ---
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
  // Sum of a user's ledger entries (a test compares it with the balance).
  virtual Micros LedgerSum(int64_t user_id) = 0;
  // A user's ledger, newest first: at most `limit` entries with ids below `before_id` (0 = from
  // the newest), so the last id of one page is the cursor of the next.
  virtual std::vector<LedgerEntry> ListLedger(int64_t user_id, int limit, int64_t before_id = 0) = 0;
  // Total ever credited (topups + grants, less deducts) and total spent of a user, for
  // /api/v1/credits.
  // Spent is settled costs plus the amounts currently held (minus refunds), i.e. the negated
  // sum of the hold, settle and refund entries, so TotalCredited - TotalSpent == balance.
  virtual Micros TotalCredited(int64_t user_id) = 0;
  virtual Micros TotalSpent(int64_t user_id) = 0;
  // Settles every hold older than `older_than_unix` that has no settlement, at its held
  // amount minus nothing charged (actual = 0). Returns how many. Used at start-up to release
  // holds left by a crashed process.
  virtual Result<int> ReleaseStaleHolds(int64_t older_than_unix) = 0;

  // --- request log ---
  // Inserts the rows in one transaction; rows whose request_id exists are ignored. The same
  // transaction adds each row to the activity rollups (per user, UTC day, model and key), so
  // Activity() never scans raw rows.
  virtual Status AppendRequestLogs(const std::vector<RequestLogRow>& rows) = 0;
  virtual std::optional<RequestLogRow> FindRequestLog(const std::string& request_id) = 0;
  virtual std::vector<RequestLogRow> ListRequestLogs(int64_t user_id, int limit) = 0;
  virtual std::vector<RequestLogRow> QueryRequestLogs(const LogQuery& query) = 0;
  // Rollup totals in [from_ms, to_ms) grouped by day, model or key, ordered by group (keys by
  // id as a number). Day granularity: from/to are rounded down to their UTC day.
  virtual std::vector<ActivityBucket> Activity(const ActivityQuery& query) = 0;

  // --- sessions ---
  virtual Status CreateSession(const Session& session) = 0;
  // nullopt when unknown or expired at `now_unix`.
  virtual std::optional<Session> FindSession(const std::string& id_hash, int64_t now_unix) = 0;
  virtual Status DeleteSession(const std::string& id_hash) = 0;  // OK when already gone
  virtual Status DeleteUserSessions(int64_t user_id) = 0;

  // --- user administration ---
  virtual std::vector<User> ListUsers(int64_t after_id, int limit) = 0;  // by id ascending
  // kNotFound when the user does not exist.
  virtual Status SetUserFlags(int64_t user_id, std::optional<bool> is_admin, std::optional<bool> disabled) = 0;
  // Takes `amount` (> 0) off a user's balance with a "deduct" ledger entry; kConflict when the
  // balance would go below zero; idempotent like Credit.
  virtual Status Debit(int64_t user_id, Micros amount, const std::string& idempotency_id, const std::string& note) = 0;

  // --- key management ---
  // kNotFound for an unknown or deleted key. A key whose limit is lowered below its usage simply
  // stops authorising spending.
  virtual Status UpdateKey(int64_t key_id, const KeyUpdate& update) = 0;
  // The key stops working at once and disappears from ListKeys; its ledger and log history stay.
  virtual Status DeleteKey(int64_t key_id) = 0;
  // A new secret for the same key (same id, usage, limit and history); the old secret stops
  // working at once. kConflict on a duplicate hash.
  virtual Status RotateKey(int64_t key_id, const std::string& hash_hex, const std::string& prefix) = 0;
  // Records use of a key (best effort; may be batched or dropped under load).
  virtual void TouchKey(int64_t key_id, int64_t now_unix) = 0;

  // --- top-ups ---
  // Records a pending top-up. kConflict when (provider, external_id) exists.
  virtual Result<int64_t> CreateTopup(const Topup& topup) = 0;
  // Completes a pending top-up and credits the user (ledger kind "topup", idempotency id
  // "topup:<provider>:<external_id>") in one transaction. Returns true if this call credited,
  // false if it was already completed (a webhook delivered twice). kNotFound when unknown.
  virtual Result<bool> CompleteTopup(const std::string& provider, const std::string& external_id,
                                     int64_t now_unix) = 0;
  virtual std::optional<Topup> FindTopup(const std::string& provider, const std::string& external_id) = 0;
  virtual std::vector<Topup> ListTopups(int64_t user_id, int limit) = 0;  // newest first
};

// Opens the store named by a DATABASE_URL ("sqlite:///abs/path.db", "sqlite://./rel.db",
// "sqlite://rel.db", "sqlite::memory:"). Creates the file and its directory if missing. Does not
// migrate. kBadRequest for a malformed or unsupported URL (postgresql:// arrives later).
Result<std::unique_ptr<Store>> OpenStore(const std::string& database_url);

// A store ready to serve: opened, migrated, and holding the built-in catalog when its catalog
// was empty. What `turnpike serve` and every CLI command start from.
struct ReadyStore {
  std::unique_ptr<Store> store;
  int migrations_applied = 0;
  size_t default_models_loaded = 0;  // 0 when the catalog already had entries
  size_t default_providers_loaded = 0;
};
// Errors name the step: "database (DATABASE_URL): …", "migration failed: …", and so on.
Result<ReadyStore> OpenReadyStore(const std::string& database_url);

}  // namespace turnpike::store
