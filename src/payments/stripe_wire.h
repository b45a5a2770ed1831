// Stripe's wire formats, without I/O: the form encoding of its REST API, the webhook signature
// (`Stripe-Signature`), and the parts of a Checkout Session and of an event that Turnpike reads.
// Pure and thread-safe. The provider that uses them is stripe_payments.h.
//
// Webhook signatures (docs.stripe.com/webhooks#verify-manually): the header is
// `t=<unix seconds>,v1=<hex>[,v1=<hex>…]` (other schemes, such as the test-mode v0, are ignored);
// each v1 is the hex HMAC-SHA256, keyed by the endpoint's signing secret (the whole `whsec_…`
// string), of `<t>.<raw body>`. Several v1 values appear while a secret is being rolled.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.h"

namespace turnpike::payments {

using FormFields = std::vector<std::pair<std::string, std::string>>;

// application/x-www-form-urlencoded, as Stripe's own libraries send it: every byte outside
// A-Z a-z 0-9 - _ . ~ is %XX-encoded (space too), except '[' and ']', which stay as they are so
// nested keys read as `line_items[0][quantity]`. Fields keep their order.
std::string StripeFormEncode(const FormFields& fields);

// The v1 signature of `payload` sent at `timestamp`: hex HMAC-SHA256 of "<timestamp>.<payload>".
std::string StripeSignature(std::string_view secret, int64_t timestamp, std::string_view payload);

// A full header value for tests and fakes: "t=<timestamp>,v1=<signature>".
std::string StripeSignatureHeader(std::string_view secret, int64_t timestamp, std::string_view payload);

// Checks a `Stripe-Signature` header against the raw body. Ok when the header has a timestamp
// within `tolerance_seconds` of `now` (either way) and one of its v1 values matches (compared in
// constant time). Otherwise kBadRequest, whose message says what was wrong (malformed, stale,
// no match) and never contains the secret or the expected signature.
Status VerifyStripeSignature(std::string_view header, std::string_view payload, std::string_view secret, int64_t now,
                             int64_t tolerance_seconds);

// What Turnpike reads of a Checkout Session (the create answer, or an event's data.object).
struct StripeSession {
  std::string id;              // "cs_…"
  std::string url;             // the hosted payment page ("" in events)
  std::string payment_status;  // "paid" | "unpaid" | "no_payment_required"
  std::string currency;        // "usd"
  int64_t amount_total = -1;   // in cents; -1 when absent or null
  std::string user_ref;        // metadata.turnpike_user_id ("" when absent: not a Turnpike session)
};

// An event (the webhook body).
struct StripeEvent {
  std::string id;    // "evt_…"
  std::string type;  // "checkout.session.completed", …
  // data.object when it is a checkout.session (object == "checkout.session"); else empty id.
  StripeSession session;
};

// Parses a Checkout Session object (JSON text). kBadRequest when it is not JSON, not an object,
// or has no string id.
Result<StripeSession> ParseStripeSession(std::string_view json);

// Parses an event. kBadRequest when it is not JSON or lacks a string `type`, or when data.object
// is a checkout.session without an id.
Result<StripeEvent> ParseStripeEvent(std::string_view json);

// The message of a Stripe error body ({"error":{"message":…}}), or "" when there is none.
std::string StripeErrorMessage(std::string_view json);

}  // namespace turnpike::payments
