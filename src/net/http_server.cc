#include "net/http_server.h"

#include <spdlog/spdlog.h>
#include <strings.h>
#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <unordered_set>

#include "common/crypto.h"
#include "net/deadlines.h"

namespace turnpike::net {

namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using asio::awaitable;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

// OpenRouter's shape, "gen-<unix seconds>-<20 letters and digits>", ordered by time: the first 4
// of the 20 encode the microsecond within the second in an alphabet whose ASCII order is its
// numeric order, the other 16 come from the CSPRNG (~95 bits). Ids that sort by time land at the
// end of the indexes that hold them (holds, ledger idempotency ids, the request log), so a group
// commit of many requests dirties a few pages instead of one random page per request per index
// (docs/architecture.md §4.9). Random bytes are drawn 256 at a time (one getrandom call, as
// libsodium asks the kernel for at most that much) into a pool per thread; none is used twice.
std::string NewRequestId() {
  static constexpr std::string_view kDigits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  constexpr size_t kTimeDigits = 4;     // 62^4 > 10^6 microseconds
  constexpr size_t kRandomDigits = 16;  // 62^16 ≈ 2^95
  thread_local std::string pool;        // hex of random bytes
  thread_local size_t used = 0;
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(now);
  auto micros = std::chrono::duration_cast<std::chrono::microseconds>(now - seconds).count();
  std::string id = "gen-" + std::to_string(seconds.count()) + '-';
  id.resize(id.size() + kTimeDigits);
  for (size_t i = 0; i < kTimeDigits; ++i) {
    id[id.size() - 1 - i] = kDigits[static_cast<size_t>(micros % 62)];
    micros /= 62;
  }
  for (size_t taken = 0; taken < kRandomDigits;) {
    if (used + 2 > pool.size()) {
      pool = crypto::RandomHex(256);
      used = 0;
    }
    auto nibble = [](char c) { return c <= '9' ? c - '0' : c - 'a' + 10; };
    const int byte = nibble(pool[used]) * 16 + nibble(pool[used + 1]);
    used += 2;
    if (byte >= 62 * 4) continue;  // so that every digit is equally likely
    id.push_back(kDigits[static_cast<size_t>(byte % 62)]);
    ++taken;
  }
  return id;
}

class Session;

struct HttpServer::State {
  EventLoops& loops;
  ServerOptions options;
  Handler handler;
  std::unique_ptr<tcp::acceptor> acceptor;
  std::atomic<int64_t> active{0};
  std::atomic<bool> draining{false};
  std::vector<std::unordered_set<Session*>> sessions;  // per loop; touched on that loop only
  std::vector<DeadlineSweeper*> sweepers;              // per loop
  int next_loop = 0;

