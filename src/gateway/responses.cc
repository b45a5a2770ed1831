// POST /api/v1/responses: not served yet (a helper is building it); every request is a 404.
#include "gateway/exchange.h"

namespace turnpike::gateway {
using boost::asio::awaitable;

Status Gateway::Exchange::ReadResponses() {
  return MakeError(ErrorCode::kNotFound, "No route for POST /responses yet");
}

Result<net::UpstreamRequest> Gateway::ResponsesRequestFor(Exchange&, const state::Route&, const providers::Adapter&) {
  return MakeError(ErrorCode::kInternal, "/responses is not served");
}

awaitable<void> Gateway::AnswerResponses(Exchange& x, const providers::Adapter&, net::UpstreamCall&,
                                         net::ResponseWriter& writer) {
  co_await x.Fail(MakeError(ErrorCode::kInternal, "/responses is not served"), writer);
}

}  // namespace turnpike::gateway
