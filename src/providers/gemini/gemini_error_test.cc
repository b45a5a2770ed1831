// GeminiAdapter::MapError on the recorded error bodies and a table of statuses (docs/protocols.md §11).
#include <gtest/gtest.h>

#include "providers/gemini/gemini_adapter.h"
#include "providers/gemini/gemini_test_util.h"

namespace turnpike::providers::gemini {
namespace {

using testing::ReadFixture;

UpstreamError Map(int status, std::string_view body) {
  GeminiAdapter adapter;
  return adapter.MapError("google", status, body, {});
}

TEST(GeminiError, InvalidApiKeyIsTheGatewaysCredentialFailure) {
  const auto e = Map(400, ReadFixture("error-400-invalid-argument-api-key.json"));
  EXPECT_EQ(e.error.code, ErrorCode::kUpstream);
  EXPECT_EQ(e.error.message, "Provider google answered 400: the provider rejected the gateway's credentials");
  EXPECT_FALSE(e.retryable);
}

TEST(GeminiError, ResourceExhaustedIsRetryableRateLimit) {
  const auto short_form = Map(429, ReadFixture("error-429-resource-exhausted.json"));
  EXPECT_EQ(short_form.error.code, ErrorCode::kRateLimited);
  EXPECT_EQ(short_form.error.message, "Provider google answered 429: Resource has been exhausted (e.g. check quota).");
  EXPECT_TRUE(short_form.retryable);

  const auto per_minute = Map(429, ReadFixture("error-429-resource-exhausted-quota-details.json"));
  EXPECT_EQ(per_minute.error.code, ErrorCode::kRateLimited);
  EXPECT_EQ(per_minute.error.message,
            "Provider google answered 429: You exceeded your current quota, please check your plan.");
  EXPECT_TRUE(per_minute.retryable);
}

TEST(GeminiError, DailyQuotaIsNotRetryable) {
  std::string body = ReadFixture("error-429-resource-exhausted-quota-details.json");
  const std::string minute = "GenerateRequestsPerMinutePerProjectPerModel-FreeTier";
  auto at = body.find(minute);
  ASSERT_NE(at, std::string::npos);
  body.replace(at, minute.size(), "GenerateRequestsPerDayPerProjectPerModel-FreeTier");
  const auto e = Map(429, body);
  EXPECT_EQ(e.error.code, ErrorCode::kRateLimited);
  EXPECT_FALSE(e.retryable);
}

TEST(GeminiError, StatusTable) {
  struct Row {
    int status;
    const char* body;
    ErrorCode code;
    bool retryable;
    const char* message;
  };
  const Row rows[] = {
      {400, R"({"error":{"code":400,"message":"Request contains an invalid argument.","status":"INVALID_ARGUMENT"}})",
       ErrorCode::kBadRequest, false, "Provider google answered 400: Request contains an invalid argument."},
      {401,
       R"({"error":{"code":401,"message":"Request had invalid authentication credentials.","status":"UNAUTHENTICATED"}})",
       ErrorCode::kUpstream, false, "Provider google answered 401: the provider rejected the gateway's credentials"},
      {403, R"({"error":{"code":403,"message":"Permission denied on key AIza…","status":"PERMISSION_DENIED"}})",
       ErrorCode::kUpstream, false, "Provider google answered 403: the provider rejected the gateway's credentials"},
      {404,
       R"({"error":{"code":404,"message":"models/gemini-9 is not found for API version v1beta","status":"NOT_FOUND"}})",
       ErrorCode::kUpstream, false,
       "Provider google answered 404: models/gemini-9 is not found for API version v1beta"},
      {500, R"({"error":{"code":500,"message":"An internal error has occurred.","status":"INTERNAL"}})",
       ErrorCode::kUpstream, true, "Provider google answered 500: An internal error has occurred."},
      {502, "<html>Bad Gateway</html>", ErrorCode::kUpstream, true, "Provider google answered 502"},
      {503, R"({"error":{"code":503,"message":"The model is overloaded.","status":"UNAVAILABLE"}})",
       ErrorCode::kUnavailable, true, "Provider google answered 503: The model is overloaded."},
      {504, R"({"error":{"code":504,"message":"Deadline exceeded.","status":"DEADLINE_EXCEEDED"}})",
       ErrorCode::kTimeout, true, "Provider google answered 504: Deadline exceeded."},
      {413, "", ErrorCode::kTooLarge, false, "Provider google answered 413"},
      {429, R"([{"error":{"code":429,"message":"Slow down.","status":"RESOURCE_EXHAUSTED"}}])", ErrorCode::kRateLimited,
       true, "Provider google answered 429: Slow down."},
  };
  for (const Row& row : rows) {
    const auto e = Map(row.status, row.body);
    EXPECT_EQ(e.error.code, row.code) << row.status;
    EXPECT_EQ(e.retryable, row.retryable) << row.status;
    EXPECT_EQ(e.error.message, row.message) << row.status;
  }
}

TEST(GeminiError, MessagesNameTheGivenProvider) {
  GeminiAdapter adapter;
  EXPECT_EQ(adapter.MapError("vertex-eu", 429, ReadFixture("error-429-resource-exhausted.json"), {}).error.message,
            "Provider vertex-eu answered 429: Resource has been exhausted (e.g. check quota).");
  EXPECT_EQ(
      adapter.MapError("vertex-eu", 400, ReadFixture("error-400-invalid-argument-api-key.json"), {}).error.message,
      "Provider vertex-eu answered 400: the provider rejected the gateway's credentials");
}

}  // namespace
}  // namespace turnpike::providers::gemini
