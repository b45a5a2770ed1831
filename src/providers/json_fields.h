// Lenient reads of provider JSON, shared by the adapters: a member of the wrong type reads as
// absent, so an odd answer degrades to "no value" instead of an exception. Pure; any thread.
#pragma once

#include <boost/json/fwd.hpp>
#include <string>
#include <string_view>

namespace turnpike::providers {

// The string member `key` of `object`; "" when absent or not a string.
std::string StringMember(const boost::json::object& object, std::string_view key);

// The object member `key` of `object`; nullptr when absent or not an object.
const boost::json::object* ObjectMember(const boost::json::object& object, std::string_view key);

// The first object in the array member `array_key` of `object` whose "index" is 0, absent or
// null (OpenAI's choices, Gemini's candidates); nullptr when there is none.
const boost::json::object* IndexZeroElement(const boost::json::object& object, std::string_view array_key);

}  // namespace turnpike::providers
