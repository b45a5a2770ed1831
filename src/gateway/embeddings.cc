// POST /api/v1/embeddings: not served yet (a helper is building it); every request is a 404.
#include "gateway/exchange.h"

namespace turnpike::gateway {
using boost::asio::awaitable;

Status Gateway::Exchange::ReadEmbeddings() {
  return MakeError(ErrorCode::kNotFound, "No route for POST /embeddings yet");
}

Result<net::UpstreamRequest> Gateway::EmbeddingsRequestFor(Exchange&, const state::Route&, const providers::Adapter&) {
  return MakeError(ErrorCode::kInternal, "/embeddings is not served");
}

awaitable<void> Gateway::AnswerEmbeddings(Exchange& x, const providers::Adapter&, net::UpstreamCall&,
                                          net::ResponseWriter& writer) {
  co_await x.Fail(MakeError(ErrorCode::kInternal, "/embeddings is not served"), writer);
}

}  // namespace turnpike::gateway
