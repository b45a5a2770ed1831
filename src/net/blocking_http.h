// One HTTP exchange with libcurl's easy interface, blocking the calling thread until the whole
// response has arrived. For the control plane, whose handlers run on a worker pool off the event
// loops (control/control_plane.h), and which calls out rarely (a payment provider's REST API):
// no connection pool, no streaming. The gateway's hot path uses UpstreamClient instead.
//
// TLS is verified against the system CAs; https_proxy / NO_PROXY are honoured (libcurl reads
// them). Thread-safe (each call has its own handle); InitCurl() must have run.
#pragma once

#include <cstdint>
#include <string>

#include "common/result.h"
#include "net/upstream_client.h"

namespace turnpike::net {

struct BlockingLimits {
  int64_t connect_timeout_ms = 5'000;  // TCP + TLS handshake
  int64_t total_timeout_ms = 30'000;   // the whole exchange
  int64_t max_response_bytes = 1 << 20;
};

struct BlockingResponse {
  int status = 0;
  std::string body;
};

// Sends `request` and returns the response, whatever its status. Errors: kTimeout (connect or
// total timeout), kTooLarge (a body over max_response_bytes), kUpstream (anything else: refused,
// reset, DNS, TLS). Error messages name the URL's host, never the request's headers or body.
Result<BlockingResponse> BlockingExchange(const UpstreamRequest& request, const BlockingLimits& limits);

}  // namespace turnpike::net
