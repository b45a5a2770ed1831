// The upstream client against fake upstreams on 127.0.0.1, run for both implementations
// ("native" and "curl": the same contract, net/upstream_client.h), plus the native client's URL
// parsing and the proxy rule that picks libcurl under upstream.client = "auto".
#include "net/upstream_client.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <unistd.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <filesystem>
#include <fstream>
#include <map>

#include "net/upstream_backend.h"

namespace turnpike::net {
namespace {

namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using asio::awaitable;
using boost::system::error_code;
using std::chrono::milliseconds;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

awaitable<void> Sleep(milliseconds d) {
  asio::steady_timer t(co_await asio::this_coro::executor, d);
  co_await t.async_wait(kTuple);
}

// A connection the fake upstream accepted.
struct Peer {
  explicit Peer(tcp::socket s) : sock(std::move(s)) {}

  awaitable<std::tuple<error_code, size_t>> ReadSome(char* data, size_t size) {
    if (tls) co_return co_await tls->async_read_some(asio::buffer(data, size), kTuple);
    co_return co_await sock.async_read_some(asio::buffer(data, size), kTuple);
  }

  awaitable<bool> Write(std::string data) {
    error_code ec;
    if (tls) {
      std::tie(ec, std::ignore) = co_await asio::async_write(*tls, asio::buffer(data), kTuple);
    } else {
      std::tie(ec, std::ignore) = co_await asio::async_write(sock, asio::buffer(data), kTuple);
    }
    co_return !ec;
  }

  // One request, head and Content-Length body; "" at end of stream.
  awaitable<std::string> ReadRequest() {
    char chunk[4096];
    size_t head_end;
    while ((head_end = buffered.find("\r\n\r\n")) == std::string::npos) {
      auto [ec, n] = co_await ReadSome(chunk, sizeof chunk);
      if (ec) co_return "";
      buffered.append(chunk, n);
    }
    head_end += 4;
    size_t length = 0;
    std::string lower = buffered.substr(0, head_end);
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (auto at = lower.find("\r\ncontent-length:"); at != std::string::npos) {
      length = std::stoul(lower.substr(at + 17));
    }
    while (buffered.size() < head_end + length) {
      auto [ec, n] = co_await ReadSome(chunk, sizeof chunk);
      if (ec) co_return "";
      buffered.append(chunk, n);
    }
    std::string request = buffered.substr(0, head_end + length);
    buffered.erase(0, head_end + length);
    co_return request;
  }

  // Waits until the client closes its end (true) or `limit` passes (false).
  awaitable<bool> WaitForClose(milliseconds limit) {
    const auto until = std::chrono::steady_clock::now() + limit;
    char chunk[4096];
    auto timer = std::make_shared<asio::steady_timer>(sock.get_executor(), limit);
    timer->async_wait([this, timer](error_code ec) {
      if (!ec) sock.cancel(ec);
    });
    for (;;) {
      auto [ec, n] = co_await sock.async_read_some(asio::buffer(chunk), kTuple);
      if (ec) {
        timer->cancel();
        co_return ec != asio::error::operation_aborted || std::chrono::steady_clock::now() < until;
      }
    }
  }

  tcp::socket sock;
  std::optional<ssl::stream<tcp::socket&>> tls;
  std::string buffered;
};

// A scripted upstream on 127.0.0.1: `handler` runs for each accepted connection with its index.
class FakeUpstream {
 public:
  using Handler = std::function<awaitable<void>(Peer&, int)>;

  FakeUpstream(asio::io_context& loop, Handler handler, ssl::context* tls = nullptr)
      : acceptor_(loop, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)),
        handler_(std::move(handler)),
        tls_(tls),
        port_(acceptor_.local_endpoint().port()) {
    asio::co_spawn(loop, Accept(), asio::detached);
  }
  ~FakeUpstream() {
    error_code ec;
    acceptor_.close(ec);
  }

  std::string Url(const std::string& path = "/") const {
    return std::string(tls_ ? "https" : "http") + "://127.0.0.1:" + std::to_string(port_) + path;
  }
  int port() const { return port_; }

  int accepts = 0;
  int open = 0;
  int max_open = 0;
  std::vector<std::string> requests;

 private:
  awaitable<void> Accept() {
    for (;;) {
      auto [ec, socket] = co_await acceptor_.async_accept(kTuple);
      if (ec) co_return;
      auto peer = std::make_shared<Peer>(std::move(socket));
      asio::co_spawn(acceptor_.get_executor(), Serve(peer, accepts++), asio::detached);
    }
  }

  awaitable<void> Serve(std::shared_ptr<Peer> peer, int index) {
    max_open = std::max(max_open, ++open);
    bool ready = true;
    if (tls_) {
      peer->tls.emplace(peer->sock, *tls_);
      auto [ec] = co_await peer->tls->async_handshake(ssl::stream_base::server, kTuple);
      ready = !ec;
    }
    if (ready) co_await handler_(*peer, index);
    --open;
    error_code ec;
    peer->sock.close(ec);
  }

