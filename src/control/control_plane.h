// The control listener (port 3000). This release serves its health checks and a landing page;
// the REST API and the dashboard arrive with the control-plane issue.
#pragma once

#include <string>

#include "net/http.h"
#include "store/store.h"

namespace turnpike::control {

class ControlPlane {
 public:
  ControlPlane(store::Store& store, std::string gateway_url) : store_(store), gateway_url_(std::move(gateway_url)) {}
  boost::asio::awaitable<void> Handle(int worker, const net::HttpRequest& request, net::ResponseWriter& writer);

 private:
  store::Store& store_;
  std::string gateway_url_;
};

}  // namespace turnpike::control
