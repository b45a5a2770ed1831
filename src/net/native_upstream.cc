// The native upstream client (net/upstream_backend.h): HTTP/1.1 over Asio sockets, with
// boost::asio::ssl for https and Beast's basic_parser for responses, so no per-request URL,
// header or timer set-up beyond what one exchange needs (docs/architecture.md §5.1).
//
// Shape: Start() spawns one coroutine per call, the driver, that takes a connection from the
// host's pool (or waits for one), connects if it is new, writes the request and reads the
// response into the call's unread buffer, stopping while that buffer is past kHighWater. The
// reader (ReadHead/ReadSome/ReadAll) only waits for the driver's progress, with the same
// deadlines as the libcurl client. A response read to its end returns its connection to the pool;
// anything else closes it.
//
// Longer than most files here because it is the only one that compiles Beast's parser (slow to
// compile: docs/architecture.md §10); what needs no Beast lives in upstream_client.cc.
#include <openssl/ssl.h>
#include <strings.h>
#include <sys/socket.h>

#include <cerrno>

#include <algorithm>
#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/basic_parser.hpp>
#include <boost/beast/http/error.hpp>
#include <deque>
#include <optional>
#include <unordered_map>
#include <vector>

#include "net/deadlines.h"
#include "net/upstream_backend.h"

namespace turnpike::net {

namespace {

namespace ssl = asio::ssl;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;
using asio::awaitable;
using boost::system::error_code;
using std::chrono::milliseconds;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

// Unread body bytes past which the driver stops reading until the reader catches up (as the
// libcurl client pauses its transfer).
constexpr size_t kHighWater = 256 << 10;
// Plain connections read into one buffer per client (a read and its parsing never yield in
// between); TLS ones need their own, since the TLS layer fills it inside the asynchronous read.
constexpr size_t kScratchBytes = 16 << 10;
constexpr size_t kTlsReadBytes = 4 << 10;
constexpr size_t kHeadReadBytes = 4 << 10;
constexpr uint32_t kMaxHeadBytes = 64 << 10;
constexpr auto kDnsTtl = std::chrono::seconds(10);
// A pooled connection idle longer than this is closed instead of reused (servers drop idle
// keep-alive connections after a minute or so; libcurl's limit is 118 s).
constexpr auto kMaxIdle = std::chrono::seconds(55);
// A pooled connection idle longer than this is checked for a close by the server before reuse.
constexpr auto kCheckAfterIdle = std::chrono::seconds(1);
// Idle connections kept per host; more are closed as they come back (libcurl keeps 1,024 in all).
constexpr size_t kMaxIdlePerHost = 1024;

class CallState;

// One connection to an origin. `tls` (https) wraps `socket`; `carry` holds bytes read but not yet
// parsed (a partial head or chunk-size line).
struct Conn {
  Conn(asio::io_context& loop, ssl::context* tls_context) : socket(loop) {
    if (tls_context) {
      tls.emplace(socket, *tls_context);
      tls_buffer = std::make_unique<char[]>(kTlsReadBytes);
    }
  }
  void Close() {
    error_code ec;
    socket.close(ec);  // pending operations complete with operation_aborted
  }

  tcp::socket socket;
  std::optional<ssl::stream<tcp::socket&>> tls;
  std::unique_ptr<char[]> tls_buffer;
  std::string carry;
  bool connected = false;
  SteadyTime idle_since{};
};

// Connections to one origin. `open` counts every connection that holds a slot (idle, in use,
// connecting, or promised to a queued call); calls wait in `queue` while it is at the limit.
struct HostPool {
  std::vector<std::shared_ptr<Conn>> idle;
  int64_t open = 0;
  std::deque<CallState*> queue;
};

struct DnsEntry {
  std::vector<tcp::endpoint> endpoints;
  SteadyTime expires{};
};

class NativeClient : public std::enable_shared_from_this<NativeClient> {
 public:
  NativeClient(asio::io_context& l, const config::UpstreamOptions& o)
      : loop(l), options(o), sweeper(DeadlineSweeper::For(l)), scratch(std::make_unique<char[]>(kScratchBytes)) {}
  ~NativeClient() {
    for (auto& [key, pool] : pools) {
      for (auto& c : pool.idle) c->Close();
    }
  }

