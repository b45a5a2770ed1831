// The OpenAI chat request: shape checks, what routing and billing read from it, and the body
// rewritten for the upstream, checked on the recorded request bodies.
#include "protocol/openai_chat.h"

#include "protocol/json_members.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace turnpike::protocol {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

Result<ChatRequestInfo> Inspect(std::string_view text) { return InspectChatRequest(json::parse(text)); }

// Expects a kBadRequest whose message mentions `field`.
void ExpectBad(std::string_view body, const std::string& field) {
  auto r = Inspect(body);
  ASSERT_FALSE(r.ok()) << body;
  EXPECT_EQ(r.error().code, ErrorCode::kBadRequest) << body;
  EXPECT_NE(r.error().message.find(field), std::string::npos) << body << " → " << r.error().message;
}

constexpr char kMsgs[] = R"("messages":[{"role":"user","content":"hi"}])";

std::string Body(const std::string& extra) {
  return std::string("{\"model\":\"openai/gpt-4o-mini\",") + kMsgs + (extra.empty() ? "" : "," + extra) + "}";
}

TEST(InspectChatRequestTest, MinimalRequest) {
  auto r = Inspect(Body(""));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->model, "openai/gpt-4o-mini");
  EXPECT_FALSE(r->stream);
  EXPECT_FALSE(r->include_usage);
  EXPECT_FALSE(r->max_tokens.has_value());
  EXPECT_EQ(r->prompt_chars, 2);
  EXPECT_EQ(r->images, 0);
}

// Shown by fuzz_chat_request: Boost.JSON reads 1e309 as infinity and writes it back as
// `Infinity`, so the body sent to a translated provider (or a rewritten stream_options) was not
// JSON. Refused with 400 wherever it is.
TEST(InspectChatRequestTest, NumbersBeyondADoubleAreRefused) {
  ExpectBad(Body(R"("temperature":11e308)"), "too large");
  ExpectBad(Body(R"("stream":true,"stream_options":{"x":-1e999})"), "too large");
  ExpectBad(Body(R"("tools":[{"type":"function","function":{"name":"f","parameters":{"maximum":1e400}}}])"),
            "too large");
  EXPECT_TRUE(Inspect(Body(R"("temperature":1.7e308,"top_p":-4.9e-324)")).ok());
}

TEST(InspectChatRequestTest, NotAnObject) {
  for (const char* body : {"[]", "\"x\"", "1", "null"}) {
    auto r = Inspect(body);
    ASSERT_FALSE(r.ok()) << body;
    EXPECT_EQ(r.error().code, ErrorCode::kBadRequest);
  }
}

TEST(InspectChatRequestTest, Model) {
  ExpectBad(std::string("{") + kMsgs + "}", "model");
  ExpectBad(std::string("{\"model\":\"\",") + kMsgs + "}", "model");
  ExpectBad(std::string("{\"model\":5,") + kMsgs + "}", "model");
  ExpectBad(std::string("{\"model\":null,") + kMsgs + "}", "model");
  ExpectBad(std::string("{\"model\":[\"a\"],") + kMsgs + "}", "model");
}

TEST(InspectChatRequestTest, Messages) {
  ExpectBad(R"({"model":"m"})", "messages");
  ExpectBad(R"({"model":"m","messages":[]})", "messages");
  ExpectBad(R"({"model":"m","messages":"hi"})", "messages");
  ExpectBad(R"({"model":"m","messages":{"role":"user"}})", "messages");
  ExpectBad(R"({"model":"m","messages":null})", "messages");
}

TEST(InspectChatRequestTest, EachMessageIsAnObjectWithARole) {
  ExpectBad(R"({"model":"m","messages":["hi"]})", "messages[0]");
  ExpectBad(R"({"model":"m","messages":[{"role":"user","content":"a"},3]})", "messages[1]");
  ExpectBad(R"({"model":"m","messages":[{"content":"a"}]})", "messages[0].role");
  ExpectBad(R"({"model":"m","messages":[{"role":"user"},{"role":7}]})", "messages[1].role");
  ExpectBad(R"({"model":"m","messages":[{"role":null}]})", "messages[0].role");
}

