// SseReader: replays every recorded provider stream split at every byte offset (and byte by
// byte), checks the parsed events against the files independently, then the grammar corner
// cases one by one.
#include "protocol/sse_reader.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

namespace turnpike::protocol {
namespace {

namespace fs = std::filesystem;

// An event as a comparable, printable value: (event, data, id).
struct Ev {
  std::string event, data, id;
  bool operator==(const Ev&) const = default;
};
std::ostream& operator<<(std::ostream& os, const Ev& e) {
  return os << "{event=\"" << e.event << "\" id=\"" << e.id << "\" data=\"" << e.data << "\"}";
}

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::vector<fs::path> SseFiles(const std::string& provider) {
  std::vector<fs::path> out;
  for (const auto& entry : fs::directory_iterator(fs::path(TURNPIKE_FIXTURES_DIR) / provider)) {
    if (entry.path().extension() == ".sse") out.push_back(entry.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

// Feeds `pieces` in order; fails the test on an error.
std::vector<Ev> Parse(const std::vector<std::string_view>& pieces, size_t max_event_bytes = 4 << 20) {
  SseReader reader(max_event_bytes);
  std::vector<Ev> events;
  for (auto piece : pieces) {
    Status s = reader.Feed(piece, [&](SseEvent&& e) { events.push_back(Ev{e.event, e.data, e.id}); });
    EXPECT_TRUE(s.ok()) << s.error().message;
  }
  EXPECT_FALSE(reader.HasPartial());
  return events;
}

std::vector<Ev> ParseWhole(std::string_view text) { return Parse({text}); }

// Each event of the fixtures sits on one "data: " line (with an "event: " line before it for
// Anthropic); returns those lines' values, read without the SSE parser.
struct ExpectedLine {
  std::string event;
  std::string data;
};
std::vector<ExpectedLine> ScanLines(const std::string& text) {
  std::vector<ExpectedLine> out;
  std::istringstream in(text);
  std::string line, event;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.rfind("event: ", 0) == 0) event = line.substr(7);
    if (line.rfind("data: ", 0) == 0) {
      out.push_back({event, line.substr(6)});
      event.clear();
    }
  }
  return out;
}

class SseFixtureTest : public ::testing::TestWithParam<fs::path> {};

TEST_P(SseFixtureTest, EveryEventMatchesTheFile) {
  std::string text = ReadFile(GetParam());
  ASSERT_FALSE(text.empty());
  auto events = ParseWhole(text);
  auto lines = ScanLines(text);
  ASSERT_EQ(events.size(), lines.size());
  ASSERT_GT(events.size(), 0u);
  for (size_t i = 0; i < events.size(); ++i) {
    EXPECT_EQ(events[i].data, lines[i].data) << i;
    EXPECT_EQ(events[i].event, lines[i].event) << i;
    EXPECT_EQ(events[i].id, "") << i;
  }
}

TEST_P(SseFixtureTest, EverySplitPointGivesTheSameEvents) {
  std::string text = ReadFile(GetParam());
  auto reference = ParseWhole(text);
  std::string_view all(text);
  for (size_t k = 0; k <= all.size(); ++k) {
    auto events = Parse({all.substr(0, k), all.substr(k)});
    ASSERT_EQ(events, reference) << GetParam() << " split at " << k;
  }
}

TEST_P(SseFixtureTest, ByteByByteGivesTheSameEvents) {
  std::string text = ReadFile(GetParam());
  auto reference = ParseWhole(text);
  std::vector<std::string_view> pieces;
  for (size_t i = 0; i < text.size(); ++i) pieces.push_back(std::string_view(text).substr(i, 1));
  EXPECT_EQ(Parse(pieces), reference);
}

TEST_P(SseFixtureTest, ThreeWaySplitsGiveTheSameEvents) {
  std::string text = ReadFile(GetParam());
  auto reference = ParseWhole(text);
  std::string_view all(text);
  // Splits near every line end, where \r\n pairs and blank lines get cut.
  for (size_t k = 1; k + 2 < all.size(); ++k) {
    if (all[k] != '\n' && all[k] != '\r') continue;
    for (size_t a : {k - 1, k, k + 1}) {
      for (size_t b : {k + 1, k + 2}) {
        if (b <= a) continue;
        auto events = Parse({all.substr(0, a), all.substr(a, b - a), all.substr(b)});
        ASSERT_EQ(events, reference) << GetParam() << " split at " << a << "," << b;
      }
    }
  }
}

std::string FixtureName(const ::testing::TestParamInfo<fs::path>& info) {
  std::string name = info.param.parent_path().filename().string() + "_" + info.param.stem().string();
  for (char& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return name;
}

INSTANTIATE_TEST_SUITE_P(OpenAi, SseFixtureTest, ::testing::ValuesIn(SseFiles("openai")), FixtureName);
INSTANTIATE_TEST_SUITE_P(Anthropic, SseFixtureTest, ::testing::ValuesIn(SseFiles("anthropic")), FixtureName);
INSTANTIATE_TEST_SUITE_P(Gemini, SseFixtureTest, ::testing::ValuesIn(SseFiles("gemini")), FixtureName);

TEST(SseFixtureSetTest, FixturesArePresent) {
  EXPECT_GE(SseFiles("openai").size(), 5u);
  EXPECT_GE(SseFiles("anthropic").size(), 1u);
  EXPECT_GE(SseFiles("gemini").size(), 1u);
}

TEST(SseFixtureSetTest, OpenAiChatStreamsEndWithDoneAndCarryJsonChunks) {
  for (const auto& path : SseFiles("openai")) {
    if (!path.filename().string().starts_with("chat-")) continue;  // other APIs' streams (completions, responses)
    auto events = ParseWhole(ReadFile(path));
    ASSERT_GE(events.size(), 2u) << path;
    EXPECT_EQ(events.back().data, "[DONE]") << path;
    for (size_t i = 0; i + 1 < events.size(); ++i) {
      boost::system::error_code ec;
      auto v = boost::json::parse(events[i].data, ec);
      ASSERT_FALSE(ec) << path << " event " << i << ": " << events[i].data;
      ASSERT_TRUE(v.is_object()) << path << " event " << i;
      EXPECT_EQ(v.as_object().at("object"), "chat.completion.chunk") << path << " event " << i;
    }
  }
}

TEST(SseFixtureSetTest, AnthropicEventNamesMatchTheirPayloadType) {
  for (const auto& path : SseFiles("anthropic")) {
    auto events = ParseWhole(ReadFile(path));
    ASSERT_FALSE(events.empty()) << path;
    EXPECT_EQ(events.front().event, "message_start") << path;
    for (const auto& e : events) {
      auto v = boost::json::parse(e.data);
      EXPECT_EQ(v.as_object().at("type").as_string(), e.event) << path;
    }
  }
}

TEST(SseFixtureSetTest, GeminiUsesCrLfAndEveryEventIsJson) {
  for (const auto& path : SseFiles("gemini")) {
    std::string text = ReadFile(path);
    EXPECT_NE(text.find("\r\n\r\n"), std::string::npos) << path;
    auto events = ParseWhole(text);
    ASSERT_FALSE(events.empty()) << path;
    for (const auto& e : events) {
      EXPECT_EQ(e.data.find('\r'), std::string::npos) << path;
      EXPECT_TRUE(boost::json::parse(e.data).is_object()) << path;
    }
  }
}

// --- grammar ---

std::vector<Ev> ParsePieces(std::initializer_list<std::string_view> pieces) { return Parse(pieces); }

Ev Data(std::string data, std::string event = "", std::string id = "") {
  return Ev{std::move(event), std::move(data), std::move(id)};
}

TEST(SseReaderTest, LfLineEnds) {
  EXPECT_EQ(ParsePieces({"data: a\n\ndata: b\n\n"}), (std::vector<Ev>{Data("a"), Data("b")}));
}

TEST(SseReaderTest, CrLfLineEnds) {
  EXPECT_EQ(ParsePieces({"data: a\r\n\r\ndata: b\r\n\r\n"}), (std::vector<Ev>{Data("a"), Data("b")}));
}

TEST(SseReaderTest, CrLineEnds) {
  EXPECT_EQ(ParsePieces({"data: a\r\rdata: b\r\r"}), (std::vector<Ev>{Data("a"), Data("b")}));
}

TEST(SseReaderTest, MixedLineEnds) {
  EXPECT_EQ(ParsePieces({"data: a\r\ndata: b\rdata: c\n\r\n"}), (std::vector<Ev>{Data("a\nb\nc")}));
}

TEST(SseReaderTest, CrAtEndOfOnePieceLfAtStartOfNext) {
  // The \n completes the \r\n; it is not a second (blank) line that would dispatch "a" alone.
  EXPECT_EQ(ParsePieces({"data: a\r", "\ndata: b\r", "\n\r", "\n"}), (std::vector<Ev>{Data("a\nb")}));
}

TEST(SseReaderTest, CrThenEmptyPieceThenLf) {
  EXPECT_EQ(ParsePieces({"data: a\r", "", "\n", "data: b\r\n", "\r", "", "\n"}), (std::vector<Ev>{Data("a\nb")}));
}

TEST(SseReaderTest, CrAtEndOfPieceThenAnotherLine) {
  // A lone \r ends the line; the next piece's first byte belongs to a new line.
  EXPECT_EQ(ParsePieces({"data: a\r", "data: b\r", "\r"}), (std::vector<Ev>{Data("a\nb")}));
}

TEST(SseReaderTest, CommentsAreIgnored) {
  EXPECT_EQ(ParsePieces({": hello\n\ndata: x\n: keep-alive\ndata: y\n\n:\n\n"}), (std::vector<Ev>{Data("x\ny")}));
}

TEST(SseReaderTest, MultiLineDataJoinedWithLf) {
  EXPECT_EQ(ParsePieces({"data: one\ndata: two\ndata: three\n\n"}), (std::vector<Ev>{Data("one\ntwo\nthree")}));
}

TEST(SseReaderTest, OnlyOneLeadingSpaceIsRemoved) {
  EXPECT_EQ(ParsePieces({"data:x\n\ndata:  y\n\ndata: z \n\n"}), (std::vector<Ev>{Data("x"), Data(" y"), Data("z ")}));
}

TEST(SseReaderTest, ColonsInTheValueAreKept) {
  EXPECT_EQ(ParsePieces({"data: {\"a\":\"b:c\"}\n\n"}), (std::vector<Ev>{Data("{\"a\":\"b:c\"}")}));
}

TEST(SseReaderTest, EmptyDataIsStillAnEvent) {
  EXPECT_EQ(ParsePieces({"data\n\ndata:\n\n"}), (std::vector<Ev>{Data(""), Data("")}));
  EXPECT_EQ(ParsePieces({"data:\ndata:\n\n"}), (std::vector<Ev>{Data("\n")}));
}

TEST(SseReaderTest, EventAndIdFields) {
  EXPECT_EQ(ParsePieces({"event: message_delta\nid: 42\ndata: {}\n\n"}),
            (std::vector<Ev>{Data("{}", "message_delta", "42")}));
  // Order of fields does not matter; a later event: line replaces an earlier one.
  EXPECT_EQ(ParsePieces({"data: d\nevent: a\nevent: b\n\n"}), (std::vector<Ev>{Data("d", "b")}));
}

TEST(SseReaderTest, FieldsDoNotLeakIntoTheNextEvent) {
  EXPECT_EQ(ParsePieces({"event: ping\ndata: 1\n\ndata: 2\n\n"}), (std::vector<Ev>{Data("1", "ping"), Data("2")}));
}

TEST(SseReaderTest, EventWithoutDataIsNotDispatched) {
  EXPECT_EQ(ParsePieces({"event: ping\n\n"}), std::vector<Ev>{});
  EXPECT_EQ(ParsePieces({"event: ping\nid: 3\n\ndata: x\n\n"}), (std::vector<Ev>{Data("x")}));
}

TEST(SseReaderTest, UnknownFieldsAndRetryAreIgnored) {
  EXPECT_EQ(ParsePieces({"retry: 1000\nfoo: bar\ndata: q\nbaz\n\n"}), (std::vector<Ev>{Data("q")}));
}

TEST(SseReaderTest, BlankLinesBetweenEventsDispatchNothing) {
  EXPECT_EQ(ParsePieces({"\n\n\r\n\rdata: a\n\n\n\n"}), (std::vector<Ev>{Data("a")}));
}

TEST(SseReaderTest, EventsComeOutAsSoonAsTheirBlankLineArrives) {
  SseReader reader;
  std::vector<SseEvent> events;
  auto sink = [&](SseEvent&& e) { events.push_back(std::move(e)); };
  ASSERT_TRUE(reader.Feed("data: a\n", sink).ok());
  EXPECT_TRUE(events.empty());
  ASSERT_TRUE(reader.Feed("\ndata: b", sink).ok());
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].data, "a");
  ASSERT_TRUE(reader.Feed("\n\n", sink).ok());
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1].data, "b");
}

