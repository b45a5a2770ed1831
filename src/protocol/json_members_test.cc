// Byte-level member edits: spans found by ScanObject, SetMember, ApplyEdits, RemoveNullMembers.
// Expected offsets come from building the documents piece by piece, not from the scanner.
#include "protocol/json_members.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace turnpike::protocol {
namespace {

namespace json = boost::json;

// Builds an object document from (raw key, value text) pairs with the given separators, and
// records where each value lands.
struct Built {
  std::string text;
  std::vector<std::pair<size_t, size_t>> spans;
  size_t close_brace = 0;
};
Built Build(const std::vector<std::pair<std::string, std::string>>& members, const std::string& ws = "") {
  Built b;
  b.text = "{" + ws;
  for (size_t i = 0; i < members.size(); ++i) {
    if (i > 0) b.text += ws + "," + ws;
    b.text += "\"" + members[i].first + "\"" + ws + ":" + ws;
    size_t begin = b.text.size();
    b.text += members[i].second;
    b.spans.emplace_back(begin, b.text.size());
  }
  b.text += ws;
  b.close_brace = b.text.size();
  b.text += "}";
  return b;
}

json::value Parse(std::string_view text) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  EXPECT_FALSE(ec) << "not valid JSON: " << text;
  return v;
}

const std::vector<std::pair<std::string, std::string>> kTricky = {
    {"a", "1"},
    {"b", R"({"c":[1,{"d":"}"}],"e":"x\"}","f":{}})"},
    {"g", R"([{"h":"]"},[],[[]],"[{",-2.5e+3])"},
    {"s", R"("back\\slash \" and \\\" quote, {brace} [bracket]")"},
    {"k\\\"q", "true"},
    {"n", "null"},
    {"f", "-0.70"},
    {"z", "\"\""},
};

TEST(ScanObjectTest, SpansOfNestedValues) {
  for (const std::string ws : {"", " ", "\n  ", "\t\r\n"}) {
    Built b = Build(kTricky, ws);
    Parse(b.text);  // the fixture itself is valid JSON
    auto layout = ScanObject(b.text);
    ASSERT_TRUE(layout) << b.text;
    ASSERT_EQ(layout->members.size(), kTricky.size()) << b.text;
    for (size_t i = 0; i < kTricky.size(); ++i) {
      const MemberSpan& m = layout->members[i];
      EXPECT_EQ(m.raw_key, kTricky[i].first);
      EXPECT_EQ(m.value_begin, b.spans[i].first) << kTricky[i].first << " in " << b.text;
      EXPECT_EQ(m.value_end, b.spans[i].second) << kTricky[i].first << " in " << b.text;
      EXPECT_EQ(b.text.substr(m.value_begin, m.value_end - m.value_begin), kTricky[i].second);
    }
    EXPECT_EQ(layout->close_brace, b.close_brace);
  }
}

TEST(ScanObjectTest, EmptyObjects) {
  auto layout = ScanObject("{}");
  ASSERT_TRUE(layout);
  EXPECT_TRUE(layout->members.empty());
  EXPECT_EQ(layout->close_brace, 1u);
  layout = ScanObject("  { \n }  ");
  ASSERT_TRUE(layout);
  EXPECT_TRUE(layout->members.empty());
  EXPECT_EQ(layout->close_brace, 6u);
}

TEST(ScanObjectTest, NotAnObject) {
  for (const char* doc : {"[1,2]", "\"{}\"", "1", "null", "true", "", "   "}) {
    EXPECT_FALSE(ScanObject(doc)) << doc;
  }
}

TEST(ScanObjectTest, FindMemberByRawKey) {
  Built b = Build(kTricky);
  auto layout = ScanObject(b.text);
  ASSERT_TRUE(layout);
  const MemberSpan* g = FindMember(*layout, "g");
  ASSERT_NE(g, nullptr);
  EXPECT_EQ(g->value_begin, b.spans[2].first);
  EXPECT_EQ(FindMember(*layout, "missing"), nullptr);
  EXPECT_EQ(FindMember(*layout, "c"), nullptr);  // nested keys are not top-level members
  EXPECT_EQ(FindMember(*layout, "d"), nullptr);
  // "f" appears twice at the top level here; the first one is found.
  const MemberSpan* f = FindMember(*layout, "f");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->value_begin, b.spans[6].first);
}

