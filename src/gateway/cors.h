// CORS for the gateway: browsers (the dashboard's playground, users' own web apps) may call the
// API from any origin. That is safe because the gateway authenticates with a bearer API key the
// page must hold, never with cookies, so `Access-Control-Allow-Origin: *` (without credentials)
// grants a page nothing it does not already have. OpenRouter answers the same way.
#pragma once

#include <memory>

#include "net/http.h"

namespace turnpike::gateway {

// True for a CORS preflight (OPTIONS with Access-Control-Request-Method).
bool IsPreflight(const net::HttpRequest& request);

// The 204 answer's headers for a preflight: any origin, GET/POST, the requested headers (when
// they are plain header names), cached by the browser for a day.
Headers PreflightHeaders(const net::HttpRequest& request);

// Wraps `inner` so every response also carries Access-Control-Allow-Origin: * and exposes
// x-request-id to scripts. Use only for requests with an Origin header (browsers): other
// clients pay nothing.
std::unique_ptr<net::ResponseWriter> WithCors(net::ResponseWriter& inner);

}  // namespace turnpike::gateway
