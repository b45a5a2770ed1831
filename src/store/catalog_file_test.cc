// Catalog files: the catalog compiled into the binary, and the errors a hand-edited catalog gets,
// each naming the model or provider at fault.
#include "store/catalog_file.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

namespace turnpike::store {
namespace {

namespace fs = std::filesystem;

::testing::AssertionResult Has(const std::string& text, const std::string& part) {
  if (text.find(part) != std::string::npos) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "\"" << text << "\" does not contain \"" << part << "\"";
}

const Model* FindModel(const Catalog& c, const std::string& id) {
  for (const auto& m : c.models) {
    if (m.id == id) return &m;
  }
  return nullptr;
}

// A small valid catalog; tests replace pieces of it.
constexpr char kValid[] = R"(
version = 1

[[companies]]
id = "openai"
name = "OpenAI"

[[providers]]
id = "openai"
name = "OpenAI"
adapter = "openai"
base_url = "https://api.openai.com/v1/"
key_env = "OPENAI_API_KEY"
base_url_env = "OPENAI_BASE_URL"

[[providers]]
id = "groq"
name = "Groq"
adapter = "openai"
base_url = "https://api.groq.com/openai/v1"
key_env = "GROQ_API_KEY"
enabled = false

[[models]]
id = "openai/gpt-4o-mini"
company = "openai"
name = "OpenAI: GPT-4o-mini"
description = "Small."
context_length = 128000
max_output = 16384
created = "2024-07-18"
input_modalities = ["text", "image"]
source = "test"

  [[models.endpoints]]
  provider = "openai"
  upstream_model = "gpt-4o-mini"
  input = "0.15"
  output = "0.60"
  cache_read = "0.075"
  supported_parameters = ["max_tokens", "stream"]