  std::shared_ptr<Conn> NewConn(const UpstreamTarget& t) {
    return std::make_shared<Conn>(loop, t.tls ? &Tls() : nullptr);
  }

  // Made on the first https request: loading the system CAs takes tens of milliseconds.
  ssl::context& Tls() {
    if (!tls) {
      tls.emplace(ssl::context::tls_client);
      error_code ec;
      tls->set_default_verify_paths(ec);
      if (!options.extra_ca_file.empty()) tls->load_verify_file(options.extra_ca_file, ec);
      tls->set_verify_mode(ssl::verify_peer);
      // Idle connections give their TLS buffers back to OpenSSL.
      SSL_CTX_set_mode(tls->native_handle(), SSL_MODE_RELEASE_BUFFERS);
    }
    return *tls;
  }

  // A connection for `t` now: a pooled one or a new slot; null when the host is at its limit.
  std::shared_ptr<Conn> TryAcquire(HostPool& pool, const UpstreamTarget& t) {
    const auto now = std::chrono::steady_clock::now();
    while (!pool.idle.empty()) {
      auto c = std::move(pool.idle.back());
      pool.idle.pop_back();
      if (now - c->idle_since > kMaxIdle || (now - c->idle_since > kCheckAfterIdle && ClosedByPeer(*c))) {
        c->Close();
        --pool.open;
        continue;
      }
      return c;
    }
    if (pool.open < options.max_connections_per_host) {
      ++pool.open;
      return NewConn(t);
    }
    return nullptr;
  }

  // Whether a pooled connection turned readable while idle: the server closed it (or sent
  // something unasked). One non-blocking peek; a connection reused sooner skips it, and one closed
  // in between fails before any response byte and is retried (CallState::Run).
  static bool ClosedByPeer(Conn& c) {
    char byte;
    ssize_t n = ::recv(c.socket.native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    return n >= 0 || (errno != EAGAIN && errno != EWOULDBLOCK);
  }

  // Gives back a connection's slot: a reusable connection goes to the next queued call or the
  // pool; otherwise it is closed and the next queued call gets a new one in its slot.
  void Release(HostPool& pool, const UpstreamTarget& t, std::shared_ptr<Conn> c, bool reusable);

  awaitable<std::pair<error_code, std::vector<tcp::endpoint>>> Resolve(const UpstreamTarget& t,
                                                                       tcp::resolver*& in_flight);

  asio::io_context& loop;
  const config::UpstreamOptions options;
  DeadlineSweeper& sweeper;
  std::optional<ssl::context> tls;  // one for all https origins
  std::unique_ptr<char[]> scratch;
  std::unordered_map<std::string, HostPool> pools;
  std::unordered_map<std::string, DnsEntry> dns;
};

awaitable<std::pair<error_code, std::vector<tcp::endpoint>>> NativeClient::Resolve(const UpstreamTarget& t,
                                                                                   tcp::resolver*& in_flight) {
  const uint16_t port = static_cast<uint16_t>(std::stoi(t.port));
  error_code ec;
  auto address = asio::ip::make_address(t.host, ec);
  if (!ec) co_return std::pair{error_code{}, std::vector<tcp::endpoint>{tcp::endpoint(address, port)}};
  const std::string key = t.host + ':' + t.port;
  const auto now = std::chrono::steady_clock::now();
  if (auto it = dns.find(key); it != dns.end() && it->second.expires > now) {
    co_return std::pair{error_code{}, it->second.endpoints};
  }
  tcp::resolver resolver(loop);
  in_flight = &resolver;
  auto [rec, results] = co_await resolver.async_resolve(t.host, t.port, kTuple);
  in_flight = nullptr;
  std::vector<tcp::endpoint> endpoints;
  if (rec) co_return std::pair{rec, endpoints};
  for (const auto& r : results) endpoints.push_back(r.endpoint());
  dns[key] = DnsEntry{endpoints, std::chrono::steady_clock::now() + kDnsTtl};
  co_return std::pair{error_code{}, std::move(endpoints)};
}

// Beast's parser with the body going straight into the call's unread buffer.
class ResponseParser final : public http::basic_parser<false> {
 public:
  explicit ResponseParser(CallState& call) : call_(call) {
    header_limit(kMaxHeadBytes);
    body_limit(boost::none);  // ReadAll enforces max_response_bytes; streams have no limit
    eager(true);
  }

