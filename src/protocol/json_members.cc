#include "protocol/json_members.h"

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <cmath>
#include <functional>

namespace turnpike::protocol {
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

size_t SkipSpace(std::string_view s, size_t i) {
  while (i < s.size() && IsSpace(s[i])) ++i;
  return i;
}

// i at the opening quote; returns the offset after the closing quote.
size_t SkipString(std::string_view s, size_t i) {
  for (++i; i < s.size(); ++i) {
    if (s[i] == '\\') {
      ++i;
    } else if (s[i] == '"') {
      return i + 1;
    }
  }
  return s.size();
}

size_t SkipValue(std::string_view s, size_t i) {
  if (i >= s.size()) return i;
  if (s[i] == '"') return SkipString(s, i);
  if (s[i] == '{' || s[i] == '[') {
    int depth = 0;
    while (i < s.size()) {
      char c = s[i];
      if (c == '"') {
        i = SkipString(s, i);
        continue;
      }
      if (c == '{' || c == '[') ++depth;
      if (c == '}' || c == ']') {
        if (--depth == 0) return i + 1;
      }
      ++i;
    }
    return i;
  }
  while (i < s.size() && s[i] != ',' && s[i] != '}' && s[i] != ']' && !IsSpace(s[i])) ++i;
  return i;
}

}  // namespace

std::optional<ObjectLayout> ScanObject(std::string_view s) {
  size_t i = SkipSpace(s, 0);
  if (i >= s.size() || s[i] != '{') return std::nullopt;
  ObjectLayout layout;
  layout.members.reserve(12);  // an answer or a chunk has about this many members
  ++i;
  for (;;) {
    i = SkipSpace(s, i);
    if (i >= s.size()) return std::nullopt;
    if (s[i] == '}') {
      layout.close_brace = i;
      return layout;
    }
    if (s[i] == ',') {
      ++i;
      continue;
    }
    if (s[i] != '"') return std::nullopt;
    size_t key_end = SkipString(s, i);
    MemberSpan m;
    m.raw_key = s.substr(i + 1, key_end - i - 2);
    if (m.raw_key.find('\\') != std::string_view::npos) {
      // The document is valid JSON, so the quoted key is a valid JSON string.
      boost::system::error_code ec;
      auto decoded = boost::json::parse(s.substr(i, key_end - i), ec);
      if (ec || !decoded.is_string()) return std::nullopt;
      m.escaped = true;
      m.decoded_key = std::string(decoded.get_string());
    }
    i = SkipSpace(s, key_end);
    if (i >= s.size() || s[i] != ':') return std::nullopt;
    i = SkipSpace(s, i + 1);
    m.value_begin = i;
    m.value_end = SkipValue(s, i);
    i = m.value_end;
    layout.members.push_back(std::move(m));
  }
}

const MemberSpan* FindMember(const ObjectLayout& layout, std::string_view key) {
  for (const auto& m : layout.members) {
    if (m.key() == key) return &m;
  }
  return nullptr;
}

Edit SetMember(std::string_view json, const ObjectLayout& layout, std::string_view key, std::string value_json) {
  if (const MemberSpan* m = FindMember(layout, key)) return Edit{m->value_begin, m->value_end, std::move(value_json)};
  std::string text = layout.members.empty() ? "" : ",";
  text += "\"" + std::string(key) + "\":" + value_json;
  // Insert after the last member's value so trailing whitespace stays before the brace.
  size_t at = layout.members.empty() ? layout.close_brace : layout.members.back().value_end;
  return Edit{at, at, std::move(text)};
}

std::string ApplyEdits(std::string_view json, std::vector<Edit> edits) {
  std::sort(edits.begin(), edits.end(), [](const Edit& a, const Edit& b) { return a.begin < b.begin; });
  std::string out;
  out.reserve(json.size() + 64);
  size_t pos = 0;
  for (auto& e : edits) {
    out.append(json.substr(pos, e.begin - pos));
    out.append(e.text);
    pos = e.end;
  }
  out.append(json.substr(pos));
  return out;
}

void AddRemovals(std::string_view json, const ObjectLayout& layout,
                 const std::function<bool(std::string_view key, std::string_view value)>& drop,
                 std::vector<Edit>& edits) {
  const auto& members = layout.members;
  bool kept_before = false;  // a member before this one stays
  for (size_t i = 0; i < members.size(); ++i) {
    const auto& m = members[i];
    if (!drop(m.key(), json.substr(m.value_begin, m.value_end - m.value_begin))) {
      kept_before = true;
      continue;
    }
    // Remove from the end of the previous member's value (its comma included) when a member
    // before this one stays; otherwise (all before it removed too) up to the next member's key,
    // so the edits of adjacent removed members never overlap.
    size_t key_begin = static_cast<size_t>(m.raw_key.data() - json.data()) - 1;
    if (kept_before) {
      edits.push_back(Edit{members[i - 1].value_end, m.value_end, ""});
    } else if (i + 1 < members.size()) {
      edits.push_back(Edit{key_begin, static_cast<size_t>(members[i + 1].raw_key.data() - json.data()) - 1, ""});
    } else {
      edits.push_back(Edit{key_begin, m.value_end, ""});
    }
  }
}

std::string RemoveMembers(std::string_view json,
                          const std::function<bool(std::string_view key, std::string_view value)>& drop) {
  auto layout = ScanObject(json);
  if (!layout) return std::string(json);
  std::vector<Edit> edits;
  AddRemovals(json, *layout, drop, edits);
  if (edits.empty()) return std::string(json);
  return ApplyEdits(json, std::move(edits));
}

namespace {

// The predicate for RemoveMembers / AddRemovals: a member named in `keys` whose value is null.
auto NullOneOf(std::initializer_list<std::string_view> keys) {
  return [keys](std::string_view key, std::string_view value) {
    return value == "null" && std::find(keys.begin(), keys.end(), key) != keys.end();
  };
}

}  // namespace

std::string RemoveNullMembers(std::string_view json, std::initializer_list<std::string_view> keys) {
  return RemoveMembers(json, NullOneOf(keys));
}

void RemoveNullMembers(std::string_view json, const ObjectLayout& layout, std::initializer_list<std::string_view> keys,
                       std::vector<Edit>& edits) {
  AddRemovals(json, layout, NullOneOf(keys), edits);
}

bool AllNumbersFinite(const boost::json::value& v) {
  if (v.is_double()) return std::isfinite(v.get_double());
  if (const auto* a = v.if_array()) return std::all_of(a->begin(), a->end(), AllNumbersFinite);
  if (const auto* o = v.if_object()) {
    return std::all_of(o->begin(), o->end(), [](const auto& member) { return AllNumbersFinite(member.value()); });
  }
  return true;
}

std::optional<int64_t> WholeNumber(const boost::json::value& v) {
  if (v.is_int64()) return v.get_int64();
  if (v.is_uint64() && v.get_uint64() <= static_cast<uint64_t>(INT64_MAX)) return static_cast<int64_t>(v.get_uint64());
  if (v.is_double() && std::isfinite(v.get_double()) && v.get_double() == std::floor(v.get_double()) &&
      std::abs(v.get_double()) < 9e15) {
    return static_cast<int64_t>(v.get_double());
  }
  return std::nullopt;
}

int64_t JsonSize(const boost::json::value& v) { return static_cast<int64_t>(boost::json::serialize(v).size()); }

}  // namespace turnpike::protocol