TEST(InspectChatRequestTest, Stream) {
  ExpectBad(Body(R"("stream":"true")"), "stream");
  ExpectBad(Body(R"("stream":1)"), "stream");
  auto r = Inspect(Body(R"("stream":true)"));
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->stream);
  r = Inspect(Body(R"("stream":false)"));
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->stream);
  r = Inspect(Body(R"("stream":null)"));
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->stream);
}

TEST(InspectChatRequestTest, IncludeUsage) {
  auto r = Inspect(Body(R"("stream":true,"stream_options":{"include_usage":true})"));
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->include_usage);
  r = Inspect(Body(R"("stream":true,"stream_options":{"include_usage":false})"));
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->include_usage);
  r = Inspect(Body(R"("stream":true,"stream_options":{})"));
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->include_usage);
  ExpectBad(Body(R"("stream_options":"yes")"), "stream_options");
}

TEST(InspectChatRequestTest, MaxTokensMustBeAPositiveInteger) {
  for (const char* v : {"0", "-1", "\"5\"", "1.5", "true", "[]", "{}"}) {
    ExpectBad(Body(std::string("\"max_tokens\":") + v), "max_tokens");
    ExpectBad(Body(std::string("\"max_completion_tokens\":") + v), "max_completion_tokens");
  }
}

