// chat.completion.chunk events as canonical stream events.
//
// Beyond the header: only the choice with index 0 is read. Empty strings yield nothing. A tool
// call entry without `index` takes its position in the delta's tool_calls; a call starts when an
// index gets an id it did not have (a provider repeating the id on every fragment starts it
// once), and fragments for an index that never started are dropped. Only the first
// finish_reason is a kFinish (OpenRouter repeats it on its usage chunk). Nothing is read after
// "[DONE]" or an error chunk.
#include <boost/json.hpp>
#include <cstdint>

#include "providers/openai/openai_adapter.h"
#include "providers/openai/openai_internal.h"

namespace turnpike::providers::openai {
namespace json = boost::json;
using protocol::StreamEvent;
using Events = std::vector<StreamEvent>;

namespace {

void PushText(StreamEvent::Type type, std::string text, Events& out) {
  if (text.empty()) return;
  StreamEvent e;
  e.type = type;
  e.text = std::move(text);
  out.push_back(std::move(e));
}

// A tool call's `index`, or `position` when it has none usable.
int IndexOf(const json::object& call, size_t position) {
  const auto* index = call.if_contains("index");
  if (index && index->is_int64() && index->get_int64() >= 0 && index->get_int64() <= INT32_MAX) {
    return static_cast<int>(index->get_int64());
  }
  if (index && index->is_uint64() && index->get_uint64() <= INT32_MAX) return static_cast<int>(index->get_uint64());
  return static_cast<int>(position);
}

}  // namespace

Status ChunkDecoder::OnEvent(const protocol::SseEvent& event, Events& out) {
  if (done_ || failed_) return OkStatus();
  if (event.data == "[DONE]") {
    done_ = true;
    return OkStatus();
  }
  boost::system::error_code ec;
  json::value v = json::parse(event.data, ec);
  if (ec || !v.is_object()) return MakeError(ErrorCode::kUpstream, "a stream event's data is not a JSON object");
  return OnChunk(v.get_object(), out);
}

bool ChunkDecoder::OnEnd(Events& out) { return done_ || failed_; }

Status ChunkDecoder::OnChunk(const json::object& chunk, Events& out) {
  if (done_ || failed_) return OkStatus();
  if (!started_) {
    started_ = true;
    StreamEvent start;
    start.type = StreamEvent::Type::kStart;
    start.id = StringMember(chunk, "id");
    start.model = StringMember(chunk, "model");
    out.push_back(std::move(start));
  }
  if (const json::object* error = ObjectMember(chunk, "error")) {
    failed_ = true;
    StreamEvent e;
    e.type = StreamEvent::Type::kError;
    e.error = internal::ReportedError(*error);
    out.push_back(std::move(e));
    return OkStatus();
  }
  if (const json::object* choice = internal::ChoiceZero(chunk)) {
    if (const json::object* delta = ObjectMember(*choice, "delta")) OnDelta(*delta, out);
    std::string finish = StringMember(*choice, "finish_reason");
    if (!finish.empty() && !finished_) {
      finished_ = true;
      StreamEvent e;
      e.type = StreamEvent::Type::kFinish;
      e.finish_reason = std::move(finish);
      out.push_back(std::move(e));
    }
  }
  if (const auto* usage = chunk.if_contains("usage")) {
    StreamEvent e;
    e.type = StreamEvent::Type::kUsage;
    if (ParseUsage(*usage, e.usage)) out.push_back(std::move(e));
  }
  return OkStatus();
}

void ChunkDecoder::OnDelta(const json::object& delta, Events& out) {
  PushText(StreamEvent::Type::kReasoning, internal::ReasoningText(delta), out);
  PushText(StreamEvent::Type::kText, StringMember(delta, "content"), out);
  PushText(StreamEvent::Type::kText, StringMember(delta, "refusal"), out);
  const auto* calls = delta.if_contains("tool_calls");
  if (!calls || !calls->is_array()) return;
  for (size_t i = 0; i < calls->get_array().size(); ++i) {
    const auto* call = calls->get_array()[i].if_object();
    if (!call) continue;
    int index = IndexOf(*call, i);
    const json::object* fn = ObjectMember(*call, "function");
    std::string id = StringMember(*call, "id");
    auto started = tool_ids_.find(index);
    if (!id.empty() && (started == tool_ids_.end() || started->second != id)) {
      started = tool_ids_.insert_or_assign(index, id).first;
      StreamEvent e;
      e.type = StreamEvent::Type::kToolCallStart;
      e.tool_index = index;
      e.tool_id = std::move(id);
      e.tool_name = fn ? StringMember(*fn, "name") : "";
      out.push_back(std::move(e));
    }
    std::string args = fn ? StringMember(*fn, "arguments") : "";
    if (args.empty() || started == tool_ids_.end()) continue;
    StreamEvent e;
    e.type = StreamEvent::Type::kToolCallArgs;
    e.tool_index = index;
    e.text = std::move(args);
    out.push_back(std::move(e));
  }
}

}  // namespace turnpike::providers::openai
