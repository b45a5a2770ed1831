#include "providers/provider.h"

namespace turnpike::providers {

// The Anthropic and Gemini adapters are being written; until they land no provider but the
// OpenAI-compatible ones is routable (the gateway answers 503 for the others).
const Adapter* FindAdapter(std::string_view) { return nullptr; }

}  // namespace turnpike::providers
