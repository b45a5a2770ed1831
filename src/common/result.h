// Result<T>: a value or an Error, for code paths where failure is an expected outcome
// (bad input, missing rows, upstream trouble). The hot path never throws; it returns these.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace turnpike {

// What went wrong, in terms a caller can act on. `code` picks the HTTP status and the error
// body (see gateway/error_reply.h); `message` is safe to show to the client: it never holds
// a secret.
enum class ErrorCode {
  kBadRequest,       // 400
  kUnauthorized,     // 401
  kPaymentRequired,  // 402
  kForbidden,        // 403
  kNotFound,         // 404
  kTimeout,          // 408
  kConflict,         // 409
  kTooLarge,         // 413
  kRateLimited,      // 429
  kInternal,         // 500
  kUpstream,         // 502
  kUnavailable,      // 503
};

struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;
};

inline Error MakeError(ErrorCode code, std::string message) { return Error{code, std::move(message)}; }

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}      // NOLINT: implicit by design
  Result(Error error) : v_(std::move(error)) {}  // NOLINT: implicit by design

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T* operator->() { return &std::get<0>(v_); }
  const T* operator->() const { return &std::get<0>(v_); }
  T& operator*() & { return std::get<0>(v_); }
  const Error& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, Error> v_;
};

// Result<void>: success carries nothing.
struct Ok {};
using Status = Result<Ok>;
inline Status OkStatus() { return Ok{}; }

}  // namespace turnpike
