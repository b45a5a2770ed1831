#include "billing/payments.h"

#include "common/clock.h"
#include "common/crypto.h"

namespace turnpike::billing {

Result<Checkout> SandboxPayments::CreateCheckout(const store::User& user, money::Micros amount) {
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

Result<std::unique_ptr<PaymentProvider>> MakePaymentProvider(const std::string& name, store::Store& store) {
  if (name == "sandbox") return std::unique_ptr<PaymentProvider>(std::make_unique<SandboxPayments>(store));
  if (name == "none") return std::unique_ptr<PaymentProvider>();
  return MakeError(ErrorCode::kBadRequest, "payments.provider: unknown provider \"" + name + "\"");
}

}  // namespace turnpike::billing