// Shown by fuzz_chat_request's checks: a key spelled with escapes is the same key to a JSON
// parser (the gateway's and the provider's), so it must be to the byte-level edits too.
TEST(ScanObjectTest, KeysWithEscapesAreFoundDecoded) {
  std::string doc = R"({"a":1,"max_tok\u0065ns":99,"k\"q":true,"\ud83d\ude00":2})";
  Parse(doc);
  auto layout = ScanObject(doc);
  ASSERT_TRUE(layout);
  ASSERT_EQ(layout->members.size(), 4u);
  EXPECT_EQ(layout->members[1].raw_key, "max_tok\\u0065ns");
  EXPECT_EQ(layout->members[1].key(), "max_tokens");
  EXPECT_EQ(layout->members[2].key(), "k\"q");
  EXPECT_EQ(layout->members[3].key(), "\xF0\x9F\x98\x80");
  const MemberSpan* m = FindMember(*layout, "max_tokens");
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(doc.substr(m->value_begin, m->value_end - m->value_begin), "99");
  EXPECT_EQ(json::parse(ApplyEdits(doc, {SetMember(doc, *layout, "max_tokens", "7")})).at("max_tokens"), 7);
  EXPECT_EQ(RemoveMembers(doc, [](std::string_view key, std::string_view) { return key == "max_tokens"; }),
            R"({"a":1,"k\"q":true,"\ud83d\ude00":2})");
  EXPECT_EQ(RemoveNullMembers(R"({"a":1,"us\u0061ge":null})", {"usage"}), R"({"a":1})");
}

TEST(AllNumbersFiniteTest, NumbersBeyondADoubleAnywhere) {
  EXPECT_TRUE(AllNumbersFinite(Parse(R"({"a":[1,-2.5,1.7e308,{"b":4.9e-324}],"c":"1e999"})")));
  EXPECT_FALSE(AllNumbersFinite(Parse("1e309")));
  EXPECT_FALSE(AllNumbersFinite(Parse(R"({"a":[1,{"b":-1e400}]})")));
  EXPECT_FALSE(AllNumbersFinite(Parse(R"([[[[2e308]]]])")));
}

TEST(SetMemberTest, ReplacesAnExistingValue) {
  std::string doc = R"({"model": "gpt-4o", "temperature": 0.70})";
  auto layout = ScanObject(doc);
  ASSERT_TRUE(layout);
  std::string out = ApplyEdits(doc, {SetMember(doc, *layout, "model", "\"gpt-4o-2024-08-06\"")});
  EXPECT_EQ(out, R"({"model": "gpt-4o-2024-08-06", "temperature": 0.70})");
}

TEST(SetMemberTest, ReplacesAnObjectValue) {
  std::string doc = R"({"a":{"x":[1,2,{"y":"}"}]},"b":2})";
  auto layout = ScanObject(doc);
  ASSERT_TRUE(layout);
  EXPECT_EQ(ApplyEdits(doc, {SetMember(doc, *layout, "a", "3")}), R"({"a":3,"b":2})");
}

TEST(SetMemberTest, AppendsWhenAbsent) {
  std::string doc = R"({"a":1})";
  auto layout = ScanObject(doc);
  ASSERT_TRUE(layout);
  std::string out = ApplyEdits(doc, {SetMember(doc, *layout, "b", "true")});
  EXPECT_EQ(out, R"({"a":1,"b":true})");
}

TEST(SetMemberTest, AppendKeepsTrailingWhitespaceBeforeTheBrace) {
  std::string doc = "{\n  \"a\": 1\n}\n";
  auto layout = ScanObject(doc);
  ASSERT_TRUE(layout);
  std::string out = ApplyEdits(doc, {SetMember(doc, *layout, "b", "[1]")});
  EXPECT_EQ(out, "{\n  \"a\": 1,\"b\":[1]\n}\n");
  EXPECT_EQ(Parse(out), Parse(R"({"a":1,"b":[1]})"));
}

TEST(SetMemberTest, AppendsToAnEmptyObject) {
  std::string doc = "{}";
  auto layout = ScanObject(doc);
  ASSERT_TRUE(layout);
  EXPECT_EQ(ApplyEdits(doc, {SetMember(doc, *layout, "k", "\"v\"")}), R"({"k":"v"})");

  doc = "{ }";
  layout = ScanObject(doc);
  ASSERT_TRUE(layout);
  std::string out = ApplyEdits(doc, {SetMember(doc, *layout, "k", "\"v\"")});
  EXPECT_EQ(Parse(out), Parse(R"({"k":"v"})"));
}

