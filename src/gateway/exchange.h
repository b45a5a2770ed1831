// Private to gateway/: the state of one chat request as it moves through Gateway::Chat,
// Dispatch, the relays (OpenAI bytes, or translated through a provider adapter) and Finish,
// plus the helpers those files share.
#pragma once

#include <boost/json/value.hpp>
#include <optional>
#include <string>

#include "billing/usage.h"
#include "common/clock.h"
#include "gateway/gateway.h"
#include "protocol/canonical.h"
#include "protocol/openai_chat.h"
#include "providers/provider.h"

namespace turnpike::gateway {

struct Gateway::Exchange {
  std::string id;
  SteadyTime start = std::chrono::steady_clock::now();
  store::ApiKey key;
  std::string_view raw_body;
  boost::json::value body;
  protocol::ChatRequestInfo info;
  std::shared_ptr<const state::CatalogSnapshot> snapshot;
  std::vector<state::Route> routes;
  const state::Route* route = nullptr;
  std::optional<protocol::ChatRequest> canonical;  // decoded once, for translating adapters
  money::Micros held = 0;
  bool hold_taken = false;
  bool settled = false;
  // Outcome.
  billing::Usage usage;
  bool usage_from_provider = false;
  int64_t delivered_chars = 0;  // content and tool arguments that reached the client
  std::string completion_text;  // the answer's text, kept only for keys that log prompts

  // Keeps answer text for the request log when the key opted in (bounded).
  void KeepCompletion(std::string_view text) {
    constexpr size_t kMaxLogged = 1 << 20;
    if (key.log_prompts && completion_text.size() < kMaxLogged) {
      completion_text.append(text.substr(0, kMaxLogged - completion_text.size()));
    }
  }
  money::Micros cost = 0;
  int status = 0;
  std::string finish_reason;
  std::string error_message;
  int64_t ttft_ms = -1;
  bool client_gone = false;
  std::vector<store::Attempt> attempts;  // every provider tried, for the request log
};


// A transport failure (connect, timeout, cut) with the provider, as the client should see it.
Error Transport(const Error& e, const std::string& provider);

// An OpenAI-compatible upstream's non-2xx answer (PROTOCOLS.md §11): the provider's message is
// kept except for credential failures, which could quote part of the provider key.
providers::UpstreamError MapOpenAiError(int status, const std::string& body, const std::string& provider);

}  // namespace turnpike::gateway
