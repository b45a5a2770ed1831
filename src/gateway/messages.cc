// POST /api/v1/messages: Anthropic's Messages API for every model in the catalog. A model
// Anthropic serves gets the client's bytes (the model renamed, max_tokens within what was held)
// and its answer goes back as Anthropic sent it, metered on the way; any other provider gets the
// request translated through the canonical types, and its answer is written back in Anthropic's
// shapes (protocol/anthropic_messages.h). Routing, the hold, failover, billing and the request
// log are chat's (Gateway::ModelCall). Also POST /api/v1/messages/count_tokens.
#include <spdlog/spdlog.h>

#include <boost/json.hpp>

#include "gateway/exchange.h"
#include "protocol/anthropic_messages.h"
#include "protocol/json_members.h"
#include "protocol/openrouter_request.h"

namespace turnpike::gateway {
namespace json = boost::json;
using boost::asio::awaitable;
using protocol::StreamEvent;

namespace {

bool ServedByAnthropic(const state::Route& r) { return r.provider->provider->adapter == "anthropic"; }

// The headers of a request to Anthropic: the provider's key, and the client's API version and
// beta features (what Anthropic's SDKs send), else the version the adapter speaks.
Headers AnthropicHeaders(const std::string& api_key, const Headers* client) {
  std::string_view version = client ? FindHeader(*client, "anthropic-version") : std::string_view();
  Headers headers{{"x-api-key", api_key},
                  {"anthropic-version", version.empty() ? "2023-06-01" : std::string(version)},
                  {"content-type", "application/json"}};
  if (std::string_view beta = client ? FindHeader(*client, "anthropic-beta") : std::string_view(); !beta.empty()) {
    headers.emplace_back("anthropic-beta", std::string(beta));
  }
  return headers;
}

}  // namespace

Status Gateway::Exchange::ReadMessages() {
  if (Status parsed = ParseBody(); !parsed.ok()) return parsed;
  auto read = protocol::ReadMessagesRequest(body);
  if (!read.ok()) return read.error();
  info = std::move(read->info);
  canonical = std::move(read->chat);
  untranslatable = std::move(read->untranslatable);
  parameters = std::move(read->parameters);
  // OpenRouter's members (provider, models, reasoning, …) work here as in chat.
  auto parsed = protocol::ParseOpenRouterFields(body.get_object());
  if (!parsed.ok()) return parsed.error();
  fields = std::move(*parsed);
  if (!fields.reasoning && info.reasoning) {  // Anthropic's thinking, as other providers get it
    protocol::ReasoningRequest reasoning;
    reasoning.enabled = true;
    reasoning.max_tokens = read->thinking_budget;
    if (!read->thinking_budget) reasoning.effort = "medium";  // adaptive thinking
    fields.reasoning = std::move(reasoning);
  }
  if (!fields.user && !canonical->user.empty()) fields.user = canonical->user;  // metadata.user_id
  return OkStatus();
}

Result<net::UpstreamRequest> Gateway::MessagesRequestFor(Exchange& x, const state::Route& r,
                                                         const providers::Adapter& adapter) {
  const int64_t limit = billing::OutputLimit(x.info, TermsOf(*r.endpoint));
  if (ServedByAnthropic(r)) {  // the client's bytes, as few changed as can be
    return net::UpstreamRequest{BaseUrl(r.provider->base_url) + "/v1/messages", "POST",
                                AnthropicHeaders(r.provider->api_key, x.request_headers),
                                protocol::RelayMessagesBody(x.raw_body, x.body, r.endpoint->upstream_model, limit)};
  }
  return TranslatedRequestFor(x, r, adapter, limit, "Anthropic");
}

awaitable<void> Gateway::AnswerMessages(Exchange& x, const providers::Adapter& adapter, net::UpstreamCall& call,
                                        net::ResponseWriter& writer) {
  const bool native = ServedByAnthropic(*x.route);
  const bool include_reasoning = !(x.fields.reasoning && x.fields.reasoning->exclude);
  if (!x.info.stream) {
    // Read to the end even when the client has left: its usage is the bill (Gateway::Dispatch).
    auto body = co_await call.ReadAll();
    std::optional<protocol::ChatResponse> response = co_await DecodeAnswer(x, adapter, body, writer);
    if (!response) co_return;
    std::string out = native ? std::move(*body)
                             : protocol::EncodeMessage(*response, x.id, x.route->model->id, x.usage, include_reasoning);
    co_await SendAnswer(x, std::move(out), writer);
    co_return;
  }

  co_await BeginStreamedAnswer(x, call, writer);
  auto decoder = adapter.NewStreamDecoder();
  protocol::MessagesEventEncoder encoder(x.id, x.route->model->id, include_reasoning);
  std::vector<StreamEvent> events;
  bool upstream_error = false;  // Anthropic's own error event went through; the stream ends after it
  StreamRelay relay;
  relay.on_event = [&](protocol::SseEvent&& event, std::string& out) -> std::optional<Error> {
    auto decoded = decoder->OnEvent(event, events);
    x.Account(events);
    std::optional<Error> failure;
    for (const auto& e : events) {
      if (e.type != StreamEvent::Type::kError) {
        if (!native) out += encoder.Encode(e);
      } else if (native) {
        upstream_error = true;
        x.finish_reason = "error";
      } else if (!failure) {
        failure = e.error;
      }
    }
    events.clear();
    if (native) {  // as Anthropic sent it
      if (!event.event.empty()) out += "event: " + event.event + "\n";
      out += "data: " + event.data + "\n\n";
    }
    if (!decoded.ok() && !failure) failure = Transport(decoded.error(), x.provider());
    return failure;
  };
  relay.on_end = [&](std::string& out) -> std::optional<Error> {
    const bool complete = decoder->OnEnd(events);
    x.Account(events);
    std::optional<Error> failure;
    for (const auto& e : events) {
      if (e.type == StreamEvent::Type::kError && !failure) failure = e.error;
      if (e.type != StreamEvent::Type::kError && !native) out += encoder.Encode(e);
    }
    events.clear();
    if (upstream_error) return std::nullopt;  // the client has Anthropic's error event
    if (!failure && !complete) {
      failure =
          MakeError(ErrorCode::kUpstream, "Provider " + x.provider() + " ended the stream before it was complete");
    }
    return failure;
  };
  std::optional<Error> failure = co_await PumpStream(x, call, relay, writer);
  x.Bill(false);
  std::string tail = failure || native ? std::string() : encoder.Close(x.usage);
  co_await EndStreamedAnswer(x, failure, tail, !upstream_error, x.id, x.route->model->id, writer);
}

awaitable<void> Gateway::CountTokens(int worker, const net::HttpRequest& request, net::ResponseWriter& writer,
                                     const std::string& request_id) {
  Result<store::ApiKey> key = co_await AuthenticateCall(request);
  if (!key.ok()) {
    co_await ReplyError(writer, key.error(), request_id, nullptr, Api::kMessages);
    co_return;
  }
  boost::system::error_code ec;
  json::value body = json::parse(request.body, ec);
  const json::object* root = ec ? nullptr : body.if_object();
  const json::value* model_name = root ? root->if_contains("model") : nullptr;
  const json::value* messages = root ? root->if_contains("messages") : nullptr;
  std::optional<Error> bad;
  if (!root) {
    bad = MakeError(ErrorCode::kBadRequest, "The request body must be a JSON object");
  } else if (!model_name || !model_name->is_string() || model_name->get_string().empty()) {
    bad = MakeError(ErrorCode::kBadRequest, "model: Field required");
  } else if (!messages || !messages->is_array()) {
    bad = MakeError(ErrorCode::kBadRequest, "messages: Field required");
  }
  if (bad) {
    co_await ReplyError(writer, *bad, request_id, nullptr, Api::kMessages);
    co_return;
  }
  auto snapshot = router_.snapshot();
  const std::string name(model_name->get_string());
  const store::Model* model = snapshot->FindModel(SplitVariant(name).first);
  if (!model) {
    co_await ReplyError(writer, MakeError(ErrorCode::kNotFound, "model: " + name + " is not a valid model ID"),
                        request_id, nullptr, Api::kMessages);
    co_return;
  }
  RoutingInput routing;
  routing.models = {model};
  routing.health = &health_.View();
  routing.now_ms = UnixMillis();
  auto choice = ChooseRoutes(*snapshot, routing);
  std::vector<state::Route> anthropic;
  if (choice.ok()) {
    for (const auto& r : choice->routes) {
      if (ServedByAnthropic(r)) anthropic.push_back(r);
    }
  }
  if (anthropic.empty()) {
    co_await ReplyError(writer,
                        MakeError(ErrorCode::kBadRequest,
                                  "Counting tokens is available only for models Anthropic "
                                  "serves, and no Anthropic endpoint serves " +
                                      model->id),
                        request_id, nullptr, Api::kMessages);
    co_return;
  }
  // The upstream's count, as it answers it; counting costs nothing, so nothing is held or billed.
  Error last = MakeError(ErrorCode::kUpstream, "no provider answered");
  for (const state::Route& r : anthropic) {
    const providers::Adapter& adapter = *providers::FindAdapter(r.provider->provider->adapter);
    net::UpstreamRequest up{BaseUrl(r.provider->base_url) + "/v1/messages/count_tokens", "POST",
                            AnthropicHeaders(r.provider->api_key, &request.headers),
                            protocol::RelayMessagesBody(request.body, body, r.endpoint->upstream_model, 0)};
    auto call = upstreams_[static_cast<size_t>(worker)]->Start(std::move(up));
    auto head = co_await call->ReadHead();
    if (!head.ok()) {
      last = Transport(head.error(), r.provider->provider->id);
      continue;
    }
    auto answer = co_await call->ReadAll();
    if (!answer.ok()) {
      last = Transport(answer.error(), r.provider->provider->id);
      continue;
    }
    if (head->status >= 200 && head->status < 300) {
      co_await ReplyJson(writer, 200, std::move(*answer), request_id);
      co_return;
    }
    auto mapped = adapter.MapError(r.provider->provider->id, head->status, *answer, head->headers);
    mapped.error.message = ScrubProviderText(mapped.error.message, 4096);
    last = mapped.error;
    if (!mapped.retryable) break;
  }
  spdlog::warn("{}: count_tokens: {}", request_id, last.message);
  co_await ReplyError(writer, last, request_id, nullptr, Api::kMessages);
}

}  // namespace turnpike::gateway
