// POST /api/v1/completions: not served yet (a helper is building it); every request is a 404.
#include "gateway/exchange.h"

namespace turnpike::gateway {
using boost::asio::awaitable;

Status Gateway::Exchange::ReadCompletions() {
  return MakeError(ErrorCode::kNotFound, "No route for POST /completions yet");
}

Result<net::UpstreamRequest> Gateway::CompletionsRequestFor(Exchange&, const state::Route&, const providers::Adapter&) {
  return MakeError(ErrorCode::kInternal, "/completions is not served");
}

awaitable<void> Gateway::AnswerCompletions(Exchange& x, const providers::Adapter&, net::UpstreamCall&,
                                           net::ResponseWriter& writer) {
  co_await x.Fail(MakeError(ErrorCode::kInternal, "/completions is not served"), writer);
}

}  // namespace turnpike::gateway
