#include "control/reply.h"

#include <spdlog/spdlog.h>
#include <boost/json.hpp>

#include "common/error_table.h"

namespace turnpike::control {
namespace json = boost::json;

Reply JsonReply(int status, const json::value& body) {
  Reply reply;
  reply.status = status;
  reply.body = json::serialize(body);
  return reply;
}

Reply NoContent() {
  Reply reply;
  reply.status = 204;
  reply.content_type.clear();
  return reply;
}

Reply ErrorReply(const Error& error, std::string_view param) {
  std::string message = error.message;
  if (error.code == ErrorCode::kInternal) {
    spdlog::error("control plane: internal error: {}", error.message);
    message = "Internal server error";
  }
  int status = HttpStatus(error.code);
  json::object e;
  e["code"] = status;
  e["message"] = message;
  e["type"] = ErrorType(error.code);
  e["param"] = param.empty() ? json::value(nullptr) : json::value(json::string(param));
  json::object root;
  root["error"] = std::move(e);
  return JsonReply(status, root);
}

void AddHeader(Reply& reply, std::string name, std::string value) {
  reply.headers.push_back(Header{std::move(name), std::move(value)});
}

}  // namespace turnpike::control
