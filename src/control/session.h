// Dashboard sessions: an HS256 JWT naming a server-side session, so logout revokes it.
//
// Token: base64url({"alg":"HS256","typ":"JWT"}) . base64url({"sub":"<user id>","sid":"<session
// id>","iat":<unix s>,"exp":<unix s>}) . base64url(HMAC-SHA256(secret, header.payload)).
// The header is pinned byte for byte: any other algorithm ("none", "HS512", …) is refused. The
// session id is 32 random bytes in hex; the store keeps only its SHA-256, so a database leak
// does not leak sessions. Browsers carry the token in the HttpOnly cookie `tp_session`; scripts
// may send it as "Authorization: Bearer <token>".
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"
#include "store/sessions.h"

namespace turnpike::control {

inline constexpr int64_t kSessionLifetimeSeconds = 7 * 24 * 3600;
inline constexpr std::string_view kSessionCookie = "tp_session";

struct SessionClaims {
  int64_t user_id = 0;     // "sub"
  std::string session_id;  // "sid": 64 lower-case hex digits
  int64_t issued_at = 0;   // "iat", unix seconds
  int64_t expires_at = 0;  // "exp", unix seconds
};

// The signed token for `claims`.
std::string SignSessionToken(const SessionClaims& claims, std::string_view secret);

// The claims of a token this server signed with `secret` that has not expired at `now_unix`
// (exp > now). kUnauthorized for a wrong header or algorithm, bad base64url, a bad signature
// (compared in constant time), a malformed payload, or an expired token. Checks nothing in the
// store.
Result<SessionClaims> VerifySessionToken(std::string_view token, std::string_view secret, int64_t now_unix);

// Set-Cookie values: the session cookie (HttpOnly; SameSite=Strict; Path=/; Max-Age=7 days;
// Secure when `secure`), and one that removes it.
std::string SessionCookie(std::string_view token, bool secure);
std::string ClearedSessionCookie(bool secure);

// The value of the tp_session cookie in a Cookie request header; "" when absent.
std::string_view SessionCookieValue(std::string_view cookie_header);

// Base64url without padding (RFC 4648 §5). Decoding rejects padding, other alphabets and
// non-canonical trailing bits.
std::string Base64UrlEncode(std::string_view data);
std::optional<std::string> Base64UrlDecode(std::string_view text);

struct SessionToken {
  std::string token;
  int64_t expires_at = 0;  // unix seconds
};

// Sessions backed by the store's sessions. Thread-safe (the store is).
class Sessions {
 public:
  Sessions(store::SessionStore& store, std::string secret) : store_(store), secret_(std::move(secret)) {}

  // Starts a session for `user_id`: records the hash of a new random session id, returns the
  // token. Errors are the store's.
  Result<SessionToken> Start(int64_t user_id, int64_t now_unix);
  // The claims of a valid token whose session still exists in the store for the same user.
  // kUnauthorized otherwise (revoked, expired, forged); the store's error when it cannot be read.
  Result<SessionClaims> Check(std::string_view token, int64_t now_unix);
  // Revokes the session (OK when already gone).
  Status End(const SessionClaims& claims);
  // Revokes every session of `user_id`. Errors are the store's.
  Status EndAll(int64_t user_id);

 private:
  store::SessionStore& store_;
  std::string secret_;
};

}  // namespace turnpike::control
