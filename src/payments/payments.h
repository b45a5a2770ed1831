// Payment providers: how a user's top-up (store::Topup, the seed's OnrampTransaction) gets paid.
// The control plane calls CreateCheckout; a provider either completes the top-up at once (the
// sandbox, for development and tests) or returns a URL where the user pays, and completes it
// later from its signed webhook (Stripe: stripe_payments.h).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "common/money.h"
#include "common/result.h"
#include "config/config.h"
#include "net/http.h"
#include "store/topups.h"
#include "store/users.h"

namespace turnpike::payments {

struct Checkout {
  std::string external_id;             // the provider's id of the payment; with the provider's name it
                                       // finds the top-up in the store (TopupStore::FindTopup)
  std::string checkout_url;            // where the user pays; "" when nothing is left to do
  bool completed_immediately = false;  // the credits are on the balance already
};

// What a provider did with one webhook delivery (all answered 200).
enum class WebhookOutcome {
  kCredited,         // this delivery completed a top-up and credited the user
  kAlreadyCredited,  // the top-up was completed before (a repeated delivery): nothing changed
  kIgnored,          // an event that needs nothing (another type, not paid yet, not Turnpike's)
  kFailed,           // the session expired or its payment failed: the pending top-up ended as failed
};
// "credited", "already_credited", "ignored", "failed"
std::string_view WebhookOutcomeName(WebhookOutcome outcome);

class PaymentProvider {
 public:
  virtual ~PaymentProvider() = default;
  // "sandbox", "stripe": the Topup::provider of the top-ups it records.
  virtual std::string_view name() const = 0;
  // Starts a top-up of `amount` (> 0, micro-USD) for `user`: records it in the store, then
  // completes it or says where to pay. `return_origin` ("scheme://host[:port]", or "") is where
  // the page that asked is served: a provider with a hosted payment page sends the browser back
  // there unless config says otherwise. Errors are the store's or the provider's (kUpstream: it
  // could not be reached, timed out, or refused). Thread-safe; may block on the network.
  virtual Result<Checkout> CreateCheckout(const store::User& user, money::Micros amount,
                                          std::string_view return_origin) = 0;
  // Handles one webhook delivery: `headers` and the raw, unparsed `body` as received. Errors
  // are answered as they are (kBadRequest: unsigned, forged, stale or inconsistent; kNotFound:
  // an unknown payment; kInternal: the store could not be read, so the provider retries) and
  // change nothing. The default: kNotFound (no webhooks). Thread-safe;
  // a delivery repeated, even concurrently, credits once.
  virtual Result<WebhookOutcome> HandleWebhook(const Headers& headers, std::string_view body, int64_t now_unix);
};

// Credits every checkout at once, with no payment: for development, demos and tests. Each
// checkout is a Topup with provider "sandbox" and external id "sbx_<32 hex>", completed at once
// (ledger kind "topup").
class SandboxPayments final : public PaymentProvider {
 public:
  explicit SandboxPayments(store::TopupStore& store) : store_(store) {}
  std::string_view name() const override { return "sandbox"; }
  Result<Checkout> CreateCheckout(const store::User& user, money::Micros amount,
                                  std::string_view return_origin) override;

 private:
  store::TopupStore& store_;
};

// The provider named by config payments.provider: "sandbox", "stripe" (its secrets read through
// `env` from the variables config names), or "none" (nullptr: checkout is off). kBadRequest for
// another name or a missing secret (the message names the variable, never a value).
Result<std::unique_ptr<PaymentProvider>> MakePaymentProvider(const config::Config& config, store::TopupStore& store,
                                                             const config::EnvLookup& env);

}  // namespace turnpike::payments
