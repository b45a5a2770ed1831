// The streamGenerateContent?alt=sse decoder (docs/protocols.md §7): each event is a whole
// GenerateContentResponse holding only new parts; usage is a running snapshot on every chunk;
// nothing but EOF ends the stream.
#include <optional>
#include <string>

#include "providers/gemini/gemini_adapter.h"
#include "providers/gemini/gemini_internal.h"

namespace turnpike::providers::gemini {

namespace {

using protocol::StreamEvent;

class GeminiStreamDecoder final : public StreamDecoder {
 public:
  Status OnEvent(const protocol::SseEvent& event, std::vector<StreamEvent>& out) override;
  bool OnEnd(std::vector<StreamEvent>& out) override;

 private:
  Status OnChunk(const json::object& chunk, std::vector<StreamEvent>& out);
  void OnError(const json::value& error, std::vector<StreamEvent>& out);
  void AddPart(Part& part, std::vector<StreamEvent>& out);

  bool started_ = false;
  bool failed_ = false;   // an in-stream error ended the stream
  bool blocked_ = false;  // the prompt was blocked (no candidate, promptFeedback.blockReason)
  std::string response_id_;
  int next_tool_index_ = 0;
  std::optional<std::string> finish_reason_;  // Gemini's, once a chunk carried one
  std::optional<protocol::Usage> usage_;      // the last usageMetadata snapshot
};

Status GeminiStreamDecoder::OnEvent(const protocol::SseEvent& event, std::vector<StreamEvent>& out) {
  if (failed_) return OkStatus();
  // Gemini names no events; a named one is not a GenerateContentResponse.
  if (!event.event.empty() && event.event != "message") return OkStatus();
  if (event.data.empty()) return OkStatus();
  auto parsed = ParseJson(event.data);
  if (!parsed || !parsed->is_object()) {
    return MakeError(ErrorCode::kUpstream,
                     "Provider " + std::string(kProviderName) + " sent an unreadable stream event");
  }
  const json::object& chunk = parsed->get_object();
  if (const auto* error = chunk.if_contains("error")) {
    OnError(*error, out);
    return OkStatus();
  }
  return OnChunk(chunk, out);
}

Status GeminiStreamDecoder::OnChunk(const json::object& chunk, std::vector<StreamEvent>& out) {
  if (!started_) {
    started_ = true;
    response_id_ = ResponseIdOf(chunk);
    StreamEvent start;
    start.type = StreamEvent::Type::kStart;
    start.id = response_id_;
    start.model = ModelVersionOf(chunk);
    out.push_back(std::move(start));
  }
  if (const auto* usage = chunk.if_contains("usageMetadata"); usage && usage->is_object()) {
    auto u = ReadUsage(usage->get_object());
    if (!u.ok()) return u.error();
    usage_ = *u;
  }
  const json::object* candidate = FirstCandidate(chunk);
  if (!candidate) {
    blocked_ = blocked_ || PromptBlocked(chunk);
    return OkStatus();
  }
  auto parts = ReadParts(*candidate);
  if (!parts.ok()) return parts.error();
  for (Part& part : *parts) AddPart(part, out);
  if (std::string reason = FinishReasonOf(*candidate); !reason.empty()) finish_reason_ = std::move(reason);
  return OkStatus();
}

void GeminiStreamDecoder::AddPart(Part& part, std::vector<StreamEvent>& out) {
  StreamEvent e;
  switch (part.kind) {
    case Part::Kind::kText:
    case Part::Kind::kThought:
      e.type = part.kind == Part::Kind::kText ? StreamEvent::Type::kText : StreamEvent::Type::kReasoning;
      e.text = std::move(part.text);
      out.push_back(std::move(e));
      return;
    case Part::Kind::kFunctionCall: {
      int index = next_tool_index_++;
      e.type = StreamEvent::Type::kToolCallStart;
      e.tool_index = index;
      e.tool_id = part.call_id.empty() ? MintCallId(response_id_, index) : part.call_id;
      e.tool_name = std::move(part.name);
      e.thought_signature = std::move(part.thought_signature);
      out.push_back(std::move(e));
      StreamEvent args;
      args.type = StreamEvent::Type::kToolCallArgs;
      args.tool_index = index;
      args.text = std::move(part.arguments);
      out.push_back(std::move(args));
      return;
    }
  }
}

// The usage seen so far (for billing), then the error; the stream is over.
void GeminiStreamDecoder::OnError(const json::value& error, std::vector<StreamEvent>& out) {
  failed_ = true;
  const json::object* object = error.if_object();
  int status = 500;
  if (object) {
    const auto* code = object->if_contains("code");
    const auto* rpc_status = object->if_contains("status");
    if (code && code->is_int64() && code->get_int64() >= 100 && code->get_int64() <= 599) {
      status = static_cast<int>(code->get_int64());
    } else if (rpc_status && rpc_status->is_string()) {
      status = HttpStatusOfRpcStatus(rpc_status->get_string());
    }
  }
  if (usage_) {
    StreamEvent usage;
    usage.type = StreamEvent::Type::kUsage;
    usage.usage = *usage_;
    out.push_back(std::move(usage));
  }
  StreamEvent e;
  e.type = StreamEvent::Type::kError;
  e.error = MapGoogleError(kProviderName, status, object).error;
  out.push_back(std::move(e));
}

bool GeminiStreamDecoder::OnEnd(std::vector<StreamEvent>& out) {
  if (failed_) return false;
  bool complete = finish_reason_.has_value() || blocked_;
  if (complete) {
    StreamEvent finish;
    finish.type = StreamEvent::Type::kFinish;
    finish.finish_reason =
        blocked_ && !finish_reason_ ? "content_filter" : MapFinishReason(*finish_reason_, next_tool_index_ > 0);
    out.push_back(std::move(finish));
  }
  if (usage_) {
    StreamEvent usage;
    usage.type = StreamEvent::Type::kUsage;
    usage.usage = *usage_;
    out.push_back(std::move(usage));
  }
  return complete;
}

}  // namespace

std::unique_ptr<StreamDecoder> GeminiAdapter::NewStreamDecoder() const {
  return std::make_unique<GeminiStreamDecoder>();
}

}  // namespace turnpike::providers::gemini
