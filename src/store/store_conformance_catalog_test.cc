// The Store conformance suite, part 4: catalog administration (companies, providers, models and
// endpoints one at a time) and effective-dated prices (the price history, scheduled changes,
// LoadCatalogAt).
#include "common/clock.h"
#include "common/result_testing.h"
#include "store/store_conformance.h"

namespace turnpike::store {
namespace {

using money::Prices;

const Prices kOld{150000, 600000, 75000, 0};
const Prices kNew{200000, 800000, 100000, 5};
const Prices kLater{300000, 900000, 0, 0};

void ExpectPrices(const Prices& got, const Prices& want, const std::string& what) {
  EXPECT_EQ(got.input, want.input) << what;
  EXPECT_EQ(got.output, want.output) << what;
  EXPECT_EQ(got.cache_read, want.cache_read) << what;
  EXPECT_EQ(got.cache_write, want.cache_write) << what;
}

const Model* FindModel(const Catalog& catalog, const std::string& id) {
  for (const Model& m : catalog.models) {
    if (m.id == id) return &m;
  }
  return nullptr;
}

const Endpoint* FindEndpoint(const Catalog& catalog, const std::string& model_id, const std::string& provider_id) {
  const Model* model = FindModel(catalog, model_id);
  if (model == nullptr) return nullptr;
  for (const Endpoint& e : model->endpoints) {
    if (e.provider_id == provider_id) return &e;
  }
  return nullptr;
}

// The prices LoadCatalogAt(at) gives the endpoint; fails the test when it is missing.
Prices PricesAt(Store& store, const std::string& model_id, const std::string& provider_id, int64_t at) {
  Catalog catalog = Must(store.LoadCatalogAt(at));
  const Endpoint* e = FindEndpoint(catalog, model_id, provider_id);
  EXPECT_NE(e, nullptr) << model_id << " @ " << provider_id << " at " << at;
  return e ? e->prices : Prices{-1, -1, -1, -1};
}

Endpoint MakeEndpoint(const std::string& provider_id, const Prices& prices) {
  Endpoint e;
  e.provider_id = provider_id;
  e.upstream_model = "upstream-" + provider_id;
  e.prices = prices;
  e.context_length = 128000;
  e.max_output = 4096;
  e.supported_parameters = {"temperature", "tools"};
  e.enabled = true;
  return e;
}

Model MakeModel(const std::string& id, const std::string& company_id) {
  Model m;
  m.id = id;
  m.company_id = company_id;
  m.name = "Model " + id;
  m.description = "described";
  m.context_length = 128000;
  m.max_output = 16384;
  m.created = 1721260800;
  m.source = "test, 2026-01-01";
  m.input_modalities = {"text"};
  m.output_modalities = {"text"};
  return m;
}

// A company, two providers and one model with no endpoints.
void Seed(Store& store) {
  ASSERT_TRUE(store.PutCompany({"openai", "OpenAI"}, PutMode::kCreate).ok());
  ASSERT_TRUE(store
                  .PutProvider({"openai", "OpenAI", "openai", "https://api.openai.com/v1", "OPENAI_API_KEY",
                                "OPENAI_BASE_URL", true},
                               PutMode::kCreate)
                  .ok());
  ASSERT_TRUE(store
                  .PutProvider({"groq", "Groq", "openai", "https://api.groq.com/openai/v1", "GROQ_API_KEY", "", true},
                               PutMode::kCreate)
                  .ok());
  ASSERT_TRUE(store.PutModel(MakeModel("openai/gpt-4o-mini", "openai"), PutMode::kCreate).ok());
}

TEST_P(StoreConformanceTest, CatalogAdminCompaniesAndProviders) {
  ASSERT_TRUE(store_->PutCompany({"openai", "OpenAI"}, PutMode::kCreate).ok());
  Status again = store_->PutCompany({"openai", "Other"}, PutMode::kCreate);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, ErrorCode::kConflict);
  Status missing = store_->PutCompany({"nobody", "Nobody"}, PutMode::kUpdate);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
  ASSERT_TRUE(store_->PutCompany({"openai", "OpenAI Inc."}, PutMode::kUpdate).ok());
  ASSERT_TRUE(store_->PutCompany({"mistral", "Mistral"}, PutMode::kUpsert).ok());
  Status empty = store_->PutCompany({"", "No id"}, PutMode::kUpsert);
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.error().code, ErrorCode::kBadRequest);

