// OpenRouter's request members: read and checked at the gateway, never forwarded as sent, and
// what each OpenAI-compatible endpoint receives instead.
#include "protocol/openrouter_request.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "protocol/openai_chat.h"

namespace turnpike::protocol {
namespace {
namespace json = boost::json;

Result<OpenRouterFields> Parse(std::string_view body) { return ParseOpenRouterFields(json::parse(body).as_object()); }

TEST(OpenRouterFieldsTest, ReadsProviderPreferencesModelsReasoningAndUser) {
  auto f = Parse(R"({"model":"m","messages":[],
    "provider":{"order":["b","a"],"only":["a","b","c"],"ignore":["d"],"allow_fallbacks":false,
                "require_parameters":true,"sort":"throughput","max_price":{"prompt":1.5,"completion":"2"},
                "data_collection":"deny","zdr":true},
    "models":["x/y","z/w"],"reasoning":{"effort":"xhigh","exclude":true},"user":"u-1",
    "transforms":["middle-out"],"plugins":[],"route":"fallback","usage":{"include":true}})");
  ASSERT_TRUE(f.ok()) << f.error().message;
  EXPECT_EQ(f->provider.order, (std::vector<std::string>{"b", "a"}));
  EXPECT_EQ(f->provider.only.size(), 3u);
  EXPECT_EQ(f->provider.ignore, (std::vector<std::string>{"d"}));
  EXPECT_FALSE(f->provider.allow_fallbacks);
  EXPECT_TRUE(f->provider.require_parameters);
  EXPECT_EQ(f->provider.sort, "throughput");
  EXPECT_EQ(f->provider.max_prompt_price, 1'500'000);
  EXPECT_EQ(f->provider.max_completion_price, 2'000'000);
  EXPECT_TRUE(f->provider.deny_data_collection);
  EXPECT_TRUE(f->provider.zdr);
  EXPECT_EQ(f->models, (std::vector<std::string>{"x/y", "z/w"}));
  ASSERT_TRUE(f->reasoning.has_value());
  EXPECT_EQ(f->reasoning->effort, "xhigh");
  EXPECT_TRUE(f->reasoning->exclude);
  EXPECT_EQ(f->user, "u-1");
  auto none = Parse(R"({"model":"m","messages":[]})");
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->provider.allow_fallbacks);
  EXPECT_FALSE(none->provider.deny_data_collection);
  EXPECT_FALSE(none->provider.zdr);
  auto allow = Parse(R"({"provider":{"data_collection":"allow","zdr":false}})");
  ASSERT_TRUE(allow.ok());
  EXPECT_FALSE(allow->provider.deny_data_collection);
  EXPECT_FALSE(allow->provider.zdr);
  EXPECT_FALSE(none->reasoning.has_value());
}

TEST(OpenRouterFieldsTest, MistakesAre400sNamingTheField) {
  auto error = [](std::string_view body) {
    auto f = Parse(body);
    EXPECT_FALSE(f.ok()) << body;
    return f.ok() ? std::string() : f.error().message;
  };
  EXPECT_NE(error(R"({"provider":"openai"})").find("'provider'"), std::string::npos);
  EXPECT_NE(error(R"({"provider":{"order":"openai"}})").find("provider.order"), std::string::npos);
  EXPECT_NE(error(R"({"provider":{"sort":"cheapest"}})").find("provider.sort"), std::string::npos);
  EXPECT_NE(error(R"({"provider":{"data_collection":"never"}})").find("provider.data_collection"), std::string::npos);
  EXPECT_NE(error(R"({"provider":{"zdr":"yes"}})").find("provider.zdr"), std::string::npos);
  EXPECT_NE(error(R"({"provider":{"max_price":{"prompt":-1}}})").find("max_price.prompt"), std::string::npos);
  EXPECT_NE(error(R"({"provider":{"only":["a"],"ignore":["a"]}})").find("both"), std::string::npos);
  EXPECT_NE(error(R"({"provider":{"order":["a"],"ignore":["a"]}})").find("both"), std::string::npos);
  EXPECT_NE(error(R"({"models":"a/b"})").find("'models'"), std::string::npos);
  EXPECT_NE(error(R"({"reasoning":{"effort":"max"}})").find("reasoning.effort"), std::string::npos);
  EXPECT_NE(error(R"({"reasoning":{"effort":"low","max_tokens":100}})").find("not both"), std::string::npos);
  EXPECT_NE(error(R"({"user":7})").find("'user'"), std::string::npos);
}

TEST(OpenRouterFieldsTest, ReasoningBecomesOpenAisEffort) {
  auto effort = [](std::string_view reasoning) {
    auto f = Parse(std::string(R"({"reasoning":)") + std::string(reasoning) + "}");
    EXPECT_TRUE(f.ok() && f->reasoning) << reasoning;
    return f.ok() && f->reasoning ? ReasoningEffort(*f->reasoning) : std::string("?");
  };
  EXPECT_EQ(effort(R"({"effort":"low"})"), "low");
  EXPECT_EQ(effort(R"({"effort":"minimal"})"), "minimal");
  EXPECT_EQ(effort(R"({"effort":"xhigh"})"), "high");
  EXPECT_EQ(effort(R"({"effort":"none"})"), "");
  EXPECT_EQ(effort(R"({"enabled":false,"effort":"high"})"), "");
  EXPECT_EQ(effort(R"({"max_tokens":20000})"), "high");
  EXPECT_EQ(effort(R"({"max_tokens":5000})"), "medium");
  EXPECT_EQ(effort(R"({"max_tokens":2000})"), "low");
  EXPECT_EQ(effort(R"({"max_tokens":100})"), "minimal");
  EXPECT_EQ(effort(R"({"enabled":true})"), "medium");
}

