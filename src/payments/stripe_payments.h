// Stripe Checkout as a payment provider (config payments.provider = "stripe").
//
// Checkout: creates a Checkout Session through Stripe's REST API (POST /v1/checkout/sessions,
// form-encoded, `Authorization: Bearer <secret key>`) for one line item of `amount` in USD
// cents, then records a pending top-up whose external id is the session id, and answers the
// session's hosted page URL. The call blocks the worker thread it runs on (the control plane's
// pool, never an event loop) for at most the timeouts in StripeOptions.
//
// Webhook (POST /api/payments/stripe/webhook): the `Stripe-Signature` header is checked over the
// raw body first (stripe_wire.h); nothing else is read from an unsigned, forged or stale
// delivery. Then `checkout.session.completed` (and `checkout.session.async_payment_succeeded`,
// for payment methods that settle later) with payment_status "paid" completes the top-up with
// that session id: the store credits exactly once (TopupStore::CompleteTopup), so Stripe's repeated
// deliveries change nothing. The session's amount_total must equal the top-up's amount (in
// cents, currency usd) and its metadata must name the top-up's user, or nothing is credited.
// Sessions without Turnpike's metadata (another application on the same Stripe account) and
// every other event type are acknowledged and ignored.
//
// The secrets live in StripeOptions only: never logged, never in an error message.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "net/blocking_http.h"
#include "payments/payments.h"
#include "payments/stripe_wire.h"

namespace turnpike::payments {

// The Stripe API version every request names (Stripe-Version): the shapes stripe_wire.h reads.
inline constexpr std::string_view kStripeApiVersion = "2024-06-20";

struct StripeOptions {
  std::string api_base = "https://api.stripe.com";  // no trailing slash needed
  std::string secret_key;                           // sk_… (from the environment)
  std::string webhook_secret;                       // whsec_… (from the environment)
  std::string success_url;  // "" = <return origin>/credits?checkout=success&session_id={CHECKOUT_SESSION_ID}
  std::string cancel_url;   // "" = <return origin>/credits?checkout=cancelled
  int64_t webhook_tolerance_seconds = 300;
  net::BlockingLimits limits;  // for the REST call
};

// StripeOptions from config and the environment. kBadRequest naming the variable when a secret
// is unset or empty.
Result<StripeOptions> StripeOptionsFrom(const config::Config& config, const config::EnvLookup& env);

// The HTTP exchange with Stripe; tests inject a fake.
using StripeTransport =
    std::function<Result<net::BlockingResponse>(const net::UpstreamRequest&, const net::BlockingLimits&)>;

class StripePayments final : public PaymentProvider {
 public:
  // `transport` defaults to net::BlockingExchange.
  StripePayments(store::TopupStore& store, StripeOptions options, StripeTransport transport = nullptr);

  std::string_view name() const override { return "stripe"; }
  Result<Checkout> CreateCheckout(const store::User& user, money::Micros amount,
                                  std::string_view return_origin) override;
  Result<WebhookOutcome> HandleWebhook(const Headers& headers, std::string_view body, int64_t now_unix) override;

  // The form fields of the Checkout Session for `amount` (whole cents) — exposed for tests.
  Result<FormFields> SessionForm(const store::User& user, money::Micros amount, std::string_view return_origin) const;

 private:
  store::TopupStore& store_;
  StripeOptions options_;
  StripeTransport transport_;
};

}  // namespace turnpike::payments
