// CSRF defence for the control API. Mutating requests (anything but GET, HEAD and OPTIONS)
// that carry an Origin header must come from the control listener's own origin — http:// or
// https:// followed by the request's Host header — or from one of `allowed` (config
// auth.allowed_origins, lower-case "scheme://host[:port]"). A mutating request authenticated by
// the session cookie must carry Origin (browsers always send it on such requests). Together
// with SameSite=Strict this stops other sites from acting with a user's cookie. Pure.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace turnpike::control {

bool IsMutating(std::string_view method);

// kForbidden when the request may not proceed. `origin` and `host` are the header values ("" if
// absent); `cookie_authenticated` is true when the session came from the cookie.
Status CheckOrigin(std::string_view method, std::string_view origin, std::string_view host,
                   const std::vector<std::string>& allowed, bool cookie_authenticated);

}  // namespace turnpike::control
