// HealthCheck: whether the database answers at all, for the listeners' /ready. Thread-safe;
// blocks for one trivial query.
#pragma once

namespace turnpike::store {

class HealthCheck {
 public:
  virtual ~HealthCheck() = default;
  // True when the database answers a trivial query.
  virtual bool Ping() = 0;
};

}  // namespace turnpike::store
