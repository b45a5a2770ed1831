#include "state/models_json.h"

#include <boost/json.hpp>

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
  o["canonical_slug"] = m.id;
  o["hugging_face_id"] = "";
  o["name"] = m.name;
  o["created"] = m.created;
  o["description"] = m.description;
  o["context_length"] = m.context_length;
  o["architecture"] = json::object{{"modality", Modality(m)},
                                   {"input_modalities", Strings(m.input_modalities)},
                                   {"output_modalities", Strings(m.output_modalities)},
                                   {"tokenizer", "Other"},
                                   {"instruct_type", nullptr}};
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

std::string BuildModelsJson(const CatalogSnapshot& snapshot) {
  json::array data;
  for (const auto& m : snapshot.catalog().models) {
    // A model without endpoints (an administrator added it and no provider yet) serves nothing.
    if (m.endpoints.empty()) continue;
    data.push_back(ModelObject(m, snapshot));
  }
  json::object root;
  root["total_count"] = data.size();
  root["data"] = std::move(data);
  root["links"] = json::object{{"next", nullptr}};
  return json::serialize(root);
}

}  // namespace turnpike::state