TEST(SseReaderTest, HasPartialAtEndOfStream) {
  auto partial_after = [](std::string_view bytes) {
    SseReader reader;
    EXPECT_TRUE(reader.Feed(bytes, [](SseEvent&&) {}).ok());
    return reader.HasPartial();
  };
  EXPECT_FALSE(partial_after(""));
  EXPECT_FALSE(partial_after("data: x\n\n"));
  EXPECT_FALSE(partial_after("data: x\r\n\r\n"));
  EXPECT_FALSE(partial_after(": comment\n"));
  EXPECT_TRUE(partial_after("data: x"));    // an unterminated line
  EXPECT_TRUE(partial_after("data: x\n"));  // a line but no blank line
  EXPECT_TRUE(partial_after("data: x\r\n"));
  EXPECT_TRUE(partial_after("event: e\n"));  // fields without data yet
  EXPECT_TRUE(partial_after("data: x\n\nda"));
}

TEST(SseReaderTest, EventOverTheLimitFails) {
  SseReader reader(16);
  std::vector<SseEvent> events;
  Status s = reader.Feed("data: " + std::string(17, 'x') + "\n\n", [&](SseEvent&& e) { events.push_back(e); });
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kUpstream);
  EXPECT_TRUE(events.empty());
}

TEST(SseReaderTest, ManyDataLinesOverTheLimitFail) {
  // Each line is small; together they make an event of 10 + 1 + 10 = 21 bytes > 16.
  SseReader reader(16);
  Status s = reader.Feed("data: 0123456789\ndata: 0123456789\n\n", [](SseEvent&&) {});
  EXPECT_FALSE(s.ok());
}

