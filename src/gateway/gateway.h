// The gateway listener's request handling: OpenAI-compatible chat completions with routing,
// credit holds, upstream dispatch, streaming relay, metering and settlement; plus the
// OpenRouter-style info routes (/models, /key, /credits, /generation) and health checks.
#pragma once

#include <array>
#include <atomic>
#include <boost/asio/thread_pool.hpp>
#include <chrono>
#include <deque>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "billing/account_book.h"
#include "config/config.h"
#include "gateway/response_store.h"
#include "gateway/signature_cache.h"
#include "gateway/store_calls.h"
#include "net/http.h"
#include "net/http_server.h"
#include "net/upstream_client.h"
#include "providers/provider.h"
#include "state/key_cache.h"
#include "state/key_rate_limits.h"
#include "state/model_router.h"
#include "state/provider_health.h"
#include "store/group_commit.h"
#include "store/health_check.h"
#include "store/keys.h"
#include "store/ledger.h"
#include "store/request_log.h"
#include "store/settlement_journal.h"

namespace turnpike::gateway {

struct StreamRelay;

struct Metrics {
  std::atomic<uint64_t> requests{0};
  std::atomic<uint64_t> chat_requests{0};
  std::atomic<uint64_t> status_2xx{0}, status_4xx{0}, status_5xx{0};
  std::atomic<uint64_t> upstream_failures{0};
  std::atomic<uint64_t> failovers{0};
  std::atomic<uint64_t> client_disconnects{0};
  std::atomic<uint64_t> billed_above_hold{0};  // requests whose provider usage cost more than their hold
  std::atomic<uint64_t> rate_limited{0};       // requests refused by their key's rate limits
  std::atomic<int64_t> billed_micros{0};
  std::atomic<uint64_t> log_write_failures{0};  // request-log rows the store refused
  // Settlements not written within their request's retry window, kept for later (WriteBacklog),
  // and those dropped because the backlog was full.
  std::atomic<uint64_t> settlements_kept{0}, settlements_dropped{0};
};

// The parts of the store the gateway uses. No event-loop thread calls them: reads run on the
// gateway's read threads, writes (leases, and each request's settlement journaled with its log row) in
// the group committer's transactions.
struct GatewayStores {
  store::KeyStore& keys;                    // TouchKey, and /key reads its key fresh
  store::Ledger& ledger;                    // leases and charges; /credits reads the totals
  store::RequestLogStore& request_log;      // /generation reads each request's row
  store::SettlementJournal& journal;        // each request's charge and row, durable before its last byte
  store::HealthCheck& database;             // /ready
  store::GroupCommitter& writes;            // runs the writes above
  std::string hold_owner;                   // this process's instance id: its leases and charges
  std::chrono::milliseconds test_delay{0};  // added to every read (TURNPIKE_TEST_STORE_DELAY_MS)
  // How long a request's answer waits for its charge to be written while the database does not
  // take it; past that the settlement is kept for later (Gateway::WriteBacklog). Tests shorten it
  // (TURNPIKE_TEST_CHARGE_RETRY_MS).
  std::chrono::milliseconds charge_retry_for{10'000};
};

class Gateway {
 public:
  // The APIs a model call may come in by: each has its own request body, answer shapes and error
  // shape, and shares everything else (authentication, routing, the hold, failover, settlement and
  // the request log) through ModelCall.
  enum class Api {
    kChat,         // POST /chat/completions: OpenAI Chat Completions (chat_handler.cc)
    kMessages,     // POST /messages: Anthropic Messages (messages.cc)
    kResponses,    // POST /responses: OpenAI Responses (responses.cc)
    kEmbeddings,   // POST /embeddings: OpenAI embeddings (embeddings.cc)
    kCompletions,  // POST /completions: OpenAI legacy text completions (completions.cc)
  };
  // `upstreams[i]` is the upstream client of event loop i; all references must outlive this.
  // A route that needs a store read answers 503 when the read fails.
  Gateway(const config::Config& config, const GatewayStores& stores, state::KeyCache& keys, state::ModelRouter& router,
          std::vector<std::unique_ptr<net::UpstreamClient>>& upstreams);
  // Waits for the store reads in flight (the writes belong to the group committer).
  ~Gateway();

  boost::asio::awaitable<void> Handle(int worker, const net::HttpRequest& request, net::ResponseWriter& writer);
  // The body of an error the HTTP layer answers itself (413, 408, …) for a request to `target`:
  // in Anthropic's shape for the Messages routes, else OpenRouter's (net::ServerOptions::error_body).
  static std::string HttpErrorBody(int status, const std::string& message, std::string_view target);

