#include "providers/gemini/gemini_embeddings.h"

#include "providers/gemini/gemini_internal.h"

#include <boost/json.hpp>
#include <cctype>
#include <cmath>

namespace turnpike::providers::gemini {
namespace json = boost::json;

namespace {

Error Unreadable(std::string what) {
  return MakeError(ErrorCode::kUpstream, "a batchEmbedContents answer that " + std::move(what));
}

}  // namespace

Result<EncodedRequest> EncodeBatchEmbedRequest(const protocol::EmbeddingsRequest& request,
                                               const EndpointInfo& endpoint) {
  std::string_view model = endpoint.upstream_model;
  if (model.starts_with("models/")) model.remove_prefix(7);
  if (model.empty()) return MakeError(ErrorCode::kInternal, "the Gemini endpoint has no upstream model");
  if (request.inputs.size() > kMaxBatchEmbedRequests) {
    return MakeError(ErrorCode::kBadRequest, "Gemini embeds at most " + std::to_string(kMaxBatchEmbedRequests) +
                                                 " inputs in one request; this one has " +
                                                 std::to_string(request.inputs.size()));
  }
  const std::string name = "models/" + std::string(model);
  json::array requests;
  for (const auto& input : request.inputs) {
    if (input.is_tokens) {
      return MakeError(ErrorCode::kBadRequest, "Gemini embeds text only: token-id inputs cannot go to " + name);
    }
    json::object r;
    r["model"] = name;
    r["content"] = json::object{{"parts", json::array{json::object{{"text", input.text}}}}};
    if (request.dimensions) r["outputDimensionality"] = *request.dimensions;
    requests.push_back(std::move(r));
  }
  std::string_view base = endpoint.base_url;
  while (base.ends_with('/')) base.remove_suffix(1);
  EncodedRequest out;
  out.url = std::string(base) + "/v1beta/models/" + PathSegment(model) + ":batchEmbedContents";
  out.headers.push_back({"content-type", "application/json"});
  if (!endpoint.api_key.empty()) out.headers.push_back({"x-goog-api-key", endpoint.api_key});
  out.body = json::serialize(json::object{{"requests", std::move(requests)}});
  return out;
}

Result<protocol::Embeddings> DecodeBatchEmbedResponse(std::string_view body, size_t inputs) {
  boost::system::error_code ec;
  json::value v = json::parse(body, ec);
  const json::object* root = ec ? nullptr : v.if_object();
  if (!root) return Unreadable("is not a JSON object");
  const json::value* embeddings = root->if_contains("embeddings");
  if (!embeddings || !embeddings->is_array()) return Unreadable("has no `embeddings` array");
  if (embeddings->get_array().size() != inputs) {
    return Unreadable("holds " + std::to_string(embeddings->get_array().size()) + " embeddings for " +
                      std::to_string(inputs) + " inputs");
  }
  protocol::Embeddings out;
  for (const auto& e : embeddings->get_array()) {
    const json::object* o = e.if_object();
    const json::value* values = o ? o->if_contains("values") : nullptr;
    if (!values || !values->is_array()) return Unreadable("has an embedding without `values`");
    std::vector<double>& vector = out.vectors.emplace_back();
    vector.reserve(values->get_array().size());
    for (const auto& x : values->get_array()) {
      if (!x.is_number() || (x.is_double() && !std::isfinite(x.get_double()))) {
        return Unreadable("has a value that is not a finite number");
      }
      vector.push_back(x.to_number<double>());
    }
  }
  if (const auto* usage = root->if_contains("usageMetadata"); usage && usage->is_object()) {
    const auto* count = usage->get_object().if_contains("promptTokenCount");
    if (count && count->is_int64() && count->get_int64() >= 0) out.prompt_tokens = count->get_int64();
  }
  return out;
}

}  // namespace turnpike::providers::gemini
