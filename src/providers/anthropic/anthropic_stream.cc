// The Anthropic event stream (docs/protocols.md §5.1) as canonical stream events (§5.2).
//
// message_start → kStart; content_block_start tool_use → kToolCallStart (tool indexes count
// tool_use blocks only, 0, 1, … in order); text_delta → kText; input_json_delta → kToolCallArgs
// (the fragment as sent, empty ones skipped); a tool_use block that ends with no fragment at all
// gets one "{}" fragment, so the client's arguments always parse (as in DecodeResponse);
// thinking_delta → kReasoning; message_delta → kFinish; message_stop → kUsage; error → kError.
// ping, signature_delta, unknown events and unknown blocks are ignored, and so is everything
// after message_stop or an error.
#include <boost/json.hpp>
#include <map>

#include "providers/anthropic/anthropic_internal.h"

namespace turnpike::providers::anthropic::internal {
namespace json = boost::json;
using protocol::StreamEvent;

namespace {

using Events = std::vector<StreamEvent>;

ErrorCode StreamErrorCode(std::string_view type) {
  if (type == "overloaded_error") return ErrorCode::kUnavailable;
  if (type == "rate_limit_error") return ErrorCode::kRateLimited;
  return ErrorCode::kUpstream;  // api_error and anything else
}

std::optional<int64_t> IndexOf(const json::object& data) {
  const auto* v = data.if_contains("index");
  if (v && v->is_int64()) return v->get_int64();
  if (v && v->is_uint64()) return static_cast<int64_t>(v->get_uint64());
  return std::nullopt;
}

StreamEvent Event(StreamEvent::Type type) {
  StreamEvent e;
  e.type = type;
  return e;
}

class AnthropicStreamDecoder final : public StreamDecoder {
 public:
  Status OnEvent(const protocol::SseEvent& event, Events& out) override;
  bool OnEnd(Events& out) override { return complete_ || failed_; }

 private:
  struct ToolBlock {
    int tool_index = 0;
    bool has_args = false;
  };

  void EnsureStarted(Events& out);
  void OnMessageStart(const json::object& data, Events& out);
  void OnBlockStart(const json::object& data, Events& out);
  void OnBlockDelta(const json::object& data, Events& out);
  void OnBlockStop(const json::object& data, Events& out);
  void OnMessageDelta(const json::object& data, Events& out);
  void OnMessageStop(Events& out);
  void OnError(const json::object& data, Events& out);

