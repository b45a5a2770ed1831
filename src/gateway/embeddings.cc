// POST /api/v1/embeddings: OpenAI's embeddings API for every embedding model in the catalog. An
// OpenAI-compatible provider gets the client's bytes at <base_url>/embeddings (the model renamed,
// OpenRouter's members and the parameters it does not take left out) and its list goes back with
// only OpenRouter's members set (model, usage.cost, provider, id); Gemini gets one
// :batchEmbedContents call and its vectors are written back in OpenAI's list. base64 is what
// OpenAI sends (little-endian float32): the gateway writes it itself for a provider that cannot.
// Billed by input tokens, the provider's count or else an estimate; routing, the hold, failover,
// settlement and the request log are chat's (Gateway::ModelCall). docs/protocols.md, "Embeddings".
#include <boost/json.hpp>

#include "gateway/exchange.h"
#include "protocol/json_members.h"
#include "protocol/openrouter_request.h"
#include "providers/gemini/gemini_embeddings.h"
#include "providers/openai/openai_adapter.h"

namespace turnpike::gateway {
namespace json = boost::json;
using boost::asio::awaitable;

namespace {

bool ServedByGemini(const state::Route& r) { return r.provider->provider->adapter == "gemini"; }

// Whether the endpoint takes encoding_format itself; else the gateway asks for floats and writes
// base64 when the client wants it.
bool TakesEncodingFormat(const store::Endpoint& e) {
  return protocol::EndpointSupports(e.supported_parameters, "encoding_format");
}

// {"prompt_tokens":N,"total_tokens":N}: the usage of a translated answer, or of one whose
// provider sent none (an estimate).
json::object InputUsage(int64_t prompt_tokens) {
  return json::object{{"prompt_tokens", prompt_tokens}, {"total_tokens", prompt_tokens}};
}

}  // namespace

Status Gateway::Exchange::ReadEmbeddings() {
  boost::system::error_code ec;
  body = json::parse(raw_body, ec, &arena);
  if (ec) return MakeError(ErrorCode::kBadRequest, "The request body is not valid JSON: " + ec.message());
  // A member written twice is read by us one way and by the provider another.
  if (auto layout = protocol::ScanObject(raw_body);
      body.is_object() && layout && layout->members.size() != body.get_object().size()) {
    return MakeError(ErrorCode::kBadRequest, "The request body has a member more than once");
  }
  auto read = protocol::ReadEmbeddingsRequest(body);
  if (!read.ok()) return read.error();
  // OpenRouter's members (provider, models, user) work here as in chat.
  auto parsed = protocol::ParseOpenRouterFields(body.get_object());
  if (!parsed.ok()) return parsed.error();
  fields = std::move(*parsed);
  info = read->info;
  parameters = read->parameters;
  embeddings = std::move(*read);
  return OkStatus();
}

Result<net::UpstreamRequest> Gateway::EmbeddingsRequestFor(Exchange& x, const state::Route& r,
                                                           const providers::Adapter& adapter) {
  const protocol::EmbeddingsRequest& request = *x.embeddings;
  // Token ids are counted exactly: an input beyond the context is refused here, not by the provider.
  for (size_t i = 0; i < request.inputs.size(); ++i) {
    const auto tokens = static_cast<int64_t>(request.inputs[i].tokens.size());
    if (r.endpoint->context_length > 0 && tokens > r.endpoint->context_length) {
      return MakeError(ErrorCode::kBadRequest, "input[" + std::to_string(i) + "] has " + std::to_string(tokens) +
                                                   " tokens; " + r.model->id + " takes at most " +
                                                   std::to_string(r.endpoint->context_length) + " per input");
    }
  }
  providers::EndpointInfo endpoint{r.provider->base_url, r.provider->api_key, r.endpoint->upstream_model, 0};
  if (ServedByGemini(r)) {
    auto encoded = providers::gemini::EncodeBatchEmbedRequest(request, endpoint);
    if (!encoded.ok()) return encoded.error();
    return net::UpstreamRequest{std::move(encoded->url), "POST", std::move(encoded->headers), std::move(encoded->body)};
  }
  if (!adapter.RelaysOpenAiChat()) {
    return MakeError(ErrorCode::kBadRequest, r.provider->provider->name + " has no embeddings API");
  }
  // The URL as the OpenAI adapter forms chat's: the catalog's base URL (it includes /v1).
  std::string_view base = r.provider->base_url;
  while (base.ends_with('/')) base.remove_suffix(1);
  Headers headers{{"Content-Type", "application/json"}};
  if (!r.provider->api_key.empty()) headers.emplace_back("Authorization", "Bearer " + r.provider->api_key);
  return net::UpstreamRequest{
      std::string(base) + "/embeddings", "POST", std::move(headers),
      protocol::EmbeddingsRelayBody(x.raw_body, r.endpoint->upstream_model, r.endpoint->supported_parameters,
                                    x.user_tag, TakesEncodingFormat(*r.endpoint))};
}

awaitable<void> Gateway::AnswerEmbeddings(Exchange& x, const providers::Adapter&, net::UpstreamCall& call,
                                          net::ResponseWriter& writer) {
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
  const protocol::EmbeddingsRequest& request = *x.embeddings;
  const state::Route& r = *x.route;
  const std::string& provider_name = r.provider->provider->name;
  const bool gemini = ServedByGemini(r);
  // The provider's own list goes out as it came, but when the client wants base64 from an
  // endpoint that sends floats only.
  const bool relayed = !gemini && (!request.base64 || TakesEncodingFormat(*r.endpoint));

  json::monotonic_resource arena(8192);
  json::value parsed;
  std::optional<protocol::ObjectLayout> layout;
  Result<protocol::Embeddings> read = MakeError(ErrorCode::kUpstream, "");
  if (gemini) {
    read = providers::gemini::DecodeBatchEmbedResponse(*body, request.inputs.size());
  } else {
    boost::system::error_code ec;
    parsed = json::parse(*body, ec, &arena);
    if (!ec) layout = protocol::ScanObject(*body);
    if (ec || !parsed.is_object() || !layout || !protocol::AllNumbersFinite(parsed)) {
      read = MakeError(ErrorCode::kUpstream, "a body that is not a JSON object");
    } else if (const auto* data = parsed.get_object().if_contains("data"); !data || !data->is_array()) {
      read = MakeError(ErrorCode::kUpstream, "an embeddings list without a `data` array");
    } else if (relayed) {  // only its usage is read
      protocol::Embeddings usage_only;
      if (const auto* u = parsed.get_object().if_contains("usage"); u && u->is_object()) {
        const auto* p = u->get_object().if_contains("prompt_tokens");
        if (p && p->is_int64() && p->get_int64() >= 0) usage_only.prompt_tokens = p->get_int64();
      }
      read = std::move(usage_only);
    } else {
      read = protocol::ReadEmbeddingsList(parsed.get_object());
    }
  }
  if (!read.ok()) {
    if (x.client_gone) {
      x.Cancelled();
      co_return;
    }
    const Error unreadable =
        MakeError(ErrorCode::kUpstream, "Provider " + x.provider() + " returned " + read.error().message);
    co_await x.Fail(unreadable, writer);
    co_return;
  }
  if (read->prompt_tokens) {
    x.usage.prompt_tokens = *read->prompt_tokens;
    x.usage_from_provider = true;
  }
  x.Bill(true);         // without the provider's count: the input estimated (usage_source "estimated")
  if (x.client_gone) {  // billed what the provider reports; nobody to answer
    x.Cancelled();
    co_return;
  }
  if (!relayed) {
    const std::string usage = billing::UsageWithCost(InputUsage(x.usage.prompt_tokens), x.cost);
    co_await SendAnswer(
        x, protocol::EncodeEmbeddingsList(*read, request.base64, r.model->id, usage, provider_name, x.id), writer);
    co_return;
  }
  // As the provider sent it, with the catalog's model, the usage with its cost, and OpenRouter's
  // provider and generation id (appended, in that order, as OpenRouter writes them).
  const json::object& root = parsed.get_object();
  const auto* u = root.if_contains("usage");
  const json::object usage =
      u && u->is_object() && x.usage_from_provider ? u->get_object() : InputUsage(x.usage.prompt_tokens);
  std::string text = std::move(*body);
  std::vector<protocol::Edit> edits;
  edits.push_back(protocol::SetMember(text, *layout, "model", json::serialize(json::string(r.model->id))));
  edits.push_back(protocol::SetMember(text, *layout, "usage", billing::UsageWithCost(usage, x.cost)));
  std::string appended;  // one edit: two inserts at one place would have no set order
  auto own = [&](std::string_view member, std::string_view value) {
    const std::string quoted = json::serialize(json::string(value));
    if (protocol::FindMember(*layout, member)) {
      edits.push_back(protocol::SetMember(text, *layout, member, quoted));
    } else {
      appended += ",\"" + std::string(member) + "\":" + quoted;
    }
  };
  own("provider", provider_name);
  own("id", x.id);
  if (!appended.empty()) {  // after the last member (it holds `data`), before the closing brace
    const size_t at = layout->members.back().value_end;
    edits.push_back(protocol::Edit{at, at, std::move(appended)});
  }
  co_await SendAnswer(x, protocol::ApplyEdits(text, std::move(edits)), writer);
}

}  // namespace turnpike::gateway
