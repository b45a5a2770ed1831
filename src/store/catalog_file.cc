#include "store/catalog_file.h"

#include <toml++/toml.h>
#include <algorithm>
#include <ctime>
#include <map>
#include <set>

namespace turnpike::catalog {
extern const std::string_view kDefaultCatalogToml;
}

namespace turnpike::store {
namespace {

Error Bad(const std::string& where, const std::string& why) {
  return MakeError(ErrorCode::kBadRequest, where + ": " + why);
}

std::vector<std::string> Strings(const toml::node_view<const toml::node>& node) {
  std::vector<std::string> out;
  if (const auto* arr = node.as_array()) {
    for (const auto& v : *arr) {
      if (auto s = v.value<std::string>()) out.push_back(*s);
    }
  }
  return out;
}

// "0.15" USD per million tokens → 150000 micro-USD per million tokens.
Result<int64_t> Price(const toml::node_view<const toml::node>& node, const std::string& where) {
  if (!node) return int64_t{0};
  auto text = node.value<std::string>();
  if (!text) return Bad(where, "a price must be a decimal string such as \"0.15\" (USD per million tokens)");
  auto micros = money::ParseUsd(*text);
  if (!micros || *micros < 0) return Bad(where, "not a valid price: \"" + *text + "\"");
  return *micros;
}

int64_t Date(const std::string& text) {
  std::tm tm{};
  if (text.size() != 10 || !strptime(text.c_str(), "%Y-%m-%d", &tm)) return 0;
  return static_cast<int64_t>(timegm(&tm));
}

std::string Str(const toml::node_view<const toml::node>& node) { return node.value_or(std::string()); }

// A typo must not silently drop a price: every key has to be one the format knows.
Status OnlyKeys(const toml::table& t, std::initializer_list<std::string_view> allowed, const std::string& where) {
  for (const auto& [key, value] : t) {
    if (std::find(allowed.begin(), allowed.end(), key.str()) == allowed.end()) {
      return Bad(where, "unknown key \"" + std::string(key.str()) + "\"");
    }
  }
  return OkStatus();
}

// A data policy as a provider gives it for its endpoints, or an endpoint for itself
// (store::Endpoint::data_collection and zdr; catalog/README.md).
struct DataPolicy {
  std::string data_collection = "allow";
  bool zdr = false;
};

// `t`'s data_collection and zdr over `policy`: what `t` does not say stays as `policy` says.
Status ReadDataPolicy(const toml::table& t, DataPolicy& policy, const std::string& where) {
  if (const toml::node* dc = t.get("data_collection")) {
    auto text = dc->value<std::string>();
    if (!text || (*text != "allow" && *text != "deny"))
      return Bad(where, "data_collection must be \"allow\" or \"deny\"");
    policy.data_collection = *text;
  }
  if (const toml::node* zdr = t.get("zdr")) {
    if (!zdr->is_boolean()) return Bad(where, "zdr must be true or false");
    policy.zdr = zdr->value_or(false);
  }
  return OkStatus();
}

Result<Endpoint> ParseEndpoint(const toml::table& t, const Model& model, DataPolicy policy, const std::string& where) {
  if (auto s = OnlyKeys(t,
                        {"provider", "upstream_model", "input", "output", "cache_read", "cache_write", "context_length",
                         "max_output", "supported_parameters", "enabled", "data_collection", "zdr"},
                        where);
      !s.ok()) {
    return s.error();
  }
  Endpoint e;
  e.provider_id = Str(t["provider"]);
  e.upstream_model = Str(t["upstream_model"]);
  if (e.provider_id.empty()) return Bad(where, "provider is required");
  if (e.upstream_model.empty()) return Bad(where, "upstream_model is required");
  auto input = Price(t["input"], where + ".input");
  auto output = Price(t["output"], where + ".output");
  auto cache_read = Price(t["cache_read"], where + ".cache_read");
  auto cache_write = Price(t["cache_write"], where + ".cache_write");
  for (auto* r : {&input, &output, &cache_read, &cache_write}) {
    if (!r->ok()) return r->error();
  }
  if (!t["input"] || !t["output"]) return Bad(where, "input and output prices are required");
  e.prices = {*input, *output, *cache_read, *cache_write};
  e.context_length = t["context_length"].value_or(model.context_length);
  e.max_output = t["max_output"].value_or(model.max_output);
  e.supported_parameters = Strings(t["supported_parameters"]);
  e.enabled = t["enabled"].value_or(true);
  if (Status s = ReadDataPolicy(t, policy, where); !s.ok()) return s.error();
  e.data_collection = std::move(policy.data_collection);
  e.zdr = policy.zdr;
  if (e.context_length <= 0 || e.max_output <= 0) return Bad(where, "context_length and max_output must be positive");
  return e;
}

Result<Catalog> Build(const toml::table& root, const std::string& origin) {
  Catalog c;
  std::set<std::string> companies, models;
  std::map<std::string, DataPolicy> providers;  // each provider's data policy for its endpoints
  if (const auto* arr = root["companies"].as_array()) {
    for (const auto& node : *arr) {
      const auto* t = node.as_table();
      if (!t) return Bad(origin, "companies entries must be tables");
      Company co{Str((*t)["id"]), Str((*t)["name"])};
      if (auto s = OnlyKeys(*t, {"id", "name"}, origin + ": company " + co.id); !s.ok()) return s.error();
      if (co.id.empty()) return Bad(origin, "a company has no id");
      companies.insert(co.id);
      c.companies.push_back(std::move(co));
    }
  }
  if (const auto* arr = root["providers"].as_array()) {
    for (const auto& node : *arr) {
      const auto* t = node.as_table();
      if (!t) return Bad(origin, "providers entries must be tables");
      Provider p;
      p.id = Str((*t)["id"]);
      p.name = Str((*t)["name"]);
      p.adapter = Str((*t)["adapter"]);
      p.base_url = Str((*t)["base_url"]);
      p.key_env = Str((*t)["key_env"]);
      p.base_url_env = Str((*t)["base_url_env"]);
      p.enabled = (*t)["enabled"].value_or(true);
      std::string where = origin + ": provider " + p.id;
      if (auto s = OnlyKeys(
              *t, {"id", "name", "adapter", "base_url", "key_env", "base_url_env", "enabled", "data_collection", "zdr"},
              where);
          !s.ok()) {
        return s.error();
      }
      DataPolicy policy;
      if (Status s = ReadDataPolicy(*t, policy, where); !s.ok()) return s.error();
      if (p.id.empty()) return Bad(origin, "a provider has no id");
      if (!p.key_env.empty() && !IsProviderKeyEnv(p.key_env)) {
        return Bad(where, "key_env \"" + p.key_env + "\" " + std::string(kProviderKeyEnvRule));
      }
      if (p.adapter != "openai" && p.adapter != "anthropic" && p.adapter != "gemini") {
        return Bad(where, "adapter must be openai, anthropic or gemini, got \"" + p.adapter + "\"");
      }
      if (!p.base_url.starts_with("http://") && !p.base_url.starts_with("https://")) {
        return Bad(where, "base_url must be an http(s) URL");
      }
      while (p.base_url.ends_with("/")) p.base_url.pop_back();
      providers[p.id] = std::move(policy);
      c.providers.push_back(std::move(p));
    }
  }
  if (auto s = OnlyKeys(root, {"version", "companies", "providers", "models"}, origin); !s.ok()) return s.error();
  if (root["version"].value_or(int64_t{1}) != 1) return Bad(origin, "unsupported catalog version");
  const auto* arr = root["models"].as_array();
  if (!arr) return Bad(origin, "no [[models]]");
  for (const auto& node : *arr) {
    const auto* t = node.as_table();
    if (!t) return Bad(origin, "models entries must be tables");
    Model m;
    m.id = Str((*t)["id"]);
    std::string where = origin + ": model " + m.id;
    if (m.id.empty() || m.id.find('/') == std::string::npos) return Bad(where, "id must look like company/model");
    if (!models.insert(m.id).second) return Bad(where, "duplicate model id");
    if (auto s =
            OnlyKeys(*t,
                     {"id", "company", "name", "description", "context_length", "max_output", "created",
                      "input_modalities", "output_modalities", "source", "endpoints", "canonical_slug", "former_ids"},
                     where);
        !s.ok()) {
      return s.error();
    }
    m.company_id = Str((*t)["company"]);
    if (!companies.count(m.company_id)) return Bad(where, "unknown company \"" + m.company_id + "\"");
    m.name = Str((*t)["name"]);
    m.description = Str((*t)["description"]);
    m.context_length = (*t)["context_length"].value_or(int64_t{0});
    m.max_output = (*t)["max_output"].value_or(int64_t{0});
    m.created = Date(Str((*t)["created"]));
    m.source = Str((*t)["source"]);
    m.input_modalities = Strings((*t)["input_modalities"]);
    m.output_modalities = Strings((*t)["output_modalities"]);
    m.canonical_slug = Str((*t)["canonical_slug"]);
    if (!m.canonical_slug.empty() && m.canonical_slug.find('/') == std::string::npos) {
      return Bad(where, "canonical_slug must look like company/model");
    }
    m.former_ids = Strings((*t)["former_ids"]);
    if (m.input_modalities.empty()) m.input_modalities = {"text"};
    if (m.output_modalities.empty()) m.output_modalities = {"text"};
    if (m.context_length <= 0 || m.max_output <= 0) return Bad(where, "context_length and max_output must be positive");
    const auto* eps = (*t)["endpoints"].as_array();
    if (!eps || eps->empty()) return Bad(where, "needs at least one [[models.endpoints]]");
    for (const auto& ep : *eps) {
      const auto* et = ep.as_table();
      if (!et) return Bad(where, "endpoints entries must be tables");
      auto provider = providers.find(Str((*et)["provider"]));
      auto e = ParseEndpoint(*et, m, provider != providers.end() ? provider->second : DataPolicy(),
                             where + " endpoint " + Str((*et)["provider"]));
      if (!e.ok()) return e.error();
      if (provider == providers.end()) return Bad(where, "unknown provider \"" + e->provider_id + "\"");
      m.endpoints.push_back(std::move(*e));
    }
    c.models.push_back(std::move(m));
  }
  // A former id names a model that is gone: never one the file still has.
  for (const Model& m : c.models) {
    for (const std::string& former : m.former_ids) {
      if (models.count(former))
        return Bad(origin + ": model " + m.id, "former id \"" + former + "\" is a model of this file");
    }
  }
  return c;
}

}  // namespace

bool IsProviderKeyEnv(std::string_view name) {
  constexpr std::string_view kSuffix = "_API_KEY";
  if (name.size() <= kSuffix.size() || !name.ends_with(kSuffix) || name.starts_with("TURNPIKE_")) return false;
  if (name[0] < 'A' || name[0] > 'Z') return false;
  return std::all_of(name.begin(), name.end(),
                     [](char c) { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'; });
}

Result<Catalog> ParseCatalog(std::string_view toml_text, const std::string& origin) {
  try {
    auto root = toml::parse(toml_text, origin);
    return Build(root, origin);
  } catch (const toml::parse_error& e) {
    return Bad(origin + ":" + std::to_string(e.source().begin.line), std::string(e.description()));
  }
}

Result<Catalog> ReadCatalogFile(const std::string& path) {
  try {
    auto root = toml::parse_file(path);
    return Build(root, path);
  } catch (const toml::parse_error& e) {
    return Bad(path + ":" + std::to_string(e.source().begin.line), std::string(e.description()));
  }
}

Result<Catalog> DefaultCatalog() { return ParseCatalog(catalog::kDefaultCatalogToml, "default catalog"); }

}  // namespace turnpike::store
