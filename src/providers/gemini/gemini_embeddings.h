// OpenAI embeddings requests served by the Gemini Developer API (v1beta): one
// :batchEmbedContents call with one EmbedContentRequest per input, and its answer read back into
// vectors (docs/protocols.md, "Embeddings"). Pure; safe from any thread.
#pragma once

#include <string_view>

#include "protocol/embeddings.h"
#include "providers/provider.h"

namespace turnpike::providers::gemini {

// Gemini answers 400 to a batch of more requests than this.
inline constexpr size_t kMaxBatchEmbedRequests = 100;

// POST <base_url>/v1beta/models/<model>:batchEmbedContents (the key in x-goog-api-key, left out
// when ""), with {"requests":[{"model":"models/<model>","content":{"parts":[{"text":…}]},
// "outputDimensionality":<dimensions>}…]} in input order (outputDimensionality only when the
// request has `dimensions`). kBadRequest for what Gemini cannot take: token-id inputs, or more
// than kMaxBatchEmbedRequests inputs; kInternal for an empty upstream model.
Result<EncodedRequest> EncodeBatchEmbedRequest(const protocol::EmbeddingsRequest& request,
                                               const EndpointInfo& endpoint);

// A BatchEmbedContentsResponse: {"embeddings":[{"values":[…]}…],"usageMetadata":
// {"promptTokenCount":N}} (usageMetadata only from some models). kUpstream when it is not one,
// or when it holds another number of embeddings than `inputs`.
Result<protocol::Embeddings> DecodeBatchEmbedResponse(std::string_view body, size_t inputs);

}  // namespace turnpike::providers::gemini