  // Gives the database back the leases of keys that no request has used for a lease's lifetime,
  // so that other processes may use that credit (queued with the group committer; call it
  // periodically from any thread).
  void ReturnIdleLeases();
  // Writes the last use of keys whose requests had nothing else to record (billing and request
  // logging both off): one committer call per tick instead of one per request. Call it
  // periodically from any thread, and once more when the server stops.
  void FlushKeyUses();
  // Makes every lease in the book stale, so that the next request on each key asks the database
  // again: after this process's owner claim was lost for a while, another process may have
  // released its leases there (store/owners.h). Queued with the group committer; any thread.
  void InvalidateLeases();
  // Writes the settlements (charges and log rows) that could not be written while their requests
  // ran, the database being away longer than a request waits: they are kept in memory (bounded,
  // kMaxBacklog), each charge's hold still reserved in the book, and written once the database
  // takes them again, exactly once (applying the journal is idempotent by request id). Queued
  // with the group committer; call it periodically from any thread, and once more when stopping.
  void WriteBacklog();
  // How many settlements wait in the backlog (any thread).
  size_t backlog_size() const;
  // Empties the backlog, for a process that stops with the database still away (app/
  // settlement_spool.h keeps them in a file): its settlements, oldest first.
  std::vector<store::Settlement> TakeBacklog();

  const Metrics& metrics() const { return metrics_; }
  const state::ProviderHealth& health() const { return health_; }
  // A listener whose connections /metrics reports (open, requests in flight, evicted, refused),
  // labelled `name`. Call before the event loops run; `server` must outlive them.
  void AddListenerGauges(std::string name, const net::HttpServer* server) {
    listeners_.emplace_back(std::move(name), server);
  }

 private:
  // Handle() after the CORS preflight and wrapping: dispatches by path (the model calls straight
  // to ModelCall, everything else to ServeOther).
  boost::asio::awaitable<void> Serve(int worker, const net::HttpRequest& request, net::ResponseWriter& writer);
  boost::asio::awaitable<void> ServeOther(int worker, const net::HttpRequest& request, net::ResponseWriter& writer);
  boost::asio::awaitable<void> Preflight(const net::HttpRequest& request, net::ResponseWriter& writer);
  boost::asio::awaitable<void> ServeWithCors(int worker, const net::HttpRequest& request, net::ResponseWriter& writer);
  struct Exchange;

