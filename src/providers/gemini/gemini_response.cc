// GeminiAdapter::DecodeResponse and the GenerateContentResponse readers the stream decoder
// shares (docs/protocols.md §7, §9, §10).
#include <algorithm>
#include <string>

#include "protocol/json_members.h"
#include "providers/gemini/gemini_adapter.h"
#include "providers/gemini/gemini_internal.h"
#include "providers/json_fields.h"

namespace turnpike::providers::gemini {

namespace {

Error Unreadable(const std::string& what) {
  return MakeError(ErrorCode::kUpstream,
                   "Provider " + std::string(kProviderName) + " sent an unreadable answer: " + what);
}

Result<Part> ReadFunctionCall(const json::object& part, const json::value& call) {
  const auto* fc = call.if_object();
  const auto* name = fc ? fc->if_contains("name") : nullptr;
  if (!name || !name->is_string() || name->get_string().empty()) return Unreadable("a functionCall without a name");
  Part out;
  out.kind = Part::Kind::kFunctionCall;
  out.name = name->get_string();
  out.call_id = StringMember(*fc, "id");
  const auto* args = fc->if_contains("args");
  out.arguments = args && !args->is_null() ? json::serialize(*args) : "{}";
  out.thought_signature = StringMember(part, "thoughtSignature");
  return out;
}

// A count from usageMetadata: absent → 0; at most kMaxTokenCount, so candidates and thoughts
// add up without overflow.
Result<int64_t> Count(const json::object& usage, std::string_view key) {
  const auto* v = usage.if_contains(key);
  if (!v || v->is_null()) return int64_t{0};
  if (v->is_int64() && v->get_int64() >= 0) return std::min(v->get_int64(), protocol::kMaxTokenCount);
  if (v->is_uint64()) return protocol::kMaxTokenCount;  // above INT64_MAX
  return Unreadable("usageMetadata." + std::string(key) + " is not a count");
}

}  // namespace

std::optional<json::value> ParseJson(std::string_view text) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  // A number beyond a double's range would be re-encoded as no valid JSON: not readable either.
  if (ec || !protocol::AllNumbersFinite(v)) return std::nullopt;
  return v;
}

const json::object* FirstCandidate(const json::object& response) { return IndexZeroElement(response, "candidates"); }

Result<std::vector<Part>> ReadParts(const json::object& candidate) {
  std::vector<Part> out;
  const auto* content = candidate.if_contains("content");
  if (!content || content->is_null()) return out;
  if (!content->is_object()) return Unreadable("a candidate's content is not an object");
  const auto* parts = content->get_object().if_contains("parts");
  if (!parts || parts->is_null()) return out;
  if (!parts->is_array()) return Unreadable("content.parts is not an array");
  for (const auto& p : parts->get_array()) {
    const auto* part = p.if_object();
    if (!part) return Unreadable("a content part is not an object");
    if (const auto* call = part->if_contains("functionCall")) {
      auto fc = ReadFunctionCall(*part, *call);
      if (!fc.ok()) return fc.error();
      out.push_back(std::move(*fc));
      continue;
    }
    const auto* text = part->if_contains("text");
    if (!text) continue;  // inlineData, executableCode, …: nothing the canonical answer carries
    if (!text->is_string()) return Unreadable("a text part is not a string");
    if (text->get_string().empty()) continue;
    const auto* thought = part->if_contains("thought");
    bool is_thought = thought && thought->is_bool() && thought->get_bool();
    Part kept;
    kept.kind = is_thought ? Part::Kind::kThought : Part::Kind::kText;
    kept.text = text->get_string();
    out.push_back(std::move(kept));
  }
  return out;
}

std::string FinishReasonOf(const json::object& candidate) { return StringMember(candidate, "finishReason"); }

bool PromptBlocked(const json::object& response) {
  if (FirstCandidate(response)) return false;
  const auto* feedback = response.if_contains("promptFeedback");
  if (!feedback || !feedback->is_object()) return false;
  return !StringMember(feedback->get_object(), "blockReason").empty();
}

std::string MapFinishReason(std::string_view reason, bool any_function_call) {
  static constexpr std::string_view kFiltered[] = {"SAFETY",
                                                   "RECITATION",
                                                   "BLOCKLIST",
                                                   "PROHIBITED_CONTENT",
                                                   "SPII",
                                                   "IMAGE_SAFETY",
                                                   "IMAGE_PROHIBITED_CONTENT",
                                                   "IMAGE_RECITATION"};
  if (reason == "MAX_TOKENS") return "length";
  for (auto filtered : kFiltered) {
    if (reason == filtered) return "content_filter";
  }
  if ((reason == "STOP" || reason.empty()) && any_function_call) return "tool_calls";
  return "stop";  // STOP and the function-call failures, LANGUAGE, OTHER, … (§10)
}

Result<protocol::Usage> ReadUsage(const json::object& usage_metadata) {
  auto prompt = Count(usage_metadata, "promptTokenCount");
  auto candidates = Count(usage_metadata, "candidatesTokenCount");
  auto thoughts = Count(usage_metadata, "thoughtsTokenCount");
  auto cached = Count(usage_metadata, "cachedContentTokenCount");
  for (const auto* r : {&prompt, &candidates, &thoughts, &cached}) {
    if (!r->ok()) return r->error();
  }
  protocol::Usage usage;
  usage.prompt_tokens = *prompt;
  usage.completion_tokens = *candidates + *thoughts;
  usage.cached_tokens = *cached;
  usage.reasoning_tokens = *thoughts;
  return usage;
}

std::string ResponseIdOf(const json::object& response) {
  std::string id = StringMember(response, "responseId");
  return id.empty() ? "gemini-response" : id;
}

std::string ModelVersionOf(const json::object& response) { return StringMember(response, "modelVersion"); }

std::string MintCallId(std::string_view response_id, int index) {
  return "call_" + std::string(response_id) + "_" + std::to_string(index);
}

Result<protocol::ChatResponse> GeminiAdapter::DecodeResponse(std::string_view body) const {
  auto parsed = ParseJson(body);
  if (!parsed || !parsed->is_object()) return Unreadable("the body is not a JSON object");
  const json::object& root = parsed->get_object();
  protocol::ChatResponse out;
  out.id = ResponseIdOf(root);
  out.model = ModelVersionOf(root);
  if (const auto* usage = root.if_contains("usageMetadata"); usage && usage->is_object()) {
    auto u = ReadUsage(usage->get_object());
    if (!u.ok()) return u.error();
    out.usage = *u;
  }
  const json::object* candidate = FirstCandidate(root);
  if (!candidate) {
    if (!PromptBlocked(root)) return Unreadable("no candidate and no promptFeedback.blockReason");
    out.finish_reason = "content_filter";
    return out;
  }
  auto parts = ReadParts(*candidate);
  if (!parts.ok()) return parts.error();
  for (Part& part : *parts) {
    switch (part.kind) {
      case Part::Kind::kText:
        if (!out.content) out.content.emplace();
        *out.content += part.text;
        break;
      case Part::Kind::kThought:
        out.reasoning += part.text;
        break;
      case Part::Kind::kFunctionCall: {
        int k = static_cast<int>(out.tool_calls.size());
        std::string id = part.call_id.empty() ? MintCallId(out.id, k) : part.call_id;
        out.tool_calls.push_back(
            {std::move(id), std::move(part.name), std::move(part.arguments), std::move(part.thought_signature)});
        break;
      }
    }
  }
  out.finish_reason = MapFinishReason(FinishReasonOf(*candidate), !out.tool_calls.empty());
  return out;
}

}  // namespace turnpike::providers::gemini
