// What every streamed answer shares, whichever relay produces its events: the SSE head, the
// read loop over the upstream body (one pump for all relays), and the end (record the charge,
// then the error chunk or the tail and [DONE]).
#include <spdlog/spdlog.h>

#include "common/error_table.h"
#include "gateway/exchange.h"

namespace turnpike::gateway {
using boost::asio::awaitable;

awaitable<void> Gateway::BeginStreamedAnswer(Exchange& x, net::UpstreamCall& call, net::ResponseWriter& writer) {
  x.status = 200;
  Headers headers{{"Content-Type", "text/event-stream; charset=utf-8"},
                  {"Cache-Control", "no-cache"},
                  {"X-Accel-Buffering", "no"},
                  {"x-request-id", x.id}};
  for (auto& h : x.RoutingHeaders()) headers.push_back(std::move(h));
  // g++ 12 miscompiles co_await inside a larger expression when the callee takes arguments by
  // value (a double free): in this code co_await stands alone as a statement or an initializer.
  bool began = co_await writer.BeginStream(200, std::move(headers));
  if (!began) {
    call.Cancel();
    x.client_gone = true;
  }
  metrics_.status_2xx.fetch_add(1, std::memory_order_relaxed);
}

awaitable<std::optional<Error>> Gateway::PumpStream(Exchange& x, net::UpstreamCall& call, StreamRelay& relay,
                                                    net::ResponseWriter& writer) {
  protocol::SseReader reader(static_cast<size_t>(config_.upstream.max_event_bytes));
  std::optional<Error> failure;
  std::string out;
  bool ended = false;
  while (!x.client_gone && !failure && !ended && !relay.finished()) {
    auto piece = co_await call.ReadSome();
    if (x.client_gone) break;
    if (!piece.ok()) {
      failure = Transport(piece.error(), x.provider());
      break;
    }
    out.clear();
    if (piece->empty()) {
      ended = true;
      failure = relay.on_end(out);
    } else {
      auto fed = reader.Feed(*piece, [&](protocol::SseEvent&& event) {
        if (!failure) failure = relay.on_event(std::move(event), out);
      });
      if (!fed.ok() && !failure) failure = Transport(fed.error(), x.provider());
    }
    if (!out.empty()) {
      bool written = co_await writer.Write(std::move(out));
      if (!written) x.client_gone = true;
    }
  }
  if (!ended && (failure || x.client_gone)) call.Cancel();
  co_return failure;
}

awaitable<void> Gateway::EndStreamedAnswer(Exchange& x, const std::optional<Error>& failure, const std::string& tail,
                                           bool send_done, std::string_view chunk_id, std::string_view model,
                                           net::ResponseWriter& writer) {
  x.Bill(false);
  if (x.client_gone) {
    x.Cancelled();
    co_await x.Record();
    co_return;
  }
  if (failure) {
    spdlog::warn("{}: {}", x.id, failure->message);
    metrics_.upstream_failures.fetch_add(1, std::memory_order_relaxed);
    x.Failed(*failure);
  } else if (!send_done) {
    x.status = 502;  // the provider's error event went through as it came
  }
  // The charge and the request's log row are committed before the stream's last bytes go out.
  co_await x.Record();
  std::string last = failure ? StreamErrorChunk(*failure, chunk_id, model) : tail;
  if (!failure && send_done) last += "data: [DONE]\n\n";
  // (Not `if (co_await …) co_await …;` as the last statement: g++ 12 miscompiles that into a trap.)
  bool written = co_await writer.Write(std::move(last));
  if (written) co_await writer.EndStream();
  co_return;
}

}  // namespace turnpike::gateway
