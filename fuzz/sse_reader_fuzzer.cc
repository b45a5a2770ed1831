// The SSE reader (protocol/sse_reader.h) on any bytes, checked against itself: the events it
// yields, and whether the stream fails, must not depend on how the network cut the bytes
// (sse_reader.cc promises as much). Input: one byte choosing the event size limit and the cut
// points, then the stream.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "protocol/sse_reader.h"

namespace {

using turnpike::protocol::SseEvent;
using turnpike::protocol::SseReader;

struct Outcome {
  std::vector<SseEvent> events;
  bool failed = false;
  bool partial = false;
};

// Feeds `stream` in pieces whose sizes cycle through `sizes`.
Outcome Read(std::string_view stream, size_t limit, const std::vector<size_t>& sizes) {
  SseReader reader(limit);
  Outcome out;
  auto collect = [&](SseEvent&& e) { out.events.push_back(std::move(e)); };
  size_t at = 0;
  for (size_t k = 0; at < stream.size(); ++k) {
    size_t n = std::min(sizes[k % sizes.size()], stream.size() - at);
    if (!reader.Feed(stream.substr(at, n), collect).ok()) {
      out.failed = true;
      return out;
    }
    at += n;
  }
  out.partial = reader.HasPartial();
  return out;
}

bool Same(const Outcome& a, const Outcome& b) {
  if (a.failed != b.failed || a.events.size() != b.events.size()) return false;
  // A failed stream is abandoned: what it yielded before failing may differ with the cuts.
  if (a.failed) return true;
  if (a.partial != b.partial) return false;
  for (size_t i = 0; i < a.events.size(); ++i) {
    const auto &x = a.events[i], &y = b.events[i];
    if (x.event != y.event || x.data != y.data || x.id != y.id) return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const uint8_t flags = data[0];
  std::string_view stream(reinterpret_cast<const char*>(data + 1), size - 1);
  // Small limits half the time, so the limit checks are reached.
  const size_t limit = (flags & 1) ? 1 + (flags >> 1) : size_t{4} << 20;
  Outcome whole = Read(stream, limit, {stream.size() + 1});
  Outcome bytewise = Read(stream, limit, {1});
  Outcome cut = Read(stream, limit, {size_t{1} + (flags >> 4), size_t{1} + (flags & 7), 2});
  if (!Same(whole, bytewise) || !Same(whole, cut)) std::abort();
  return 0;
}
