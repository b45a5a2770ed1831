// OpenAiAdapter's request building, error mapping and usage reading, and the helpers its files
// share. The answer decoders are in openai_response.cc and openai_stream.cc, the request body
// in openai_request.cc.
#include "providers/openai/openai_adapter.h"

#include <algorithm>
#include <boost/json.hpp>
#include <cstdint>
#include <string_view>
#include <utility>

#include "protocol/openai_chat.h"
#include "providers/openai/openai_internal.h"

namespace turnpike::providers::openai {
namespace json = boost::json;

namespace internal {

StatusClass ClassifyStatus(int status) {
  switch (status) {
    case 400:
    case 422:
      return {ErrorCode::kBadRequest, false, false};
    case 401:
    case 403:
      return {ErrorCode::kUpstream, false, true};
    case 408:
      return {ErrorCode::kTimeout, true, false};
    case 409:
      return {ErrorCode::kUpstream, true, false};
    case 413:
      return {ErrorCode::kTooLarge, false, false};
    case 429:
      return {ErrorCode::kRateLimited, true, false};
    default:
      return {ErrorCode::kUpstream, status >= 500, false};
  }
}

std::string ReasoningText(const json::object& message) {
  std::string text = StringMember(message, "reasoning");
  return text.empty() ? StringMember(message, "reasoning_content") : text;
}

std::string ErrorMessage(const json::object& error) { return StringMember(error, "message"); }

Error ReportedError(const json::object& error) {
  // The string codes OpenAI sends for these statuses.
  static constexpr std::pair<std::string_view, int> kCodes[] = {
      {"invalid_api_key", 401}, {"rate_limit_exceeded", 429}, {"insufficient_quota", 429}};
  int status = 500;
  const auto* code = error.if_contains("code");
  if (code && code->is_int64()) status = static_cast<int>(std::clamp<int64_t>(code->get_int64(), 0, 999));
  if (code && code->is_string()) {
    std::string_view text = code->get_string();
    auto digit = [](char c) { return c >= '0' && c <= '9'; };
    if (text.size() == 3 && std::all_of(text.begin(), text.end(), digit)) {
      status = (text[0] - '0') * 100 + (text[1] - '0') * 10 + (text[2] - '0');
    }
    for (const auto& [name, named_status] : kCodes) {
      if (text == name) status = named_status;
    }
  }
  StatusClass c = ClassifyStatus(status);
  std::string message = c.credentials ? std::string(kCredentialsRejected) : ErrorMessage(error);
  if (message.empty()) message = "the provider reported an error without a message";
  return MakeError(c.code, std::move(message));
}

}  // namespace internal

namespace {

// At most kMaxTokenCount, so prompt and completion add up (total_tokens) without overflow.
int64_t Count(const json::object& o, std::string_view key) {
  constexpr int64_t kMax = protocol::kMaxTokenCount;
  const auto* v = o.if_contains(key);
  if (!v) return 0;
  if (v->is_int64()) return std::clamp<int64_t>(v->get_int64(), 0, kMax);
  if (v->is_uint64()) return kMax;  // above INT64_MAX
  if (v->is_double() && v->get_double() > 0)
    return std::min(kMax, static_cast<int64_t>(std::min(v->get_double(), 9e18)));
  return 0;
}

// The URL and headers every OpenAI-compatible call carries; the same for relayed and encoded
// requests. base_url is used as the catalog holds it (no trailing '/').
EncodedRequest ChatCall(const EndpointInfo& endpoint, std::string body) {
  return Call(endpoint, "/chat/completions", std::move(body));
}

}  // namespace

EncodedRequest Call(const EndpointInfo& endpoint, std::string_view path, std::string body) {
  EncodedRequest out;
  out.url = endpoint.base_url + std::string(path);
  out.headers.push_back({"Content-Type", "application/json"});
  if (!endpoint.api_key.empty()) out.headers.push_back({"Authorization", "Bearer " + endpoint.api_key});
  out.body = std::move(body);
  return out;
}

bool ParseUsage(const json::value& value, protocol::Usage& out) {
  const auto* u = value.if_object();
  if (!u) return false;
  out = protocol::Usage{};
  out.prompt_tokens = Count(*u, "prompt_tokens");
  out.completion_tokens = Count(*u, "completion_tokens");
  if (const auto* d = ObjectMember(*u, "prompt_tokens_details")) {
    out.cached_tokens = Count(*d, "cached_tokens");
    out.cache_write_tokens = Count(*d, "cache_write_tokens");
  }
  if (const auto* d = ObjectMember(*u, "completion_tokens_details")) {
    out.reasoning_tokens = Count(*d, "reasoning_tokens");
  }
  return true;
}

EncodedRequest RelayRequest(std::string_view raw_body, const json::value& parsed, bool stream,
                            const EndpointInfo& endpoint, const protocol::RelayEdits& edits) {
  return ChatCall(endpoint, protocol::RewriteForUpstream(raw_body, parsed, endpoint.upstream_model, stream, edits));
}

Result<EncodedRequest> OpenAiAdapter::EncodeRequest(const protocol::ChatRequest& request,
                                                    const EndpointInfo& endpoint) const {
  auto body = internal::EncodeChatBody(request, endpoint);
  if (!body.ok()) return body.error();
  return ChatCall(endpoint, std::move(*body));
}

std::unique_ptr<StreamDecoder> OpenAiAdapter::NewStreamDecoder() const { return std::make_unique<ChunkDecoder>(); }

UpstreamError OpenAiAdapter::MapError(std::string_view provider, int status, std::string_view body,
                                      const Headers& headers) const {
  internal::StatusClass c = internal::ClassifyStatus(status);
  std::string message;
  if (c.credentials) {
    message = internal::kCredentialsRejected;
  } else {
    boost::system::error_code ec;
    json::value v = json::parse(body, ec);
    const json::object* root = ec ? nullptr : v.if_object();
    if (const json::object* error = root ? ObjectMember(*root, "error") : nullptr) {
      message = internal::ErrorMessage(*error);
    }
  }
  std::string text = "Provider " + std::string(provider) + " answered " + std::to_string(status);
  if (!message.empty()) text += ": " + message;
  return {MakeError(c.code, std::move(text)), c.retryable};
}

}  // namespace turnpike::providers::openai