  tcp::acceptor acceptor_;
  Handler handler_;
  ssl::context* tls_;
  int port_;
};

std::string Ok(const std::string& body, const std::string& extra = "") {
  return "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(body.size()) + "\r\n" + extra + "\r\n" + body;
}

// Answers every request on the connection with `body`, keeping it open.
FakeUpstream::Handler Echo(FakeUpstream*& self, std::string body) {
  return [&self, body](Peer& peer, int) -> awaitable<void> {
    for (;;) {
      std::string request = co_await peer.ReadRequest();
      if (request.empty()) co_return;
      self->requests.push_back(request);
      if (!co_await peer.Write(Ok(body))) co_return;
    }
  };
}

// A self-signed certificate (its own CA) for `san`, e.g. "IP:127.0.0.1"; PEM.
struct TestCert {
  std::string cert;
  std::string key;
};

TestCert MakeCert(const char* san) {
  EVP_PKEY* key = EVP_EC_gen("P-256");
  X509* x = X509_new();
  X509_set_version(x, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
  X509_gmtime_adj(X509_getm_notBefore(x), -3600);
  X509_gmtime_adj(X509_getm_notAfter(x), 86400);
  X509_set_pubkey(x, key);
  X509_NAME* name = X509_get_subject_name(x);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("turnpike test"), -1, -1,
                             0);
  X509_set_issuer_name(x, name);
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, x, x, nullptr, nullptr, 0);
  for (auto [nid, value] :
       {std::pair{NID_subject_alt_name, san}, std::pair{NID_basic_constraints, "critical,CA:TRUE"}}) {
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
    X509_add_ext(x, ext, -1);
    X509_EXTENSION_free(ext);
  }
  X509_sign(x, key, EVP_sha256());
  auto pem = [](auto write) {
    BIO* bio = BIO_new(BIO_s_mem());
    write(bio);
    char* data = nullptr;
    long n = BIO_get_mem_data(bio, &data);
    std::string out(data, static_cast<size_t>(n));
    BIO_free(bio);
    return out;
  };
  TestCert c{pem([&](BIO* b) { PEM_write_bio_X509(b, x); }),
             pem([&](BIO* b) { PEM_write_bio_PrivateKey(b, key, nullptr, nullptr, 0, nullptr, nullptr); })};
  X509_free(x);
  EVP_PKEY_free(key);
  return c;
}

class UpstreamClientTest : public ::testing::TestWithParam<std::string> {
 protected:
  UpstreamClientTest() {
    options.client = GetParam();
    options.connect_timeout_ms = 2000;
    options.first_byte_timeout_ms = 5000;
    options.idle_timeout_ms = 5000;
  }

  std::unique_ptr<UpstreamClient> Client() { return std::make_unique<UpstreamClient>(loop, options); }

  // Runs `body` on the loop until it finishes (or 30 s pass).
  void Run(std::function<awaitable<void>()> body) {
    bool finished = false;
    asio::co_spawn(
        loop,
        [&]() -> awaitable<void> {
          co_await body();
          finished = true;
          loop.stop();
        },
        [](std::exception_ptr e) {
          if (e) std::rethrow_exception(e);
        });
    loop.run_for(std::chrono::seconds(30));
    EXPECT_TRUE(finished) << "the test did not finish";
  }

  static UpstreamRequest Get(const std::string& url) {
    UpstreamRequest r;
    r.url = url;
    r.method = "GET";
    return r;
  }

  // A whole exchange: the head's status and the body, or the error's code.
  static awaitable<std::pair<int, std::string>> Fetch(UpstreamClient& client, UpstreamRequest request) {
    auto call = client.Start(std::move(request));
    auto head = co_await call->ReadHead();
    if (!head.ok()) co_return std::pair{-static_cast<int>(head.error().code), head.error().message};
    auto body = co_await call->ReadAll();
    if (!body.ok()) co_return std::pair{-static_cast<int>(body.error().code), body.error().message};
    co_return std::pair{head->status, *body};
  }

  asio::io_context loop;
  config::UpstreamOptions options;
};

constexpr int Code(ErrorCode c) { return -static_cast<int>(c); }

