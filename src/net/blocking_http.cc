#include "net/blocking_http.h"

#include <curl/curl.h>
#include <memory>

#include "net/curl_request.h"

namespace turnpike::net {
namespace {

struct Sink {
  std::string body;
  size_t limit = 0;
  bool too_large = false;
};

size_t OnWrite(char* data, size_t size, size_t count, void* user) {
  auto* sink = static_cast<Sink*>(user);
  size_t n = size * count;
  if (sink->body.size() + n > sink->limit) {
    sink->too_large = true;
    return 0;  // aborts the transfer (CURLE_WRITE_ERROR)
  }
  sink->body.append(data, n);
  return n;
}

// scheme://host[:port] of `url`, for error messages (no path, query or user info).
std::string Origin(const std::string& url) {
  size_t scheme = url.find("://");
  if (scheme == std::string::npos) return "the server";
  size_t end = url.find_first_of("/?#", scheme + 3);
  std::string origin = url.substr(0, end);
  size_t at = origin.find('@', scheme + 3);
  if (at != std::string::npos) origin = origin.substr(0, scheme + 3) + origin.substr(at + 1);
  return origin;
}

}  // namespace

Result<BlockingResponse> BlockingExchange(const UpstreamRequest& request, const BlockingLimits& limits) {
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> easy(curl_easy_init(), &curl_easy_cleanup);
  if (!easy) return MakeError(ErrorCode::kInternal, "curl_easy_init failed");
  struct curl_slist* raw_headers = nullptr;
  for (const auto& h : request.headers) raw_headers = curl_slist_append(raw_headers, (h.name + ": " + h.value).c_str());
  // Without this libcurl sends "Expect: 100-continue" for larger bodies and waits for the answer.
  raw_headers = curl_slist_append(raw_headers, "Expect:");
  std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> headers(raw_headers, &curl_slist_free_all);

  Sink sink;
  sink.limit = static_cast<size_t>(limits.max_response_bytes);
  CURL* h = easy.get();
  curl_easy_setopt(h, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(limits.connect_timeout_ms));
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(limits.total_timeout_ms));
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &OnWrite);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &sink);
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers.get());
  SetMethodAndBody(h, request.method, request.body);
  CURLcode rc = curl_easy_perform(h);
  if (sink.too_large) {
    return MakeError(ErrorCode::kTooLarge, Origin(request.url) + " answered with more than " +
                                               std::to_string(limits.max_response_bytes) + " bytes");
  }
  if (rc == CURLE_OPERATION_TIMEDOUT) {
    return MakeError(ErrorCode::kTimeout, Origin(request.url) + " did not answer in time");
  }
  if (rc != CURLE_OK) {
    return MakeError(ErrorCode::kUpstream, "cannot reach " + Origin(request.url) + ": " + curl_easy_strerror(rc));
  }
  long status = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
  return BlockingResponse{static_cast<int>(status), std::move(sink.body)};
}

}  // namespace turnpike::net
