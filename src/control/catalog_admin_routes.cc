// Catalog administration (admins only; Handle() checks that before these run): companies,
// providers, models and their endpoints with effective-dated prices. Every change reloads this
// process's catalog snapshot at once, so the gateway routes and prices with it from the next
// request on (a request already running keeps the snapshot it started with).
//
// A model id holds a '/' ("openai/gpt-4o-mini"): in a path it is one segment, URL-encoded
// ("openai%2Fgpt-4o-mini").
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>

#include <boost/json.hpp>
#include <boost/url/parse.hpp>
#include <cctype>
#include <map>

#include "config/networks.h"
#include "control/api.h"
#include "control/catalog_views.h"
#include "control/fields.h"
#include "control/time_format.h"

namespace turnpike::control {
namespace json = boost::json;

namespace {

constexpr size_t kMaxIdChars = 64;
constexpr size_t kMaxModelIdChars = 160;
constexpr size_t kMaxName = 200;
constexpr size_t kMaxDescription = 4000;
constexpr size_t kMaxSource = 500;
constexpr size_t kMaxUrl = 2000;
constexpr size_t kMaxEnvName = 128;
constexpr size_t kMaxUpstreamModel = 200;
constexpr size_t kMaxListItems = 100;
constexpr size_t kMaxListItemChars = 64;
constexpr int64_t kMaxTokens = 100'000'000;
constexpr money::Micros kMaxPrice = 1'000'000 * money::kMicrosPerUsd;  // $1,000,000 per million tokens

bool Lower(char c) { return c >= 'a' && c <= 'z'; }
bool Upper(char c) { return c >= 'A' && c <= 'Z'; }
bool Digit(char c) { return c >= '0' && c <= '9'; }

// "openai", "meta-llama": lower-case letters, digits, '-', '_' and '.', starting with a letter or
// a digit.
bool IsId(std::string_view s) {
  if (s.empty() || s.size() > kMaxIdChars || !(Lower(s[0]) || Digit(s[0]))) return false;
  for (char c : s) {
    if (!(Lower(c) || Digit(c) || c == '-' || c == '_' || c == '.')) return false;
  }
  return true;
}

// "company/name": a company-like id, '/', then letters, digits, '-', '_', '.', ':' and '+'.
bool IsModelId(std::string_view s) {
  size_t slash = s.find('/');
  if (slash == std::string_view::npos || s.size() > kMaxModelIdChars || !IsId(s.substr(0, slash))) return false;
  std::string_view name = s.substr(slash + 1);
  if (name.empty() || !(Lower(name[0]) || Upper(name[0]) || Digit(name[0]))) return false;
  for (char c : name) {
    if (!(Lower(c) || Upper(c) || Digit(c) || c == '-' || c == '_' || c == '.' || c == ':' || c == '+')) return false;
  }
  return true;
}

// An environment variable name: ^[A-Z][A-Z0-9_]*$.
bool IsEnvName(std::string_view s) {
  if (s.empty() || !Upper(s[0])) return false;
  for (char c : s) {
    if (!(Upper(c) || Digit(c) || c == '_')) return false;
  }
  return true;
}

// A modality or a parameter name: "text", "max_tokens".
bool IsWord(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!(Lower(c) || Digit(c) || c == '_')) return false;
  }
  return true;
}

