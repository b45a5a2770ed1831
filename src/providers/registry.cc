#include "providers/gemini/gemini_adapter.h"
#include "providers/provider.h"

namespace turnpike::providers {

const Adapter* FindAdapter(std::string_view name) {
  // Adapters are stateless and immutable: one constant instance each is enough.
  static const gemini::GeminiAdapter kGemini;
  if (name == "gemini") return &kGemini;
  return nullptr;  // the Anthropic adapter joins here once it lands
}

}  // namespace turnpike::providers
