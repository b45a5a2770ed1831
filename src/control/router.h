// Matches a request's method and path against route patterns such as "/api/keys/{id}/rotate".
// A pattern is literal segments and "{name}" segments (one non-empty path segment each, not
// decoded). Pure; immutable after set-up, so Match is thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace turnpike::control {

using PathParams = std::vector<std::pair<std::string, std::string>>;

// The value of path parameter `name`; "" when absent.
std::string_view FindParam(const PathParams& params, std::string_view name);

class Router {
 public:
  // Adds a route; `id` is what Match returns for it. Patterns start with '/'.
  void Add(std::string method, std::string_view pattern, int id);

  struct Match {
    enum class Outcome { kFound, kNoPath, kNoMethod };
    Outcome outcome = Outcome::kNoPath;
    int id = -1;        // kFound: the route's id
    PathParams params;  // kFound: the path parameters
    std::string allow;  // kNoMethod: the methods the path accepts, "GET, POST"
  };
  // A path matching no pattern is kNoPath; one matching only with other methods, kNoMethod.
  // When several patterns match, the first added wins (add literal routes before parameters).
  Match Find(std::string_view method, std::string_view path) const;

 private:
  struct Route {
    std::string method;
    std::vector<std::string> segments;  // "{name}" marks a parameter
    int id = 0;
  };
  static bool MatchSegments(const Route& route, const std::vector<std::string_view>& parts, PathParams& params);

  std::vector<Route> routes_;
};

}  // namespace turnpike::control
