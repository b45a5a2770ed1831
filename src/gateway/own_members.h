// Private to gateway/: what the relays of OpenAI-shaped answers (chat, completions, embeddings,
// responses) add to the provider's bytes: OpenRouter's own members and, when the provider
// reported no usage, the gateway's estimate.
#pragma once

#include <boost/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "billing/usage.h"
#include "protocol/json_members.h"

namespace turnpike::gateway {

// The usage object written when the provider reported none (estimated counts).
inline boost::json::object EstimatedUsage(const billing::Usage& u) {
  return boost::json::object{{"prompt_tokens", u.prompt_tokens},
                             {"completion_tokens", u.completion_tokens},
                             {"total_tokens", u.prompt_tokens + u.completion_tokens}};
}

// OpenRouter's own members on every answer and every chunk (docs/protocols.md): its generation
// id (what /api/v1/generation takes; the same in every chunk of a stream), the model as the
// catalog names it, and the name of the provider that served it — where the provider's bytes
// carry its own id (chatcmpl-…) and its own model name.
class OwnMembers {
 public:
  OwnMembers(const std::string& id, const std::string& model, const std::string& provider)
      : id_(boost::json::serialize(boost::json::string(id))),
        model_(boost::json::serialize(boost::json::string(model))),
        provider_(boost::json::serialize(boost::json::string(provider))) {}

  void AddTo(std::string_view text, const protocol::ObjectLayout& layout, std::vector<protocol::Edit>& edits) const {
    edits.push_back(protocol::SetMember(text, layout, "id", id_));
    edits.push_back(protocol::SetMember(text, layout, "model", model_));
    edits.push_back(protocol::SetMember(text, layout, "provider", provider_));
  }

 private:
  std::string id_, model_, provider_;
};

}  // namespace turnpike::gateway
