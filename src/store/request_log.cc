#include "store/request_log.h"

#include "common/clock.h"

#include <algorithm>
#include <ctime>

#include <boost/json.hpp>

namespace turnpike::store {

std::string AttemptsJson(const std::vector<Attempt>& attempts) {
  boost::json::array out;
  for (const Attempt& a : attempts) {
    out.push_back(boost::json::object{
        {"provider", a.provider}, {"status", a.status}, {"error", a.error}, {"latency_ms", a.latency_ms}});
  }
  return boost::json::serialize(out);
}

std::vector<Attempt> ParseAttemptsJson(std::string_view text) {
  std::vector<Attempt> attempts;
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(text, ec);
  if (ec || !v.is_array()) return attempts;
  for (const auto& item : v.as_array()) {
    const auto* o = item.if_object();
    if (!o) continue;
    Attempt a;
    if (auto* p = o->if_contains("provider"); p && p->is_string()) a.provider = std::string(p->as_string());
    if (auto* p = o->if_contains("status"); p && p->is_int64()) a.status = static_cast<int>(p->as_int64());
    if (auto* p = o->if_contains("error"); p && p->is_string()) a.error = std::string(p->as_string());
    if (auto* p = o->if_contains("latency_ms"); p && p->is_int64()) a.latency_ms = p->as_int64();
    attempts.push_back(std::move(a));
  }
  return attempts;
}

int64_t RowBytes(const RequestLogRow& row, std::string_view attempts_json, std::string_view routing_json) {
  const size_t text = row.request_id.size() + row.model_id.size() + row.provider_id.size() + row.upstream_model.size() +
                      row.finish_reason.size() + row.error_message.size() + row.prompt_text.size() +
                      row.completion_text.size() + attempts_json.size() + routing_json.size();
  return kRowOverheadBytes + static_cast<int64_t>(text);
}

void TruncateUtf8(std::string& text, int64_t max_bytes) {
  if (max_bytes < 0) max_bytes = 0;
  if (text.size() < static_cast<size_t>(max_bytes)) return;
  size_t end = static_cast<size_t>(max_bytes);
  // Back to the start of the last character that begins before `end`; keep it if it ends there.
  size_t start = end;
  while (start > 0 && end - start < 4 && (static_cast<unsigned char>(text[start - 1]) & 0xC0) == 0x80) --start;
  if (start > 0) {
    const auto lead = static_cast<unsigned char>(text[start - 1]);
    const size_t length = lead < 0x80 ? 1 : lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
    if (start - 1 + length > end) end = start - 1;
  }
  text.resize(end);
}

void BoundRowText(RequestLogRow& row, const RowTextLimits& limits, LogTextBudget& budget) {
  const bool failed_for_nothing = row.http_status >= 400 && row.cost == 0;
  TruncateUtf8(row.prompt_text, failed_for_nothing ? std::min(limits.failed_prompt_bytes, limits.max_text_bytes)
                                                   : limits.max_text_bytes);
  TruncateUtf8(row.completion_text, limits.max_text_bytes);
  TruncateUtf8(row.error_message, limits.max_error_bytes);
  for (Attempt& a : row.attempts) TruncateUtf8(a.error, limits.max_error_bytes);
  row.text_hold.reset();
  auto bytes = [&row] {
    int64_t n = RowBytes(row, "");
    for (const Attempt& a : row.attempts) n += static_cast<int64_t>(a.provider.size() + a.error.size()) + 64;
    return n;
  };
  row.text_hold = budget.Take(bytes());
  if (row.text_hold) return;
  // Over the bound: the prompt and the completion go; the rest (small, capped) is held anyway.
  row.prompt_text = std::string();
  row.completion_text = std::string();
  row.text_hold = budget.Take(bytes(), /*past_bound=*/true);
}

std::string RoutingJson(const std::vector<RoutingStep>& steps) {
  boost::json::array out;
  for (const RoutingStep& s : steps) {
    out.push_back(boost::json::object{{"provider", s.provider},
                                      {"model", s.model},
                                      {"outcome", s.outcome},
                                      {"status", s.status},
                                      {"reason", s.reason}});
  }
  return boost::json::serialize(out);
}

std::vector<RoutingStep> ParseRoutingJson(std::string_view text) {
  std::vector<RoutingStep> steps;
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(text, ec);
  if (ec || !v.is_array()) return steps;
  for (const auto& item : v.as_array()) {
    const auto* o = item.if_object();
    if (!o) continue;
    RoutingStep s;
    auto text_of = [o](std::string_view k, std::string& into) {
      if (auto* p = o->if_contains(k); p && p->is_string()) into = std::string(p->as_string());
    };
    text_of("provider", s.provider);
    text_of("model", s.model);
    text_of("outcome", s.outcome);
    text_of("reason", s.reason);
    if (auto* p = o->if_contains("status"); p && p->is_int64()) s.status = static_cast<int>(p->as_int64());
    steps.push_back(std::move(s));
  }
  return steps;
}

namespace {

// "2026-12-07", the day format of ActivityBucket::group.
std::string DayOf(int64_t unix_seconds) {
  std::tm tm{};
  const std::time_t t = static_cast<std::time_t>(unix_seconds);
  gmtime_r(&t, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
  return buf;
}

}  // namespace

ActivityQuery SpendWindowsQuery(int64_t user_id, int64_t now_unix) {
  const UtcPeriodStarts w = UtcPeriodsAround(now_unix);
  ActivityQuery query;
  query.user_id = user_id;
  query.from_ms = std::min(w.week, w.month) * 1000;
  query.group_by = "day";
  query.split_by = "key";
  return query;
}

SpendWindows SpendWindowsOf(const std::vector<ActivityBucket>& buckets, int64_t key_id, int64_t now_unix) {
  const UtcPeriodStarts w = UtcPeriodsAround(now_unix);
  const std::string key = std::to_string(key_id), day = DayOf(w.day), week = DayOf(w.week), month = DayOf(w.month);
  SpendWindows out;
  for (const ActivityBucket& b : buckets) {
    if (b.series != key) continue;
    if (b.group >= day) out.day += b.cost;
    if (b.group >= week) out.week += b.cost;
    if (b.group >= month) out.month += b.cost;
  }
  return out;
}

}  // namespace turnpike::store
