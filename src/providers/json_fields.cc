#include "providers/json_fields.h"

#include <boost/json.hpp>

namespace turnpike::providers {
namespace json = boost::json;

std::string StringMember(const json::object& object, std::string_view key) {
  const auto* v = object.if_contains(key);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

const json::object* ObjectMember(const json::object& object, std::string_view key) {
  const auto* v = object.if_contains(key);
  return v ? v->if_object() : nullptr;
}

const json::object* IndexZeroElement(const json::object& object, std::string_view array_key) {
  const auto* array = object.if_contains(array_key);
  if (!array || !array->is_array()) return nullptr;
  for (const auto& e : array->get_array()) {
    const auto* element = e.if_object();
    if (!element) continue;
    const auto* index = element->if_contains("index");
    if (!index || index->is_null() || (index->is_number() && index->to_number<double>() == 0)) return element;
  }
  return nullptr;
}

}  // namespace turnpike::providers
