// The OpenAI-compatible path: the client's bytes go upstream with only the model changed, and
// the answer comes back as the provider sent it, metered through the OpenAI adapter's decoders,
// given its cost and OpenRouter's id, model and provider members.
#include <boost/json.hpp>

#include "gateway/exchange.h"
#include "gateway/own_members.h"
#include "protocol/json_members.h"
#include "providers/openai/openai_adapter.h"

namespace turnpike::gateway {
namespace json = boost::json;
namespace openai = providers::openai;
using boost::asio::awaitable;
using protocol::StreamEvent;

awaitable<void> Gateway::RelayJson(Exchange& x, net::UpstreamCall& call, net::ResponseWriter& writer) {
  // Read to the end even when the client has left: its usage is the bill (Gateway::Dispatch).
  auto body = co_await call.ReadAll();
  if (!body.ok() && x.client_gone) {
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
    co_await x.FailUnreadable(writer);
    co_return;
  }
  const json::object& root = v.get_object();
  if (auto response = openai::DecodeCompletion(root); response.ok()) x.Account(*response);
  x.Bill(true);
  if (x.client_gone) {  // billed what the provider reports; nobody to answer
    x.Cancelled();
    co_return;
  }
  // The provider's usage, with its cost (UsageToSend).
  const auto* u = root.if_contains("usage");
  const json::object usage = UsageToSend(u, x.usage);
  std::string text = std::move(*body);
  if (x.fields.reasoning && x.fields.reasoning->exclude && protocol::DropReasoningMembers(v)) {  // re-encoded only then
    text = json::serialize(v);
    layout = protocol::ScanObject(text);
  }
  std::vector<protocol::Edit> edits;
  OwnMembers(x.id, x.route->model->id, x.route->provider->provider->name).AddTo(text, *layout, edits);
  edits.push_back(protocol::SetMember(text, *layout, "usage", billing::UsageWithCost(usage, x.cost)));
  co_await SendAnswer(x, protocol::ApplyEdits(text, std::move(edits)), writer);
}

awaitable<void> Gateway::RelayStream(Exchange& x, net::UpstreamCall& call, net::ResponseWriter& writer) {
  co_await BeginStreamedAnswer(x, call, writer);
  openai::ChunkDecoder decoder;
  std::vector<StreamEvent> events;
  bool upstream_error = false;  // the provider's error chunk went through; the stream ends after it
  const OwnMembers own(x.id, x.route->model->id, x.route->provider->provider->name);
  const bool exclude_reasoning = x.fields.reasoning && x.fields.reasoning->exclude;

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
      if (e.type == StreamEvent::Type::kError) {
        x.finish_reason = "error";
        upstream_error = true;
      }
    }
    if (exclude_reasoning && protocol::DropReasoningMembers(v)) ev.data = json::serialize(v);
    auto layout = protocol::ScanObject(ev.data);
    if (!layout) {  // cannot happen for a parsed object
      out += "data: " + ev.data + "\n\n";
      return std::nullopt;
    }
    std::vector<protocol::Edit> edits;
    own.AddTo(ev.data, *layout, edits);
    // The usage chunk goes to every client, with its cost, as OpenRouter sends it whether or not
    // the client asked (stream_options.include_usage; OpenRouter's `usage` switch is deprecated).
    if (const auto* usage = chunk.if_contains("usage"); usage && usage->is_object()) {
      x.Bill(false);
      const json::object sent = UsageToSend(usage, x.usage);
      edits.push_back(protocol::SetMember(ev.data, *layout, "usage", billing::UsageWithCost(sent, x.cost)));
      out += "data: " + protocol::ApplyEdits(ev.data, std::move(edits)) + "\n\n";
      return std::nullopt;
    }
    // OpenAI sends "usage":null (we always ask for usage) and sometimes
    // "system_fingerprint":null on every chunk; strict clients (@openrouter/sdk) accept these
    // keys missing but not null, so they go.
    protocol::RemoveNullMembers(ev.data, *layout, {"usage", "system_fingerprint"}, edits);
    out += "data: ";
    out += protocol::ApplyEdits(ev.data, std::move(edits));
    out += "\n\n";
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
  co_await EndStreamedAnswer(x, failure, no_tail, send_done, x.id, x.route->model->id, writer);
}

}  // namespace turnpike::gateway
