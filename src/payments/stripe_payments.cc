#include "payments/stripe_payments.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "common/clock.h"

namespace turnpike::payments {
namespace {

constexpr money::Micros kMicrosPerCent = 10'000;
constexpr std::string_view kProductName = "Turnpike credits";

// The REST answer's error message, capped, with the secret key cut out should Stripe ever echo it.
std::string SafeMessage(std::string message, const std::string& secret) {
  if (!secret.empty()) {
    for (size_t at = message.find(secret); at != std::string::npos; at = message.find(secret)) {
      message.replace(at, secret.size(), "[secret]");
    }
  }
  if (message.size() > 300) message.resize(300);
  return message;
}

std::string TrimSlash(std::string s) {
  while (!s.empty() && s.back() == '/') s.pop_back();
  return s;
}

}  // namespace

Result<StripeOptions> StripeOptionsFrom(const config::Config& config, const config::EnvLookup& env) {
  StripeOptions o;
  o.api_base = config.stripe_api_base;
  o.success_url = config.payments_success_url;
  o.cancel_url = config.payments_cancel_url;
  o.webhook_tolerance_seconds = config.stripe_webhook_tolerance_seconds;
  o.limits.connect_timeout_ms = std::min<int64_t>(config.upstream.connect_timeout_ms, 5'000);
  // A checkout waits on Stripe on a control worker: a hanging Stripe may hold one for 10 s at most.
  o.limits.total_timeout_ms = 10'000;
  auto secret = env(config.stripe_secret_key_env);
  if (!secret || secret->empty()) {
    return MakeError(ErrorCode::kBadRequest,
                     "payments.provider = \"stripe\" needs the Stripe secret key in the "
                     "environment variable " +
                         config.stripe_secret_key_env + " (payments.stripe_secret_key_env)");
  }
  auto hook = env(config.stripe_webhook_secret_env);
  if (!hook || hook->empty()) {
    return MakeError(ErrorCode::kBadRequest,
                     "payments.provider = \"stripe\" needs the webhook signing secret in "
                     "the environment variable " +
                         config.stripe_webhook_secret_env + " (payments.stripe_webhook_secret_env)");
  }
  o.secret_key = std::move(*secret);
  o.webhook_secret = std::move(*hook);
  return o;
}

StripePayments::StripePayments(store::TopupStore& store, StripeOptions options, StripeTransport transport)
    : store_(store), options_(std::move(options)), transport_(std::move(transport)) {
  options_.api_base = TrimSlash(options_.api_base);
  if (!transport_) transport_ = &net::BlockingExchange;
}

Result<FormFields> StripePayments::SessionForm(const store::User& user, money::Micros amount,
                                               std::string_view return_origin) const {
  if (amount <= 0 || amount % kMicrosPerCent != 0) {
    return MakeError(ErrorCode::kBadRequest, "A Stripe top-up must be a positive amount in whole cents");
  }
  std::string origin = TrimSlash(std::string(return_origin));
  if ((options_.success_url.empty() || options_.cancel_url.empty()) && origin.empty()) {
    return MakeError(ErrorCode::kBadRequest,
                     "Cannot tell where to return after paying: send an Origin header or "
                     "set payments.success_url and payments.cancel_url");
  }
  std::string success = !options_.success_url.empty()
                            ? options_.success_url
                            : origin + "/credits?checkout=success&session_id={CHECKOUT_SESSION_ID}";
  std::string cancel = !options_.cancel_url.empty() ? options_.cancel_url : origin + "/credits?checkout=cancelled";
  std::string user_id = std::to_string(user.id);
  return FormFields{
      {"mode", "payment"},
      {"line_items[0][price_data][currency]", "usd"},
      {"line_items[0][price_data][unit_amount]", std::to_string(amount / kMicrosPerCent)},
      {"line_items[0][price_data][product_data][name]", std::string(kProductName)},
      {"line_items[0][quantity]", "1"},
      {"success_url", success},
      {"cancel_url", cancel},
      {"client_reference_id", "turnpike-user-" + user_id},
      {"metadata[turnpike_user_id]", user_id},
  };
}

Result<Checkout> StripePayments::CreateCheckout(const store::User& user, money::Micros amount,
                                                std::string_view return_origin) {
  auto form = SessionForm(user, amount, return_origin);
  if (!form.ok()) return form.error();
  net::UpstreamRequest request;
  request.url = options_.api_base + "/v1/checkout/sessions";
  request.method = "POST";
  // The API version is pinned, so a change of the account's default version never changes the
  // answers this code reads.
  request.headers = {{"Authorization", "Bearer " + options_.secret_key},
                     {"Content-Type", "application/x-www-form-urlencoded"},
                     {"Accept", "application/json"},
                     {"Stripe-Version", std::string(kStripeApiVersion)}};
  request.body = StripeFormEncode(*form);
  auto response = transport_(request, options_.limits);
  if (!response.ok()) {
    spdlog::warn("stripe: creating a Checkout Session failed: {}", response.error().message);
    // 502 either way: a 408 would blame the client.
    return MakeError(ErrorCode::kUpstream, response.error().code == ErrorCode::kTimeout
                                               ? "The payment provider did not answer in time; try again later"
                                               : "The payment provider could not be reached; try again later");
  }
  if (response->status < 200 || response->status > 299) {
    spdlog::warn("stripe: creating a Checkout Session failed: HTTP {}: {}", response->status,
                 SafeMessage(StripeErrorMessage(response->body), options_.secret_key));
    return MakeError(ErrorCode::kUpstream, "The payment provider refused the checkout (HTTP " +
                                               std::to_string(response->status) + "); see the server log");
  }
  auto session = ParseStripeSession(response->body);
  const int64_t cents = amount / kMicrosPerCent;
  if (!session.ok() || session->url.empty() || (session->amount_total >= 0 && session->amount_total != cents)) {
    spdlog::warn("stripe: the Checkout Session answer is unusable (no id, no url, or amount_total other than {})",
                 cents);
    return MakeError(ErrorCode::kUpstream, "The payment provider's answer was not understood");
  }
  store::Topup topup;
  topup.user_id = user.id;
  topup.amount = amount;
  topup.provider = std::string(name());
  topup.external_id = session->id;
  topup.status = "pending";
  topup.created_at = UnixSeconds();
  if (auto id = store_.CreateTopup(topup); !id.ok()) return id.error();
  spdlog::info("stripe: Checkout Session {} for user {}: ${} pending", session->id, user.id, money::FormatUsd(amount));
  return Checkout{session->id, session->url, false};
}

Result<WebhookOutcome> StripePayments::HandleWebhook(const Headers& headers, std::string_view body, int64_t now_unix) {
  std::string_view signature = FindHeader(headers, "stripe-signature");
  if (signature.empty()) {
    spdlog::warn("stripe webhook refused: no Stripe-Signature header");
    return MakeError(ErrorCode::kBadRequest, "Missing Stripe-Signature header");
  }
  if (auto verified =
          VerifyStripeSignature(signature, body, options_.webhook_secret, now_unix, options_.webhook_tolerance_seconds);
      !verified.ok()) {
    spdlog::warn("stripe webhook refused: {}", verified.error().message);
    return verified.error();
  }
  auto event = ParseStripeEvent(body);
  if (!event.ok()) return event.error();
  const bool paid_event =
      event->type == "checkout.session.completed" || event->type == "checkout.session.async_payment_succeeded";
  const bool failed_event =
      event->type == "checkout.session.expired" || event->type == "checkout.session.async_payment_failed";
  if (!paid_event && !failed_event) return WebhookOutcome::kIgnored;
  const StripeSession& session = event->session;
  if (session.id.empty()) return MakeError(ErrorCode::kBadRequest, "The event holds no Checkout Session");
  if (session.user_ref.empty()) {
    spdlog::info("stripe webhook: {} for {} ignored: not a Turnpike session", event->type, session.id);
    return WebhookOutcome::kIgnored;
  }
  if (failed_event) {  // the top-up ends as failed, never pending forever
    auto failed = store_.FailTopup(std::string(name()), session.id);
    if (!failed.ok()) return failed.error();
    if (*failed) spdlog::info("stripe webhook: top-up of Checkout Session {} failed ({})", session.id, event->type);
    return *failed ? WebhookOutcome::kFailed : WebhookOutcome::kIgnored;
  }
  if (session.payment_status != "paid") return WebhookOutcome::kIgnored;  // async_payment_succeeded follows

  auto found = store_.FindTopup(std::string(name()), session.id);
  if (!found.ok()) return found.error();
  const std::optional<store::Topup>& topup = *found;
  if (!topup) {
    spdlog::warn("stripe webhook: {} for unknown Checkout Session {}", event->id, session.id);
    return MakeError(ErrorCode::kNotFound, "No top-up has this Checkout Session");
  }
  if (session.currency != "usd" || session.amount_total < 0 || session.amount_total != topup->amount / kMicrosPerCent ||
      topup->amount % kMicrosPerCent != 0 || session.user_ref != std::to_string(topup->user_id)) {
    spdlog::error(
        "stripe webhook: {} for Checkout Session {} does not match top-up {}: paid {} {} cents for user "
        "{}, the top-up is usd {} cents for user {}; not credited",
        event->id, session.id, topup->id, session.currency, session.amount_total, topup->amount / kMicrosPerCent,
        session.user_ref, topup->user_id);
    return MakeError(ErrorCode::kBadRequest, "The payment does not match its top-up (amount, currency or user)");
  }
  auto completed = store_.CompleteTopup(topup->provider, topup->external_id, now_unix);
  if (!completed.ok()) return completed.error();
  if (!*completed) return WebhookOutcome::kAlreadyCredited;
  spdlog::info("stripe webhook: top-up {} of user {} credited ${} (Checkout Session {})", topup->id, topup->user_id,
               money::FormatUsd(topup->amount), session.id);
  return WebhookOutcome::kCredited;
}

}  // namespace turnpike::payments
