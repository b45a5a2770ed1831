// POST /api/v1/chat/completions: authenticate, validate, route, hold, dispatch (with failover
// before the first byte), relay, meter, settle, log.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/this_coro.hpp>
#include <boost/json.hpp>
#include <exception>

#include "billing/hold.h"
#include "common/crypto.h"
#include "gateway/exchange.h"
#include "gateway/key_json.h"
#include "gateway/routing.h"
#include "protocol/anthropic_messages.h"
#include "protocol/json_members.h"
#include "protocol/openai_decode.h"
#include "protocol/openai_responses.h"
#include "providers/openai/openai_adapter.h"

namespace turnpike::gateway {
namespace json = boost::json;
using boost::asio::awaitable;

Status Gateway::Exchange::Read() {
  switch (api) {
    case Api::kChat:
      return ReadChat();
    case Api::kMessages:
      return ReadMessages();
    case Api::kResponses:
      return ReadResponses();
    case Api::kEmbeddings:
      return ReadEmbeddings();
    case Api::kCompletions:
      return ReadCompletions();
  }
  return MakeError(ErrorCode::kInternal, "unknown API");
}

Status Gateway::Exchange::ParseBody() {
  boost::system::error_code ec;
  body = json::parse(raw_body, ec, &arena);
  if (ec) return MakeError(ErrorCode::kBadRequest, "The request body is not valid JSON: " + ec.message());
  // A second "stream_options", say, could switch the usage the bill rests on off.
  if (auto layout = protocol::ScanObject(raw_body);
      body.is_object() && layout && layout->members.size() != body.get_object().size()) {
    return MakeError(ErrorCode::kBadRequest, "The request body has a member more than once");
  }
  return OkStatus();
}

Status Gateway::Exchange::ReadChat() {
  if (Status parsed = ParseBody(); !parsed.ok()) return parsed;
  auto inspected = protocol::InspectChatRequest(body);
  if (!inspected.ok()) return inspected.error();
  info = std::move(*inspected);
  auto parsed = protocol::ParseOpenRouterFields(body.get_object());
  if (!parsed.ok()) return parsed.error();
  fields = std::move(*parsed);
  parameters = protocol::RequestParameters(body.get_object());
  return OkStatus();
}

std::optional<std::string> Gateway::Exchange::Unservable(const store::Model& model) const {
  const bool embeds = std::find(model.output_modalities.begin(), model.output_modalities.end(), "embeddings") !=
                      model.output_modalities.end();
  if (embeds && api != Api::kEmbeddings) {
    return model.id + " is an embedding model: use POST /api/v1/embeddings";
  }
  if (!embeds && api == Api::kEmbeddings) {
    return model.id + " is not an embedding model (GET /api/v1/embeddings/models lists them)";
  }
  return std::nullopt;
}

std::string Gateway::Exchange::ErrorBodyOf(const Error& error, const ProviderErrorMetadata* metadata) const {
  if (api == Api::kMessages) return protocol::AnthropicErrorBody(error);
  return ErrorBody(error, metadata);
}

std::string Gateway::Exchange::StreamErrorOf(const Error& error, const ProviderErrorMetadata* metadata,
                                             std::string_view model) const {
  switch (api) {
    case Api::kMessages:
      return protocol::AnthropicErrorEvent(error);
    case Api::kResponses:
      return protocol::ResponsesErrorEvent(error);
    case Api::kChat:
    case Api::kEmbeddings:
    case Api::kCompletions:
      break;
  }
  return StreamErrorChunk(error, id, model.empty() ? std::string_view(info.model) : model, metadata);
}

awaitable<Result<store::ApiKey>> Gateway::AuthenticateCall(const net::HttpRequest& request) {
  // Anthropic's clients send their key as x-api-key; every API also takes a Bearer token.
  std::string_view authorization = FindHeader(request.headers, "authorization");
  std::string from_x_api_key;
  if (authorization.empty()) {
    if (std::string_view x_api_key = FindHeader(request.headers, "x-api-key"); !x_api_key.empty()) {
      from_x_api_key = "Bearer " + std::string(x_api_key);
      authorization = from_x_api_key;
    }
  }
  const int64_t now = UnixSeconds();
  if (auto cached = keys_.AuthenticateCached(authorization, now)) co_return std::move(*cached);
  // A cache miss: read the key on a store thread.
  const std::function<Result<store::ApiKey>()> lookup = [&] { return keys_.Authenticate(authorization, now); };
  Result<store::ApiKey> read = co_await Read(lookup);
  co_return read;
}

// Everything before the provider is called: the key, its rate limits, the request read, the
// routes, the hold. False once it has answered (the error). A coroutine of its own so that its
// locals and temporaries are freed before the answer starts: ModelCall's frame, which a stream
// keeps for its whole life, holds little more than the Exchange (bench/README.md, open streams).
awaitable<bool> Gateway::Admit(Exchange& x, const net::HttpRequest& request, net::ResponseWriter& writer,
                               const std::string& request_id, Api api) {
  Result<store::ApiKey> key = co_await AuthenticateCall(request);
  if (!key.ok()) {
    co_await ReplyError(writer, key.error(), request_id, nullptr, api);
    co_return false;
  }
  if (auto refused = rate_limits_.Admit(*key)) {  // the key's requests and tokens per minute
    metrics_.rate_limited.fetch_add(1, std::memory_order_relaxed);
    const Headers retry{{"retry-after", std::to_string(refused->retry_after_seconds)}};
    co_await ReplyError(writer, refused->error, request_id, &retry, api);
    co_return false;
  }
  x.api = api;
  x.id = request_id;
  x.key = std::move(*key);
  x.raw_body = request.body;
  x.request_headers = &request.headers;
  if (Status read = x.Read(); !read.ok()) {
    co_await ReplyError(writer, read.error(), request_id, nullptr, api);
    co_return false;
  }
  if (x.fields.user && !x.fields.user->empty()) {
    // The end user's id as providers see it: stable per account, and not the text itself.
    x.user_tag = crypto::Sha256Hex(std::to_string(x.key.user_id) + ":" + *x.fields.user).substr(0, 32);
  }
  x.snapshot = router_.snapshot();
  // The model and its fallbacks (`models`), each by its id or an alias, with OpenRouter's
  // :floor / :nitro variant split off.
  RoutingInput routing;
  std::string variant;
  std::vector<std::string> names{x.info.model};
  names.insert(names.end(), x.fields.models.begin(), x.fields.models.end());
  for (size_t i = 0; i < names.size(); ++i) {
    auto [id, suffix] = SplitVariant(names[i]);
    if (i == 0) variant = suffix;
    const store::Model* model = x.snapshot->FindModel(id);
    if (!model) {  // as OpenRouter answers it: 400, with the likely model when there is one
      std::string message = names[i] + " is not a valid model ID";
      if (auto close = x.snapshot->SuggestModel(id)) message += ". Did you mean " + *close + "?";
      co_await ReplyError(writer, MakeError(ErrorCode::kBadRequest, message + " (GET /api/v1/models lists them)"),
                          request_id, nullptr, api);
      co_return false;
    }
    if (auto refusal = x.Unservable(*model)) {
      co_await ReplyError(writer, MakeError(ErrorCode::kBadRequest, *refusal), request_id, nullptr, api);
      co_return false;
    }
    if (std::find(routing.models.begin(), routing.models.end(), model) == routing.models.end()) {
      routing.models.push_back(model);
    }
  }
  if (!x.fields.provider_set && !x.key.user_provider_preferences.empty()) {
    // The account's default provider preferences (set in Settings, docs/control-api.md) for a
    // request that sets no `provider`. They were checked when saved; should they no longer parse,
    // the request is routed as if there were none.
    boost::system::error_code ec;
    const boost::json::value stored = boost::json::parse(x.key.user_provider_preferences, ec);
    auto defaults = ec ? Result<protocol::ProviderPreferences>(MakeError(ErrorCode::kInternal, "not JSON"))
                       : protocol::ParseProviderPreferences(stored);
    if (defaults.ok()) {
      x.fields.provider = std::move(*defaults);
    } else {
      spdlog::warn("user {}: stored provider preferences ignored: {}", x.key.user_id, defaults.error().message);
    }
  }
  routing.preferences = x.fields.provider;
  routing.variant = variant;
  routing.parameters = std::move(x.parameters);  // read by routing only
  routing.health = &health_.View();              // this loop's copy: no lock
  routing.now_ms = UnixMillis();
  auto choice = ChooseRoutes(*x.snapshot, routing);
  if (!choice.ok()) {
    co_await ReplyError(writer, choice.error(), request_id, nullptr, api);
    co_return false;
  }
  x.routes = std::move(choice->routes);
  x.skipped = std::move(choice->skipped);

  // The worst case at any provider the request might fail over to.
  for (const auto& r : x.routes) x.held = std::max(x.held, billing::WorstCaseCost(x.info, TermsOf(*r.endpoint)));
  x.held_at = UnixSeconds();
  store::LeaseResult hold;
  hold.outcome = store::HoldOutcome::kHeld;
  if (!config_.billing_enabled) {
    // Nothing is held or charged; the cost is still computed and logged.
  } else if (book_.TryReserve(x.key.id, x.held, billing::AccountBook::Clock::now())) {
    x.hold_taken = true;  // from this process's lease: no database round trip
  } else {
    const std::function<store::LeaseResult()> lease = [this, &x] { return LeaseAndHold(x); };
    store::LeaseResult leased = co_await Write(lease);
    hold = leased;
    // The batch that granted the lease has committed (or its calls ran again alone and did):
    // from now on the other requests may hold from it.
    if (x.hold_taken) book_.Confirm(x.key.id, x.lease_ticket);
  }
  switch (hold.outcome) {
    case store::HoldOutcome::kHeld:
      break;
    case store::HoldOutcome::kInsufficientBalance:
      co_await ReplyError(
          writer,
          MakeError(ErrorCode::kPaymentRequired, "Insufficient credits: this request can cost up to $" +
                                                     money::FormatUsd(x.held) + " and the balance is $" +
                                                     money::FormatUsd(std::max<money::Micros>(0, hold.available)) +
                                                     ". Add credits or lower max_tokens."),
          request_id, nullptr, api);
      co_return false;
    case store::HoldOutcome::kKeyLimitReached:
      co_await ReplyError(writer, MakeError(ErrorCode::kPaymentRequired, KeyLimitMessage(x.key, x.held, x.held_at)),
                          request_id, nullptr, api);
      co_return false;
    case store::HoldOutcome::kKeyDisabled:
      co_await ReplyError(writer, MakeError(ErrorCode::kForbidden, "This API key is disabled or expired"), request_id,
                          nullptr, api);
      co_return false;
    case store::HoldOutcome::kFailed:
      co_await ReplyError(writer, MakeError(ErrorCode::kUnavailable, "The credit store is unavailable; try again"),
                          request_id, nullptr, api);
      co_return false;
    case store::HoldOutcome::kDuplicate:
      co_await ReplyError(writer, MakeError(ErrorCode::kConflict, "Duplicate request id"), request_id, nullptr, api);
      co_return false;
  }
  co_return true;
}

awaitable<void> Gateway::ModelCall(int worker, const net::HttpRequest& request, net::ResponseWriter& writer,
                                   const std::string& request_id, Api api) {
  metrics_.chat_requests.fetch_add(1, std::memory_order_relaxed);
  Exchange x(*this, request.body.size());
  bool admitted = co_await Admit(x, request, writer, request_id, api);
  if (!admitted) co_return;
  // An exception out of Dispatch is a bug; the request is still settled (billed what the provider
  // delivered, its hold released), and the server then answers 500 or closes a connection whose
  // answer it cut off (net/http_server.cc).
  std::exception_ptr bug;
  try {
    co_await Dispatch(worker, x, writer);
  } catch (const std::exception&) {
    bug = std::current_exception();
  }
  writer.OnClientGone(nullptr);
  co_await x.StopProcessingComments();  // (after a bug: they must not outlive x)
  if (bug && !x.recorded) {
    x.Failed(MakeError(ErrorCode::kInternal, "The gateway failed while answering this request"));
    if (x.route) x.Bill(false);
  }
  co_await x.Record();  // when no answer recorded it (the client left, or a bug)
  if (bug) std::rethrow_exception(bug);
}

store::LeaseResult Gateway::LeaseAndHold(Exchange& x) {
  if (x.hold_taken) {
    // A second run: the batch of the first did not commit, so its lease may not have lasted.
    book_.Unreserve(x.key.id, x.held);
    book_.Invalidate(x.key.id);
    x.hold_taken = false;
  }
  store::LeaseResult result;
  result.outcome = store::HoldOutcome::kHeld;
  const auto now = billing::AccountBook::Clock::now();
  if (book_.TryReserve(x.key.id, x.held, now)) {  // a request queued before this one leased enough
    x.hold_taken = true;
    return result;
  }
  // The database referees leases against the balance and usage: they must include every charge
  // already made, so the journal goes into the ledger first (in this same transaction).
  if (auto applied = journal_.ApplyJournal(); !applied.ok()) {
    spdlog::error("{}: applying the settlement journal before a lease: {}", x.id, applied.error().message);
    result.outcome = store::HoldOutcome::kFailed;  // 503
    return result;
  }
  // The event loops may hold from the new lease between asking and recording it; ask again then.
  for (int attempt = 0; attempt < 3; ++attempt) {
    billing::AccountBook::Ask ask = book_.AskFor(x.key.id, x.held);
    result = ledger_.Lease({hold_owner_, x.key.user_id, x.key.id, ask.need, ask.want}, UnixSeconds());
    if (result.outcome != store::HoldOutcome::kHeld) return result;
    if (book_.Leased(x.key.id, result.lease, x.held, now, &x.lease_ticket)) {
      x.hold_taken = true;
      return result;
    }
  }
  result.outcome = store::HoldOutcome::kFailed;
  return result;
}

Result<net::UpstreamRequest> Gateway::UpstreamRequestFor(Exchange& x, const state::Route& r,
                                                         const providers::Adapter& adapter) {
  switch (x.api) {
    case Api::kChat:
      return ChatRequestFor(x, r, adapter);
    case Api::kMessages:
      return MessagesRequestFor(x, r, adapter);
    case Api::kResponses:
      return ResponsesRequestFor(x, r, adapter);
    case Api::kEmbeddings:
      return EmbeddingsRequestFor(x, r, adapter);
    case Api::kCompletions:
      return CompletionsRequestFor(x, r, adapter);
  }
  return MakeError(ErrorCode::kInternal, "unknown API");
}

Result<net::UpstreamRequest> Gateway::TranslatedRequestFor(Exchange& x, const state::Route& r,
                                                           const providers::Adapter& adapter, int64_t limit,
                                                           std::string_view native) {
  if (!x.untranslatable.empty()) {
    return MakeError(ErrorCode::kBadRequest, "The request uses " + x.untranslatable + ", which only " +
                                                 std::string(native) + " serves; " + r.model->id + " at " +
                                                 r.provider->provider->name + " cannot take it");
  }
  protocol::ChatRequest& request = *x.canonical;
  request.reasoning_effort = x.fields.reasoning ? protocol::ReasoningEffort(*x.fields.reasoning) : "";
  request.user = x.user_tag;
  signatures_.Fill(x.key.id, request);
  providers::EndpointInfo endpoint{r.provider->base_url, r.provider->api_key, r.endpoint->upstream_model, limit};
  auto encoded = adapter.EncodeRequest(request, endpoint);
  if (!encoded.ok()) return encoded.error();
  return net::UpstreamRequest{std::move(encoded->url), "POST", std::move(encoded->headers), std::move(encoded->body)};
}

Result<net::UpstreamRequest> Gateway::ChatRequestFor(Exchange& x, const state::Route& r,
                                                     const providers::Adapter& adapter) {
  // The output the hold covers at this endpoint, written into the request (billing/hold.h).
  const int64_t limit = billing::OutputLimit(x.info, TermsOf(*r.endpoint));
  providers::EndpointInfo endpoint{r.provider->base_url, r.provider->api_key, r.endpoint->upstream_model, limit};
  providers::EncodedRequest encoded;
  if (adapter.RelaysOpenAiChat()) {  // the client's bytes, with the provider's model name
    protocol::RelayEdits edits;
    edits.supported = &r.endpoint->supported_parameters;
    if (x.fields.reasoning) edits.reasoning_effort = protocol::ReasoningEffort(*x.fields.reasoning);
    edits.user = x.user_tag;
    edits.output_limit = limit;
    // OpenAI's own API refuses max_tokens on its reasoning models; OpenAI-compatible servers
    // all know max_tokens.
    if (r.provider->base_url.find("://api.openai.com") != std::string::npos) {
      edits.limit_member = "max_completion_tokens";
    }
    encoded = providers::openai::RelayRequest(x.raw_body, x.body, x.info.stream, endpoint, edits);
  } else {
    if (!x.canonical) {
      auto decoded = protocol::DecodeChatRequest(x.body);
      if (!decoded.ok()) return decoded.error();
      x.canonical = std::move(*decoded);
      // OpenRouter's `reasoning` in the one form every adapter maps (effort), and the end user
      // as a digest.
      if (x.fields.reasoning) x.canonical->reasoning_effort = protocol::ReasoningEffort(*x.fields.reasoning);
      x.canonical->user = x.user_tag;
      signatures_.Fill(x.key.id, *x.canonical);
    }
    auto translated = adapter.EncodeRequest(*x.canonical, endpoint);
    if (!translated.ok()) return translated.error();
    encoded = std::move(*translated);
  }
  return net::UpstreamRequest{std::move(encoded.url), "POST", std::move(encoded.headers), std::move(encoded.body)};
}

awaitable<void> Gateway::Dispatch(int worker, Exchange& x, net::ResponseWriter& writer) {
  if (x.info.stream) {  // ": OPENROUTER PROCESSING" while no provider has answered yet
    const auto executor = co_await boost::asio::this_coro::executor;
    x.StartProcessingComments(executor, writer);
  }
  Error last = MakeError(ErrorCode::kUpstream, "no provider answered");
  auto more_after = [&](size_t i) { return i + 1 < x.routes.size(); };
  for (size_t i = 0; i < x.routes.size(); ++i) {
    const state::Route& r = x.routes[i];
    x.route = &r;
    const std::string& provider = x.provider();
    const std::string& model = r.model->id;
    // A half-open breaker lets one request probe the endpoint; the others go on to the next one
    // (state/provider_health.h). The last one left is tried whatever its breaker says.
    if (more_after(i) && !health_.MayTry(provider, model, UnixMillis())) {
      x.cooling.push_back(i);
      continue;
    }
    // The snapshot only offers providers whose adapter exists (state::AdapterSupported).
    const providers::Adapter& adapter = *providers::FindAdapter(r.provider->provider->adapter);
    bool more = more_after(i);
    auto up = UpstreamRequestFor(x, r, adapter);
    if (!up.ok()) {  // this provider cannot express the request; another may
      last = up.error();
      if (more) continue;
      break;
    }
    const SteadyTime attempt_start = std::chrono::steady_clock::now();
    auto call = upstreams_[static_cast<size_t>(worker)]->Start(std::move(*up));
    // A client that leaves once the request is on its way is billed what the provider charges:
    // the call goes on to its head, a whole answer is read to its end for its usage, and a
    // stream is cut there and billed for its prompt and what was generated (BeginStreamedAnswer).
    writer.OnClientGone([call, &x] {
      x.client_gone = true;
      if (x.streaming) call->Cancel();
    });
    auto head = co_await call->ReadHead();
    if (!head.ok()) {
      metrics_.upstream_failures.fetch_add(1, std::memory_order_relaxed);
      health_.RecordFailure(provider, model, UnixMillis());
      last = Transport(head.error(), provider);
      x.ProviderFailed(head.error().message, {});
      x.attempts.push_back(store::Attempt{provider, 0, last.message, MillisSince(attempt_start)});
      spdlog::warn("{}: {}", x.id, last.message);
      if (x.client_gone) break;
      if (more) {
        metrics_.failovers.fetch_add(1, std::memory_order_relaxed);
        continue;
      }
      break;
    }
    if (head->status < 200 || head->status >= 300) {
      auto body = co_await call->ReadAll();
      std::string text = body.ok() ? *body : "";
      metrics_.upstream_failures.fetch_add(1, std::memory_order_relaxed);
      auto mapped = adapter.MapError(provider, head->status, text, head->headers);
      mapped.error.message = ScrubProviderText(mapped.error.message, 4096);
      x.ProviderFailed(text, head->headers);
      // A refusal of the request itself (400, 404 …) is the provider working as it should.
      if (mapped.retryable) {
        health_.RecordFailure(provider, model, UnixMillis());
      } else {
        health_.RecordSuccess(provider, model, MillisSince(x.start));
      }
      last = mapped.error;
      x.attempts.push_back(store::Attempt{provider, head->status, last.message, MillisSince(attempt_start)});
      spdlog::warn("{}: {}", x.id, last.message);
      if (x.client_gone) break;
      if (more && mapped.retryable) {
        metrics_.failovers.fetch_add(1, std::memory_order_relaxed);
        continue;
      }
      break;
    }
    co_await x.StopProcessingComments();
    x.ttft_ms = MillisSince(x.start);
    health_.RecordSuccess(provider, model, x.ttft_ms);
    x.attempts.push_back(store::Attempt{provider, head->status, "", MillisSince(attempt_start)});
    co_await Answer(x, adapter, *call, writer);
    co_return;
  }
  co_await x.StopProcessingComments();
  if (x.client_gone) {  // nobody to tell; nothing was answered, nothing is billed
    x.Cancelled();
    co_return;
  }
  co_await x.Fail(last, writer);
}

awaitable<void> Gateway::Answer(Exchange& x, const providers::Adapter& adapter, net::UpstreamCall& call,
                                net::ResponseWriter& writer) {
  switch (x.api) {
    case Api::kChat:
      if (adapter.RelaysOpenAiChat() && x.info.stream) {
        co_await RelayStream(x, call, writer);
      } else if (adapter.RelaysOpenAiChat()) {
        co_await RelayJson(x, call, writer);
      } else if (x.info.stream) {
        co_await TranslateStream(x, adapter, call, writer);
      } else {
        co_await TranslateJson(x, adapter, call, writer);
      }
      break;
    case Api::kMessages:
      co_await AnswerMessages(x, adapter, call, writer);
      break;
    case Api::kResponses:
      co_await AnswerResponses(x, adapter, call, writer);
      break;
    case Api::kEmbeddings:
      co_await AnswerEmbeddings(x, adapter, call, writer);
      break;
    case Api::kCompletions:
      co_await AnswerCompletions(x, adapter, call, writer);
      break;
  }
}

awaitable<void> Gateway::SendAnswer(Exchange& x, std::string body, net::ResponseWriter& writer) {
  x.status = 200;
  Headers headers{{"Content-Type", "application/json"}, {"x-request-id", x.id}};
  for (auto& h : x.RoutingHeaders()) headers.push_back(std::move(h));
  co_await x.Record();
  co_await writer.Send(200, std::move(headers), std::move(body));
  metrics_.status_2xx.fetch_add(1, std::memory_order_relaxed);
}

}  // namespace turnpike::gateway