int Hex(char c) {
  if (Digit(c)) return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The percent-decoded path segment; nullopt for a malformed escape.
std::optional<std::string> PercentDecoded(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out += s[i];
      continue;
    }
    if (i + 2 >= s.size()) return std::nullopt;
    int hi = Hex(s[i + 1]);
    int lo = Hex(s[i + 2]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return out;
}

// 404 for `what` ("company", "provider", "model"); names the id only when it is well formed.
Error NotFound(const std::string& what, std::string_view id, bool well_formed) {
  std::string message = "No " + what + (well_formed ? " " + std::string(id) : " with that id");
  if (what == "model") message += " (a model id in a path is URL-encoded: openai%2Fgpt-4o-mini)";
  return MakeError(ErrorCode::kNotFound, message);
}

Error NoModel(std::string_view id) { return NotFound("model", id, IsModelId(id)); }
Error NoCompany(std::string_view id) { return NotFound("company", id, IsId(id)); }
Error NoProvider(std::string_view id) { return NotFound("provider", id, IsId(id)); }

// The model id of the path ({id}, URL-encoded).
Result<std::string> ModelIdParam(const Call& call) {
  auto id = PercentDecoded(call.Param("id"));
  if (!id || !IsModelId(*id)) return NoModel("");
  return *id;
}

template <class T>
const T* FindById(const std::vector<T>& items, std::string_view id) {
  for (const T& item : items) {
    if (item.id == id) return &item;
  }
  return nullptr;
}

const store::Endpoint* FindEndpoint(const store::Model& model, std::string_view provider) {
  for (const auto& e : model.endpoints) {
    if (e.provider_id == provider) return &e;
  }
  return nullptr;
}

// The prices of `history` in force at `at` (rows ordered by effective_from, then id), else
// `fallback`.
money::Prices PricesAt(const std::vector<store::PriceChange>& history, int64_t at, const money::Prices& fallback) {
  money::Prices prices = fallback;
  for (const auto& change : history) {
    if (change.effective_from <= at) prices = change.prices;
  }
  return prices;
}

// Whether a URL's host is, or now resolves to, a loopback, private, shared, link-local or
// unspecified address: an admin must not point the gateway, with a provider key, at the
// server's own network (SSRF). A name that does not resolve is let through (it reaches nothing).
bool PrivateHost(std::string host) {
  static const config::Networks kPrivate =
      config::Networks::Parse({"0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16",
                               "172.16.0.0/12", "192.168.0.0/16", "::/128", "::1/128", "fc00::/7", "fe80::/10"})
          .value();
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  for (char& c : host) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (host == "localhost" || host.ends_with(".localhost")) return true;
  if (kPrivate.Contains(host)) return true;
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (::getaddrinfo(host.c_str(), nullptr, &hints, &found) != 0) return false;
  bool is_private = false;
  for (addrinfo* a = found; a && !is_private; a = a->ai_next) {
    char text[INET6_ADDRSTRLEN] = {};
    const void* bytes = a->ai_family == AF_INET
                            ? static_cast<const void*>(&reinterpret_cast<sockaddr_in*>(a->ai_addr)->sin_addr)
                            : static_cast<const void*>(&reinterpret_cast<sockaddr_in6*>(a->ai_addr)->sin6_addr);
    if (::inet_ntop(a->ai_family, bytes, text, sizeof text)) is_private = kPrivate.Contains(text);
  }
  ::freeaddrinfo(found);
  return is_private;
}

// base_url: an absolute http(s) URL with a host and no credentials, query or fragment; without
// its trailing '/'. Unless `allow_private`, not a private address (PrivateHost).
std::optional<std::string> BaseUrl(Fields& fields, Need need, bool allow_private) {
  auto text = fields.String("base_url", need, kMaxUrl);
  if (!text) return std::nullopt;
  auto url = boost::urls::parse_absolute_uri(*text);
  if (!url || (url->scheme_id() != boost::urls::scheme::http && url->scheme_id() != boost::urls::scheme::https) ||
      !url->has_authority() || url->encoded_host().empty()) {
    fields.Fail("base_url", "must be an http:// or https:// URL such as \"https://api.openai.com/v1\"");
    return std::nullopt;
  }
  if (url->has_userinfo()) {
    fields.Fail("base_url",
                "must not hold credentials (user:password@): the credential belongs in the variable "
                "named by key_env");
    return std::nullopt;
  }
  if (url->has_query() || url->has_fragment()) {
    fields.Fail("base_url", "must have no query or fragment");
    return std::nullopt;
  }
  if (!allow_private && PrivateHost(std::string(url->encoded_host()))) {
    fields.Fail("base_url",
                "names a loopback, private or link-local address; such upstreams (a local model server) are "
                "allowed only by the server's configuration (upstream.allow_private_base_urls), or through "
                "base_url_env");
    return std::nullopt;
  }
  std::string out = *text;
  while (out.ends_with("/")) out.pop_back();
  return out;
}

// key_env / base_url_env: a variable name, or null or "" for none.
void EnvName(Fields& fields, const char* name, std::string& out) {
  if (fields.IsNull(name)) {
    out.clear();
    return;
  }
  auto value = fields.String(name, Need::kOptional, kMaxEnvName, 0);
  if (!value) return;
  if (!value->empty() && !IsEnvName(*value)) {
    fields.Fail(name,
                "must be the NAME of an environment variable (^[A-Z][A-Z0-9_]*$, such as \"OPENAI_API_KEY\"), "
                "never the secret itself");
    return;
  }
  out = *value;
}

// Applies the provider members of a body to `p`. `create`: name, adapter and base_url are
// required.
void ReadProvider(Fields& fields, store::Provider& p, bool create, bool allow_private) {
  Need need = create ? Need::kRequired : Need::kOptional;
  if (auto name = fields.String("name", need, kMaxName)) p.name = *name;
  if (auto adapter = fields.String("adapter", need, 20)) {
    if (*adapter == "openai" || *adapter == "anthropic" || *adapter == "gemini") {
      p.adapter = *adapter;
    } else {
      fields.Fail("adapter", "must be openai, anthropic or gemini");
    }
  }
  if (auto url = BaseUrl(fields, need, allow_private)) p.base_url = *url;
  EnvName(fields, "key_env", p.key_env);
  if (!p.key_env.empty() && !store::IsProviderKeyEnv(p.key_env))
    fields.Fail("key_env", std::string(store::kProviderKeyEnvRule));
  EnvName(fields, "base_url_env", p.base_url_env);
  if (auto enabled = fields.Bool("enabled")) p.enabled = *enabled;
}

std::optional<std::vector<std::string>> Words(Fields& fields, const char* name) {
  auto items = fields.Strings(name, Need::kOptional, kMaxListItems, kMaxListItemChars);
  if (!items) return std::nullopt;
  for (const auto& item : *items) {
    if (!IsWord(item)) {
      fields.Fail(name, "must hold lower-case words such as \"text\" or \"max_tokens\"");
      return std::nullopt;
    }
  }
  return items;
}

// Applies the model members of a body to `m` (never its id or endpoints). `create`: name,
// context_length and max_output are required.
void ReadModel(Fields& fields, store::Model& m, bool create) {
  Need need = create ? Need::kRequired : Need::kOptional;
  if (auto company = fields.String("company", Need::kOptional, kMaxIdChars)) {
    if (IsId(*company)) {
      m.company_id = *company;
    } else {
      fields.Fail("company", "must be a company id such as \"openai\"");
    }
  }
  if (auto name = fields.String("name", need, kMaxName)) m.name = *name;
  if (auto description = fields.String("description", Need::kOptional, kMaxDescription, 0))
    m.description = *description;
  if (auto n = fields.Int("context_length", 1, kMaxTokens, need)) m.context_length = *n;
  if (auto n = fields.Int("max_output", 1, kMaxTokens, need)) m.max_output = *n;
  if (fields.IsNull("created")) {
    m.created = 0;
  } else if (auto ms = fields.TimeMillis("created")) {
    m.created = *ms / 1000;
  }
  if (auto source = fields.String("source", Need::kOptional, kMaxSource, 0)) m.source = *source;
  if (auto items = Words(fields, "input_modalities")) m.input_modalities = *items;
  if (auto items = Words(fields, "output_modalities")) m.output_modalities = *items;
  if (auto slug = fields.String("canonical_slug", Need::kOptional, kMaxModelIdChars, 0)) {
    if (slug->empty() || (slug->find('/') != std::string::npos && slug->front() != '/')) {
      m.canonical_slug = *slug;
    } else {
      fields.Fail("canonical_slug", "must look like company/model, or be \"\" for the id itself");
    }
  }
}

// The param a store error concerns, for the error reply.
std::string_view ParamFor(const Error& error, std::string_view on_conflict, std::string_view on_bad_request = {}) {
  if (error.code == ErrorCode::kConflict) return on_conflict;
  if (error.code == ErrorCode::kBadRequest) return on_bad_request;
  return {};
}

// The admin view of a model as `snapshot` has it, with its endpoints' price histories; the
// store's error when a history cannot be read.
Result<json::object> AdminModelReply(store::CatalogStore& store, const std::string& model_id,
                                     const state::CatalogSnapshot& snapshot, int64_t now) {
  const store::Model* model = snapshot.FindModel(model_id);
  if (!model) return json::object{};
  std::map<std::string, std::vector<store::PriceChange>> histories;
  for (const auto& e : model->endpoints) {
    auto history = store.ListPriceHistory(model_id, e.provider_id);
    if (!history.ok()) return history.error();
    histories[e.provider_id] = std::move(*history);
  }
  return AdminModelJson(*model, snapshot, histories, now);
}

// {"model": the admin view of the model}, answered with `status`.
Reply ModelReply(int status, store::CatalogStore& store, const std::string& model_id,
                 const state::CatalogSnapshot& snapshot, int64_t now) {
  auto model = AdminModelReply(store, model_id, snapshot, now);
  if (!model.ok()) return ErrorReply(model.error());
  return JsonReply(status, json::object{{"model", std::move(*model)}});
}

}  // namespace

