// A provider's answer as the gateway reads it, for one adapter (FUZZ_ADAPTER: "anthropic" or
// "gemini", one executable each): the bytes as an SSE stream through the adapter's stream
// decoder, each canonical event re-encoded as the client's chat.completion.chunk and its usage
// priced (gateway/translated_relay.cc); the same bytes as a non-streamed body
// (DecodeResponse, then the client's chat.completion) and as an error body (MapError).
// Every chunk the client gets must be `data: <JSON object>\n\n`.
#include <boost/json.hpp>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "billing/usage.h"
#include "protocol/openai_encode.h"
#include "protocol/sse_reader.h"
#include "providers/provider.h"

namespace {

namespace json = boost::json;
using turnpike::protocol::StreamEvent;

void Check(bool ok) {
  if (!ok) std::abort();
}

void CheckJsonObject(std::string_view text) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  Check(!ec && v.is_object());
}

// `data: {…}\n\n`, one or more times.
void CheckChunks(std::string_view sse) {
  while (!sse.empty()) {
    Check(sse.starts_with("data: "));
    size_t end = sse.find("\n\n");
    Check(end != std::string_view::npos);
    CheckJsonObject(sse.substr(6, end - 6));
    sse.remove_prefix(end + 2);
  }
}

// Prices with every class set, so each token count is multiplied.
const turnpike::money::Prices kPrices{3'000'000, 15'000'000, 300'000, 3'750'000};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto* adapter = turnpike::providers::FindAdapter(FUZZ_ADAPTER);
  std::string_view bytes(reinterpret_cast<const char*>(data), size);

  auto decoder = adapter->NewStreamDecoder();
  turnpike::protocol::OpenAiChunkEncoder encoder("gen-1", "vendor/model", 1700000000, "Provider");
  turnpike::protocol::SseReader reader;
  std::vector<StreamEvent> events;
  bool failed = false;
  auto drain = [&] {
    for (const auto& e : events) {
      CheckChunks(encoder.Encode(e));
      if (e.type == StreamEvent::Type::kUsage) {
        Check(turnpike::billing::CostOf(e.usage, kPrices) >= 0);
        CheckJsonObject(turnpike::billing::UsageWithCost(turnpike::protocol::UsageJson(e.usage), 1));
      }
      if (e.type == StreamEvent::Type::kError) failed = true;
    }
    events.clear();
  };
  auto status = reader.Feed(bytes, [&](turnpike::protocol::SseEvent&& event) {
    if (failed) return;  // the gateway stops at the first failure
    if (!decoder->OnEvent(event, events).ok()) failed = true;
    drain();
  });
  if (status.ok() && !failed) {
    decoder->OnEnd(events);
    drain();
    if (!failed) CheckChunks(encoder.Close("{}"));
  }

  auto response = adapter->DecodeResponse(bytes);
  if (response.ok()) {
    std::string usage = "{}";
    if (response->usage) {
      Check(turnpike::billing::CostOf(*response->usage, kPrices) >= 0);
      usage = turnpike::billing::UsageWithCost(turnpike::protocol::UsageJson(*response->usage), 1);
    }
    CheckJsonObject(
        turnpike::protocol::EncodeChatCompletion(*response, "gen-1", "vendor/model", 1700000000, usage, "Provider"));
  }
  for (int http_status : {400, 401, 429, 500, 529}) adapter->MapError("provider", http_status, bytes, {});
  return 0;
}
