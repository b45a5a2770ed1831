// A control API on an in-memory SQLite store, driven through Api::Handle without sockets.
#pragma once

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <chrono>
#include <map>
#include <memory>
#include <string>

#include "common/crypto.h"
#include "common/result_testing.h"
#include "control/api.h"
#include "payments/payments.h"
#include "store/store_testing.h"

namespace turnpike::control {

class ApiTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { ASSERT_TRUE(crypto::InitCrypto()); }

  void SetUp() override {
    store_ = store::MigratedMemoryStore();
    ASSERT_TRUE(store_);
    keys_ = std::make_unique<state::KeyCache>(*store_, std::chrono::hours(1));
    router_ = std::make_unique<state::ModelRouter>([](const std::string& name) -> std::optional<std::string> {
      if (name == "OPENAI_API_KEY") return std::string("sk-upstream-secret-value");
      return std::nullopt;
    });
    payments_ = std::make_unique<payments::SandboxPayments>(*store_);
    MakeApi(config_);
  }

  void MakeApi(const config::Config& config, bool with_payments = true) {
    api_ =
        std::make_unique<Api>(config, ApiStores::Of(*store_), keys_.get(), *router_,
                              with_payments ? payments_.get() : nullptr, std::string(40, 'k'), [this] { return now_; });
  }

  struct Answer {
    int status = 0;
    boost::json::value json;  // null when the body is empty
    std::string body;
    Headers headers;
    std::string Header(std::string_view name) const { return std::string(FindHeader(headers, name)); }
    const boost::json::value& at(std::string_view key) const { return json.at(key); }
  };

  // One request. `auth`: "" (none), "cookie" (the session cookie + own Origin), or "bearer".
  Answer Send(const std::string& method, const std::string& target, const std::string& body = "",
              const std::string& token = "", const std::string& auth = "bearer",
              std::map<std::string, std::string> extra = {}) {
    net::HttpRequest r;
    r.method = method;
    r.target = target;
    size_t q = target.find('?');
    r.path = target.substr(0, q);
    r.query = q == std::string::npos ? "" : target.substr(q + 1);
    r.body = body;
    r.remote_address = remote_;
    r.id = "gen-test";
    r.headers.push_back(Header{"Host", "localhost:3000"});
    if (!token.empty() && auth == "bearer") r.headers.push_back(Header{"Authorization", "Bearer " + token});
    if (!token.empty() && auth == "cookie") {
      r.headers.push_back(Header{"Cookie", "theme=dark; tp_session=" + token});
      if (!extra.count("Origin")) r.headers.push_back(Header{"Origin", "http://localhost:3000"});
    }
    for (auto& [name, value] : extra) {
      if (!value.empty()) r.headers.push_back(Header{name, value});
    }
    Reply reply = api_->Handle(r);
    Answer a;
    a.status = reply.status;
    a.body = reply.body;
    a.headers = reply.headers;
    if (!reply.body.empty()) a.json = boost::json::parse(reply.body);
    return a;
  }

  // Signs up (or, if `login`, logs in) and returns the session token.
  std::string SignUp(const std::string& email, const std::string& password = "correct horse") {
    Answer a = Send("POST", "/api/auth/signup", Credentials(email, password));
    EXPECT_EQ(a.status, 201) << a.body;
    return a.status == 201 ? std::string(a.at("token").as_string()) : "";
  }
  std::string LogIn(const std::string& email, const std::string& password = "correct horse") {
    Answer a = Send("POST", "/api/auth/login", Credentials(email, password));
    EXPECT_EQ(a.status, 200) << a.body;
    return a.status == 200 ? std::string(a.at("token").as_string()) : "";
  }
  // An admin created directly in the store, signed in.
  std::string Admin(const std::string& email = "root@example.com") {
    auto hash = crypto::HashPassword("admin password");
    EXPECT_TRUE(hash.ok());
    auto id = store_->CreateUser(email, *hash, true);
    EXPECT_TRUE(id.ok());
    return LogIn(email, "admin password");
  }
  static std::string Credentials(const std::string& email, const std::string& password) {
    return boost::json::serialize(boost::json::object{{"email", email}, {"password", password}});
  }
  int64_t UserId(const std::string& email) {
    auto user = Must(store_->FindUserByEmail(email));
    EXPECT_TRUE(user.has_value()) << email;
    return user ? user->id : 0;
  }
  // Asserts the error shape and returns the param ("" when null).
  static std::string ErrorParam(const Answer& a, int status) {
    EXPECT_EQ(a.status, status) << a.body;
    const auto& e = a.json.at("error");
    EXPECT_EQ(e.at("code").as_int64(), status);
    EXPECT_TRUE(e.at("message").is_string());
    EXPECT_TRUE(e.at("type").is_string());
    return e.at("param").is_null() ? "" : std::string(e.at("param").as_string());
  }

  config::Config config_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<state::KeyCache> keys_;
  std::unique_ptr<state::ModelRouter> router_;
  std::unique_ptr<payments::SandboxPayments> payments_;
  std::unique_ptr<Api> api_;
  std::chrono::steady_clock::time_point now_{std::chrono::hours(1)};
  std::string remote_ = "10.0.0.1";
};

}  // namespace turnpike::control
