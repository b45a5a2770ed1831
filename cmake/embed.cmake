# Turns the default catalog TOML into a C++ source defining turnpike::catalog::kDefaultCatalogToml.
file(READ ${IN} content HEX)
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${content}")
file(WRITE ${OUT} "#include <string_view>\nnamespace turnpike::catalog {\nstatic const unsigned char kBytes[] = {${bytes} 0};\nextern const std::string_view kDefaultCatalogToml(reinterpret_cast<const char*>(kBytes), sizeof(kBytes) - 1);\n}\n")
