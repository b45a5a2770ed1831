// The signed-in user's balance, ledger and top-ups.
#include <boost/json.hpp>
#include <cctype>

#include "control/api.h"
#include "control/fields.h"
#include "control/views.h"

namespace turnpike::control {
namespace json = boost::json;

namespace {
constexpr int64_t kDefaultPage = 50;
constexpr int64_t kMaxPage = 200;
constexpr money::Micros kCent = 10'000;

// Where the page that asked for a checkout is served, for the payment page to send the browser
// back: its Origin (the origin check has let it through: this listener or a configured one),
// else http://<Host>. "" when neither is usable.
std::string ReturnOrigin(const net::HttpRequest& request) {
  std::string_view origin = FindHeader(request.headers, "origin");
  if (!origin.empty()) return std::string(origin);
  std::string_view host = FindHeader(request.headers, "host");
  if (host.empty() || host.size() > 255) return "";
  for (char ch : host) {
    if (!std::isalnum(static_cast<unsigned char>(ch)) && std::string_view(".-:[]").find(ch) == std::string_view::npos) {
      return "";
    }
  }
  return "http://" + std::string(host);
}

bool IsHistoryType(std::string_view type) {
  return type == "request" || type == "topup" || type == "grant" || type == "deduct" || type == "refund";
}

}  // namespace

Reply Api::Credits(const Call& call) {
  json::object body;
  body["balance_micros"] = call.user().balance;
  if (auto totals = AddTotals(call.user().id, body); !totals.ok()) return ErrorReply(totals.error());
  return JsonReply(200, body);
}

Status Api::AddTotals(int64_t user_id, json::object& body) {
  auto credited = ledger_.TotalCredited(user_id);
  if (!credited.ok()) return credited.error();
  auto spent = ledger_.TotalSpent(user_id);
  if (!spent.ok()) return spent.error();
  body["total_credited_micros"] = *credited;
  body["total_spent_micros"] = *spent;
  return OkStatus();
}

Reply Api::Transactions(const Call& call) {
  auto query = Fields::FromQuery(call.http.query);
  if (!query.ok()) return ErrorReply(query.error());
  store::HistoryQuery q;
  q.limit = static_cast<int>(query->Int("limit", 1, kMaxPage).value_or(kDefaultPage));
  q.before_id = query->Int("before", 1, INT64_MAX).value_or(0);
  q.kind = query->String("type", Need::kOptional, 20).value_or("");
  if (!q.kind.empty() && !IsHistoryType(q.kind)) {
    query->Fail("type", "must be one of request, topup, grant, deduct, refund");
  }
  // Entries are stamped in whole seconds: [from, to) in milliseconds covers the seconds that
  // start in it.
  if (auto from = query->TimeMillis("from")) q.from_unix = *from <= 0 ? 0 : (*from + 999) / 1000;
  if (auto to = query->TimeMillis("to")) q.to_unix = *to <= 0 ? 1 : (*to + 999) / 1000;
  if (query->ok() && q.to_unix > 0 && q.to_unix <= q.from_unix) query->Fail("to", "must be after from");
  if (!query->ok()) return query->Failure();
  auto listed = ledger_.ListHistory(call.user().id, q);
  if (!listed.ok()) return ErrorReply(listed.error());
  const std::vector<store::HistoryLine>& lines = *listed;
  json::array transactions;
  for (const auto& line : lines) transactions.push_back(HistoryLineJson(line));
  // A full page may have more behind it; the client asks again with before = next_before.
  json::value next = lines.size() == static_cast<size_t>(q.limit) ? json::value(lines.back().id) : json::value(nullptr);
  return JsonReply(200, json::object{{"transactions", std::move(transactions)}, {"next_before", next}});
}

Reply Api::Checkout(const Call& call) {
  if (!payments_) {
    return ErrorReply(MakeError(ErrorCode::kUnavailable, "Top-ups are turned off on this server (payments.provider)"));
  }
  // The sandbox credits without payment: on a server that other hosts can reach, only an admin
  // may use it (otherwise anyone on the network could sign up and spend the provider keys).
  if (payments_->name() == "sandbox" && !call.user().is_admin && !config::LoopbackOnly(host_)) {
    return ErrorReply(MakeError(ErrorCode::kForbidden,
                                "The sandbox payment provider credits only admins on a server other hosts can reach "
                                "(server.host is " +
                                    host_ + "); use payments.provider = \"stripe\""));
  }
  auto fields = Fields::FromBody(call.http.body, kMaxApiBodyBytes);
  if (!fields.ok()) return ErrorReply(fields.error());
  auto amount = fields->Usd("amount_usd", Need::kRequired);
  if (amount && *amount % kCent != 0) fields->Fail("amount_usd", "must be whole cents");
  if (amount && (*amount < checkout_min_ || *amount > checkout_max_)) {
    fields->Fail("amount_usd",
                 "must be from $" + money::FormatUsd(checkout_min_) + " to $" + money::FormatUsd(checkout_max_));
  }
  if (!fields->ok()) return fields->Failure();
  auto checkout = payments_->CreateCheckout(call.user(), *amount, ReturnOrigin(call.http));
  if (!checkout.ok()) return ErrorReply(checkout.error());
  auto topup = topups_.FindTopup(std::string(payments_->name()), checkout->external_id);
  if (!topup.ok()) return ErrorReply(topup.error());
  if (!*topup) return ErrorReply(MakeError(ErrorCode::kInternal, "the new top-up is missing"));
  json::object body;
  body["topup"] = TopupJson(**topup);
  body["checkout_url"] = checkout->checkout_url.empty() ? json::value(nullptr) : json::value(checkout->checkout_url);
  return JsonReply(200, body);
}

// Stripe calls this; its answer only matters as 2xx (done) or not (Stripe retries for days).
Reply Api::StripeWebhook(const Call& call) {
  if (!payments_ || payments_->name() != "stripe") {
    return ErrorReply(
        MakeError(ErrorCode::kNotFound, "Stripe payments are not enabled on this server (payments.provider)"));
  }
  if (call.http.body.size() > kMaxWebhookBodyBytes) {
    return ErrorReply(MakeError(ErrorCode::kTooLarge,
                                "The webhook body is larger than " + std::to_string(kMaxWebhookBodyBytes) + " bytes"));
  }
  auto outcome = payments_->HandleWebhook(call.http.headers, call.http.body, call.now);
  if (!outcome.ok()) return ErrorReply(outcome.error());
  return JsonReply(200, json::object{{"received", true}, {"outcome", payments::WebhookOutcomeName(*outcome)}});
}

}  // namespace turnpike::control
