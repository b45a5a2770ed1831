// The Store conformance suite, part 1: the fixture, migrations, users, keys, catalog and the
// request log. Money is in store_conformance_money_test.cc.
#include "store/store_conformance.h"

#include <cstdio>

#include "common/result_testing.h"

namespace turnpike::store {

std::string StoreBackendName(const ::testing::TestParamInfo<StoreBackend>& info) { return info.param.name; }

void PrintTo(const StoreBackend& backend, std::ostream* os) { *os << backend.name; }

StoreHandles OpenHandles(StoreTestDatabase& db, Store& main, int count) {
  StoreHandles h;
  h.all.push_back(&main);
  for (int i = 1; i < count; ++i) {
    auto store = db.Open();
    if (!store) {
      ADD_FAILURE() << "cannot open handle " << i;
      break;
    }
    h.all.push_back(store.get());
    h.extra.push_back(std::move(store));
  }
  return h;
}

void StoreConformanceTest::SetUp() {
  if (!GetParam().skip.empty()) GTEST_SKIP() << GetParam().skip;
  db_ = GetParam().create();
  ASSERT_NE(db_, nullptr);
  store_ = db_->Open();
  ASSERT_NE(store_, nullptr);
  Result<int> applied = store_->Migrate();
  ASSERT_TRUE(applied.ok()) << applied.error().message;
  migrations_applied_ = *applied;
}

int64_t StoreConformanceTest::MakeUser(const std::string& email, Micros credit) {
  Result<int64_t> id = store_->CreateUser(email, "$argon2id$test", false);
  EXPECT_TRUE(id.ok()) << id.error().message;
  if (!id.ok()) return 0;
  if (credit > 0) {
    Status status = store_->Credit(*id, credit, "grant", "grant:" + email, "test");
    EXPECT_TRUE(status.ok()) << status.error().message;
  }
  return *id;
}

std::string StoreConformanceTest::HashFor(int seed) {
  char hex[65];
  std::snprintf(hex, sizeof(hex), "%064x", seed);
  return hex;
}

int64_t StoreConformanceTest::MakeKey(int64_t user_id, int seed, std::optional<Micros> limit,
                                      std::optional<int64_t> expires_at) {
  ApiKey key;
  key.user_id = user_id;
  key.name = "key " + std::to_string(seed);
  key.prefix = "sk-tp-v1-" + std::to_string(seed);
  key.hash_hex = HashFor(seed);
  key.limit = limit;
  key.expires_at = expires_at;
  Result<int64_t> id = store_->CreateKey(key);
  EXPECT_TRUE(id.ok()) << id.error().message;
  return id.ok() ? *id : 0;
}

void StoreConformanceTest::ExpectBalanced(int64_t user_id) {
  std::optional<User> user = Must(store_->FindUserById(user_id));
  ASSERT_TRUE(user.has_value());
  EXPECT_EQ(user->balance, Must(store_->LedgerSum(user_id)));
  EXPECT_EQ(user->balance, Must(store_->TotalCredited(user_id)) - Must(store_->TotalSpent(user_id)));
}

namespace {

TEST_P(StoreConformanceTest, MigrateIsIdempotent) {
  EXPECT_GE(migrations_applied_, 1);
  Result<int> again = store_->Migrate();
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_EQ(*again, 0);
  EXPECT_TRUE(store_->Ping());
  if (db_->SupportsSecondHandle()) {
    std::unique_ptr<Store> other = db_->Open();
    ASSERT_NE(other, nullptr);
    Result<int> from_other = other->Migrate();
    ASSERT_TRUE(from_other.ok());
    EXPECT_EQ(*from_other, 0);
  }
}

TEST_P(StoreConformanceTest, UsersAreUniqueByCaseInsensitiveEmail) {
  EXPECT_EQ(Must(store_->CountUsers()), 0);
  Result<int64_t> id = store_->CreateUser("Alice@Example.COM", "hash-a", true);
  ASSERT_TRUE(id.ok()) << id.error().message;
  Result<int64_t> dup = store_->CreateUser("alice@example.com", "hash-b", false);
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.error().code, ErrorCode::kConflict);
  EXPECT_EQ(Must(store_->CountUsers()), 1);

  std::optional<User> user = Must(store_->FindUserByEmail("ALICE@example.com"));
  ASSERT_TRUE(user.has_value());
  EXPECT_EQ(user->id, *id);
  EXPECT_EQ(user->email, "alice@example.com");
  EXPECT_EQ(user->password_hash, "hash-a");
  EXPECT_TRUE(user->is_admin);
  EXPECT_EQ(user->balance, 0);
  EXPECT_GT(user->created_at, 0);

