// Private to net/: what both libcurl clients (the event-loop one and the blocking one) set the
// same way on an easy handle.
#pragma once

#include <curl/curl.h>

#include <string>

namespace turnpike::net {

// The method and, for POST, the body (which must outlive the transfer: libcurl does not copy it).
inline void SetMethodAndBody(CURL* easy, const std::string& method, const std::string& body) {
  if (method == "POST") {
    curl_easy_setopt(easy, CURLOPT_POST, 1L);
    curl_easy_setopt(easy, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  } else if (method == "HEAD") {
    curl_easy_setopt(easy, CURLOPT_NOBODY, 1L);  // else libcurl waits for the body the head announces
  } else if (method != "GET") {
    curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, method.c_str());
  }
}

}  // namespace turnpike::net
