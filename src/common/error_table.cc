#include "common/error_table.h"

#include <boost/json.hpp>

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

std::string ErrorBody(const Error& error) {
  const Row& row = Find(error.code);
  json::object root;
  root["error"] = ErrorObject(row.status, row.type, error.message);
  return json::serialize(root);
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

std::string StreamErrorChunk(const Error& error, std::string_view id, std::string_view model) {
  const Row& row = Find(error.code);
  json::object chunk;
  chunk["id"] = id;
  chunk["object"] = "chat.completion.chunk";
  chunk["created"] = UnixSeconds();
  chunk["model"] = model;
  chunk["error"] = ErrorObject(row.status, row.type, error.message);
  json::array choices;
  choices.push_back(json::object{{"index", 0}, {"delta", json::object{{"content", ""}}}, {"finish_reason", "error"}});
  chunk["choices"] = std::move(choices);
  return "data: " + json::serialize(chunk) + "\n\n";
}

}  // namespace turnpike
