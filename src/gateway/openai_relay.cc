// The OpenAI-compatible path: the client's bytes go upstream with only the model changed, and
// the answer comes back as the provider sent it, metered through the OpenAI adapter's decoders
// and given its cost.
#include <boost/json.hpp>

#include "gateway/exchange.h"
#include "protocol/json_members.h"
#include "providers/openai/openai_adapter.h"

namespace turnpike::gateway {
namespace json = boost::json;
namespace openai = providers::openai;
using boost::asio::awaitable;
using protocol::StreamEvent;

namespace {

// The answer's `usage` member with OpenRouter's cost in it.
std::string WithCost(std::string_view text, const protocol::ObjectLayout& layout, const json::object& usage,
                     money::Micros cost) {
  return protocol::ApplyEdits(text, {protocol::SetMember(text, layout, "usage", billing::UsageWithCost(usage, cost))});
}

// The usage object written when the provider reported none (estimated counts).
json::object EstimatedUsage(const billing::Usage& u) {
  return json::object{{"prompt_tokens", u.prompt_tokens},
                      {"completion_tokens", u.completion_tokens},
                      {"total_tokens", u.prompt_tokens + u.completion_tokens}};
}

bool OnlyUsage(const std::vector<StreamEvent>& events) {
  return events.size() == 1 && events[0].type == StreamEvent::Type::kUsage;
}

}  // namespace

awaitable<void> Gateway::RelayJson(Exchange& x, net::UpstreamCall& call, net::ResponseWriter& writer) {
  auto body = co_await call.ReadAll();
  if (x.client_gone) {
    x.Cancelled();
    co_return;
  }
  if (!body.ok()) {
    co_await x.Fail(Transport(body.error(), x.provider()), writer);
    co_return;
  }
  boost::system::error_code ec;
  json::monotonic_resource arena(8192);  // the answer's nodes, freed at once
  auto v = json::parse(*body, ec, &arena);
  auto layout = ec ? std::nullopt : protocol::ScanObject(*body);
  if (ec || !v.is_object() || !layout) {
    co_await x.Fail(
        MakeError(ErrorCode::kUpstream, "Provider " + x.provider() + " returned a body that is not a JSON object"),
        writer);
    co_return;
  }
  const json::object& root = v.get_object();
  if (auto response = openai::DecodeCompletion(root); response.ok()) x.Account(*response);
  x.Bill(true);
  std::string out;
  if (const auto* u = root.if_contains("usage"); u && u->is_object()) {
    out = WithCost(*body, *layout, u->get_object(), x.cost);
  } else {
    out = WithCost(*body, *layout, EstimatedUsage(x.usage), x.cost);
  }
  co_await SendAnswer(x, std::move(out), writer);
}

awaitable<void> Gateway::RelayStream(Exchange& x, net::UpstreamCall& call, net::ResponseWriter& writer) {
  co_await BeginStreamedAnswer(x, call, writer);
  openai::ChunkDecoder decoder;
  std::vector<StreamEvent> events;
  bool upstream_error = false;  // the provider's error chunk went through; the stream ends after it
  std::string chunk_id, chunk_model;

  StreamRelay relay;
  relay.finished = [&] { return decoder.done(); };
  relay.on_event = [&](protocol::SseEvent&& ev, std::string& out) -> std::optional<Error> {
    if (ev.data == "[DONE]") {
      (void)decoder.OnEvent(ev, events);  // [DONE] itself is sent after settlement
      return std::nullopt;
    }
    boost::system::error_code ec;
    // The chunk's nodes go to a buffer on the stack (a fresh arena per chunk: this Boost's
    // monotonic_resource doubles its next block at every refill, even after release()).
    alignas(std::max_align_t) unsigned char buffer[8192];
    json::monotonic_resource arena(buffer, sizeof buffer);
    auto v = json::parse(ev.data, ec, &arena);
    if (ec || !v.is_object()) {
      out += "data: " + ev.data + "\n\n";  // not ours to judge: passed on as it came
      return std::nullopt;
    }
    const json::object& chunk = v.get_object();
    events.clear();
    (void)decoder.OnChunk(chunk, events);
    x.Account(events);
    for (const auto& e : events) {
      if (e.type == StreamEvent::Type::kStart && chunk_id.empty()) {
        chunk_id = e.id;
        chunk_model = e.model;
      }
      if (e.type == StreamEvent::Type::kError) {
        x.finish_reason = "error";
        upstream_error = true;
      }
    }
    if (const auto* usage = chunk.if_contains("usage"); usage && usage->is_object()) {
      if (!x.info.include_usage) {
        if (OnlyUsage(events)) return std::nullopt;  // the usage chunk the client did not ask for
      } else if (auto layout = protocol::ScanObject(ev.data)) {
        x.Bill(false);  // OpenRouter adds the cost to the usage it streams
        out += "data: " + WithCost(ev.data, *layout, usage->get_object(), x.cost) + "\n\n";
        return std::nullopt;
      }
    }
    // OpenAI sends "usage":null (we always ask for usage) and sometimes
    // "system_fingerprint":null on every chunk; strict clients (@openrouter/sdk) accept these
    // keys missing but not null, so they go.
    out += "data: " + protocol::RemoveNullMembers(ev.data, {"usage", "system_fingerprint"}) + "\n\n";
    return std::nullopt;
  };
  relay.on_end = [&](std::string&) -> std::optional<Error> {
    if (upstream_error) return std::nullopt;  // the client already has the provider's error event
    return MakeError(ErrorCode::kUpstream, "Provider " + x.provider() + " ended the stream before it was complete");
  };
  std::optional<Error> failure = co_await PumpStream(x, call, relay, writer);

  // After the provider's own error event, the stream just ends: no second error, no [DONE].
  bool send_done = !(upstream_error && !decoder.done());
  const std::string no_tail;
  const std::string& error_id = chunk_id.empty() ? x.id : chunk_id;
  co_await EndStreamedAnswer(x, failure, no_tail, send_done, error_id, chunk_model, writer);
}

}  // namespace turnpike::gateway
