// Reading request input: a JSON object body (with a size limit) or a query string, member by
// member, with checks. The first problem is remembered with the member it concerns, so a
// handler reads every member and then checks once:
//
//   auto fields = Fields::FromBody(request.body, kMaxBody);
//   if (!fields.ok()) return ErrorReply(fields.error());
//   auto name = fields->String("name", Need::kRequired, 100);
//   auto limit = fields->Usd("limit_usd");
//   if (!fields->ok()) return fields->Failure();   // 400 naming the member
//
// Not thread-safe (one per request).
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/money.h"
#include "common/result.h"
#include "control/reply.h"

namespace turnpike::control {

enum class Need { kOptional, kRequired };

class Fields {
 public:
  // The body must be one JSON object of at most `max_bytes` (kTooLarge beyond, kBadRequest when
  // it is not valid JSON, not an object, or empty).
  static Result<Fields> FromBody(std::string_view body, size_t max_bytes);
  // "a=1&b=x%20y" (percent-decoding, '+' as space). A name given twice keeps the last value.
  // kBadRequest on a malformed encoding.
  static Result<Fields> FromQuery(std::string_view query);

  // True when the member is present, even as null.
  bool Has(std::string_view name) const;
  // True when the member is present and null.
  bool IsNull(std::string_view name) const;

  // Every reader below returns nullopt for an absent member (an error when it is required) and
  // for a bad one (recording the problem). A null member in a body is an error ("must not be
  // null"): for members that may be null, check IsNull() first. In a query, an empty value
  // counts as absent.
  //
  // A string of min_chars..max_chars characters (UTF-8 code points).
  std::optional<std::string> String(std::string_view name, Need need, size_t max_chars, size_t min_chars = 1);
  // An array of at most max_items strings of 1..max_chars characters each.
  std::optional<std::vector<std::string>> Strings(std::string_view name, Need need, size_t max_items, size_t max_chars);
  // A member that is itself an object, read like a body; its problems name "name.member" and
  // reach this one through Adopt(). nullopt when absent (a problem when required) or not an object.
  std::optional<Fields> Object(std::string_view name, Need need);
  // Takes the first problem of `nested` (made by Object()) when this has none yet.
  void Adopt(const Fields& nested);
  // Records a problem for the first member (of a body) whose name is not in `names`.
  void AllowOnly(std::initializer_list<std::string_view> names);
  // true/false (in a query: "true"/"false"/"1"/"0").
  std::optional<bool> Bool(std::string_view name);
  // An integer within [min, max] (in a query: decimal digits).
  std::optional<int64_t> Int(std::string_view name, int64_t min, int64_t max, Need need = Need::kOptional);
  // A USD amount as a decimal string or a JSON number ("12.50", 12.5), at most 6 decimals, in
  // micro-USD. Negative amounts pass; callers check their range.
  std::optional<money::Micros> Usd(std::string_view name, Need need = Need::kOptional);
  // An ISO 8601 time (see time_format.h), in unix milliseconds.
  std::optional<int64_t> TimeMillis(std::string_view name);

  // Records a problem with `name` found by the caller (keeps the first one).
  void Fail(std::string_view name, std::string message);

  bool ok() const { return !error_; }
  // The 400 naming the first bad member. Only when !ok().
  Reply Failure() const;

 private:
  Fields(boost::json::object object, bool from_query, std::string prefix = "")
      : object_(std::move(object)), from_query_(from_query), prefix_(std::move(prefix)) {}
  const boost::json::value* Find(std::string_view name) const;
  // True when `v` (the member `name`) is absent, null or an empty query value; records the
  // problem when that is not allowed.
  bool Absent(const boost::json::value* v, std::string_view name, Need need);

  boost::json::object object_;
  bool from_query_ = false;
  std::string prefix_;  // "prices." for the members of a nested object
  std::optional<Error> error_;
  std::string error_param_;
};

// Number of UTF-8 code points in `text` (bytes that are not continuation bytes).
size_t Utf8Length(std::string_view text);

}  // namespace turnpike::control
