// The bookkeeping of one chat request: metering, cancel and failure, billing, settlement and
// the request-log row. Every relay calls these instead of writing its own.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "common/error_table.h"
#include "gateway/exchange.h"

namespace turnpike::gateway {

using protocol::StreamEvent;

namespace {

// A charge the database could not take (it is restarting, failing over, unreachable for a moment)
// is tried again every kChargeRetryEvery for up to GatewayStores::charge_retry_for (10 s), while
// the answer waits: the client gets its last byte once the charge is in (docs/architecture.md
// §4.9), or once it is kept for later (Gateway::WriteBacklog) when the database stays away.
constexpr auto kChargeRetryEvery = std::chrono::milliseconds(250);

int64_t GeneratedChars(const protocol::ChatResponse& r) {
  int64_t n = static_cast<int64_t>(r.content.value_or("").size() + r.reasoning.size());
  for (const auto& call : r.tool_calls) n += static_cast<int64_t>(call.name.size() + call.arguments.size());
  return n;
}

}  // namespace

Error Transport(const Error& e, const std::string& provider) {
  return MakeError(e.code == ErrorCode::kTimeout ? ErrorCode::kTimeout : ErrorCode::kUpstream,
                   "Provider " + provider + ": " + e.message);
}

const std::string& Gateway::Exchange::provider() const {
  static const std::string kNone;
  return route ? route->provider->provider->id : kNone;
}

void Gateway::Exchange::Account(const std::vector<StreamEvent>& events) {
  for (const auto& e : events) {
    switch (e.type) {
      case StreamEvent::Type::kText:
      case StreamEvent::Type::kReasoning:
      case StreamEvent::Type::kToolCallArgs:
      case StreamEvent::Type::kToolCallStart: {
        int64_t n = static_cast<int64_t>(e.text.size() + e.tool_name.size());
        if (n > 0 && delivered_chars == 0) ttft_ms = MillisSince(start);
        delivered_chars += n;
        if (e.type == StreamEvent::Type::kText) KeepCompletion(e.text);
        if (e.type == StreamEvent::Type::kToolCallStart)
          gateway.signatures_.Remember(key.id, e.tool_id, e.thought_signature);
        break;
      }
      case StreamEvent::Type::kFinish:
        finish_reason = e.finish_reason;
        break;
      case StreamEvent::Type::kUsage:
        usage = e.usage;
        usage_from_provider = true;
        break;
      case StreamEvent::Type::kError:
      case StreamEvent::Type::kStart:
        break;
    }
  }
}

void Gateway::Exchange::Account(const protocol::ChatResponse& response) {
  for (const auto& c : response.tool_calls) gateway.signatures_.Remember(key.id, c.id, c.thought_signature);
  finish_reason = response.finish_reason;
  delivered_chars = GeneratedChars(response);
  KeepCompletion(response.content.value_or(""));
  if (response.usage) {
    usage = *response.usage;
    usage_from_provider = true;
  }
}

void Gateway::Exchange::KeepCompletion(std::string_view text) {
  const auto max_logged_text = static_cast<size_t>(gateway.config_.log_max_text_bytes);
  if (key.log_prompts && completion_text.size() < max_logged_text) {
    completion_text.append(text.substr(0, max_logged_text - completion_text.size()));
  }
}

void Gateway::Exchange::Cancelled() {
  status = 499;
  finish_reason = "cancelled";
  gateway.metrics_.client_disconnects.fetch_add(1, std::memory_order_relaxed);
}

void Gateway::Exchange::Failed(const Error& error) {
  status = HttpStatus(error.code);
  finish_reason = "error";
  error_message = error.message;
}

void Gateway::Exchange::Bill(bool answered) {
  if (!usage_from_provider && (answered || delivered_chars > 0)) {
    // No usage from the provider: bill the prompt and what was delivered, estimated — the
    // prompt only because something was generated for it.
    usage.prompt_tokens = billing::EstimateTokens(info.prompt_chars);
    usage.completion_tokens = billing::EstimateTokens(delivered_chars);
  }
  cost = billing::CostOf(usage, route->endpoint->prices);
  // The provider's usage is the bill, whatever was held: a provider may report more than it was
  // asked for, and the excess is billed (the ledger's settle entry then debits it). An estimate
  // is ours, and never above the hold.
  if (!usage_from_provider) cost = std::min(held, cost);
}

boost::asio::awaitable<void> Gateway::Exchange::Record() {
  if (recorded) co_return;
  recorded = true;
  gateway.rate_limits_.CountTokens(key, usage.prompt_tokens + usage.completion_tokens);  // tokens per minute
  store::RequestLogRow row = LogRow();
  if (route && info.stream && status == 200 && usage_from_provider && ttft_ms >= 0) {
    gateway.health_.RecordThroughput(provider(), route->model->id, usage.completion_tokens, row.latency_ms - ttft_ms);
  }
  Gateway& g = gateway;
  Exchange& x = *this;
  // The charge, the key's last use and the log row, journaled as one small row in the group
  // committer's next transaction (store/settlement_journal.h); the committer writes them into the
  // ledger and the request log shortly after, off every request's path.
  store::Settlement settlement;
  settlement.key_id = key.id;
  settlement.used_at = held_at;
  if (hold_taken) settlement.charge = store::ChargeRequest{id, key.user_id, key.id, held, cost, g.hold_owner_, held_at};
  if (hold_taken && cost > held) {
    g.metrics_.billed_above_hold.fetch_add(1, std::memory_order_relaxed);
    spdlog::warn("{}: provider {} reported usage costing {} micro-USD, above the {} held; billed in full", id,
                 provider(), cost, held);
  }
  if (g.config_.log_requests) settlement.row = std::move(row);
  if (!settlement.charge && !settlement.row) {  // nothing the client saw depends on a write
    g.NoteKeyUse(key.id, held_at);
    co_return;
  }
  // The call may run twice (a batch that could not commit runs its calls again alone): a second
  // journal row is harmless (applying is idempotent by request id). The hold ends in the book
  // only once the charge is committed (`committed`): until then its money stays counted in the
  // lease the book asks the database for, which cannot see the charge yet.
  const std::function<bool()> write = [&g, &x, &settlement] {
    Status journaled = g.journal_.Journal(settlement);
    x.journaled = journaled.ok();
    if (!journaled.ok()) {
      spdlog::error("{}: the charge and log row were not recorded: {}", x.id, journaled.error().message);
      g.metrics_.log_write_failures.fetch_add(1, std::memory_order_relaxed);
      // Tried again: the hold stays, and the lease goes stale meanwhile.
      if (x.hold_taken) g.book_.Invalidate(x.key.id);
    } else if (x.hold_taken) {
      x.charge_mark = g.book_.Mark(x.key.id);
    }
    return journaled.ok();
  };
  const std::function<void()> committed = [&g, &x] {
    if (x.hold_taken && x.journaled && !x.hold_freed) {
      g.book_.Charged(x.key.id, x.held, x.cost, x.charge_mark);
      x.hold_freed = true;
    }
  };
  bool charged = co_await g.Write(write, &committed);
  if (!charged && settlement.charge) {
    boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor);
    const auto give_up = std::chrono::steady_clock::now() + g.charge_retry_for_;
    while (!charged && std::chrono::steady_clock::now() < give_up) {
      timer.expires_after(kChargeRetryEvery);
      co_await timer.async_wait(boost::asio::use_awaitable);
      charged = co_await g.Write(write, &committed);
    }
    if (charged) spdlog::info("{}: the charge was recorded on a later try", id);
  }
  if (!charged) {
    // Kept, and written once the database takes it (Gateway::WriteBacklog), exactly once: the
    // hold stays reserved until then, so that the lease neither lends its money to other requests
    // nor goes back to the database without it.
    spdlog::warn("{}: the {} is kept, to be written when the database answers again", id,
                 settlement.charge ? "charge" : "log row");
    g.Keep(Unwritten{std::move(settlement), id, hold_taken && !hold_freed});
    hold_freed = true;
    co_return;
  }
  if (hold_taken) gateway.metrics_.billed_micros.fetch_add(cost, std::memory_order_relaxed);
}

