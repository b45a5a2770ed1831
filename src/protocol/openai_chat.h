// The client's OpenAI Chat Completions request: what routing and billing need from it, and the
// body as it goes to an OpenAI-compatible upstream.
#pragma once

#include <boost/json/fwd.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace turnpike::protocol {

struct ChatRequestInfo {
  std::string model;
  bool stream = false;
  bool include_usage = false;         // the client asked for the usage chunk
  std::optional<int64_t> max_tokens;  // max_completion_tokens, else max_tokens
  int64_t n = 1;                      // choices asked for (1..128)
  bool reasoning = false;             // it asks for thinking (reasoning_effort, or OpenRouter's reasoning)
  // Bytes of everything the prompt sends but images: text, and the JSON of other parts (files,
  // audio), tool calls, tool definitions, response_format and the like (for estimates and holds).
  int64_t prompt_chars = 0;
  int64_t images = 0;  // image parts in the prompt
  // Embeddings (protocol/embeddings.h): the inputs of the batch, each within the context on its
  // own (1 for every other API).
  int64_t inputs = 1;
};

// Checks the request's shape (an object with a string `model` and a non-empty `messages`
// array of objects with a `role`; sane `stream`, `max_tokens`; no number beyond a double's
// range anywhere) and extracts ChatRequestInfo.
// Errors are kBadRequest with a message naming the field.
Result<ChatRequestInfo> InspectChatRequest(const boost::json::value& body);

// What an OpenAI-compatible endpoint receives beyond the client's bytes (openrouter_request.h).
struct RelayEdits {
  // The endpoint's supported_parameters: a parameter it lacks is left out (none when empty).
  const std::vector<std::string>* supported = nullptr;
  std::string reasoning_effort;  // for the request's `reasoning` ("" sets none)
  std::string user;              // `user` as the provider gets it ("" leaves it out)
  // The output the gateway held for (billing::OutputLimit; 0: none): a max_tokens /
  // max_completion_tokens above it is sent as it, and a request with neither gets
  // `limit_member` set to it, so the provider is never asked for more than was held.
  int64_t output_limit = 0;
  std::string_view limit_member = "max_tokens";
};

// `body` (the client's bytes, already known to be valid JSON) with `model` set to
// `upstream_model`, when streaming `stream_options.include_usage` set to true, OpenRouter's own
// members (provider, models, reasoning, …) taken out, the parameters the endpoint does not
// support taken out, and `edits` applied. Every other byte is left as the client sent it.
std::string RewriteForUpstream(std::string_view body, const boost::json::value& parsed,
                               const std::string& upstream_model, bool stream, const RelayEdits& edits = {});

}  // namespace turnpike::protocol
