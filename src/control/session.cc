#include "control/session.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <boost/json.hpp>
#include <charconv>

#include "common/crypto.h"

namespace turnpike::control {
namespace json = boost::json;

namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
// base64url({"alg":"HS256","typ":"JWT"}): the only header accepted.
constexpr std::string_view kHeader = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9";
constexpr size_t kMaxTokenBytes = 4096;

int Sextet(char ch) {
  if (ch >= 'A' && ch <= 'Z') return ch - 'A';
  if (ch >= 'a' && ch <= 'z') return ch - 'a' + 26;
  if (ch >= '0' && ch <= '9') return ch - '0' + 52;
  if (ch == '-') return 62;
  if (ch == '_') return 63;
  return -1;
}

std::string HmacSha256(std::string_view key, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(data.data()),
       data.size(), out, &length);
  return std::string(reinterpret_cast<const char*>(out), length);
}

Error Invalid() { return MakeError(ErrorCode::kUnauthorized, "Invalid session token"); }

bool IsHex64(std::string_view s) {
  if (s.size() != 64) return false;
  for (char ch : s) {
    if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f'))) return false;
  }
  return true;
}

std::optional<SessionClaims> ParseClaims(std::string_view payload_json) {
  boost::system::error_code ec;
  json::value v = json::parse(payload_json, ec);
  if (ec || !v.is_object()) return std::nullopt;
  const json::object& o = v.as_object();
  const json::value* sub = o.if_contains("sub");
  const json::value* sid = o.if_contains("sid");
  const json::value* iat = o.if_contains("iat");
  const json::value* exp = o.if_contains("exp");
  if (!sub || !sub->is_string() || !sid || !sid->is_string() || !iat || !iat->is_int64() || !exp || !exp->is_int64()) {
    return std::nullopt;
  }
  SessionClaims claims;
  std::string_view s = sub->as_string();
  auto [p, errc] = std::from_chars(s.data(), s.data() + s.size(), claims.user_id);
  if (errc != std::errc() || p != s.data() + s.size() || claims.user_id <= 0) return std::nullopt;
  claims.session_id = std::string(sid->as_string());
  if (!IsHex64(claims.session_id)) return std::nullopt;
  claims.issued_at = iat->as_int64();
  claims.expires_at = exp->as_int64();
  return claims;
}

}  // namespace

std::string Base64UrlEncode(std::string_view data) {
  std::string out;
  out.reserve((data.size() * 4 + 2) / 3);
  size_t i = 0;
  auto byte = [&](size_t k) { return static_cast<uint32_t>(static_cast<unsigned char>(data[k])); };
  for (; i + 3 <= data.size(); i += 3) {
    uint32_t n = byte(i) << 16 | byte(i + 1) << 8 | byte(i + 2);
    for (int shift : {18, 12, 6, 0}) out += kAlphabet[(n >> shift) & 63];
  }
  if (data.size() - i == 1) {
    uint32_t n = byte(i) << 16;
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
  } else if (data.size() - i == 2) {
    uint32_t n = byte(i) << 16 | byte(i + 1) << 8;
    for (int shift : {18, 12, 6}) out += kAlphabet[(n >> shift) & 63];
  }
  return out;
}

std::optional<std::string> Base64UrlDecode(std::string_view text) {
  if (text.size() % 4 == 1) return std::nullopt;
  std::string out;
  out.reserve(text.size() * 3 / 4);
  uint32_t bits = 0;
  int count = 0;
  for (char ch : text) {
    int v = Sextet(ch);
    if (v < 0) return std::nullopt;
    bits = bits << 6 | static_cast<uint32_t>(v);
    count += 6;
    if (count >= 8) {
      count -= 8;
      out += static_cast<char>((bits >> count) & 0xFF);
    }
  }
  // The bits left over must be zero, so each byte string has exactly one encoding.
  if ((bits & ((1u << count) - 1)) != 0) return std::nullopt;
  return out;
}

