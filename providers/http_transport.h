// HttpTransport: the one way certform sends an HTTP request. An interface so that tests can
// script answers (a throttling reply, a dropped connection) without a server.
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "engine/base/status.h"

namespace certform::providers {

struct HttpRequest {
  std::string method = "POST";
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

struct HttpResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // names in lower case
  std::string body;
};

class HttpTransport {
 public:
  virtual ~HttpTransport() = default;
  // Sends `request` and fills `response` with whatever HTTP answer came, whatever its status.
  // Unavailable for connection failures and timeouts (retryable); Failed for failures that will
  // not go away by themselves (TLS verification, a bad URL). Thread-safe.
  virtual engine::Status Send(const HttpRequest& request, HttpResponse* response) = 0;
};

}  // namespace certform::providers
