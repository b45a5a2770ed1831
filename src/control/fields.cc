#include "control/fields.h"

#include <boost/json.hpp>
#include <boost/url/parse_query.hpp>
#include <charconv>

#include "control/time_format.h"

namespace turnpike::control {
namespace json = boost::json;

size_t Utf8Length(std::string_view text) {
  size_t n = 0;
  for (unsigned char ch : text) n += (ch & 0xC0) != 0x80;
  return n;
}

Result<Fields> Fields::FromBody(std::string_view body, size_t max_bytes) {
  if (body.size() > max_bytes) {
    return MakeError(ErrorCode::kTooLarge, "Request body is larger than " + std::to_string(max_bytes) + " bytes");
  }
  if (body.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    return MakeError(ErrorCode::kBadRequest, "Request body must be a JSON object (it is empty)");
  }
  boost::system::error_code ec;
  json::value value = json::parse(body, ec);
  if (ec) return MakeError(ErrorCode::kBadRequest, "Request body is not valid JSON: " + ec.message());
  if (!value.is_object()) return MakeError(ErrorCode::kBadRequest, "Request body must be a JSON object");
  return Fields(std::move(value.as_object()), false);
}

Result<Fields> Fields::FromQuery(std::string_view query) {
  json::object object;
  if (query.empty()) return Fields(std::move(object), true);
  auto params = boost::urls::parse_query(query);
  if (!params) return MakeError(ErrorCode::kBadRequest, "Malformed query string");
  boost::urls::encoding_opts opts;
  opts.space_as_plus = true;
  for (auto param : *params) {
    std::string key = param.key.decode(opts);
    object[key] = param.has_value ? param.value.decode(opts) : std::string();
  }
  return Fields(std::move(object), true);
}

const json::value* Fields::Find(std::string_view name) const {
  auto it = object_.find(name);
  return it == object_.end() ? nullptr : &it->value();
}

bool Fields::Has(std::string_view name) const { return Find(name) != nullptr; }

bool Fields::IsNull(std::string_view name) const {
  const json::value* v = Find(name);
  return v && v->is_null();
}

void Fields::Fail(std::string_view name, std::string message) {
  if (error_) return;
  error_param_ = prefix_ + std::string(name);
  error_ = MakeError(ErrorCode::kBadRequest, error_param_ + " " + message);
}

void Fields::Adopt(const Fields& nested) {
  if (error_ || !nested.error_) return;
  error_ = nested.error_;
  error_param_ = nested.error_param_;
}

void Fields::AllowOnly(std::initializer_list<std::string_view> names) {
  for (const auto& member : object_) {
    bool known = false;
    for (std::string_view name : names) known = known || member.key() == name;
    if (!known) {
      Fail(member.key(), "is not a field of this request");
      return;
    }
  }
}

bool Fields::Absent(const json::value* v, std::string_view name, Need need) {
  bool empty_in_query = from_query_ && v && v->is_string() && v->as_string().empty();
  if (v && !v->is_null() && !empty_in_query) return false;
  if (need == Need::kRequired) {
    Fail(name, "is required");
  } else if (v && v->is_null() && !from_query_) {
    Fail(name, "must not be null");
  }
  return true;
}

Reply Fields::Failure() const { return ErrorReply(*error_, error_param_); }

std::optional<std::string> Fields::String(std::string_view name, Need need, size_t max_chars, size_t min_chars) {
  const json::value* v = Find(name);
  if (Absent(v, name, need)) return std::nullopt;
  if (!v->is_string()) {
    Fail(name, "must be a string");
    return std::nullopt;
  }
  std::string s(v->as_string());
  size_t length = Utf8Length(s);
  if (length < min_chars || length > max_chars) {
    Fail(name, "must be " + std::to_string(min_chars) + " to " + std::to_string(max_chars) + " characters");
    return std::nullopt;
  }
  return s;
}

std::optional<std::vector<std::string>> Fields::Strings(std::string_view name, Need need, size_t max_items,
                                                        size_t max_chars) {
  const json::value* v = Find(name);
  if (Absent(v, name, need)) return std::nullopt;
  if (!v->is_array() || v->as_array().size() > max_items) {
    Fail(name, "must be an array of at most " + std::to_string(max_items) + " strings");
    return std::nullopt;
  }
  std::vector<std::string> items;
  for (const json::value& item : v->as_array()) {
    size_t length = item.is_string() ? Utf8Length(item.as_string()) : 0;
    if (length == 0 || length > max_chars) {
      Fail(name, "must hold strings of 1 to " + std::to_string(max_chars) + " characters");
      return std::nullopt;
    }
    items.emplace_back(item.as_string());
  }
  return items;
}

std::optional<Fields> Fields::Object(std::string_view name, Need need) {
  const json::value* v = Find(name);
  if (Absent(v, name, need)) return std::nullopt;
  if (!v->is_object()) {
    Fail(name, "must be an object");
    return std::nullopt;
  }
  return Fields(v->as_object(), false, prefix_ + std::string(name) + ".");
}

std::optional<bool> Fields::Bool(std::string_view name) {
  const json::value* v = Find(name);
  if (Absent(v, name, Need::kOptional)) return std::nullopt;
  if (v->is_bool()) return v->as_bool();
  if (from_query_ && v->is_string()) {
    std::string_view s = v->as_string();
    if (s == "true" || s == "1") return true;
    if (s == "false" || s == "0") return false;
  }
  Fail(name, "must be true or false");
  return std::nullopt;
}

std::optional<int64_t> Fields::Int(std::string_view name, int64_t min, int64_t max, Need need) {
  const json::value* v = Find(name);
  if (Absent(v, name, need)) return std::nullopt;
  std::optional<int64_t> parsed;
  if (v->is_int64()) {
    parsed = v->as_int64();
  } else if (v->is_uint64() && v->as_uint64() <= static_cast<uint64_t>(INT64_MAX)) {
    parsed = static_cast<int64_t>(v->as_uint64());
  } else if (from_query_ && v->is_string()) {
    std::string_view s = v->as_string();
    int64_t n = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
    if (ec == std::errc() && p == s.data() + s.size()) parsed = n;
  }
  if (!parsed || *parsed < min || *parsed > max) {
    Fail(name, "must be an integer from " + std::to_string(min) + " to " + std::to_string(max));
    return std::nullopt;
  }
  return parsed;
}

std::optional<money::Micros> Fields::Usd(std::string_view name, Need need) {
  const json::value* v = Find(name);
  if (Absent(v, name, need)) return std::nullopt;
  std::string text;
  if (v->is_string()) {
    text = std::string(v->as_string());
  } else if (v->is_int64()) {
    text = std::to_string(v->as_int64());
  } else if (v->is_uint64()) {
    text = std::to_string(v->as_uint64());
  } else if (v->is_double()) {
    // The shortest text that reads back as the same double is what the client wrote for any
    // amount with up to 15 significant digits; anything else (1e-7, 1e300) fails ParseUsd.
    char buf[64];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v->as_double());
    if (ec == std::errc()) text.assign(buf, end);
  }
  auto micros = money::ParseUsd(text);
  if (!micros) {
    Fail(name, "must be a USD amount such as \"12.50\" or 12.5 (at most 6 decimals)");
    return std::nullopt;
  }
  return micros;
}

std::optional<int64_t> Fields::TimeMillis(std::string_view name) {
  const json::value* v = Find(name);
  if (Absent(v, name, Need::kOptional)) return std::nullopt;
  if (v->is_string()) {
    if (auto ms = ParseIsoMillis(v->as_string())) return ms;
  }
  Fail(name, "must be an ISO 8601 time such as \"2026-01-31T12:00:00Z\" or a date \"2026-01-31\"");
  return std::nullopt;
}

}  // namespace turnpike::control
