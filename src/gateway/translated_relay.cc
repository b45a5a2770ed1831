// The translated path: a provider adapter decodes the upstream's answer into canonical form,
// and it goes back to the client as OpenAI chat.completion / chat.completion.chunk.
#include <spdlog/spdlog.h>

#include "common/error_table.h"
#include "gateway/exchange.h"
#include "protocol/sse_reader.h"
#include "protocol/openai_encode.h"

namespace turnpike::gateway {
using boost::asio::awaitable;
using protocol::StreamEvent;

namespace {

int64_t GeneratedChars(const protocol::ChatResponse& r) {
  int64_t n = static_cast<int64_t>(r.content.value_or("").size() + r.reasoning.size());
  for (const auto& call : r.tool_calls) n += static_cast<int64_t>(call.name.size() + call.arguments.size());
  return n;
}

}  // namespace

awaitable<void> Gateway::TranslateJson(Exchange& x, const providers::Adapter& adapter, net::UpstreamCall& call,
                                       net::ResponseWriter& writer) {
  const std::string& provider = x.route->provider->provider->id;
  auto body = co_await call.ReadAll();
  if (x.client_gone) {
    x.status = 499;
    x.finish_reason = "cancelled";
    co_return;
  }
  Result<protocol::ChatResponse> response =
      body.ok() ? adapter.DecodeResponse(*body) : Result<protocol::ChatResponse>(Transport(body.error(), provider));
  if (!response.ok()) {
    x.status = HttpStatus(response.error().code);
    x.finish_reason = "error";
    x.error_message = response.error().message;
    Settle(x);
    co_await ReplyError(writer, response.error(), x.id);
    co_return;
  }
  for (const auto& c : response->tool_calls) signatures_.Remember(c.id, c.thought_signature);
  x.finish_reason = response->finish_reason;
  x.delivered_chars = GeneratedChars(*response);
  x.KeepCompletion(response->content.value_or(""));
  if (response->usage) {
    x.usage = *response->usage;
    x.usage_from_provider = true;
  } else {
    x.usage.prompt_tokens = billing::EstimateTokens(x.info.prompt_chars);
    x.usage.completion_tokens = billing::EstimateTokens(x.delivered_chars);
  }
  x.cost = std::min(x.held, billing::CostOf(x.usage, x.route->endpoint->prices));
  std::string model = response->model.empty() ? x.route->endpoint->upstream_model : response->model;
  std::string out = protocol::EncodeChatCompletion(*response, x.id, model, UnixSeconds(),
                                                   billing::UsageWithCost(protocol::UsageJson(x.usage), x.cost));
  x.status = 200;
  Settle(x);
  Headers headers{{"Content-Type", "application/json"}, {"x-request-id", x.id}};
  co_await writer.Send(200, std::move(headers), std::move(out));
  metrics_.status_2xx.fetch_add(1, std::memory_order_relaxed);
}

awaitable<void> Gateway::TranslateStream(Exchange& x, const providers::Adapter& adapter, net::UpstreamCall& call,
                                         net::ResponseWriter& writer) {
  const std::string& provider = x.route->provider->provider->id;
  co_await BeginStreamedAnswer(x, call, writer);
  protocol::SseReader reader(static_cast<size_t>(config_.upstream.max_event_bytes));
  auto decoder = adapter.NewStreamDecoder();
  protocol::OpenAiChunkEncoder encoder(x.id, x.route->endpoint->upstream_model, UnixSeconds());
  std::vector<StreamEvent> events;
  std::optional<Error> failure;
  std::string out;

  auto handle = [&] {
    for (const auto& e : events) {
      switch (e.type) {
        case StreamEvent::Type::kText:
        case StreamEvent::Type::kReasoning:
        case StreamEvent::Type::kToolCallArgs:
        case StreamEvent::Type::kToolCallStart: {
          int64_t n = static_cast<int64_t>(e.text.size() + e.tool_name.size());
          if (n > 0 && x.delivered_chars == 0) x.ttft_ms = MillisSince(x.start);
          x.delivered_chars += n;
          if (e.type == StreamEvent::Type::kText) x.KeepCompletion(e.text);
          if (e.type == StreamEvent::Type::kToolCallStart) signatures_.Remember(e.tool_id, e.thought_signature);
          break;
        }
        case StreamEvent::Type::kFinish:
          x.finish_reason = e.finish_reason;
          break;
        case StreamEvent::Type::kUsage:
          x.usage = e.usage;
          x.usage_from_provider = true;
          break;
        case StreamEvent::Type::kError:
          if (!failure) failure = e.error;
          break;
        case StreamEvent::Type::kStart:
          break;
      }
      out += encoder.Encode(e);
    }
    events.clear();
  };

  while (!x.client_gone && !failure) {
    auto piece = co_await call.ReadSome();
    if (x.client_gone) break;
    if (!piece.ok()) {
      failure = Transport(piece.error(), provider);
      break;
    }
    out.clear();
    if (piece->empty()) {
      bool complete = decoder->OnEnd(events);
      handle();
      if (!complete && !failure) {
        failure = MakeError(ErrorCode::kUpstream, "Provider " + provider + " ended the stream before it was complete");
      }
      if (!out.empty()) {
        bool written = co_await writer.Write(std::move(out));
        if (!written) x.client_gone = true;
      }
      break;
    }
    auto fed = reader.Feed(*piece, [&](protocol::SseEvent&& event) {
      if (failure) return;
      if (auto s = decoder->OnEvent(event, events); !s.ok()) failure = Transport(s.error(), provider);
      handle();
    });
    if (!fed.ok() && !failure) failure = Transport(fed.error(), provider);
    if (!out.empty()) {
      bool written = co_await writer.Write(std::move(out));
      if (!written) x.client_gone = true;
    }
    if (failure || x.client_gone) call.Cancel();
  }

  // The usage chunk carries the final cost, so it is built once the cost is known.
  x.cost = BillableCost(x);
  std::string usage = x.info.include_usage ? billing::UsageWithCost(protocol::UsageJson(x.usage), x.cost) : "";
  std::string tail = failure ? std::string() : encoder.Close(usage);
  co_await EndStreamedAnswer(x, failure, tail, true, x.id, encoder.model(), writer);
}

}  // namespace turnpike::gateway
