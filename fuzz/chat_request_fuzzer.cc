// A client's chat request body through the gateway's reading of it (gateway/chat_handler.cc):
// JSON parse, the duplicate-member refusal, InspectChatRequest, OpenRouter's fields, the
// request's parameters and its worst-case cost; then what each provider is sent: the relayed
// body (RewriteForUpstream, for a few endpoint shapes) and the canonical request
// (DecodeChatRequest) encoded by every adapter.
//
// What is checked besides crashes and UB: the relayed body is one JSON object with no member
// twice, names the upstream model, keeps none of OpenRouter's members nor a parameter the
// endpoint lacks, asks for usage when streaming, and never asks for more output than the cap;
// every adapter's body is JSON.
#include <boost/json.hpp>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "billing/hold.h"
#include "protocol/json_members.h"
#include "protocol/openai_chat.h"
#include "protocol/openai_decode.h"
#include "protocol/openrouter_request.h"
#include "providers/openai/openai_adapter.h"
#include "providers/provider.h"

namespace {

namespace json = boost::json;
namespace protocol = turnpike::protocol;

void Check(bool ok) {
  if (!ok) std::abort();
}

constexpr int64_t kMaxOutput = 4096;

void CheckRelayed(const std::string& out, const protocol::ChatRequestInfo& info,
                  const std::vector<std::string>& supported, const protocol::RelayEdits& edits) {
  boost::system::error_code ec;
  json::value v = json::parse(out, ec);
  Check(!ec && v.is_object());
  const auto& o = v.get_object();
  auto layout = protocol::ScanObject(out);
  Check(layout && layout->members.size() == o.size());
  const auto* model = o.if_contains("model");
  Check(model && model->is_string() && model->get_string() == "upstream-model");
  for (const auto& member : o) {
    std::string_view key = member.key();
    if (key == "model" || key == "messages" || key == "stream" || key == "stream_options") continue;
    Check(!protocol::IsGatewayMember(key) || (key == "user" && !edits.user.empty()));
    // The held output limit goes to every endpoint, listed or not (billing::OutputLimit).
    Check(protocol::EndpointSupports(supported, key) || key == edits.limit_member);
  }
  if (info.stream) {
    const auto* so = o.if_contains("stream_options");
    Check(so && so->is_object());
    const auto* iu = so->get_object().if_contains("include_usage");
    Check(iu && iu->is_bool() && iu->get_bool());
  }
  // The provider is never asked for more output than was held, and is always told the limit.
  int limits = 0;
  for (std::string_view limit : {"max_tokens", "max_completion_tokens"}) {
    if (const auto* m = o.if_contains(limit)) {
      Check(m->is_int64() && m->get_int64() > 0 && m->get_int64() <= edits.output_limit);
      ++limits;
    }
  }
  Check(limits > 0);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view body(reinterpret_cast<const char*>(data), size);
  boost::system::error_code ec;
  json::monotonic_resource arena{4096};
  json::value parsed = json::parse(body, ec, &arena);
  if (ec) return 0;
  if (auto layout = protocol::ScanObject(body);
      parsed.is_object() && layout && layout->members.size() != parsed.get_object().size()) {
    return 0;  // refused: a member written twice
  }
  auto info = protocol::InspectChatRequest(parsed);
  if (!info.ok()) return 0;
  auto fields = protocol::ParseOpenRouterFields(parsed.get_object());
  if (!fields.ok()) return 0;
  auto parameters = protocol::RequestParameters(parsed.get_object());
  std::string effort = fields->reasoning ? protocol::ReasoningEffort(*fields->reasoning) : "";
  for (int64_t context : {int64_t{0}, int64_t{128000}}) {
    turnpike::billing::EndpointTerms terms{context, kMaxOutput, {3'000'000, 15'000'000, 300'000, 3'750'000}};
    Check(turnpike::billing::WorstCaseCost(*info, terms) >= 0);
  }

  // Endpoints that take everything, a few parameters, and only the structure.
  const std::vector<std::vector<std::string>> endpoints{
      {}, {"max_tokens", "temperature", "tools", "reasoning", "user", "response_format"}, {"seed"}};
  for (const auto& supported : endpoints) {
    for (bool with_user : {false, true}) {
      protocol::RelayEdits edits;
      edits.supported = &supported;
      edits.reasoning_effort = effort;
      edits.user = with_user ? "0123456789abcdef0123456789abcdef" : "";
      edits.output_limit = kMaxOutput;
      turnpike::providers::EndpointInfo endpoint{"https://upstream.example", "key", "upstream-model", kMaxOutput};
      auto relayed = turnpike::providers::openai::RelayRequest(body, parsed, info->stream, endpoint, edits);
      CheckRelayed(relayed.body, *info, supported, edits);
    }
  }

  auto canonical = protocol::DecodeChatRequest(parsed);
  if (!canonical.ok()) return 0;
  canonical->reasoning_effort = effort;
  for (const char* name : {"openai", "anthropic", "gemini"}) {
    turnpike::providers::EndpointInfo endpoint{"https://upstream.example", "key", "upstream-model", kMaxOutput};
    auto encoded = turnpike::providers::FindAdapter(name)->EncodeRequest(*canonical, endpoint);
    if (!encoded.ok()) continue;
    json::value sent = json::parse(encoded->body, ec);
    Check(!ec && sent.is_object());
  }
  return 0;
}
