#include "net/http_server.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <atomic>
#include <chrono>
#include <set>
#include <string>
#include <thread>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "net/deadlines.h"

namespace turnpike::net {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// A blocking loopback client made of plain sockets, so no test can hang: every read has a limit.
class Client {
 public:
  explicit Client(int port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  }
  ~Client() { Close(); }
  bool connected() const { return connected_; }
  void Close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }
  void Send(const std::string& text) {
    ASSERT_EQ(::send(fd_, text.data(), text.size(), MSG_NOSIGNAL), (ssize_t)text.size());
  }
  // Reads whatever arrives within `limit`; stops at EOF (closed() is then true) or once `until`
  // has been read.
  std::string Read(std::chrono::milliseconds limit, const std::string& until = "") {
    std::string out;
    auto end = Clock::now() + limit;
    while (Clock::now() < end) {
      pollfd p{fd_, POLLIN, 0};
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(end - Clock::now()).count();
      if (::poll(&p, 1, static_cast<int>(std::max<int64_t>(left, 1))) <= 0) continue;
      char buf[4096];
      ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) {
        closed_ = true;
        break;
      }
      if (out.empty()) first_byte_ = Clock::now();
      out.append(buf, static_cast<size_t>(n));
      if (!until.empty() && out.find(until) != std::string::npos) break;
    }
    return out;
  }
  bool closed() const { return closed_; }
  Clock::time_point first_byte() const { return first_byte_; }

 private:
  int fd_ = -1;
  bool connected_ = false;
  bool closed_ = false;
  Clock::time_point first_byte_{};
};

class HttpServerTest : public ::testing::Test {
 protected:
  void Start(ServerOptions options, Handler handler) {
    server_ = std::make_unique<HttpServer>(loops_, std::move(options), std::move(handler));
    auto port = server_->Listen("127.0.0.1", 0);
    ASSERT_TRUE(port.ok());
    port_ = *port;
    runner_ = std::thread([this] { loops_.Run(); });
  }
  void TearDown() override {
    loops_.Stop();
    if (runner_.joinable()) runner_.join();
    server_.reset();
    loops_.Drain();
  }

  static Handler Ok() {
    return [](int, const HttpRequest&, ResponseWriter& w) -> asio::awaitable<void> {
      Headers headers{{"Content-Type", "text/plain"}};  // a local: GCC rejects the braced list in co_await
      co_await w.Send(200, std::move(headers), "ok");
    };
  }

  EventLoops loops_{1};
  std::unique_ptr<HttpServer> server_;
  std::thread runner_;
  int port_ = 0;
};

constexpr auto kSlack = kSweepTick + 400ms;  // a tick late at most, plus a loaded machine's delays

TEST_F(HttpServerTest, AClientThatStallsMidRequestGets408AfterTheReadTimeout) {
  ServerOptions options;
  options.read_timeout_ms = 300;
  Start(options, Ok());
  Client c(port_);
  ASSERT_TRUE(c.connected());
  auto start = Clock::now();
  c.Send("POST /x HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\nabc");
  std::string answer = c.Read(5s);
  EXPECT_TRUE(answer.starts_with("HTTP/1.1 408")) << answer;
  EXPECT_GE(c.first_byte() - start, 300ms);
  EXPECT_LT(c.first_byte() - start, 300ms + kSlack);
  EXPECT_TRUE(c.closed());
}

TEST_F(HttpServerTest, KeepAliveServesSeveralRequestsThenClosesAnIdleConnection) {
  ServerOptions options;
  options.keepalive_timeout_ms = 300;
  Start(options, Ok());
  Client c(port_);
  ASSERT_TRUE(c.connected());
  for (int i = 0; i < 3; ++i) {
    c.Send("GET /x HTTP/1.1\r\nHost: t\r\n\r\n");
    std::string answer = c.Read(5s, "ok");
    EXPECT_TRUE(answer.starts_with("HTTP/1.1 200")) << i << answer;
  }
  auto idle_since = Clock::now();
  EXPECT_EQ(c.Read(5s), "");
  EXPECT_TRUE(c.closed());
  EXPECT_GE(Clock::now() - idle_since, 300ms);
  EXPECT_LT(Clock::now() - idle_since, 300ms + kSlack);
}

TEST_F(HttpServerTest, AClientThatHangsUpWhileTheHandlerWaitsIsNoticed) {
  std::atomic<bool> gone{false};
  std::atomic<bool> handler_done{false};
  Start({}, [&](int worker, const HttpRequest&, ResponseWriter& w) -> asio::awaitable<void> {
    Waiter waiter(DeadlineSweeper::For(loops_.at(worker)));
    w.OnClientGone([&] {
      gone = true;
      waiter.Wake();
    });
    co_await waiter.Wait(Clock::now() + 10s);
    handler_done = true;
  });
  Client c(port_);
  ASSERT_TRUE(c.connected());
  c.Send("GET /x HTTP/1.1\r\nHost: t\r\n\r\n");
  std::this_thread::sleep_for(100ms);
  c.Close();
  // The handler's flag is set just before its coroutine ends and the request is counted out, on
  // the loop's thread: wait for both.
  auto end = Clock::now() + 3s;
  while ((!handler_done || server_->active_requests() != 0) && Clock::now() < end) {
    std::this_thread::sleep_for(10ms);
  }
  EXPECT_TRUE(gone);
  EXPECT_TRUE(handler_done);
  EXPECT_EQ(server_->active_requests(), 0);
}

