// The catalog loader (store/catalog_file.h) on any text: it must answer a Catalog or an error,
// never crash, throw or run into UB; and what it accepts must hold what its checks promise
// (prices not negative, positive limits, a known data policy, every endpoint's provider in the
// catalog).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "store/catalog_file.h"

namespace {

void Check(bool ok) {
  if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto catalog = turnpike::store::ParseCatalog(text, "fuzz.toml");
  if (!catalog.ok()) return 0;
  for (const auto& model : catalog->models) {
    Check(model.context_length > 0 && model.max_output > 0 && !model.endpoints.empty());
    for (const auto& e : model.endpoints) {
      Check(e.context_length > 0 && e.max_output > 0);
      Check(e.data_collection == "allow" || e.data_collection == "deny");
      Check(e.prices.input >= 0 && e.prices.output >= 0 && e.prices.cache_read >= 0 && e.prices.cache_write >= 0);
      Check(std::any_of(catalog->providers.begin(), catalog->providers.end(),
                        [&](const auto& p) { return p.id == e.provider_id; }));
    }
  }
  return 0;
}
