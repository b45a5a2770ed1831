// Private to gateway/: the state of one chat request as it moves through Gateway::Chat,
// Dispatch and the relays (OpenAI bytes, or translated through a provider adapter), and the
// request's bookkeeping (cancel, fail, bill, record the charge and the log row), written once here.
#pragma once

#include <algorithm>
#include <boost/asio/steady_timer.hpp>
#include <boost/json/monotonic_resource.hpp>
#include <boost/json/value.hpp>
#include <functional>
#include <optional>
#include <string>

#include "billing/hold.h"
#include "billing/usage.h"
#include "common/clock.h"
#include "common/error_table.h"
#include "gateway/gateway.h"
#include "gateway/routing.h"
#include "protocol/canonical.h"
#include "protocol/embeddings.h"
#include "protocol/openai_chat.h"
#include "protocol/openai_responses.h"
#include "protocol/openrouter_request.h"
#include "protocol/sse_reader.h"
#include "providers/provider.h"

namespace turnpike::gateway {

struct Gateway::Exchange {
  // `body_bytes`: the size of the request body, which sizes the arena its nodes go to.
  Exchange(Gateway& g, size_t body_bytes) : gateway(g), arena(ArenaBytes(body_bytes)) {}

  Gateway& gateway;
  Api api = Api::kChat;
  std::string id;
  SteadyTime start = std::chrono::steady_clock::now();
  store::ApiKey key;
  std::string_view raw_body;
  // The parsed request's nodes come from one arena freed with the exchange: no allocation per
  // member on the request path. Its first block is twice the body (about what the nodes of a
  // chat request take), so a small request does not keep 4 KiB for the life of its stream.
  static size_t ArenaBytes(size_t body_bytes) { return std::clamp<size_t>(2 * body_bytes, 1024, 64 << 10); }
  boost::json::monotonic_resource arena;
  boost::json::value body = boost::json::value(boost::json::storage_ptr(&arena));
  // What routing and the hold need of the request, whatever its API: the model, stream or not, the
  // output asked for, the prompt's size (for embeddings: the input's, with max_tokens 0).
  protocol::ChatRequestInfo info;
  protocol::OpenRouterFields fields;  // provider preferences, fallback models, reasoning, user
  // The OpenAI parameter names the request uses (protocol::RequestParameters), for routing's
  // require_parameters and an endpoint's supported_parameters.
  std::vector<std::string> parameters;
  std::string user_tag;  // `user` as providers get it: a digest, never the client's text
  std::shared_ptr<const state::CatalogSnapshot> snapshot;
  std::vector<state::Route> routes;
  const state::Route* route = nullptr;
  // Routes passed over because their breaker is half-open and another request probes them.
  std::vector<size_t> cooling;
  // The latest provider failure, as the client's error names it (OpenRouter's `metadata`), and
  // the provider's Retry-After (seconds; "" when it sent none).
  std::optional<ProviderErrorMetadata> provider_error;
  std::string retry_after;
  // Notes a failed attempt at the current route: `raw` is the provider's text (scrubbed here).
  void ProviderFailed(std::string_view raw, const Headers& headers);
  std::optional<protocol::ChatRequest> canonical;  // decoded once, for translating adapters
  const Headers* request_headers = nullptr;        // the client's (anthropic-version, anthropic-beta)
  // Why the request cannot go to a provider that does not speak its API natively ("" when it
  // can): an Anthropic server tool or document block, say.
  std::string untranslatable;
  money::Micros held = 0;
  bool hold_taken = false;    // x.held is reserved in the account book
  bool hold_freed = false;    // … and released again by the charge (on the committer's thread)
  bool journaled = false;     // the last write of the charge succeeded (committed once it is done)
  uint64_t charge_mark = 0;   // the key's lease in the book when it did (AccountBook::Charged)
  uint64_t lease_ticket = 0;  // of the lease LeaseAndHold recorded, confirmed once it committed
  int64_t held_at = 0;        // unix seconds
  // Outcome.
  billing::Usage usage;
  bool usage_from_provider = false;
  int64_t delivered_chars = 0;  // content and tool arguments that reached the client
  std::string completion_text;  // the answer's text, kept only for keys that log prompts
  money::Micros cost = 0;
  int status = 0;
  std::string finish_reason;
  std::string error_message;
  int64_t ttft_ms = -1;
  bool client_gone = false;
  bool streaming = false;     // a stream is being relayed: the client leaving cuts the upstream call
  bool stream_began = false;  // the client has its 200 and SSE head (errors now go as an error chunk)

  // While a stream waits for its provider's first byte (one provider after another, when they
  // fail), the client gets its 200 and event-stream head after a second, then a comment line
  // ": OPENROUTER PROCESSING" every second, as OpenRouter sends them, so that clients and proxies
  // with idle timeouts keep waiting; an error, if every provider fails, is then an error chunk.
  // The comments run beside Dispatch on the same loop (streaming.cc), and stop before anything
  // else writes to the client.
  struct ProcessingComments {
    explicit ProcessingComments(const boost::asio::any_io_executor& executor) : tick(executor), ended(executor) {}
    boost::asio::steady_timer tick;
    boost::asio::steady_timer ended;  // cancelled when the loop has ended
    bool stopping = false;
    bool running = false;
  };
  std::shared_ptr<ProcessingComments> processing;
  void StartProcessingComments(const boost::asio::any_io_executor& executor, net::ResponseWriter& writer);
  // Ends them, once a write under way is done. Idempotent; nothing when none were started.
  boost::asio::awaitable<void> StopProcessingComments();
  static boost::asio::awaitable<void> SendProcessingComments(Exchange& x, net::ResponseWriter& writer,
                                                             std::shared_ptr<ProcessingComments> state);
  // The event-stream head; `routing`: with x-turnpike-routing (known once a provider answered).
  Headers StreamHeaders(bool routing) const;
  std::vector<store::Attempt> attempts;  // every provider tried, for the request log
  std::vector<SkippedEndpoint> skipped;  // endpoints routing left out, and why (RoutingChoice)