  State(EventLoops& l, ServerOptions o, Handler h)
      : loops(l), options(std::move(o)), handler(std::move(h)), sessions(static_cast<size_t>(l.size())) {
    for (int i = 0; i < l.size(); ++i) sweepers.push_back(&DeadlineSweeper::For(l.at(i)));
  }
};

namespace {

std::chrono::milliseconds Ms(int64_t v) { return std::chrono::milliseconds(v); }

}  // namespace

// Timeouts: one coarse deadline per connection (net/deadlines.h), moved with no syscall as the
// connection goes from waiting for a request to reading it to writing the answer, rather than a
// timer armed per read and per write.
class Session : public ResponseWriter, public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, std::shared_ptr<HttpServer::State> state, int worker)
      : socket_(std::move(socket)),
        state_(std::move(state)),
        worker_(worker),
        deadline_(*state_->sweepers[static_cast<size_t>(worker)], [this] { OnDeadline(); }),
        watch_done_(*state_->sweepers[static_cast<size_t>(worker)]) {
    beast::error_code ec;
    socket_.set_option(tcp::no_delay(true), ec);
    auto endpoint = socket_.remote_endpoint(ec);
    if (!ec) remote_ = endpoint.address().to_string();
  }

  // The caller keeps the session alive until this completes (see RunSession).
  awaitable<void> Run() {
    auto& registry = state_->sessions[static_cast<size_t>(worker_)];
    registry.insert(this);
    co_await Loop();
    registry.erase(this);
    deadline_.Disarm();
    beast::error_code ec;
    socket_.shutdown(tcp::socket::shutdown_send, ec);
    socket_.close(ec);
  }

  void CloseIfIdle() {
    if (idle_) {
      beast::error_code ec;
      socket_.cancel(ec);
      socket_.close(ec);
    }
  }

  // --- ResponseWriter ---
  awaitable<bool> Send(int status, Headers headers, std::string body) override {
    if (gone_ || started_) co_return false;
    started_ = true;
    http::response<http::string_body> res{static_cast<http::status>(status), 11};
    for (auto& h : headers) res.set(h.name, h.value);
    res.set(http::field::server, "turnpike");
    res.keep_alive(KeepAlive());
    res.body() = std::move(body);
    res.prepare_payload();
    ArmWriteDeadline();
    beast::error_code ec;
    if (head_request_) {
      http::response_serializer<http::string_body> sr{res};
      std::tie(ec, std::ignore) = co_await http::async_write_header(socket_, sr, kTuple);
    } else {
      std::tie(ec, std::ignore) = co_await http::async_write(socket_, res, kTuple);
    }
    deadline_.Disarm();
    co_return !Failed(ec);
  }

  awaitable<bool> BeginStream(int status, Headers headers) override {
    if (gone_ || started_) co_return false;
    started_ = true;
    http::response<http::empty_body> res{static_cast<http::status>(status), 11};
    for (auto& h : headers) res.set(h.name, h.value);
    res.set(http::field::server, "turnpike");
    res.keep_alive(KeepAlive());
    res.chunked(true);
    http::response_serializer<http::empty_body> sr{res};
    ArmWriteDeadline();
    auto [ec, n] = co_await http::async_write_header(socket_, sr, kTuple);
    deadline_.Disarm();
    co_return !Failed(ec);
  }

  awaitable<bool> Write(std::string data) override {
    if (gone_) co_return false;
    if (data.empty()) co_return true;
    ArmWriteDeadline();
    auto [ec, n] = co_await asio::async_write(socket_, http::make_chunk(asio::buffer(data)), kTuple);
    deadline_.Disarm();
    co_return !Failed(ec);
  }

  awaitable<bool> EndStream() override {
    if (gone_) co_return false;
    ArmWriteDeadline();
    auto [ec, n] = co_await asio::async_write(socket_, http::make_chunk_last(), kTuple);
    deadline_.Disarm();
    co_return !Failed(ec);
  }

  void OnClientGone(std::function<void()> on_gone) override { on_gone_ = std::move(on_gone); }
  bool client_gone() const override { return gone_; }
  bool started() const override { return started_; }

 private:
  bool KeepAlive() const { return keep_alive_ && !state_->draining.load(); }

  // Run by the loop's sweeper once the deadline has passed. While a request is being read, only
  // the pending read is cancelled — not the socket closed — so the client still gets its 408;
  // otherwise (keep-alive wait, a write the client does not drain, the lingering close) the
  // connection is closed at once, as a timed-out stream would be.
  void OnDeadline() {
    timed_out_ = true;
    beast::error_code ec;
    socket_.cancel(ec);
    if (!reading_request_) socket_.close(ec);
  }

  void ArmWriteDeadline() {
    reading_request_ = false;
    deadline_.ExpireAfter(Ms(state_->options.write_timeout_ms));
  }

  bool Failed(const beast::error_code& ec) {
    if (!ec) return false;
    MarkGone();
    return true;
  }

  void MarkGone() {
    if (gone_) return;
    gone_ = true;
    if (auto cb = std::move(on_gone_)) cb();
  }

  awaitable<void> SendPlainError(int status, const std::string& message) {
    keep_alive_ = false;
    std::string body = state_->options.error_body ? state_->options.error_body(status, message) : message;
    Headers headers{{"Content-Type", "application/json"}, {"x-request-id", NewRequestId()}};
    co_await Send(status, std::move(headers), std::move(body));
  }

  // After an early error reply (413 while the client is still sending), read and drop what the
  // client sends for a little while before closing, so it sees the reply rather than a reset.
  awaitable<void> LingeringClose() {
    beast::error_code ec;
    socket_.shutdown(tcp::socket::shutdown_send, ec);
    int64_t budget = state_->options.max_body_bytes * 2;
    reading_request_ = false;
    deadline_.ExpireAfter(std::chrono::seconds(2));
    while (budget > 0) {
      auto [rec, n] = co_await socket_.async_read_some(buffer_.prepare(64 << 10), kTuple);
      if (rec) break;
      budget -= static_cast<int64_t>(n);
    }
    deadline_.Disarm();
  }

  // The whole request must arrive within `ms`.
  void ArmReadDeadline(int64_t ms) {
    timed_out_ = false;
    reading_request_ = true;
    deadline_.ExpireAfter(Ms(ms));
  }

  // Waits for the first byte of the next request for at most the keep-alive timeout.
  awaitable<bool> AwaitNextRequest() {
    if (buffer_.size() > 0) co_return true;
    idle_ = true;
    if (state_->draining.load()) co_return false;
    reading_request_ = false;
    deadline_.ExpireAfter(Ms(state_->options.keepalive_timeout_ms));
    auto [ec, n] = co_await socket_.async_read_some(buffer_.prepare(4096), kTuple);
    deadline_.Disarm();
    idle_ = false;
    if (ec) co_return false;
    buffer_.commit(n);
    co_return true;
  }

  awaitable<void> Loop() {
    const auto& opt = state_->options;
    for (;;) {
      if (!co_await AwaitNextRequest()) co_return;
      // A new exchange: whatever the last one wrote, this one has answered nothing yet.
      started_ = false;
      head_request_ = false;
      on_gone_ = nullptr;
      http::request_parser<http::string_body> parser;
      parser.header_limit(static_cast<std::uint32_t>(opt.max_header_bytes));
      parser.body_limit(static_cast<std::uint64_t>(opt.max_body_bytes));
      ArmReadDeadline(opt.read_timeout_ms);
      auto [ec, n] = co_await http::async_read_header(socket_, buffer_, parser, kTuple);
      if (!ec && !parser.is_done()) {
        // A client that waits for "100 Continue" (curl does, for large bodies) gets it now
        // rather than after its own timeout.
        if (beast::iequals(parser.get()[http::field::expect], "100-continue")) {
          http::response<http::empty_body> go_on{http::status::continue_, 11};
          auto [wec, wn] = co_await http::async_write(socket_, go_on, kTuple);
          ec = wec;
        }
        if (!ec) std::tie(ec, n) = co_await http::async_read(socket_, buffer_, parser, kTuple);
      }
      deadline_.Disarm();
      reading_request_ = false;
      if (timed_out_) {
        co_await SendPlainError(408, "timed out reading the request");
        co_return;
      }
      if (ec == http::error::body_limit) {
        co_await SendPlainError(413, "request body is larger than " + std::to_string(opt.max_body_bytes) + " bytes");
        co_await LingeringClose();
        co_return;
      }
      if (ec == http::error::header_limit) {
        co_await SendPlainError(431, "request header is too large");
        co_return;
      }
      if (ec) {
        if (ec != http::error::end_of_stream && ec != asio::error::eof && ec != asio::error::connection_reset &&
            ec != asio::error::operation_aborted) {
          co_await SendPlainError(400, "malformed HTTP request: " + ec.message());
        }
        co_return;
      }
      auto msg = parser.release();
      keep_alive_ = msg.keep_alive();
      head_request_ = msg.method() == http::verb::head;
      HttpRequest req;
      req.method = std::string(msg.method_string());
      req.target = std::string(msg.target());
      auto q = req.target.find('?');
      req.path = req.target.substr(0, q);
      if (q != std::string::npos) req.query = req.target.substr(q + 1);
      req.headers.reserve(16);
      for (const auto& f : msg) req.headers.push_back({std::string(f.name_string()), std::string(f.value())});
      req.body = std::move(msg.body());
      req.remote_address = remote_;
      req.id = NewRequestId();

      state_->active.fetch_add(1);
      StartWatch();
      // Handlers report expected failures as responses; an exception here is a bug, and the
      // client still gets an answer: a 500 when nothing was sent yet, else the connection closes,
      // since a response cut off mid-way (a chunked stream without its end) must not be followed
      // by another on the same connection.
      bool threw = false;
      try {
        co_await state_->handler(worker_, req, *this);
      } catch (const std::exception& e) {
        threw = true;
        spdlog::error("handler failed on {} {}: {}", req.method, req.path, e.what());
      }
      const bool cut_off = threw && started_;
      on_gone_ = nullptr;
      co_await StopWatch();
      state_->active.fetch_sub(1);
      if (!started_ && !gone_) co_await SendPlainError(500, "the handler sent no response");
      if (gone_ || cut_off || !KeepAlive()) co_return;
    }
  }

  // While a handler runs, a read on the socket notices a client that hangs up. Bytes of a
  // pipelined next request are kept in buffer_ for the next parse.
  void StartWatch() {
    watching_ = true;
    socket_.async_read_some(buffer_.prepare(4096), [self = shared_from_this()](beast::error_code ec, size_t n) {
      self->watching_ = false;
      if (!ec) {
        self->buffer_.commit(n);
      } else if (ec != asio::error::operation_aborted || !self->stopping_watch_) {
        self->MarkGone();
      }
      self->watch_done_.Wake();
    });
  }

  awaitable<void> StopWatch() {
    if (!watching_) co_return;
    stopping_watch_ = true;
    beast::error_code ec;
    socket_.cancel(ec);
    // The cancelled read completes soon; its handler wakes us.
    while (watching_) co_await watch_done_.Wait();
    stopping_watch_ = false;
  }

  // Plain socket, not beast::tcp_stream: its per-operation timers are what deadline_ replaces.
  tcp::socket socket_;
  beast::flat_buffer buffer_;
  std::shared_ptr<HttpServer::State> state_;
  int worker_;
  std::string remote_;
  Deadline deadline_;  // the one timeout in force: keep-alive, request read, or write
  Waiter watch_done_;  // woken when the disconnect watch's read completes
  bool timed_out_ = false;
  bool reading_request_ = false;  // the deadline cancels the read rather than closing
  std::function<void()> on_gone_;
  bool keep_alive_ = true;
  bool started_ = false;
  bool head_request_ = false;  // the answer is the head only (Content-Length of the body it would have)
  bool gone_ = false;
  bool idle_ = false;
  bool watching_ = false;
  bool stopping_watch_ = false;
};

