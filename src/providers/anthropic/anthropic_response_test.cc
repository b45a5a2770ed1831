// Anthropic non-streaming answers (the recorded messages-nonstream-*.json and hand-made corners)
// and the error table of docs/protocols.md §11 (the recorded error-*.json bodies and headers).
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "providers/adapter_test_util.h"
#include "providers/anthropic/anthropic_adapter.h"

namespace turnpike::providers::anthropic {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

const fs::path kDir = fs::path(TURNPIKE_FIXTURES_DIR) / "anthropic";

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

TEST(AnthropicDecodeResponseTest, ParallelToolUseFixture) {
  AnthropicAdapter adapter;
  auto r = adapter.DecodeResponse(ReadFile(kDir / "messages-nonstream-parallel-tool-use.json"));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->id, "msg_011S3wxtqL5CVescWqS3zeg2");
  EXPECT_EQ(r->model, "claude-haiku-4-5-20251001");
  EXPECT_EQ(r->content, std::optional<std::string>(
                            "I'll help you find out who is the youngest by retrieving information about each family "
                            "member. I'll retrieve their entity information to compare their ages."));
  EXPECT_EQ(r->reasoning, "");
  const std::vector<std::pair<std::string, std::string>> calls = {{"toolu_0167cfEnoQaPviGdVXA95zcu", "Alice"},
                                                                  {"toolu_01EEe2V5HD1Ac4rKiUR4HD2T", "Bob"},
                                                                  {"toolu_01XFyAjstT3966qvRynZyVPo", "Charlie"},
                                                                  {"toolu_013mnQZbgtK2oe3Mo3XKJsx3", "Daisy"}};
  ASSERT_EQ(r->tool_calls.size(), 4u);
  for (size_t i = 0; i < calls.size(); ++i) {
    EXPECT_EQ(r->tool_calls[i].id, calls[i].first);
    EXPECT_EQ(r->tool_calls[i].name, "retrieve_entity_info");
    EXPECT_EQ(r->tool_calls[i].arguments, "{\"name\":\"" + calls[i].second + "\"}") << "compact JSON of input";
  }
  EXPECT_EQ(r->finish_reason, "tool_calls");
  ASSERT_TRUE(r->usage.has_value());
  EXPECT_EQ(r->usage->prompt_tokens, 423);
  EXPECT_EQ(r->usage->completion_tokens, 202);
  EXPECT_EQ(r->usage->cached_tokens, 0);
  EXPECT_EQ(r->usage->cache_write_tokens, 0);
}

TEST(AnthropicDecodeResponseTest, CacheUsageFixture) {
  AnthropicAdapter adapter;
  auto r = adapter.DecodeResponse(ReadFile(kDir / "messages-nonstream-cache-usage.json"));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->id, "msg_01KPaKTJSqAKoZri7Ujrny58");
  EXPECT_EQ(r->model, "claude-sonnet-4-5-20250929");
  EXPECT_EQ(r->content, std::optional<std::string>(
                            "Python is a beginner-friendly, versatile programming language widely used for web "
                            "development, data science, machine learning, automation, and scientific computing."));
  EXPECT_TRUE(r->tool_calls.empty());
  EXPECT_EQ(r->finish_reason, "stop");
  ASSERT_TRUE(r->usage.has_value());
  EXPECT_EQ(r->usage->prompt_tokens, 3 + 418 + 1111);
  EXPECT_EQ(r->usage->cached_tokens, 1111);
  EXPECT_EQ(r->usage->cache_write_tokens, 418);
  EXPECT_EQ(r->usage->completion_tokens, 33);
  EXPECT_EQ(r->usage->reasoning_tokens, 0);
}

// Shown by fuzz_anthropic_stream (UBSan): the prompt's three counts summed past INT64_MAX
// (undefined behaviour, in practice a negative prompt). Counts are read as at most
// kMaxTokenCount, so their sums cannot overflow.
TEST(AnthropicDecodeResponseTest, AbsurdCountsAreCapped) {
  AnthropicAdapter adapter;
  auto r = adapter.DecodeResponse(
      R"({"id":"msg_1","type":"message","role":"assistant","model":"m","content":[{"type":"text","text":"x"}],)"
      R"("stop_reason":"end_turn","usage":{"input_tokens":9223372036854775807,"cache_creation_input_tokens":5,)"
      R"("cache_read_input_tokens":7,"output_tokens":1e300}})");
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_TRUE(r->usage.has_value());
  EXPECT_EQ(r->usage->prompt_tokens, protocol::kMaxTokenCount + 5 + 7);
  EXPECT_EQ(r->usage->cache_write_tokens, 5);
  EXPECT_EQ(r->usage->cached_tokens, 7);
  EXPECT_EQ(r->usage->completion_tokens, protocol::kMaxTokenCount);
}