  Provider provider{"fast", "Fast", "anthropic", "https://fast.example/v1", "FAST_KEY", "", true};
  ASSERT_TRUE(store_->PutProvider(provider, PutMode::kCreate).ok());
  Status dup = store_->PutProvider(provider, PutMode::kCreate);
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.error().code, ErrorCode::kConflict);
  provider.name = "Fast (renamed)";
  provider.enabled = false;
  provider.base_url_env = "FAST_BASE_URL";
  ASSERT_TRUE(store_->PutProvider(provider, PutMode::kUpdate).ok());
  Status unknown = store_->PutProvider({"slow", "Slow", "openai", "", "", "", true}, PutMode::kUpdate);
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().code, ErrorCode::kNotFound);
  Status no_adapter = store_->PutProvider({"slow", "Slow", "", "", "", "", true}, PutMode::kUpsert);
  ASSERT_FALSE(no_adapter.ok());
  EXPECT_EQ(no_adapter.error().code, ErrorCode::kBadRequest);

  Catalog catalog = Must(store_->LoadCatalog());
  ASSERT_EQ(catalog.companies.size(), 2u);
  EXPECT_EQ(catalog.companies[0].id, "mistral");
  EXPECT_EQ(catalog.companies[1].name, "OpenAI Inc.");
  ASSERT_EQ(catalog.providers.size(), 1u);
  EXPECT_EQ(catalog.providers[0].name, "Fast (renamed)");
  EXPECT_EQ(catalog.providers[0].adapter, "anthropic");
  EXPECT_EQ(catalog.providers[0].key_env, "FAST_KEY");
  EXPECT_EQ(catalog.providers[0].base_url_env, "FAST_BASE_URL");
  EXPECT_FALSE(catalog.providers[0].enabled);

  ASSERT_TRUE(store_->DeleteCompany("mistral").ok());
  Status gone = store_->DeleteCompany("mistral");
  ASSERT_FALSE(gone.ok());
  EXPECT_EQ(gone.error().code, ErrorCode::kNotFound);
  ASSERT_TRUE(store_->DeleteProvider("fast").ok());
  gone = store_->DeleteProvider("fast");
  ASSERT_FALSE(gone.ok());
  EXPECT_EQ(gone.error().code, ErrorCode::kNotFound);
  catalog = Must(store_->LoadCatalog());
  EXPECT_EQ(catalog.companies.size(), 1u);
  EXPECT_TRUE(catalog.providers.empty());
}

// Every kind of catalog write moves the version, and nothing else does: it is what tells another
// process that its snapshot is stale (app/serve.cc, CatalogRefresher).
TEST_P(StoreConformanceTest, EveryCatalogWriteMovesTheCatalogVersion) {
  int64_t last = Must(store_->CatalogVersion());
  const auto moved = [&](const std::string& what) {
    const int64_t now = Must(store_->CatalogVersion());
    EXPECT_GT(now, last) << what;
    last = now;
  };
  Seed(*store_);
  moved("companies, providers and a model created");
  ASSERT_TRUE(store_->PutCompany({"openai", "OpenAI Inc."}, PutMode::kUpdate).ok());
  moved("a company renamed");
  ASSERT_TRUE(store_
                  ->PutProvider({"groq", "Groq", "openai", "https://api.groq.com/openai/v1", "GROQ_API_KEY", "", false},
                                PutMode::kUpdate)
                  .ok());
  moved("a provider disabled");
  Model model = MakeModel("openai/gpt-4o-mini", "openai");
  model.description = "changed";
  ASSERT_TRUE(store_->PutModel(model, PutMode::kUpdate).ok());
  moved("a model changed");
  const int64_t now = UnixSeconds();
  ASSERT_TRUE(store_->PutEndpoint("openai/gpt-4o-mini", MakeEndpoint("openai", kOld), now, now).ok());
  moved("an endpoint created");
  ASSERT_TRUE(store_->PutEndpoint("openai/gpt-4o-mini", MakeEndpoint("openai", kNew), now, now).ok());
  moved("a price changed");
  ASSERT_TRUE(store_->PutEndpoint("openai/gpt-4o-mini", MakeEndpoint("openai", kLater), now + 3600, now).ok());
  moved("a price change scheduled");
  ASSERT_TRUE(Must(store_->CreateUser("catalog-version@example.test", "x", false)) > 0);
  EXPECT_EQ(Must(store_->CatalogVersion()), last) << "a user is not the catalog";
  ASSERT_TRUE(store_->DeleteEndpoint("openai/gpt-4o-mini", "openai", now).ok());
  moved("an endpoint deleted");
  ASSERT_TRUE(store_->DeleteModel("openai/gpt-4o-mini", now).ok());
  moved("a model deleted");
  Catalog catalog;
  catalog.companies.push_back({"anthropic", "Anthropic"});
  ASSERT_TRUE(store_->ImportCatalog(catalog).ok());
  moved("an import");
}

