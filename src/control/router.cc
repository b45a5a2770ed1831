#include "control/router.h"

namespace turnpike::control {
namespace {

// "/a/b/" -> {"a", "b", ""}; "/" -> {""}.
std::vector<std::string_view> Split(std::string_view path) {
  std::vector<std::string_view> parts;
  if (!path.empty() && path.front() == '/') path.remove_prefix(1);
  while (true) {
    size_t slash = path.find('/');
    parts.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return parts;
}

bool IsParam(std::string_view segment) { return segment.size() > 2 && segment.front() == '{' && segment.back() == '}'; }

}  // namespace

std::string_view FindParam(const PathParams& params, std::string_view name) {
  for (const auto& [key, value] : params) {
    if (key == name) return value;
  }
  return {};
}

void Router::Add(std::string method, std::string_view pattern, int id) {
  Route route{std::move(method), {}, id};
  for (std::string_view part : Split(pattern)) route.segments.emplace_back(part);
  routes_.push_back(std::move(route));
}

bool Router::MatchSegments(const Route& route, const std::vector<std::string_view>& parts, PathParams& params) {
  if (route.segments.size() != parts.size()) return false;
  params.clear();
  for (size_t i = 0; i < parts.size(); ++i) {
    const std::string& segment = route.segments[i];
    if (IsParam(segment)) {
      if (parts[i].empty()) return false;
      params.emplace_back(segment.substr(1, segment.size() - 2), std::string(parts[i]));
    } else if (segment != parts[i]) {
      return false;
    }
  }
  return true;
}

Router::Match Router::Find(std::string_view method, std::string_view path) const {
  Match match;
  std::vector<std::string_view> parts = Split(path);
  PathParams params;
  for (const Route& route : routes_) {
    if (!MatchSegments(route, parts, params)) continue;
    if (route.method == method) {
      match.outcome = Match::Outcome::kFound;
      match.id = route.id;
      match.params = std::move(params);
      match.allow.clear();
      return match;
    }
    match.outcome = Match::Outcome::kNoMethod;
    if (match.allow.find(route.method) == std::string::npos) {
      if (!match.allow.empty()) match.allow += ", ";
      match.allow += route.method;
    }
  }
  return match;
}

}  // namespace turnpike::control