  // A model call by `api`: authenticate, read the body (Exchange::Read…), route, hold, Dispatch,
  // settle.
  boost::asio::awaitable<void> ModelCall(int worker, const net::HttpRequest& request, net::ResponseWriter& writer,
                                         const std::string& request_id, Api api);
  boost::asio::awaitable<bool> Admit(Exchange& x, const net::HttpRequest& request, net::ResponseWriter& writer,
                                     const std::string& request_id, Api api);
  // The key of a model call: its Bearer token, or Anthropic's x-api-key header.
  boost::asio::awaitable<Result<store::ApiKey>> AuthenticateCall(const net::HttpRequest& request);
  // POST /messages/count_tokens: the upstream's count for an Anthropic-served model (messages.cc).
  boost::asio::awaitable<void> CountTokens(int worker, const net::HttpRequest& request, net::ResponseWriter& writer,
                                           const std::string& request_id);
  boost::asio::awaitable<void> Dispatch(int worker, Exchange& x, net::ResponseWriter& writer);
  // On the group committer's thread: holds x.held for x in memory, first asking the database for
  // a lease that covers it when the key's lease is stale or short (billing/account_book.h).
  store::LeaseResult LeaseAndHold(Exchange& x);
  // A settlement its request could not get written: kept for WriteBacklog.
  struct Unwritten {
    store::Settlement settlement;
    std::string request_id;
    bool hold_taken = false;  // settlement.charge's hold is still reserved in the book
    bool journaled = false;   // the last attempt succeeded (committed once it is done)
    uint64_t mark = 0;        // the key's lease then (AccountBook::Charged)
  };
  void Keep(Unwritten unwritten);
  // The upstream request for route `r`, by the exchange's API: for chat, the client's bytes for
  // providers that speak OpenAI chat, else the canonical request encoded by the adapter.
  Result<net::UpstreamRequest> UpstreamRequestFor(Exchange& x, const state::Route& r,
                                                  const providers::Adapter& adapter);
  // The exchange's canonical request encoded by `adapter` for route `r` with output `limit`: the
  // request's reasoning and end user applied, Gemini signatures filled. A 400 when the request
  // uses what only `native` (the API's own provider) serves (Exchange::untranslatable).
  Result<net::UpstreamRequest> TranslatedRequestFor(Exchange& x, const state::Route& r,
                                                    const providers::Adapter& adapter, int64_t limit,
                                                    std::string_view native);
  Result<net::UpstreamRequest> ChatRequestFor(Exchange& x, const state::Route& r, const providers::Adapter& adapter);
  Result<net::UpstreamRequest> MessagesRequestFor(Exchange& x, const state::Route& r,
                                                  const providers::Adapter& adapter);
  Result<net::UpstreamRequest> ResponsesRequestFor(Exchange& x, const state::Route& r,
                                                   const providers::Adapter& adapter);
  Result<net::UpstreamRequest> EmbeddingsRequestFor(Exchange& x, const state::Route& r,
                                                    const providers::Adapter& adapter);
  Result<net::UpstreamRequest> CompletionsRequestFor(Exchange& x, const state::Route& r,
                                                     const providers::Adapter& adapter);
  // The provider answered 2xx: its answer goes to the client in the exchange's API.
  boost::asio::awaitable<void> Answer(Exchange& x, const providers::Adapter& adapter, net::UpstreamCall& call,
                                      net::ResponseWriter& writer);
  boost::asio::awaitable<void> AnswerMessages(Exchange& x, const providers::Adapter& adapter, net::UpstreamCall& call,
                                              net::ResponseWriter& writer);
  boost::asio::awaitable<void> AnswerResponses(Exchange& x, const providers::Adapter& adapter, net::UpstreamCall& call,
                                               net::ResponseWriter& writer);
  boost::asio::awaitable<void> AnswerEmbeddings(Exchange& x, const providers::Adapter& adapter, net::UpstreamCall& call,
                                                net::ResponseWriter& writer);
  boost::asio::awaitable<void> AnswerCompletions(Exchange& x, const providers::Adapter& adapter,
                                                 net::UpstreamCall& call, net::ResponseWriter& writer);
  // Providers that speak OpenAI chat: relay bytes, observe usage (openai_relay.cc).
  boost::asio::awaitable<void> RelayJson(Exchange& x, net::UpstreamCall& call, net::ResponseWriter& writer);
  boost::asio::awaitable<void> RelayStream(Exchange& x, net::UpstreamCall& call, net::ResponseWriter& writer);
  // Other providers: decode through the adapter, re-encode as OpenAI (translated_relay.cc).
  boost::asio::awaitable<void> TranslateJson(Exchange& x, const providers::Adapter& adapter, net::UpstreamCall& call,
                                             net::ResponseWriter& writer);
  boost::asio::awaitable<void> TranslateStream(Exchange& x, const providers::Adapter& adapter, net::UpstreamCall& call,
                                               net::ResponseWriter& writer);
  // A provider's whole answer (`body`, or the failure reading it) decoded by `adapter`, metered and
  // billed; nullopt when the exchange has already ended (the client left, or the answer could not
  // be read and the client has its error).
  boost::asio::awaitable<std::optional<protocol::ChatResponse>> DecodeAnswer(Exchange& x,
                                                                             const providers::Adapter& adapter,
                                                                             const Result<std::string>& body,
                                                                             net::ResponseWriter& writer);
  // A whole answer: status 200, settle, send.
  boost::asio::awaitable<void> SendAnswer(Exchange& x, std::string body, net::ResponseWriter& writer);
  // Starts the SSE answer (status 200, event-stream headers); marks the client gone and cancels
  // the upstream call if it cannot be written (streaming.cc).
  boost::asio::awaitable<void> BeginStreamedAnswer(Exchange& x, net::UpstreamCall& call, net::ResponseWriter& writer);
  // Reads the upstream's event stream through `relay` and writes what it yields, until the end,
  // relay.finished(), a failure (returned) or the client leaving; cancels the call unless it
  // ended (streaming.cc).
  boost::asio::awaitable<std::optional<Error>> PumpStream(Exchange& x, net::UpstreamCall& call, StreamRelay& relay,
                                                          net::ResponseWriter& writer);
  // Ends a streamed answer: bills and settles x, then writes nothing if the client left, the
  // error chunk on `failure`, else `tail` followed by [DONE] (or, without `send_done`, just the
  // end). Arguments are references to the caller's named objects: g++ 12 mishandles
  // temporaries passed by value into coroutines.
  boost::asio::awaitable<void> EndStreamedAnswer(Exchange& x, const std::optional<Error>& failure,
                                                 const std::string& tail, bool send_done, std::string_view chunk_id,
                                                 std::string_view model, net::ResponseWriter& writer);

  // The routes where a key reads about itself (/key, /credits, /generation): the key named by the
  // Authorization header, whatever its state, then the JSON body `build` makes for it, or its error.
  using BodyBuilder = Result<std::string> (Gateway::*)(const store::ApiKey& key, const net::HttpRequest& request);
  // (`build` is one of the named builders below, by reference: g++ 12 mishandles a temporary
  // passed by value into a coroutine once that has been suspended.)
  boost::asio::awaitable<void> KeyInfo(const net::HttpRequest& request, net::ResponseWriter& writer,
                                       const BodyBuilder& build);
  Result<std::string> KeyBody(const store::ApiKey& key, const net::HttpRequest& request);
  Result<std::string> CreditsBody(const store::ApiKey& key, const net::HttpRequest& request);
  Result<std::string> GenerationBody(const store::ApiKey& key, const net::HttpRequest& request);
  static const BodyBuilder kKeyBody, kCreditsBody, kGenerationBody;