TEST_P(StoreConformanceTest, CatalogAdminModelsLeaveEndpointsAlone) {
  Seed(*store_);
  Model orphan = MakeModel("nobody/model", "nobody");
  Status refused = store_->PutModel(orphan, PutMode::kUpsert);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kBadRequest);
  Status dup = store_->PutModel(MakeModel("openai/gpt-4o-mini", "openai"), PutMode::kCreate);
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.error().code, ErrorCode::kConflict);
  Status missing = store_->PutModel(MakeModel("openai/none", "openai"), PutMode::kUpdate);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);

  const int64_t now = 2'000'000'000;
  Result<bool> created = store_->PutEndpoint("openai/gpt-4o-mini", MakeEndpoint("openai", kOld), 0, now);
  ASSERT_TRUE(created.ok()) << created.error().message;
  EXPECT_TRUE(*created);
  ASSERT_TRUE(store_->PutEndpoint("openai/gpt-4o-mini", MakeEndpoint("groq", kNew), 0, now).ok());

  // Changing the model (with an endpoint list of its own) keeps its endpoints, in order.
  Model changed = MakeModel("openai/gpt-4o-mini", "openai");
  changed.name = "GPT-4o mini (renamed)";
  changed.context_length = 64000;
  changed.input_modalities = {"text", "image"};
  changed.endpoints = {MakeEndpoint("other", kLater)};
  ASSERT_TRUE(store_->PutModel(changed, PutMode::kUpdate).ok());
  Catalog catalog = Must(store_->LoadCatalogAt(now));
  const Model* model = FindModel(catalog, "openai/gpt-4o-mini");
  ASSERT_NE(model, nullptr);
  EXPECT_EQ(model->name, "GPT-4o mini (renamed)");
  EXPECT_EQ(model->context_length, 64000);
  EXPECT_EQ(model->input_modalities, (std::vector<std::string>{"text", "image"}));
  EXPECT_EQ(model->description, "described");
  EXPECT_EQ(model->created, 1721260800);
  EXPECT_EQ(model->source, "test, 2026-01-01");
  ASSERT_EQ(model->endpoints.size(), 2u);
  EXPECT_EQ(model->endpoints[0].provider_id, "openai");
  EXPECT_EQ(model->endpoints[1].provider_id, "groq");
  EXPECT_EQ(model->endpoints[0].upstream_model, "upstream-openai");
  EXPECT_EQ(model->endpoints[0].supported_parameters, (std::vector<std::string>{"temperature", "tools"}));

  // What depends on something keeps it.
  Status company = store_->DeleteCompany("openai");
  ASSERT_FALSE(company.ok());
  EXPECT_EQ(company.error().code, ErrorCode::kConflict);
  Status provider = store_->DeleteProvider("groq");
  ASSERT_FALSE(provider.ok());
  EXPECT_EQ(provider.error().code, ErrorCode::kConflict);
  EXPECT_EQ(Must(store_->LoadCatalogAt(now)).providers.size(), 2u);

  // An endpoint goes on its own; then its provider may go.
  ASSERT_TRUE(store_->DeleteEndpoint("openai/gpt-4o-mini", "groq", now).ok());
  Status twice = store_->DeleteEndpoint("openai/gpt-4o-mini", "groq", now);
  ASSERT_FALSE(twice.ok());
  EXPECT_EQ(twice.error().code, ErrorCode::kNotFound);
  ASSERT_TRUE(store_->DeleteProvider("groq").ok());

  // A model goes with its endpoints; then its company may go.
  ASSERT_TRUE(store_->DeleteModel("openai/gpt-4o-mini", now).ok());
  Status gone = store_->DeleteModel("openai/gpt-4o-mini", now);
  ASSERT_FALSE(gone.ok());
  EXPECT_EQ(gone.error().code, ErrorCode::kNotFound);
  ASSERT_TRUE(store_->DeleteProvider("openai").ok());
  ASSERT_TRUE(store_->DeleteCompany("openai").ok());
  EXPECT_TRUE(Must(store_->CatalogEmpty()));
}