TEST_P(UpstreamClientTest, SendsTheRequestAsGivenAndReadsTheAnswer) {
  FakeUpstream* fake = nullptr;
  FakeUpstream server(loop, [&](Peer& peer, int) -> awaitable<void> {
    fake->requests.push_back(co_await peer.ReadRequest());
    co_await peer.Write("HTTP/1.1 201 Created\r\nX-Test: yes\r\nContent-Length: 5\r\n\r\nhello");
    co_await peer.ReadRequest();
  });
  fake = &server;
  auto client = Client();
  Run([&]() -> awaitable<void> {
    UpstreamRequest r;
    r.url = server.Url("/v1/chat/completions?x=1&y=2");
    r.headers = {{"Content-Type", "application/json"}, {"Authorization", "Bearer sk-test"}};
    r.body = R"({"model":"m"})";
    auto call = client->Start(r);
    auto head = co_await call->ReadHead();
    EXPECT_TRUE(head.ok()) << head.error().message;
    if (!head.ok()) co_return;
    EXPECT_EQ(head->status, 201);
    EXPECT_EQ(FindHeader(head->headers, "x-test"), "yes");
    auto body = co_await call->ReadAll();
    EXPECT_TRUE(body.ok());
    if (body.ok()) {
      EXPECT_EQ(*body, "hello");
    }
  });
  ASSERT_EQ(server.requests.size(), 1u);
  const std::string& req = server.requests[0];
  EXPECT_TRUE(req.starts_with("POST /v1/chat/completions?x=1&y=2 HTTP/1.1\r\n")) << req;
  EXPECT_NE(req.find("\r\nHost: 127.0.0.1:" + std::to_string(server.port()) + "\r\n"), std::string::npos) << req;
  EXPECT_NE(req.find("\r\nContent-Type: application/json\r\n"), std::string::npos) << req;
  EXPECT_NE(req.find("\r\nAuthorization: Bearer sk-test\r\n"), std::string::npos) << req;
  EXPECT_NE(req.find("\r\nContent-Length: 13\r\n"), std::string::npos) << req;
  EXPECT_EQ(req.find("Accept-Encoding"), std::string::npos) << req;
  EXPECT_EQ(req.find("Expect:"), std::string::npos) << req;
  EXPECT_TRUE(req.ends_with("\r\n\r\n{\"model\":\"m\"}")) << req;
}

TEST_P(UpstreamClientTest, GetHasNoBody) {
  FakeUpstream* fake = nullptr;
  FakeUpstream server(loop, Echo(fake, "{}"));
  fake = &server;
  auto client = Client();
  Run([&]() -> awaitable<void> {
    auto [status, body] = co_await Fetch(*client, Get(server.Url()));
    EXPECT_EQ(status, 200) << body;
    EXPECT_EQ(body, "{}");
  });
  ASSERT_EQ(server.requests.size(), 1u);
  EXPECT_TRUE(server.requests[0].starts_with("GET / HTTP/1.1\r\n")) << server.requests[0];
  EXPECT_EQ(server.requests[0].find("Content-Length"), std::string::npos) << server.requests[0];
}

TEST_P(UpstreamClientTest, InterimResponsesAreSkipped) {
  FakeUpstream server(loop, [&](Peer& peer, int) -> awaitable<void> {
    co_await peer.ReadRequest();
    co_await peer.Write("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n");
    co_await Sleep(milliseconds(20));
    co_await peer.Write("HTTP/1.1 200 OK\r\nX-Final: 1\r\nContent-Length: 2\r\n\r\nok");
    co_await peer.ReadRequest();
  });
  auto client = Client();
  Run([&]() -> awaitable<void> {
    auto call = client->Start(Get(server.Url()));
    auto head = co_await call->ReadHead();
    EXPECT_TRUE(head.ok());
    if (!head.ok()) co_return;
    EXPECT_EQ(head->status, 200);
    EXPECT_EQ(FindHeader(head->headers, "x-final"), "1");
    EXPECT_EQ(FindHeader(head->headers, "link"), "");
    auto body = co_await call->ReadAll();
    EXPECT_TRUE(body.ok() && *body == "ok");
  });
}

TEST_P(UpstreamClientTest, HeadHasNoBodyAndKeepsTheConnection) {
  FakeUpstream* fake = nullptr;
  FakeUpstream server(loop, [&](Peer& peer, int) -> awaitable<void> {
    for (;;) {
      std::string request = co_await peer.ReadRequest();
      if (request.empty()) co_return;
      fake->requests.push_back(request);
      // Not a conditional inside co_await: GCC 12 destroys its temporary twice.
      std::string answer = Ok("0123456789");
      if (request.starts_with("HEAD")) answer = "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n";
      co_await peer.Write(answer);
    }
  });
  fake = &server;
  auto client = Client();
  Run([&]() -> awaitable<void> {
    auto head_request = Get(server.Url());
    head_request.method = "HEAD";
    auto [status, body] = co_await Fetch(*client, head_request);
    EXPECT_EQ(status, 200) << body;
    EXPECT_EQ(body, "");
    std::tie(status, body) = co_await Fetch(*client, Get(server.Url()));
    EXPECT_EQ(status, 200) << body;
    EXPECT_EQ(body, "0123456789");
  });
  EXPECT_EQ(server.accepts, 1);
  EXPECT_EQ(server.requests.size(), 2u);
}