std::shared_ptr<const state::CatalogSnapshot> Api::ReloadCatalog() {
  // On a failed read the write has still happened: the answer is built from the snapshot as it
  // was, and the periodic refresh picks the change up (Reload has logged the failure).
  (void)models_.Reload([this] { return catalog_.LoadCatalog(); });
  return models_.snapshot();
}

// --- companies ---

Reply Api::AdminCreateCompany(const Call& call) {
  auto fields = Fields::FromBody(call.http.body, kMaxApiBodyBytes);
  if (!fields.ok()) return ErrorReply(fields.error());
  fields->AllowOnly({"id", "name"});
  auto id = fields->String("id", Need::kRequired, kMaxIdChars);
  if (id && !IsId(*id)) fields->Fail("id", "must be lower-case letters, digits, '-', '_' or '.' (such as \"openai\")");
  auto name = fields->String("name", Need::kRequired, kMaxName);
  if (!fields->ok()) return fields->Failure();
  store::Company company{*id, *name};
  if (auto s = catalog_.PutCompany(company, store::PutMode::kCreate); !s.ok()) {
    return ErrorReply(s.error(), ParamFor(s.error(), "id"));
  }
  ReloadCatalog();
  return JsonReply(201, json::object{{"company", CompanyJson(company)}});
}