TEST(SseReaderTest, EventAtTheLimitPasses) {
  // Lines of at most 16 bytes, data "0123456789\nabcde" of exactly 16 bytes.
  EXPECT_EQ(Parse({"data: 0123456789\ndata: abcde\n\n"}, 16), (std::vector<Ev>{Data("0123456789\nabcde")}));
}

TEST(SseReaderTest, UnterminatedLineOverTheLimitFails) {
  // A line that never ends must not buffer without bound.
  SseReader reader(64);
  Status s = OkStatus();
  for (int i = 0; i < 100 && s.ok(); ++i) s = reader.Feed("xxxxxxxxxx", [](SseEvent&&) {});
  EXPECT_FALSE(s.ok());
}

// Whether a stream is over the limit cannot depend on how the network cut it into pieces.
TEST(SseReaderTest, LimitOutcomeDoesNotDependOnSplitPoints) {
  struct Case {
    std::string text;
    bool ok;
  };
  const std::vector<Case> cases = {
      {"data: 0123456789\ndata: abcde\n\n", true},             // data 16, lines ≤ 16
      {"data: 0123456789\n\ndata: 0123456789\n\n", true},      // two events of 10
      {"data: 0123456789\ndata: abcdef\n\n", false},           // data 17
      {"data: " + std::string(17, 'x') + "\n\n", false},       // data 17
      {": " + std::string(40, 'c') + "\ndata: a\n\n", false},  // one 42-byte line
  };
  for (const auto& c : cases) {
    std::string_view all(c.text);
    for (size_t k = 0; k <= all.size(); ++k) {
      SseReader reader(16);
      Status s = reader.Feed(all.substr(0, k), [](SseEvent&&) {});
      if (s.ok()) s = reader.Feed(all.substr(k), [](SseEvent&&) {});
      EXPECT_EQ(s.ok(), c.ok) << "\"" << c.text << "\" split at " << k;
    }
    SseReader reader(16);
    Status s = OkStatus();
    for (size_t i = 0; i < all.size() && s.ok(); ++i) s = reader.Feed(all.substr(i, 1), [](SseEvent&&) {});
    EXPECT_EQ(s.ok(), c.ok) << "\"" << c.text << "\" byte by byte";
  }
}

}  // namespace
}  // namespace turnpike::protocol