namespace {

// Coroutine parameters live in the coroutine frame, so this owns the session for its life.
awaitable<void> RunSession(std::shared_ptr<Session> session) { co_await session->Run(); }

awaitable<void> AcceptLoop(std::shared_ptr<HttpServer::State> state) {
  for (;;) {
    int worker = state->next_loop;
    state->next_loop = (state->next_loop + 1) % state->loops.size();
    auto [ec, socket] = co_await state->acceptor->async_accept(state->loops.at(worker).get_executor(), kTuple);
    if (ec) {
      if (ec == asio::error::operation_aborted || !state->acceptor->is_open()) co_return;
      spdlog::warn("accept failed: {}", ec.message());
      continue;
    }
    auto session = std::make_shared<Session>(std::move(socket), state, worker);
    asio::co_spawn(state->loops.at(worker), RunSession(std::move(session)), asio::detached);
  }
}

}  // namespace

HttpServer::HttpServer(EventLoops& loops, ServerOptions options, Handler handler)
    : state_(std::make_shared<State>(loops, std::move(options), std::move(handler))) {}

HttpServer::~HttpServer() {
  // Called with the loops stopped: the pending accept completes (aborted) at the next
  // EventLoops::Drain().
  beast::error_code ec;
  if (state_->acceptor) state_->acceptor->close(ec);
}