Reply Api::AdminUpdateCompany(const Call& call) {
  std::string id(call.Param("id"));
  auto catalog = catalog_.LoadCatalogAt(call.now);
  if (!catalog.ok()) return ErrorReply(catalog.error());
  const store::Company* found = IsId(id) ? FindById(catalog->companies, id) : nullptr;
  if (!found) return ErrorReply(NoCompany(id));
  auto fields = Fields::FromBody(call.http.body, kMaxApiBodyBytes);
  if (!fields.ok()) return ErrorReply(fields.error());
  fields->AllowOnly({"name"});
  auto name = fields->String("name", Need::kOptional, kMaxName);
  if (!fields->ok()) return fields->Failure();
  store::Company company = *found;
  if (name) company.name = *name;
  if (auto s = catalog_.PutCompany(company, store::PutMode::kUpdate); !s.ok()) return ErrorReply(s.error());
  ReloadCatalog();
  return JsonReply(200, json::object{{"company", CompanyJson(company)}});
}

Reply Api::AdminDeleteCompany(const Call& call) {
  std::string id(call.Param("id"));
  if (!IsId(id)) return ErrorReply(NoCompany(id));
  if (auto s = catalog_.DeleteCompany(id); !s.ok()) return ErrorReply(s.error());
  ReloadCatalog();
  return NoContent();
}

// --- providers ---

Reply Api::AdminCreateProvider(const Call& call) {
  auto fields = Fields::FromBody(call.http.body, kMaxApiBodyBytes);
  if (!fields.ok()) return ErrorReply(fields.error());
  fields->AllowOnly({"id", "name", "adapter", "base_url", "key_env", "base_url_env", "enabled"});
  store::Provider provider;
  if (auto id = fields->String("id", Need::kRequired, kMaxIdChars)) {
    if (IsId(*id)) {
      provider.id = *id;
    } else {
      fields->Fail("id", "must be lower-case letters, digits, '-', '_' or '.' (such as \"groq\")");
    }
  }
  ReadProvider(*fields, provider, true, allow_private_base_urls_);
  if (!fields->ok()) return fields->Failure();
  if (auto s = catalog_.PutProvider(provider, store::PutMode::kCreate); !s.ok()) {
    return ErrorReply(s.error(), ParamFor(s.error(), "id"));
  }
  auto snapshot = ReloadCatalog();
  const store::Provider* saved = FindById(snapshot->catalog().providers, provider.id);
  return JsonReply(201, json::object{{"provider", AdminProviderJson(saved ? *saved : provider, *snapshot)}});
}

