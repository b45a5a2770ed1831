#include "control/static_files.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/crypto.h"

namespace turnpike::control {
namespace fs = std::filesystem;

namespace {

constexpr uintmax_t kMaxTotalBytes = 64u << 20;

std::string_view ContentType(std::string_view path) {
  static const std::pair<std::string_view, std::string_view> kTypes[] = {
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".json", "application/json"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".jpg", "image/jpeg"},
      {".ico", "image/x-icon"},
      {".webp", "image/webp"},
      {".woff2", "font/woff2"},
      {".woff", "font/woff"},
      {".txt", "text/plain; charset=utf-8"},
      {".map", "application/json"},
      {".webmanifest", "application/manifest+json"},
  };
  for (const auto& [ext, type] : kTypes) {
    if (path.ends_with(ext)) return type;
  }
  return "application/octet-stream";
}

}  // namespace

Result<StaticFiles> StaticFiles::Load(const std::string& dir) {
  std::error_code ec;
  if (!fs::is_regular_file(fs::path(dir) / "index.html", ec)) {
    return MakeError(ErrorCode::kNotFound, dir + "/index.html not found (build the dashboard: make web)");
  }
  StaticFiles files;
  uintmax_t total = 0;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    if (!it->is_regular_file(ec)) continue;
    total += it->file_size(ec);
    if (total > kMaxTotalBytes) return MakeError(ErrorCode::kTooLarge, dir + " holds more than 64 MiB");
    std::ifstream in(it->path(), std::ios::binary);
    std::ostringstream content;
    content << in.rdbuf();
    if (!in) return MakeError(ErrorCode::kInternal, "cannot read " + it->path().string());
    std::string url = "/" + fs::relative(it->path(), dir, ec).generic_string();
    StaticFile file;
    file.body = std::move(content).str();
    file.content_type = std::string(ContentType(url));
    file.etag = "\"" + crypto::Sha256Hex(file.body).substr(0, 32) + "\"";
    // Vite names everything under /assets/ after its content hash.
    file.cache_control = url.starts_with("/assets/") ? "public, max-age=31536000, immutable" : "no-cache";
    files.files_.emplace(std::move(url), std::move(file));
  }
  if (ec) return MakeError(ErrorCode::kInternal, "cannot read " + dir + ": " + ec.message());
  return files;
}

const StaticFile* StaticFiles::Find(std::string_view path) const {
  if (path == "/") path = "/index.html";
  if (path.find("..") != std::string_view::npos) return nullptr;
  auto it = files_.find(path);
  return it == files_.end() ? nullptr : &it->second;
}

const StaticFile* StaticFiles::ForBrowser(std::string_view path) const {
  if (const StaticFile* file = Find(path)) return file;
  std::string_view last = path.substr(path.rfind('/') + 1);
  if (last.find('.') != std::string_view::npos || path.starts_with("/assets/")) return nullptr;
  return Find("/index.html");
}

Reply StaticReply(const StaticFile& file, std::string_view if_none_match) {
  Reply reply;
  reply.content_type = file.content_type;
  reply.headers.push_back(Header{"ETag", file.etag});
  reply.headers.push_back(Header{"Cache-Control", file.cache_control});
  if (!if_none_match.empty() && if_none_match.find(file.etag) != std::string_view::npos) {
    reply.status = 304;
    return reply;
  }
  reply.body = file.body;
  return reply;
}

}  // namespace turnpike::control
