#include "net/http_server.h"

#include <spdlog/spdlog.h>
#include <strings.h>
#include <array>
#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <limits>
#include <optional>
#include <unordered_set>

#include "common/crypto.h"
#include "net/beast_request.h"
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

namespace {

// Refusals (503) under way at once per listener; past this a connection over the limit is closed
// at accept, unanswered: answering costs a descriptor and a read each, and a flood must not turn
// the refusals themselves into the exhaustion.
constexpr int64_t kMaxRefusing = 256;
// How long a refused connection may take to send its request head before it is closed.
constexpr int64_t kRefusalReadMs = 2'000;
// The lingering close after an early answer: read and drop at most this much, for at most this
// long (see Session::LingeringClose).
constexpr int64_t kLingerBytes = int64_t{64} << 20;
constexpr auto kLingerTime = std::chrono::seconds(5);
// Accepting pauses this long after a failure for want of descriptors or memory, doubling while
// it goes on.
constexpr auto kAcceptPauseMin = std::chrono::milliseconds(10);
constexpr auto kAcceptPauseMax = std::chrono::milliseconds(1'000);
// A listener at its limit says so at most this often.
constexpr auto kLimitLogEvery = std::chrono::seconds(10);

}  // namespace

// The connections of one loop that wait for a request, longest waiting first: the ones a new
// connection may displace at the limit. An intrusive list through the sessions (no allocation
// per keep-alive wait), touched on its loop only; the counts are read by the accept loop.
struct LoopConnections {
  Session* oldest = nullptr;
  Session* newest = nullptr;
  std::atomic<int64_t> idle_count{0};
  std::atomic<int64_t> evictions_pending{0};  // posted to this loop, not run yet
};

struct HttpServer::State {
  EventLoops& loops;
  ServerOptions options;
  Handler handler;
  std::unique_ptr<tcp::acceptor> acceptor;
  std::atomic<int64_t> active{0};
  std::atomic<bool> draining{false};
  std::vector<std::unordered_set<Session*>> sessions;         // per loop; touched on that loop only
  std::vector<DeadlineSweeper*> sweepers;                     // per loop
  std::vector<std::unique_ptr<LoopConnections>> connections;  // per loop
  std::atomic<int64_t> open{0};                               // served connections (a Session not refusing)
  std::atomic<int64_t> refusing{0};                           // connections being answered 503
  std::atomic<int64_t> evicted{0};
  std::atomic<int64_t> refused{0};
  // The accept loop's (loop 0 only).
  int next_loop = 0;
  asio::steady_timer accept_pause;
  std::chrono::steady_clock::time_point limit_logged{};

