// The OpenAI-compatible path: the client's bytes go upstream with only the model changed, and
// the answer comes back as the provider sent it, observed for usage and given its cost.
#include <boost/json.hpp>
#include <spdlog/spdlog.h>

#include "common/error_table.h"
#include "gateway/exchange.h"
#include "protocol/sse_reader.h"
#include "protocol/json_members.h"
#include "providers/openai/openai_adapter.h"

namespace turnpike::gateway {
namespace json = boost::json;
using boost::asio::awaitable;

namespace {

Error StatusError(int status, const std::string& body, const std::string& provider) {
  std::string message;
  boost::system::error_code ec;
  auto v = json::parse(body, ec);
  if (!ec && v.is_object()) {
    if (const auto* e = v.get_object().if_contains("error"); e && e->is_object()) {
      if (const auto* m = e->get_object().if_contains("message"); m && m->is_string()) message = m->get_string();
    }
  }
  std::string prefix = "Provider " + provider + " answered " + std::to_string(status);
  std::string detail = message.empty() ? "" : ": " + message;
  switch (status) {
    case 400:
    case 422:
      return MakeError(ErrorCode::kBadRequest, prefix + detail);
    case 401:
    case 403:
      return MakeError(ErrorCode::kUpstream, prefix + ": the provider rejected the gateway's credentials");
    case 408:
      return MakeError(ErrorCode::kTimeout, prefix + detail);
    case 413:
      return MakeError(ErrorCode::kTooLarge, prefix + detail);
    case 429:
      return MakeError(ErrorCode::kRateLimited, prefix + detail);
    default:
      return MakeError(ErrorCode::kUpstream, prefix + detail);
  }
}

// Characters of generated text in a chat.completion message or chunk delta.
int64_t GeneratedChars(const json::object& message) {
  int64_t n = 0;
  if (const auto* c = message.if_contains("content"); c && c->is_string()) n += static_cast<int64_t>(c->get_string().size());
  if (const auto* r = message.if_contains("refusal"); r && r->is_string()) n += static_cast<int64_t>(r->get_string().size());
  if (const auto* calls = message.if_contains("tool_calls"); calls && calls->is_array()) {
    for (const auto& call : calls->get_array()) {
      const auto* fn = call.is_object() ? call.get_object().if_contains("function") : nullptr;
      if (!fn || !fn->is_object()) continue;
      if (const auto* a = fn->get_object().if_contains("arguments"); a && a->is_string()) {
        n += static_cast<int64_t>(a->get_string().size());
      }
      if (const auto* name = fn->get_object().if_contains("name"); name && name->is_string()) {
        n += static_cast<int64_t>(name->get_string().size());
      }
    }
  }
  return n;
}

// The text content of a message or delta ("" when there is none).
std::string_view ContentText(const json::object& message) {
  const auto* c = message.if_contains("content");
  return c && c->is_string() ? std::string_view(c->get_string()) : std::string_view();
}

// The first choice of a response or chunk, if any.
const json::object* FirstChoice(const json::object& o) {
  const auto* choices = o.if_contains("choices");
  if (!choices || !choices->is_array() || choices->get_array().empty()) return nullptr;
  return choices->get_array()[0].if_object();
}

std::string FinishReason(const json::object& choice) {
  const auto* f = choice.if_contains("finish_reason");
  return f && f->is_string() ? std::string(f->get_string()) : "";
}

json::object UsageObject(const billing::Usage& u) {
  return json::object{{"prompt_tokens", u.prompt_tokens},
                      {"completion_tokens", u.completion_tokens},
                      {"total_tokens", u.prompt_tokens + u.completion_tokens}};
}

}  // namespace

providers::UpstreamError MapOpenAiError(int status, const std::string& body, const std::string& provider) {
  bool retryable = status == 408 || status == 409 || status == 429 || status >= 500;
  return {StatusError(status, body, provider), retryable};
}

awaitable<void> Gateway::RelayJson(Exchange& x, net::UpstreamCall& call, net::ResponseWriter& writer) {
  const std::string& provider = x.route->provider->provider->id;
  auto body = co_await call.ReadAll();
  auto fail = [&](Error e) -> awaitable<void> {
    x.status = HttpStatus(e.code);
    x.finish_reason = "error";
    x.error_message = e.message;
    Settle(x);
    co_await ReplyError(writer, e, x.id);
  };
  if (x.client_gone) {
    x.status = 499;
    x.finish_reason = "cancelled";
    co_return;
  }
  if (!body.ok()) {
    co_await fail(Transport(body.error(), provider));
    co_return;
  }
  boost::system::error_code ec;
  auto v = json::parse(*body, ec);
  auto layout = ec ? std::nullopt : protocol::ScanObject(*body);
  if (ec || !v.is_object() || !layout) {
    co_await fail(MakeError(ErrorCode::kUpstream, "Provider " + provider + " returned a body that is not a JSON object"));
    co_return;
  }
  const auto& root = v.get_object();
  const json::object* choice = FirstChoice(root);
  const json::object* message = nullptr;
  if (choice) {
    x.finish_reason = FinishReason(*choice);
    if (const auto* m = choice->if_contains("message"); m && m->is_object()) message = &m->get_object();
  }
  x.delivered_chars = message ? GeneratedChars(*message) : 0;
  if (message) x.KeepCompletion(ContentText(*message));
  json::object usage_json;
  if (const auto* u = root.if_contains("usage"); u && providers::openai::ParseUsage(*u, x.usage)) {
    x.usage_from_provider = true;
    usage_json = u->get_object();
  } else {
    x.usage.prompt_tokens = billing::EstimateTokens(x.info.prompt_chars);
    x.usage.completion_tokens = billing::EstimateTokens(x.delivered_chars);
    usage_json = UsageObject(x.usage);
  }
  x.cost = std::min(x.held, billing::CostOf(x.usage, x.route->endpoint->prices));
  std::string out = protocol::ApplyEdits(
      *body, {protocol::SetMember(*body, *layout, "usage", billing::UsageWithCost(usage_json, x.cost))});
  x.status = 200;
  Settle(x);
  Headers headers{{"Content-Type", "application/json"}, {"x-request-id", x.id}};
  co_await writer.Send(200, std::move(headers), std::move(out));
  metrics_.status_2xx.fetch_add(1, std::memory_order_relaxed);
}

awaitable<void> Gateway::RelayStream(Exchange& x, net::UpstreamCall& call, net::ResponseWriter& writer) {
  const std::string& provider = x.route->provider->provider->id;
  co_await BeginStreamedAnswer(x, call, writer);
  protocol::SseReader reader(static_cast<size_t>(config_.upstream.max_event_bytes));
  bool done = false;
  bool upstream_error = false;
  std::string chunk_id, chunk_model;
  std::string out;
  std::optional<Error> failure;

  auto on_event = [&](protocol::SseEvent&& ev) {
    if (ev.data == "[DONE]") {
      done = true;  // sent after settlement, below
      return;
    }
    boost::system::error_code ec;
    auto v = json::parse(ev.data, ec);
    if (ec || !v.is_object()) {
      out += "data: " + ev.data + "\n\n";
      return;
    }
    const auto& o = v.get_object();
    if (chunk_id.empty()) {
      if (const auto* id = o.if_contains("id"); id && id->is_string()) chunk_id = id->get_string();
      if (const auto* m = o.if_contains("model"); m && m->is_string()) chunk_model = m->get_string();
    }
    if (o.contains("error")) {
      x.finish_reason = "error";
      upstream_error = true;  // passed on as it came; the stream ends after it
    }
    const json::object* choice = FirstChoice(o);
    if (choice) {
      if (const auto* d = choice->if_contains("delta"); d && d->is_object()) {
        int64_t n = GeneratedChars(d->get_object());
        if (n > 0 && x.delivered_chars == 0) x.ttft_ms = MillisSince(x.start);
        x.delivered_chars += n;
        x.KeepCompletion(ContentText(d->get_object()));
      }
      if (auto f = FinishReason(*choice); !f.empty()) x.finish_reason = f;
    }
    const auto* usage = o.if_contains("usage");
    if (usage && providers::openai::ParseUsage(*usage, x.usage)) {
      x.usage_from_provider = true;
      if (!x.info.include_usage) {
        if (!choice) return;  // the usage chunk the client did not ask for
      } else {
        // OpenRouter adds the cost to the usage it streams.
        x.cost = std::min(x.held, billing::CostOf(x.usage, x.route->endpoint->prices));
        auto layout = protocol::ScanObject(ev.data);
        if (layout) {
          out += "data: " +
                 protocol::ApplyEdits(ev.data, {protocol::SetMember(ev.data, *layout, "usage",
                                                                    billing::UsageWithCost(usage->get_object(), x.cost))}) +
                 "\n\n";
          return;
        }
      }
    }
    // OpenAI sends "usage":null (we always ask for usage) and sometimes
    // "system_fingerprint":null on every chunk; strict clients (@openrouter/sdk) accept these
    // keys missing but not null, so they go.
    out += "data: " + protocol::RemoveNullMembers(ev.data, {"usage", "system_fingerprint"}) + "\n\n";
  };

  while (!x.client_gone && !done) {
    auto piece = co_await call.ReadSome();
    if (x.client_gone) break;
    if (!piece.ok()) {
      failure = Transport(piece.error(), provider);
      break;
    }
    if (piece->empty()) {
      if (upstream_error) break;  // the client already has the provider's error event
      failure = MakeError(ErrorCode::kUpstream, "Provider " + provider + " ended the stream before it was complete");
      break;
    }
    out.clear();
    if (auto s = reader.Feed(*piece, on_event); !s.ok()) {
      call.Cancel();
      failure = Transport(s.error(), provider);
    }
    bool written = true;
    if (!out.empty()) written = co_await writer.Write(std::move(out));
    if (!written) {
      x.client_gone = true;
      call.Cancel();
    }
    if (failure) break;
  }
  // After the provider's own error event, the stream just ends: no second error, no [DONE].
  bool send_done = !(upstream_error && !done);
  const std::string no_tail;
  const std::string& error_id = chunk_id.empty() ? x.id : chunk_id;
  co_await EndStreamedAnswer(x, failure, no_tail, send_done, error_id, chunk_model, writer);
}

}  // namespace turnpike::gateway
