// POST /api/v1/chat/completions: authenticate, validate, route, hold, dispatch (with failover
// before the first byte), relay, meter, settle, log.
#include <boost/json.hpp>
#include <spdlog/spdlog.h>

#include "common/error_table.h"
#include "gateway/exchange.h"
#include "protocol/openai_decode.h"

namespace turnpike::gateway {
namespace json = boost::json;
using boost::asio::awaitable;

Error Transport(const Error& e, const std::string& provider) {
  return MakeError(e.code == ErrorCode::kTimeout ? ErrorCode::kTimeout : ErrorCode::kUpstream,
                   "Provider " + provider + ": " + e.message);
}

awaitable<void> Gateway::Chat(int worker, const net::HttpRequest& request, net::ResponseWriter& writer,
                              const std::string& request_id) {
  metrics_.chat_requests.fetch_add(1, std::memory_order_relaxed);
  auto key = keys_.Authenticate(FindHeader(request.headers, "authorization"), UnixSeconds());
  if (!key.ok()) {
    co_await ReplyError(writer, key.error(), request_id);
    co_return;
  }
  Exchange x;
  x.id = request_id;
  x.key = std::move(*key);
  key_store_.TouchKey(x.key.id, UnixSeconds());  // last_used_at; the store skips it when recent
  x.raw_body = request.body;
  boost::system::error_code ec;
  x.body = json::parse(request.body, ec);
  if (ec) {
    co_await ReplyError(writer, MakeError(ErrorCode::kBadRequest, "The request body is not valid JSON: " + ec.message()),
                        request_id);
    co_return;
  }
  auto info = protocol::InspectChatRequest(x.body);
  if (!info.ok()) {
    co_await ReplyError(writer, info.error(), request_id);
    co_return;
  }
  x.info = std::move(*info);
  x.snapshot = router_.snapshot();
  const store::Model* model = x.snapshot->FindModel(x.info.model);
  if (!model) {
    co_await ReplyError(writer,
                        MakeError(ErrorCode::kNotFound, "Model '" + x.info.model +
                                                            "' is not in the catalog; GET /api/v1/models lists the models"),
                        request_id);
    co_return;
  }
  x.routes = x.snapshot->Candidates(*model);
  if (x.routes.empty()) {
    std::string why;
    for (const auto& e : model->endpoints) {
      const state::ProviderState* p = x.snapshot->FindProvider(e.provider_id);
      why += (why.empty() ? "" : "; ") + e.provider_id + ": " + (p ? p->unavailable_reason : "unknown provider");
    }
    co_await ReplyError(writer,
                        MakeError(ErrorCode::kUnavailable, "No provider is available for " + x.info.model + " (" + why + ")"),
                        request_id);
    co_return;
  }

  // Worst case at any provider we might fail over to: the prompt at two characters a token
  // (bounded by the context), images at 2,000 tokens each, and the full output allowance.
  for (const auto& r : x.routes) {
    money::TokenCounts worst;
    worst.prompt = std::min(r.endpoint->context_length, x.info.prompt_chars / 2 + 64 + x.info.images * 2000);
    worst.completion = x.info.max_tokens.value_or(r.endpoint->max_output);
    x.held = std::max(x.held, money::Cost(worst, r.endpoint->prices));
  }
  auto hold = ledger_.Hold({x.id, x.key.user_id, x.key.id, x.held}, UnixSeconds());
  switch (hold.outcome) {
    case store::HoldOutcome::kHeld:
      x.hold_taken = true;
      break;
    case store::HoldOutcome::kInsufficientBalance:
      co_await ReplyError(writer,
                          MakeError(ErrorCode::kPaymentRequired,
                                    "Insufficient credits: this request can cost up to $" + money::FormatUsd(x.held) +
                                        " and the balance is $" + money::FormatUsd(hold.balance_after) +
                                        ". Add credits or lower max_tokens."),
                          request_id);
      co_return;
    case store::HoldOutcome::kKeyLimitReached:
      co_await ReplyError(writer,
                          MakeError(ErrorCode::kPaymentRequired,
                                    "This API key's spending limit does not cover this request (up to $" +
                                        money::FormatUsd(x.held) + "). Raise the limit or lower max_tokens."),
                          request_id);
      co_return;
    case store::HoldOutcome::kKeyDisabled:
      co_await ReplyError(writer, MakeError(ErrorCode::kForbidden, "This API key is disabled or expired"), request_id);
      co_return;
    case store::HoldOutcome::kFailed:
      co_await ReplyError(writer, MakeError(ErrorCode::kUnavailable, "The credit store is unavailable; try again"),
                          request_id);
      co_return;
    case store::HoldOutcome::kDuplicate:
      co_await ReplyError(writer, MakeError(ErrorCode::kConflict, "Duplicate request id"), request_id);
      co_return;
  }
  co_await Dispatch(worker, x, writer);
  writer.OnClientGone(nullptr);
  Finish(x);
}

Result<net::UpstreamRequest> Gateway::UpstreamRequestFor(Exchange& x, const state::Route& r,
                                                        const providers::Adapter* adapter) {
  if (!adapter) {  // OpenAI-compatible: the client's bytes, with the provider's model name
    net::UpstreamRequest up;
    up.url = r.provider->base_url + "/chat/completions";
    up.headers.push_back({"Content-Type", "application/json"});
    if (!r.provider->api_key.empty()) up.headers.push_back({"Authorization", "Bearer " + r.provider->api_key});
    up.body = protocol::RewriteForUpstream(x.raw_body, x.body, r.endpoint->upstream_model, x.info.stream);
    return up;
  }
  if (!x.canonical) {
    auto decoded = protocol::DecodeChatRequest(x.body);
    if (!decoded.ok()) return decoded.error();
    x.canonical = std::move(*decoded);
    signatures_.Fill(*x.canonical);
  }
  providers::EndpointInfo endpoint{r.provider->base_url, r.provider->api_key, r.endpoint->upstream_model,
                                   r.endpoint->max_output};
  auto encoded = adapter->EncodeRequest(*x.canonical, endpoint);
  if (!encoded.ok()) return encoded.error();
  return net::UpstreamRequest{std::move(encoded->url), "POST", std::move(encoded->headers), std::move(encoded->body)};
}

awaitable<void> Gateway::Dispatch(int worker, Exchange& x, net::ResponseWriter& writer) {
  Error last = MakeError(ErrorCode::kUpstream, "no provider answered");
  for (size_t i = 0; i < x.routes.size(); ++i) {
    const state::Route& r = x.routes[i];
    x.route = &r;
    const std::string& provider = r.provider->provider->id;
    const providers::Adapter* adapter = providers::FindAdapter(r.provider->provider->adapter);
    bool more = i + 1 < x.routes.size();
    auto up = UpstreamRequestFor(x, r, adapter);
    if (!up.ok()) {  // this provider cannot express the request; another may
      last = up.error();
      if (more) continue;
      break;
    }
    const SteadyTime attempt_start = std::chrono::steady_clock::now();
    auto call = upstreams_[static_cast<size_t>(worker)]->Start(std::move(*up));
    writer.OnClientGone([call, &x] {
      x.client_gone = true;
      call->Cancel();
    });
    auto head = co_await call->ReadHead();
    if (x.client_gone) {
      x.status = 499;
      x.finish_reason = "cancelled";
      metrics_.client_disconnects.fetch_add(1, std::memory_order_relaxed);
      co_return;
    }
    if (!head.ok()) {
      metrics_.upstream_failures.fetch_add(1, std::memory_order_relaxed);
      health_.RecordFailure(provider, UnixSeconds());
      last = Transport(head.error(), provider);
      x.attempts.push_back(store::Attempt{provider, 0, last.message, MillisSince(attempt_start)});
      spdlog::warn("{}: {}", x.id, last.message);
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
      auto mapped = adapter ? adapter->MapError(head->status, text, head->headers)
                            : MapOpenAiError(head->status, text, provider);
      // A refusal of the request itself (400, 404 …) is the provider working as it should.
      if (mapped.retryable) {
        health_.RecordFailure(provider, UnixSeconds());
      } else {
        health_.RecordSuccess(provider, MillisSince(x.start));
      }
      last = mapped.error;
      x.attempts.push_back(store::Attempt{provider, head->status, last.message, MillisSince(attempt_start)});
      spdlog::warn("{}: {}", x.id, last.message);
      if (more && mapped.retryable) {
        metrics_.failovers.fetch_add(1, std::memory_order_relaxed);
        continue;
      }
      break;
    }
    x.ttft_ms = MillisSince(x.start);
    health_.RecordSuccess(provider, x.ttft_ms);
    x.attempts.push_back(store::Attempt{provider, head->status, "", MillisSince(attempt_start)});
    if (adapter && x.info.stream) {
      co_await TranslateStream(x, *adapter, *call, writer);
    } else if (adapter) {
      co_await TranslateJson(x, *adapter, *call, writer);
    } else if (x.info.stream) {
      co_await RelayStream(x, *call, writer);
    } else {
      co_await RelayJson(x, *call, writer);
    }
    co_return;
  }
  x.status = HttpStatus(last.code);
  x.finish_reason = "error";
  x.error_message = last.message;
  Settle(x);
  co_await ReplyError(writer, last, x.id);
}

awaitable<void> Gateway::BeginStreamedAnswer(Exchange& x, net::UpstreamCall& call, net::ResponseWriter& writer) {
  x.status = 200;
  Headers headers{{"Content-Type", "text/event-stream; charset=utf-8"},
                       {"Cache-Control", "no-cache"},
                       {"X-Accel-Buffering", "no"},
                       {"x-request-id", x.id}};
  // g++ 12 miscompiles co_await inside a larger expression when the callee takes arguments by
  // value (a double free): in this code co_await stands alone as a statement or an initializer.
  bool began = co_await writer.BeginStream(200, std::move(headers));
  if (!began) {
    call.Cancel();
    x.client_gone = true;
  }
  metrics_.status_2xx.fetch_add(1, std::memory_order_relaxed);
}

money::Micros Gateway::BillableCost(Exchange& x) {
  if (!x.usage_from_provider && x.delivered_chars > 0) {
    // Cut or cancelled before the provider reported usage: bill what was delivered, and the
    // prompt only because something was generated for it.
    x.usage.prompt_tokens = billing::EstimateTokens(x.info.prompt_chars);
    x.usage.completion_tokens = billing::EstimateTokens(x.delivered_chars);
  }
  return std::min(x.held, billing::CostOf(x.usage, x.route->endpoint->prices));
}

awaitable<void> Gateway::EndStreamedAnswer(Exchange& x, const std::optional<Error>& failure, const std::string& tail,
                                           bool send_done, std::string_view chunk_id, std::string_view model,
                                           net::ResponseWriter& writer) {
  x.cost = BillableCost(x);
  Settle(x);
  if (x.client_gone) {
    x.finish_reason = "cancelled";
    x.status = 499;
    metrics_.client_disconnects.fetch_add(1, std::memory_order_relaxed);
    co_return;
  }
  if (failure) {
    spdlog::warn("{}: {}", x.id, failure->message);
    metrics_.upstream_failures.fetch_add(1, std::memory_order_relaxed);
    x.finish_reason = "error";
    x.error_message = failure->message;
    x.status = HttpStatus(failure->code);
  } else if (!send_done) {
    x.status = 502;  // the provider's error event went through as it came
  }
  std::string last = failure ? StreamErrorChunk(*failure, chunk_id, model) : tail;
  if (!failure && send_done) last += "data: [DONE]\n\n";
  // (Not `if (co_await …) co_await …;` as the last statement: g++ 12 miscompiles that into a trap.)
  bool written = co_await writer.Write(std::move(last));
  if (written) co_await writer.EndStream();
  co_return;
}

void Gateway::Settle(Exchange& x) {
  if (!x.hold_taken || x.settled) return;
  x.settled = true;
  if (auto s = ledger_.Settle(x.id, x.cost); !s.ok()) {
    spdlog::error("{}: settlement failed: {}", x.id, s.error().message);
  }
  metrics_.billed_micros.fetch_add(x.cost, std::memory_order_relaxed);
}

void Gateway::Finish(Exchange& x) {
  Settle(x);
  store::RequestLogRow row;
  row.request_id = x.id;
  row.user_id = x.key.user_id;
  row.key_id = x.key.id;
  row.model_id = x.info.model;
  if (x.route) {
    row.provider_id = x.route->provider->provider->id;
    row.upstream_model = x.route->endpoint->upstream_model;
  }
  row.streamed = x.info.stream;
  row.prompt_tokens = x.usage.prompt_tokens;
  row.completion_tokens = x.usage.completion_tokens;
  row.cached_tokens = x.usage.cached_tokens;
  row.reasoning_tokens = x.usage.reasoning_tokens;
  row.cost = x.cost;
  row.usage_source = x.usage_from_provider ? store::UsageSource::kProvider : store::UsageSource::kEstimated;
  row.latency_ms = MillisSince(x.start);
  row.ttft_ms = x.ttft_ms;
  row.http_status = x.status;
  row.finish_reason = x.finish_reason;
  row.error_message = x.error_message;
  row.created_at = UnixMillis();
  if (x.route) row.prices = x.route->endpoint->prices;  // the prices it was charged at
  if (x.route && x.info.stream && x.status == 200 && x.usage_from_provider && x.ttft_ms >= 0) {
    health_.RecordThroughput(x.route->provider->provider->id, x.usage.completion_tokens, row.latency_ms - x.ttft_ms);
  }
  if (!x.attempts.empty() && !x.error_message.empty() && x.attempts.back().error.empty()) {
    x.attempts.back().error = x.error_message;  // it answered, then failed mid-stream
  }
  row.attempts = std::move(x.attempts);
  if (x.key.log_prompts) {
    constexpr size_t kMaxLogged = 1 << 20;
    row.prompt_text = std::string(x.raw_body.substr(0, kMaxLogged));
    row.completion_text = std::move(x.completion_text);
  }
  log_.Enqueue(std::move(row));
}

}  // namespace turnpike::gateway