TEST(OpenRouterFieldsTest, ParametersAndTheirFamilies) {
  auto params = RequestParameters(json::parse(R"({"model":"m","messages":[],"stream":true,"stream_options":{},
      "temperature":0.2,"tools":[],"provider":{},"reasoning":{},"user":"u","logprobs":null})")
                                      .as_object());
  EXPECT_EQ(params, (std::vector<std::string>{"temperature", "tools"}));
  const std::vector<std::string> listed = {"max_tokens", "tools", "reasoning"};
  EXPECT_TRUE(EndpointSupports(listed, "max_completion_tokens"));
  EXPECT_TRUE(EndpointSupports(listed, "tool_choice"));
  EXPECT_TRUE(EndpointSupports(listed, "parallel_tool_calls"));
  EXPECT_TRUE(EndpointSupports(listed, "reasoning_effort"));
  EXPECT_FALSE(EndpointSupports(listed, "temperature"));
  EXPECT_TRUE(EndpointSupports({}, "anything")) << "an endpoint that lists nothing is not filtered";
}

// What api.openai.com receives: none of OpenRouter's members (it answers 400 to arguments it does
// not know), none of the parameters the endpoint lacks, the reasoning as reasoning_effort where
// the endpoint reasons, and the end user as a digest.
TEST(OpenRouterFieldsTest, TheRelayedBodyHoldsOnlyWhatTheEndpointTakes) {
  const std::string body =
      R"({"model":"openai/o4-mini","messages":[{"role":"user","content":"hi"}],"provider":{"sort":"price"},)"
      R"("models":["a/b"],"temperature":0.5,"top_k":3,"reasoning":{"effort":"low"},"user":"alice","transforms":[]})";
  const std::vector<std::string> reasoning_model = {"max_tokens", "temperature", "reasoning", "user"};
  RelayEdits edits{&reasoning_model, "low", "d1g3st"};
  EXPECT_EQ(RewriteForUpstream(body, json::parse(body), "o4-mini", false, edits),
            R"({"model":"o4-mini","messages":[{"role":"user","content":"hi"}],"temperature":0.5,)"
            R"("reasoning_effort":"low","user":"d1g3st"})");
  const std::vector<std::string> plain = {"max_tokens"};
  RelayEdits plain_edits{&plain, "low", "d1g3st"};
  EXPECT_EQ(
      RewriteForUpstream(body, json::parse(body), "gpt-4o-mini", true, plain_edits),
      R"({"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}],"stream_options":{"include_usage":true}})");
  const std::string unlisted = R"({"model":"m","messages":[],"top_k":3,"provider":{"only":["x"]}})";
  EXPECT_EQ(RewriteForUpstream(unlisted, json::parse(unlisted), "llama", false),
            R"({"model":"llama","messages":[],"top_k":3})")
      << "an endpoint without a list gets every parameter, but never OpenRouter's members";
}

// A max_tokens above the endpoint's cap goes as the cap, which the provider would refuse (OpenAI:
// "max_tokens is too large") or cut to anyway.
TEST(OpenRouterFieldsTest, MaxTokensAboveTheEndpointCapIsSentAsTheCap) {
  const std::string body = R"({"model":"m","messages":[],"max_tokens":100000000,"max_completion_tokens":500})";
  RelayEdits edits;
  edits.output_limit = 16384;
  EXPECT_EQ(RewriteForUpstream(body, json::parse(body), "u", false, edits),
            R"({"model":"u","messages":[],"max_tokens":16384,"max_completion_tokens":500})");
}

// reasoning.exclude on a relayed answer: every reasoning member of every choice goes, nothing else.
TEST(OpenRouterFieldsTest, DropReasoningMembersLeavesTheRestAsItWas) {
  json::value chunk = json::parse(R"({"id":"c","choices":[{"index":0,"delta":{"content":"a","reasoning":"think",
      "reasoning_content":"think","reasoning_details":[{"type":"reasoning.text"}]}},{"index":1,"message":{"role":"assistant",
      "content":"b","reasoning":null}}],"usage":null})");
  EXPECT_TRUE(DropReasoningMembers(chunk));
  EXPECT_EQ(chunk, json::parse(R"({"id":"c","choices":[{"index":0,"delta":{"content":"a"}},
      {"index":1,"message":{"role":"assistant","content":"b"}}],"usage":null})"));
  EXPECT_FALSE(DropReasoningMembers(chunk)) << "nothing left to drop";
  json::value odd = json::parse(R"({"choices":"x"})");
  EXPECT_FALSE(DropReasoningMembers(odd));
}

}  // namespace
}  // namespace turnpike::protocol
