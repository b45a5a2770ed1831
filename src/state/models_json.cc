#include "state/models_json.h"

#include <algorithm>
#include <boost/json.hpp>
#include <cctype>
#include <string_view>

#include "common/money.h"
#include "state/model_router.h"

namespace turnpike::state {
namespace json = boost::json;

namespace {

json::object Pricing(const money::Prices& p) {
  json::object o;
  o["prompt"] = money::FormatUsdPerToken(p.input);
  o["completion"] = money::FormatUsdPerToken(p.output);
  o["request"] = "0";
  o["image"] = "0";
  o["web_search"] = "0";
  o["internal_reasoning"] = "0";
  if (p.cache_read) o["input_cache_read"] = money::FormatUsdPerToken(p.cache_read);
  if (p.cache_write) o["input_cache_write"] = money::FormatUsdPerToken(p.cache_write);
  return o;
}

json::array Strings(const std::vector<std::string>& v) {
  json::array a;
  for (const auto& s : v) a.emplace_back(s);
  return a;
}

std::string Modality(const store::Model& m) {
  auto join = [](const std::vector<std::string>& v) {
    std::string s;
    for (const auto& x : v) s += (s.empty() ? "" : "+") + x;
    return s;
  };
  return join(m.input_modalities) + "->" + join(m.output_modalities);
}

json::value Stats(double average) {
  if (average <= 0) return nullptr;
  return json::object{{"p50", average}, {"p75", average}, {"p90", average}, {"p99", average}};
}

json::object Architecture(const store::Model& m) {
  return json::object{{"modality", Modality(m)},
                      {"input_modalities", Strings(m.input_modalities)},
                      {"output_modalities", Strings(m.output_modalities)},
                      {"tokenizer", "Other"},
                      {"instruct_type", nullptr}};
}

json::object ModelObject(const store::Model& m, const CatalogSnapshot& snap) {
  // The headline endpoint is the one a request would use: the cheapest available, else the
  // cheapest listed.
  auto routes = snap.Candidates(m);
  const store::Endpoint* top = routes.empty() ? nullptr : routes.front().endpoint;
  if (!top) {
    for (const auto& e : m.endpoints) {
      if (!top || e.prices.input + e.prices.output < top->prices.input + top->prices.output) top = &e;
    }
  }
  json::object o;
  o["id"] = m.id;
  o["canonical_slug"] = m.canonical_slug.empty() ? m.id : m.canonical_slug;
  o["hugging_face_id"] = "";
  o["name"] = m.name;
  o["created"] = m.created;
  o["description"] = m.description;
  o["context_length"] = m.context_length;
  o["architecture"] = Architecture(m);
  o["pricing"] = Pricing(top->prices);
  o["top_provider"] = json::object{
      {"context_length", top->context_length}, {"max_completion_tokens", top->max_output}, {"is_moderated", false}};
  o["per_request_limits"] = nullptr;
  o["supported_voices"] = nullptr;
  o["links"] = json::object{{"details", "/api/v1/models/" + m.id + "/endpoints"}};
  o["supported_parameters"] = Strings(top->supported_parameters);
  o["default_parameters"] = json::object{};
  json::array endpoints;
  for (const auto& e : m.endpoints) {
    const ProviderState* p = snap.FindProvider(e.provider_id);
    json::object ep;
    ep["provider"] = e.provider_id;
    ep["provider_name"] = p ? p->provider->name : e.provider_id;
    ep["available"] = p && p->available && e.enabled;
    ep["pricing"] = Pricing(e.prices);
    ep["context_length"] = e.context_length;
    ep["max_completion_tokens"] = e.max_output;
    endpoints.push_back(std::move(ep));
  }
  o["endpoints"] = std::move(endpoints);
  return o;
}

}  // namespace

std::string BuildModelEndpointsJson(const store::Model& m, const CatalogSnapshot& snapshot, const HealthMap& health,
                                    int64_t now_ms) {
  json::array endpoints;
  for (const auto& e : m.endpoints) {
    const ProviderState* p = snapshot.FindProvider(e.provider_id);
    if (!p || !e.enabled) continue;
    json::object ep;
    const std::string provider_name = p->provider->name;
    ep["name"] = provider_name + ": " + m.name;
    ep["model_id"] = m.id;
    ep["model_name"] = m.name;
    ep["context_length"] = e.context_length;
    ep["pricing"] = Pricing(e.prices);
    ep["provider_name"] = provider_name;
    ep["tag"] = e.provider_id;
    ep["quantization"] = nullptr;
    ep["max_completion_tokens"] = e.max_output > 0 ? json::value(e.max_output) : json::value(nullptr);
    ep["max_prompt_tokens"] = e.context_length > 0 ? json::value(e.context_length) : json::value(nullptr);
    ep["supported_parameters"] = Strings(e.supported_parameters);
    // The data policy that OpenRouter's provider.data_collection and provider.zdr route by.
    ep["data_policy"] = json::object{{"data_collection", e.data_collection}, {"zdr", e.zdr}};
    // 0 is OpenRouter's status of an endpoint in service; -1 one it cannot use now.
    ep["status"] = p->available ? 0 : -1;
    ep["supports_implicit_caching"] = e.prices.cache_read > 0;
    const bool tools = std::find(e.supported_parameters.begin(), e.supported_parameters.end(), "tools") !=
                       e.supported_parameters.end();
    ep["supports_tool_choice"] =
        json::object{{"auto", tools}, {"function", tools}, {"none", tools}, {"required", tools}};
    json::value latency = nullptr, throughput = nullptr, uptime = nullptr;
    json::object live{{"requests", 0}, {"error_rate", 0.0}, {"circuit", "closed"}, {"cooldown_until", nullptr}};
    if (const ProviderHealthStats* h = FindHealth(health, e.provider_id, m.id); h && h->requests > 0) {
      latency = Stats(h->latency_ms_ewma / 1000.0);  // OpenRouter's latencies are in seconds
      throughput = Stats(h->tokens_per_second_ewma);
      uptime = 100.0 * static_cast<double>(h->requests - h->failures) / static_cast<double>(h->requests);
      const Breaker breaker = BreakerOf(*h, now_ms);
      live["requests"] = h->requests;
      live["error_rate"] = h->error_rate_ewma;
      live["circuit"] = BreakerName(breaker);
      if (breaker == Breaker::kOpen) live["cooldown_until"] = h->cooldown_until_ms / 1000;
    }
    ep["health"] = std::move(live);
    ep["latency_last_30m"] = latency;
    ep["throughput_last_30m"] = throughput;
    ep["uptime_last_30m"] = uptime;
    ep["uptime_last_5m"] = uptime;
    ep["uptime_last_1d"] = uptime;
    endpoints.push_back(std::move(ep));
  }
  json::object data{{"id", m.id},
                    {"name", m.name},
                    {"created", m.created},
                    {"description", m.description},
                    {"architecture", Architecture(m)},
                    {"endpoints", std::move(endpoints)}};
  return json::serialize(json::object{{"data", std::move(data)}});
}

namespace {

bool SameText(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

bool ContainsText(std::string_view haystack, std::string_view needle) {
  if (needle.empty()) return true;
  for (size_t i = 0; i + needle.size() <= haystack.size(); ++i) {
    if (SameText(haystack.substr(i, needle.size()), needle)) return true;
  }
  return false;
}

bool HasAll(const std::vector<std::string>& have, const std::vector<std::string>& wanted) {
  return std::all_of(wanted.begin(), wanted.end(), [&](const std::string& w) {
    return std::any_of(have.begin(), have.end(), [&](const std::string& h) { return SameText(h, w); });
  });
}

bool Passes(const store::Model& m, const CatalogSnapshot& snapshot, const ModelFilter& f) {
  if (!f.supported_parameters.empty() &&
      std::none_of(m.endpoints.begin(), m.endpoints.end(),
                   [&](const store::Endpoint& e) { return HasAll(e.supported_parameters, f.supported_parameters); })) {
    return false;
  }
  if (!f.providers.empty() && std::none_of(m.endpoints.begin(), m.endpoints.end(), [&](const store::Endpoint& e) {
        const ProviderState* p = snapshot.FindProvider(e.provider_id);
        return std::any_of(f.providers.begin(), f.providers.end(), [&](const std::string& wanted) {
          return SameText(wanted, e.provider_id) || (p && SameText(wanted, p->provider->name));
        });
      })) {
    return false;
  }
  // As OpenRouter's /models: embedding models only when output_modalities asks for them ("all":
  // every model).
  const bool all = f.output_modalities.size() == 1 && SameText(f.output_modalities.front(), "all");
  if (f.output_modalities.empty() && HasAll(m.output_modalities, {"embeddings"})) return false;
  if (!HasAll(m.input_modalities, f.input_modalities) || (!all && !HasAll(m.output_modalities, f.output_modalities))) {
    return false;
  }
  if (!f.model_authors.empty()) {
    const std::string_view author = std::string_view(m.id).substr(0, m.id.find('/'));
    if (std::none_of(f.model_authors.begin(), f.model_authors.end(),
                     [&](const std::string& a) { return SameText(a, author); })) {
      return false;
    }
  }
  return ContainsText(m.id, f.q) || ContainsText(m.name, f.q);
}

}  // namespace

std::string BuildModelsJson(const CatalogSnapshot& snapshot, const ModelFilter& filter) {
  json::array data;
  size_t matched = 0;
  for (const auto& m : snapshot.catalog().models) {
    // A model without endpoints (an administrator added it and no provider yet) serves nothing.
    if (m.endpoints.empty() || !Passes(m, snapshot, filter)) continue;
    if (matched++ < filter.offset || data.size() >= filter.limit) continue;
    data.push_back(ModelObject(m, snapshot));
  }
  json::object root;
  root["total_count"] = matched;
  root["data"] = std::move(data);
  root["links"] = json::object{{"next", nullptr}};
  return json::serialize(root);
}

std::string BuildProvidersJson(const CatalogSnapshot& snapshot) {
  json::array data;
  for (const auto& p : snapshot.catalog().providers) {
    data.push_back(json::object{{"name", p.name},
                                {"slug", p.id},
                                {"privacy_policy_url", nullptr},
                                {"terms_of_service_url", nullptr},
                                {"status_page_url", nullptr}});
  }
  return json::serialize(json::object{{"data", std::move(data)}});
}

}  // namespace turnpike::state