TEST_P(UpstreamClientTest, ChunkedBodyInAwkwardPieces) {
  FakeUpstream server(loop, [&](Peer& peer, int) -> awaitable<void> {
    co_await peer.ReadRequest();
    for (std::string piece : {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chu", "nked\r\n\r\n5\r", "\nhello\r\n",
                              "6\r\n wor", "ld\r\n0\r", "\n\r\n"}) {
      co_await peer.Write(piece);
      co_await Sleep(milliseconds(20));
    }
    co_await peer.ReadRequest();
  });
  auto client = Client();
  Run([&]() -> awaitable<void> {
    auto [status, body] = co_await Fetch(*client, Get(server.Url()));
    EXPECT_EQ(status, 200) << body;
    EXPECT_EQ(body, "hello world");
  });
}

TEST_P(UpstreamClientTest, BodyDelimitedByClose) {
  FakeUpstream server(loop, [&](Peer& peer, int) -> awaitable<void> {
    co_await peer.ReadRequest();
    co_await peer.Write("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nabc");
    co_await Sleep(milliseconds(30));
    co_await peer.Write("def");
  });
  auto client = Client();
  Run([&]() -> awaitable<void> {
    auto [status, body] = co_await Fetch(*client, Get(server.Url()));
    EXPECT_EQ(status, 200) << body;
    EXPECT_EQ(body, "abcdef");
  });
}

TEST_P(UpstreamClientTest, CutBodyIsAnUpstreamError) {
  FakeUpstream server(loop, [&](Peer& peer, int) -> awaitable<void> {
    co_await peer.ReadRequest();
    co_await peer.Write("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789");
  });
  auto client = Client();
  Run([&]() -> awaitable<void> {
    auto [status, body] = co_await Fetch(*client, Get(server.Url()));
    EXPECT_EQ(status, Code(ErrorCode::kUpstream)) << body;
  });
}

TEST_P(UpstreamClientTest, StreamedBodyArrivesPieceByPiece) {
  bool client_saw_first = false;
  FakeUpstream server(loop, [&](Peer& peer, int) -> awaitable<void> {
    co_await peer.ReadRequest();
    co_await peer.Write(
        "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n"
        "b\r\ndata: one\n\n\r\n");
    for (int i = 0; i < 200 && !client_saw_first; ++i) co_await Sleep(milliseconds(10));
    co_await peer.Write("b\r\ndata: two\n\n\r\n0\r\n\r\n");
    co_await peer.ReadRequest();
  });
  auto client = Client();
  Run([&]() -> awaitable<void> {
    auto call = client->Start(Get(server.Url()));
    auto head = co_await call->ReadHead();
    EXPECT_TRUE(head.ok());
    auto first = co_await call->ReadSome();
    EXPECT_TRUE(first.ok());
    if (first.ok()) {
      EXPECT_EQ(*first, "data: one\n\n");
    }
    client_saw_first = true;
    std::string rest;
    for (;;) {
      auto piece = co_await call->ReadSome();
      EXPECT_TRUE(piece.ok());
      if (!piece.ok() || piece->empty()) break;
      rest += *piece;
    }
    EXPECT_EQ(rest, "data: two\n\n");
  });
}

TEST_P(UpstreamClientTest, SequentialCallsShareOneConnection) {
  FakeUpstream* fake = nullptr;
  FakeUpstream server(loop, Echo(fake, "ok"));
  fake = &server;
  auto client = Client();
  Run([&]() -> awaitable<void> {
    for (int i = 0; i < 5; ++i) {
      auto [status, body] = co_await Fetch(*client, Get(server.Url("/" + std::to_string(i))));
      EXPECT_EQ(status, 200) << body;
    }
  });
  EXPECT_EQ(server.accepts, 1);
  EXPECT_EQ(server.requests.size(), 5u);
}

TEST_P(UpstreamClientTest, ConnectionClosedWhileIdleIsReplaced) {
  FakeUpstream server(loop, [&](Peer& peer, int) -> awaitable<void> {
    co_await peer.ReadRequest();
    co_await peer.Write(Ok("ok"));  // keep-alive as far as the client knows, then closed
    co_await Sleep(milliseconds(20));
  });
  auto client = Client();
  Run([&]() -> awaitable<void> {
    for (int i = 0; i < 3; ++i) {
      auto [status, body] = co_await Fetch(*client, Get(server.Url()));
      EXPECT_EQ(status, 200) << body;
      co_await Sleep(milliseconds(100));
    }
  });
  EXPECT_EQ(server.accepts, 3);
}

