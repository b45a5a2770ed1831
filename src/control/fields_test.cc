#include "control/fields.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace turnpike::control {
namespace {

Fields Body(std::string_view text) {
  auto f = Fields::FromBody(text, 1 << 16);
  EXPECT_TRUE(f.ok()) << f.error().message;
  return std::move(f).value();
}

// The error reply's param and message.
std::pair<std::string, std::string> Problem(const Fields& f) {
  EXPECT_FALSE(f.ok());
  if (f.ok()) return {};
  Reply r = f.Failure();
  EXPECT_EQ(r.status, 400);
  auto v = boost::json::parse(r.body);
  const auto& e = v.at("error");
  return {std::string(e.at("param").as_string()), std::string(e.at("message").as_string())};
}

TEST(Fields, BodyLimitsAndShape) {
  auto big = Fields::FromBody(std::string(100, ' '), 10);
  ASSERT_FALSE(big.ok());
  EXPECT_EQ(big.error().code, ErrorCode::kTooLarge);
  for (const char* bad : {"{", "[1]", "\"x\"", "12", "{\"a\":1} x"}) {
    auto f = Fields::FromBody(bad, 100);
    ASSERT_FALSE(f.ok()) << bad;
    EXPECT_EQ(f.error().code, ErrorCode::kBadRequest) << bad;
  }
  auto empty = Fields::FromBody("  \n", 100);
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.error().code, ErrorCode::kBadRequest);
}

TEST(Fields, Strings) {
  Fields f = Body(R"({"name":"ab","long":"héllo","n":5,"z":null,"e":""})");
  EXPECT_EQ(f.String("name", Need::kRequired, 10), "ab");
  EXPECT_EQ(f.String("long", Need::kRequired, 5), "héllo");  // 5 code points, 6 bytes
  EXPECT_EQ(f.String("absent", Need::kOptional, 5), std::nullopt);
  EXPECT_TRUE(f.ok());
  EXPECT_TRUE(f.IsNull("z"));
  EXPECT_TRUE(f.Has("z"));
  EXPECT_FALSE(f.IsNull("absent"));
  // null is not "absent": members that may be null are checked with IsNull first.
  EXPECT_EQ(f.String("z", Need::kOptional, 5), std::nullopt);
  EXPECT_EQ(Problem(f), std::make_pair(std::string("z"), std::string("z must not be null")));

  Fields g = Body(R"({"n":5})");
  g.String("n", Need::kRequired, 5);
  auto [param, message] = Problem(g);
  EXPECT_EQ(param, "n");
  EXPECT_EQ(message, "n must be a string");

  Fields h = Body(R"({})");
  h.String("email", Need::kRequired, 5);
  h.String("other", Need::kRequired, 5);  // the first problem is kept
  EXPECT_EQ(Problem(h), std::make_pair(std::string("email"), std::string("email is required")));

  Fields e = Body(R"({"e":"","l":"abcdef"})");
  e.String("l", Need::kRequired, 5);
  EXPECT_EQ(Problem(e).first, "l");
  Fields e2 = Body(R"({"e":""})");
  e2.String("e", Need::kOptional, 5);
  EXPECT_EQ(Problem(e2).first, "e");
}

TEST(Fields, BoolsAndInts) {
  Fields n = Body(R"({"n":null})");
  EXPECT_EQ(n.Int("n", 0, 1, Need::kRequired), std::nullopt);
  EXPECT_EQ(Problem(n).second, "n is required");
  Fields f = Body(R"({"b":true,"i":42,"neg":-3,"s":"7"})");
  EXPECT_EQ(f.Bool("b"), true);
  EXPECT_EQ(f.Int("i", 0, 100), 42);
  EXPECT_EQ(f.Int("neg", -5, 5), -3);
  EXPECT_TRUE(f.ok());
  f.Int("s", 0, 10);  // a string is not an integer in a body
  EXPECT_EQ(Problem(f).first, "s");

  Fields r = Body(R"({"big":18446744073709551615})");
  r.Int("big", 0, 100);
  EXPECT_EQ(Problem(r).first, "big");
  Fields o = Body(R"({"i":101})");
  o.Int("i", 0, 100);
  EXPECT_EQ(Problem(o).second, "i must be an integer from 0 to 100");
  Fields b = Body(R"({"b":"true"})");
  b.Bool("b");
  EXPECT_EQ(Problem(b).first, "b");
}

TEST(Fields, Usd) {
  Fields f = Body(R"({"a":"12.50","b":12.5,"c":3,"d":0.1,"e":"-2","f":"1.000001","g":1e-7,"h":"1.0000001","i":"x"})");
  EXPECT_EQ(f.Usd("a"), 12'500'000);
  EXPECT_EQ(f.Usd("b"), 12'500'000);
  EXPECT_EQ(f.Usd("c"), 3'000'000);
  EXPECT_EQ(f.Usd("d"), 100'000);
  EXPECT_EQ(f.Usd("e"), -2'000'000);
  EXPECT_EQ(f.Usd("f"), 1'000'001);
  EXPECT_EQ(f.Usd("absent"), std::nullopt);
  EXPECT_TRUE(f.ok());
  for (const char* bad : {"g", "h", "i"}) {
    Fields x = Body(R"({"g":1e-7,"h":"1.0000001","i":"x"})");
    x.Usd(bad);
    EXPECT_EQ(Problem(x).first, bad);
  }
  Fields req = Body("{}");
  req.Usd("amount_usd", Need::kRequired);
  EXPECT_EQ(Problem(req).second, "amount_usd is required");
}

TEST(Fields, Times) {
  Fields f = Body(R"({"t":"2023-11-14T22:13:20Z","bad":"yesterday","n":5})");
  EXPECT_EQ(f.TimeMillis("t"), 1'700'000'000'000);
  EXPECT_EQ(f.TimeMillis("absent"), std::nullopt);
  EXPECT_TRUE(f.ok());
  f.TimeMillis("bad");
  EXPECT_EQ(Problem(f).first, "bad");
}

TEST(Fields, Query) {
  auto q = Fields::FromQuery("limit=20&model=openai%2Fgpt-4o&name=a+b&flag=1&empty=&from=2023-11-14&limit=30");
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->Int("limit", 1, 200), 30);
  EXPECT_EQ(q->String("model", Need::kOptional, 100), "openai/gpt-4o");
  EXPECT_EQ(q->String("name", Need::kOptional, 100), "a b");
  EXPECT_EQ(q->Bool("flag"), true);
  EXPECT_EQ(q->Int("empty", 1, 5), std::nullopt);
  EXPECT_EQ(q->TimeMillis("from"), 1'699'920'000'000);
  EXPECT_TRUE(q->ok());
  auto bad = Fields::FromQuery("limit=abc");
  ASSERT_TRUE(bad.ok());
  bad->Int("limit", 1, 200);
  EXPECT_EQ(Problem(*bad).first, "limit");
  EXPECT_FALSE(Fields::FromQuery("a=%zz").ok());
}

}  // namespace
}  // namespace turnpike::control