 private:
  void on_request_impl(http::verb, boost::beast::string_view, boost::beast::string_view, int, error_code&) override {}
  void on_response_impl(int code, boost::beast::string_view, int, error_code&) override;
  void on_field_impl(http::field, boost::beast::string_view name, boost::beast::string_view value,
                     error_code&) override;
  void on_header_impl(error_code&) override {}
  void on_body_init_impl(const boost::optional<std::uint64_t>&, error_code&) override {}
  size_t on_body_impl(boost::beast::string_view body, error_code&) override;
  void on_chunk_header_impl(std::uint64_t, boost::beast::string_view, error_code&) override {}
  size_t on_chunk_body_impl(std::uint64_t, boost::beast::string_view body, error_code&) override {
    return on_body_impl(body, ignored_);
  }
  void on_finish_impl(error_code&) override {}

  CallState& call_;
  error_code ignored_;
};

// One exchange. Owned by the driver coroutine and by the caller's handle (NativeCall), whose
// destruction cancels it.
class CallState final : public std::enable_shared_from_this<CallState>, private DeadlineEntry {
 public:
  CallState(std::shared_ptr<NativeClient> client, UpstreamRequest request, UpstreamTarget target)
      : DeadlineEntry(client->sweeper),
        client_(std::move(client)),
        request_(std::move(request)),
        target_(std::move(target)),
        wake_(client_->sweeper),
        resume_(client_->sweeper),
        started_at_(std::chrono::steady_clock::now()) {}

  // A call that fails at once (a URL the native client cannot serve).
  CallState(std::shared_ptr<NativeClient> client, Error error)
      : DeadlineEntry(client->sweeper), client_(std::move(client)), wake_(client_->sweeper), resume_(client_->sweeper) {
    done_ = true;
    error_ = std::move(error);
  }

  void Begin() {
    pool_ = &client_->pools[target_.pool_key];
    asio::co_spawn(client_->loop, Drive(shared_from_this()), asio::detached);
  }

  awaitable<Result<ResponseHead>> ReadHead() {
    auto deadline = started_at_ + milliseconds(client_->options.first_byte_timeout_ms);
    while (!head_done_ && !done_ && !cancelled_) {
      if (!co_await wake_.Wait(deadline) && !head_done_ && !done_ && !cancelled_) {
        Cancel();
        co_return MakeError(ErrorCode::kTimeout, "upstream sent no response within " +
                                                     std::to_string(client_->options.first_byte_timeout_ms) + " ms");
      }
    }
    if (cancelled_) co_return MakeError(ErrorCode::kConflict, "cancelled");
    if (!head_done_) co_return error_ ? *error_ : MakeError(ErrorCode::kUpstream, "upstream sent no response head");
    // Moved out: an open stream need not keep the head.
    co_return ResponseHead{status_, std::move(headers_)};
  }