TEST_P(UpstreamClientTest, ConnectionThatTurnedReadableWhileIdleIsNotReused) {
  if (GetParam() == "curl") GTEST_SKIP() << "libcurl reuses it and takes the stale bytes for the answer";
  FakeUpstream server(loop, [&](Peer& peer, int index) -> awaitable<void> {
    for (;;) {
      if ((co_await peer.ReadRequest()).empty()) co_return;
      co_await peer.Write(Ok("ok"));
      // Bytes nobody asked for: a client that reused this connection would read them as its answer.
      co_await Sleep(milliseconds(200));
      if (index == 0) co_await peer.Write("HTTP/1.1 408 Request Timeout\r\nContent-Length: 0\r\n\r\n");
    }
  });
  auto client = Client();
  Run([&]() -> awaitable<void> {
    for (int i = 0; i < 2; ++i) {
      auto [status, body] = co_await Fetch(*client, Get(server.Url()));
      EXPECT_EQ(status, 200) << body;
      co_await Sleep(milliseconds(1200));
    }
  });
  EXPECT_EQ(server.accepts, 2);
}

TEST_P(UpstreamClientTest, ReusedConnectionDroppedBeforeAnsweringIsRetriedOnce) {
  FakeUpstream* fake = nullptr;
  FakeUpstream server(loop, [&](Peer& peer, int index) -> awaitable<void> {
    for (int n = 0;; ++n) {
      std::string request = co_await peer.ReadRequest();
      if (request.empty()) co_return;
      fake->requests.push_back(request);
      if (index == 0 && n == 1) co_return;  // the second request on the first connection: dropped unanswered
      co_await peer.Write(Ok("ok"));
    }
  });
  fake = &server;
  auto client = Client();
  Run([&]() -> awaitable<void> {
    for (int i = 0; i < 2; ++i) {
      auto [status, body] = co_await Fetch(*client, Get(server.Url()));
      EXPECT_EQ(status, 200) << body;
    }
  });
  EXPECT_EQ(server.accepts, 2);
  EXPECT_EQ(server.requests.size(), 3u);
}

TEST_P(UpstreamClientTest, NoResendOnceBytesCameBack) {
  FakeUpstream* fake = nullptr;
  FakeUpstream server(loop, [&](Peer& peer, int index) -> awaitable<void> {
    for (int n = 0;; ++n) {
      std::string request = co_await peer.ReadRequest();
      if (request.empty()) co_return;
      fake->requests.push_back(request);
      if (n == 1) {
        co_await peer.Write("HTTP/1.1 200 OK\r\n");
        co_return;
      }
      co_await peer.Write(Ok("ok"));
    }
  });
  fake = &server;
  auto client = Client();
  Run([&]() -> awaitable<void> {
    auto [status, body] = co_await Fetch(*client, Get(server.Url()));
    EXPECT_EQ(status, 200) << body;
    std::tie(status, body) = co_await Fetch(*client, Get(server.Url()));
    EXPECT_EQ(status, Code(ErrorCode::kUpstream)) << body;
  });
  EXPECT_EQ(server.requests.size(), 2u);
}

