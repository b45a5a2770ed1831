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

namespace {

std::string Base64(const std::string& bytes) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    const uint32_t v = (static_cast<uint8_t>(bytes[i]) << 16) | (static_cast<uint8_t>(bytes[i + 1]) << 8) |
                       static_cast<uint8_t>(bytes[i + 2]);
    for (int shift : {18, 12, 6, 0}) out += kAlphabet[(v >> shift) & 63];
  }
  if (i < bytes.size()) {
    uint32_t v = static_cast<uint8_t>(bytes[i]) << 16;
    if (i + 1 < bytes.size()) v |= static_cast<uint8_t>(bytes[i + 1]) << 8;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += i + 1 < bytes.size() ? kAlphabet[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

std::string HexToBytes(const std::string& hex) {
  std::string bytes;
  auto nibble = [](char c) { return c <= '9' ? c - '0' : c - 'a' + 10; };
  for (size_t i = 0; i + 1 < hex.size(); i += 2)
    bytes.push_back(static_cast<char>(nibble(hex[i]) * 16 + nibble(hex[i + 1])));
  return bytes;
}

// 'sha256-…' of each inline <script> (one without src=) in `html`, as CSP hashes them: the exact
// text between the tags.
std::vector<std::string> InlineScriptHashes(const std::string& html) {
  std::vector<std::string> hashes;
  size_t pos = 0;
  while ((pos = html.find("<script", pos)) != std::string::npos) {
    const size_t tag_end = html.find('>', pos);
    if (tag_end == std::string::npos) break;
    const std::string tag = html.substr(pos, tag_end - pos);
    const size_t close = html.find("</script>", tag_end);
    if (close == std::string::npos) break;
    if (tag.find(" src=") == std::string::npos) {
      const std::string text = html.substr(tag_end + 1, close - tag_end - 1);
      hashes.push_back("'sha256-" + Base64(HexToBytes(crypto::Sha256Hex(text))) + "'");
    }
    pos = close;
  }
  return hashes;
}

}  // namespace

std::string DashboardContentSecurityPolicy(const StaticFiles& files, const std::vector<std::string>& connect_sources) {
  std::string script = "script-src 'self'";
  if (const StaticFile* index = files.Find("/index.html")) {
    for (const auto& hash : InlineScriptHashes(index->body)) script += " " + hash;
  }
  std::string connect = "connect-src 'self'";
  for (const auto& source : connect_sources) connect += " " + source;
  return "default-src 'self'; " + script + "; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
         "font-src 'self' data:; " + connect +
         "; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";
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
