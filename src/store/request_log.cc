#include "store/request_log.h"

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

struct WindowStarts {
  int64_t day, week, month;  // unix seconds, UTC midnights
};

WindowStarts StartsAround(int64_t now_unix) {
  const int64_t day = now_unix - now_unix % 86'400;
  const int64_t days_since_monday = (day / 86'400 + 3) % 7;  // 1970-01-01 was a Thursday
  std::tm tm{};
  const std::time_t t = static_cast<std::time_t>(now_unix);
  gmtime_r(&t, &tm);
  return {day, day - days_since_monday * 86'400, day - static_cast<int64_t>(tm.tm_mday - 1) * 86'400};
}

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
  const WindowStarts w = StartsAround(now_unix);
  ActivityQuery query;
  query.user_id = user_id;
  query.from_ms = std::min(w.week, w.month) * 1000;
  query.group_by = "day";
  query.split_by = "key";
  return query;
}

SpendWindows SpendWindowsOf(const std::vector<ActivityBucket>& buckets, int64_t key_id, int64_t now_unix) {
  const WindowStarts w = StartsAround(now_unix);
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