TEST_P(UpstreamClientTest, StopsReadingWhileTheCallerDoesNot) {
  constexpr int64_t kTotal = 50 << 20;
  int64_t written = 0;
  bool write_failed = false;
  FakeUpstream server(loop, [&](Peer& peer, int) -> awaitable<void> {
    co_await peer.ReadRequest();
    if (!co_await peer.Write("HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(kTotal) + "\r\n\r\n")) co_return;
    const std::string block(64 << 10, 'x');
    while (written < kTotal) {
      if (!co_await peer.Write(block)) {
        write_failed = true;
        co_return;
      }
      written += static_cast<int64_t>(block.size());
    }
  });
  auto client = Client();
  Run([&]() -> awaitable<void> {
    auto call = client->Start(Get(server.Url()));
    auto head = co_await call->ReadHead();
    EXPECT_TRUE(head.ok());
    co_await Sleep(milliseconds(1500));
    // What the upstream could write is what the kernel's socket buffers and the client's unread
    // limit hold: a few MB, not the body.
    EXPECT_LT(written, 16 << 20);
    const int64_t before = written;
    int64_t read = 0;
    while (read < (4 << 20)) {
      auto piece = co_await call->ReadSome();
      EXPECT_TRUE(piece.ok());
      if (!piece.ok() || piece->empty()) break;
      read += static_cast<int64_t>(piece->size());
    }
    EXPECT_GE(read, 4 << 20);
    EXPECT_GT(written, before);  // reading resumed
    call->Cancel();
    for (int i = 0; i < 300 && !write_failed; ++i) co_await Sleep(milliseconds(10));
    EXPECT_TRUE(write_failed);
  });
}

TEST_P(UpstreamClientTest, FirstByteTimeout) {
  options.first_byte_timeout_ms = 300;
  FakeUpstream server(loop, [&](Peer& peer, int) -> awaitable<void> {
    co_await peer.ReadRequest();
    co_await peer.WaitForClose(milliseconds(5000));
  });
  auto client = Client();
  Run([&]() -> awaitable<void> {
    const auto start = std::chrono::steady_clock::now();
    auto [status, body] = co_await Fetch(*client, Get(server.Url()));
    EXPECT_EQ(status, Code(ErrorCode::kTimeout)) << body;
    EXPECT_LT(std::chrono::steady_clock::now() - start, milliseconds(2000));
  });
}

TEST_P(UpstreamClientTest, IdleTimeoutInsideABody) {
  options.idle_timeout_ms = 300;
  FakeUpstream server(loop, [&](Peer& peer, int) -> awaitable<void> {
    co_await peer.ReadRequest();
    co_await peer.Write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n");
    co_await peer.WaitForClose(milliseconds(5000));
  });
  auto client = Client();
  Run([&]() -> awaitable<void> {
    auto call = client->Start(Get(server.Url()));
    EXPECT_TRUE((co_await call->ReadHead()).ok());
    auto first = co_await call->ReadSome();
    EXPECT_TRUE(first.ok() && *first == "abc");
    const auto start = std::chrono::steady_clock::now();
    auto next = co_await call->ReadSome();
    EXPECT_FALSE(next.ok());
    if (!next.ok()) {
      EXPECT_EQ(next.error().code, ErrorCode::kTimeout);
    }
    EXPECT_LT(std::chrono::steady_clock::now() - start, milliseconds(2000));
  });
}

TEST_P(UpstreamClientTest, ConnectTimeoutCoversTheTlsHandshake) {
  options.connect_timeout_ms = 300;
  // Accepts TCP but never answers the ClientHello.
  tcp::acceptor silent(loop, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  std::vector<tcp::socket> held;
  asio::co_spawn(
      loop,
      [&]() -> awaitable<void> {
        for (;;) {
          auto [ec, s] = co_await silent.async_accept(kTuple);
          if (ec) co_return;
          held.push_back(std::move(s));
        }
      },
      asio::detached);
  auto client = Client();
  Run([&]() -> awaitable<void> {
    const auto start = std::chrono::steady_clock::now();
    auto [status, body] =
        co_await Fetch(*client, Get("https://127.0.0.1:" + std::to_string(silent.local_endpoint().port()) + "/"));
    EXPECT_EQ(status, Code(ErrorCode::kTimeout)) << body;
    EXPECT_LT(std::chrono::steady_clock::now() - start, milliseconds(2000));
  });
}

TEST_P(UpstreamClientTest, CancelClosesTheConnection) {
  bool saw_close = false;
  FakeUpstream server(loop, [&](Peer& peer, int) -> awaitable<void> {
    co_await peer.ReadRequest();
    co_await peer.Write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n");
    saw_close = co_await peer.WaitForClose(milliseconds(3000));
  });
  auto client = Client();
  Run([&]() -> awaitable<void> {
    auto call = client->Start(Get(server.Url()));
    EXPECT_TRUE((co_await call->ReadHead()).ok());
    EXPECT_TRUE((co_await call->ReadSome()).ok());
    call->Cancel();
    auto after = co_await call->ReadSome();
    EXPECT_FALSE(after.ok());
    if (!after.ok()) {
      EXPECT_EQ(after.error().code, ErrorCode::kConflict);
    }
    for (int i = 0; i < 300 && !saw_close; ++i) co_await Sleep(milliseconds(10));
    EXPECT_TRUE(saw_close);
  });
}

TEST_P(UpstreamClientTest, ConnectionsPerHostAreCappedAndCallsQueue) {
  options.max_connections_per_host = 2;
  FakeUpstream* fake = nullptr;
  FakeUpstream server(loop, [&](Peer& peer, int) -> awaitable<void> {
    for (;;) {
      std::string request = co_await peer.ReadRequest();
      if (request.empty()) co_return;
      fake->requests.push_back(request);
      co_await Sleep(milliseconds(50));
      co_await peer.Write(Ok("ok"));
    }
  });
  fake = &server;
  auto client = Client();
  Run([&]() -> awaitable<void> {
    std::vector<std::shared_ptr<UpstreamCall>> calls;
    for (int i = 0; i < 6; ++i) calls.push_back(client->Start(Get(server.Url("/" + std::to_string(i)))));
    for (auto& call : calls) {
      auto head = co_await call->ReadHead();
      EXPECT_TRUE(head.ok()) << head.error().message;
      auto body = co_await call->ReadAll();
      EXPECT_TRUE(body.ok() && *body == "ok");
    }
  });
  EXPECT_EQ(server.max_open, 2);
  EXPECT_EQ(server.accepts, 2);
  EXPECT_EQ(server.requests.size(), 6u);
}

TEST_P(UpstreamClientTest, RefusedConnectionIsAnUpstreamError) {
  int port;
  {
    tcp::acceptor closed(loop, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    port = closed.local_endpoint().port();
  }
  auto client = Client();
  Run([&]() -> awaitable<void> {
    auto [status, body] = co_await Fetch(*client, Get("http://127.0.0.1:" + std::to_string(port) + "/"));
    EXPECT_EQ(status, Code(ErrorCode::kUpstream)) << body;
  });
}

TEST_P(UpstreamClientTest, ReadAllIsBounded) {
  options.max_response_bytes = 1024;
  FakeUpstream* fake = nullptr;
  FakeUpstream server(loop, Echo(fake, std::string(4096, 'x')));
  fake = &server;
  auto client = Client();
  Run([&]() -> awaitable<void> {
    auto [status, body] = co_await Fetch(*client, Get(server.Url()));
    EXPECT_EQ(status, Code(ErrorCode::kTooLarge)) << body;
  });
}

class TlsTest : public UpstreamClientTest {
 protected:
  // A server whose certificate names `san`; its CA written where extra_ca_file can point.
  void Serve(const char* san) {
    cert_ = MakeCert(san);
    server_tls_.use_certificate_chain(asio::buffer(cert_.cert));
    server_tls_.use_private_key(asio::buffer(cert_.key), ssl::context::pem);
    ca_file_ = (std::filesystem::temp_directory_path() /
                ("turnpike-test-ca-" + std::to_string(getpid()) + "-" + std::to_string(counter_++) + ".pem"))
                   .string();
    std::ofstream(ca_file_) << cert_.cert;
    server_ = std::make_unique<FakeUpstream>(loop, Echo(fake_, "secure"), &server_tls_);
    fake_ = server_.get();
  }
  ~TlsTest() override {
    server_.reset();
    if (!ca_file_.empty()) std::filesystem::remove(ca_file_);
  }

  TestCert cert_;
  ssl::context server_tls_{ssl::context::tls_server};
  std::string ca_file_;
  FakeUpstream* fake_ = nullptr;
  std::unique_ptr<FakeUpstream> server_;
  static inline int counter_ = 0;
};

TEST_P(TlsTest, VerifiedAgainstATrustedCa) {
  Serve("IP:127.0.0.1");
  options.extra_ca_file = ca_file_;
  auto client = Client();
  Run([&]() -> awaitable<void> {
    for (int i = 0; i < 2; ++i) {
      auto [status, body] = co_await Fetch(*client, Get(server_->Url("/v1/models")));
      EXPECT_EQ(status, 200) << body;
      EXPECT_EQ(body, "secure");
    }
  });
  EXPECT_EQ(server_->accepts, 1);
}

TEST_P(TlsTest, UntrustedCertificateIsAnUpstreamError) {
  Serve("IP:127.0.0.1");
  auto client = Client();
  Run([&]() -> awaitable<void> {
    auto [status, body] = co_await Fetch(*client, Get(server_->Url()));
    EXPECT_EQ(status, Code(ErrorCode::kUpstream)) << body;
  });
}

TEST_P(TlsTest, CertificateForAnotherHostIsAnUpstreamError) {
  Serve("DNS:other.invalid");
  options.extra_ca_file = ca_file_;
  auto client = Client();
  Run([&]() -> awaitable<void> {
    auto [status, body] = co_await Fetch(*client, Get(server_->Url()));
    EXPECT_EQ(status, Code(ErrorCode::kUpstream)) << body;
  });
}

INSTANTIATE_TEST_SUITE_P(BothClients, UpstreamClientTest, ::testing::Values("native", "curl"),
                         [](const auto& info) { return info.param; });
INSTANTIATE_TEST_SUITE_P(BothClients, TlsTest, ::testing::Values("native", "curl"),
                         [](const auto& info) { return info.param; });

// "auto" sends a request a proxy applies to through libcurl (and so through the proxy), others
// straight to the host.
class AutoClientTest : public ::testing::Test {
 protected:
  ~AutoClientTest() override {
    unsetenv("http_proxy");
    unsetenv("NO_PROXY");
  }
  asio::io_context loop;
};

TEST_F(AutoClientTest, ProxiedHostsGoThroughLibcurl) {
  FakeUpstream* proxy_fake = nullptr;
  FakeUpstream proxy(loop, Echo(proxy_fake, "via proxy"));
  proxy_fake = &proxy;
  FakeUpstream* direct_fake = nullptr;
  FakeUpstream direct(loop, Echo(direct_fake, "direct"));
  direct_fake = &direct;
  setenv("http_proxy", proxy.Url().c_str(), 1);
  for (const char* no_proxy : {"", "127.0.0.1"}) {
    setenv("NO_PROXY", no_proxy, 1);
    config::UpstreamOptions options;  // client = "auto"
    UpstreamClient client(loop, options);
    std::string got;
    asio::co_spawn(
        loop,
        [&]() -> awaitable<void> {
          UpstreamRequest r;
          r.url = direct.Url("/v1/models");
          r.method = "GET";
          auto call = client.Start(r);
          auto head = co_await call->ReadHead();
          if (head.ok()) {
            auto body = co_await call->ReadAll();
            if (body.ok()) got = *body;
          }
          loop.stop();
        },
        asio::detached);
    loop.restart();
    loop.run_for(std::chrono::seconds(10));
    EXPECT_EQ(got, *no_proxy ? "direct" : "via proxy") << no_proxy;
  }
  ASSERT_EQ(proxy.requests.size(), 1u);
  EXPECT_TRUE(proxy.requests[0].starts_with("GET " + direct.Url("/v1/models") + " HTTP/1.1")) << proxy.requests[0];
  EXPECT_EQ(direct.requests.size(), 1u);
}

TEST(UpstreamUrlTest, TakesApartHttpAndHttpsUrls) {
  auto t = ParseUpstreamUrl("https://api.openai.com/v1/chat/completions");
  ASSERT_TRUE(t.ok());
  EXPECT_TRUE(t->tls);
  EXPECT_EQ(t->host, "api.openai.com");
  EXPECT_EQ(t->port, "443");
  EXPECT_EQ(t->host_header, "api.openai.com");
  EXPECT_EQ(t->target, "/v1/chat/completions");
  EXPECT_EQ(t->pool_key, "https://api.openai.com:443");

  t = ParseUpstreamUrl("http://[::1]:8080/v1beta/models/g:streamGenerateContent?alt=sse&key=k");
  ASSERT_TRUE(t.ok());
  EXPECT_FALSE(t->tls);
  EXPECT_EQ(t->host, "::1");
  EXPECT_EQ(t->port, "8080");
  EXPECT_EQ(t->host_header, "[::1]:8080");
  EXPECT_EQ(t->target, "/v1beta/models/g:streamGenerateContent?alt=sse&key=k");

  t = ParseUpstreamUrl("http://10.0.0.7");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->port, "80");
  EXPECT_EQ(t->target, "/");

  for (const char* bad : {"ftp://example.com/", "/relative", "http://", "not a url", "http://host:0/"}) {
    EXPECT_FALSE(ParseUpstreamUrl(bad).ok()) << bad;
  }
}

TEST(ProxyRuleTest, LikeLibcurl) {
  auto env = [](std::map<std::string, std::string> vars) {
    return ReadProxyEnv([vars](const std::string& name) -> std::optional<std::string> {
      auto it = vars.find(name);
      if (it == vars.end()) return std::nullopt;
      return it->second;
    });
  };
  EXPECT_FALSE(ProxyApplies(env({}), "https", "api.openai.com"));
  EXPECT_TRUE(ProxyApplies(env({{"HTTPS_PROXY", "http://proxy:3128"}}), "https", "api.openai.com"));
  EXPECT_TRUE(ProxyApplies(env({{"https_proxy", "http://proxy:3128"}}), "https", "api.openai.com"));
  EXPECT_FALSE(ProxyApplies(env({{"https_proxy", "http://proxy:3128"}}), "http", "localhost"));
  EXPECT_FALSE(ProxyApplies(env({{"HTTP_PROXY", "http://proxy:3128"}}), "http", "localhost"));  // ignored
  EXPECT_TRUE(ProxyApplies(env({{"http_proxy", "http://proxy:3128"}}), "http", "localhost"));
  EXPECT_TRUE(ProxyApplies(env({{"ALL_PROXY", "socks5://proxy"}}), "http", "localhost"));
  auto both = env({{"ALL_PROXY", "http://proxy"}, {"NO_PROXY", "localhost, .internal,example.com,[::1]"}});
  EXPECT_FALSE(ProxyApplies(both, "http", "localhost"));
  EXPECT_FALSE(ProxyApplies(both, "https", "llm.internal"));
  EXPECT_FALSE(ProxyApplies(both, "https", "api.example.com"));
  EXPECT_FALSE(ProxyApplies(both, "https", "EXAMPLE.com"));
  EXPECT_FALSE(ProxyApplies(both, "http", "::1"));
  EXPECT_TRUE(ProxyApplies(both, "https", "notexample.com"));
  EXPECT_TRUE(ProxyApplies(both, "https", "api.openai.com"));
  EXPECT_FALSE(ProxyApplies(env({{"https_proxy", "http://p"}, {"no_proxy", "*"}}), "https", "api.openai.com"));
}

}  // namespace
}  // namespace turnpike::net