std::string SignSessionToken(const SessionClaims& claims, std::string_view secret) {
  json::object payload;
  payload["sub"] = std::to_string(claims.user_id);
  payload["sid"] = claims.session_id;
  payload["iat"] = claims.issued_at;
  payload["exp"] = claims.expires_at;
  std::string signing_input = std::string(kHeader) + "." + Base64UrlEncode(json::serialize(payload));
  std::string signature = Base64UrlEncode(HmacSha256(secret, signing_input));
  return signing_input + "." + signature;
}

Result<SessionClaims> VerifySessionToken(std::string_view token, std::string_view secret, int64_t now_unix) {
  if (token.size() > kMaxTokenBytes) return Invalid();
  size_t first = token.find('.');
  if (first == std::string_view::npos) return Invalid();
  size_t second = token.find('.', first + 1);
  if (second == std::string_view::npos || token.find('.', second + 1) != std::string_view::npos) return Invalid();
  if (token.substr(0, first) != kHeader) return Invalid();  // pins alg and typ
  std::string_view signing_input = token.substr(0, second);
  auto signature = Base64UrlDecode(token.substr(second + 1));
  if (!signature) return Invalid();
  if (!crypto::ConstantTimeEquals(*signature, HmacSha256(secret, signing_input))) return Invalid();
  auto payload = Base64UrlDecode(token.substr(first + 1, second - first - 1));
  if (!payload) return Invalid();
  auto claims = ParseClaims(*payload);
  if (!claims) return Invalid();
  if (claims->expires_at <= now_unix) return MakeError(ErrorCode::kUnauthorized, "Session expired: sign in again");
  return *claims;
}

std::string SessionCookie(std::string_view token, bool secure) {
  std::string cookie = std::string(kSessionCookie) + "=" + std::string(token) +
                       "; HttpOnly; SameSite=Strict; Path=/; Max-Age=" + std::to_string(kSessionLifetimeSeconds);
  if (secure) cookie += "; Secure";
  return cookie;
}

std::string ClearedSessionCookie(bool secure) {
  std::string cookie = std::string(kSessionCookie) + "=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0";
  if (secure) cookie += "; Secure";
  return cookie;
}

std::string_view SessionCookieValue(std::string_view header) {
  while (!header.empty()) {
    size_t semi = header.find(';');
    std::string_view pair = header.substr(0, semi);
    header = semi == std::string_view::npos ? std::string_view() : header.substr(semi + 1);
    while (!pair.empty() && (pair.front() == ' ' || pair.front() == '\t')) pair.remove_prefix(1);
    size_t eq = pair.find('=');
    if (eq == std::string_view::npos || pair.substr(0, eq) != kSessionCookie) continue;
    std::string_view value = pair.substr(eq + 1);
    while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
    return value;
  }
  return {};
}

Result<SessionToken> Sessions::Start(int64_t user_id, int64_t now_unix) {
  SessionClaims claims;
  claims.user_id = user_id;
  claims.session_id = crypto::RandomHex(32);
  claims.issued_at = now_unix;
  claims.expires_at = now_unix + kSessionLifetimeSeconds;
  store::Session session;
  session.id_hash = crypto::Sha256Hex(claims.session_id);
  session.user_id = user_id;
  session.expires_at = claims.expires_at;
  session.created_at = now_unix;
  if (auto s = store_.CreateSession(session); !s.ok()) return s.error();
  return SessionToken{SignSessionToken(claims, secret_), claims.expires_at};
}

Result<SessionClaims> Sessions::Check(std::string_view token, int64_t now_unix) {
  auto claims = VerifySessionToken(token, secret_, now_unix);
  if (!claims.ok()) return claims;
  auto session = store_.FindSession(crypto::Sha256Hex(claims->session_id), now_unix);
  if (!session.ok()) return session.error();
  if (!*session || (*session)->user_id != claims->user_id) {
    return MakeError(ErrorCode::kUnauthorized, "Session ended: sign in again");
  }
  return claims;
}

Status Sessions::End(const SessionClaims& claims) { return store_.DeleteSession(crypto::Sha256Hex(claims.session_id)); }

Status Sessions::EndAll(int64_t user_id) { return store_.DeleteUserSessions(user_id); }

}  // namespace turnpike::control
