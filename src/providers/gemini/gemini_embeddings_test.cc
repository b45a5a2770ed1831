// OpenAI embeddings requests as Gemini batchEmbedContents calls, and Gemini's answers back,
// against the recorded request and answers (tests/fixtures/providers/gemini).
#include "providers/gemini/gemini_embeddings.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace turnpike::providers::gemini {
namespace {
namespace fs = std::filesystem;
namespace json = boost::json;

std::string Fixture(const std::string& name) {
  std::ifstream in(fs::path(TURNPIKE_FIXTURES_DIR) / "gemini" / name, std::ios::binary);
  EXPECT_TRUE(in) << name;
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

protocol::EmbeddingsRequest Request(std::vector<std::string> texts, std::optional<int64_t> dimensions = {}) {
  protocol::EmbeddingsRequest r;
  for (auto& t : texts) r.inputs.push_back(protocol::EmbeddingInput{std::move(t), {}, false});
  r.dimensions = dimensions;
  return r;
}

TEST(GeminiEmbeddingsTest, EncodesTheRecordedBatchRequest) {
  const EndpointInfo endpoint{"https://generativelanguage.googleapis.com/", "key-1", "models/gemini-embedding-2", 0};
  auto encoded = EncodeBatchEmbedRequest(Request({"First text", "Second text"}, 768), endpoint);
  ASSERT_TRUE(encoded.ok()) << encoded.error().message;
  EXPECT_EQ(encoded->url,
            "https://generativelanguage.googleapis.com/v1beta/models/gemini-embedding-2:batchEmbedContents");
  EXPECT_EQ(FindHeader(encoded->headers, "content-type"), "application/json");
  EXPECT_EQ(FindHeader(encoded->headers, "x-goog-api-key"), "key-1");
  EXPECT_EQ(encoded->body, Fixture("batch-embed-contents.request.json")) << "the recorded client's bytes";
}

TEST(GeminiEmbeddingsTest, RefusesWhatGeminiCannotTake) {
  const EndpointInfo endpoint{"http://g", "", "gemini-embedding-001", 0};
  protocol::EmbeddingsRequest tokens = Request({"a"});
  tokens.inputs.push_back(protocol::EmbeddingInput{{}, {1, 2}, true});
  auto t = EncodeBatchEmbedRequest(tokens, endpoint);
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.error().code, ErrorCode::kBadRequest);
  EXPECT_NE(t.error().message.find("text only"), std::string::npos);

  auto ok = EncodeBatchEmbedRequest(Request(std::vector<std::string>(100, "x")), endpoint);
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->headers.size(), 1u) << "no key header without a key";
  EXPECT_EQ(ok->body.find("outputDimensionality"), std::string::npos);
  auto many = EncodeBatchEmbedRequest(Request(std::vector<std::string>(101, "x")), endpoint);
  ASSERT_FALSE(many.ok());
  EXPECT_EQ(many.error().code, ErrorCode::kBadRequest);
  EXPECT_NE(many.error().message.find("at most 100"), std::string::npos);

  auto unnamed = EncodeBatchEmbedRequest(Request({"a"}), EndpointInfo{"http://g", "", "", 0});
  ASSERT_FALSE(unnamed.ok());
  EXPECT_EQ(unnamed.error().code, ErrorCode::kInternal);
}

TEST(GeminiEmbeddingsTest, DecodesTheRecordedBatchAnswer) {
  const std::string body = Fixture("batch-embed-contents.json");
  auto decoded = DecodeBatchEmbedResponse(body, 2);
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  const json::value v = json::parse(body);
  ASSERT_EQ(decoded->vectors.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    const json::array& values = v.at("embeddings").at(i).at("values").as_array();
    ASSERT_EQ(decoded->vectors[i].size(), values.size());
    for (size_t k = 0; k < values.size(); ++k) EXPECT_EQ(decoded->vectors[i][k], values[k].to_number<double>());
  }
  EXPECT_EQ(decoded->prompt_tokens, 4) << "usageMetadata.promptTokenCount";
}

TEST(GeminiEmbeddingsTest, AnAnswerWithoutUsageOrOfTheWrongSize) {
  auto bare = DecodeBatchEmbedResponse(R"({"embeddings":[{"values":[0.5,-1]}]})", 1);
  ASSERT_TRUE(bare.ok());
  EXPECT_FALSE(bare->prompt_tokens) << "gemini-embedding-001 reports no usage";
  for (auto [body, inputs] : std::vector<std::pair<std::string, size_t>>{{R"({"embeddings":[{"values":[1]}]})", 2},
                                                                         {R"({"embedding":{"values":[1]}})", 1},
                                                                         {R"({"embeddings":[{"values":[1,"x"]}]})", 1},
                                                                         {R"({"embeddings":[{}]})", 1},
                                                                         {"not json", 1}}) {
    auto r = DecodeBatchEmbedResponse(body, inputs);
    ASSERT_FALSE(r.ok()) << body;
    EXPECT_EQ(r.error().code, ErrorCode::kUpstream);
  }
}

}  // namespace
}  // namespace turnpike::providers::gemini