TEST(InspectChatRequestTest, MaxTokens) {
  auto r = Inspect(Body(R"("max_tokens":256)"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->max_tokens, 256);
  r = Inspect(Body(R"("max_tokens":null)"));
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->max_tokens.has_value());
  r = Inspect(Body(R"("max_tokens":9223372036854775807)"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->max_tokens, INT64_MAX);
}

TEST(InspectChatRequestTest, MaxCompletionTokensWinsOverMaxTokens) {
  auto r = Inspect(Body(R"("max_tokens":100,"max_completion_tokens":50)"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->max_tokens, 50);
  r = Inspect(Body(R"("max_completion_tokens":500,"max_tokens":100)"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->max_tokens, 500);
  r = Inspect(Body(R"("max_completion_tokens":null,"max_tokens":100)"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->max_tokens, 100);
}

TEST(InspectChatRequestTest, PromptCharsAndImages) {
  auto r = Inspect(R"({"model":"m","messages":[
      {"role":"system","content":"abc"},
      {"role":"user","content":[
        {"type":"text","text":"hello"},
        {"type":"image_url","image_url":{"url":"https://example.com/a.png"}},
        {"type":"text","text":"world!"},
        {"type":"image_url","image_url":{"url":"data:image/png;base64,AAAA"}}]},
      {"role":"assistant","content":null},
      {"role":"user","content":""}]})");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->prompt_chars, 3 + 5 + 6);  // "abc", "hello", "world!"; image URLs are not text
  EXPECT_EQ(r->images, 2);
}

TEST(InspectChatRequestTest, ToolsAndToolCallsCountTowardsThePrompt) {
  auto plain = Inspect(R"({"model":"m","messages":[{"role":"user","content":"hi"}]})");
  auto with_tools = Inspect(
      R"({"model":"m","messages":[{"role":"user","content":"hi"}],"tools":[{"type":"function","function":{"name":"f"}}]})");
  auto with_calls = Inspect(
      R"({"model":"m","messages":[{"role":"user","content":"hi"},{"role":"assistant","tool_calls":[{"id":"c","type":"function","function":{"name":"f","arguments":"{}"}}]}]})");
  ASSERT_TRUE(plain.ok() && with_tools.ok() && with_calls.ok());
  EXPECT_GT(with_tools->prompt_chars, plain->prompt_chars);
  EXPECT_GT(with_calls->prompt_chars, plain->prompt_chars);
}

// Whatever reaches the model as prompt counts toward the hold: parts that are not text or images
// (files, audio) by the bytes of their JSON, and legacy functions, response_format schemas,
// tool_choice and message members such as names and tool-call ids.
TEST(InspectChatRequestTest, EveryInputPartCountsTowardsThePrompt) {
  auto plain = Inspect(R"({"model":"m","messages":[{"role":"user","content":"hi"}]})");
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->prompt_chars, 2);
  const std::string file =
      R"({"type":"file","file":{"filename":"a.pdf","file_data":"data:application/pdf;base64,JVBERi0xLjQKJcfs"}})";
  const std::string audio =
      R"({"type":"input_audio","input_audio":{"data":"UklGRiQAAABXQVZFZm10IBAAAAABAAEA","format":"wav"}})";
  for (const std::string& part : {file, audio}) {
    auto r =
        Inspect(R"({"model":"m","messages":[{"role":"user","content":[{"type":"text","text":"hi"},)" + part + "]}]}");
    ASSERT_TRUE(r.ok()) << part;
    EXPECT_EQ(r->prompt_chars, 2 + static_cast<int64_t>(json::serialize(json::parse(part)).size())) << part;
    EXPECT_EQ(r->images, 0);
  }
  for (const std::string member :
       {R"("functions":[{"name":"f","parameters":{"type":"object"}}])",
        R"("response_format":{"type":"json_schema","json_schema":{"name":"s","schema":{"type":"object"}}})",
        R"("tool_choice":{"type":"function","function":{"name":"f"}})"}) {
    auto r = Inspect(R"({"model":"m","messages":[{"role":"user","content":"hi"}],)" + member + "}");
    ASSERT_TRUE(r.ok()) << member;
    EXPECT_GT(r->prompt_chars, plain->prompt_chars + 20) << member;
  }
  auto named = Inspect(R"({"model":"m","messages":[{"role":"tool","tool_call_id":"call_123456789","content":"hi"}]})");
  ASSERT_TRUE(named.ok());
  EXPECT_GT(named->prompt_chars, plain->prompt_chars + 14);
}

// Each of n choices is generated and billed apart.
TEST(InspectChatRequestTest, ChoicesAreCountedAndBounded) {
  EXPECT_EQ(Inspect(R"({"model":"m","messages":[{"role":"user","content":"hi"}]})")->n, 1);
  EXPECT_EQ(Inspect(R"({"model":"m","n":3,"messages":[{"role":"user","content":"hi"}]})")->n, 3);
  for (const char* n : {"0", "-1", "1.5", "\"2\"", "129"}) {
    auto r = Inspect(std::string(R"({"model":"m","n":)") + n + R"(,"messages":[{"role":"user","content":"hi"}]})");
    ASSERT_FALSE(r.ok()) << n;
    EXPECT_EQ(r.error().code, ErrorCode::kBadRequest);
    EXPECT_NE(r.error().message.find("'n'"), std::string::npos) << r.error().message;
  }
}

TEST(InspectChatRequestTest, ImageFixture) {
  std::string body = ReadFile(fs::path(TURNPIKE_FIXTURES_DIR) / "openai/chat-request-image-input.json");
  auto r = Inspect(body);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->model, "gpt-5-nano");
  EXPECT_EQ(r->images, 1);
  EXPECT_EQ(r->prompt_chars, 46);  // "Answer in up to 5 words: What's in this image?"
}

// --- RewriteForUpstream ---

std::vector<fs::path> RequestFixtures() {
  std::vector<fs::path> out;
  fs::path dir = fs::path(TURNPIKE_FIXTURES_DIR) / "openai";
  for (const auto& entry : fs::directory_iterator(dir)) {
    std::string name = entry.path().filename().string();
    if (name.ends_with(".request.json")) out.push_back(entry.path());
  }
  std::sort(out.begin(), out.end());
  out.push_back(dir / "chat-request-image-input.json");
  return out;
}

// Offsets of the top-level "model" value in `body`, found with a plain text search (the
// fixtures hold the key "model" once).
std::pair<size_t, size_t> ModelValueSpan(const std::string& body) {
  size_t key = body.find("\"model\"");
  EXPECT_NE(key, std::string::npos);
  EXPECT_EQ(body.find("\"model\"", key + 1), std::string::npos);
  size_t begin = body.find('"', body.find(':', key) + 1);
  size_t end = body.find('"', begin + 1) + 1;
  return {begin, end};
}

