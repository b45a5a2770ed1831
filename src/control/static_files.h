// The built dashboard (web/dist), read into memory once at start-up and served by the control
// listener: hashed assets are cached for a year, index.html is revalidated every time, and any
// other GET of a page path gets index.html (the dashboard routes in the browser).
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "control/reply.h"

namespace turnpike::control {

struct StaticFile {
  std::string body;
  std::string content_type;
  std::string etag;           // quoted, from a hash of the body
  std::string cache_control;  // immutable for /assets/…, no-cache otherwise
};

class StaticFiles {
 public:
  // An empty set: Find() finds nothing.
  StaticFiles() = default;

  // Reads every regular file under `dir` (at most 64 MiB in all); fails when `dir` has no
  // index.html or cannot be read.
  static Result<StaticFiles> Load(const std::string& dir);

  size_t size() const { return files_.size(); }
  bool empty() const { return files_.empty(); }

  // The file for a URL path ("/assets/index-abc.js"), or null. "/" is index.html.
  const StaticFile* Find(std::string_view path) const;

  // The file a browser GET of `path` gets: the file itself, else index.html for page paths
  // (no extension in the last segment), else null (a missing asset is a 404, not a page).
  const StaticFile* ForBrowser(std::string_view path) const;

 private:
  std::map<std::string, StaticFile, std::less<>> files_;
};

// The Content-Security-Policy of the dashboard: its own files only (scripts, styles, images,
// fonts, API calls), plus the inline <script>s of index.html by their SHA-256 (the theme is set
// before the first paint), inline styles (the UI library sets them), data: images (the icon), and
// `connect_sources` (the gateway's origin, which the playground calls). No framing, no plugins,
// no <base>, forms to itself only.
std::string DashboardContentSecurityPolicy(const StaticFiles& files, const std::vector<std::string>& connect_sources);

// The response for a GET/HEAD of `file`: 304 (no body) when `if_none_match` names its ETag.
Reply StaticReply(const StaticFile& file, std::string_view if_none_match);

}  // namespace turnpike::control
