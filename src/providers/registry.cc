#include "providers/anthropic/anthropic_adapter.h"
#include "providers/gemini/gemini_adapter.h"
#include "providers/provider.h"

namespace turnpike::providers {

const Adapter* FindAdapter(std::string_view name) {
  // Adapters are stateless and immutable: one constant instance each is enough.
  static const anthropic::AnthropicAdapter kAnthropic;
  static const gemini::GeminiAdapter kGemini;
  if (name == "anthropic") return &kAnthropic;
  if (name == "gemini") return &kGemini;
  return nullptr;
}

}  // namespace turnpike::providers
