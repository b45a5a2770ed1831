// The HTTP/1.1 server: keep-alive, limits on header and body size, read and write timeouts,
// client-disconnect detection, and graceful shutdown. Built on Beast, which stays inside
// http_server.cc; handlers see only net/http.h.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "common/result.h"
#include "net/event_loops.h"
#include "net/http.h"

namespace turnpike::net {

struct ServerOptions {
  int64_t max_body_bytes = 10 << 20;      // larger bodies: 413
  int64_t max_header_bytes = 16 << 10;    // larger heads: 431
  int64_t read_timeout_ms = 30'000;       // to read one request once its first byte arrived
  int64_t keepalive_timeout_ms = 75'000;  // idle connection between requests
  int64_t header_timeout_ms = 10'000;     // a new connection's first byte; any request head once begun
  int64_t write_timeout_ms = 30'000;      // one write to a client that does not drain
  // Open connections. At the limit a new connection takes the place of the one idle the longest
  // (closed: it was waiting for a request, which a client must expect of keep-alive); with none
  // idle, it gets 503 with Retry-After once its request head is read, and when that many
  // refusals are already under way (kMaxRefusing in http_server.cc) it is closed at accept.
  int64_t max_connections = 10'000;
  std::string name = "http";  // the listener's name in logs ("gateway", "control")
  // Body of an error the server itself answers (413, 431, 400 on a malformed request), so the
  // gateway can use its own error shape, per route: `target` is the request target when its head
  // was read ("" otherwise). Returns the JSON body.
  std::function<std::string(int status, const std::string& message, std::string_view target)> error_body;
};

class HttpServer {
 public:
  HttpServer(EventLoops& loops, ServerOptions options, Handler handler);
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;
  // Closes the listening socket. Call with the loops stopped, then EventLoops::Drain().
  ~HttpServer();

  // Binds host:port (port 0 = any free port) and starts accepting on loop 0, handing
  // connections to the loops in turn. Returns the bound port. Call before EventLoops::Run().
  Result<int> Listen(const std::string& host, int port);

  // Thread-safe. Stops accepting, closes idle keep-alive connections, and makes busy ones close
  // after their current response. In-flight requests go on.
  void BeginShutdown();

  // Requests being handled now, on every loop. Thread-safe.
  int64_t active_requests() const;
  // Connections open now (refused ones not counted), and how many were closed to make room for a
  // new one or refused since start. Thread-safe.
  int64_t open_connections() const;
  int64_t evicted_connections() const;
  int64_t refused_connections() const;

  struct State;  // shared with the connections; defined in http_server.cc

 private:
  std::shared_ptr<State> state_;
};

}  // namespace turnpike::net
