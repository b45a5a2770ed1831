// Payment providers: how a user's top-up (store::Topup, the seed's OnrampTransaction) gets paid.
// The control plane calls CreateCheckout; a provider either completes the top-up at once (the
// sandbox, for development and tests) or returns a URL where the user pays, and completes it
// later from its signed webhook (Stripe, planned).
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "common/money.h"
#include "common/result.h"
#include "store/store.h"

namespace turnpike::billing {

struct Checkout {
  std::string external_id;          // the provider's id of the payment; with the provider's name it
                                    // finds the top-up in the store (Store::FindTopup)
  std::string checkout_url;         // where the user pays; "" when nothing is left to do
  bool completed_immediately = false;  // the credits are on the balance already
};

class PaymentProvider {
 public:
  virtual ~PaymentProvider() = default;
  // "sandbox", "stripe": the Topup::provider of the top-ups it records.
  virtual std::string_view name() const = 0;
  // Starts a top-up of `amount` (> 0, micro-USD) for `user`: records it in the store, then
  // completes it or says where to pay. Errors are the store's or the provider's. Thread-safe.
  virtual Result<Checkout> CreateCheckout(const store::User& user, money::Micros amount) = 0;
};

// Credits every checkout at once, with no payment: for development, demos and tests. Each
// checkout is a Topup with provider "sandbox" and external id "sbx_<32 hex>", completed at once
// (ledger kind "topup").
class SandboxPayments final : public PaymentProvider {
 public:
  explicit SandboxPayments(store::Store& store) : store_(store) {}
  std::string_view name() const override { return "sandbox"; }
  Result<Checkout> CreateCheckout(const store::User& user, money::Micros amount) override;

 private:
  store::Store& store_;
};

// The provider named by config payments.provider: "sandbox", or "none" (nullptr: checkout is
// off). kBadRequest for another name.
Result<std::unique_ptr<PaymentProvider>> MakePaymentProvider(const std::string& name, store::Store& store);

}  // namespace turnpike::billing