TEST_P(StoreConformanceTest, EndpointPutRecordsPriceChanges) {
  Seed(*store_);
  const int64_t t0 = 2'000'000'000;
  const std::string model = "openai/gpt-4o-mini";

  Result<bool> unknown_model = store_->PutEndpoint("openai/none", MakeEndpoint("openai", kOld), 0, t0);
  ASSERT_FALSE(unknown_model.ok());
  EXPECT_EQ(unknown_model.error().code, ErrorCode::kNotFound);
  Result<bool> unknown_provider = store_->PutEndpoint(model, MakeEndpoint("nobody", kOld), 0, t0);
  ASSERT_FALSE(unknown_provider.ok());
  EXPECT_EQ(unknown_provider.error().code, ErrorCode::kNotFound);
  // A new endpoint cannot start with a scheduled price.
  Result<bool> scheduled_new = store_->PutEndpoint(model, MakeEndpoint("openai", kOld), t0 + 60, t0);
  ASSERT_FALSE(scheduled_new.ok());
  EXPECT_EQ(scheduled_new.error().code, ErrorCode::kBadRequest);
  EXPECT_TRUE(Must(store_->ListPriceHistory(model, "openai")).empty());

  // Created; a time in the past means now.
  Result<bool> created = store_->PutEndpoint(model, MakeEndpoint("openai", kOld), t0 - 3600, t0);
  ASSERT_TRUE(created.ok()) << created.error().message;
  EXPECT_TRUE(*created);
  std::vector<PriceChange> history = Must(store_->ListPriceHistory(model, "openai"));
  ASSERT_EQ(history.size(), 1u);
  EXPECT_EQ(history[0].model_id, model);
  EXPECT_EQ(history[0].provider_id, "openai");
  ExpectPrices(history[0].prices, kOld, "first row");
  EXPECT_EQ(history[0].effective_from, t0);
  EXPECT_EQ(history[0].created_at, t0);
  EXPECT_GT(history[0].id, 0);

  // The same prices again are no change; other fields change all the same.
  Endpoint renamed = MakeEndpoint("openai", kOld);
  renamed.upstream_model = "gpt-4o-mini-2024-07-18";
  renamed.enabled = false;
  Result<bool> updated = store_->PutEndpoint(model, renamed, 0, t0 + 10);
  ASSERT_TRUE(updated.ok());
  EXPECT_FALSE(*updated);
  EXPECT_EQ(Must(store_->ListPriceHistory(model, "openai")).size(), 1u);
  Catalog loaded = Must(store_->LoadCatalogAt(t0 + 10));
  const Endpoint* e = FindEndpoint(loaded, model, "openai");
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->upstream_model, "gpt-4o-mini-2024-07-18");
  EXPECT_FALSE(e->enabled);

  // New prices, effective now.
  ASSERT_TRUE(store_->PutEndpoint(model, MakeEndpoint("openai", kNew), 0, t0 + 20).ok());
  history = Must(store_->ListPriceHistory(model, "openai"));
  ASSERT_EQ(history.size(), 2u);
  ExpectPrices(history[1].prices, kNew, "second row");
  EXPECT_EQ(history[1].effective_from, t0 + 20);
  ExpectPrices(PricesAt(*store_, model, "openai", t0 + 19), kOld, "before the change");
  ExpectPrices(PricesAt(*store_, model, "openai", t0 + 20), kNew, "from the change");
  // Back to the old prices is a change too.
  ASSERT_TRUE(store_->PutEndpoint(model, MakeEndpoint("openai", kOld), 0, t0 + 30).ok());
  EXPECT_EQ(Must(store_->ListPriceHistory(model, "openai")).size(), 3u);
  ExpectPrices(PricesAt(*store_, model, "openai", t0 + 30), kOld, "changed back");
  EXPECT_TRUE(Must(store_->ListPriceHistory(model, "groq")).empty());
  EXPECT_TRUE(Must(store_->ListPriceHistory("openai/none", "openai")).empty());
}

