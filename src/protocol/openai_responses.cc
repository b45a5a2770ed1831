#include "protocol/openai_responses.h"

#include <boost/json.hpp>

#include "common/error_table.h"

namespace turnpike::protocol {

std::string ResponsesErrorEvent(const Error& error) {
  boost::json::object event{
      {"type", "error"}, {"code", std::string(ErrorType(error.code))}, {"message", error.message}, {"param", nullptr}};
  return "event: error\ndata: " + boost::json::serialize(event) + "\n\n";
}

}  // namespace turnpike::protocol
