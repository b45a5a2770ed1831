// The gateway's HTTP server turning a client's bytes into requests: Beast's request parser with
// the server's limits (net/beast_request.h), fed the way Beast's read loop feeds it from a
// socket (in pieces, put_eof at the end), then each message as the handler's HttpRequest, for
// as many pipelined requests as the bytes hold. Input: one byte of options (limits, piece size),
// then the connection's bytes.
//
// Beast is header-only here: this translation unit does not need the net layer's Asio build.
#undef BOOST_ASIO_SEPARATE_COMPILATION
#undef BOOST_BEAST_SEPARATE_COMPILATION
// Beast's assertions stay on (they are off in the server's release build) and abort, all but one
// (see assertion_failed below).
#define BOOST_ENABLE_ASSERT_HANDLER

#include <algorithm>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string_view>

#include "net/beast_request.h"

// One assertion of Boost 1.81's Beast is wrong, and later Beast releases relax it: a client that
// sends the last chunk of a chunked body ("0\r\n") and then the rest a byte at a time makes the
// parser re-read that chunk's header with three or four bytes buffered, where it asserts five.
// The code after the assertion handles it (it asks for more bytes), which this harness checks by
// going on under ASan. In a build without NDEBUG (CMAKE_BUILD_TYPE=Debug) the server itself
// would abort there; release builds compile assertions out.
namespace boost {
void assertion_failed(char const* expr, char const* function, char const* file, long line) {
  if (std::string_view(expr) == "n >= 5" && std::string_view(file).ends_with("beast/http/impl/basic_parser.ipp")) {
    return;
  }
  std::fprintf(stderr, "%s:%ld: %s: Assertion `%s' failed.\n", file, line, function, expr);
  std::abort();
}
void assertion_failed_msg(char const* expr, char const* msg, char const* function, char const* file, long line) {
  std::fprintf(stderr, "%s:%ld: %s: Assertion `%s' failed: %s\n", file, line, function, expr, msg);
  std::abort();
}
}  // namespace boost

namespace {

namespace http = boost::beast::http;
using turnpike::net::HttpRequest;

void Check(bool ok) {
  if (!ok) std::abort();
}

// The invariants a handler relies on.
void CheckRequest(const HttpRequest& req, const turnpike::net::ServerOptions& options) {
  Check(!req.method.empty());
  Check(req.path + (req.target.size() > req.path.size() ? "?" + req.query : "") == req.target);
  Check(req.path.find('?') == std::string::npos);
  Check(static_cast<int64_t>(req.body.size()) <= options.max_body_bytes);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const uint8_t flags = data[0];
  std::string_view wire(reinterpret_cast<const char*>(data + 1), size - 1);
  turnpike::net::ServerOptions options;
  if (flags & 1) {  // small limits, so that inputs this size reach 413 and 431
    options.max_header_bytes = 64 + (flags >> 2);
    options.max_body_bytes = 16 + (flags >> 2);
  }
  // Bytes arrive in pieces of this size (1 … 64, or all at once).
  const size_t piece = (flags & 2) ? 1 + (flags >> 2) : wire.size();
  size_t delivered = 0;
  boost::beast::flat_buffer buffer;
  auto receive = [&]() -> bool {
    if (delivered >= wire.size()) return false;
    size_t n = std::min(piece == 0 ? wire.size() : piece, wire.size() - delivered);
    auto out = buffer.prepare(n);
    std::memcpy(out.data(), wire.data() + delivered, n);
    buffer.commit(n);
    delivered += n;
    return true;
  };
  for (int requests = 0; requests < 64; ++requests) {
    // The server waits for a first byte before it starts a parse (AwaitNextRequest).
    if (buffer.size() == 0 && !receive()) break;
    turnpike::net::RequestParser parser;
    turnpike::net::LimitParser(parser, options);
    boost::beast::error_code ec;
    // Beast's read loop (http::async_read): parse what is buffered; with nothing buffered, or
    // when the parser needs more, read more, and at the end of the bytes tell the parser so.
    while (!parser.is_done()) {
      if (buffer.size() > 0) {
        size_t used = parser.put(buffer.data(), ec);
        buffer.consume(used);
        if (ec && ec != http::error::need_more) break;
        if (!ec) continue;
        ec = {};
      }
      if (!receive()) {
        if (parser.got_some()) {
          parser.put_eof(ec);
        } else {
          ec = http::error::end_of_stream;
        }
        break;
      }
    }
    if (ec) return 0;  // the server answers 400 / 413 / 431 and closes
    Check(parser.is_done());
    const bool keep_alive = parser.get().keep_alive();
    HttpRequest req = turnpike::net::ToHttpRequest(parser.release());
    CheckRequest(req, options);
    if (!keep_alive) break;
  }
  return 0;
}
