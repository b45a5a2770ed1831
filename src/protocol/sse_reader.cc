#include "protocol/sse_reader.h"

#include <cstring>

namespace turnpike::protocol {
namespace {

// Where the line starting at `i` ends: its first \r or \n, or npos. Two memchr passes, not
// find_first_of, which tests every byte against the set one call at a time.
size_t LineEnd(std::string_view bytes, size_t i) {
  const char* begin = bytes.data() + i;
  const size_t left = bytes.size() - i;
  const auto* lf = static_cast<const char*>(std::memchr(begin, '\n', left));
  const size_t before_lf = lf ? static_cast<size_t>(lf - begin) : left;
  if (const auto* cr = static_cast<const char*>(std::memchr(begin, '\r', before_lf))) {
    return i + static_cast<size_t>(cr - begin);
  }
  return lf ? i + before_lf : std::string_view::npos;
}

}  // namespace

Status SseReader::Feed(std::string_view bytes, const std::function<void(SseEvent&&)>& on_event) {
  size_t i = 0;
  while (i < bytes.size()) {
    if (last_was_cr_ && bytes[i] == '\n') {  // the \n of a \r\n split across pieces
      last_was_cr_ = false;
      ++i;
      continue;
    }
    last_was_cr_ = false;
    size_t end = LineEnd(bytes, i);
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