  awaitable<Result<std::string>> ReadSome() {
    for (;;) {
      if (cancelled_) co_return MakeError(ErrorCode::kConflict, "cancelled");
      if (!unread_.empty()) {
        std::string out;
        out.swap(unread_);
        if (paused_) resume_.Wake();
        co_return out;
      }
      if (done_) {
        if (error_) co_return *error_;
        co_return std::string();
      }
      auto deadline = std::chrono::steady_clock::now() + milliseconds(client_->options.idle_timeout_ms);
      if (!co_await wake_.Wait(deadline) && unread_.empty() && !done_ && !cancelled_) {
        Cancel();
        co_return MakeError(ErrorCode::kTimeout,
                            "upstream went silent for " + std::to_string(client_->options.idle_timeout_ms) + " ms");
      }
    }
  }

  bool Ready() const { return cancelled_ || !unread_.empty() || done_; }

  awaitable<Result<std::string>> ReadAll() {
    std::string all;
    for (;;) {
      auto piece = co_await ReadSome();
      if (!piece.ok()) co_return piece.error();
      if (piece->empty()) co_return all;
      if (all.empty()) {
        all = std::move(*piece);  // most answers come in one piece
      } else {
        all += *piece;
      }
      if (static_cast<int64_t>(all.size()) > client_->options.max_response_bytes) {
        Cancel();
        co_return MakeError(ErrorCode::kTooLarge, "upstream response is larger than the configured limit");
      }
    }
  }

  // Closes the connection at once (the upstream sees the client leave); the driver, woken by
  // its aborted operation, gives the slot back.
  void Cancel() {
    if (cancelled_) return;
    cancelled_ = true;
    if (queued_) {
      auto& q = pool_->queue;
      q.erase(std::remove(q.begin(), q.end(), this), q.end());
      queued_ = false;
    }
    if (resolving_) resolving_->cancel();
    if (conn_) conn_->Close();
    resume_.Wake();
    wake_.Wake();
  }

  // --- for the parser ---
  void OnStatus(int code) {
    status_ = code;
    headers_.clear();
  }
  void OnField(std::string_view name, std::string_view value) {
    headers_.push_back({std::string(name), std::string(value)});
  }
  void OnBody(std::string_view body) { unread_.append(body); }

  // --- for the pool ---
  void Grant(std::shared_ptr<Conn> c) {
    queued_ = false;
    granted_ = std::move(c);
    resume_.Wake();
  }

 private:
  static awaitable<void> Drive(std::shared_ptr<CallState> self) { co_await self->Run(); }

  awaitable<void> Run();
  awaitable<std::shared_ptr<Conn>> Acquire();
  awaitable<Status> Connect();
  awaitable<error_code> Send();
  awaitable<error_code> Receive();
  error_code Feed(std::string_view in);
  void GiveBack(bool reusable);
  void Fail(Error e) {
    if (done_) return;
    done_ = true;
    error_ = std::move(e);
    wake_.Wake();
  }

  // The connect deadline (TCP + TLS).
  void Expired() override {
    timed_out_ = true;
    if (resolving_) resolving_->cancel();
    if (conn_) conn_->Close();
  }

