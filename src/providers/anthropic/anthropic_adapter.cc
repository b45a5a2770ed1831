#include "providers/anthropic/anthropic_adapter.h"

#include <algorithm>
#include <boost/json.hpp>
#include <cctype>

#include "providers/anthropic/anthropic_internal.h"

namespace turnpike::providers::anthropic {
namespace json = boost::json;

namespace internal {

namespace {

// A token count; negative, fractional or absurd values are clamped (to 0 … kMaxTokenCount, so
// the prompt's three counts add up without overflow), non-numbers are nullopt.
std::optional<int64_t> Count(const json::value& v) {
  constexpr int64_t kMax = protocol::kMaxTokenCount;
  if (v.is_int64()) return std::clamp<int64_t>(v.get_int64(), 0, kMax);
  if (v.is_uint64()) return kMax;  // above INT64_MAX
  if (v.is_double() && v.get_double() >= 0) return std::min(kMax, static_cast<int64_t>(std::min(v.get_double(), 9e18)));
  if (v.is_double()) return 0;
  return std::nullopt;
}

void MergeCount(const json::object& usage, std::string_view key, int64_t& out) {
  if (const auto* v = usage.if_contains(key)) {
    if (auto n = Count(*v)) out = *n;
  }
}

}  // namespace

void MergeUsage(const json::object& usage, UsageCounts& counts) {
  MergeCount(usage, "input_tokens", counts.input);
  MergeCount(usage, "cache_creation_input_tokens", counts.cache_creation);
  MergeCount(usage, "cache_read_input_tokens", counts.cache_read);
  MergeCount(usage, "output_tokens", counts.output);
}

protocol::Usage ToCanonicalUsage(const UsageCounts& counts) {
  protocol::Usage u;
  u.prompt_tokens = counts.input + counts.cache_creation + counts.cache_read;
  u.cached_tokens = counts.cache_read;
  u.cache_write_tokens = counts.cache_creation;
  u.completion_tokens = counts.output;
  return u;
}

std::string MapStopReason(std::string_view stop_reason) {
  if (stop_reason == "max_tokens" || stop_reason == "model_context_window_exceeded") return "length";
  if (stop_reason == "tool_use") return "tool_calls";
  if (stop_reason == "refusal") return "content_filter";
  return "stop";  // end_turn, stop_sequence, pause_turn, and anything new
}

}  // namespace internal

namespace {

constexpr char kProvider[] = "Provider anthropic";

Error Unreadable(std::string why) { return MakeError(ErrorCode::kUpstream, std::string(kProvider) + " " + why); }

// Adds one content block of a message to `out`.
void ReadBlock(const json::object& block, std::string& text, bool& has_text, protocol::ChatResponse& out) {
  std::string type = internal::StringMember(block, "type");
  if (type == "text") {
    text += internal::StringMember(block, "text");
    has_text = true;
  } else if (type == "thinking") {
    out.reasoning += internal::StringMember(block, "thinking");
  } else if (type == "tool_use") {
    protocol::ToolCall call;
    call.id = internal::StringMember(block, "id");
    call.name = internal::StringMember(block, "name");
    const auto* input = block.if_contains("input");
    call.arguments = input && !input->is_null() ? json::serialize(*input) : "{}";
    out.tool_calls.push_back(std::move(call));
  }  // redacted_thinking, server tools and unknown blocks carry nothing a client can use
}

struct ErrorBody {
  std::string type;
  std::string message;
  bool spend_limit = false;  // error.details.error_code == "enforced_spend_limit_reached"
};

ErrorBody ReadErrorBody(std::string_view body) {
  ErrorBody out;
  // Where the spend-limit code sits is UNVERIFIED (docs/protocols.md §11), so look for it anywhere.
  out.spend_limit = body.find("enforced_spend_limit_reached") != std::string_view::npos;
  boost::system::error_code ec;
  json::value v = json::parse(body, ec);
  const json::object* root = !ec ? v.if_object() : nullptr;
  const json::value* error = root ? root->if_contains("error") : nullptr;
  if (!error || !error->is_object()) return out;
  out.type = internal::StringMember(error->get_object(), "type");
  out.message = internal::StringMember(error->get_object(), "message");
  return out;
}

// The client's error for `status` from `provider`, before any x-should-retry override.
UpstreamError ErrorForStatus(std::string_view provider, int status, const ErrorBody& body) {
  std::string prefix = "Provider " + std::string(provider) + " answered " + std::to_string(status) + ": ";
  std::string detail = !body.message.empty() ? body.message : !body.type.empty() ? body.type : "no error message";
  auto make = [&](ErrorCode code, bool retryable) {
    return UpstreamError{MakeError(code, prefix + detail), retryable};
  };
  switch (status) {
    case 400:
      return make(ErrorCode::kBadRequest, false);
    case 401:
    case 403:  // the upstream text may quote part of the key
      detail = "the provider rejected the gateway's credentials";
      return make(ErrorCode::kUpstream, false);
    case 404:
      if (body.message.empty()) detail = "model or endpoint not found at the provider";
      return make(ErrorCode::kUpstream, false);
    case 408:
      return make(ErrorCode::kTimeout, true);
    case 409:
      return make(ErrorCode::kUpstream, true);
    case 413:
      return make(ErrorCode::kTooLarge, false);
    case 429:
      return make(ErrorCode::kRateLimited, !body.spend_limit);
    case 529:
      return make(ErrorCode::kUnavailable, true);
    default:
      return make(ErrorCode::kUpstream, status >= 500);
  }
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  auto lower = [](char c) { return std::tolower(static_cast<unsigned char>(c)); };
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [&](char x, char y) { return lower(x) == lower(y); });
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

Result<EncodedRequest> AnthropicAdapter::EncodeRequest(const protocol::ChatRequest& request,
                                                       const EndpointInfo& endpoint) const {
  auto body = internal::EncodeMessagesBody(request, endpoint);
  if (!body.ok()) return body.error();
  std::string_view base = endpoint.base_url;
  while (base.ends_with('/')) base.remove_suffix(1);
  EncodedRequest out;
  out.url = std::string(base) + "/v1/messages";
  out.headers = {
      {"x-api-key", endpoint.api_key}, {"anthropic-version", "2023-06-01"}, {"content-type", "application/json"}};
  out.body = std::move(*body);
  return out;
}

Result<protocol::ChatResponse> AnthropicAdapter::DecodeResponse(std::string_view body) const {
  boost::system::error_code ec;
  json::value v = json::parse(body, ec);
  if (ec || !v.is_object()) return Unreadable("returned a body that is not a JSON object");
  const json::object& root = v.get_object();
  if (internal::StringMember(root, "type") == "error") {
    return Unreadable("returned an error: " + ReadErrorBody(body).message);
  }
  const auto* content = root.if_contains("content");
  if (!content || !content->is_array()) return Unreadable("returned a message without a content array");
  protocol::ChatResponse out;
  out.id = internal::StringMember(root, "id");
  out.model = internal::StringMember(root, "model");
  std::string text;
  bool has_text = false;
  for (const auto& block : content->get_array()) {
    if (block.is_object()) ReadBlock(block.get_object(), text, has_text, out);
  }
  if (has_text) out.content = std::move(text);
  out.finish_reason = internal::MapStopReason(internal::StringMember(root, "stop_reason"));
  if (const auto* usage = root.if_contains("usage"); usage && usage->is_object()) {
    internal::UsageCounts counts;
    internal::MergeUsage(usage->get_object(), counts);
    out.usage = internal::ToCanonicalUsage(counts);
  }
  return out;
}

std::unique_ptr<StreamDecoder> AnthropicAdapter::NewStreamDecoder() const { return internal::MakeStreamDecoder(); }

UpstreamError AnthropicAdapter::MapError(std::string_view provider, int status, std::string_view body,
                                         const Headers& headers) const {
  UpstreamError out = ErrorForStatus(provider, status, ReadErrorBody(body));
  std::string_view should_retry = Trim(FindHeader(headers, "x-should-retry"));
  if (EqualsIgnoreCase(should_retry, "true")) out.retryable = true;
  if (EqualsIgnoreCase(should_retry, "false")) out.retryable = false;
  return out;
}

}  // namespace turnpike::providers::anthropic
