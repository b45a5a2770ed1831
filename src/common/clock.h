// Time in the units the store and logs use.
#pragma once

#include <chrono>
#include <cstdint>

namespace turnpike {

inline int64_t UnixSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}
inline int64_t UnixMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}
using SteadyTime = std::chrono::steady_clock::time_point;
inline int64_t MillisSince(SteadyTime start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace turnpike
