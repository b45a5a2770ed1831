// What a control-plane route answers, built without touching the network, and the one place an
// Error becomes an HTTP error response.
#pragma once

#include <boost/json/value.hpp>
#include <string>
#include <string_view>

#include "common/result.h"
#include "net/http.h"

namespace turnpike::control {

struct Reply {
  int status = 200;
  Headers headers;   // beyond Content-Type and x-request-id, which the sender adds
  std::string body;  // JSON, or empty (204)
  std::string content_type = "application/json";
};

// A JSON body with `status`.
Reply JsonReply(int status, const boost::json::value& body);
// 204, no body.
Reply NoContent();

// The error response for `error`:
//   {"error":{"code":<status>,"message":"…","type":"…","param":<param or null>}}
// Status and type come from the gateway's table (gateway/error_reply.h). An internal error's
// message is replaced by a generic one (the original is logged), so no store detail leaks.
Reply ErrorReply(const Error& error, std::string_view param = {});

// Adds a response header.
void AddHeader(Reply& reply, std::string name, std::string value);

}  // namespace turnpike::control