  std::shared_ptr<NativeClient> client_;
  UpstreamRequest request_;  // kept until the head arrives, for a retry on a fresh connection
  UpstreamTarget target_;
  HostPool* pool_ = nullptr;
  Waiter wake_;    // the reader's: progress, end, failure
  Waiter resume_;  // the driver's: a connection granted, room in the unread buffer, a cancel
  SteadyTime started_at_{};
  std::shared_ptr<Conn> conn_;
  std::shared_ptr<Conn> granted_;
  tcp::resolver* resolving_ = nullptr;
  std::optional<ResponseParser> parser_;
  int status_ = 0;
  Headers headers_;
  std::string unread_;
  std::optional<Error> error_;
  bool queued_ = false;
  bool head_done_ = false;
  bool done_ = false;
  bool paused_ = false;
  bool cancelled_ = false;
  bool timed_out_ = false;
  bool got_bytes_ = false;  // some response byte arrived on the current connection
};

void ResponseParser::on_response_impl(int code, boost::beast::string_view, int, error_code&) { call_.OnStatus(code); }
void ResponseParser::on_field_impl(http::field, boost::beast::string_view name, boost::beast::string_view value,
                                   error_code&) {
  call_.OnField(std::string_view(name.data(), name.size()), std::string_view(value.data(), value.size()));
}
size_t ResponseParser::on_body_impl(boost::beast::string_view body, error_code&) {
  call_.OnBody(std::string_view(body.data(), body.size()));
  return body.size();
}

void NativeClient::Release(HostPool& pool, const UpstreamTarget& t, std::shared_ptr<Conn> c, bool reusable) {
  if (!reusable) {
    c->Close();
    c = nullptr;
  }
  if (!pool.queue.empty()) {
    CallState* next = pool.queue.front();
    pool.queue.pop_front();
    next->Grant(c ? std::move(c) : NewConn(t));
    return;
  }
  if (!c) {
    --pool.open;
    return;
  }
  const auto now = std::chrono::steady_clock::now();
  // Calls take the most recently used connection, so the oldest idle ones may never be asked for
  // again: close those past kMaxIdle (or past kMaxIdlePerHost) rather than keep them for a burst
  // that passed.
  while (!pool.idle.empty() &&
         (now - pool.idle.front()->idle_since > kMaxIdle || pool.idle.size() >= kMaxIdlePerHost)) {
    pool.idle.front()->Close();
    pool.idle.erase(pool.idle.begin());
    --pool.open;
  }
  c->idle_since = now;
  pool.idle.push_back(std::move(c));
}

awaitable<std::shared_ptr<Conn>> CallState::Acquire() {
  if (auto c = client_->TryAcquire(*pool_, target_)) co_return c;
  queued_ = true;
  pool_->queue.push_back(this);
  while (!granted_ && !cancelled_) co_await resume_.Wait();
  co_return std::move(granted_);
}

void CallState::GiveBack(bool reusable) {
  if (!conn_) return;
  client_->Release(*pool_, target_, std::move(conn_), reusable);
  conn_ = nullptr;
}

awaitable<void> CallState::Run() {
  conn_ = co_await Acquire();
  if (!conn_) co_return;  // cancelled while queued
  for (bool retried = false;;) {
    if (cancelled_) break;
    const bool reused = conn_->connected;
    if (!reused) {
      auto connected = co_await Connect();
      if (!connected.ok()) {
        Fail(connected.error());
        break;
      }
    }
    got_bytes_ = false;
    error_code ec = co_await Send();
    if (!ec) ec = co_await Receive();
    if (!ec) {
      done_ = true;
      wake_.Wake();
      GiveBack(parser_->keep_alive() && conn_->carry.empty() && !cancelled_);
      parser_.reset();
      co_return;
    }
    if (cancelled_) break;
    // A pooled connection the server closed while idle fails before any byte comes back: the
    // request was not processed, so it goes once more on a fresh connection in the same slot.
    if (reused && !got_bytes_ && !retried && !timed_out_) {
      retried = true;
      conn_->Close();
      conn_ = client_->NewConn(target_);
      continue;
    }
    if (head_done_) {
      Fail(MakeError(ErrorCode::kUpstream, "upstream connection broke mid-response: " + ec.message()));
    } else {
      Fail(MakeError(ErrorCode::kUpstream, "upstream request failed: " + ec.message()));
    }
    break;
  }
  GiveBack(false);
  if (cancelled_) wake_.Wake();
}

awaitable<Status> CallState::Connect() {
  ExpireAfter(milliseconds(client_->options.connect_timeout_ms));
  auto [ec, endpoints] = co_await client_->Resolve(target_, resolving_);
  Conn& c = *conn_;
  if (!ec && !timed_out_ && !cancelled_) {
    std::tie(ec, std::ignore) = co_await asio::async_connect(c.socket, endpoints, kTuple);
  }
  if (!ec && !timed_out_ && !cancelled_) {
    error_code ignored;
    c.socket.set_option(tcp::no_delay(true), ignored);
    c.socket.set_option(asio::socket_base::keep_alive(true), ignored);
    c.socket.non_blocking(true, ignored);
    if (c.tls) {
      // SNI for names only; the certificate must name the host (or hold its address).
      error_code is_address;
      asio::ip::make_address(target_.host, is_address);
      if (is_address) SSL_set_tlsext_host_name(c.tls->native_handle(), target_.host.c_str());
      c.tls->set_verify_callback(ssl::host_name_verification(target_.host));
      std::tie(ec) = co_await c.tls->async_handshake(ssl::stream_base::client, kTuple);
    }
  }
  Disarm();
  if (cancelled_) co_return MakeError(ErrorCode::kConflict, "cancelled");
  if (timed_out_) {
    co_return MakeError(ErrorCode::kTimeout, "upstream connect timed out after " +
                                                 std::to_string(client_->options.connect_timeout_ms) + " ms");
  }
  if (ec) co_return MakeError(ErrorCode::kUpstream, "upstream connect to " + target_.host + " failed: " + ec.message());
  c.connected = true;
  co_return OkStatus();
}

awaitable<error_code> CallState::Send() {
  const auto& r = request_;
  std::string head;
  head.reserve(128 + r.url.size() + r.headers.size() * 48);
  head.append(r.method).append(" ").append(target_.target).append(" HTTP/1.1\r\n");
  if (FindHeader(r.headers, "host").empty()) head.append("Host: ").append(target_.host_header).append("\r\n");
  for (const auto& h : r.headers) {
    if (strcasecmp(h.name.c_str(), "content-length") == 0 || strcasecmp(h.name.c_str(), "transfer-encoding") == 0) {
      continue;
    }
    head.append(h.name).append(": ").append(h.value).append("\r\n");
  }
  if (!r.body.empty() || (r.method != "GET" && r.method != "HEAD")) {
    head.append("Content-Length: ").append(std::to_string(r.body.size())).append("\r\n");
  }
  head.append("\r\n");
  std::array<asio::const_buffer, 2> buffers{asio::buffer(head), asio::buffer(r.body)};
  error_code ec;
  if (conn_->tls) {
    std::tie(ec, std::ignore) = co_await asio::async_write(*conn_->tls, buffers, kTuple);
  } else {
    std::tie(ec, std::ignore) = co_await asio::async_write(conn_->socket, buffers, kTuple);
  }
  co_return ec;
}

// Feeds `in` (after any carried bytes) to the parser; keeps what it could not take yet.
error_code CallState::Feed(std::string_view in) {
  std::string& carry = conn_->carry;
  if (!carry.empty()) {
    carry.append(in);
    in = carry;
  }
  error_code ec;
  while (!in.empty() && !parser_->is_done()) {
    size_t used = parser_->put(asio::buffer(in.data(), in.size()), ec);
    in.remove_prefix(used);
    if (ec == http::error::need_more) {
      ec = {};
      break;
    }
    if (ec) return ec;
  }
  if (in.empty()) {
    carry.clear();
  } else if (in.data() >= carry.data() && in.data() < carry.data() + carry.size()) {
    carry.erase(0, static_cast<size_t>(in.data() - carry.data()));
  } else {
    carry.assign(in);
  }
  if (!head_done_ && parser_->is_header_done() && status_ >= 200) {
    head_done_ = true;
    request_ = {};  // no retry once a response came back
    wake_.Wake();
  }
  if (!unread_.empty()) wake_.Wake();
  return {};
}

awaitable<error_code> CallState::Receive() {
  parser_.emplace(*this);
  if (request_.method == "HEAD") parser_->skip(true);
  Conn& c = *conn_;
  // Plain connections read the head into a buffer of this exchange: a read of the reactor (for a
  // socket drained by the read before, no syscall until data comes) rather than a readiness wait,
  // which costs an epoll_ctl each time. Once the head is in and the body goes on (a stream), the
  // buffer goes and reads wait for readiness into the loop's scratch buffer, so a stream waiting
  // for its next event holds no buffer.
  std::unique_ptr<char[]> head_buffer;
  for (;;) {
    if (parser_->is_done()) {
      if (status_ >= 200) co_return error_code{};
      // An interim 1xx response: the real one follows, maybe already carried.
      parser_.emplace(*this);
      if (auto ec = Feed({})) co_return ec;
      continue;
    }
    if (unread_.size() >= kHighWater) {
      paused_ = true;
      co_await resume_.Wait();
      paused_ = false;
      if (cancelled_) co_return asio::error::operation_aborted;
      continue;
    }
    error_code ec;
    size_t n = 0;
    const char* data = nullptr;
    if (c.tls) {
      data = c.tls_buffer.get();
      std::tie(ec, n) = co_await c.tls->async_read_some(asio::buffer(c.tls_buffer.get(), kTlsReadBytes), kTuple);
      if (ec == ssl::error::stream_truncated) ec = asio::error::eof;  // no close_notify: common, and harmless
    } else if (!head_done_) {
      if (!head_buffer) head_buffer = std::make_unique<char[]>(kHeadReadBytes);
      data = head_buffer.get();
      std::tie(ec, n) = co_await c.socket.async_read_some(asio::buffer(head_buffer.get(), kHeadReadBytes), kTuple);
    } else {
      head_buffer.reset();
      std::tie(ec) = co_await c.socket.async_wait(tcp::socket::wait_read, kTuple);
      if (!ec) {
        data = client_->scratch.get();
        n = c.socket.read_some(asio::buffer(client_->scratch.get(), kScratchBytes), ec);
        if (ec == asio::error::would_block || ec == asio::error::try_again) continue;
      }
    }
    if (cancelled_ || timed_out_) co_return asio::error::operation_aborted;
    if (ec == asio::error::eof) {
      if (!got_bytes_) co_return ec;
      parser_->put_eof(ec);
      if (ec) co_return ec;  // the body was cut short
      continue;
    }
    if (ec) co_return ec;
    got_bytes_ = true;
    // Parsing runs before the next suspension, so the scratch buffer is still ours.
    if (auto perr = Feed(std::string_view(data, n))) co_return perr;
  }
}

class NativeCall final : public UpstreamCall {
 public:
  explicit NativeCall(std::shared_ptr<CallState> state) : state_(std::move(state)) {}
  ~NativeCall() override { state_->Cancel(); }

