// The embeddings API's request reader, relay body and answer writer, against recorded requests
// and answers (tests/fixtures/providers: OpenAI's float and base64 lists, OpenRouter's answer).
#include "protocol/embeddings.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace turnpike::protocol {
namespace {
namespace fs = std::filesystem;
namespace json = boost::json;

std::string Fixture(const std::string& name) {
  std::ifstream in(fs::path(TURNPIKE_FIXTURES_DIR) / name, std::ios::binary);
  EXPECT_TRUE(in) << name;
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

Result<EmbeddingsRequest> Read(std::string_view text) { return ReadEmbeddingsRequest(json::parse(text)); }

std::string ErrorOf(std::string_view text) {
  auto r = Read(text);
  EXPECT_FALSE(r.ok()) << text;
  if (r.ok()) return "";
  EXPECT_EQ(r.error().code, ErrorCode::kBadRequest) << text;
  return r.error().message;
}

TEST(ReadEmbeddingsRequestTest, ReadsTheRecordedRequests) {
  auto plain = Read(Fixture("openai/embeddings-float.request.json"));
  ASSERT_TRUE(plain.ok()) << plain.error().message;
  EXPECT_EQ(plain->info.model, "text-embedding-3-small");
  ASSERT_EQ(plain->inputs.size(), 1u);
  EXPECT_EQ(plain->inputs[0].text, "Ruby is a programmer's best friend");
  EXPECT_FALSE(plain->base64);
  EXPECT_EQ(plain->info.prompt_chars, 34);
  EXPECT_EQ(plain->info.inputs, 1);
  EXPECT_EQ(plain->info.max_tokens, 0) << "no output is asked for";
  EXPECT_FALSE(plain->info.stream);
  EXPECT_TRUE(plain->parameters.empty());

  auto b64 = Read(Fixture("openai/embeddings-base64.request.json"));
  ASSERT_TRUE(b64.ok()) << b64.error().message;
  EXPECT_TRUE(b64->base64);
  ASSERT_EQ(b64->inputs.size(), 1u);
  EXPECT_EQ(b64->inputs[0].text, "Brandon favorite color");

  auto routed = Read(Fixture("openrouter/embeddings.request.json"));
  ASSERT_TRUE(routed.ok());
  EXPECT_EQ(routed->info.model, "openai/text-embedding-3-small");
}

TEST(ReadEmbeddingsRequestTest, EveryInputForm) {
  auto strings = Read(R"({"model":"m","input":["a","bc","def"]})");
  ASSERT_TRUE(strings.ok());
  ASSERT_EQ(strings->inputs.size(), 3u);
  EXPECT_EQ(strings->inputs[2].text, "def");
  EXPECT_EQ(strings->info.prompt_chars, 6);
  EXPECT_EQ(strings->info.inputs, 3);

  auto tokens = Read(R"({"model":"m","input":[1,2,3,4294967295]})");
  ASSERT_TRUE(tokens.ok());
  ASSERT_EQ(tokens->inputs.size(), 1u) << "an array of token ids is one input";
  EXPECT_TRUE(tokens->inputs[0].is_tokens);
  EXPECT_EQ(tokens->inputs[0].tokens, (std::vector<int64_t>{1, 2, 3, 4294967295}));
  EXPECT_EQ(tokens->info.prompt_chars, 16) << "four characters a token id";

  auto batches = Read(R"({"model":"m","input":[[5],[6,7]],"dimensions":256,"encoding_format":"base64"})");
  ASSERT_TRUE(batches.ok());
  ASSERT_EQ(batches->inputs.size(), 2u);
  EXPECT_EQ(batches->inputs[1].tokens, (std::vector<int64_t>{6, 7}));
  EXPECT_EQ(batches->dimensions, 256);
  EXPECT_TRUE(batches->base64);
  EXPECT_EQ(batches->parameters, std::vector<std::string>{"dimensions"});

  auto fallback = Read(R"({"models":["a/b","c/d"],"input":"x","user":"u","provider":{"sort":"price"},"foo":1})");
  ASSERT_TRUE(fallback.ok());
  EXPECT_EQ(fallback->info.model, "a/b") << "OpenRouter's models alone name the model";
  EXPECT_EQ(fallback->parameters, std::vector<std::string>{"foo"}) << "OpenRouter's members are the gateway's";
}

TEST(ReadEmbeddingsRequestTest, RefusesBadInputsNamingTheMember) {
  EXPECT_NE(ErrorOf(R"([1])").find("JSON object"), std::string::npos);
  EXPECT_NE(ErrorOf(R"({"input":"x"})").find("'model' is required"), std::string::npos);
  EXPECT_NE(ErrorOf(R"({"model":"m"})").find("'input' is required"), std::string::npos);
  EXPECT_NE(ErrorOf(R"({"model":"m","input":null})").find("'input' is required"), std::string::npos);
  EXPECT_NE(ErrorOf(R"({"model":"m","input":""})").find("empty string"), std::string::npos);
  EXPECT_NE(ErrorOf(R"({"model":"m","input":[]})").find("empty array"), std::string::npos);
  EXPECT_NE(ErrorOf(R"({"model":"m","input":["a",""]})").find("'input[1]' must not be an empty string"),
            std::string::npos);
  EXPECT_NE(ErrorOf(R"({"model":"m","input":[[1],[]]})").find("'input[1]'"), std::string::npos);
  EXPECT_NE(ErrorOf(R"({"model":"m","input":42})").find("'input' must be a string"), std::string::npos);
  EXPECT_NE(ErrorOf(R"({"model":"m","input":["a",1]})").find("'input[1]' is not"), std::string::npos);
  EXPECT_NE(ErrorOf(R"({"model":"m","input":[1,"a"]})").find("token ids"), std::string::npos);
  EXPECT_NE(ErrorOf(R"({"model":"m","input":[-1]})").find("token ids"), std::string::npos);
  EXPECT_NE(ErrorOf(R"({"model":"m","input":[1.5]})").find("token ids"), std::string::npos);
  EXPECT_NE(ErrorOf(R"({"model":"m","input":[[1],[2.5]]})").find("'input[1]' must hold token ids"), std::string::npos);
  EXPECT_NE(ErrorOf(R"({"model":"m","input":[{"content":"x"}]})").find("multimodal"), std::string::npos);
  EXPECT_NE(ErrorOf(R"({"model":"m","input":"x","encoding_format":"binary"})").find("'encoding_format'"),
            std::string::npos);
  for (const char* d : {"0", "-1", "1.5", "\"8\""}) {
    EXPECT_NE(ErrorOf(std::string(R"({"model":"m","input":"x","dimensions":)") + d + "}").find("'dimensions'"),
              std::string::npos)
        << d;
  }
  EXPECT_NE(ErrorOf(R"({"model":"m","input":"x","n":1e999})").find("too large"), std::string::npos);
}

TEST(ReadEmbeddingsRequestTest, BoundsTheBatch) {
  json::array inputs;
  for (size_t i = 0; i < kMaxEmbeddingInputs; ++i) inputs.emplace_back("x");
  json::object body{{"model", "m"}, {"input", inputs}};
  EXPECT_TRUE(ReadEmbeddingsRequest(body).ok()) << "2048 inputs";
  body["input"].as_array().emplace_back("x");
  auto over = ReadEmbeddingsRequest(body);
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(over.error().message, "'input' holds 2049 inputs; at most 2048 can be embedded in one request");

  json::array tokens;
  for (int i = 0; i < 3; ++i) tokens.push_back(json::array(100'000, json::value(7)));
  EXPECT_TRUE(ReadEmbeddingsRequest(json::object{{"model", "m"}, {"input", tokens}}).ok()) << "300,000 tokens";
  tokens.push_back(json::array{json::value(7)});
  auto many = ReadEmbeddingsRequest(json::object{{"model", "m"}, {"input", tokens}});
  ASSERT_FALSE(many.ok());
  EXPECT_NE(many.error().message.find("300001 tokens; at most 300000"), std::string::npos);
}

TEST(EmbeddingsRelayBodyTest, RenamesTheModelAndDropsWhatTheEndpointDoesNotTake) {
  const std::string body =
      R"({"model":"openai/text-embedding-3-small", "input":["a","b"],"provider":{"order":["openai"]},)"
      R"("models":["x/y"],"encoding_format":"base64","dimensions":256,"input_type":"query","user":"alice"})";
  const std::vector<std::string> supported{"dimensions", "encoding_format", "user"};
  EXPECT_EQ(EmbeddingsRelayBody(body, "text-embedding-3-small", supported, "tag", true),
            R"({"model":"text-embedding-3-small", "input":["a","b"],"encoding_format":"base64","dimensions":256,)"
            R"("user":"tag"})");
  EXPECT_EQ(EmbeddingsRelayBody(body, "up", {"dimensions"}, "", false),
            R"({"model":"up", "input":["a","b"],"dimensions":256})")
      << "no encoding_format when the gateway writes base64 itself; no user";
  EXPECT_EQ(EmbeddingsRelayBody(R"({"input":"a","model":"m"})", "up", {}, "", true), R"({"input":"a","model":"up"})")
      << "every other byte as sent";
}

TEST(ReadEmbeddingsListTest, ReadsRecordedFloatAndBase64Lists) {
  const std::string floats = Fixture("openai/embeddings-float.json");
  auto f = ReadEmbeddingsList(json::parse(floats).as_object());
  ASSERT_TRUE(f.ok()) << f.error().message;
  ASSERT_EQ(f->vectors.size(), 1u);
  ASSERT_EQ(f->vectors[0].size(), 1536u);
  EXPECT_EQ(f->vectors[0][0], -0.0472412109375);
  EXPECT_EQ(f->prompt_tokens, 7);

  const std::string b64 = Fixture("openai/embeddings-base64.json");
  const json::value parsed = json::parse(b64);
  auto b = ReadEmbeddingsList(parsed.as_object());
  ASSERT_TRUE(b.ok()) << b.error().message;
  ASSERT_EQ(b->vectors.size(), 1u);
  ASSERT_EQ(b->vectors[0].size(), 1536u);
  EXPECT_EQ(b->prompt_tokens, 3);
  // Encoding the decoded floats gives OpenAI's bytes back.
  EXPECT_EQ(Float32Base64(b->vectors[0]), parsed.at("data").at(0).at("embedding").as_string());
}

TEST(ReadEmbeddingsListTest, RefusesWhatIsNotAList) {
  for (const char* bad : {R"({"object":"list"})", R"({"data":[{"index":0}]})", R"({"data":[{"embedding":"@@@@"}]})",
                          R"({"data":[{"embedding":[1,"x"]}]})", R"({"data":[{"embedding":[1],"index":3}]})",
                          R"({"data":[{"embedding":[1],"index":0},{"embedding":[2],"index":0}]})"}) {
    auto r = ReadEmbeddingsList(json::parse(bad).as_object());
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code, ErrorCode::kUpstream);
  }
  auto reordered = ReadEmbeddingsList(
      json::parse(R"({"data":[{"embedding":[2],"index":1},{"embedding":[1],"index":0}]})").as_object());
  ASSERT_TRUE(reordered.ok());
  EXPECT_EQ(reordered->vectors, (std::vector<std::vector<double>>{{1}, {2}})) << "by index";
  EXPECT_FALSE(reordered->prompt_tokens);
}

TEST(Float32Base64Test, LittleEndianFloat32WithPadding) {
  EXPECT_EQ(Float32Base64({}), "");
  EXPECT_EQ(Float32Base64({1.0}), "AACAPw==");            // 00 00 80 3f
  EXPECT_EQ(Float32Base64({1.0, -2.0}), "AACAPwAAAMA=");  // … 00 00 00 c0
  EXPECT_EQ(Float32Base64({0.1}), Float32Base64({0.100000001490116119384765625})) << "rounded to the float";
}

// The gateway's list, given OpenRouter's vector, usage, provider and id, is OpenRouter's answer:
// its key order and layout to the byte, and the same numbers (written as the shortest decimal
// that reads back the same; the recording writes each float32 value's exact decimal).
TEST(EncodeEmbeddingsListTest, WritesOpenRoutersAnswer) {
  const std::string recorded = Fixture("openrouter/embeddings.json");
  const json::value v = json::parse(recorded);
  auto read = ReadEmbeddingsList(v.as_object());
  ASSERT_TRUE(read.ok());
  const std::string usage = recorded.substr(recorded.find(R"("usage":)") + 8);
  const std::string ours =
      EncodeEmbeddingsList(*read, false, v.at("model").as_string(), usage.substr(0, usage.find(R"(,"provider")")),
                           v.at("provider").as_string(), v.at("id").as_string());
  EXPECT_EQ(json::parse(ours), v);
  auto layout = [](const std::string& text) {  // the text without the numbers of the vector
    const size_t open = text.find(R"("embedding":[)") + 13;
    return text.substr(0, open) + text.substr(text.find(']', open));
  };
  EXPECT_EQ(layout(ours), layout(recorded));
}

TEST(EncodeEmbeddingsListTest, Base64AndSmallNumbers) {
  Embeddings e;
  e.vectors = {{1.0, -2.0}, {0.5e-7, 1e-6, -0.0, 123.25}};
  EXPECT_EQ(EncodeEmbeddingsList(e, false, "g/m", R"({"prompt_tokens":2})", "Google", "gen-1"),
            R"({"object":"list","data":[{"object":"embedding","embedding":[1,-2],"index":0},)"
            R"({"object":"embedding","embedding":[5e-8,0.000001,0,123.25],"index":1}],"model":"g/m",)"
            R"("usage":{"prompt_tokens":2},"provider":"Google","id":"gen-1"})");
  const std::string b64 = EncodeEmbeddingsList(e, true, "g/m", "{}", "Google", "gen-1");
  EXPECT_NE(b64.find(R"("embedding":"AACAPwAAAMA=","index":0)"), std::string::npos) << b64;
}

}  // namespace
}  // namespace turnpike::protocol
