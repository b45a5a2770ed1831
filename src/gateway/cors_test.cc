#include "gateway/cors.h"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

namespace turnpike::gateway {
namespace {

net::HttpRequest Options(Headers headers) {
  net::HttpRequest r;
  r.method = "OPTIONS";
  r.path = "/api/v1/chat/completions";
  r.headers = std::move(headers);
  return r;
}

TEST(CorsTest, OnlyOptionsWithARequestedMethodIsAPreflight) {
  EXPECT_TRUE(IsPreflight(Options({{"Access-Control-Request-Method", "POST"}})));
  EXPECT_FALSE(IsPreflight(Options({})));
  net::HttpRequest post = Options({{"Access-Control-Request-Method", "POST"}});
  post.method = "POST";
  EXPECT_FALSE(IsPreflight(post));
}

TEST(CorsTest, PreflightAllowsAnyOriginAndTheRequestedHeaders) {
  auto h = PreflightHeaders(Options(
      {{"Access-Control-Request-Method", "POST"}, {"Access-Control-Request-Headers", "authorization, content-type"}}));
  EXPECT_EQ(FindHeader(h, "access-control-allow-origin"), "*");
  EXPECT_EQ(FindHeader(h, "access-control-allow-methods"), "GET, POST, OPTIONS");
  EXPECT_EQ(FindHeader(h, "access-control-allow-headers"), "authorization, content-type");
  EXPECT_EQ(FindHeader(h, "access-control-max-age"), "86400");
  EXPECT_TRUE(FindHeader(h, "access-control-allow-credentials").empty()) << "never with credentials";
}

TEST(CorsTest, OddRequestedHeadersGetTheDefaultList) {
  auto h = PreflightHeaders(
      Options({{"Access-Control-Request-Method", "POST"}, {"Access-Control-Request-Headers", "x\r\nset-cookie: a"}}));
  EXPECT_EQ(FindHeader(h, "access-control-allow-headers").find('\r'), std::string_view::npos);
  EXPECT_NE(FindHeader(h, "access-control-allow-headers").find("authorization"), std::string_view::npos);
  auto long_list = PreflightHeaders(
      Options({{"Access-Control-Request-Method", "POST"}, {"Access-Control-Request-Headers", std::string(2000, 'a')}}));
  EXPECT_LT(FindHeader(long_list, "access-control-allow-headers").size(), 200u);
}

// Records what it is asked to send.
class RecordingWriter final : public net::ResponseWriter {
 public:
  Headers sent;
  net::asio::awaitable<bool> Send(int, Headers headers, std::string) override {
    sent = std::move(headers);
    co_return true;
  }
  net::asio::awaitable<bool> BeginStream(int, Headers headers, bool) override {
    sent = std::move(headers);
    co_return true;
  }
  net::asio::awaitable<bool> Write(std::string) override { co_return true; }
  net::asio::awaitable<bool> EndStream(std::string) override { co_return true; }
  void OnClientGone(std::function<void()>) override {}
  bool client_gone() const override { return false; }
  bool started() const override { return false; }
};

TEST(CorsTest, WrappedResponsesCarryTheOriginHeaderBesideTheirOwn) {
  boost::asio::io_context io;
  RecordingWriter inner;
  auto writer = WithCors(inner);
  boost::asio::co_spawn(
      io,
      [&]() -> net::asio::awaitable<void> {
        Headers headers{{"x-request-id", "gen-1"}};
        co_await writer->BeginStream(200, std::move(headers), true);
      },
      boost::asio::detached);
  io.run();
  EXPECT_EQ(FindHeader(inner.sent, "x-request-id"), "gen-1");
  EXPECT_EQ(FindHeader(inner.sent, "access-control-allow-origin"), "*");
  EXPECT_EQ(FindHeader(inner.sent, "access-control-expose-headers"), "x-request-id, retry-after");
}

}  // namespace
}  // namespace turnpike::gateway
