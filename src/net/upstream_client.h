// The upstream HTTP client, driven by one Asio event loop. Two implementations, chosen per request
// by UpstreamOptions::client (docs/architecture.md §5.1): the native one (HTTP/1.1 on Asio, the
// default for http:// and https://) and libcurl (HTTP/2 where offered; the one used when an
// outbound proxy from https_proxy / http_proxy / ALL_PROXY, minus NO_PROXY, applies to the host).
// Connections are pooled and reused per loop; TLS is verified against the system CAs. Body
// delivery is pull-based: a transfer stops reading when its unread buffer passes a high-water
// mark and resumes as the caller reads.
//
// Threading: an UpstreamClient and its calls belong to the loop they were made on; use them
// only from that loop's thread.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <memory>
#include <string>

#include "common/result.h"
#include "config/config.h"
#include "net/http.h"

namespace turnpike::net {

struct UpstreamRequest {
  std::string url;
  std::string method = "POST";
  Headers headers;
  std::string body;
};

struct ResponseHead {
  int status = 0;
  Headers headers;
};

class UpstreamClient;

// One request/response exchange. Destroying it (or Cancel()) aborts the transfer and closes its
// connection, which is how the upstream learns that the client went away.
class UpstreamCall {
 public:
  virtual ~UpstreamCall() = default;
  // Waits for the response head; call it once, before reading the body. Errors: kTimeout (connect or first-byte
  // timeout), kUpstream (connection refused/reset, TLS failure, …), kConflict if cancelled.
  virtual boost::asio::awaitable<Result<ResponseHead>> ReadHead() = 0;
  // The next piece of the body, waiting at most the idle timeout; "" means the body is complete.
  // Errors: kTimeout (idle), kUpstream (cut: the connection ended before the body did),
  // kTooLarge (more than max_response_bytes through ReadAll), kConflict if cancelled.
  virtual boost::asio::awaitable<Result<std::string>> ReadSome() = 0;
  // Whether a ReadSome now would return without waiting (a piece, the end or an error is at hand).
  // False when the backend cannot tell.
  virtual bool Ready() const { return false; }
  // The whole remaining body, bounded by max_response_bytes.
  virtual boost::asio::awaitable<Result<std::string>> ReadAll() = 0;
  // Aborts the transfer; pending and later reads fail with kConflict. Idempotent.
  virtual void Cancel() = 0;
};

class UpstreamClient {
 public:
  UpstreamClient(boost::asio::io_context& loop, const config::UpstreamOptions& options);
  UpstreamClient(const UpstreamClient&) = delete;
  UpstreamClient& operator=(const UpstreamClient&) = delete;
  ~UpstreamClient();

  // Starts sending `request` at once; read the answer through the returned call.
  std::shared_ptr<UpstreamCall> Start(UpstreamRequest request);

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

// Global libcurl set-up; call once at start-up before any thread starts.
bool InitCurl();

}  // namespace turnpike::net