TEST(SetMemberTest, SeveralEditsInAnyOrder) {
  std::string doc = R"({"a":1,"b":2,"c":3})";
  auto layout = ScanObject(doc);
  ASSERT_TRUE(layout);
  std::vector<Edit> edits = {SetMember(doc, *layout, "d", "4"), SetMember(doc, *layout, "c", "30"),
                             SetMember(doc, *layout, "a", "10")};
  EXPECT_EQ(ApplyEdits(doc, edits), R"({"a":10,"b":2,"c":30,"d":4})");
}

TEST(ApplyEditsTest, NoEditsIsIdentity) { EXPECT_EQ(ApplyEdits(R"({"a":1})", {}), R"({"a":1})"); }

TEST(ApplyEditsTest, InsertAndReplace) {
  EXPECT_EQ(ApplyEdits("0123456789", {Edit{8, 10, "X"}, Edit{0, 0, "<"}, Edit{3, 5, ""}}), "<012567X");
}

// --- RemoveNullMembers ---

TEST(RemoveNullMembersTest, FirstMiddleLast) {
  EXPECT_EQ(RemoveNullMembers(R"({"stop":null,"a":1})", {"stop"}), R"({"a":1})");
  EXPECT_EQ(RemoveNullMembers(R"({"a":1,"stop":null,"b":2})", {"stop"}), R"({"a":1,"b":2})");
  EXPECT_EQ(RemoveNullMembers(R"({"a":1,"stop":null})", {"stop"}), R"({"a":1})");
  EXPECT_EQ(RemoveNullMembers(R"({"stop":null})", {"stop"}), R"({})");
}

TEST(RemoveNullMembersTest, TwoAdjacent) {
  EXPECT_EQ(RemoveNullMembers(R"({"stop":null,"user":null,"a":1})", {"stop", "user"}), R"({"a":1})");
  EXPECT_EQ(RemoveNullMembers(R"({"a":1,"stop":null,"user":null,"b":2})", {"stop", "user"}), R"({"a":1,"b":2})");
  EXPECT_EQ(RemoveNullMembers(R"({"a":1,"stop":null,"user":null})", {"stop", "user"}), R"({"a":1})");
  EXPECT_EQ(RemoveNullMembers(R"({"stop":null,"user":null})", {"stop", "user"}), R"({})");
  EXPECT_EQ(RemoveNullMembers(R"({"stop":null,"a":1,"user":null})", {"stop", "user"}), R"({"a":1})");
}

TEST(RemoveNullMembersTest, PrettyPrintedKeepsTheRestByteForByte) {
  EXPECT_EQ(RemoveNullMembers("{\n  \"a\": 1.50,\n  \"stop\": null,\n  \"b\": 2\n}", {"stop"}),
            "{\n  \"a\": 1.50,\n  \"b\": 2\n}");
  EXPECT_EQ(RemoveNullMembers("{\n  \"stop\": null,\n  \"b\": 2e0\n}", {"stop"}), "{\n  \"b\": 2e0\n}");
  EXPECT_EQ(RemoveNullMembers("{\n  \"b\": 2,\n  \"stop\" : null\n}", {"stop"}), "{\n  \"b\": 2\n}");
}

// What the stream relays do with one chunk: its members set, one appended, its null ones removed,
// all as edits of one scan.
TEST(RemoveNullMembersTest, WithOtherEditsOfTheSameLayout) {
  const std::string chunk = R"({"id":"up-1","model":"m","system_fingerprint":null,"choices":[],"usage":null})";
  auto layout = ScanObject(chunk);
  ASSERT_TRUE(layout);
  std::vector<Edit> edits;
  edits.push_back(SetMember(chunk, *layout, "id", R"("gen-1")"));
  edits.push_back(SetMember(chunk, *layout, "model", R"("v/m")"));
  edits.push_back(SetMember(chunk, *layout, "provider", R"("P")"));
  RemoveNullMembers(chunk, *layout, {"usage", "system_fingerprint"}, edits);
  EXPECT_EQ(ApplyEdits(chunk, std::move(edits)), R"({"id":"gen-1","model":"v/m","choices":[],"provider":"P"})");

  const std::string first_null = R"({"usage":null,"id":"up-1"})";
  layout = ScanObject(first_null);
  ASSERT_TRUE(layout);
  edits.clear();
  edits.push_back(SetMember(first_null, *layout, "id", R"("gen-1")"));
  edits.push_back(SetMember(first_null, *layout, "provider", R"("P")"));
  RemoveNullMembers(first_null, *layout, {"usage"}, edits);
  EXPECT_EQ(ApplyEdits(first_null, std::move(edits)), R"({"id":"gen-1","provider":"P"})");
}

