// Golden tests of the whole translation: each recorded Anthropic, Gemini and OpenAI answer, decoded
// by its adapter and re-encoded by the OpenAI encoder, must equal the reviewed OpenAI bytes under
// tests/golden/. (For OpenAI that is the translation path, used when another client dialect is
// in front; it is not byte-identical to the recording: ids, created and extra fields are the
// gateway's.) Each output is also checked for what clients rely on (chunk shape, one role
// chunk first, one finish, tool-call indexes) so a golden file cannot bless a broken stream.
// TURNPIKE_UPDATE_GOLDEN=1 rewrites the files (review the diff before committing it).
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "protocol/openai_encode.h"
#include "protocol/sse_reader.h"
#include "providers/adapter_test_util.h"
#include "providers/provider.h"

namespace turnpike::providers {
namespace {
namespace json = boost::json;
namespace fs = std::filesystem;
using protocol::StreamEvent;

std::string Read(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

void CompareWithGolden(const std::string& actual, const fs::path& golden) {
  if (const char* update = std::getenv("TURNPIKE_UPDATE_GOLDEN"); update && std::string(update) == "1") {
    fs::create_directories(golden.parent_path());
    std::ofstream(golden, std::ios::binary) << actual;
  }
  ASSERT_TRUE(fs::exists(golden)) << golden << " is missing (TURNPIKE_UPDATE_GOLDEN=1 writes it)";
  EXPECT_EQ(actual, Read(golden)) << "differs from " << golden;
}

// The OpenAI stream a client receives for `fixture` (no cost: usage as mapped).
std::string TranslateStream(const Adapter& adapter, const std::string& bytes) {
  protocol::SseReader reader;
  auto decoder = adapter.NewStreamDecoder();
  protocol::OpenAiChunkEncoder encoder("gen-golden", "upstream-model", 1700000000);
  std::vector<StreamEvent> events;
  std::optional<protocol::Usage> usage;
  std::string out;
  bool failed = false;
  auto drain = [&] {
    for (const auto& e : events) {
      if (e.type == StreamEvent::Type::kUsage) usage = e.usage;
      if (e.type == StreamEvent::Type::kError) {
        failed = true;
        out += "error: " + e.error.message + "\n";
      }
      out += encoder.Encode(e);
    }
    events.clear();
  };
  EXPECT_TRUE(reader
                  .Feed(bytes,
                        [&](protocol::SseEvent&& ev) {
                          EXPECT_TRUE(decoder->OnEvent(ev, events).ok());
                          drain();
                        })
                  .ok());
  decoder->OnEnd(events);
  drain();
  if (!failed) out += encoder.Close(usage ? json::serialize(protocol::UsageJson(*usage)) : "") + "data: [DONE]\n\n";
  return out;
}

// What every client relies on in the stream `sse`.
void CheckStreamShape(const std::string& sse) {
  int finishes = 0;
  int chunks = 0;
  int next_tool_index = 0;
  size_t pos = 0;
  while ((pos = sse.find("data: {", pos)) != std::string::npos) {
    size_t end = sse.find("\n\n", pos);
    auto chunk = json::parse(sse.substr(pos + 6, end - pos - 6)).as_object();
    pos = end;
    EXPECT_EQ(chunk.at("object"), "chat.completion.chunk");
    EXPECT_TRUE(chunk.at("created").is_int64());
    EXPECT_FALSE(chunk.contains("system_fingerprint"));
    const auto& choices = chunk.at("choices").as_array();
    if (choices.empty()) {
      EXPECT_TRUE(chunk.at("usage").is_object());
      continue;
    }
    const auto& choice = choices[0].as_object();
    const auto& delta = choice.at("delta").as_object();
    EXPECT_EQ(chunks++ == 0, delta.contains("role")) << "exactly the first chunk carries the role";
    if (!choice.at("finish_reason").is_null()) ++finishes;
    if (const auto* calls = delta.if_contains("tool_calls")) {
      const auto& call = calls->as_array()[0].as_object();
      int index = static_cast<int>(call.at("index").as_int64());
      if (call.contains("id")) {
        EXPECT_EQ(index, next_tool_index++) << "tool calls are numbered 0, 1, … in order";
        EXPECT_FALSE(call.at("function").at("name").as_string().empty());
      } else {
        EXPECT_LT(index, next_tool_index) << "arguments only for a call already started";
      }
    }
  }
  EXPECT_GT(chunks, 0);
  EXPECT_LE(finishes, 1);
}

struct Case {
  const char* adapter;
  const char* folder;
};

class TranslationGoldenTest : public ::testing::TestWithParam<Case> {};

TEST_P(TranslationGoldenTest, EveryRecordedAnswer) {
  const Adapter* adapter = FindAdapter(GetParam().adapter);
  ASSERT_NE(adapter, nullptr) << GetParam().adapter;
  fs::path fixtures = fs::path(TURNPIKE_FIXTURES_DIR) / GetParam().folder;
  fs::path golden = fs::path(TURNPIKE_SOURCE_DIR) / "tests/golden" / GetParam().folder;
  int seen = 0;
  for (const auto& entry : fs::directory_iterator(fixtures)) {
    std::string name = entry.path().filename().string();
    if (name.find("request") != std::string::npos || name.starts_with("error-")) continue;
    if (!providers::testing::IsChatFixture(GetParam().folder, name)) continue;  // another API's recording
    SCOPED_TRACE(name);
    std::string bytes = Read(entry.path());
    if (entry.path().extension() == ".sse") {
      std::string out = TranslateStream(*adapter, bytes);
      CheckStreamShape(out);
      CompareWithGolden(out, golden / (name + ".openai.sse"));
    } else {
      auto response = adapter->DecodeResponse(bytes);
      ASSERT_TRUE(response.ok()) << response.error().message;
      std::string usage = response->usage ? json::serialize(protocol::UsageJson(*response->usage)) : "null";
      std::string out = protocol::EncodeChatCompletion(*response, "gen-golden", response->model, 1700000000, usage);
      auto parsed = json::parse(out);
      EXPECT_FALSE(parsed.at("choices").at(0).at("finish_reason").as_string().empty());
      CompareWithGolden(out + "\n", golden / (name + ".openai.json"));
    }
    ++seen;
  }
  EXPECT_GE(seen, 4);
}

INSTANTIATE_TEST_SUITE_P(Providers, TranslationGoldenTest,
                         ::testing::Values(Case{"anthropic", "anthropic"}, Case{"gemini", "gemini"},
                                           Case{"openai", "openai"}),
                         [](const auto& info) { return std::string(info.param.folder); });

}  // namespace
}  // namespace turnpike::providers
