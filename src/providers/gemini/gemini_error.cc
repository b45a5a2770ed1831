// GeminiAdapter::MapError: Google's {"error":{code,message,status,details}} as the client's
// error and a fail-over decision (docs/protocols.md §11).
#include <string>
#include <vector>

#include "providers/gemini/gemini_adapter.h"
#include "providers/gemini/gemini_internal.h"

namespace turnpike::providers::gemini {

namespace {

// The details[] entries of type google.rpc.<type>.
std::vector<const json::object*> Details(const json::object* error, std::string_view type) {
  std::vector<const json::object*> out;
  const auto* details = error ? error->if_contains("details") : nullptr;
  if (!details || !details->is_array()) return out;
  for (const auto& d : details->get_array()) {
    const auto* detail = d.if_object();
    const auto* at_type = detail ? detail->if_contains("@type") : nullptr;
    if (at_type && at_type->is_string() && at_type->get_string().ends_with("google.rpc." + std::string(type))) {
      out.push_back(detail);
    }
  }
  return out;
}

// An ErrorInfo reason about the API key (API_KEY_INVALID, API_KEY_EXPIRED, …).
bool ApiKeyRejected(const json::object* error) {
  for (const auto* info : Details(error, "ErrorInfo")) {
    const auto* reason = info->if_contains("reason");
    if (reason && reason->is_string() && reason->get_string().starts_with("API_KEY_")) return true;
  }
  return false;
}

// A QuotaFailure on a daily quota: waiting seconds will not help (UNVERIFIED heuristic, §11).
bool DailyQuota(const json::object* error) {
  for (const auto* failure : Details(error, "QuotaFailure")) {
    const auto* violations = failure->if_contains("violations");
    if (!violations || !violations->is_array()) continue;
    for (const auto& v : violations->get_array()) {
      const auto* quota_id = v.is_object() ? v.get_object().if_contains("quotaId") : nullptr;
      if (quota_id && quota_id->is_string() &&
          std::string_view(quota_id->get_string()).find("PerDay") != std::string_view::npos) {
        return true;
      }
    }
  }
  return false;
}

}  // namespace

int HttpStatusOfRpcStatus(std::string_view status) {
  struct Row {
    std::string_view name;
    int http;
  };
  static constexpr Row kRows[] = {
      {"INVALID_ARGUMENT", 400},   {"FAILED_PRECONDITION", 400}, {"OUT_OF_RANGE", 400},   {"UNAUTHENTICATED", 401},
      {"PERMISSION_DENIED", 403},  {"NOT_FOUND", 404},           {"ALREADY_EXISTS", 409}, {"ABORTED", 409},
      {"RESOURCE_EXHAUSTED", 429}, {"CANCELLED", 499},           {"UNIMPLEMENTED", 501},  {"UNAVAILABLE", 503},
      {"DEADLINE_EXCEEDED", 504},
  };
  for (const Row& row : kRows) {
    if (row.name == status) return row.http;
  }
  return 500;
}

UpstreamError MapGoogleError(std::string_view provider, int status, const json::object* error) {
  std::string message;
  if (const auto* m = error ? error->if_contains("message") : nullptr; m && m->is_string()) message = m->get_string();
  const std::string prefix = "Provider " + std::string(provider) + " answered " + std::to_string(status);
  const std::string kept = message.empty() ? prefix : prefix + ": " + message;
  const std::string credentials = prefix + ": the provider rejected the gateway's credentials";
  auto make = [](ErrorCode code, std::string text, bool retryable) {
    return UpstreamError{MakeError(code, std::move(text)), retryable};
  };
  switch (status) {
    case 400:
      if (ApiKeyRejected(error)) return make(ErrorCode::kUpstream, credentials, false);
      return make(ErrorCode::kBadRequest, kept, false);
    case 401:
    case 403:
      return make(ErrorCode::kUpstream, credentials, false);
    case 404:
      return make(ErrorCode::kUpstream, kept, false);
    case 408:
      return make(ErrorCode::kTimeout, kept, true);
    case 413:
      return make(ErrorCode::kTooLarge, kept, false);
    case 429:
      return make(ErrorCode::kRateLimited, kept, !DailyQuota(error));
    case 503:
      return make(ErrorCode::kUnavailable, kept, true);
    case 504:
      return make(ErrorCode::kTimeout, kept, true);
    default:
      break;
  }
  if (status >= 500) return make(ErrorCode::kUpstream, kept, true);
  if (status >= 400) return make(ErrorCode::kBadRequest, kept, false);
  return make(ErrorCode::kUpstream, kept, false);  // not an error status: the call failed anyway
}

UpstreamError GeminiAdapter::MapError(std::string_view provider, int status, std::string_view body,
                                      const Headers& headers) const {
  auto parsed = ParseJson(body);
  const json::value* root = parsed ? &*parsed : nullptr;
  // Without alt=sse the stream endpoint wraps its answer in an array; accept that form too.
  if (root && root->is_array() && !root->get_array().empty()) root = &root->get_array()[0];
  const json::object* error = nullptr;
  if (root && root->is_object()) {
    if (const auto* e = root->get_object().if_contains("error"); e && e->is_object()) error = &e->get_object();
  }
  return MapGoogleError(provider, status, error);
}

}  // namespace turnpike::providers::gemini