TEST(RewriteForUpstreamTest, RealRequestsNonStreaming) {
  auto fixtures = RequestFixtures();
  ASSERT_GE(fixtures.size(), 4u);
  for (const auto& path : fixtures) {
    SCOPED_TRACE(path.filename().string());
    std::string body = ReadFile(path);
    json::value parsed = json::parse(body);
    std::string out = RewriteForUpstream(body, parsed, "upstream-model-x", false);

    json::value rewritten = json::parse(out);
    EXPECT_EQ(rewritten.at("model"), "upstream-model-x");
    rewritten.as_object()["model"] = parsed.at("model");
    EXPECT_EQ(rewritten, parsed);

    auto [begin, end] = ModelValueSpan(body);
    EXPECT_EQ(out.substr(0, begin), body.substr(0, begin));
    EXPECT_EQ(out.substr(begin, 18), "\"upstream-model-x\"");
    EXPECT_EQ(out.substr(begin + 18), body.substr(end));
  }
}

TEST(RewriteForUpstreamTest, RealRequestsStreaming) {
  for (const auto& path : RequestFixtures()) {
    SCOPED_TRACE(path.filename().string());
    std::string body = ReadFile(path);
    json::value parsed = json::parse(body);
    std::string out = RewriteForUpstream(body, parsed, "m2", true);

    json::value rewritten = json::parse(out);
    EXPECT_EQ(rewritten.at("model"), "m2");
    EXPECT_EQ(rewritten.at("stream_options").at("include_usage"), true);
    rewritten.as_object()["model"] = parsed.at("model");
    rewritten.as_object().erase("stream_options");
    EXPECT_EQ(rewritten, parsed);
    // Everything up to the model value is untouched.
    auto [begin, end] = ModelValueSpan(body);
    EXPECT_EQ(out.substr(0, begin), body.substr(0, begin));
  }
}

TEST(RewriteForUpstreamTest, NumbersKeepTheirSpelling) {
  std::string body =
      R"({"temperature":0.7,"model":"openai/gpt-4o-mini","top_p":1.0,"seed":1e3,"frequency_penalty":-0.50,)"
      R"("logit_bias":{"50256":-100},"messages":[{"role":"user","content":"x"}]})";
  json::value parsed = json::parse(body);
  std::string out = RewriteForUpstream(body, parsed, "gpt-4o-mini", false);
  EXPECT_EQ(out, R"({"temperature":0.7,"model":"gpt-4o-mini","top_p":1.0,"seed":1e3,"frequency_penalty":-0.50,)"
                 R"("logit_bias":{"50256":-100},"messages":[{"role":"user","content":"x"}]})");
}

TEST(RewriteForUpstreamTest, ModelNeedingEscapes) {
  std::string body = R"({"model":"a","messages":[]})";
  std::string out = RewriteForUpstream(body, json::parse(body), "we\"ird\\name", false);
  EXPECT_EQ(json::parse(out).at("model"), "we\"ird\\name");
}

TEST(RewriteForUpstreamTest, StreamAddsIncludeUsage) {
  std::string body = R"({"model":"a","stream":true,"temperature":0.7,"messages":[{"role":"user","content":"x"}]})";
  std::string out = RewriteForUpstream(body, json::parse(body), "b", true);
  EXPECT_EQ(out, R"({"model":"b","stream":true,"temperature":0.7,"messages":[{"role":"user","content":"x"}],)"
                 R"("stream_options":{"include_usage":true}})");
}

TEST(RewriteForUpstreamTest, StreamOptionsKeepOtherKeysAndForceIncludeUsage) {
  std::string body =
      R"({"model":"a","stream":true,"stream_options":{"include_usage":false,"include_obfuscation":false},"temperature":0.7,"messages":[]})";
  std::string out = RewriteForUpstream(body, json::parse(body), "b", true);
  json::value v = json::parse(out);
  EXPECT_EQ(v.at("stream_options"), json::parse(R"({"include_usage":true,"include_obfuscation":false})"));
  EXPECT_EQ(v.at("model"), "b");
  // The bytes after stream_options are as sent.
  EXPECT_TRUE(out.ends_with(R"(,"temperature":0.7,"messages":[]})")) << out;
}

