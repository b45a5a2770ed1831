// Incremental Server-Sent Events parser (the WHATWG event-stream grammar). Accepts bytes in
// pieces of any size; events come out whole. Line ends may be \n, \r\n or \r, split anywhere;
// lines starting with ':' are comments; "field: value" loses one leading space; several data
// lines join with '\n'.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

#include "common/result.h"

namespace turnpike::protocol {

struct SseEvent {
  std::string event;  // "" when the event had no event: line
  std::string data;
  std::string id;
};

class SseReader {
 public:
  // An event (or a single line) larger than max_event_bytes fails the stream.
  explicit SseReader(size_t max_event_bytes = 4 << 20) : max_event_bytes_(max_event_bytes) {}

  // Parses `bytes`, calling `on_event` for each event completed by them (in order).
  // After an error the reader is unusable.
  Status Feed(std::string_view bytes, const std::function<void(SseEvent&&)>& on_event);

  // True when bytes of an unfinished event are buffered (the stream ended mid-event).
  bool HasPartial() const { return !line_.empty() || has_fields_; }

 private:
  void Line(std::string_view line, const std::function<void(SseEvent&&)>& on_event);

  size_t max_event_bytes_;
  std::string line_;  // the current, unterminated line
  bool last_was_cr_ = false;
  bool has_fields_ = false;  // the current event has seen a field
  bool has_data_ = false;
  SseEvent current_;
};

}  // namespace turnpike::protocol
