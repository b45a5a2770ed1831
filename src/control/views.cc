#include "control/views.h"

#include <boost/json.hpp>

#include "control/time_format.h"

namespace turnpike::control {
namespace json = boost::json;

namespace {

json::value SecondsOrNull(const std::optional<int64_t>& unix_seconds) {
  return unix_seconds ? json::value(FormatUnixSeconds(*unix_seconds)) : json::value(nullptr);
}

}  // namespace

json::value TextOrNull(const std::string& text) { return text.empty() ? json::value(nullptr) : json::value(text); }

json::object UserJson(const store::User& user) {
  return json::object{{"id", user.id},
                      {"email", user.email},
                      {"is_admin", user.is_admin},
                      {"disabled", user.disabled},
                      {"created_at", FormatUnixSeconds(user.created_at)}};
}

json::object KeyJson(const store::ApiKey& key) {
  json::object o;
  o["id"] = key.id;
  o["name"] = key.name;
  o["prefix"] = key.prefix;
  o["created_at"] = FormatUnixSeconds(key.created_at);
  o["last_used_at"] = SecondsOrNull(key.last_used_at);
  o["expires_at"] = SecondsOrNull(key.expires_at);
  o["disabled"] = key.disabled;
  o["log_prompts"] = key.log_prompts;
  o["usage_micros"] = key.usage;
  o["limit_micros"] = key.limit ? json::value(*key.limit) : json::value(nullptr);
  const std::string_view reset = store::LimitResetName(key.limit_reset);
  o["limit_reset"] = reset.empty() ? json::value(nullptr) : json::value(reset);
  o["limit_usage_micros"] = key.limit_usage;
  o["rpm_limit"] = key.rpm_limit ? json::value(*key.rpm_limit) : json::value(nullptr);
  o["tpm_limit"] = key.tpm_limit ? json::value(*key.tpm_limit) : json::value(nullptr);
  o["management"] = key.management;
  o["hash"] = key.public_id;
  return o;
}

json::object LogJson(const store::RequestLogRow& row, bool with_text) {
  json::object o;
  o["id"] = row.request_id;
  o["model"] = row.model_id;
  o["provider"] = TextOrNull(row.provider_id);
  o["upstream_model"] = TextOrNull(row.upstream_model);
  o["key_id"] = row.key_id;
  o["streamed"] = row.streamed;
  o["prompt_tokens"] = row.prompt_tokens;
  o["completion_tokens"] = row.completion_tokens;
  o["cached_tokens"] = row.cached_tokens;
  o["reasoning_tokens"] = row.reasoning_tokens;
  o["cost_micros"] = row.cost;
  o["usage_source"] = row.usage_source == store::UsageSource::kEstimated ? "estimated" : "provider";
  o["latency_ms"] = row.latency_ms;
  o["ttft_ms"] = row.ttft_ms < 0 ? json::value(nullptr) : json::value(row.ttft_ms);
  o["status"] = row.http_status;
  o["finish_reason"] = TextOrNull(row.finish_reason);
  o["error"] = TextOrNull(row.error_message);
  o["created_at"] = FormatUnixMillis(row.created_at);
  // The prices the request was charged at (micro-USD per million tokens); null when no provider
  // was reached.
  o["prices"] = row.provider_id.empty() ? json::value(nullptr)
                                        : json::value(json::object{{"input", row.prices.input},
                                                                   {"output", row.prices.output},
                                                                   {"cache_read", row.prices.cache_read},
                                                                   {"cache_write", row.prices.cache_write}});
  if (with_text) {
    json::array attempts;
    for (const auto& a : row.attempts) {
      attempts.push_back(json::object{{"provider", a.provider},
                                      {"status", a.status > 0 ? json::value(a.status) : json::value(nullptr)},
                                      {"error", TextOrNull(a.error)},
                                      {"latency_ms", a.latency_ms}});
    }
    o["attempts"] = std::move(attempts);
    json::array routing;
    for (const auto& step : row.routing) {
      routing.push_back(json::object{{"provider", step.provider},
                                     {"model", step.model},
                                     {"outcome", step.outcome},
                                     {"status", step.status > 0 ? json::value(step.status) : json::value(nullptr)},
                                     {"reason", TextOrNull(step.reason)}});
    }
    o["routing"] = std::move(routing);
  }
  if (with_text && !row.prompt_text.empty()) o["prompt"] = row.prompt_text;
  if (with_text && !row.completion_text.empty()) o["completion"] = row.completion_text;
  return o;
}

json::object TopupJson(const store::Topup& topup) {
  json::object o;
  o["id"] = topup.id;
  o["amount_micros"] = topup.amount;
  o["provider"] = topup.provider;
  o["status"] = topup.status;
  o["created_at"] = FormatUnixSeconds(topup.created_at);
  o["completed_at"] =
      topup.completed_at > 0 ? json::value(FormatUnixSeconds(topup.completed_at)) : json::value(nullptr);
  return o;
}

json::object HistoryLineJson(const store::HistoryLine& line) {
  json::object o;
  o["id"] = line.id;
  o["kind"] = line.kind;
  o["amount_micros"] = line.amount;
  o["running"] = line.running;
  o["note"] = TextOrNull(line.note);
  o["request_id"] = TextOrNull(line.request_id);
  o["created_at"] = FormatUnixSeconds(line.created_at);
  o["settled_at"] = line.settled_at > 0 ? json::value(FormatUnixSeconds(line.settled_at)) : json::value(nullptr);
  return o;
}

json::object ActivityJson(const store::ActivityBucket& bucket, bool with_group) {
  json::object o;
  if (with_group) o["group"] = bucket.group;
  if (with_group && !bucket.series.empty()) o["series"] = bucket.series;
  o["requests"] = bucket.requests;
  o["errors"] = bucket.errors;
  o["prompt_tokens"] = bucket.prompt_tokens;
  o["completion_tokens"] = bucket.completion_tokens;
  o["cost_micros"] = bucket.cost;
  return o;
}

ActivityList ActivityListJson(const std::vector<store::ActivityBucket>& buckets) {
  store::ActivityBucket sum;
  ActivityList out;
  for (const auto& b : buckets) {
    sum.requests += b.requests;
    sum.errors += b.errors;
    sum.prompt_tokens += b.prompt_tokens;
    sum.completion_tokens += b.completion_tokens;
    sum.cost += b.cost;
    out.buckets.push_back(ActivityJson(b, true));
  }
  out.totals = ActivityJson(sum, false);
  return out;
}

}  // namespace turnpike::control
