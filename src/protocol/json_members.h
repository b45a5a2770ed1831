// Byte-level edits of a JSON object's top-level members, so a body can be forwarded with one
// member changed and every other byte (number formats, key order, spacing) untouched.
#pragma once

#include <boost/json/fwd.hpp>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace turnpike::protocol {

struct MemberSpan {
  std::string_view raw_key;  // the key as written, without quotes (escapes not decoded)
  size_t value_begin = 0;    // offsets of the value's text in the scanned document
  size_t value_end = 0;
  // The key as a JSON parser reads it: `"max_tok\u0065ns"` is max_tokens, and must be found,
  // set and removed as max_tokens, or a client could slip a member past the gateway's edits.
  std::string_view key() const { return escaped ? std::string_view(decoded_key) : raw_key; }
  bool escaped = false;     // raw_key holds a backslash escape
  std::string decoded_key;  // the decoded key when escaped
};

struct ObjectLayout {
  std::vector<MemberSpan> members;
  size_t close_brace = 0;  // offset of the object's closing '}'
};

// Scans a document holding one JSON object. The document must already be valid JSON (parse it
// first); returns nullopt if it is not an object.
std::optional<ObjectLayout> ScanObject(std::string_view json);

struct Edit {
  size_t begin = 0;  // replace [begin, end) with text; begin == end inserts
  size_t end = 0;
  std::string text;
};

// Applies non-overlapping edits (any order) to `json`.
std::string ApplyEdits(std::string_view json, std::vector<Edit> edits);

// Finds a top-level member by key (decoded: escapes in the document's keys do not hide it).
const MemberSpan* FindMember(const ObjectLayout& layout, std::string_view key);

// Edit that sets top-level member `key` to `value_json`: replaces its value when present,
// else appends it before the closing brace.
Edit SetMember(std::string_view json, const ObjectLayout& layout, std::string_view key, std::string value_json);

// `json` without the top-level members for which `drop(key, value text)` is true (the key
// decoded; commas mended). Returns `json` unchanged when there are none.
std::string RemoveMembers(std::string_view json,
                          const std::function<bool(std::string_view key, std::string_view value)>& drop);

// Adds to `edits` the removals of the top-level members for which `drop(key, value text)` is true
// (the key decoded; commas mended), to be applied with other edits of the same layout as long as
// those do not touch the removed members.
void AddRemovals(std::string_view json, const ObjectLayout& layout,
                 const std::function<bool(std::string_view key, std::string_view value)>& drop,
                 std::vector<Edit>& edits);

// `json` without the top-level members named in `keys` whose value is null (comma included).
// Returns `json` unchanged when there are none.
std::string RemoveNullMembers(std::string_view json, std::initializer_list<std::string_view> keys);
// The same as edits of a layout already scanned (AddRemovals).
void RemoveNullMembers(std::string_view json, const ObjectLayout& layout, std::initializer_list<std::string_view> keys,
                       std::vector<Edit>& edits);

// Whether every number in `v` is finite. Boost.JSON reads a number beyond a double's range
// (1e309) as infinity and writes it back as `Infinity`, which is not JSON: a value holding one
// cannot be re-serialised for a provider.
bool AllNumbersFinite(const boost::json::value& v);

// A JSON number that is whole (3, 3.0, 3e2) and within ±9·10¹⁵, as an integer; nullopt for
// anything else (a fraction, a string, a number too large to be exact).
std::optional<int64_t> WholeNumber(const boost::json::value& v);
// The bytes of `v` as compact JSON: what a member weighs in a request whose size is estimated.
int64_t JsonSize(const boost::json::value& v);

}  // namespace turnpike::protocol
