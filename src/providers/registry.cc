#include "providers/anthropic/anthropic_adapter.h"
#include "providers/gemini/gemini_adapter.h"
#include "providers/openai/openai_adapter.h"
#include "providers/provider.h"

namespace turnpike::providers {

const Adapter* FindAdapter(std::string_view name) {
  // Adapters are stateless and immutable: one constant instance each is enough.
  static const anthropic::AnthropicAdapter kAnthropic;
  static const gemini::GeminiAdapter kGemini;
  static const openai::OpenAiAdapter kOpenAi;
  if (name == "anthropic") return &kAnthropic;
  if (name == "gemini") return &kGemini;
  if (name == "openai") return &kOpenAi;
  return nullptr;
}

}  // namespace turnpike::providers
