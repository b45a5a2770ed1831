// POST /api/v1/responses: OpenAI's Responses API for every model in the catalog. A model OpenAI
// serves gets the client's bytes (the model renamed, max_output_tokens within what was held,
// store:false, the previous response's items written into `input`) and its answer goes back as
// OpenAI sent it, metered on the way, with the gateway's id and the cost; any other provider gets
// the request translated through the canonical types, and its answer is written back as a
// Responses object or event sequence (protocol/openai_responses.h). The gateway keeps the
// responses it answered with `store` not false, in memory (gateway/response_store.h), so that
// previous_response_id works for every provider. Routing, the hold, failover, billing and the
// request log are chat's (Gateway::ModelCall).
#include <spdlog/spdlog.h>

#include <boost/json.hpp>

#include "billing/usage.h"
#include "gateway/exchange.h"
#include "protocol/json_members.h"
#include "protocol/openai_responses.h"
#include "protocol/openrouter_request.h"
#include "providers/openai/openai_adapter.h"

namespace turnpike::gateway {
namespace json = boost::json;
using boost::asio::awaitable;
using protocol::StreamEvent;

namespace {

// OpenAI itself, which serves /responses: the catalog's "openai" provider (its base_url may point
// elsewhere, at a proxy or a test double, through OPENAI_BASE_URL), or any provider whose base URL
// is api.openai.com. Other OpenAI-compatible servers get chat completions.
bool ServedByOpenAi(const state::Route& r) {
  return r.provider->provider->adapter == "openai" &&
         (r.provider->provider->id == "openai" || r.provider->base_url.find("://api.openai.com") != std::string::npos);
}

// The usage object a Responses answer carries, with its cost: OpenAI's as it sent it (`sent`), else
// the counts the gateway read or estimated.
json::object UsageOf(const billing::Usage& usage, money::Micros cost, const json::value* sent = nullptr) {
  const json::object counts = sent && sent->is_object() && protocol::AllNumbersFinite(*sent)
                                  ? json::object(sent->get_object(), json::storage_ptr())
                                  : protocol::ResponsesUsage(usage);
  boost::system::error_code ec;
  json::value v = json::parse(billing::UsageWithCost(counts, cost), ec);
  return !ec && v.is_object() ? v.get_object() : counts;
}

// The members of a Responses object the gateway sets in OpenAI's answer: its id (what
// previous_response_id and /api/v1/generation take), the catalog's model, what the client asked
// of `store` and previous_response_id (upstream they are false and absent), and the usage with
// its cost when `usage` is given.
std::string OwnResponse(std::string_view text, const protocol::ObjectLayout& layout, const std::string& id,
                        const std::string& model, const json::object& echo, const json::object* usage) {
  std::vector<protocol::Edit> edits;
  edits.push_back(protocol::SetMember(text, layout, "id", json::serialize(json::string(id))));
  edits.push_back(protocol::SetMember(text, layout, "model", json::serialize(json::string(model))));
  edits.push_back(protocol::SetMember(text, layout, "store", json::serialize(echo.at("store"))));
  edits.push_back(
      protocol::SetMember(text, layout, "previous_response_id", json::serialize(echo.at("previous_response_id"))));
  if (usage) edits.push_back(protocol::SetMember(text, layout, "usage", json::serialize(*usage)));
  return protocol::ApplyEdits(text, std::move(edits));
}

}  // namespace

Status Gateway::Exchange::ReadResponses() {
  if (Status parsed = ParseBody(); !parsed.ok()) return parsed;
  auto read = protocol::ReadResponsesRequest(body);
  if (!read.ok()) return read.error();
  // OpenRouter's members (provider, models, …) work here as in chat; `reasoning` is OpenAI's own
  // here, and asks for thinking only with an effort.
  auto parsed = protocol::ParseOpenRouterFields(body.get_object());
  if (!parsed.ok()) return parsed.error();
  fields = std::move(*parsed);
  if (fields.reasoning && fields.reasoning->effort.empty() && !fields.reasoning->max_tokens &&
      !fields.reasoning->enabled && !fields.reasoning->exclude) {
    fields.reasoning.reset();
  }
  responses = std::move(*read);
  responses_items.clear();
  if (responses->previous_response_id) {
    const std::string& previous = *responses->previous_response_id;
    auto kept = gateway.responses_.Get(previous, key.user_id);
    if (!kept) return MakeError(ErrorCode::kNotFound, "Previous response with id '" + previous + "' not found.");
    boost::system::error_code ec;
    json::value items = json::parse(*kept, ec);
    if (ec || !items.is_array()) return MakeError(ErrorCode::kInternal, "A kept response could not be read");
    responses_items = std::move(items.get_array());
  }
  for (const auto& item : responses->input) responses_items.push_back(item);
  if (Status s = protocol::ReadResponsesInput(responses_items, *responses); !s.ok()) return s;
  info = responses->info;
  canonical = responses->chat;
  parameters = responses->parameters;
  untranslatable = responses->untranslatable;
  return OkStatus();
}

void Gateway::Exchange::KeepResponse(const json::array& output) {
  if (!responses || !responses->store) return;
  json::array items = responses_items;
  for (const auto& item : output) items.push_back(item);
  if (!gateway.responses_.Put(id, key.user_id, json::serialize(items))) {
    spdlog::info("{}: the response is too large to keep for previous_response_id", id);
  }
}

Result<net::UpstreamRequest> Gateway::ResponsesRequestFor(Exchange& x, const state::Route& r,
                                                          const providers::Adapter& adapter) {
  const int64_t limit = billing::OutputLimit(x.info, TermsOf(*r.endpoint));
  if (ServedByOpenAi(r)) {  // the client's bytes, as few changed as can be
    // The kept items and the input, as OpenAI takes them where it keeps nothing: `input` is
    // rewritten when the request continues a kept response, or when its own items name ids
    // (output items sent back as they came) that a store:false request cannot refer to.
    json::array items = protocol::ItemsForOpenAi(x.responses_items);
    const bool continues = x.responses->previous_response_id.has_value() || items != x.responses->input;
    providers::EndpointInfo endpoint{BaseUrl(r.provider->base_url), r.provider->api_key, r.endpoint->upstream_model,
                                     limit};
    auto call = providers::openai::Call(endpoint, "/responses",
                                        protocol::RelayResponsesBody(x.raw_body, r.endpoint->upstream_model, limit,
                                                                     continues ? &items : nullptr, x.user_tag));
    return net::UpstreamRequest{std::move(call.url), "POST", std::move(call.headers), std::move(call.body)};
  }
  return TranslatedRequestFor(x, r, adapter, limit, "OpenAI");
}

awaitable<void> Gateway::AnswerResponses(Exchange& x, const providers::Adapter& adapter, net::UpstreamCall& call,
                                         net::ResponseWriter& writer) {
  const bool native = ServedByOpenAi(*x.route);
  const bool include_reasoning = !(x.fields.reasoning && x.fields.reasoning->exclude);
  const json::object& echo = x.responses->echo;
  const std::string& model = x.route->model->id;

  if (!x.info.stream) {
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
    std::string out;
    if (native) {
      boost::system::error_code ec;
      json::monotonic_resource arena(8192);
      auto v = json::parse(*body, ec, &arena);
      auto layout = ec ? std::nullopt : protocol::ScanObject(*body);
      if (ec || !v.is_object() || !layout) {
        co_await x.FailUnreadable(writer);
        co_return;
      }
      protocol::ResponsesAnswer answer = protocol::ReadResponsesAnswer(v.get_object());
      std::vector<StreamEvent> events(1);
      events[0].type = StreamEvent::Type::kText;
      events[0].text = std::move(answer.text);
      x.Account(events);
      x.delivered_chars = answer.generated_chars;
      x.finish_reason = answer.finish_reason;
      if (answer.usage) {
        x.usage = *answer.usage;
        x.usage_from_provider = true;
      }
      x.Bill(true);
      if (x.client_gone) {
        x.Cancelled();
        co_return;
      }
      x.KeepResponse(answer.output);
      const json::object usage = UsageOf(x.usage, x.cost, v.get_object().if_contains("usage"));
      out = OwnResponse(*body, *layout, x.id, model, echo, &usage);
    } else {
      std::optional<protocol::ChatResponse> response = co_await DecodeAnswer(x, adapter, body, writer);
      if (!response) co_return;
      json::array output = protocol::ResponsesOutput(*response, x.id, include_reasoning);
      x.KeepResponse(output);
      out = json::serialize(
          protocol::ResponseObject(echo, x.id, model, UnixSeconds(), protocol::ResponsesStatus(response->finish_reason),
                                   std::move(output), UsageOf(x.usage, x.cost), response->finish_reason));
    }
    co_await SendAnswer(x, std::move(out), writer);
    co_return;
  }

  co_await BeginStreamedAnswer(x, call, writer);
  std::vector<StreamEvent> events;
  StreamRelay relay;
  std::optional<Error> failure;
  std::string tail;
  if (native) {
    bool completed = false;       // response.completed (or .incomplete) came: it is the tail
    bool upstream_error = false;  // OpenAI's `error` or response.failed event went through
    json::array output;
    relay.finished = [&] { return completed || upstream_error; };
    relay.on_event = [&](protocol::SseEvent&& ev, std::string& out) -> std::optional<Error> {
      boost::system::error_code ec;
      json::monotonic_resource arena(8192);
      auto v = json::parse(ev.data, ec, &arena);
      const json::object* root = ec ? nullptr : v.if_object();
      const json::value* type_value = root ? root->if_contains("type") : nullptr;
      std::string_view type = type_value && type_value->is_string() ? std::string_view(type_value->get_string()) : "";
      auto pass = [&](const std::string& data) {
        if (!ev.event.empty()) out += "event: " + ev.event + "\n";
        out += "data: " + data + "\n\n";
      };
      if (!root) {  // not ours to judge: passed on as it came
        pass(ev.data);
        return std::nullopt;
      }
      events.clear();
      auto meter = [&](StreamEvent::Type t, std::string_view member) {
        const json::value* text = root->if_contains(member);
        if (!text || !text->is_string()) return;
        StreamEvent e;
        e.type = t;
        e.text = std::string(text->get_string());
        events.push_back(std::move(e));
      };
      if (type == "response.output_text.delta") {
        meter(StreamEvent::Type::kText, "delta");
      } else if (type == "response.function_call_arguments.delta") {
        meter(StreamEvent::Type::kToolCallArgs, "delta");
      } else if (type == "response.reasoning_summary_text.delta" || type == "response.reasoning_text.delta") {
        meter(StreamEvent::Type::kReasoning, "delta");
      } else if (type == "error") {
        upstream_error = true;
        x.finish_reason = "error";
      }
      x.Account(events);
      const json::value* response = root->if_contains("response");
      if (!response || !response->is_object()) {
        pass(ev.data);
        return std::nullopt;
      }
      // The events that carry the whole response: its id, model and (at the end) usage are the gateway's.
      const bool terminal = type == "response.completed" || type == "response.incomplete";
      std::optional<json::object> usage;
      if (terminal || type == "response.failed") {
        protocol::ResponsesAnswer answer = protocol::ReadResponsesAnswer(response->get_object());
        x.finish_reason = answer.finish_reason;
        if (answer.usage) {
          x.usage = *answer.usage;
          x.usage_from_provider = true;
        }
        output = std::move(answer.output);
        x.Bill(false);
        usage = UsageOf(x.usage, x.cost, response->get_object().if_contains("usage"));
      }
      auto layout = protocol::ScanObject(ev.data);
      const protocol::MemberSpan* span = layout ? protocol::FindMember(*layout, "response") : nullptr;
      std::string data = ev.data;
      if (span) {
        std::string_view inner(ev.data.data() + span->value_begin, span->value_end - span->value_begin);
        if (auto inner_layout = protocol::ScanObject(inner)) {
          std::string own = OwnResponse(inner, *inner_layout, x.id, model, echo, usage ? &*usage : nullptr);
          data = protocol::ApplyEdits(ev.data, {protocol::Edit{span->value_begin, span->value_end, std::move(own)}});
        }
      }
      if (terminal) {  // sent once the charge is recorded (EndStreamedAnswer)
        completed = true;
        tail = (ev.event.empty() ? std::string() : "event: " + ev.event + "\n") + "data: " + data + "\n\n";
        return std::nullopt;
      }
      if (type == "response.failed") upstream_error = true;
      pass(data);
      return std::nullopt;
    };
    relay.on_end = [&](std::string&) -> std::optional<Error> {
      if (completed || upstream_error) return std::nullopt;
      return MakeError(ErrorCode::kUpstream, "Provider " + x.provider() + " ended the stream before it was complete");
    };
    failure = co_await PumpStream(x, call, relay, writer);
    x.Bill(false);
    if (!failure && completed && !x.client_gone) x.KeepResponse(output);
    co_await EndStreamedAnswer(x, failure, tail, !upstream_error, x.id, model, writer);
    co_return;
  }

  auto decoder = adapter.NewStreamDecoder();
  protocol::ResponsesEventEncoder encoder(echo, x.id, model, UnixSeconds(), include_reasoning);
  // Meters the decoded events and re-encodes them; the first error event fails the stream.
  auto drain = [&](std::string& out) -> std::optional<Error> {
    x.Account(events);
    std::optional<Error> first;
    for (const auto& e : events) {
      if (e.type == StreamEvent::Type::kError) {
        if (!first) first = e.error;
        continue;
      }
      out += encoder.Encode(e);
    }
    events.clear();
    return first;
  };
  relay.on_event = [&](protocol::SseEvent&& event, std::string& out) -> std::optional<Error> {
    auto decoded = decoder->OnEvent(event, events);
    auto first = drain(out);
    if (!decoded.ok()) return Transport(decoded.error(), x.provider());
    return first;
  };
  relay.on_end = [&](std::string& out) -> std::optional<Error> {
    const bool complete = decoder->OnEnd(events);
    auto first = drain(out);
    if (!first && !complete) {
      first = MakeError(ErrorCode::kUpstream, "Provider " + x.provider() + " ended the stream before it was complete");
    }
    return first;
  };
  failure = co_await PumpStream(x, call, relay, writer);
  // The last event carries the final cost, so it is built once the cost is known.
  x.Bill(false);
  if (!failure && !x.client_gone) {
    tail = encoder.Close(UsageOf(x.usage, x.cost));
    x.KeepResponse(encoder.output());
  }
  co_await EndStreamedAnswer(x, failure, tail, true, x.id, model, writer);
}

}  // namespace turnpike::gateway
