// The chat history as Gemini `contents` plus `systemInstruction.parts` (docs/protocols.md §6, §6.1).
// Internal to providers/gemini; the rules are listed in gemini_adapter.h.
#pragma once

#include <boost/json.hpp>
#include <vector>

#include "common/result.h"
#include "protocol/canonical.h"

namespace turnpike::providers::gemini {

struct History {
  boost::json::array system_parts;  // systemInstruction.parts; empty when there is no system text
  boost::json::array contents;      // [{role, parts}], roles "user" / "model", no two in a row alike
};

// The thought signature Gemini 3 accepts in place of a real one.
inline constexpr std::string_view kSkipThoughtSignature = "skip_thought_signature_validator";

// kBadRequest when a message cannot be expressed: an image outside a user message, an image URL
// that is neither data: (base64) nor http(s), tool call arguments that are not a JSON object, a
// tool call without a name, or a tool message answering an unknown call id. `gemini3` turns on
// the skip signature on each model content's first functionCall part that has none.
Result<History> EncodeHistory(const std::vector<protocol::Message>& messages, bool gemini3);

}  // namespace turnpike::providers::gemini
