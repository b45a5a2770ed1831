// Small helpers shared by the SQLite store's source files.
#pragma once

#include <chrono>
#include <cstdint>

namespace turnpike::store::sqlite {

// Wall-clock unix seconds, for created_at columns the caller does not supply.
inline int64_t NowUnix() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace turnpike::store::sqlite
