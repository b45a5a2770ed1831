#include "store/request_log.h"

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

}  // namespace turnpike::store
