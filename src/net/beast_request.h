// The bytes-to-request step of the HTTP server (http_server.cc), apart from its sockets so that
// fuzz/http_request_fuzzer.cc runs the very same code: the parser with the server's limits, and
// the parsed message as the HttpRequest handlers see. Includes Beast: only http_server.cc and
// the fuzzer include it.
#pragma once

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <cstdint>
#include <string>
#include <utility>

#include "net/http.h"
#include "net/http_server.h"

namespace turnpike::net {

using BeastRequest = boost::beast::http::request<boost::beast::http::string_body>;
using RequestParser = boost::beast::http::request_parser<boost::beast::http::string_body>;

// A request longer than the limits fails the parse with header_limit (431) or body_limit (413).
inline void LimitParser(RequestParser& parser, const ServerOptions& options) {
  parser.header_limit(static_cast<std::uint32_t>(options.max_header_bytes));
  parser.body_limit(static_cast<std::uint64_t>(options.max_body_bytes));
}

// Method, target (split at the first '?' into path and query), headers in order and body of a
// parsed message. The id and the remote address are the server's to fill in.
inline HttpRequest ToHttpRequest(BeastRequest&& msg) {
  HttpRequest req;
  req.method = std::string(msg.method_string());
  req.target = std::string(msg.target());
  auto q = req.target.find('?');
  req.path = req.target.substr(0, q);
  if (q != std::string::npos) req.query = req.target.substr(q + 1);
  req.headers.reserve(16);
  for (const auto& f : msg) req.headers.push_back({std::string(f.name_string()), std::string(f.value())});
  req.body = std::move(msg.body());
  return req;
}

}  // namespace turnpike::net