// Each endpoint's data policy (what routing's data_collection and zdr filter by) is kept by both
// an import and an endpoint write, and an endpoint written without one is "allow", not zdr.
TEST_P(StoreConformanceTest, EndpointsKeepTheirDataPolicy) {
  Seed(*store_);
  const int64_t t0 = 2'000'000'000;
  const std::string model = "openai/gpt-4o-mini";
  Endpoint denies = MakeEndpoint("openai", kOld);
  denies.data_collection = "deny";
  denies.zdr = true;
  ASSERT_TRUE(store_->PutEndpoint(model, denies, 0, t0).ok());
  ASSERT_TRUE(store_->PutEndpoint(model, MakeEndpoint("groq", kOld), 0, t0).ok());
  Catalog loaded = Must(store_->LoadCatalogAt(t0));
  const Endpoint* openai = FindEndpoint(loaded, model, "openai");
  const Endpoint* groq = FindEndpoint(loaded, model, "groq");
  ASSERT_TRUE(openai && groq);
  EXPECT_EQ(openai->data_collection, "deny");
  EXPECT_TRUE(openai->zdr);
  EXPECT_EQ(groq->data_collection, "allow");
  EXPECT_FALSE(groq->zdr);

  // An import replaces them, as every other field of the endpoints it names.
  Catalog update;
  Model m = MakeModel(model, "openai");
  Endpoint now_allows = MakeEndpoint("openai", kOld);
  Endpoint now_denies = MakeEndpoint("groq", kOld);
  now_denies.data_collection = "deny";
  m.endpoints = {now_allows, now_denies};
  update.models = {m};
  ASSERT_TRUE(store_->ImportCatalog(update).ok());
  loaded = Must(store_->LoadCatalog());
  openai = FindEndpoint(loaded, model, "openai");
  groq = FindEndpoint(loaded, model, "groq");
  ASSERT_TRUE(openai && groq);
  EXPECT_EQ(openai->data_collection, "allow");
  EXPECT_FALSE(openai->zdr);
  EXPECT_EQ(groq->data_collection, "deny");
  EXPECT_FALSE(groq->zdr);
}