  // Reads and checks the request body (raw_body) for the exchange's API: fills body, info,
  // fields and parameters (and canonical, where the API decodes into it). kBadRequest (or another
  // 4xx) naming what is wrong. One per API, in that API's file.
  Status Read();
  // Parses raw_body into body: a 400 for what is not JSON, and for a member written twice (read
  // by us one way and by the provider another: the last one wins upstream).
  Status ParseBody();
  Status ReadChat();         // chat_handler.cc
  Status ReadMessages();     // messages.cc
  Status ReadResponses();    // responses.cc
  Status ReadEmbeddings();   // embeddings.cc
  Status ReadCompletions();  // completions.cc
  // Whether `model` can serve this API (an embedding model only embeddings, and the reverse);
  // the refusal's message when it cannot.
  std::optional<std::string> Unservable(const store::Model& model) const;
  // The JSON error body in the API's shape (Anthropic's for kMessages; else OpenRouter's).
  std::string ErrorBodyOf(const Error& error, const ProviderErrorMetadata* metadata = nullptr) const;
  // A failure after the stream began, in the API's shape (an OpenAI error chunk for chat; an
  // `error` event for Messages and Responses).
  // `model`: the model the chunk names ("" for the one the client asked for).
  std::string StreamErrorOf(const Error& error, const ProviderErrorMetadata* metadata = nullptr,
                            std::string_view model = {}) const;
  // Whether the API's streams end with "data: [DONE]" (chat and completions).
  bool EndsWithDone() const { return api == Api::kChat || api == Api::kCompletions; }

  // The provider of the current route ("" before one is chosen).
  const std::string& provider() const;

  // Meters canonical answer events: generated characters (and the time to the first), the
  // answer's text for the log, the finish reason and the provider's usage. Error events are the
  // caller's (a relay passes them on, a translation fails the stream).
  void Account(const std::vector<protocol::StreamEvent>& events);
  // Meters a whole answer the same way.
  void Account(const protocol::ChatResponse& response);
  // Keeps answer text for the request log when the key opted in (bounded).
  void KeepCompletion(std::string_view text);

  // The client left: 499 "cancelled", counted.
  void Cancelled();
  // The request failed with `error` (its status, "error", its message).
  void Failed(const Error& error);
  // Sets `cost` to what the exchange costs: the provider's usage (even above the hold), else an
  // estimate (the prompt at four characters a token and what was delivered) when an answer came
  // (`answered`) or something was delivered, never more than the hold.
  void Bill(bool answered);
  // Records the outcome, once: the hold replaced by `cost` and the request-log row, in one
  // group-committed transaction, off the event loop. Awaited before the last byte of an answer
  // goes out, so a client that has its answer (and its cost) can find both after any crash.
  boost::asio::awaitable<void> Record();
  // A provider's answer that is not a JSON object: a 502 to the client, or, when it has left,
  // cancelled.
  boost::asio::awaitable<void> FailUnreadable(net::ResponseWriter& writer);
  // Failed(error), Record(), then the error answer.
  boost::asio::awaitable<void> Fail(const Error& error, net::ResponseWriter& writer);
  // The routing explanation: every candidate in order with what became of it — answered, failed
  // (its status), not needed, cooling down — then the endpoints routing left out and why. One
  // account feeds both the header and the request log. Call before LogRow (which moves the
  // attempts out).
  std::vector<store::RoutingStep> Explain() const;
  // x-turnpike-routing: Explain() in one line. Explains the choice to the client; no other
  // gateway says it.
  Headers RoutingHeaders() const;
  // The request-log row of what happened (moves the attempts and the kept text out).
  store::RequestLogRow LogRow();

  // POST /embeddings (embeddings.cc): the request as ReadEmbeddings read it (its inputs, for
  // providers that do not take OpenAI's body; encoding_format and dimensions).
  std::optional<protocol::EmbeddingsRequest> embeddings;
  // POST /responses (responses.cc): the request as read, and the conversation it continues —
  // the items of its previous response (when it names one), then its own input.
  std::optional<protocol::ResponsesRequest> responses;
  boost::json::array responses_items;
  // Keeps this response (its items and `output`) for a later previous_response_id, unless the
  // request said store:false.
  void KeepResponse(const boost::json::array& output);

  bool recorded = false;
};

// A provider's base URL without trailing slashes, for appending a path.
inline std::string BaseUrl(std::string_view base) {
  while (base.ends_with('/')) base.remove_suffix(1);
  return std::string(base);
}

// What an endpoint allows a request and charges for it (billing/hold.h).
inline billing::EndpointTerms TermsOf(const store::Endpoint& e) { return {e.context_length, e.max_output, e.prices}; }

// A transport failure (connect, timeout, cut) with the provider, as the client should see it.
Error Transport(const Error& e, const std::string& provider);

// What a relay does with the upstream's event stream, driven by Gateway::PumpStream.
struct StreamRelay {
  // One SSE event: appends what the client gets to `out`; an error fails the stream.
  std::function<std::optional<Error>(protocol::SseEvent&& event, std::string& out)> on_event;
  // The upstream body ended: appends what only the end yields; an error when it was cut.
  std::function<std::optional<Error>(std::string& out)> on_end;
  // True once the terminal event came and nothing more is to be read.
  std::function<bool()> finished = [] { return false; };
};

}  // namespace turnpike::gateway