TEST(AnthropicDecodeResponseTest, ThinkingTextSeveralBlocksAndNoText) {
  AnthropicAdapter adapter;
  auto r = adapter.DecodeResponse(R"({"id":"msg_x","model":"m","type":"message","role":"assistant","content":[
      {"type":"thinking","thinking":"Let me ","signature":"sig"},{"type":"redacted_thinking","data":"zzz"},
      {"type":"thinking","thinking":"think.","signature":"sig"},
      {"type":"text","text":"Hello, "},{"type":"server_tool_use","id":"srv","name":"web_search","input":{}},
      {"type":"text","text":"world"}],"stop_reason":"max_tokens","usage":{"input_tokens":1,"output_tokens":2}})");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->reasoning, "Let me think.");
  EXPECT_EQ(r->content, std::optional<std::string>("Hello, world"));
  EXPECT_TRUE(r->tool_calls.empty());
  EXPECT_EQ(r->finish_reason, "length");

  auto tools_only = adapter.DecodeResponse(R"({"id":"msg_y","model":"m","content":[
      {"type":"tool_use","id":"toolu_1","name":"f","input":{"a":[1,{"b":null}],"c":"d"}},
      {"type":"tool_use","id":"toolu_2","name":"g"}],"stop_reason":"tool_use"})");
  ASSERT_TRUE(tools_only.ok()) << tools_only.error().message;
  EXPECT_EQ(tools_only->content, std::nullopt) << "no text blocks: content is null";
  ASSERT_EQ(tools_only->tool_calls.size(), 2u);
  EXPECT_EQ(json::parse(tools_only->tool_calls[0].arguments), json::parse(R"({"a":[1,{"b":null}],"c":"d"})"));
  EXPECT_EQ(tools_only->tool_calls[1].arguments, "{}");
  EXPECT_FALSE(tools_only->usage.has_value());
  EXPECT_EQ(tools_only->finish_reason, "tool_calls");
}

TEST(AnthropicDecodeResponseTest, UnreadableBodiesAreUpstreamErrors) {
  AnthropicAdapter adapter;
  for (const char* body : {"", "not json", "[]", R"({"id":"msg"})", R"({"content":"text"})",
                           R"({"type":"error","error":{"type":"api_error","message":"boom"}})"}) {
    auto r = adapter.DecodeResponse(body);
    ASSERT_FALSE(r.ok()) << body;
    EXPECT_EQ(r.error().code, ErrorCode::kUpstream) << body;
  }
}