void Gateway::Exchange::ProviderFailed(std::string_view raw, const Headers& headers) {
  provider_error = ProviderErrorMetadata{route->provider->provider->name, ScrubProviderText(raw)};
  retry_after.clear();
  // Seconds only: an HTTP date would need this machine's clock to agree with the provider's.
  auto digits = [](std::string_view v) {
    return !v.empty() && v.size() <= 9 && std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; });
  };
  if (std::string_view s = FindHeader(headers, "retry-after"); digits(s)) {
    retry_after = std::string(s);
  } else if (std::string_view ms = FindHeader(headers, "retry-after-ms"); digits(ms)) {
    retry_after = std::to_string((std::stoll(std::string(ms)) + 999) / 1000);
  }
}

boost::asio::awaitable<void> Gateway::Exchange::FailUnreadable(net::ResponseWriter& writer) {
  if (client_gone) {
    Cancelled();
    co_return;
  }
  const Error unreadable =
      MakeError(ErrorCode::kUpstream, "Provider " + provider() + " returned a body that is not a JSON object");
  co_await Fail(unreadable, writer);
}

boost::asio::awaitable<void> Gateway::Exchange::Fail(const Error& error, net::ResponseWriter& writer) {
  Failed(error);
  Headers extra = RoutingHeaders();
  co_await Record();
  if (stream_began) {  // the client has its 200 (the processing comments): the error goes as a chunk
    std::string chunk = StreamErrorOf(error, provider_error ? &*provider_error : nullptr);
    co_await writer.EndStream(std::move(chunk));
    co_return;
  }
  if (!retry_after.empty()) extra.emplace_back("retry-after", retry_after);
  co_await gateway.ReplyJson(writer, HttpStatus(error.code),
                             ErrorBodyOf(error, provider_error ? &*provider_error : nullptr), id, &extra);
}

