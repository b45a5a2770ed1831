// What every streamed answer shares, whichever relay produces its events: the SSE head, the
// read loop over the upstream body (one pump for all relays), and the end (record the charge,
// then the error chunk or the tail and [DONE]).
#include <spdlog/spdlog.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "common/error_table.h"
#include "gateway/exchange.h"

namespace turnpike::gateway {
using boost::asio::awaitable;

namespace {

constexpr auto kProcessingEvery = std::chrono::milliseconds(1000);

}  // namespace

Headers Gateway::Exchange::StreamHeaders(bool routing) const {
  Headers headers{{"Content-Type", "text/event-stream; charset=utf-8"},
                  {"Cache-Control", "no-cache"},
                  {"X-Accel-Buffering", "no"},
                  {"x-request-id", id}};
  if (routing) {
    for (auto& h : RoutingHeaders()) headers.push_back(std::move(h));
  }
  return headers;
}

void Gateway::Exchange::StartProcessingComments(const boost::asio::any_io_executor& executor,
                                                net::ResponseWriter& writer) {
  processing = std::make_shared<ProcessingComments>(executor);
  processing->running = true;
  boost::asio::co_spawn(executor, SendProcessingComments(*this, writer, processing), boost::asio::detached);
}

awaitable<void> Gateway::Exchange::SendProcessingComments(Exchange& x, net::ResponseWriter& writer,
                                                          std::shared_ptr<ProcessingComments> state) {
  boost::system::error_code ec;
  while (!state->stopping && !x.client_gone) {
    state->tick.expires_after(kProcessingEvery);
    co_await state->tick.async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ec));
    if (state->stopping || x.client_gone) break;
    if (!x.stream_began) {
      x.stream_began = true;
      Headers headers = x.StreamHeaders(false);                                  // where it goes is not known yet
      bool began = co_await writer.BeginStream(200, std::move(headers), false);  // with the comment
      if (!began) {
        x.client_gone = true;
        break;
      }
    }
    std::string comment(": OPENROUTER PROCESSING\n\n");
    bool written = co_await writer.Write(std::move(comment));
    if (!written) x.client_gone = true;
  }
  state->running = false;
  state->ended.cancel();
}

awaitable<void> Gateway::Exchange::StopProcessingComments() {
  if (!processing) co_return;
  processing->stopping = true;
  processing->tick.cancel();
  if (!processing->running) co_return;
  // The loop may be in a write to a slow client (bounded by the write timeout): wait for it.
  boost::system::error_code ec;
  processing->ended.expires_at(std::chrono::steady_clock::time_point::max());
  co_await processing->ended.async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ec));
}

awaitable<void> Gateway::BeginStreamedAnswer(Exchange& x, net::UpstreamCall& call, net::ResponseWriter& writer) {
  x.status = 200;
  x.streaming = true;
  if (x.client_gone) {  // it left while the provider was starting: cut now, bill the prompt
    call.Cancel();
    co_return;
  }
  metrics_.status_2xx.fetch_add(1, std::memory_order_relaxed);
  if (x.stream_began) co_return;  // the head went out with the comments that kept it waiting
  x.stream_began = true;
  Headers headers = x.StreamHeaders(true);
  // g++ 12 miscompiles co_await inside a larger expression when the callee takes arguments by
  // value (a double free): in this code co_await stands alone as a statement or an initializer.
  // The head goes out with the first events when the provider's are already here (one packet, not
  // two); PumpStream sends it alone before it waits for them.
  bool began = co_await writer.BeginStream(200, std::move(headers), !call.Ready());
  if (!began) {
    call.Cancel();
    x.client_gone = true;
  }
}

awaitable<std::optional<Error>> Gateway::PumpStream(Exchange& x, net::UpstreamCall& call, StreamRelay& relay,
                                                    net::ResponseWriter& writer) {
  protocol::SseReader reader(static_cast<size_t>(config_.upstream.max_event_bytes));
  std::optional<Error> failure;
  std::string out;
  bool ended = false;
  while (!x.client_gone && !failure && !ended && !relay.finished()) {
    if (!call.Ready()) {    // a held head (BeginStreamedAnswer) goes out before the wait
      std::string nothing;  // (a named value, not a temporary, into the co_await: see BeginStreamedAnswer)
      bool flushed = co_await writer.Write(std::move(nothing));
      if (!flushed) {
        x.client_gone = true;
        break;
      }
    }
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
  // A client that left after the provider accepted the request pays the prompt and what was
  // generated, as the provider charges them.
  x.Bill(x.client_gone);
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
  std::string last = failure ? x.StreamErrorOf(*failure, nullptr, model) : tail;
  if (!failure && send_done && x.EndsWithDone()) last += "data: [DONE]\n\n";
  co_await writer.EndStream(std::move(last));
  co_return;
}

}  // namespace turnpike::gateway
