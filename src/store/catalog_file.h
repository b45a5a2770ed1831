// Reads a catalog TOML file (format: catalog/README.md) into store::Catalog, checking every
// reference and price. The default catalog ships inside the binary.
#pragma once

#include <string>
#include <string_view>

#include "common/result.h"
#include "store/catalog.h"

namespace turnpike::store {

// Parses catalog TOML text. `origin` names the source in error messages.
Result<Catalog> ParseCatalog(std::string_view toml_text, const std::string& origin);
Result<Catalog> ReadCatalogFile(const std::string& path);
// The catalog compiled into the binary (catalog/default.toml).
Result<Catalog> DefaultCatalog();

}  // namespace turnpike::store
