// Test helper shared by every layer's unit tests: the recorded provider responses in
// tests/fixtures/providers (TURNPIKE_FIXTURES_DIR, set for the test objects by CMakeLists.txt).
#pragma once

#include <fstream>
#include <sstream>
#include <string>
#include <string_view>

namespace turnpike::fixtures {

// The bytes of tests/fixtures/providers/<folder>/<name>; "" when the file is missing.
inline std::string ReadFixture(std::string_view folder, std::string_view name) {
  std::ifstream in(std::string(TURNPIKE_FIXTURES_DIR) + "/" + std::string(folder) + "/" + std::string(name),
                   std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

}  // namespace turnpike::fixtures
