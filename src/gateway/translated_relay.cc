// The translated path: a provider adapter decodes the upstream's answer into canonical form,
// and it goes back to the client as OpenAI chat.completion / chat.completion.chunk, named as
// OpenRouter names its answers (its id, the catalog's model, the provider's name).
#include "gateway/exchange.h"
#include "protocol/openai_encode.h"

namespace turnpike::gateway {
using boost::asio::awaitable;
using protocol::StreamEvent;

awaitable<std::optional<protocol::ChatResponse>> Gateway::DecodeAnswer(Exchange& x, const providers::Adapter& adapter,
                                                                       const Result<std::string>& body,
                                                                       net::ResponseWriter& writer) {
  Result<protocol::ChatResponse> response = body.ok()
                                                ? adapter.DecodeResponse(body.value())
                                                : Result<protocol::ChatResponse>(Transport(body.error(), x.provider()));
  if (!response.ok() && x.client_gone) {
    x.Cancelled();
    co_return std::nullopt;
  }
  if (!response.ok()) {
    co_await x.Fail(response.error(), writer);
    co_return std::nullopt;
  }
  x.Account(*response);
  x.Bill(true);
  if (x.client_gone) {  // billed what the provider reports; nobody to answer
    x.Cancelled();
    co_return std::nullopt;
  }
  co_return std::move(*response);
}

awaitable<void> Gateway::TranslateJson(Exchange& x, const providers::Adapter& adapter, net::UpstreamCall& call,
                                       net::ResponseWriter& writer) {
  // Read to the end even when the client has left: its usage is the bill (Gateway::Dispatch).
  auto body = co_await call.ReadAll();
  std::optional<protocol::ChatResponse> response = co_await DecodeAnswer(x, adapter, body, writer);
  if (!response) co_return;
  // OpenRouter's reasoning.exclude: the model thinks (and the thinking is billed), the answer
  // leaves it out.
  if (x.fields.reasoning && x.fields.reasoning->exclude) response->reasoning.clear();
  std::string out = protocol::EncodeChatCompletion(*response, x.id, x.route->model->id, UnixSeconds(),
                                                   billing::UsageWithCost(protocol::UsageJson(x.usage), x.cost),
                                                   x.route->provider->provider->name);
  co_await SendAnswer(x, std::move(out), writer);
}

awaitable<void> Gateway::TranslateStream(Exchange& x, const providers::Adapter& adapter, net::UpstreamCall& call,
                                         net::ResponseWriter& writer) {
  co_await BeginStreamedAnswer(x, call, writer);
  auto decoder = adapter.NewStreamDecoder();
  // Named as OpenRouter names answers: its id, the catalog's model, the provider's name.
  protocol::OpenAiChunkEncoder encoder(x.id, x.route->model->id, UnixSeconds(), x.route->provider->provider->name);
  std::vector<StreamEvent> events;
  const bool exclude_reasoning = x.fields.reasoning && x.fields.reasoning->exclude;

  // Meters the decoded events and re-encodes them as chunks; the first error event fails the stream.
  auto drain = [&](std::string& out) -> std::optional<Error> {
    x.Account(events);
    std::optional<Error> failure;
    for (const auto& e : events) {
      if (e.type == StreamEvent::Type::kError && !failure) failure = e.error;
      if (exclude_reasoning && e.type == StreamEvent::Type::kReasoning) continue;  // reasoning.exclude
      out += encoder.Encode(e);
    }
    events.clear();
    return failure;
  };
  StreamRelay relay;
  relay.on_event = [&](protocol::SseEvent&& event, std::string& out) -> std::optional<Error> {
    auto decoded = decoder->OnEvent(event, events);
    auto failure = drain(out);
    if (!decoded.ok()) return Transport(decoded.error(), x.provider());
    return failure;
  };
  relay.on_end = [&](std::string& out) -> std::optional<Error> {
    bool complete = decoder->OnEnd(events);
    auto failure = drain(out);
    if (!failure && !complete) {
      failure =
          MakeError(ErrorCode::kUpstream, "Provider " + x.provider() + " ended the stream before it was complete");
    }
    return failure;
  };
  std::optional<Error> failure = co_await PumpStream(x, call, relay, writer);

  // The usage chunk carries the final cost, so it is built once the cost is known. Every client
  // gets it, as from OpenRouter, whether or not it asked (stream_options.include_usage).
  x.Bill(false);
  std::string usage = billing::UsageWithCost(protocol::UsageJson(x.usage), x.cost);
  std::string tail = failure ? std::string() : encoder.Close(usage);
  co_await EndStreamedAnswer(x, failure, tail, true, x.id, encoder.model(), writer);
}

}  // namespace turnpike::gateway
