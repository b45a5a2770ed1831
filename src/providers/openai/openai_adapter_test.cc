// OpenAiAdapter::MapError on the recorded error bodies (OpenAI and OpenRouter) and a status
// table; the relayed request's bytes and the URL and headers it shares with EncodeRequest.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "providers/adapter_test_util.h"
#include "providers/openai/openai_adapter.h"

namespace turnpike::providers::openai {
namespace {

namespace json = boost::json;

std::string Fixture(std::string_view name) { return providers::testing::ReadFixture("openai", name); }

const EndpointInfo kEndpoint{"https://api.example.test/v1", "sk-upstream", "gpt-4o-2024-08-06", 0};

TEST(OpenAiMapErrorTest, Table) {
  const std::string p = "Provider openai answered ";
  auto body = [](const std::string& message) { return R"({"error":{"message":")" + message + R"(","type":"x"}})"; };
  const std::vector<providers::testing::MapErrorCase> table = {
      {400,
       Fixture("error-400-unsupported-parameter.json"),
       {},
       ErrorCode::kBadRequest,
       false,
       p + "400: Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' "
           "instead."},
      {400,
       Fixture("error-400-openrouter-context-length.json"),
       {},
       ErrorCode::kBadRequest,
       false,
       p + "400: This endpoint's maximum context length is 200000 tokens. However, you requested about 2500021 "
           "tokens (2500021 of text input). Please reduce the length of either one, or use the context-compression "
           "plugin to compress your prompt automatically."},
      {401,
       Fixture("error-401-invalid-api-key.json"),
       {},
       ErrorCode::kUpstream,
       false,
       p + "401: the provider rejected the gateway's credentials"},
      {401,
       Fixture("error-401-openrouter-missing-auth.json"),
       {},
       ErrorCode::kUpstream,
       false,
       p + "401: the provider rejected the gateway's credentials"},
      {403,
       body("Project proj_1 does not have access to model gpt-5"),
       {},
       ErrorCode::kUpstream,
       false,
       p + "403: the provider rejected the gateway's credentials"},
      {404,
       Fixture("error-404-model-not-found.json"),
       {},
       ErrorCode::kUpstream,
       false,
       p + "404: The model `gpt-4.1-nano-wrong` does not exist or you do not have access to it."},
      {408, body("timed out"), {}, ErrorCode::kTimeout, true, p + "408: timed out"},
      {409, body("conflict"), {}, ErrorCode::kUpstream, true, p + "409: conflict"},
      {413, "", {}, ErrorCode::kTooLarge, false, p + "413"},
      {422, body("unprocessable"), {}, ErrorCode::kBadRequest, false, p + "422: unprocessable"},
      {429,
       Fixture("error-429-rate-limit.json"),
       {},
       ErrorCode::kRateLimited,
       true,
       p + "429: Rate limit reached for gpt-4 in organization org-********** on tokens per min (TPM): Limit 10000, "
           "Used 9348, Requested 5086. Please try again in 26.604s. Visit "
           "https://platform.openai.com/account/rate-limits to learn more."},
      {500,
       body("The server had an error while processing your request. Sorry about that!"),
       {},
       ErrorCode::kUpstream,
       true,
       p + "500: The server had an error while processing your request. Sorry about that!"},
      {502, "<html>Bad Gateway</html>", {}, ErrorCode::kUpstream, true, p + "502"},
      {503, R"({"error":"overloaded"})", {}, ErrorCode::kUpstream, true, p + "503"},
      {504, R"({"error":{"message":17}})", {}, ErrorCode::kUpstream, true, p + "504"},
      {402, body("Insufficient credits"), {}, ErrorCode::kUpstream, false, p + "402: Insufficient credits"},
  };
  providers::testing::ExpectMapErrors(OpenAiAdapter(), "openai", table);
}

TEST(OpenAiMapErrorTest, MessagesNameTheGivenProvider) {
  OpenAiAdapter adapter;
  EXPECT_EQ(
      adapter.MapError("groq", 404, Fixture("error-404-model-not-found.json"), {}).error.message,
      "Provider groq answered 404: The model `gpt-4.1-nano-wrong` does not exist or you do not have access to it.");
  EXPECT_EQ(adapter.MapError("together", 401, "", {}).error.message,
            "Provider together answered 401: the provider rejected the gateway's credentials");
}

TEST(OpenAiMapErrorTest, CredentialFailuresNeverQuoteTheKey) {
  OpenAiAdapter adapter;
  const std::string recorded = Fixture("error-401-invalid-api-key.json");
  ASSERT_NE(recorded.find("sk-VKMIs"), std::string::npos);
  for (int status : {401, 403}) {
    for (const std::string& body :
         {recorded, std::string(R"({"error":{"message":"Incorrect API key provided: sk-proj-SECRET123."}})")}) {
      auto e = adapter.MapError("openai", status, body, {});
      EXPECT_EQ(e.error.message.find("sk-"), std::string::npos) << status << " " << e.error.message;
      EXPECT_EQ(e.error.message.find("SECRET"), std::string::npos) << status;
      EXPECT_EQ(e.error.message.find("Incorrect"), std::string::npos) << status;
      EXPECT_FALSE(e.retryable);
    }
  }
}

TEST(OpenAiRelayRequestTest, TheClientsBytesWithTheUpstreamModel) {
  const std::string body = Fixture("chat-nonstream-tool-call.request.json");
  json::value parsed = json::parse(body);
  EncodedRequest r = RelayRequest(body, parsed, false, kEndpoint);
  EXPECT_EQ(r.url, "https://api.example.test/v1/chat/completions");
  ASSERT_EQ(r.headers.size(), 2u);
  EXPECT_EQ(r.headers[0].name, "Content-Type");
  EXPECT_EQ(r.headers[0].value, "application/json");
  EXPECT_EQ(r.headers[1].name, "Authorization");
  EXPECT_EQ(r.headers[1].value, "Bearer sk-upstream");
  std::string original_model = "\"" + std::string(parsed.at("model").as_string()) + "\"";
  std::string expected = body;
  expected.replace(expected.find(original_model), original_model.size(), "\"gpt-4o-2024-08-06\"");
  EXPECT_EQ(r.body, expected) << "only the model's bytes change";
}

TEST(OpenAiRelayRequestTest, StreamsForceTheUsageChunk) {
  const std::string body = Fixture("chat-request-openrouter-stream-usage.json");
  EncodedRequest r = RelayRequest(body, json::parse(body), true, kEndpoint);
  EXPECT_EQ(
      r.body,
      R"({"model":"gpt-4o-2024-08-06","messages":[{"role":"user","content":"Count from 1 to 3"}],"stream":true,"stream_options":{"include_usage":true}})");
  const std::string plain = R"({"model":"a","messages":[{"role":"user","content":"hi"}],"stream":true})";
  EXPECT_EQ(
      RelayRequest(plain, json::parse(plain), true, kEndpoint).body,
      R"({"model":"gpt-4o-2024-08-06","messages":[{"role":"user","content":"hi"}],"stream":true,"stream_options":{"include_usage":true}})");
}

TEST(OpenAiRelayRequestTest, NoKeyNoAuthorizationHeader) {
  EndpointInfo local{"http://127.0.0.1:8080/v1", "", "llama-3.1-8b", 0};
  const std::string body = R"({"model":"local/llama","messages":[{"role":"user","content":"hi"}]})";
  EncodedRequest r = RelayRequest(body, json::parse(body), false, local);
  EXPECT_EQ(r.url, "http://127.0.0.1:8080/v1/chat/completions");
  ASSERT_EQ(r.headers.size(), 1u);
  EXPECT_EQ(r.headers[0].name, "Content-Type");
  EXPECT_EQ(r.body, R"({"model":"llama-3.1-8b","messages":[{"role":"user","content":"hi"}]})");

  protocol::ChatRequest request;
  request.messages.push_back({protocol::Role::kUser, {{protocol::ContentPart::Kind::kText, "hi", "", ""}}, {}, ""});
  auto encoded = OpenAiAdapter().EncodeRequest(request, local);
  ASSERT_TRUE(encoded.ok());
  EXPECT_EQ(encoded->url, r.url);
  ASSERT_EQ(encoded->headers.size(), 1u) << "the same URL and headers as the relay";
}

}  // namespace
}  // namespace turnpike::providers::openai