TEST(AnthropicMapErrorTest, Table) {
  const std::string e400 = ReadFile(kDir / "error-400-invalid-request.json");
  const std::string e401 = ReadFile(kDir / "error-401-authentication.json");
  const std::string e429 = ReadFile(kDir / "error-429-rate-limit.json");
  const std::string e529 = ReadFile(kDir / "error-529-overloaded.json");
  auto body = [](const std::string& type, const std::string& message) {
    return R"({"type":"error","error":{"type":")" + type + R"(","message":")" + message + R"("},"request_id":"req_1"})";
  };
  const std::string spend =
      R"({"type":"error","error":{"type":"rate_limit_error","message":"Spend limit reached","details":{"error_code":"enforced_spend_limit_reached"}}})";
  const std::string p = "Provider anthropic answered ";
  const std::vector<testing::MapErrorCase> table = {
      {400,
       e400,
       {},
       ErrorCode::kBadRequest,
       false,
       p + "400: `max_tokens` must be greater than `thinking.budget_tokens`. Please consult our documentation at "
           "https://docs.claude.com/en/docs/build-with-claude/extended-thinking#max-tokens-and-context-window-size"},
      {401, e401, {}, ErrorCode::kUpstream, false, p + "401: the provider rejected the gateway's credentials"},
      {403,
       body("permission_error", "key sk-ant-abc lacks access"),
       {},
       ErrorCode::kUpstream,
       false,
       p + "403: the provider rejected the gateway's credentials"},
      {404,
       body("not_found_error", "model: claude-nope"),
       {},
       ErrorCode::kUpstream,
       false,
       p + "404: model: claude-nope"},
      {413,
       body("request_too_large", "Request exceeds the maximum allowed number of bytes."),
       {},
       ErrorCode::kTooLarge,
       false,
       p + "413: Request exceeds the maximum allowed number of bytes."},
      {413, "<html>413 Request Entity Too Large</html>", {}, ErrorCode::kTooLarge, false, p + "413: no error message"},
      {429,
       e429,
       {},
       ErrorCode::kRateLimited,
       true,
       p + "429: This request would exceed your account's rate limit. Please try again later."},
      {429, spend, {}, ErrorCode::kRateLimited, false, p + "429: Spend limit reached"},
      {500,
       body("api_error", "Internal server error"),
       {},
       ErrorCode::kUpstream,
       true,
       p + "500: Internal server error"},
      {529, e529, {}, ErrorCode::kUnavailable, true, p + "529: Overloaded"},
      {502, "bad gateway", {}, ErrorCode::kUpstream, true, p + "502: no error message"},
      {503, body("", ""), {}, ErrorCode::kUpstream, true, p + "503: no error message"},
      {504, body("timeout_error", ""), {}, ErrorCode::kUpstream, true, p + "504: timeout_error"},
      {408, "", {}, ErrorCode::kTimeout, true, p + "408: no error message"},
      {409, body("conflict_error", "conflict"), {}, ErrorCode::kUpstream, true, p + "409: conflict"},
      {402,
       body("billing_error", "credit balance too low"),
       {},
       ErrorCode::kUpstream,
       false,
       p + "402: credit balance too low"},
      // x-should-retry wins over the status's default, in either direction, any case.
      {529, e529, {{"X-Should-Retry", "false"}}, ErrorCode::kUnavailable, false, p + "529: Overloaded"},
      {500, body("api_error", "x"), {{"x-should-retry", " FALSE "}}, ErrorCode::kUpstream, false, p + "500: x"},
      {400,
       e400,
       {{"x-should-retry", "true"}},
       ErrorCode::kBadRequest,
       true,
       p + "400: `max_tokens` must be greater than `thinking.budget_tokens`. Please consult our documentation at "
           "https://docs.claude.com/en/docs/build-with-claude/extended-thinking#max-tokens-and-context-window-size"},
      {429, spend, {{"x-should-retry", "true"}}, ErrorCode::kRateLimited, true, p + "429: Spend limit reached"},
      {429,
       e429,
       {{"x-should-retry", "maybe"}},
       ErrorCode::kRateLimited,
       true,
       p + "429: This request would exceed your account's rate limit. Please try again later."},
  };
  testing::ExpectMapErrors(AnthropicAdapter(), "anthropic", table);
}

TEST(AnthropicMapErrorTest, CredentialFailuresNeverEchoTheUpstreamText) {
  AnthropicAdapter adapter;
  for (int status : {401, 403}) {
    auto e = adapter.MapError(
        "anthropic", status,
        R"({"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key sk-ant-api03-SECRET"}})",
        {});
    EXPECT_EQ(e.error.message.find("SECRET"), std::string::npos) << status;
    EXPECT_EQ(e.error.message.find("x-api-key"), std::string::npos) << status;
  }
}

TEST(AnthropicMapErrorTest, MessagesNameTheGivenProvider) {
  AnthropicAdapter adapter;
  auto e = adapter.MapError("claude-eu", 429, ReadFile(kDir / "error-429-rate-limit.json"), {});
  EXPECT_EQ(
      e.error.message,
      "Provider claude-eu answered 429: This request would exceed your account's rate limit. Please try again later.");
  EXPECT_EQ(adapter.MapError("claude-eu", 401, "", {}).error.message,
            "Provider claude-eu answered 401: the provider rejected the gateway's credentials");
}

}  // namespace
}  // namespace turnpike::providers::anthropic
