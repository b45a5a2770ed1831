#include "common/error_table.h"

#include <algorithm>
#include <boost/json.hpp>
#include <cctype>

#include "common/clock.h"

namespace turnpike {
namespace json = boost::json;

namespace {

struct Row {
  ErrorCode code;
  int status;
  std::string_view type;
};

constexpr Row kTable[] = {
    {ErrorCode::kBadRequest, 400, "invalid_request_error"},
    {ErrorCode::kUnauthorized, 401, "authentication_error"},
    {ErrorCode::kPaymentRequired, 402, "insufficient_credits"},
    {ErrorCode::kForbidden, 403, "permission_error"},
    {ErrorCode::kNotFound, 404, "not_found_error"},
    {ErrorCode::kTimeout, 408, "timeout_error"},
    {ErrorCode::kConflict, 409, "conflict_error"},
    {ErrorCode::kTooLarge, 413, "request_too_large"},
    {ErrorCode::kRateLimited, 429, "rate_limit_error"},
    {ErrorCode::kInternal, 500, "server_error"},
    {ErrorCode::kUpstream, 502, "upstream_error"},
    {ErrorCode::kUnavailable, 503, "service_unavailable"},
};

const Row& Find(ErrorCode code) {
  for (const auto& row : kTable) {
    if (row.code == code) return row;
  }
  return kTable[9];  // server_error
}

json::object ErrorObject(int status, std::string_view type, const std::string& message) {
  json::object e;
  e["code"] = status;
  e["message"] = message;
  e["type"] = type;
  e["param"] = nullptr;
  return e;
}

}  // namespace

int HttpStatus(ErrorCode code) { return Find(code).status; }
std::string_view ErrorType(ErrorCode code) { return Find(code).type; }

namespace {
json::object WithMetadata(json::object e, const ProviderErrorMetadata* metadata) {
  if (metadata) e["metadata"] = json::object{{"provider_name", metadata->provider_name}, {"raw", metadata->raw}};
  return e;
}

// A character of a key or an id, and of an e-mail address (which adds dots).
bool TokenChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_'; }
bool AddressChar(char c) { return TokenChar(c) || c == '.'; }
}  // namespace

std::string ErrorBody(const Error& error, const ProviderErrorMetadata* metadata) {
  const Row& row = Find(error.code);
  json::object root;
  root["error"] = WithMetadata(ErrorObject(row.status, row.type, error.message), metadata);
  return json::serialize(root);
}

std::string ScrubProviderText(std::string_view text, size_t max_bytes) {
  // Prefixes after which a token is a secret or an account's id; matched at a word start.
  static constexpr std::string_view kSecretPrefixes[] = {"sk-",  "sk_",  "rk_",   "pk_",     "AIza",
                                                         "org-", "org_", "proj_", "Bearer ", "bearer "};
  // Matched anywhere ("api_key=…", "x-goog-api-key: …").
  static constexpr std::string_view kSecretLabels[] = {"key=", "key: ", "token=", "secret="};
  std::string out;
  out.reserve(std::min(text.size(), max_bytes));
  size_t i = 0;
  while (i < text.size() && out.size() < max_bytes) {
    const bool word_start = i == 0 || !TokenChar(text[i - 1]);
    std::string_view matched;
    if (word_start) {
      for (std::string_view p : kSecretPrefixes) {
        if (text.substr(i, p.size()) == p) matched = p;
      }
    }
    for (std::string_view p : kSecretLabels) {
      if (text.substr(i, p.size()) == p) matched = p;
    }
    if (!matched.empty()) {
      size_t end = i + matched.size();
      while (end < text.size() && text[end] == ' ') ++end;
      const size_t token = end;
      while (end < text.size() && TokenChar(text[end])) ++end;
      if (end - token >= 3) {  // a prefix followed by a value: keep the prefix, hide the value
        out.append(matched);
        out.append("***");
        i = end;
        continue;
      }
    }
    if (text[i] == '@' && i > 0 && AddressChar(text[i - 1])) {  // an e-mail address: hide it whole
      while (!out.empty() && AddressChar(out.back())) out.pop_back();
      size_t end = i + 1;
      while (end < text.size() && AddressChar(text[end])) ++end;
      if (text[end - 1] == '.') --end;  // the sentence's full stop
      out.append("***@***");
      i = end;
      continue;
    }
    out.push_back(text[i++]);
  }
  if (i < text.size()) out.append("…");
  return out;
}

ErrorCode CodeForStatus(int status) {
  if (status == 431) return ErrorCode::kTooLarge;
  for (const auto& row : kTable) {
    if (row.status == status) return row.code;
  }
  return ErrorCode::kInternal;
}

std::string ErrorBodyForStatus(int status, const std::string& message) {
  std::string_view type = "invalid_request_error";
  for (const auto& row : kTable) {
    if (row.status == status) type = row.type;
  }
  if (status == 431) type = "request_too_large";
  json::object root;
  root["error"] = ErrorObject(status, type, message);
  return json::serialize(root);
}

std::string StreamErrorChunk(const Error& error, std::string_view id, std::string_view model,
                             const ProviderErrorMetadata* metadata) {
  const Row& row = Find(error.code);
  json::object chunk;
  chunk["id"] = id;
  chunk["object"] = "chat.completion.chunk";
  chunk["created"] = UnixSeconds();
  chunk["model"] = model;
  chunk["error"] = WithMetadata(ErrorObject(row.status, row.type, error.message), metadata);
  json::array choices;
  choices.push_back(json::object{{"index", 0}, {"delta", json::object{{"content", ""}}}, {"finish_reason", "error"}});
  chunk["choices"] = std::move(choices);
  return "data: " + json::serialize(chunk) + "\n\n";
}

}  // namespace turnpike
