#include "payments/stripe_wire.h"

#include <boost/json.hpp>
#include <cctype>
#include <charconv>

#include "common/crypto.h"

namespace turnpike::payments {
namespace json = boost::json;

namespace {

bool Unreserved(unsigned char ch) { return std::isalnum(ch) || ch == '-' || ch == '_' || ch == '.' || ch == '~'; }

void AppendEncoded(std::string& out, std::string_view text, bool keep_brackets) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (unsigned char ch : text) {
    if (Unreserved(ch) || (keep_brackets && (ch == '[' || ch == ']'))) {
      out.push_back(static_cast<char>(ch));
    } else {
      out.push_back('%');
      out.push_back(kHex[ch >> 4]);
      out.push_back(kHex[ch & 0x0f]);
    }
  }
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

bool IsHex64(std::string_view s) {
  if (s.size() != 64) return false;
  for (char ch : s) {
    if (!std::isxdigit(static_cast<unsigned char>(ch))) return false;
  }
  return true;
}

Error Bad(std::string message) { return MakeError(ErrorCode::kBadRequest, std::move(message)); }

std::string StringAt(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

StripeSession SessionFrom(const json::object& o) {
  StripeSession s;
  s.id = StringAt(o, "id");
  s.url = StringAt(o, "url");
  s.payment_status = StringAt(o, "payment_status");
  s.currency = StringAt(o, "currency");
  if (const json::value* v = o.if_contains("amount_total"); v && v->is_int64()) s.amount_total = v->get_int64();
  if (const json::value* v = o.if_contains("amount_total"); v && v->is_uint64() && v->get_uint64() < (1ull << 62)) {
    s.amount_total = static_cast<int64_t>(v->get_uint64());
  }
  if (const json::value* m = o.if_contains("metadata"); m && m->is_object()) {
    s.user_ref = StringAt(m->get_object(), "turnpike_user_id");
  }
  return s;
}

Result<json::object> ParseObject(std::string_view text, const char* what) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_object()) return Bad(std::string(what) + " is not a JSON object");
  return std::move(v.get_object());
}

}  // namespace

std::string StripeFormEncode(const FormFields& fields) {
  std::string out;
  for (const auto& [key, value] : fields) {
    if (!out.empty()) out.push_back('&');
    AppendEncoded(out, key, true);
    out.push_back('=');
    AppendEncoded(out, value, false);
  }
  return out;
}

std::string StripeSignature(std::string_view secret, int64_t timestamp, std::string_view payload) {
  std::string signed_payload = std::to_string(timestamp);
  signed_payload.push_back('.');
  signed_payload.append(payload);
  return crypto::HmacSha256Hex(secret, signed_payload);
}

std::string StripeSignatureHeader(std::string_view secret, int64_t timestamp, std::string_view payload) {
  return "t=" + std::to_string(timestamp) + ",v1=" + StripeSignature(secret, timestamp, payload);
}

Status VerifyStripeSignature(std::string_view header, std::string_view payload, std::string_view secret, int64_t now,
                             int64_t tolerance_seconds) {
  if (secret.empty()) return MakeError(ErrorCode::kInternal, "no Stripe webhook secret is configured");
  std::optional<int64_t> timestamp;
  std::vector<std::string> signatures;
  size_t pos = 0;
  while (pos <= header.size()) {
    size_t comma = std::min(header.find(',', pos), header.size());
    std::string_view item = Trim(header.substr(pos, comma - pos));
    pos = comma + 1;
    size_t eq = item.find('=');
    if (eq == std::string_view::npos) continue;
    std::string_view scheme = Trim(item.substr(0, eq));
    std::string_view value = Trim(item.substr(eq + 1));
    if (scheme == "t") {
      int64_t t = 0;
      auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), t);
      if (ec != std::errc() || end != value.data() + value.size() || value.empty() || t <= 0 || timestamp) {
        return Bad("Malformed Stripe-Signature header: bad timestamp");
      }
      timestamp = t;
    } else if (scheme == "v1" && IsHex64(value)) {
      std::string lower(value);
      for (char& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      signatures.push_back(std::move(lower));
    }
  }
  if (!timestamp) return Bad("Malformed Stripe-Signature header: no timestamp (t=)");
  if (signatures.empty()) return Bad("Malformed Stripe-Signature header: no v1 signature");
  // Subtraction cannot overflow: both are positive int64 values.
  int64_t age = now - *timestamp;
  if (age > tolerance_seconds || age < -tolerance_seconds) {
    return Bad("Stripe-Signature timestamp is outside the tolerance of " + std::to_string(tolerance_seconds) +
               " seconds");
  }
  const std::string expected = StripeSignature(secret, *timestamp, payload);
  bool match = false;
  for (const auto& s : signatures) match = crypto::ConstantTimeEquals(s, expected) || match;  // no early exit
  if (!match) return Bad("No Stripe-Signature v1 signature matches the body");
  return OkStatus();
}

Result<StripeSession> ParseStripeSession(std::string_view text) {
  auto o = ParseObject(text, "the Checkout Session");
  if (!o.ok()) return o.error();
  StripeSession s = SessionFrom(*o);
  if (s.id.empty()) return Bad("the Checkout Session has no id");
  return s;
}

Result<StripeEvent> ParseStripeEvent(std::string_view text) {
  auto o = ParseObject(text, "the event");
  if (!o.ok()) return o.error();
  StripeEvent e;
  e.id = StringAt(*o, "id");
  e.type = StringAt(*o, "type");
  if (e.type.empty()) return Bad("the event has no type");
  const json::value* data = o->if_contains("data");
  const json::value* object = data && data->is_object() ? data->get_object().if_contains("object") : nullptr;
  if (object && object->is_object() && StringAt(object->get_object(), "object") == "checkout.session") {
    e.session = SessionFrom(object->get_object());
    if (e.session.id.empty()) return Bad("the event's Checkout Session has no id");
  }
  return e;
}

std::string StripeErrorMessage(std::string_view text) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_object()) return "";
  const json::value* error = v.get_object().if_contains("error");
  if (!error || !error->is_object()) return "";
  return StringAt(error->get_object(), "message");
}

}  // namespace turnpike::payments
