#include "payments/payments.h"

#include "common/clock.h"
#include "common/crypto.h"
#include "payments/stripe_payments.h"

namespace turnpike::payments {

std::string_view WebhookOutcomeName(WebhookOutcome outcome) {
  switch (outcome) {
    case WebhookOutcome::kCredited:
      return "credited";
    case WebhookOutcome::kAlreadyCredited:
      return "already_credited";
    case WebhookOutcome::kIgnored:
      return "ignored";
    case WebhookOutcome::kFailed:
      return "failed";
  }
  return "ignored";
}

Result<WebhookOutcome> PaymentProvider::HandleWebhook(const Headers&, std::string_view, int64_t) {
  return MakeError(ErrorCode::kNotFound, "The payment provider \"" + std::string(name()) + "\" takes no webhooks");
}

Result<Checkout> SandboxPayments::CreateCheckout(const store::User& user, money::Micros amount, std::string_view) {
  if (amount <= 0) return MakeError(ErrorCode::kBadRequest, "A top-up must be a positive amount");
  store::Topup topup;
  topup.user_id = user.id;
  topup.amount = amount;
  topup.provider = std::string(name());
  topup.external_id = "sbx_" + crypto::RandomHex(16);
  topup.status = "pending";
  topup.created_at = UnixSeconds();
  if (auto id = store_.CreateTopup(topup); !id.ok()) return id.error();
  auto completed = store_.CompleteTopup(topup.provider, topup.external_id, UnixSeconds());
  if (!completed.ok()) return completed.error();
  return Checkout{topup.external_id, "", true};
}

Result<std::unique_ptr<PaymentProvider>> MakePaymentProvider(const config::Config& config, store::TopupStore& store,
                                                             const config::EnvLookup& env) {
  const std::string& name = config.payments_provider;
  if (name == "sandbox") return std::unique_ptr<PaymentProvider>(std::make_unique<SandboxPayments>(store));
  if (name == "none") return std::unique_ptr<PaymentProvider>();
  if (name == "stripe") {
    auto options = StripeOptionsFrom(config, env);
    if (!options.ok()) return options.error();
    return std::unique_ptr<PaymentProvider>(std::make_unique<StripePayments>(store, std::move(options.value())));
  }
  return MakeError(ErrorCode::kBadRequest, "payments.provider: unknown provider \"" + name + "\"");
}

}  // namespace turnpike::payments
