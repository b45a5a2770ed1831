// FindAdapter: one adapter per catalog adapter name; only OpenAI's relays the client's bytes.
#include <gtest/gtest.h>

#include "providers/openai/openai_adapter.h"
#include "providers/provider.h"

namespace turnpike::providers {
namespace {

TEST(FindAdapterTest, EachCatalogAdapterName) {
  for (const char* name : {"openai", "anthropic", "gemini"}) EXPECT_NE(FindAdapter(name), nullptr) << name;
  EXPECT_EQ(FindAdapter("google"), nullptr) << "the adapter is named gemini";
  EXPECT_EQ(FindAdapter(""), nullptr);
  EXPECT_EQ(FindAdapter("OpenAI"), nullptr) << "names are exact";
}

TEST(FindAdapterTest, OnlyOpenAiRelaysOpenAiChat) {
  const Adapter* adapter = FindAdapter("openai");
  ASSERT_NE(adapter, nullptr);
  EXPECT_TRUE(adapter->RelaysOpenAiChat());
  EXPECT_FALSE(FindAdapter("anthropic")->RelaysOpenAiChat());
  EXPECT_FALSE(FindAdapter("gemini")->RelaysOpenAiChat());
  EXPECT_NE(dynamic_cast<openai::ChunkDecoder*>(adapter->NewStreamDecoder().get()), nullptr);
}

}  // namespace
}  // namespace turnpike::providers