Reply Api::AdminUpdateProvider(const Call& call) {
  std::string id(call.Param("id"));
  auto catalog = catalog_.LoadCatalogAt(call.now);
  if (!catalog.ok()) return ErrorReply(catalog.error());
  const store::Provider* found = IsId(id) ? FindById(catalog->providers, id) : nullptr;
  if (!found) return ErrorReply(NoProvider(id));
  auto fields = Fields::FromBody(call.http.body, kMaxApiBodyBytes);
  if (!fields.ok()) return ErrorReply(fields.error());
  store::Provider provider = *found;
  fields->AllowOnly({"name", "adapter", "base_url", "key_env", "base_url_env", "enabled"});
  ReadProvider(*fields, provider, false, allow_private_base_urls_);
  if (!fields->ok()) return fields->Failure();
  if (auto s = catalog_.PutProvider(provider, store::PutMode::kUpdate); !s.ok()) return ErrorReply(s.error());
  auto snapshot = ReloadCatalog();
  const store::Provider* saved = FindById(snapshot->catalog().providers, provider.id);
  return JsonReply(200, json::object{{"provider", AdminProviderJson(saved ? *saved : provider, *snapshot)}});
}

Reply Api::AdminDeleteProvider(const Call& call) {
  std::string id(call.Param("id"));
  if (!IsId(id)) return ErrorReply(NoProvider(id));
  if (auto s = catalog_.DeleteProvider(id); !s.ok()) return ErrorReply(s.error());
  ReloadCatalog();
  return NoContent();
}

// --- models ---

Reply Api::AdminCreateModel(const Call& call) {
  auto fields = Fields::FromBody(call.http.body, kMaxApiBodyBytes);
  if (!fields.ok()) return ErrorReply(fields.error());
  fields->AllowOnly({"id", "company", "name", "description", "context_length", "max_output", "created", "source",
                     "input_modalities", "output_modalities", "canonical_slug"});
  store::Model model;
  model.input_modalities = {"text"};
  model.output_modalities = {"text"};
  if (auto id = fields->String("id", Need::kRequired, kMaxModelIdChars)) {
    if (IsModelId(*id)) {
      model.id = *id;
      model.company_id = id->substr(0, id->find('/'));
    } else {
      fields->Fail("id", "must look like company/name (such as \"openai/gpt-4o-mini\")");
    }
  }
  ReadModel(*fields, model, true);
  if (!fields->ok()) return fields->Failure();
  auto catalog = catalog_.LoadCatalogAt(call.now);
  if (!catalog.ok()) return ErrorReply(catalog.error());
  if (!FindById(catalog->companies, model.company_id)) {
    return ErrorReply(MakeError(ErrorCode::kBadRequest, "company: no company " + model.company_id +
                                                            " (create it with POST /api/admin/companies)"),
                      "company");
  }
  if (auto s = catalog_.PutModel(model, store::PutMode::kCreate); !s.ok()) {
    return ErrorReply(s.error(), ParamFor(s.error(), "id", "company"));
  }
  auto snapshot = ReloadCatalog();
  return ModelReply(201, catalog_, model.id, *snapshot, call.now);
}

Reply Api::AdminUpdateModel(const Call& call) {
  auto id = ModelIdParam(call);
  if (!id.ok()) return ErrorReply(id.error());
  auto catalog = catalog_.LoadCatalogAt(call.now);
  if (!catalog.ok()) return ErrorReply(catalog.error());
  const store::Model* found = FindById(catalog->models, *id);
  if (!found) return ErrorReply(NoModel(*id));
  auto fields = Fields::FromBody(call.http.body, kMaxApiBodyBytes);
  if (!fields.ok()) return ErrorReply(fields.error());
  store::Model model = *found;
  fields->AllowOnly({"company", "name", "description", "context_length", "max_output", "created", "source",
                     "input_modalities", "output_modalities", "canonical_slug"});
  ReadModel(*fields, model, false);
  if (!fields->ok()) return fields->Failure();
  if (!FindById(catalog->companies, model.company_id)) {
    return ErrorReply(MakeError(ErrorCode::kBadRequest, "company: no company " + model.company_id), "company");
  }
  if (auto s = catalog_.PutModel(model, store::PutMode::kUpdate); !s.ok()) {
    return ErrorReply(s.error(), ParamFor(s.error(), "", "company"));
  }
  auto snapshot = ReloadCatalog();
  return ModelReply(200, catalog_, model.id, *snapshot, call.now);
}