  std::map<int64_t, ToolBlock> tool_blocks_;  // by Anthropic block index
  int next_tool_index_ = 0;
  UsageCounts usage_;
  bool started_ = false;
  bool finished_ = false;  // kFinish sent
  bool complete_ = false;  // message_stop seen
  bool failed_ = false;    // kError sent
};

Status AnthropicStreamDecoder::OnEvent(const protocol::SseEvent& event, Events& out) {
  if (complete_ || failed_) return OkStatus();
  boost::system::error_code ec;
  json::value v = json::parse(event.data, ec);
  if (ec || !v.is_object()) {
    return MakeError(ErrorCode::kUpstream, "Provider anthropic sent a stream event whose data is not a JSON object");
  }
  const json::object& data = v.get_object();
  std::string type = StringMember(data, "type");
  if (type.empty()) type = event.event;
  if (type == "message_start") {
    OnMessageStart(data, out);
  } else if (type == "content_block_start") {
    OnBlockStart(data, out);
  } else if (type == "content_block_delta") {
    OnBlockDelta(data, out);
  } else if (type == "content_block_stop") {
    OnBlockStop(data, out);
  } else if (type == "message_delta") {
    OnMessageDelta(data, out);
  } else if (type == "message_stop") {
    OnMessageStop(out);
  } else if (type == "error") {
    OnError(data, out);
  }  // ping and event types added later
  return OkStatus();
}

void AnthropicStreamDecoder::EnsureStarted(Events& out) {
  if (started_) return;
  started_ = true;
  out.push_back(Event(StreamEvent::Type::kStart));
}

void AnthropicStreamDecoder::OnMessageStart(const json::object& data, Events& out) {
  if (started_) return;
  started_ = true;
  StreamEvent start = Event(StreamEvent::Type::kStart);
  if (const auto* message = ObjectMember(data, "message")) {
    start.id = StringMember(*message, "id");
    start.model = StringMember(*message, "model");
    if (const auto* usage = ObjectMember(*message, "usage")) MergeUsage(*usage, usage_);
  }
  out.push_back(std::move(start));
}

void AnthropicStreamDecoder::OnBlockStart(const json::object& data, Events& out) {
  const auto* block = ObjectMember(data, "content_block");
  auto index = IndexOf(data);
  if (!block || !index || StringMember(*block, "type") != "tool_use") return;
  EnsureStarted(out);
  ToolBlock& tool = tool_blocks_[*index];
  tool.tool_index = next_tool_index_++;
  StreamEvent e = Event(StreamEvent::Type::kToolCallStart);
  e.tool_index = tool.tool_index;
  e.tool_id = StringMember(*block, "id");
  e.tool_name = StringMember(*block, "name");
  out.push_back(std::move(e));
}

void AnthropicStreamDecoder::OnBlockDelta(const json::object& data, Events& out) {
  const auto* delta = ObjectMember(data, "delta");
  if (!delta) return;
  std::string type = StringMember(*delta, "type");
  StreamEvent e;
  if (type == "text_delta") {
    e.type = StreamEvent::Type::kText;
    e.text = StringMember(*delta, "text");
  } else if (type == "thinking_delta") {
    e.type = StreamEvent::Type::kReasoning;
    e.text = StringMember(*delta, "thinking");
  } else if (type == "input_json_delta") {
    auto index = IndexOf(data);
    auto it = index ? tool_blocks_.find(*index) : tool_blocks_.end();
    if (it == tool_blocks_.end()) return;
    e.type = StreamEvent::Type::kToolCallArgs;
    e.tool_index = it->second.tool_index;
    e.text = StringMember(*delta, "partial_json");
    if (!e.text.empty()) it->second.has_args = true;
  } else {
    return;  // signature_delta, citations_delta, …
  }
  if (e.text.empty()) return;
  EnsureStarted(out);
  out.push_back(std::move(e));
}

void AnthropicStreamDecoder::OnBlockStop(const json::object& data, Events& out) {
  auto index = IndexOf(data);
  auto it = index ? tool_blocks_.find(*index) : tool_blocks_.end();
  if (it == tool_blocks_.end() || it->second.has_args) return;
  it->second.has_args = true;
  StreamEvent e = Event(StreamEvent::Type::kToolCallArgs);
  e.tool_index = it->second.tool_index;
  e.text = "{}";
  out.push_back(std::move(e));
}

void AnthropicStreamDecoder::OnMessageDelta(const json::object& data, Events& out) {
  if (const auto* usage = ObjectMember(data, "usage")) MergeUsage(*usage, usage_);  // present counts win
  const auto* delta = ObjectMember(data, "delta");
  const auto* reason = delta ? delta->if_contains("stop_reason") : nullptr;
  if (!reason || !reason->is_string()) return;
  EnsureStarted(out);
  finished_ = true;
  StreamEvent e = Event(StreamEvent::Type::kFinish);
  e.finish_reason = MapStopReason(reason->get_string());
  out.push_back(std::move(e));
}

void AnthropicStreamDecoder::OnMessageStop(Events& out) {
  EnsureStarted(out);
  if (!finished_) {  // no message_delta carried a stop_reason
    finished_ = true;
    StreamEvent e = Event(StreamEvent::Type::kFinish);
    e.finish_reason = tool_blocks_.empty() ? "stop" : "tool_calls";
    out.push_back(std::move(e));
  }
  StreamEvent usage = Event(StreamEvent::Type::kUsage);
  usage.usage = ToCanonicalUsage(usage_);
  out.push_back(std::move(usage));
  complete_ = true;
}

void AnthropicStreamDecoder::OnError(const json::object& data, Events& out) {
  std::string type;
  std::string message;
  if (const auto* error = ObjectMember(data, "error")) {
    type = StringMember(*error, "type");
    message = StringMember(*error, "message");
  }
  if (message.empty()) message = type.empty() ? "unknown error" : type;
  StreamEvent e = Event(StreamEvent::Type::kError);
  e.error = MakeError(StreamErrorCode(type), "Provider anthropic: " + message);
  out.push_back(std::move(e));
  failed_ = true;
}

}  // namespace

std::unique_ptr<StreamDecoder> MakeStreamDecoder() { return std::make_unique<AnthropicStreamDecoder>(); }

}  // namespace turnpike::providers::anthropic::internal