TEST(RemoveNullMembersTest, LeavesEverythingElseAlone) {
  for (const char* doc : {
           R"({"stop":["x"],"user":"u"})",                // named keys, not null
           R"({"a":null,"b":null})",                      // null, not named
           R"({"a":{"stop":null},"b":[{"stop":null}]})",  // named and null, but nested
           R"({"a":"stop","b":"null"})",                  // the words inside strings
           R"({"stopper":null,"xstop":null})",            // keys that only contain a named key
           R"({})",
       }) {
    EXPECT_EQ(RemoveNullMembers(doc, {"stop", "user"}), doc);
  }
  EXPECT_EQ(RemoveNullMembers(R"({"a":null,"stop":null,"b":"null"})", {"stop"}), R"({"a":null,"b":"null"})");
}

// Every arrangement of five members, each either a named null (removed) or a kept value: the
// result is valid JSON equal to the input without the removed members, and the kept members'
// text is unchanged.
TEST(RemoveNullMembersTest, EveryArrangementGivesValidJson) {
  const std::vector<std::string> kept_values = {"1", "null", "\"s\"", "[null]", "{\"stop\":null}"};
  for (int mask = 0; mask < 32; ++mask) {
    for (const std::string ws : {"", " ", "\n  "}) {
      std::vector<std::pair<std::string, std::string>> members;
      json::object expected;
      int named = 0;
      for (int i = 0; i < 5; ++i) {
        if (mask & (1 << i)) {
          members.emplace_back(named++ % 2 == 0 ? "stop" : "user", "null");
        } else {
          std::string key = "k" + std::to_string(i);
          members.emplace_back(key, kept_values[i]);
          expected[key] = json::parse(kept_values[i]);
        }
      }
      Built b = Build(members, ws);
      std::string out = RemoveNullMembers(b.text, {"stop", "user"});
      SCOPED_TRACE(b.text + "  →  " + out);
      json::value v = Parse(out);
      ASSERT_TRUE(v.is_object());
      EXPECT_EQ(v.as_object(), expected);
      for (int i = 0; i < 5; ++i) {
        if (!(mask & (1 << i))) {
          std::string member = "\"k" + std::to_string(i) + "\"" + ws + ":" + ws + kept_values[i];
          EXPECT_NE(out.find(member), std::string::npos) << member;
        }
      }
      if (mask == 0) {
        EXPECT_EQ(out, b.text);
      }
    }
  }
}

TEST(WholeNumberTest, WholeNumbersInAnyFormAndNothingElse) {
  EXPECT_EQ(WholeNumber(json::parse("3")), int64_t{3});
  EXPECT_EQ(WholeNumber(json::parse("3.0")), int64_t{3});
  EXPECT_EQ(WholeNumber(json::parse("2e3")), int64_t{2000});
  EXPECT_EQ(WholeNumber(json::parse("-7")), int64_t{-7});
  EXPECT_EQ(WholeNumber(json::parse("9223372036854775807")), INT64_MAX);
  EXPECT_FALSE(WholeNumber(json::parse("18446744073709551615")).has_value()) << "past int64";
  EXPECT_FALSE(WholeNumber(json::parse("1.5")).has_value());
  EXPECT_FALSE(WholeNumber(json::parse("1e16")).has_value()) << "a double that large is not exact";
  EXPECT_FALSE(WholeNumber(json::parse("\"3\"")).has_value());
  EXPECT_EQ(JsonSize(json::parse(R"({"a": [1, 2]})")), 11) << R"({"a":[1,2]} compact)";
}

}  // namespace
}  // namespace turnpike::protocol