  [[models.endpoints]]
  provider = "groq"
  upstream_model = "gpt-4o-mini-groq"
  input = "0.1"
  output = "0.5"
  max_output = 4096
)";

std::string Replace(std::string text, const std::string& from, const std::string& to) {
  size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

// Parses `text`, expects an error, returns its message.
std::string ErrorOf(const std::string& text) {
  auto c = ParseCatalog(text, "test.toml");
  EXPECT_FALSE(c.ok());
  if (c.ok()) return "";
  EXPECT_EQ(c.error().code, ErrorCode::kBadRequest);
  return c.error().message;
}

TEST(DefaultCatalogTest, ParsesAndHoldsTheWellKnownModels) {
  auto c = DefaultCatalog();
  ASSERT_TRUE(c.ok()) << c.error().message;

  const Model* mini = FindModel(*c, "openai/gpt-4o-mini");
  ASSERT_NE(mini, nullptr);
  EXPECT_EQ(mini->company_id, "openai");
  ASSERT_FALSE(mini->endpoints.empty());
  const Endpoint& e = mini->endpoints.front();
  EXPECT_EQ(e.provider_id, "openai");
  EXPECT_EQ(e.upstream_model, "gpt-4o-mini");
  EXPECT_EQ(e.prices.input, 150'000);      // "0.15" USD per million
  EXPECT_EQ(e.prices.output, 600'000);     // "0.60"
  EXPECT_EQ(e.prices.cache_read, 75'000);  // "0.075"
  EXPECT_EQ(e.prices.cache_write, 0);      // none: bills as input
  EXPECT_EQ(mini->context_length, 128'000);
  EXPECT_GT(mini->created, 0);

  const Model* sonnet = FindModel(*c, "anthropic/claude-3.5-sonnet");
  ASSERT_NE(sonnet, nullptr);
  ASSERT_FALSE(sonnet->endpoints.empty());
  EXPECT_EQ(sonnet->endpoints.front().provider_id, "anthropic");
  EXPECT_EQ(sonnet->endpoints.front().prices.input, 3'000'000);
  EXPECT_EQ(sonnet->endpoints.front().prices.output, 15'000'000);
  EXPECT_EQ(sonnet->endpoints.front().prices.cache_write, 3'750'000);
  // Data policies (catalog/README.md): neither OpenAI's nor Anthropic's API trains on prompts.
  EXPECT_EQ(e.data_collection, "deny");
  EXPECT_EQ(sonnet->endpoints.front().data_collection, "deny");
}

TEST(DefaultCatalogTest, SomeModelIsServedByTwoProviders) {
  auto c = DefaultCatalog();
  ASSERT_TRUE(c.ok()) << c.error().message;
  bool found = false;
  for (const auto& m : c->models) {
    std::set<std::string> providers;
    for (const auto& e : m.endpoints) providers.insert(e.provider_id);
    found = found || providers.size() >= 2;
  }
  EXPECT_TRUE(found);
}

TEST(DefaultCatalogTest, ReferencesAndPricesAreConsistent) {
  auto c = DefaultCatalog();
  ASSERT_TRUE(c.ok()) << c.error().message;
  std::set<std::string> companies, providers, models;
  for (const auto& co : c->companies) companies.insert(co.id);
  for (const auto& p : c->providers) {
    providers.insert(p.id);
    EXPECT_FALSE(p.base_url.ends_with("/")) << p.id;
  }
  for (const auto& m : c->models) {
    EXPECT_TRUE(models.insert(m.id).second) << m.id;
    EXPECT_TRUE(companies.count(m.company_id)) << m.id;
    EXPECT_EQ(m.id.substr(0, m.id.find('/')), m.company_id) << m.id;
    EXPECT_FALSE(m.endpoints.empty()) << m.id;
    for (const auto& e : m.endpoints) {
      EXPECT_TRUE(providers.count(e.provider_id)) << m.id;
      EXPECT_GT(e.prices.input, 0) << m.id << " at " << e.provider_id;
      // An embedding model generates nothing: only its input has a price.
      const bool embeds = m.output_modalities == std::vector<std::string>{"embeddings"};
      if (embeds) {
        EXPECT_EQ(e.prices.output, 0) << m.id << " at " << e.provider_id;
      } else {
        EXPECT_GT(e.prices.output, 0) << m.id << " at " << e.provider_id;
      }
      EXPECT_GT(e.context_length, 0) << m.id;
      EXPECT_GT(e.max_output, 0) << m.id;
    }
  }
}

TEST(DefaultCatalogTest, HoldsEveryModelOfTheSourceFile) {
  // Counted in catalog/default.toml without the TOML parser.
  std::ifstream in(fs::path(TURNPIKE_SOURCE_DIR) / "catalog/default.toml");
  ASSERT_TRUE(in);
  std::string line;
  size_t models = 0, providers = 0;
  while (std::getline(in, line)) {
    if (line == "[[models]]") ++models;
    if (line == "[[providers]]") ++providers;
  }
  auto c = DefaultCatalog();
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->models.size(), models);
  EXPECT_EQ(c->providers.size(), providers);
}

TEST(ParseCatalogTest, SmallCatalog) {
  auto c = ParseCatalog(kValid, "test.toml");
  ASSERT_TRUE(c.ok()) << c.error().message;
  ASSERT_EQ(c->companies.size(), 1u);
  ASSERT_EQ(c->providers.size(), 2u);
  EXPECT_EQ(c->providers[0].base_url, "https://api.openai.com/v1");  // trailing slash dropped
  EXPECT_EQ(c->providers[0].key_env, "OPENAI_API_KEY");
  EXPECT_TRUE(c->providers[0].enabled);
  EXPECT_FALSE(c->providers[1].enabled);
  ASSERT_EQ(c->models.size(), 1u);
  const Model& m = c->models[0];
  EXPECT_EQ(m.input_modalities, (std::vector<std::string>{"text", "image"}));
  EXPECT_EQ(m.output_modalities, (std::vector<std::string>{"text"}));  // default
  ASSERT_EQ(m.endpoints.size(), 2u);
  EXPECT_EQ(m.endpoints[0].prices.input, 150'000);
  EXPECT_EQ(m.endpoints[0].prices.output, 600'000);
  EXPECT_EQ(m.endpoints[0].prices.cache_read, 75'000);
  EXPECT_EQ(m.endpoints[0].context_length, 128'000);  // inherited from the model
  EXPECT_EQ(m.endpoints[0].max_output, 16'384);
  EXPECT_EQ(m.endpoints[0].supported_parameters, (std::vector<std::string>{"max_tokens", "stream"}));
  EXPECT_EQ(m.endpoints[1].prices.input, 100'000);
  EXPECT_EQ(m.endpoints[1].prices.output, 500'000);
  EXPECT_EQ(m.endpoints[1].max_output, 4096);  // its own
  // 2024-07-18T00:00:00Z
  EXPECT_EQ(m.created, 1'721'260'800);
}

TEST(ParseCatalogTest, DataPolicyComesFromTheProviderAndAnEndpointMayOverrideIt) {
  // openai: deny, not zdr; groq says nothing (allow, not zdr) but its endpoint is zdr.
  std::string text = Replace(kValid, "base_url_env = \"OPENAI_BASE_URL\"\n",
                             "base_url_env = \"OPENAI_BASE_URL\"\ndata_collection = \"deny\"\n");
  text = Replace(text, "  max_output = 4096\n", "  max_output = 4096\n  zdr = true\n");
  auto c = ParseCatalog(text, "test.toml");
  ASSERT_TRUE(c.ok()) << c.error().message;
  const Model* m = FindModel(*c, "openai/gpt-4o-mini");
  ASSERT_NE(m, nullptr);
  ASSERT_EQ(m->endpoints.size(), 2u);
  EXPECT_EQ(m->endpoints[0].data_collection, "deny");
  EXPECT_FALSE(m->endpoints[0].zdr);
  EXPECT_EQ(m->endpoints[1].data_collection, "allow");
  EXPECT_TRUE(m->endpoints[1].zdr);

  std::string overridden =
      Replace(text, "  supported_parameters = [\"max_tokens\", \"stream\"]\n",
              "  supported_parameters = [\"max_tokens\", \"stream\"]\n  data_collection = \"allow\"\n");
  auto o = ParseCatalog(overridden, "test.toml");
  ASSERT_TRUE(o.ok()) << o.error().message;
  EXPECT_EQ(FindModel(*o, "openai/gpt-4o-mini")->endpoints[0].data_collection, "allow") << "the endpoint's word wins";

  auto unsaid = ParseCatalog(kValid, "test.toml");
  ASSERT_TRUE(unsaid.ok());
  EXPECT_EQ(FindModel(*unsaid, "openai/gpt-4o-mini")->endpoints[0].data_collection, "allow") << "unknown: allow";
  EXPECT_FALSE(FindModel(*unsaid, "openai/gpt-4o-mini")->endpoints[0].zdr);
}

TEST(ParseCatalogTest, BadDataPolicy) {
  EXPECT_TRUE(Has(ErrorOf(Replace(kValid, "enabled = false\n", "enabled = false\ndata_collection = \"never\"\n")),
                  "provider groq: data_collection must be \"allow\" or \"deny\""));
  EXPECT_TRUE(Has(ErrorOf(Replace(kValid, "  max_output = 4096\n", "  max_output = 4096\n  zdr = \"yes\"\n")),
                  "endpoint groq: zdr must be true or false"));
}

TEST(ParseCatalogTest, CanonicalSlugAndFormerIds) {
  std::string text = Replace(kValid, "source = \"test\"\n",
                             "source = \"test\"\ncanonical_slug = \"openai/gpt-4o-mini-2024-07-18\"\n"
                             "former_ids = [\"openai/gpt-4o_mini\"]\n");
  auto c = ParseCatalog(text, "test.toml");
  ASSERT_TRUE(c.ok()) << c.error().message;
  const Model* m = FindModel(*c, "openai/gpt-4o-mini");
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(m->canonical_slug, "openai/gpt-4o-mini-2024-07-18");
  EXPECT_EQ(m->former_ids, (std::vector<std::string>{"openai/gpt-4o_mini"}));
  auto plain = ParseCatalog(kValid, "test.toml");
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(FindModel(*plain, "openai/gpt-4o-mini")->canonical_slug, "") << "none: the id";

  EXPECT_TRUE(Has(ErrorOf(Replace(kValid, "source = \"test\"\n", "source = \"test\"\ncanonical_slug = \"mini\"\n")),
                  "model openai/gpt-4o-mini: canonical_slug must look like company/model"));
  EXPECT_TRUE(
      Has(ErrorOf(Replace(kValid, "source = \"test\"\n", "source = \"test\"\nformer_ids = [\"openai/gpt-4o-mini\"]\n")),
          "is a model of this file"));
}

TEST(DefaultCatalogTest, ModelIdsAreOpenRoutersSlugs) {
  auto c = DefaultCatalog();
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_NE(FindModel(*c, "anthropic/claude-sonnet-4.5"), nullptr);
  EXPECT_EQ(FindModel(*c, "anthropic/claude-sonnet-4-5"), nullptr) << "the old id is a former id, not a model";
  const Model* sonnet4 = FindModel(*c, "anthropic/claude-sonnet-4");
  ASSERT_NE(sonnet4, nullptr);
  EXPECT_EQ(sonnet4->canonical_slug, "anthropic/claude-4-sonnet-20250522");
}

TEST(ParseCatalogTest, UnknownCompany) {
  std::string e = ErrorOf(Replace(kValid, "company = \"openai\"", "company = \"openaii\""));
  EXPECT_TRUE(Has(e, "openai/gpt-4o-mini"));
  EXPECT_TRUE(Has(e, "unknown company"));
  EXPECT_TRUE(Has(e, "openaii"));
}

TEST(ParseCatalogTest, UnknownProvider) {
  std::string e = ErrorOf(Replace(kValid, "provider = \"groq\"", "provider = \"grok\""));
  EXPECT_TRUE(Has(e, "openai/gpt-4o-mini"));
  EXPECT_TRUE(Has(e, "unknown provider"));
  EXPECT_TRUE(Has(e, "grok"));
}

TEST(ParseCatalogTest, PriceWithTooManyDecimals) {
  std::string e = ErrorOf(Replace(kValid, "input = \"0.1\"", "input = \"0.1234567\""));
  EXPECT_TRUE(Has(e, "openai/gpt-4o-mini"));
  EXPECT_TRUE(Has(e, "groq"));
  EXPECT_TRUE(Has(e, "input"));
  EXPECT_TRUE(Has(e, "0.1234567"));
}

TEST(ParseCatalogTest, PriceAsANumberNotAString) {
  std::string e = ErrorOf(Replace(kValid, "input = \"0.15\"", "input = 0.15"));
  EXPECT_TRUE(Has(e, "openai/gpt-4o-mini"));
  EXPECT_TRUE(Has(e, "input"));
  EXPECT_TRUE(Has(e, "decimal string"));
}

TEST(ParseCatalogTest, OtherBadPrices) {
  for (const char* bad : {"\"-0.15\"", "\"1e-3\"", "\"\"", "\"abc\"", "15"}) {
    std::string e = ErrorOf(Replace(kValid, "output = \"0.60\"", std::string("output = ") + bad));
    EXPECT_TRUE(Has(e, "openai/gpt-4o-mini")) << bad;
    EXPECT_TRUE(Has(e, "output")) << bad;
  }
  std::string e = ErrorOf(Replace(kValid, "  cache_read = \"0.075\"\n", "  cache_read = \"0.0750001\"\n"));
  EXPECT_TRUE(Has(e, "cache_read"));
}

TEST(ParseCatalogTest, MissingRequiredPrice) {
  std::string e = ErrorOf(Replace(kValid, "  output = \"0.5\"\n", ""));
  EXPECT_TRUE(Has(e, "openai/gpt-4o-mini"));
  EXPECT_TRUE(Has(e, "groq"));
  EXPECT_TRUE(Has(e, "output"));
}

TEST(ParseCatalogTest, DuplicateModelId) {
  std::string text = kValid;
  text += R"(
[[models]]
id = "openai/gpt-4o-mini"
company = "openai"
context_length = 1000
max_output = 100

  [[models.endpoints]]
  provider = "openai"
  upstream_model = "x"
  input = "1"
  output = "2"
)";
  std::string e = ErrorOf(text);
  EXPECT_TRUE(Has(e, "openai/gpt-4o-mini"));
  EXPECT_TRUE(Has(e, "duplicate"));
}

TEST(ParseCatalogTest, MissingEndpoints) {
  std::string text = kValid;
  text += R"(
[[models]]
id = "openai/no-endpoints"
company = "openai"
context_length = 1000
max_output = 100
)";
  std::string e = ErrorOf(text);
  EXPECT_TRUE(Has(e, "openai/no-endpoints"));
  EXPECT_TRUE(Has(e, "endpoints"));
}

TEST(ParseCatalogTest, BadAdapter) {
  std::string e = ErrorOf(Replace(kValid, "adapter = \"openai\"\nbase_url = \"https://api.groq",
                                  "adapter = \"cohere\"\nbase_url = \"https://api.groq"));
  EXPECT_TRUE(Has(e, "provider groq"));
  EXPECT_TRUE(Has(e, "adapter"));
  EXPECT_TRUE(Has(e, "cohere"));
}

TEST(ParseCatalogTest, BadBaseUrl) {
  std::string e = ErrorOf(Replace(kValid, "https://api.openai.com/v1/", "api.openai.com/v1"));
  EXPECT_TRUE(Has(e, "provider openai"));
  EXPECT_TRUE(Has(e, "base_url"));
}

TEST(ParseCatalogTest, BadModelId) {
  std::string e = ErrorOf(Replace(kValid, "id = \"openai/gpt-4o-mini\"", "id = \"gpt-4o-mini\""));
  EXPECT_TRUE(Has(e, "gpt-4o-mini"));
  EXPECT_TRUE(Has(e, "company/model"));
}

TEST(ParseCatalogTest, MissingUpstreamModel) {
  std::string e = ErrorOf(Replace(kValid, "  upstream_model = \"gpt-4o-mini-groq\"\n", ""));
  EXPECT_TRUE(Has(e, "openai/gpt-4o-mini"));
  EXPECT_TRUE(Has(e, "upstream_model"));
}

TEST(ParseCatalogTest, ATypoedKeyIsAnErrorNotASilentlyDroppedPrice) {
  std::string e = ErrorOf(Replace(kValid, "  cache_read = \"0.075\"", "  cache_raed = \"0.075\""));
  EXPECT_TRUE(Has(e, "openai/gpt-4o-mini"));
  EXPECT_TRUE(Has(e, "cache_raed"));
  e = ErrorOf(Replace(kValid, "key_env = \"GROQ_API_KEY\"", "keyenv = \"GROQ_API_KEY\""));
  EXPECT_TRUE(Has(e, "provider groq"));
  EXPECT_TRUE(Has(e, "keyenv"));
}

TEST(ParseCatalogTest, NoModels) {
  std::string e = ErrorOf("version = 1\n");
  EXPECT_TRUE(Has(e, "test.toml"));
  EXPECT_TRUE(Has(e, "models"));
}

TEST(ParseCatalogTest, TomlSyntaxErrorNamesOriginAndLine) {
  std::string e = ErrorOf("version = 1\n\n[[models]\n");
  EXPECT_EQ(e.rfind("test.toml:3", 0), 0u) << e;
}

TEST(ReadCatalogFileTest, ReadsAFileAndNamesItInErrors) {
  char pattern[] = "/tmp/turnpike-catalog-test-XXXXXX";
  ASSERT_NE(mkdtemp(pattern), nullptr);
  std::string dir = pattern;
  std::string good = dir + "/good.toml", bad = dir + "/bad.toml";
  std::ofstream(good) << kValid;
  std::ofstream(bad) << Replace(kValid, "provider = \"groq\"", "provider = \"nope\"");
  auto c = ReadCatalogFile(good);
  EXPECT_TRUE(c.ok()) << c.error().message;
  if (c.ok()) {
    EXPECT_EQ(c->models.size(), 1u);
  }
  auto b = ReadCatalogFile(bad);
  ASSERT_FALSE(b.ok());
  EXPECT_TRUE(Has(b.error().message, bad));
  EXPECT_TRUE(Has(b.error().message, "nope"));
  auto missing = ReadCatalogFile(dir + "/missing.toml");
  EXPECT_FALSE(missing.ok());
  fs::remove_all(dir);
}

}  // namespace
}  // namespace turnpike::store
