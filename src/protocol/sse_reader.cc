#include "protocol/sse_reader.h"

namespace turnpike::protocol {

Status SseReader::Feed(std::string_view bytes, const std::function<void(SseEvent&&)>& on_event) {
  size_t i = 0;
  while (i < bytes.size()) {
    if (last_was_cr_ && bytes[i] == '\n') {  // the \n of a \r\n split across pieces
      last_was_cr_ = false;
      ++i;
      continue;
    }
    last_was_cr_ = false;
    size_t end = bytes.find_first_of("\r\n", i);
    // Lines and event data are limited separately, each checked the same way whatever the
    // piece boundaries, so whether a stream fails cannot depend on how the network cut it.
    if (end == std::string_view::npos) {
      line_.append(bytes.substr(i));
      if (line_.size() > max_event_bytes_) {
        return MakeError(ErrorCode::kUpstream, "upstream sent an event larger than the limit");
      }
      return OkStatus();
    }
    if (line_.size() + (end - i) > max_event_bytes_) {
      return MakeError(ErrorCode::kUpstream, "upstream sent an event larger than the limit");
    }
    if (line_.empty()) {
      Line(bytes.substr(i, end - i), on_event);
    } else {
      line_.append(bytes.substr(i, end - i));
      std::string line;
      line.swap(line_);
      Line(line, on_event);
    }
    if (current_.data.size() > max_event_bytes_) {
      return MakeError(ErrorCode::kUpstream, "upstream sent an event larger than the limit");
    }
    if (bytes[end] == '\r') {
      if (end + 1 < bytes.size()) {
        i = end + (bytes[end + 1] == '\n' ? 2 : 1);
      } else {
        last_was_cr_ = true;
        i = end + 1;
      }
    } else {
      i = end + 1;
    }
  }
  return OkStatus();
}

void SseReader::Line(std::string_view line, const std::function<void(SseEvent&&)>& on_event) {
  if (line.empty()) {  // dispatch
    if (has_data_) {
      on_event(std::move(current_));
    }
    current_ = SseEvent{};
    has_fields_ = false;
    has_data_ = false;
    return;
  }
  if (line.front() == ':') return;  // comment
  size_t colon = line.find(':');
  std::string_view field = line.substr(0, colon);
  std::string_view value;
  if (colon != std::string_view::npos) {
    value = line.substr(colon + 1);
    if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  }
  has_fields_ = true;
  if (field == "data") {
    if (has_data_) current_.data.push_back('\n');
    current_.data.append(value);
    has_data_ = true;
  } else if (field == "event") {
    current_.event.assign(value);
  } else if (field == "id") {
    current_.id.assign(value);
  }
  // "retry" and unknown fields are ignored, as the spec says.
}

}  // namespace turnpike::protocol