  State(EventLoops& l, ServerOptions o, Handler h)
      : loops(l),
        options(std::move(o)),
        handler(std::move(h)),
        sessions(static_cast<size_t>(l.size())),
        accept_pause(l.at(0)) {
    for (int i = 0; i < l.size(); ++i) {
      sweepers.push_back(&DeadlineSweeper::For(l.at(i)));
      connections.push_back(std::make_unique<LoopConnections>());
    }
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
  // The accept loop has counted the connection (State::open, or State::refusing when `refuse`);
  // the destructor uncounts it.
  Session(tcp::socket socket, std::shared_ptr<HttpServer::State> state, int worker, bool refuse)
      : socket_(std::move(socket)),
        state_(std::move(state)),
        worker_(worker),
        refuse_(refuse),
        deadline_(*state_->sweepers[static_cast<size_t>(worker)], [this] { OnDeadline(); }),
        watch_done_(*state_->sweepers[static_cast<size_t>(worker)]) {
    beast::error_code ec;
    socket_.set_option(tcp::no_delay(true), ec);
    auto endpoint = socket_.remote_endpoint(ec);
    if (!ec) remote_ = endpoint.address().to_string();
  }

  ~Session() override { (refuse_ ? state_->refusing : state_->open).fetch_sub(1); }

  // The caller keeps the session alive until this completes (see RunSession).
  awaitable<void> Run() {
    auto& registry = state_->sessions[static_cast<size_t>(worker_)];
    registry.insert(this);
    co_await Loop();
    LeaveIdleList();
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

  // Closes this connection, which waits for a request, to make room for a new one.
  void Evict() {
    LeaveIdleList();
    beast::error_code ec;
    socket_.cancel(ec);
    socket_.close(ec);
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

  awaitable<bool> BeginStream(int status, Headers headers, bool now) override {
    if (gone_ || started_) co_return false;
    started_ = true;
    http::response<http::empty_body> res{static_cast<http::status>(status), 11};
    for (auto& h : headers) res.set(h.name, h.value);
    res.set(http::field::server, "turnpike");
    res.keep_alive(KeepAlive());
    res.chunked(true);
    held_head_ = SerializedHead(res);
    if (!now) co_return true;
    bool written = co_await WriteChunk({}, false);
    co_return written;
  }

  awaitable<bool> Write(std::string data) override {
    bool written = co_await WriteChunk(data, false);
    co_return written;
  }

  awaitable<bool> EndStream(std::string last) override {
    bool written = co_await WriteChunk(last, true);
    co_return written;
  }

  void OnClientGone(std::function<void()> on_gone) override { on_gone_ = std::move(on_gone); }
  bool client_gone() const override { return gone_; }
  bool started() const override { return started_; }

 private:
  bool KeepAlive() const { return keep_alive_ && !state_->draining.load(); }

  static std::string SerializedHead(http::response<http::empty_body>& res) {
    std::string head;
    head.reserve(512);  // a stream's head with the routing headers: one allocation
    http::response_serializer<http::empty_body> sr{res};
    sr.split(true);
    beast::error_code ec;
    while (!ec && !sr.is_header_done()) {
      sr.next(ec, [&](beast::error_code&, const auto& buffers) {
        for (auto b : beast::buffers_range_ref(buffers)) head.append(static_cast<const char*>(b.data()), b.size());
        sr.consume(beast::buffer_bytes(buffers));
      });
    }
    return head;
  }

  // One write of a held head (BeginStream), `data` as a chunk (none when empty), and with `last`
  // the chunk that ends the body.
  awaitable<bool> WriteChunk(std::string_view data, bool last) {
    if (gone_) co_return false;
    if (held_head_.empty() && data.empty() && !last) co_return true;
    static constexpr std::string_view kCrlf = "\r\n";
    static constexpr std::string_view kLastChunk = "0\r\n\r\n";
    std::array<char, 24> size_line{};
    size_t size_length = 0;
    if (!data.empty()) {
      size_length = static_cast<size_t>(std::snprintf(size_line.data(), size_line.size(), "%zx\r\n", data.size()));
    }
    const std::array<asio::const_buffer, 5> parts{asio::buffer(held_head_), asio::buffer(size_line.data(), size_length),
                                                  asio::buffer(data),
                                                  asio::buffer(kCrlf.data(), data.empty() ? 0 : kCrlf.size()),
                                                  asio::buffer(kLastChunk.data(), last ? kLastChunk.size() : 0)};
    ArmWriteDeadline();
    auto [ec, n] = co_await asio::async_write(socket_, parts, kTuple);
    deadline_.Disarm();
    if (!held_head_.empty()) std::string().swap(held_head_);  // its memory too: a stream may last long
    co_return !Failed(ec);
  }

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

  awaitable<void> SendPlainError(int status, const std::string& message, const Headers* extra = nullptr,
                                 std::string_view target = {}) {
    keep_alive_ = false;
    std::string body = state_->options.error_body ? state_->options.error_body(status, message, target) : message;
    Headers headers{{"Content-Type", "application/json"}, {"x-request-id", NewRequestId()}};
    if (extra) headers.insert(headers.end(), extra->begin(), extra->end());
    co_await Send(status, std::move(headers), std::move(body));
  }

  // After an answer sent before the request was read to its end (413 on a body over the limit,
  // 431, 400, a 503 refusal), the client may still be sending. Closing with unread bytes in the
  // socket makes the kernel send a reset, and a client that gets the reset before it reads drops
  // the answer (EPIPE/ECONNRESET instead of the 413). So: half-close (the client sees the answer
  // end), read and drop what it still sends until it closes, for at most kLingerTime and
  // kLingerBytes, then close.
  awaitable<void> LingeringClose() {
    beast::error_code ec;
    socket_.shutdown(tcp::socket::shutdown_send, ec);
    int64_t budget = kLingerBytes;
    reading_request_ = false;
    deadline_.ExpireAfter(std::chrono::duration_cast<std::chrono::milliseconds>(kLingerTime));
    buffer_.clear();
    while (budget > 0 && socket_.is_open()) {
      auto [rec, n] = co_await socket_.async_read_some(buffer_.prepare(64 << 10), kTuple);
      if (rec) break;
      budget -= static_cast<int64_t>(n);
    }
    deadline_.Disarm();
  }

  void EnterIdleList() {
    auto& c = *state_->connections[static_cast<size_t>(worker_)];
    idle_older_ = c.newest;
    idle_newer_ = nullptr;
    (c.newest ? c.newest->idle_newer_ : c.oldest) = this;
    c.newest = this;
    listed_idle_ = true;
    c.idle_count.fetch_add(1, std::memory_order_relaxed);
  }

  void LeaveIdleList() {
    if (!listed_idle_) return;
    auto& c = *state_->connections[static_cast<size_t>(worker_)];
    (idle_older_ ? idle_older_->idle_newer_ : c.oldest) = idle_newer_;
    (idle_newer_ ? idle_newer_->idle_older_ : c.newest) = idle_older_;
    idle_older_ = idle_newer_ = nullptr;
    listed_idle_ = false;
    c.idle_count.fetch_sub(1, std::memory_order_relaxed);
  }

  // The whole request must arrive within `ms`.
  void ArmReadDeadline(int64_t ms) {
    timed_out_ = false;
    reading_request_ = true;
    deadline_.ExpireAfter(Ms(ms));
  }

  // Waits for the first byte of the next request for at most `wait_ms`. Meanwhile the connection
  // is idle: at the connection limit, a new one may take its place (Evict).
  awaitable<bool> AwaitNextRequest(int64_t wait_ms) {
    if (buffer_.size() > 0) co_return true;
    idle_ = true;
    if (state_->draining.load()) co_return false;
    reading_request_ = false;
    if (!refuse_) EnterIdleList();
    deadline_.ExpireAfter(Ms(wait_ms));
    auto [ec, n] = co_await socket_.async_read_some(buffer_.prepare(4096), kTuple);
    deadline_.Disarm();
    LeaveIdleList();
    idle_ = false;
    if (ec) co_return false;
    buffer_.commit(n);
    co_return true;
  }

  // Reads the next request (its first bytes are in buffer_), or answers why it cannot (408, 413,
  // 431, 400, or 503 at the connection limit): nullopt then, and the connection ends. A coroutine
  // of its own so that the parser is gone before the handler runs: Loop's frame lives as long as
  // the answer, a whole stream's life.
  awaitable<std::optional<HttpRequest>> ReadRequest() {
    const auto& opt = state_->options;
    const auto began = std::chrono::steady_clock::now();
    RequestParser parser;
    LimitParser(parser, opt);
    // The head within the header timeout; the whole request within the read timeout, both
    // counted from its first byte.
    ArmReadDeadline(std::min(
        {opt.header_timeout_ms, opt.read_timeout_ms, refuse_ ? kRefusalReadMs : std::numeric_limits<int64_t>::max()}));
    auto [ec, n] = co_await http::async_read_header(socket_, buffer_, parser, kTuple);
    if (!ec && refuse_ && !timed_out_) {
      deadline_.Disarm();
      reading_request_ = false;
      const Headers retry{{"Retry-After", "1"}};
      co_await SendPlainError(503, "the server is at its connection limit: retry shortly", &retry);
      co_await LingeringClose();
      co_return std::nullopt;
    }
    if (!ec && !parser.is_done()) {
      deadline_.ExpireAt(began + Ms(opt.read_timeout_ms));
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
    // The route the request was for, once its request line was read ("" before): the error is
    // in that route's shape. (A Content-Length over the limit fails the head before it is done.)
    const std::string target(parser.get().target());
    if (timed_out_) {
      co_await SendPlainError(408, "timed out reading the request", nullptr, target);
      co_return std::nullopt;
    }
    if (ec == http::error::body_limit) {
      co_await SendPlainError(413, "request body is larger than " + std::to_string(opt.max_body_bytes) + " bytes",
                              nullptr, target);
      co_await LingeringClose();
      co_return std::nullopt;
    }
    if (ec == http::error::header_limit) {
      co_await SendPlainError(431, "request header is too large");
      co_await LingeringClose();
      co_return std::nullopt;
    }
    if (ec) {
      if (ec != http::error::end_of_stream && ec != asio::error::eof && ec != asio::error::connection_reset &&
          ec != asio::error::operation_aborted) {
        co_await SendPlainError(400, "malformed HTTP request: " + ec.message());
        co_await LingeringClose();
      }
      co_return std::nullopt;
    }
    keep_alive_ = parser.get().keep_alive();
    head_request_ = parser.get().method() == http::verb::head;
    std::optional<HttpRequest> req(ToHttpRequest(parser.release()));
    req->remote_address = remote_;
    req->id = NewRequestId();
    co_return req;
  }

  awaitable<void> Loop() {
    const auto& opt = state_->options;
    // A new connection gets the header timeout to start its request (a silent one is closed);
    // between requests, the keep-alive timeout.
    bool first = true;
    for (;;) {
      int64_t wait_ms = first ? opt.header_timeout_ms : opt.keepalive_timeout_ms;
      if (refuse_) wait_ms = std::min(wait_ms, kRefusalReadMs);
      first = false;
      if (!co_await AwaitNextRequest(wait_ms)) co_return;
      // A new exchange: whatever the last one wrote, this one has answered nothing yet.
      started_ = false;
      head_request_ = false;
      on_gone_ = nullptr;
      std::optional<HttpRequest> read = co_await ReadRequest();
      if (!read) co_return;
      HttpRequest& req = *read;

      state_->active.fetch_add(1);
      // The read buffer's 4 KiB is not kept for the handler's whole run (a stream's life) when
      // nothing of a next request is in it.
      if (buffer_.size() == 0) buffer_.shrink_to_fit();
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
      // (A stream whose held head never went out was not answered: the connection ends.)
      if (gone_ || cut_off || !KeepAlive() || !held_head_.empty()) co_return;
    }
  }

  // While a handler runs, a wait on the socket notices a client that hangs up. Bytes of a
  // pipelined next request are kept in buffer_ for the next parse. A wait for readability, not a
  // read: no buffer is held for it while a long stream runs (bench/README.md, open streams).
  void StartWatch() {
    watching_ = true;
    socket_.async_wait(tcp::socket::wait_read,
                       [self = shared_from_this()](beast::error_code ec) { self->Watched(ec); });
  }

  void Watched(beast::error_code ec) {
    if (!ec) {
      socket_.non_blocking(true, ec);
      size_t n = ec ? 0 : socket_.read_some(buffer_.prepare(4096), ec);
      if (ec == asio::error::would_block || ec == asio::error::try_again) {  // not readable after all
        StartWatch();
        return;
      }
      if (!ec) {
        buffer_.commit(n);
      } else {
        MarkGone();  // the client closed (end of stream) or reset the connection
      }
    } else if (ec != asio::error::operation_aborted || !stopping_watch_) {
      MarkGone();
    }
    watching_ = false;
    watch_done_.Wake();
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
  bool refuse_;  // over the connection limit: the request head is read, answered 503, and closed
  std::string remote_;
  Deadline deadline_;  // the one timeout in force: keep-alive, request read, or write
  Waiter watch_done_;  // woken when the disconnect watch's read completes
  bool timed_out_ = false;
  bool reading_request_ = false;  // the deadline cancels the read rather than closing
  std::function<void()> on_gone_;
  bool keep_alive_ = true;
  bool started_ = false;
  std::string held_head_;      // a stream's head not written yet (BeginStream with `now` false)
  bool head_request_ = false;  // the answer is the head only (Content-Length of the body it would have)
  bool gone_ = false;
  bool idle_ = false;
  bool watching_ = false;
  bool stopping_watch_ = false;
  bool listed_idle_ = false;  // in the loop's idle list (LoopConnections), between these two
  Session* idle_older_ = nullptr;
  Session* idle_newer_ = nullptr;
};

namespace {

// Coroutine parameters live in the coroutine frame, so this owns the session for its life.
awaitable<void> RunSession(std::shared_ptr<Session> session) { co_await session->Run(); }

// Closes the longest-idle connection of the loop with the most idle ones (on that loop, soon).
// False when no connection is idle (or all idle ones are already being closed).
bool EvictIdle(const std::shared_ptr<HttpServer::State>& state) {
  int best = -1;
  int64_t most = 0;
  for (int i = 0; i < state->loops.size(); ++i) {
    const auto& c = *state->connections[static_cast<size_t>(i)];
    const int64_t available = c.idle_count.load(std::memory_order_relaxed) - c.evictions_pending.load();
    if (available > most) {
      most = available;
      best = i;
    }
  }
  if (best < 0) return false;
  state->connections[static_cast<size_t>(best)]->evictions_pending.fetch_add(1);
  asio::post(state->loops.at(best), [state, best] {
    auto& c = *state->connections[static_cast<size_t>(best)];
    c.evictions_pending.fetch_sub(1);
    if (!c.oldest) return;
    c.oldest->Evict();
    state->evicted.fetch_add(1, std::memory_order_relaxed);
  });
  return true;
}

// Out of descriptors (EMFILE, ENFILE) or kernel memory: retrying at once fails again, forever,
// at 100% CPU.
bool OutOfResources(const beast::error_code& ec) {
  return ec == asio::error::no_descriptors || ec.value() == ENFILE || ec == asio::error::no_buffer_space ||
         ec == asio::error::no_memory;
}

void LogAtLimit(HttpServer::State& state, const char* what) {
  const auto now = std::chrono::steady_clock::now();
  if (now - state.limit_logged < kLimitLogEvery) return;
  state.limit_logged = now;
  spdlog::warn("{}: at its connection limit ({} open, none idle): {}", state.options.name, state.open.load(), what);
}

awaitable<void> AcceptLoop(std::shared_ptr<HttpServer::State> state) {
  auto pause = kAcceptPauseMin;
  int64_t unlogged = 0;  // failures for want of resources since the last message
  auto logged = std::chrono::steady_clock::time_point{};
  for (;;) {
    int worker = state->next_loop;
    state->next_loop = (state->next_loop + 1) % state->loops.size();
    auto [ec, socket] = co_await state->acceptor->async_accept(state->loops.at(worker).get_executor(), kTuple);
    if (ec) {
      if (ec == asio::error::operation_aborted || !state->acceptor->is_open()) co_return;
      if (!OutOfResources(ec)) {
        // One connection's trouble (ECONNABORTED, …): the next accept is unaffected.
        spdlog::debug("{}: accept failed: {}", state->options.name, ec.message());
        continue;
      }
      // One message per burst (at most one per kLimitLogEvery while it lasts); the pending
      // connections wait in the listen backlog meanwhile.
      ++unlogged;
      const auto now = std::chrono::steady_clock::now();
      if (now - logged >= kLimitLogEvery) {
        spdlog::error(
            "{}: accept failed: {} ({} times since the last message); pausing accepts until descriptors "
            "are free (raise the file-descriptor limit, or lower the connection limit)",
            state->options.name, ec.message(), unlogged);
        logged = now;
        unlogged = 0;
      }
      EvictIdle(state);  // an idle connection's descriptor is better spent on a new one
      state->accept_pause.expires_after(pause);
      co_await state->accept_pause.async_wait(kTuple);
      pause = std::min(pause * 2, kAcceptPauseMax);
      continue;
    }
    pause = kAcceptPauseMin;
    bool refuse = false;
    if (state->open.load() >= state->options.max_connections && !EvictIdle(state)) {
      state->refused.fetch_add(1, std::memory_order_relaxed);
      if (state->refusing.load() >= kMaxRefusing) {
        LogAtLimit(*state, "closing new connections at accept");
        beast::error_code ignored;
        socket.close(ignored);
        continue;
      }
      LogAtLimit(*state, "answering new connections 503");
      refuse = true;
    }
    (refuse ? state->refusing : state->open).fetch_add(1);
    auto session = std::make_shared<Session>(std::move(socket), state, worker, refuse);
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
  state_->accept_pause.cancel();
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
    state->accept_pause.cancel();
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
int64_t HttpServer::open_connections() const { return state_->open.load(); }
int64_t HttpServer::evicted_connections() const { return state_->evicted.load(); }
int64_t HttpServer::refused_connections() const { return state_->refused.load(); }

}  // namespace turnpike::net