// A model renamed in the catalog file (former_ids) replaces the one under its old id: no
// duplicate, no orphaned endpoints; the old id's past price history stays, its scheduled changes go.
TEST_P(StoreConformanceTest, ImportReplacesAModelUnderItsFormerId) {
  Seed(*store_);
  const int64_t now = UnixSeconds();
  const std::string old_id = "openai/gpt-4o-mini";
  ASSERT_TRUE(store_->PutEndpoint(old_id, MakeEndpoint("openai", kOld), 0, now).ok());
  ASSERT_TRUE(store_->PutEndpoint(old_id, MakeEndpoint("openai", kNew), now + 86'400, now).ok());
  ASSERT_EQ(Must(store_->ListPriceHistory(old_id, "openai")).size(), 2u);

  Catalog renamed;
  Model m = MakeModel("openai/gpt-4o.mini", "openai");
  m.former_ids = {old_id, "openai/never-existed"};
  m.canonical_slug = "openai/gpt-4o-mini-2024-07-18";
  m.endpoints = {MakeEndpoint("groq", kOld)};
  renamed.models = {m};
  for (int i = 0; i < 2; ++i) {  // and again, once the old one is gone
    Status imported = store_->ImportCatalog(renamed);
    ASSERT_TRUE(imported.ok()) << imported.error().message;
    Catalog loaded = Must(store_->LoadCatalog());
    ASSERT_EQ(loaded.models.size(), 1u);
    EXPECT_EQ(loaded.models[0].id, "openai/gpt-4o.mini");
    EXPECT_EQ(loaded.models[0].canonical_slug, "openai/gpt-4o-mini-2024-07-18");
    ASSERT_EQ(loaded.models[0].endpoints.size(), 1u);
    EXPECT_EQ(loaded.models[0].endpoints[0].provider_id, "groq");
  }
  std::vector<PriceChange> history = Must(store_->ListPriceHistory(old_id, "openai"));
  ASSERT_EQ(history.size(), 1u) << "the scheduled change is cancelled, the past kept";
  ExpectPrices(history[0].prices, kOld, "the past");
}

TEST_P(StoreConformanceTest, ScheduledPriceChangeTakesEffectAtItsTime) {
  Seed(*store_);
  const int64_t t0 = 2'000'000'000;
  const std::string model = "openai/gpt-4o-mini";
  ASSERT_TRUE(store_->PutEndpoint(model, MakeEndpoint("openai", kOld), 0, t0).ok());
  EXPECT_FALSE(Must(store_->LoadCatalogAt(t0)).next_price_change.has_value());

  // Scheduled 100 s ahead, with a new upstream name that applies at once.
  Endpoint next = MakeEndpoint("openai", kNew);
  next.upstream_model = "renamed-now";
  Result<bool> scheduled = store_->PutEndpoint(model, next, t0 + 100, t0 + 1);
  ASSERT_TRUE(scheduled.ok()) << scheduled.error().message;
  EXPECT_FALSE(*scheduled);
  std::vector<PriceChange> history = Must(store_->ListPriceHistory(model, "openai"));
  ASSERT_EQ(history.size(), 2u);
  EXPECT_EQ(history[1].effective_from, t0 + 100);
  EXPECT_EQ(history[1].created_at, t0 + 1);

  Catalog before = Must(store_->LoadCatalogAt(t0 + 99));
  const Endpoint* e = FindEndpoint(before, model, "openai");
  ASSERT_NE(e, nullptr);
  ExpectPrices(e->prices, kOld, "before its time");
  EXPECT_EQ(e->upstream_model, "renamed-now");
  EXPECT_EQ(before.next_price_change, std::optional<int64_t>(t0 + 100));
  Catalog after = Must(store_->LoadCatalogAt(t0 + 100));
  ExpectPrices(FindEndpoint(after, model, "openai")->prices, kNew, "at its time");
  EXPECT_FALSE(after.next_price_change.has_value());
  ExpectPrices(PricesAt(*store_, model, "openai", t0 + 5000), kNew, "long after");

  // Two more changes scheduled out of order: each applies from its own time.
  ASSERT_TRUE(store_->PutEndpoint(model, MakeEndpoint("openai", kLater), t0 + 300, t0 + 2).ok());
  ASSERT_TRUE(store_->PutEndpoint(model, MakeEndpoint("openai", kOld), t0 + 200, t0 + 3).ok());
  EXPECT_EQ(Must(store_->LoadCatalogAt(t0 + 150)).next_price_change, std::optional<int64_t>(t0 + 200));
  ExpectPrices(PricesAt(*store_, model, "openai", t0 + 150), kNew, "after the first");
  ExpectPrices(PricesAt(*store_, model, "openai", t0 + 250), kOld, "after the second");
  ExpectPrices(PricesAt(*store_, model, "openai", t0 + 300), kLater, "after the third");
  history = Must(store_->ListPriceHistory(model, "openai"));
  ASSERT_EQ(history.size(), 4u);
  EXPECT_EQ(history[2].effective_from, t0 + 200);  // by effective_from, not by creation
  EXPECT_EQ(history[3].effective_from, t0 + 300);

  // Scheduling again for the same time replaces the change (the later row wins).
  ASSERT_TRUE(store_->PutEndpoint(model, MakeEndpoint("openai", kNew), t0 + 300, t0 + 4).ok());
  ExpectPrices(PricesAt(*store_, model, "openai", t0 + 300), kNew, "rescheduled");
  // Prices equal to those that would be in force at that time are no change.
  ASSERT_TRUE(store_->PutEndpoint(model, MakeEndpoint("openai", kNew), t0 + 400, t0 + 5).ok());
  EXPECT_EQ(Must(store_->ListPriceHistory(model, "openai")).size(), 5u);
}

TEST_P(StoreConformanceTest, DeletingCancelsScheduledPricesAndKeepsThePast) {
  Seed(*store_);
  const int64_t t0 = 2'000'000'000;
  const std::string model = "openai/gpt-4o-mini";
  ASSERT_TRUE(store_->PutEndpoint(model, MakeEndpoint("openai", kOld), 0, t0).ok());
  ASSERT_TRUE(store_->PutEndpoint(model, MakeEndpoint("groq", kOld), 0, t0).ok());
  ASSERT_TRUE(store_->PutEndpoint(model, MakeEndpoint("openai", kNew), t0 + 100, t0).ok());
  ASSERT_TRUE(store_->PutEndpoint(model, MakeEndpoint("groq", kNew), t0 + 100, t0).ok());

  ASSERT_TRUE(store_->DeleteEndpoint(model, "openai", t0 + 10).ok());
  std::vector<PriceChange> history = Must(store_->ListPriceHistory(model, "openai"));
  ASSERT_EQ(history.size(), 1u);  // the past stays, the scheduled change is gone
  ExpectPrices(history[0].prices, kOld, "past row");
  EXPECT_EQ(Must(store_->ListPriceHistory(model, "groq")).size(), 2u);
  EXPECT_EQ(Must(store_->LoadCatalogAt(t0 + 10)).next_price_change, std::optional<int64_t>(t0 + 100));

  // Created again: nothing scheduled comes back; the new prices apply from now.
  ASSERT_TRUE(store_->PutEndpoint(model, MakeEndpoint("openai", kLater), 0, t0 + 20).ok());
  ExpectPrices(PricesAt(*store_, model, "openai", t0 + 1000), kLater, "re-created");

  ASSERT_TRUE(store_->DeleteModel(model, t0 + 30).ok());
  EXPECT_EQ(Must(store_->ListPriceHistory(model, "groq")).size(), 1u);
  EXPECT_EQ(Must(store_->ListPriceHistory(model, "openai")).size(), 2u);
  EXPECT_FALSE(Must(store_->LoadCatalogAt(t0 + 30)).next_price_change.has_value());
}

TEST_P(StoreConformanceTest, ImportCatalogRecordsPriceChanges) {
  const int64_t before = UnixSeconds();
  Catalog catalog;
  catalog.companies = {{"openai", "OpenAI"}};
  catalog.providers = {{"openai", "OpenAI", "openai", "https://api.openai.com/v1", "OPENAI_API_KEY", "", true},
                       {"groq", "Groq", "openai", "https://api.groq.com/openai/v1", "GROQ_API_KEY", "", true}};
  Model model = MakeModel("openai/gpt-4o-mini", "openai");
  model.endpoints = {MakeEndpoint("openai", kOld), MakeEndpoint("groq", kOld)};
  catalog.models = {model};
  ASSERT_TRUE(store_->ImportCatalog(catalog).ok());
  const int64_t after = UnixSeconds();
  std::vector<PriceChange> history = Must(store_->ListPriceHistory(model.id, "openai"));
  ASSERT_EQ(history.size(), 1u);
  ExpectPrices(history[0].prices, kOld, "imported");
  EXPECT_GE(history[0].effective_from, before);
  EXPECT_LE(history[0].effective_from, after);
  EXPECT_GE(history[0].created_at, before);

  // The same import again records nothing.
  ASSERT_TRUE(store_->ImportCatalog(catalog).ok());
  EXPECT_EQ(Must(store_->ListPriceHistory(model.id, "openai")).size(), 1u);

  // Changes scheduled through the store: the import keeps that of the endpoint it keeps and
  // cancels that of the endpoint it drops.
  const int64_t far = UnixSeconds() + 100'000;
  ASSERT_TRUE(store_->PutEndpoint(model.id, MakeEndpoint("openai", kLater), far, UnixSeconds()).ok());
  ASSERT_TRUE(store_->PutEndpoint(model.id, MakeEndpoint("groq", kLater), far, UnixSeconds()).ok());
  model.endpoints = {MakeEndpoint("openai", kNew)};
  catalog.models = {model};
  ASSERT_TRUE(store_->ImportCatalog(catalog).ok());
  history = Must(store_->ListPriceHistory(model.id, "openai"));
  ASSERT_EQ(history.size(), 3u);
  ExpectPrices(history[1].prices, kNew, "the import's change");
  EXPECT_LE(history[1].effective_from, UnixSeconds());
  EXPECT_EQ(history[2].effective_from, far);
  ExpectPrices(Must(store_->LoadCatalog()).models[0].endpoints[0].prices, kNew, "in force now");
  ExpectPrices(PricesAt(*store_, model.id, "openai", far), kLater, "still scheduled");
  EXPECT_EQ(Must(store_->LoadCatalog()).next_price_change, std::optional<int64_t>(far));
  EXPECT_EQ(Must(store_->ListPriceHistory(model.id, "groq")).size(), 1u);  // its schedule was cancelled
}

}  // namespace
}  // namespace turnpike::store
