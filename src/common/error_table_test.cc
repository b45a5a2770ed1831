// Error replies: the ErrorCode → HTTP status table of docs/architecture.md §8.3 and the body shapes the openai
// and @openrouter/sdk clients read.
#include "common/error_table.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <set>

#include "common/clock.h"

namespace turnpike::gateway {
namespace {

namespace json = boost::json;

struct Row {
  ErrorCode code;
  int status;
};
constexpr Row kDesignTable[] = {
    {ErrorCode::kBadRequest, 400}, {ErrorCode::kUnauthorized, 401}, {ErrorCode::kPaymentRequired, 402},
    {ErrorCode::kForbidden, 403},  {ErrorCode::kNotFound, 404},     {ErrorCode::kTimeout, 408},
    {ErrorCode::kConflict, 409},   {ErrorCode::kTooLarge, 413},     {ErrorCode::kRateLimited, 429},
    {ErrorCode::kInternal, 500},   {ErrorCode::kUpstream, 502},     {ErrorCode::kUnavailable, 503},
};

// Checks {"error":{"code":<status>,"message":<message>,"type":<non-empty string>,"param":null}}
// and nothing else at the top level; returns the type.
std::string CheckBody(const std::string& body, int status, const std::string& message) {
  json::value v = json::parse(body);
  EXPECT_TRUE(v.is_object()) << body;
  if (!v.is_object()) return "";
  EXPECT_EQ(v.as_object().size(), 1u) << body;
  const json::value* e = v.as_object().if_contains("error");
  EXPECT_TRUE(e && e->is_object()) << body;
  if (!e || !e->is_object()) return "";
  const json::object& err = e->as_object();
  EXPECT_TRUE(err.contains("code") && err.at("code").is_int64()) << body;  // an int, not "400"
  if (err.contains("code") && err.at("code").is_int64()) {
    EXPECT_EQ(err.at("code").as_int64(), status) << body;
  }
  EXPECT_EQ(err.at("message"), json::value(message)) << body;
  EXPECT_TRUE(err.at("type").is_string()) << body;
  EXPECT_FALSE(err.at("type").as_string().empty()) << body;
  EXPECT_TRUE(err.contains("param") && err.at("param").is_null()) << body;
  return std::string(err.at("type").as_string());
}

TEST(ErrorReplyTest, EveryCodeMapsToItsDesignStatus) {
  for (const Row& row : kDesignTable) {
    EXPECT_EQ(HttpStatus(row.code), row.status) << static_cast<int>(row.code);
  }
}

TEST(ErrorReplyTest, EveryCodeHasADistinctType) {
  std::set<std::string_view> types;
  for (const Row& row : kDesignTable) {
    EXPECT_FALSE(ErrorType(row.code).empty());
    types.insert(ErrorType(row.code));
  }
  EXPECT_EQ(types.size(), std::size(kDesignTable));
  EXPECT_EQ(ErrorType(ErrorCode::kBadRequest), "invalid_request_error");
  EXPECT_EQ(ErrorType(ErrorCode::kUnauthorized), "authentication_error");
  EXPECT_EQ(ErrorType(ErrorCode::kRateLimited), "rate_limit_error");
}

TEST(ErrorReplyTest, BodyShapeForEveryCode) {
  for (const Row& row : kDesignTable) {
    std::string message = "something went wrong: \"quoted\" \\ and ünïcode";
    std::string body = ErrorBody(MakeError(row.code, message));
    std::string type = CheckBody(body, row.status, message);
    EXPECT_EQ(type, ErrorType(row.code));
  }
}

TEST(ErrorReplyTest, BodyForStatusTheHttpLayerMade) {
  for (int status : {400, 408, 413, 431}) {
    std::string body = ErrorBodyForStatus(status, "too big");
    CheckBody(body, status, "too big");
  }
  // The same type as the table for a status the table knows.
  EXPECT_EQ(json::parse(ErrorBodyForStatus(413, "x")).at("error").at("type"),
            json::value(ErrorType(ErrorCode::kTooLarge)));
  EXPECT_EQ(json::parse(ErrorBodyForStatus(408, "x")).at("error").at("type"),
            json::value(ErrorType(ErrorCode::kTimeout)));
}

TEST(StreamErrorChunkTest, IsOneSseDataEventHoldingAChunk) {
  int64_t before = UnixSeconds();
  std::string chunk =
      StreamErrorChunk(MakeError(ErrorCode::kUpstream, "upstream went away"), "gen-123", "openai/gpt-4o-mini");
  int64_t after = UnixSeconds();
  ASSERT_TRUE(chunk.starts_with("data: ")) << chunk;
  ASSERT_TRUE(chunk.ends_with("\n\n")) << chunk;
  std::string payload = chunk.substr(6, chunk.size() - 8);
  EXPECT_EQ(payload.find('\n'), std::string::npos);  // a single data line

  json::value v = json::parse(payload);
  const json::object& o = v.as_object();
  EXPECT_EQ(o.at("id"), json::value("gen-123"));
  EXPECT_EQ(o.at("object"), json::value("chat.completion.chunk"));
  EXPECT_EQ(o.at("model"), json::value("openai/gpt-4o-mini"));
  ASSERT_TRUE(o.at("created").is_int64());
  EXPECT_GE(o.at("created").as_int64(), before);
  EXPECT_LE(o.at("created").as_int64(), after);

  const json::object& err = o.at("error").as_object();
  ASSERT_TRUE(err.at("code").is_int64());
  EXPECT_EQ(err.at("code").as_int64(), 502);
  EXPECT_EQ(err.at("message"), json::value("upstream went away"));
  EXPECT_EQ(err.at("type"), json::value(ErrorType(ErrorCode::kUpstream)));

  const json::array& choices = o.at("choices").as_array();
  ASSERT_EQ(choices.size(), 1u);
  EXPECT_EQ(choices[0].at("index"), json::value(0));
  EXPECT_EQ(choices[0].at("finish_reason"), json::value("error"));
  EXPECT_TRUE(choices[0].at("delta").is_object());
}

TEST(StreamErrorChunkTest, StatusFollowsTheCode) {
  for (const Row& row : kDesignTable) {
    std::string chunk = StreamErrorChunk(MakeError(row.code, "m"), "id", "model");
    json::value v = json::parse(chunk.substr(6));
    EXPECT_EQ(v.at("error").at("code").as_int64(), row.status);
  }
}

TEST(ErrorReplyTest, AProviderCausedErrorCarriesOpenRoutersMetadata) {
  ProviderErrorMetadata metadata{"OpenAI", "Rate limit reached"};
  json::value v = json::parse(ErrorBody(MakeError(ErrorCode::kRateLimited, "openai: Rate limit reached"), &metadata));
  const json::object& e = v.at("error").as_object();
  EXPECT_EQ(e.at("code").as_int64(), 429);
  EXPECT_EQ(e.at("metadata").at("provider_name"), json::value("OpenAI"));
  EXPECT_EQ(e.at("metadata").at("raw"), json::value("Rate limit reached"));
  json::value plain = json::parse(ErrorBody(MakeError(ErrorCode::kBadRequest, "x")));
  EXPECT_FALSE(plain.at("error").as_object().contains("metadata")) << "only a provider's errors have metadata";
}

TEST(ScrubProviderTextTest, HidesKeysAccountIdsAndAddresses) {
  // As OpenAI words a rate limit (the organisation id is the account's) and a bad key.
  EXPECT_EQ(ScrubProviderText("Rate limit reached for gpt-4o in organization org-AbC123xyz on tokens per min."),
            "Rate limit reached for gpt-4o in organization org-*** on tokens per min.");
  EXPECT_EQ(ScrubProviderText("Incorrect API key provided: sk-proj-abcdEFGH1234. You can find your API key at"),
            "Incorrect API key provided: sk-***. You can find your API key at");
  EXPECT_EQ(ScrubProviderText("API key not valid: AIzaSyD-abc_123. Please pass a valid API key."),
            "API key not valid: AIza***. Please pass a valid API key.");
  EXPECT_EQ(ScrubProviderText("called with api_key=abc123def and Authorization: Bearer tok_9876543"),
            "called with api_key=*** and Authorization: Bearer ***");
  EXPECT_EQ(ScrubProviderText("project proj_Zx81 of ops@example.com is over quota"),
            "project proj_*** of ***@*** is over quota");
  // Words that only look alike stay.
  EXPECT_EQ(ScrubProviderText("task-force disk-sk-1 organization"), "task-force disk-sk-1 organization");
  EXPECT_EQ(ScrubProviderText(std::string(5000, 'a'), 100), std::string(100, 'a') + "…");
}

}  // namespace
}  // namespace turnpike::gateway