Reply Api::AdminDeleteModel(const Call& call) {
  auto id = ModelIdParam(call);
  if (!id.ok()) return ErrorReply(id.error());
  if (auto s = catalog_.DeleteModel(*id, call.now); !s.ok()) {
    return ErrorReply(s.error().code == ErrorCode::kNotFound ? NoModel(*id) : s.error());
  }
  ReloadCatalog();
  return NoContent();
}

// --- endpoints and prices ---

Reply Api::AdminPutEndpoint(const Call& call) {
  auto model_id = ModelIdParam(call);
  if (!model_id.ok()) return ErrorReply(model_id.error());
  std::string provider_id(call.Param("provider"));
  auto catalog = catalog_.LoadCatalogAt(call.now);
  if (!catalog.ok()) return ErrorReply(catalog.error());
  const store::Model* model = FindById(catalog->models, *model_id);
  if (!model) return ErrorReply(NoModel(*model_id));
  if (!IsId(provider_id) || !FindById(catalog->providers, provider_id)) {
    return ErrorReply(NoProvider(provider_id));
  }
  auto fields = Fields::FromBody(call.http.body, kMaxApiBodyBytes);
  if (!fields.ok()) return ErrorReply(fields.error());
  const store::Endpoint* existing = FindEndpoint(*model, provider_id);
  const bool create = existing == nullptr;
  const Need need = create ? Need::kRequired : Need::kOptional;

  store::Endpoint endpoint;
  if (existing) {
    endpoint = *existing;
  } else {
    endpoint.provider_id = provider_id;
    endpoint.context_length = model->context_length;
    endpoint.max_output = model->max_output;
  }
  fields->AllowOnly({"upstream_model", "prices", "context_length", "max_output", "supported_parameters", "enabled",
                     "data_collection", "zdr", "effective_from"});
  if (auto upstream = fields->String("upstream_model", need, kMaxUpstreamModel)) endpoint.upstream_model = *upstream;
  std::optional<int64_t> effective_from;
  if (auto ms = fields->TimeMillis("effective_from")) effective_from = *ms / 1000;
  const int64_t at = std::max(effective_from.value_or(call.now), call.now);
  Result<std::vector<store::PriceChange>> history = std::vector<store::PriceChange>();
  if (existing) history = catalog_.ListPriceHistory(*model_id, provider_id);
  if (!history.ok()) return ErrorReply(history.error());
  // Members of `prices` left out keep the value they would have at `at`.
  endpoint.prices = PricesAt(*history, at, endpoint.prices);
  auto prices = fields->Object("prices", need);
  if (prices) {
    prices->AllowOnly({"input", "output", "cache_read", "cache_write"});
    auto read = [&](const char* name, Need n, int64_t& out) {
      auto micros = prices->Usd(name, n);
      if (micros && (*micros < 0 || *micros > kMaxPrice)) {
        prices->Fail(name, "must be a USD amount per million tokens from \"0\" to \"1000000\"");
      } else if (micros) {
        out = *micros;
      }
    };
    read("input", need, endpoint.prices.input);
    read("output", need, endpoint.prices.output);
    read("cache_read", Need::kOptional, endpoint.prices.cache_read);
    read("cache_write", Need::kOptional, endpoint.prices.cache_write);
    fields->Adopt(*prices);
  }
  if (auto n = fields->Int("context_length", 1, kMaxTokens)) endpoint.context_length = *n;
  if (auto n = fields->Int("max_output", 1, kMaxTokens)) endpoint.max_output = *n;
  if (auto items = Words(*fields, "supported_parameters")) endpoint.supported_parameters = *items;
  if (auto enabled = fields->Bool("enabled")) endpoint.enabled = *enabled;
  if (auto policy = fields->String("data_collection", Need::kOptional, 5)) {
    if (*policy == "allow" || *policy == "deny") {
      endpoint.data_collection = *policy;
    } else {
      fields->Fail("data_collection", "must be \"allow\" or \"deny\"");
    }
  }
  if (auto zdr = fields->Bool("zdr")) endpoint.zdr = *zdr;
  if (effective_from && !prices) {
    fields->Fail("effective_from", "says when new prices take effect: send prices with it");
  }
  if (create && at > call.now) {
    fields->Fail("effective_from",
                 "must be left out for a new endpoint (its prices take effect at once); "
                 "schedule a change once it exists");
  }
  if (!fields->ok()) return fields->Failure();

  auto created = catalog_.PutEndpoint(*model_id, endpoint, at, call.now);
  if (!created.ok()) return ErrorReply(created.error());
  auto snapshot = ReloadCatalog();
  const store::Model* saved_model = snapshot->FindModel(*model_id);
  const store::Endpoint* saved = saved_model ? FindEndpoint(*saved_model, provider_id) : nullptr;
  auto saved_history = catalog_.ListPriceHistory(*model_id, provider_id);
  if (!saved_history.ok()) return ErrorReply(saved_history.error());
  json::object body{
      {"endpoint", AdminEndpointJson(*model_id, saved ? *saved : endpoint, *snapshot, *saved_history, call.now)}};
  return JsonReply(*created ? 201 : 200, body);
}