  awaitable<Result<ResponseHead>> ReadHead() override { return state_->ReadHead(); }
  awaitable<Result<std::string>> ReadSome() override { return state_->ReadSome(); }
  bool Ready() const override { return state_->Ready(); }
  awaitable<Result<std::string>> ReadAll() override { return state_->ReadAll(); }
  void Cancel() override { state_->Cancel(); }

 private:
  std::shared_ptr<CallState> state_;
};

class NativeUpstream final : public UpstreamBackend {
 public:
  NativeUpstream(asio::io_context& loop, const config::UpstreamOptions& options)
      : client_(std::make_shared<NativeClient>(loop, options)) {}

  std::shared_ptr<UpstreamCall> Start(UpstreamRequest request) override {
    auto target = ParseUpstreamUrl(request.url);
    if (!target.ok()) {
      return std::make_shared<NativeCall>(std::make_shared<CallState>(
          client_, MakeError(ErrorCode::kUpstream, "bad upstream URL: " + target.error().message)));
    }
    auto state = std::make_shared<CallState>(client_, std::move(request), std::move(*target));
    state->Begin();
    return std::make_shared<NativeCall>(std::move(state));
  }

 private:
  std::shared_ptr<NativeClient> client_;
};

}  // namespace

std::unique_ptr<UpstreamBackend> MakeNativeUpstream(asio::io_context& loop, const config::UpstreamOptions& options) {
  return std::make_unique<NativeUpstream>(loop, options);
}

}  // namespace turnpike::net
