# Turns a file into a C++ source defining `extern const std::string_view NAME` in namespace NS.
# Inputs: IN (the file), OUT (the .cc to write), NS and NAME (default: the built-in catalog's,
# turnpike::catalog::kDefaultCatalogToml).
if(NOT DEFINED NS)
  set(NS turnpike::catalog)
endif()
if(NOT DEFINED NAME)
  set(NAME kDefaultCatalogToml)
endif()
file(READ ${IN} content HEX)
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${content}")
file(WRITE ${OUT} "#include <string_view>\nnamespace ${NS} {\nstatic const unsigned char kBytes[] = {${bytes} 0};\nextern const std::string_view ${NAME}(reinterpret_cast<const char*>(kBytes), sizeof(kBytes) - 1);\n}\n")