TEST(RewriteForUpstreamTest, NullStreamOptionsAreReplaced) {
  std::string body = R"({"model":"a","stream":true,"stream_options":null,"messages":[]})";
  std::string out = RewriteForUpstream(body, json::parse(body), "b", true);
  EXPECT_EQ(json::parse(out).at("stream_options"), json::parse(R"({"include_usage":true})"));
}

TEST(RewriteForUpstreamTest, NotStreamingLeavesStreamOptionsAlone) {
  std::string body = R"({"model":"a","stream_options":{"include_usage":false},"messages":[]})";
  EXPECT_EQ(RewriteForUpstream(body, json::parse(body), "b", false),
            R"({"model":"b","stream_options":{"include_usage":false},"messages":[]})");
}

// Shown by fuzz_chat_request's checks: members spelled with escapes ("max_tok\u0065ns") are
// the same members to the gateway and to the provider, so the rewrite must treat them as such:
// capped, removed, replaced, never sent beside a second copy.
TEST(RewriteForUpstreamTest, MembersSpelledWithEscapes) {
  std::string body = R"({"mod\u0065l":"a","stream":true,"stream_opti\u006fns":{"include_usage":false},)"
                     R"("max_tok\u0065ns":99999,"prov\u0069der":{"only":["x"]},"messages":[]})";
  std::vector<std::string> supported{"max_tokens"};
  RelayEdits edits;
  edits.supported = &supported;
  edits.output_limit = 4096;
  std::string out = RewriteForUpstream(body, json::parse(body), "b", true, edits);
  json::value v = json::parse(out);
  EXPECT_EQ(v.as_object().size(), ScanObject(out)->members.size()) << out;  // no member twice
  EXPECT_EQ(v.at("model"), "b");
  EXPECT_EQ(v.at("max_tokens"), 4096);
  EXPECT_EQ(v.at("stream_options"), json::parse(R"({"include_usage":true})"));
  EXPECT_FALSE(v.as_object().contains("provider")) << out;
}

// The provider is never asked for more output than the gateway held for: a limit above it is
// lowered to it, one within it stays, and a request without one gets it.
TEST(RewriteForUpstreamTest, TheHeldOutputLimitIsWrittenIntoEveryRequest) {
  RelayEdits edits;
  edits.output_limit = 500;
  auto rewrite = [&](const std::string& body) {
    return json::parse(RewriteForUpstream(body, json::parse(body), "b", false, edits));
  };
  EXPECT_EQ(rewrite(R"({"model":"a","max_tokens":9000,"messages":[]})").at("max_tokens"), 500);
  EXPECT_EQ(rewrite(R"({"model":"a","max_tokens":20,"messages":[]})").at("max_tokens"), 20);
  EXPECT_EQ(rewrite(R"({"model":"a","max_tokens":null,"messages":[]})").at("max_tokens"), 500);
  json::value both = rewrite(R"({"model":"a","max_tokens":9000,"max_completion_tokens":10,"messages":[]})");
  EXPECT_EQ(both.at("max_tokens"), 500);
  EXPECT_EQ(both.at("max_completion_tokens"), 10);
  json::value none = rewrite(R"({"model":"a","messages":[]})");
  EXPECT_EQ(none.at("max_tokens"), 500);
  EXPECT_FALSE(none.as_object().contains("max_completion_tokens"));
  edits.limit_member = "max_completion_tokens";  // OpenAI's own API
  none = rewrite(R"({"model":"a","messages":[]})");
  EXPECT_EQ(none.at("max_completion_tokens"), 500);
  EXPECT_FALSE(none.as_object().contains("max_tokens"));
  // A limit the endpoint does not list is left out, and the held one is sent in its place.
  std::vector<std::string> supported{"temperature"};
  edits.supported = &supported;
  edits.limit_member = "max_tokens";
  EXPECT_EQ(rewrite(R"({"model":"a","max_tokens":9000,"messages":[]})").at("max_tokens"), 500);
}

}  // namespace
}  // namespace turnpike::protocol
