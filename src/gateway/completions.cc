// POST /api/v1/completions: OpenAI's legacy text completions, for models whose provider offers
// them. Only OpenAI-compatible providers have this API: the client's bytes go to
// `<base_url>/completions` with the model renamed and max_tokens within what was held, and the
// answer comes back as the provider sent it, metered on the way, with OpenRouter's id, model,
// provider and usage.cost. A provider that does not offer completions for the model answers its
// own error (api.openai.com: 404 "This is a chat model …"), which the client gets.
#include <boost/json.hpp>

#include "gateway/exchange.h"
#include "gateway/own_members.h"
#include "protocol/json_members.h"
#include "protocol/openrouter_request.h"
#include "providers/openai/openai_adapter.h"

namespace turnpike::gateway {
namespace json = boost::json;
using boost::asio::awaitable;
using protocol::StreamEvent;

namespace {

// OpenAI's legacy default when a request sets no max_tokens.
constexpr int64_t kDefaultMaxTokens = 16;

Error Bad(std::string message) { return MakeError(ErrorCode::kBadRequest, std::move(message)); }

std::optional<int64_t> Whole(const json::value& v) {
  if (v.is_int64()) return v.get_int64();
  if (v.is_uint64() && v.get_uint64() <= static_cast<uint64_t>(INT64_MAX)) return static_cast<int64_t>(v.get_uint64());
  return std::nullopt;
}

// Checks `prompt` (a string, strings, a token array, or token arrays) and measures it: how many
// prompts it holds, and its size in characters (a token counted as four).
Status ReadPrompt(const json::value& prompt, int64_t& prompts, int64_t& chars) {
  auto tokens = [](const json::array& a) {
    return std::all_of(a.begin(), a.end(), [](const json::value& t) { return Whole(t).has_value(); });
  };
  if (prompt.is_string()) {
    prompts = 1;
    chars = static_cast<int64_t>(prompt.get_string().size());
    return OkStatus();
  }
  const json::array* list = prompt.if_array();
  if (!list || list->empty()) return Bad("'prompt' must be a string, an array of strings, or token arrays");
  if (tokens(*list)) {
    prompts = 1;
    chars = 4 * static_cast<int64_t>(list->size());
    return OkStatus();
  }
  prompts = static_cast<int64_t>(list->size());
  chars = 0;
  for (const auto& item : *list) {
    if (item.is_string()) {
      chars += static_cast<int64_t>(item.get_string().size());
    } else if (item.is_array() && !item.get_array().empty() && tokens(item.get_array())) {
      chars += 4 * static_cast<int64_t>(item.get_array().size());
    } else {
      return Bad("'prompt' must be a string, an array of strings, or token arrays");
    }
  }
  return OkStatus();
}

}  // namespace

Status Gateway::Exchange::ReadCompletions() {
  if (Status parsed = ParseBody(); !parsed.ok()) return parsed;
  const json::object* root = body.if_object();
  if (!root) return Bad("The request body must be a JSON object");
  if (!protocol::AllNumbersFinite(body)) return Bad("The request body holds a number beyond a double's range");
  const json::value* model = root->if_contains("model");
  if (!model || !model->is_string() || model->get_string().empty()) return Bad("'model' is required");
  info.model = model->get_string();
  const json::value* prompt = root->if_contains("prompt");
  if (!prompt || prompt->is_null()) return Bad("'prompt' is required");
  int64_t prompts = 1;
  if (Status s = ReadPrompt(*prompt, prompts, info.prompt_chars); !s.ok()) return s;
  if (const json::value* stream = root->if_contains("stream"); stream && !stream->is_null()) {
    if (!stream->is_bool()) return Bad("'stream' must be a boolean");
    info.stream = stream->get_bool();
  }
  info.max_tokens = kDefaultMaxTokens;
  if (const json::value* max = root->if_contains("max_tokens"); max && !max->is_null()) {
    auto n = Whole(*max);
    if (!n || *n < 0) return Bad("'max_tokens' must be a whole number, 0 or more");
    info.max_tokens = *n;
  }
  // Every prompt gets n completions; best_of generates (and bills) that many per prompt.
  int64_t n = 1;
  for (const char* name : {"n", "best_of"}) {
    const json::value* v = root->if_contains(name);
    if (!v || v->is_null()) continue;
    auto count = Whole(*v);
    if (!count || *count < 1 || *count > 128)
      return Bad("'" + std::string(name) + "' must be a whole number from 1 to 128");
    n = std::max(n, *count);
  }
  if (prompts * n > 128) return Bad("A request may ask for at most 128 completions (prompts × n, or × best_of)");
  info.n = prompts * n;
  auto parsed = protocol::ParseOpenRouterFields(*root);
  if (!parsed.ok()) return parsed.error();
  fields = std::move(*parsed);
  parameters = protocol::RequestParameters(*root);
  std::erase(parameters, "prompt");
  return OkStatus();
}

Result<net::UpstreamRequest> Gateway::CompletionsRequestFor(Exchange& x, const state::Route& r,
                                                            const providers::Adapter& adapter) {
  if (!adapter.RelaysOpenAiChat()) {
    return MakeError(ErrorCode::kBadRequest,
                     "Provider " + r.provider->provider->name +
                         " does not offer the legacy completions API; use /api/v1/chat/completions");
  }
  const int64_t limit = billing::OutputLimit(x.info, TermsOf(*r.endpoint));
  providers::EndpointInfo endpoint{r.provider->base_url, r.provider->api_key, r.endpoint->upstream_model, limit};
  protocol::RelayEdits edits;  // every member passes: supported_parameters describe chat
  edits.user = x.user_tag;
  edits.output_limit = limit;
  auto encoded = providers::openai::Call(
      endpoint, "/completions",
      protocol::RewriteForUpstream(x.raw_body, x.body, r.endpoint->upstream_model, x.info.stream, edits));
  return net::UpstreamRequest{std::move(encoded.url), "POST", std::move(encoded.headers), std::move(encoded.body)};
}

namespace {

// The canonical events of a text_completion (or one of its chunks): the text of every choice,
// the finish reason of the first that has one, and the usage.
void CompletionEvents(const json::object& root, std::vector<StreamEvent>& out) {
  if (const auto* choices = root.if_contains("choices"); choices && choices->is_array()) {
    for (const auto& c : choices->get_array()) {
      const json::object* choice = c.if_object();
      if (!choice) continue;
      if (const auto* text = choice->if_contains("text"); text && text->is_string() && !text->get_string().empty()) {
        StreamEvent e;
        e.type = StreamEvent::Type::kText;
        e.text = text->get_string();
        out.push_back(std::move(e));
      }
      if (const auto* reason = choice->if_contains("finish_reason"); reason && reason->is_string()) {
        StreamEvent e;
        e.type = StreamEvent::Type::kFinish;
        e.finish_reason = reason->get_string();
        out.push_back(std::move(e));
      }
    }
  }
  if (const auto* usage = root.if_contains("usage")) {
    StreamEvent e;
    e.type = StreamEvent::Type::kUsage;
    if (providers::openai::ParseUsage(*usage, e.usage)) out.push_back(std::move(e));
  }
}

}  // namespace

awaitable<void> Gateway::AnswerCompletions(Exchange& x, const providers::Adapter&, net::UpstreamCall& call,
                                           net::ResponseWriter& writer) {
  const OwnMembers own(x.id, x.route->model->id, x.route->provider->provider->name);
  if (!x.info.stream) {
    // Read to the end even when the client has left: its usage is the bill (Gateway::Dispatch).
    auto body = co_await call.ReadAll();
    if (!body.ok()) {
      if (x.client_gone) {
        x.Cancelled();
        co_return;
      }
      co_await x.Fail(Transport(body.error(), x.provider()), writer);
      co_return;
    }
    boost::system::error_code ec;
    json::value v = json::parse(*body, ec);
    auto layout = ec ? std::nullopt : protocol::ScanObject(*body);
    if (ec || !v.is_object() || !layout) {
      co_await x.FailUnreadable(writer);
      co_return;
    }
    std::vector<StreamEvent> events;
    CompletionEvents(v.get_object(), events);
    x.Account(events);
    x.Bill(true);
    if (x.client_gone) {
      x.Cancelled();
      co_return;
    }
    const auto* u = v.get_object().if_contains("usage");
    const json::object usage = UsageToSend(u, x.usage);
    std::vector<protocol::Edit> edits;
    own.AddTo(*body, *layout, edits);
    edits.push_back(protocol::SetMember(*body, *layout, "usage", billing::UsageWithCost(usage, x.cost)));
    co_await SendAnswer(x, protocol::ApplyEdits(*body, std::move(edits)), writer);
    co_return;
  }

  co_await BeginStreamedAnswer(x, call, writer);
  bool done = false;
  bool upstream_error = false;  // the provider's error chunk went through; nothing more is read
  StreamRelay relay;
  relay.finished = [&] { return done || upstream_error; };
  relay.on_event = [&](protocol::SseEvent&& ev, std::string& out) -> std::optional<Error> {
    if (ev.data == "[DONE]") {  // sent after settlement
      done = true;
      return std::nullopt;
    }
    boost::system::error_code ec;
    json::value v = json::parse(ev.data, ec);
    auto layout = ec ? std::nullopt : protocol::ScanObject(ev.data);
    if (ec || !v.is_object() || !layout) {
      out += "data: " + ev.data + "\n\n";  // not ours to judge: passed on as it came
      return std::nullopt;
    }
    if (const auto* error = v.get_object().if_contains("error"); error && !error->is_null()) {
      x.finish_reason = "error";  // the provider's own error chunk: passed on, and the stream ends
      upstream_error = true;
      out += "data: " + ev.data + "\n\n";
      return std::nullopt;
    }
    std::vector<StreamEvent> events;
    CompletionEvents(v.get_object(), events);
    x.Account(events);
    std::vector<protocol::Edit> edits;
    own.AddTo(ev.data, *layout, edits);
    if (const auto* usage = v.get_object().if_contains("usage"); usage && usage->is_object()) {
      x.Bill(false);
      const json::object sent = UsageToSend(usage, x.usage);
      edits.push_back(protocol::SetMember(ev.data, *layout, "usage", billing::UsageWithCost(sent, x.cost)));
      out += "data: " + protocol::ApplyEdits(ev.data, std::move(edits)) + "\n\n";
      return std::nullopt;
    }
    protocol::RemoveNullMembers(ev.data, *layout, {"usage"}, edits);
    out += "data: ";
    out += protocol::ApplyEdits(ev.data, std::move(edits));
    out += "\n\n";
    return std::nullopt;
  };
  relay.on_end = [&](std::string&) -> std::optional<Error> {
    if (upstream_error) return std::nullopt;
    return MakeError(ErrorCode::kUpstream, "Provider " + x.provider() + " ended the stream before it was complete");
  };
  std::optional<Error> failure = co_await PumpStream(x, call, relay, writer);
  const std::string no_tail;
  co_await EndStreamedAnswer(x, failure, no_tail, !upstream_error, x.id, x.route->model->id, writer);
}

}  // namespace turnpike::gateway
