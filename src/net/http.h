// Plain HTTP types shared by the server (Beast, hidden in http_server.cc) and the handlers.
// Nothing here includes Beast, so handler code compiles fast.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/http_types.h"

namespace turnpike::net {

namespace asio = boost::asio;

struct HttpRequest {
  std::string method;  // "GET", "POST", …
  std::string target;  // as sent: path plus query
  std::string path;    // target without the query
  std::string query;   // after '?', undecoded; "" if none
  Headers headers;
  std::string body;
  std::string remote_address;
  std::string id;  // unique per request (NewRequestId); goes out as x-request-id
};

// A fresh request id in OpenRouter's shape, "gen-<unix seconds>-<20 letters and digits>"; ids
// taken later sort after earlier ones (to the microsecond, on one machine).
std::string NewRequestId();

// Writes the answer to one request. Owned by the server; valid until the handler returns.
// Every method runs on the connection's event-loop thread. A false return means the client is
// gone (or too slow): stop producing.
class ResponseWriter {
 public:
  virtual ~ResponseWriter() = default;
  // A complete response with Content-Length.
  virtual asio::awaitable<bool> Send(int status, Headers headers, std::string body) = 0;
  // Starts a chunked response (SSE); follow with Write()s and one EndStream(). With `now` false the
  // head is held and goes out with the next Write or EndStream, in one packet with those bytes: for
  // a caller that has them at hand (a Write of "" sends a held head alone, and nothing otherwise).
  virtual asio::awaitable<bool> BeginStream(int status, Headers headers, bool now) = 0;
  virtual asio::awaitable<bool> Write(std::string data) = 0;
  // Writes `last` (may be empty) and ends the stream, in one write.
  virtual asio::awaitable<bool> EndStream(std::string last) = 0;
  // `on_gone` runs once, on this thread, if the client disconnects before the handler returns
  // (detected while waiting, not only on the next write). Replaces an earlier callback.
  virtual void OnClientGone(std::function<void()> on_gone) = 0;
  virtual bool client_gone() const = 0;
  // True once a response head has been written.
  virtual bool started() const = 0;
};

// Handles one request. `worker` is the index of the event-loop thread it runs on, so the
// handler can use per-thread state (the upstream client) without locks.
using Handler = std::function<asio::awaitable<void>(int worker, const HttpRequest&, ResponseWriter&)>;

}  // namespace turnpike::net