Result<int> HttpServer::Listen(const std::string& host, int port) {
  beast::error_code ec;
  auto address = asio::ip::make_address(host, ec);
  if (ec) return MakeError(ErrorCode::kBadRequest, "server.host: not an IP address: \"" + host + "\"");
  tcp::endpoint endpoint{address, static_cast<unsigned short>(port)};
  auto acceptor = std::make_unique<tcp::acceptor>(state_->loops.at(0));
  acceptor->open(endpoint.protocol(), ec);
  if (!ec) acceptor->set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor->bind(endpoint, ec);
  if (!ec) acceptor->listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return MakeError(ErrorCode::kUnavailable,
                     "cannot listen on " + host + ":" + std::to_string(port) + ": " + ec.message());
  }
  int bound = acceptor->local_endpoint().port();
  state_->acceptor = std::move(acceptor);
  asio::co_spawn(state_->loops.at(0), AcceptLoop(state_), asio::detached);
  return bound;
}

void HttpServer::BeginShutdown() {
  state_->draining.store(true);
  auto state = state_;
  asio::post(state->loops.at(0), [state] {
    beast::error_code ec;
    if (state->acceptor) state->acceptor->close(ec);
  });
  for (int i = 0; i < state->loops.size(); ++i) {
    asio::post(state->loops.at(i), [state, i] {
      // Copy: closing a session may erase it from the set.
      auto sessions = state->sessions[static_cast<size_t>(i)];
      for (Session* s : sessions) s->CloseIfIdle();
    });
  }
}

int64_t HttpServer::active_requests() const { return state_->active.load(); }

}  // namespace turnpike::net
