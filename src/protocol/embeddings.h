// OpenAI's embeddings API (POST /embeddings), as clients send it and as OpenAI-compatible
// upstreams take it (docs/protocols.md, "Embeddings"): the request read and checked, the body an
// OpenAI-compatible provider receives, and an answer written in OpenAI's list shape — float
// arrays, or the base64 of little-endian float32 values, exactly as OpenAI sends them. Pure.
#pragma once

#include <boost/json/fwd.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "protocol/openai_chat.h"

namespace turnpike::protocol {

// OpenAI's bounds on one request: inputs in the batch, and tokens in all of them.
inline constexpr size_t kMaxEmbeddingInputs = 2048;
inline constexpr int64_t kMaxEmbeddingTokens = 300'000;

// One input of the batch: a text, or token ids.
struct EmbeddingInput {
  std::string text;
  std::vector<int64_t> tokens;
  bool is_tokens = false;
};

struct EmbeddingsRequest {
  // What routing and the hold need: the model; prompt_chars = the texts' bytes plus four per
  // token id (the estimate's four characters a token, so an estimate counts a token id as one
  // token and the hold's two characters a token as two); max_tokens 0 (no output); `inputs`.
  ChatRequestInfo info;
  std::vector<EmbeddingInput> inputs;
  bool base64 = false;                // encoding_format "base64" (else "float", OpenAI's default)
  std::optional<int64_t> dimensions;  // positive
  // The members an endpoint must support (require_parameters): all but model, input,
  // encoding_format (the gateway honours it whatever the provider does) and OpenRouter's own.
  std::vector<std::string> parameters;
};

// Reads and checks an embeddings request body: an object with a `model` (or OpenRouter's
// `models`), an `input` that is a non-empty string, or a non-empty array of non-empty strings,
// of token ids (non-negative integers: one input), or of non-empty arrays of token ids; at most
// kMaxEmbeddingInputs inputs and kMaxEmbeddingTokens token ids; `encoding_format` "float" or
// "base64"; `dimensions` a positive integer; no number beyond a double's range. Errors are
// kBadRequest naming the member.
Result<EmbeddingsRequest> ReadEmbeddingsRequest(const boost::json::value& body);

// What an OpenAI-compatible endpoint receives: `client_body` (already read by
// ReadEmbeddingsRequest) with `model` set to `upstream_model`; OpenRouter's members taken out;
// members the endpoint does not list in `supported` taken out (none when it is empty), and
// encoding_format too when `keep_encoding_format` is false; `user` set to `user` when that is not
// empty and the endpoint takes it. Every other byte as the client sent it.
std::string EmbeddingsRelayBody(std::string_view client_body, const std::string& upstream_model,
                                const std::vector<std::string>& supported, const std::string& user,
                                bool keep_encoding_format);

// The vectors of an answer, in input order, and the input tokens the provider counted (nullopt
// when it reported none).
struct Embeddings {
  std::vector<std::vector<double>> vectors;
  std::optional<int64_t> prompt_tokens;
};

// Reads the `data` of an OpenAI embeddings list (float arrays, or base64 strings of
// little-endian float32) into vectors, in `index` order, and usage.prompt_tokens. kUpstream
// when it is not such a list.
Result<Embeddings> ReadEmbeddingsList(const boost::json::object& list);

// `values` as OpenAI's base64 embedding: each value as a little-endian IEEE float32.
std::string Float32Base64(const std::vector<double>& values);

// An answer in OpenAI's compact layout, with OpenRouter's members:
// {"object":"list","data":[{"object":"embedding","embedding":…,"index":0},…],"model":…,
// "usage":<usage_json>,"provider":…,"id":…}. Values are written as the shortest decimal that
// reads back as the same double, or with `base64` as Float32Base64.
std::string EncodeEmbeddingsList(const Embeddings& embeddings, bool base64, std::string_view model,
                                 std::string_view usage_json, std::string_view provider, std::string_view id);

}  // namespace turnpike::protocol