TEST_F(HttpServerTest, ShutdownClosesIdleConnections) {
  Start({}, Ok());
  Client c(port_);
  ASSERT_TRUE(c.connected());
  c.Send("GET /x HTTP/1.1\r\nHost: t\r\n\r\n");
  ASSERT_TRUE(c.Read(5s, "ok").starts_with("HTTP/1.1 200"));
  server_->BeginShutdown();
  auto start = Clock::now();
  EXPECT_EQ(c.Read(5s), "");
  EXPECT_TRUE(c.closed());
  EXPECT_LT(Clock::now() - start, 1s);
}

// A stream's head held back (BeginStream with `now` false) goes out with the first chunk, not
// before; an empty Write sends a held head alone; EndStream writes its last bytes and the end
// together. The connection stays usable for the next request.
TEST_F(HttpServerTest, AHeldStreamHeadGoesOutWithTheFirstChunk) {
  Start(ServerOptions{}, [](int, const HttpRequest& r, ResponseWriter& w) -> asio::awaitable<void> {
    Headers headers{{"Content-Type", "text/event-stream"}};
    co_await w.BeginStream(200, std::move(headers), false);
    asio::steady_timer pause(co_await asio::this_coro::executor, 300ms);
    co_await pause.async_wait(asio::use_awaitable);
    if (r.path == "/flush") {
      co_await w.Write("");
      pause.expires_after(300ms);
      co_await pause.async_wait(asio::use_awaitable);
    }
    co_await w.Write("data: one\n\n");
    co_await w.EndStream("data: two\n\n");
  });
  Client c(port_);
  const auto start = Clock::now();
  c.Send("GET /held HTTP/1.1\r\nHost: t\r\n\r\n");
  std::string answer = c.Read(5s, "0\r\n\r\n");
  EXPECT_GE(c.first_byte() - start, 250ms) << "nothing before the first chunk";
  EXPECT_TRUE(answer.starts_with("HTTP/1.1 200")) << answer;
  EXPECT_NE(answer.find("Transfer-Encoding: chunked\r\n"), std::string::npos) << answer;
  EXPECT_TRUE(answer.ends_with("\r\n\r\nb\r\ndata: one\n\n\r\nb\r\ndata: two\n\n\r\n0\r\n\r\n")) << answer;

  c.Send("GET /flush HTTP/1.1\r\nHost: t\r\n\r\n");  // the same connection
  std::string head = c.Read(5s, "\r\n\r\n");
  EXPECT_TRUE(head.starts_with("HTTP/1.1 200")) << head;
  EXPECT_EQ(head.find("data:"), std::string::npos) << "the head alone first: " << head;
  std::string rest = head + c.Read(5s, "0\r\n\r\n");
  EXPECT_TRUE(rest.ends_with("data: two\n\n\r\n0\r\n\r\n")) << rest;
}

// A handler that throws: before any byte it is a 500; after a stream began, the connection closes (a cut-off chunked
// body must not be followed by another response on it).
TEST_F(HttpServerTest, AHandlerThatThrowsGets500OrClosesTheConnectionItLeftHalfAnswered) {
  Start(ServerOptions{}, [](int, const HttpRequest& r, ResponseWriter& w) -> asio::awaitable<void> {
    if (r.path == "/midway") {
      Headers headers{{"Content-Type", "text/event-stream"}};
      co_await w.BeginStream(200, std::move(headers), true);
      co_await w.Write("data: one\n\n");
    }
    if (r.path != "/fine") throw std::runtime_error("a bug");
    Headers headers{{"Content-Type", "text/plain"}};
    co_await w.Send(200, std::move(headers), "ok");
  });
  Client before(port_);
  before.Send("GET /early HTTP/1.1\r\nHost: t\r\n\r\n");
  EXPECT_TRUE(before.Read(5s, "\r\n\r\n").starts_with("HTTP/1.1 500")) << "nothing sent yet: a 500";

  Client midway(port_);
  midway.Send("GET /midway HTTP/1.1\r\nHost: t\r\n\r\n");
  std::string answer = midway.Read(5s);
  EXPECT_TRUE(answer.starts_with("HTTP/1.1 200")) << answer;
  EXPECT_NE(answer.find("data: one"), std::string::npos);
  EXPECT_EQ(answer.find("0\r\n\r\n"), std::string::npos) << "no end of stream was made up";
  EXPECT_TRUE(midway.closed()) << "the half-answered connection is closed";
}

TEST(NewRequestId, OpenRoutersShapeNeverRepeatedAndInTimeOrder) {
  std::set<std::string> seen;
  std::string previous;
  const auto before =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  for (int i = 0; i < 1000; ++i) {  // several draws of the per-thread pool
    std::string id = NewRequestId();
    // gen-1780944361-X5HAtL0Z2NQp8nHAiT6F, as OpenRouter's own answers carry them
    ASSERT_EQ(id.size(), 4u + 10 + 1 + 20) << id;
    EXPECT_TRUE(id.starts_with("gen-")) << id;
    EXPECT_GE(std::stoll(id.substr(4, 10)), before) << id;
    EXPECT_EQ(id[14], '-') << id;
    EXPECT_EQ(id.find_first_not_of("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", 15),
              std::string::npos)
        << id;
    EXPECT_TRUE(seen.insert(id).second) << id;
    // Later ids sort after earlier ones (same microsecond: the random tail decides).
    EXPECT_LE(previous.substr(0, 19), id.substr(0, 19)) << previous << " then " << id;
    previous = id;
  }
}

}  // namespace
}  // namespace turnpike::net
