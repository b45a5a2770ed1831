// The settlement journal's row format: one JSON object per settlement.
#include <boost/json.hpp>

#include "store/settlement_journal.h"

namespace turnpike::store {
namespace json = boost::json;
namespace {

json::object EncodeCharge(const ChargeRequest& c) {
  return {{"request_id", c.request_id}, {"user_id", c.user_id}, {"key_id", c.key_id},  {"held", c.held},
          {"actual", c.actual},         {"owner", c.owner},     {"held_at", c.held_at}};
}

json::object EncodeRow(const RequestLogRow& r) {
  json::array attempts;
  for (const Attempt& a : r.attempts) {
    attempts.push_back(
        json::object{{"provider", a.provider}, {"status", a.status}, {"error", a.error}, {"latency_ms", a.latency_ms}});
  }
  json::array routing;
  for (const RoutingStep& s : r.routing) {
    routing.push_back(json::object{{"provider", s.provider},
                                   {"model", s.model},
                                   {"outcome", s.outcome},
                                   {"status", s.status},
                                   {"reason", s.reason}});
  }
  return {{"request_id", r.request_id},
          {"user_id", r.user_id},
          {"key_id", r.key_id},
          {"model_id", r.model_id},
          {"provider_id", r.provider_id},
          {"upstream_model", r.upstream_model},
          {"streamed", r.streamed},
          {"prompt_tokens", r.prompt_tokens},
          {"completion_tokens", r.completion_tokens},
          {"cached_tokens", r.cached_tokens},
          {"reasoning_tokens", r.reasoning_tokens},
          {"cost", r.cost},
          {"estimated", r.usage_source == UsageSource::kEstimated},
          {"latency_ms", r.latency_ms},
          {"ttft_ms", r.ttft_ms},
          {"http_status", r.http_status},
          {"finish_reason", r.finish_reason},
          {"error_message", r.error_message},
          {"created_at", r.created_at},
          {"prices", json::array{r.prices.input, r.prices.output, r.prices.cache_read, r.prices.cache_write}},
          {"prompt_text", r.prompt_text},
          {"completion_text", r.completion_text},
          {"attempts", std::move(attempts)},
          {"routing", std::move(routing)}};
}

// Readers that fail the whole decode on a missing or mistyped member.
struct Reader {
  const json::object& o;
  bool ok = true;
  // `as` answers a pointer to the member's value when it has the expected type, else null.
  template <class T, class As>
  T Get(std::string_view k, As as) {
    const json::value* v = o.if_contains(k);
    const auto* p = v ? as(*v) : nullptr;
    if (!p) {
      ok = false;
      return T{};
    }
    return T(*p);
  }
  int64_t Int(std::string_view k) {
    return Get<int64_t>(k, [](const json::value& v) { return v.if_int64(); });
  }
  std::string Str(std::string_view k) {
    return Get<std::string>(k, [](const json::value& v) { return v.if_string(); });
  }
  bool Bool(std::string_view k) {
    return Get<bool>(k, [](const json::value& v) { return v.if_bool(); });
  }
};

std::optional<ChargeRequest> DecodeCharge(const json::object& o) {
  Reader r{o};
  ChargeRequest c{r.Str("request_id"), r.Int("user_id"), r.Int("key_id"), r.Int("held"),
                  r.Int("actual"),     r.Str("owner"),   r.Int("held_at")};
  if (!r.ok) return std::nullopt;
  return c;
}

std::optional<RequestLogRow> DecodeRow(const json::object& o) {
  Reader r{o};
  RequestLogRow row;
  row.request_id = r.Str("request_id");
  row.user_id = r.Int("user_id");
  row.key_id = r.Int("key_id");
  row.model_id = r.Str("model_id");
  row.provider_id = r.Str("provider_id");
  row.upstream_model = r.Str("upstream_model");
  row.streamed = r.Bool("streamed");
  row.prompt_tokens = r.Int("prompt_tokens");
  row.completion_tokens = r.Int("completion_tokens");
  row.cached_tokens = r.Int("cached_tokens");
  row.reasoning_tokens = r.Int("reasoning_tokens");
  row.cost = r.Int("cost");
  row.usage_source = r.Bool("estimated") ? UsageSource::kEstimated : UsageSource::kProvider;
  row.latency_ms = r.Int("latency_ms");
  row.ttft_ms = r.Int("ttft_ms");
  row.http_status = static_cast<int>(r.Int("http_status"));
  row.finish_reason = r.Str("finish_reason");
  row.error_message = r.Str("error_message");
  row.created_at = r.Int("created_at");
  row.prompt_text = r.Str("prompt_text");
  row.completion_text = r.Str("completion_text");
  const json::value* prices = o.if_contains("prices");
  const json::array* p = prices ? prices->if_array() : nullptr;
  if (!p || p->size() != 4) return std::nullopt;
  for (const auto& v : *p) {
    if (!v.is_int64()) return std::nullopt;
  }
  row.prices = {(*p)[0].get_int64(), (*p)[1].get_int64(), (*p)[2].get_int64(), (*p)[3].get_int64()};
  const json::value* attempts = o.if_contains("attempts");
  if (!attempts || !attempts->is_array()) return std::nullopt;
  for (const auto& a : attempts->get_array()) {
    if (!a.is_object()) return std::nullopt;
    Reader ar{a.get_object()};
    row.attempts.push_back(
        Attempt{ar.Str("provider"), static_cast<int>(ar.Int("status")), ar.Str("error"), ar.Int("latency_ms")});
    if (!ar.ok) return std::nullopt;
  }
  // Rows journaled before the log kept the routing explanation have none.
  if (const json::value* routing = o.if_contains("routing")) {
    if (!routing->is_array()) return std::nullopt;
    for (const auto& step : routing->get_array()) {
      if (!step.is_object()) return std::nullopt;
      Reader sr{step.get_object()};
      row.routing.push_back(RoutingStep{sr.Str("provider"), sr.Str("model"), sr.Str("outcome"),
                                        static_cast<int>(sr.Int("status")), sr.Str("reason")});
      if (!sr.ok) return std::nullopt;
    }
  }
  if (!r.ok) return std::nullopt;
  return row;
}

}  // namespace

std::string EncodeSettlement(const Settlement& s) {
  json::object o{{"key_id", s.key_id}, {"used_at", s.used_at}};
  if (s.charge) o["charge"] = EncodeCharge(*s.charge);
  if (s.row) o["row"] = EncodeRow(*s.row);
  return json::serialize(o);
}

Result<Settlement> DecodeSettlement(std::string_view text) {
  const Error bad = MakeError(ErrorCode::kInternal, "a settlement journal row is not readable");
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_object()) return bad;
  const json::object& o = v.get_object();
  Reader r{o};
  Settlement s;
  s.key_id = r.Int("key_id");
  s.used_at = r.Int("used_at");
  if (!r.ok) return bad;
  if (const json::value* c = o.if_contains("charge")) {
    if (!c->is_object() || !(s.charge = DecodeCharge(c->get_object()))) return bad;
  }
  if (const json::value* row = o.if_contains("row")) {
    if (!row->is_object() || !(s.row = DecodeRow(row->get_object()))) return bad;
  }
  return s;
}

}  // namespace turnpike::store