  // OpenRouter's key management API, /keys and /keys/{hash}, for management keys: the ordinary
  // keys of the management key's user (keys_api.cc). The helpers answer the JSON body or the error;
  // `user_id` is the management key's user, `hash` a key's public id (store::ApiKey::public_id).
  boost::asio::awaitable<void> Keys(const net::HttpRequest& request, net::ResponseWriter& writer);
  boost::asio::awaitable<Result<std::string>> ListManagedKeys(int64_t user_id, const net::HttpRequest& request);
  boost::asio::awaitable<Result<std::string>> ReadManagedKey(int64_t user_id, const std::string& hash);
  boost::asio::awaitable<Result<std::string>> CreateManagedKey(int64_t user_id, const net::HttpRequest& request);
  // PATCH and DELETE.
  boost::asio::awaitable<Result<std::string>> ChangeManagedKey(int64_t user_id, const std::string& hash,
                                                               const net::HttpRequest& request);
  // Applies the settlement journal (a write), so that usage reads as it stands; false when the
  // store did not take it.
  boost::asio::awaitable<bool> ApplyJournalForKeys();
  // On a store thread: `keys` (of user `user_id`) as JSON objects joined by commas, with their
  // spend in the current day, week and month.
  Result<std::string> ManagedKeysJson(int64_t user_id, const std::vector<store::ApiKey>& keys);
  boost::asio::awaitable<void> MetricsText(net::ResponseWriter& writer, const std::string& request_id);

  // `extra`: more headers for the answer (the routing explanation of a chat request), or null.
  // `api`: the error body in that API's shape (Anthropic's for kMessages; else OpenRouter's).
  boost::asio::awaitable<void> ReplyError(net::ResponseWriter& writer, const Error& error,
                                          const std::string& request_id, const Headers* extra = nullptr,
                                          Api api = Api::kChat);
  boost::asio::awaitable<void> ReplyJson(net::ResponseWriter& writer, int status, std::string body,
                                         const std::string& request_id, const Headers* extra = nullptr);

  // A store call off the event loop (store_calls.h): a read on the read threads, a write in the
  // group committer's next transaction. `call` is the caller's named object (see OnStoreThread).
  template <class R>
  boost::asio::awaitable<R> Read(const std::function<R()>& call) {
    return OnStoreThread<R>(reads_, call);
  }
  // `committed` (may be null): run on the committer's thread once the write committed.
  template <class R>
  boost::asio::awaitable<R> Write(const std::function<R()>& call, const std::function<void()>* committed = nullptr) {
    return OnStoreThread<R>(writes_, call, committed);
  }

  const config::Config& config_;
  store::KeyStore& key_store_;
  store::Ledger& ledger_;
  store::RequestLogStore& request_log_;
  store::SettlementJournal& journal_;
  store::HealthCheck& database_;
  const std::string hold_owner_;
  billing::AccountBook book_;
  std::atomic<bool> returning_leases_{false};  // a ReturnIdleLeases call is queued
  const std::chrono::milliseconds charge_retry_for_;
  // At most this many settlements wait (about 2 KB each with a log row): past it one is dropped,
  // logged with its request id and cost, rather than the memory grown without end.
  static constexpr size_t kMaxBacklog = 100'000;
  mutable std::mutex backlog_mu_;
  std::deque<Unwritten> backlog_;
  std::atomic<bool> writing_backlog_{false};  // a WriteBacklog call is queued
  // Key id -> last use (unix seconds) not yet written, sharded by key so that no lock is every
  // request's; only requests with nothing else to record put theirs here.
  struct KeyUses {
    std::mutex mu;
    std::unordered_map<int64_t, int64_t> last;
  };
  std::array<KeyUses, 16> key_uses_;
  void NoteKeyUse(int64_t key_id, int64_t used_at);
  state::KeyCache& keys_;
  state::KeyRateLimits rate_limits_;  // requests and tokens per minute per key, in memory
  state::ModelRouter& router_;
  std::vector<std::unique_ptr<net::UpstreamClient>>& upstreams_;
  SignatureCache signatures_;
  ResponseStore responses_;  // POST /responses: the responses kept for previous_response_id (responses.cc)
  state::ProviderHealth health_;
  Metrics metrics_;
  std::vector<std::pair<std::string, const net::HttpServer*>> listeners_;
  boost::asio::thread_pool read_pool_{2};
  StoreSubmit reads_;
  StoreSubmit writes_;
};

}  // namespace turnpike::gateway