std::vector<store::RoutingStep> Gateway::Exchange::Explain() const {
  std::vector<store::RoutingStep> steps;
  if (routes.empty()) return steps;
  auto step = [](const state::Route& r, std::string outcome) {
    return store::RoutingStep{r.provider->provider->id, r.model->id, std::move(outcome), 0, ""};
  };
  size_t tried = 0;  // routes are tried in order; one that cannot express the request has no attempt
  auto cooled = [this](size_t i) { return std::find(cooling.begin(), cooling.end(), i) != cooling.end(); };
  for (const auto& a : attempts) {
    while (tried + 1 < routes.size() && routes[tried].provider->provider->id != a.provider) {
      if (cooled(tried)) steps.push_back(step(routes[tried], "cooling down"));
      ++tried;
    }
    store::RoutingStep s = step(routes[std::min(tried, routes.size() - 1)], a.error.empty() ? "answered" : "failed");
    s.provider = a.provider;
    if (!a.error.empty()) s.status = a.status;
    steps.push_back(std::move(s));
    ++tried;
  }
  for (size_t i = tried; i < routes.size(); ++i)
    steps.push_back(step(routes[i], cooled(i) ? "cooling down" : "not needed"));
  for (const auto& s : skipped) steps.push_back(store::RoutingStep{s.provider, s.model, "skipped", 0, s.reason});
  return steps;
}

Headers Gateway::Exchange::RoutingHeaders() const {
  std::vector<store::RoutingStep> steps = Explain();
  if (steps.empty()) return {};
  std::string out;
  for (const store::RoutingStep& s : steps) {
    std::string item = s.outcome == "skipped"  ? "skipped " + s.model + " at " + s.provider + ": " + s.reason
                       : s.outcome != "failed" ? s.provider + "@" + s.model + "=" + s.outcome
                       : s.status > 0 ? s.provider + "@" + s.model + "=failed (" + std::to_string(s.status) + ")"
                                      : s.provider + "@" + s.model + "=failed (no answer)";
    if (out.size() + item.size() > 4000) continue;  // a header, not a report
    out += (out.empty() ? "" : "; ") + item;
  }
  // Only what a header may carry: ids, statuses and the gateway's own words, never a provider's text.
  for (char& c : out) {
    if (c < 0x20 || c > 0x7e) c = ' ';
  }
  return {{"x-turnpike-routing", std::move(out)}};
}

store::RequestLogRow Gateway::Exchange::LogRow() {
  store::RequestLogRow row;
  row.request_id = id;
  row.user_id = key.user_id;
  row.key_id = key.id;
  // The model that answered (a fallback's, when `models` moved on), by its catalog id; the
  // client's name when no route was tried.
  row.model_id = route ? route->model->id : info.model;
  if (route) {
    row.provider_id = provider();
    row.upstream_model = route->endpoint->upstream_model;
    row.prices = route->endpoint->prices;  // the prices it was charged at
  }
  row.streamed = info.stream;
  row.prompt_tokens = usage.prompt_tokens;
  row.completion_tokens = usage.completion_tokens;
  row.cached_tokens = usage.cached_tokens;
  row.reasoning_tokens = usage.reasoning_tokens;
  row.cost = cost;
  row.usage_source = usage_from_provider ? store::UsageSource::kProvider : store::UsageSource::kEstimated;
  row.latency_ms = MillisSince(start);
  row.ttft_ms = ttft_ms;
  row.http_status = status;
  row.finish_reason = finish_reason;
  row.error_message = error_message;
  row.created_at = UnixMillis();
  row.routing = Explain();  // as the header told the client: before a mid-stream failure is noted below
  if (!attempts.empty() && !error_message.empty() && attempts.back().error.empty()) {
    attempts.back().error = error_message;  // it answered, then failed mid-stream
  }
  row.attempts = std::move(attempts);
  if (key.log_prompts) {
    row.prompt_text = std::string(raw_body.substr(0, gateway.config_.log_max_text_bytes));
    row.completion_text = std::move(completion_text);
  }
  // Capped by [log] max_text_bytes, and the text held against log.queue_max_bytes while it waits.
  store::BoundRowText(row, store::RowTextLimits{.max_text_bytes = gateway.config_.log_max_text_bytes},
                      gateway.request_log_.text_budget());
  return row;
}

}  // namespace turnpike::gateway