  std::optional<User> by_id = Must(store_->FindUserById(*id));
  ASSERT_TRUE(by_id.has_value());
  EXPECT_EQ(by_id->email, "alice@example.com");
  EXPECT_FALSE(Must(store_->FindUserById(*id + 1000)).has_value());
  EXPECT_FALSE(Must(store_->FindUserByEmail("bob@example.com")).has_value());
}

TEST_P(StoreConformanceTest, KeysRoundTripAndConflict) {
  int64_t alice = MakeUser("alice@example.com");
  int64_t bob = MakeUser("bob@example.com");
  int64_t limited = MakeKey(alice, 1, Micros{5'000'000}, int64_t{2'000'000'000});
  int64_t plain = MakeKey(alice, 2);
  MakeKey(bob, 3);

  std::optional<ApiKey> key = Must(store_->FindKeyByHash(HashFor(1)));
  ASSERT_TRUE(key.has_value());
  EXPECT_EQ(key->id, limited);
  EXPECT_EQ(key->user_id, alice);
  EXPECT_EQ(key->name, "key 1");
  EXPECT_EQ(key->prefix, "sk-tp-v1-1");
  EXPECT_EQ(key->limit, Micros{5'000'000});
  EXPECT_EQ(key->usage, 0);
  EXPECT_FALSE(key->disabled);
  EXPECT_EQ(key->expires_at, int64_t{2'000'000'000});
  EXPECT_GT(key->created_at, 0);

  std::optional<ApiKey> unlimited = Must(store_->FindKeyById(plain));
  ASSERT_TRUE(unlimited.has_value());
  EXPECT_FALSE(unlimited->limit.has_value());
  EXPECT_FALSE(unlimited->expires_at.has_value());
  EXPECT_FALSE(Must(store_->FindKeyByHash(HashFor(99))).has_value());
  EXPECT_FALSE(Must(store_->FindKeyById(plain + 1000)).has_value());

  ApiKey dup;
  dup.user_id = bob;
  dup.name = "dup";
  dup.prefix = "sk";
  dup.hash_hex = HashFor(1);
  Result<int64_t> conflict = store_->CreateKey(dup);
  ASSERT_FALSE(conflict.ok());
  EXPECT_EQ(conflict.error().code, ErrorCode::kConflict);
  dup.hash_hex = HashFor(4);
  dup.user_id = bob + 1000;
  Result<int64_t> orphan = store_->CreateKey(dup);
  ASSERT_FALSE(orphan.ok());
  EXPECT_EQ(orphan.error().code, ErrorCode::kNotFound);

  std::vector<ApiKey> keys = Must(store_->ListKeys(alice));
  ASSERT_EQ(keys.size(), 2u);
  EXPECT_EQ(keys[0].id, limited);
  EXPECT_EQ(keys[1].id, plain);

  ASSERT_TRUE(store_->SetKeyDisabled(plain, true).ok());
  EXPECT_TRUE(Must(store_->FindKeyById(plain))->disabled);
  ASSERT_TRUE(store_->SetKeyDisabled(plain, false).ok());
  EXPECT_FALSE(Must(store_->FindKeyById(plain))->disabled);
  Status missing = store_->SetKeyDisabled(plain + 1000, true);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
}

Catalog SampleCatalog() {
  Catalog catalog;
  catalog.companies = {{"anthropic", "Anthropic"}, {"openai", "OpenAI"}};
  catalog.providers = {
      {"groq", "Groq", "openai", "https://api.groq.com/openai/v1", "GROQ_API_KEY", "", true},
      {"openai", "OpenAI", "openai", "https://api.openai.com/v1", "OPENAI_API_KEY", "OPENAI_BASE_URL", true},
  };
  Model model;
  model.id = "openai/gpt-4o-mini";
  model.company_id = "openai";
  model.name = "OpenAI: GPT-4o mini";
  model.description = "Small \"omni\" model";
  model.context_length = 128000;
  model.max_output = 16384;
  model.created = 1721260800;
  model.source = "openai.com/pricing 2025-01-01";
  model.input_modalities = {"text", "image"};
  model.output_modalities = {"text"};
  model.endpoints = {
      {"openai",
       "gpt-4o-mini",
       {150000, 600000, 75000, 0},
       128000,
       16384,
       {"temperature", "tools", "response_format"},
       true},
      {"groq", "gpt-4o-mini-groq", {100000, 500000, 0, 0}, 64000, 8192, {}, false},
  };
  catalog.models.push_back(model);
  return catalog;
}

void ExpectSameEndpoint(const Endpoint& a, const Endpoint& b) {
  EXPECT_EQ(a.provider_id, b.provider_id);
  EXPECT_EQ(a.upstream_model, b.upstream_model);
  EXPECT_EQ(a.prices.input, b.prices.input);
  EXPECT_EQ(a.prices.output, b.prices.output);
  EXPECT_EQ(a.prices.cache_read, b.prices.cache_read);
  EXPECT_EQ(a.prices.cache_write, b.prices.cache_write);
  EXPECT_EQ(a.context_length, b.context_length);
  EXPECT_EQ(a.max_output, b.max_output);
  EXPECT_EQ(a.supported_parameters, b.supported_parameters);
  EXPECT_EQ(a.enabled, b.enabled);
}

void ExpectSameModel(const Model& a, const Model& b) {
  EXPECT_EQ(a.id, b.id);
  EXPECT_EQ(a.company_id, b.company_id);
  EXPECT_EQ(a.name, b.name);
  EXPECT_EQ(a.description, b.description);
  EXPECT_EQ(a.context_length, b.context_length);
  EXPECT_EQ(a.max_output, b.max_output);
  EXPECT_EQ(a.created, b.created);
  EXPECT_EQ(a.source, b.source);
  EXPECT_EQ(a.input_modalities, b.input_modalities);
  EXPECT_EQ(a.output_modalities, b.output_modalities);
  ASSERT_EQ(a.endpoints.size(), b.endpoints.size());
  for (size_t i = 0; i < a.endpoints.size(); ++i) ExpectSameEndpoint(a.endpoints[i], b.endpoints[i]);
}

TEST_P(StoreConformanceTest, CatalogImportUpsertsAndReplacesEndpoints) {
  EXPECT_TRUE(Must(store_->CatalogEmpty()));
  Catalog sample = SampleCatalog();
  Status imported = store_->ImportCatalog(sample);
  ASSERT_TRUE(imported.ok()) << imported.error().message;
  EXPECT_FALSE(Must(store_->CatalogEmpty()));

  Catalog loaded = Must(store_->LoadCatalog());
  ASSERT_EQ(loaded.companies.size(), 2u);
  EXPECT_EQ(loaded.companies[1].id, "openai");
  EXPECT_EQ(loaded.companies[1].name, "OpenAI");
  ASSERT_EQ(loaded.providers.size(), 2u);
  EXPECT_EQ(loaded.providers[1].id, "openai");
  EXPECT_EQ(loaded.providers[1].key_env, "OPENAI_API_KEY");
  EXPECT_EQ(loaded.providers[1].base_url_env, "OPENAI_BASE_URL");
  EXPECT_EQ(loaded.providers[0].base_url, "https://api.groq.com/openai/v1");
  ASSERT_EQ(loaded.models.size(), 1u);
  ExpectSameModel(loaded.models[0], sample.models[0]);

  // A second import renames a provider, replaces the model's endpoints and adds a model;
  // what it does not mention (the anthropic company, the groq provider) stays.
  Catalog update;
  update.providers = {{"openai", "OpenAI (renamed)", "openai", "https://example.test/v1", "OPENAI_API_KEY", "", false}};
  Model changed = sample.models[0];
  changed.name = "GPT-4o mini v2";
  changed.endpoints = {{"groq", "other-name", {1, 2, 3, 4}, 1000, 100, {"seed"}, true}};
  Model added;
  added.id = "anthropic/claude-x";
  added.company_id = "anthropic";
  added.name = "Claude X";
  update.models = {changed, added};
  imported = store_->ImportCatalog(update);
  ASSERT_TRUE(imported.ok()) << imported.error().message;

  loaded = Must(store_->LoadCatalog());
  EXPECT_EQ(loaded.companies.size(), 2u);
  ASSERT_EQ(loaded.providers.size(), 2u);
  EXPECT_EQ(loaded.providers[1].name, "OpenAI (renamed)");
  EXPECT_FALSE(loaded.providers[1].enabled);
  EXPECT_EQ(loaded.providers[0].name, "Groq");
  ASSERT_EQ(loaded.models.size(), 2u);
  ExpectSameModel(loaded.models[0], added);
  ExpectSameModel(loaded.models[1], changed);

  // A broken reference rejects the whole import.
  Catalog broken;
  broken.companies = {{"mistral", "Mistral"}};
  Model orphan;
  orphan.id = "nobody/model";
  orphan.company_id = "nobody";
  broken.models = {orphan};
  Status refused = store_->ImportCatalog(broken);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kBadRequest);
  EXPECT_EQ(Must(store_->LoadCatalog()).companies.size(), 2u);
}

RequestLogRow LogRow(const std::string& id, int64_t user_id, int64_t created_at_ms) {
  RequestLogRow row;
  row.request_id = id;
  row.user_id = user_id;
  row.key_id = 7;
  row.model_id = "openai/gpt-4o-mini";
  row.provider_id = "openai";
  row.upstream_model = "gpt-4o-mini";
  row.streamed = true;
  row.prompt_tokens = 12;
  row.completion_tokens = 34;
  row.cached_tokens = 5;
  row.reasoning_tokens = 6;
  row.cost = 789;
  row.usage_source = UsageSource::kEstimated;
  row.latency_ms = 1500;
  row.ttft_ms = 250;
  row.http_status = 200;
  row.finish_reason = "stop";
  row.created_at = created_at_ms;
  return row;
}

TEST_P(StoreConformanceTest, RequestLogBatchesIgnoreDuplicates) {
  ASSERT_TRUE(store_->AppendRequestLogs({}).ok());
  Status status =
      store_->AppendRequestLogs({LogRow("gen-1", 1, 1'000), LogRow("gen-2", 1, 3'000), LogRow("gen-3", 2, 2'000)});
  ASSERT_TRUE(status.ok()) << status.error().message;
  RequestLogRow again = LogRow("gen-2", 1, 9'000);
  again.http_status = 500;
  RequestLogRow fresh = LogRow("gen-4", 1, 2'000);
  fresh.provider_id = "";
  fresh.usage_source = UsageSource::kProvider;
  fresh.ttft_ms = -1;
  fresh.finish_reason = "error";
  fresh.error_message = "upstream failed";
  ASSERT_TRUE(store_->AppendRequestLogs({again, fresh}).ok());

  std::optional<RequestLogRow> row = Must(store_->FindRequestLog("gen-2"));
  ASSERT_TRUE(row.has_value());
  RequestLogRow want = LogRow("gen-2", 1, 3'000);
  EXPECT_EQ(row->http_status, 200);  // the first write won
  EXPECT_EQ(row->user_id, want.user_id);
  EXPECT_EQ(row->key_id, want.key_id);
  EXPECT_EQ(row->model_id, want.model_id);
  EXPECT_EQ(row->provider_id, want.provider_id);
  EXPECT_EQ(row->upstream_model, want.upstream_model);
  EXPECT_EQ(row->streamed, want.streamed);
  EXPECT_EQ(row->prompt_tokens, want.prompt_tokens);
  EXPECT_EQ(row->completion_tokens, want.completion_tokens);
  EXPECT_EQ(row->cached_tokens, want.cached_tokens);
  EXPECT_EQ(row->reasoning_tokens, want.reasoning_tokens);
  EXPECT_EQ(row->cost, want.cost);
  EXPECT_EQ(row->usage_source, UsageSource::kEstimated);
  EXPECT_EQ(row->latency_ms, want.latency_ms);
  EXPECT_EQ(row->ttft_ms, want.ttft_ms);
  EXPECT_EQ(row->finish_reason, want.finish_reason);
  EXPECT_EQ(row->error_message, "");
  EXPECT_EQ(row->created_at, 3'000);

  std::optional<RequestLogRow> failed = Must(store_->FindRequestLog("gen-4"));
  ASSERT_TRUE(failed.has_value());
  EXPECT_EQ(failed->usage_source, UsageSource::kProvider);
  EXPECT_EQ(failed->ttft_ms, -1);
  EXPECT_EQ(failed->error_message, "upstream failed");
  EXPECT_FALSE(Must(store_->FindRequestLog("gen-404")).has_value());

  std::vector<RequestLogRow> rows = Must(store_->ListRequestLogs(1, 10));
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].request_id, "gen-2");
  EXPECT_EQ(rows[1].request_id, "gen-4");
  EXPECT_EQ(rows[2].request_id, "gen-1");
  EXPECT_EQ(Must(store_->ListRequestLogs(1, 1)).size(), 1u);
  EXPECT_EQ(Must(store_->ListRequestLogs(2, 10)).size(), 1u);
  EXPECT_TRUE(Must(store_->ListRequestLogs(1, 0)).empty());
}

}  // namespace
}  // namespace turnpike::store