Reply Api::AdminDeleteEndpoint(const Call& call) {
  auto model_id = ModelIdParam(call);
  if (!model_id.ok()) return ErrorReply(model_id.error());
  std::string provider_id(call.Param("provider"));
  if (!IsId(provider_id)) return ErrorReply(NoProvider(provider_id));
  if (auto s = catalog_.DeleteEndpoint(*model_id, provider_id, call.now); !s.ok()) return ErrorReply(s.error());
  ReloadCatalog();
  return NoContent();
}

Reply Api::AdminCatalog(const Call& call) {
  auto snapshot = models_.snapshot();
  json::array companies, providers, models;
  if (snapshot) {
    const store::Catalog& catalog = snapshot->catalog();
    for (const auto& c : catalog.companies) companies.push_back(CompanyJson(c));
    for (const auto& p : catalog.providers) providers.push_back(AdminProviderJson(p, *snapshot));
    for (const auto& m : catalog.models) {
      auto model = AdminModelReply(catalog_, m.id, *snapshot, call.now);
      if (!model.ok()) return ErrorReply(model.error());
      models.push_back(std::move(*model));
    }
  }
  return JsonReply(200, json::object{{"companies", std::move(companies)},
                                     {"providers", std::move(providers)},
                                     {"models", std::move(models)}});
}

Reply Api::AdminPriceHistory(const Call& call) {
  auto model_id = ModelIdParam(call);
  if (!model_id.ok()) return ErrorReply(model_id.error());
  std::string provider_id(call.Param("provider"));
  Result<std::vector<store::PriceChange>> listed = std::vector<store::PriceChange>();
  if (IsId(provider_id)) listed = catalog_.ListPriceHistory(*model_id, provider_id);
  if (!listed.ok()) return ErrorReply(listed.error());
  const std::vector<store::PriceChange>& history = *listed;
  auto catalog = catalog_.LoadCatalogAt(call.now);
  if (!catalog.ok()) return ErrorReply(catalog.error());
  const store::Model* model = FindById(catalog->models, *model_id);
  const bool exists = model && FindEndpoint(*model, provider_id);
  if (!exists && history.empty()) {
    return ErrorReply(IsId(provider_id) ? MakeError(ErrorCode::kNotFound, "No endpoint of " + *model_id + " at " +
                                                                              provider_id + " and no price history")
                                        : NoProvider(provider_id));
  }
  // The row in force now: the last one (by effective_from, then id) that has taken effect.
  std::optional<size_t> current;
  for (size_t i = 0; i < history.size(); ++i) {
    if (history[i].effective_from <= call.now) current = i;
  }
  json::array rows;
  for (size_t i = 0; i < history.size(); ++i) {
    const auto& change = history[i];
    const char* state = change.effective_from > call.now ? "scheduled"
                        : exists && current == i         ? "current"
                                                         : "superseded";
    rows.push_back(json::object{{"prices", PricesJson(change.prices)},
                                {"effective_from", FormatUnixSeconds(change.effective_from)},
                                {"created_at", FormatUnixSeconds(change.created_at)},
                                {"state", state}});
  }
  return JsonReply(
      200,
      json::object{
          {"model", *model_id}, {"provider", provider_id}, {"endpoint_exists", exists}, {"history", std::move(rows)}});
}

}  // namespace turnpike::control
