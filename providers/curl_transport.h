// CurlTransport: HttpTransport on libcurl (the only file that includes curl).
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "providers/http_transport.h"

namespace certform::providers {

struct CurlOptions {
  std::string ca_bundle;  // PEM file of trusted CAs; empty: the system's store
  std::chrono::milliseconds connect_timeout{5000};  // TCP + TLS handshake
  std::chrono::milliseconds total_timeout{30000};   // the whole request
  std::string user_agent = std::string("certform/") + CERTFORM_VERSION;
  // The largest answer body accepted, in bytes. The biggest documented answers (a page of 500
  // domains, a CAS certificate with its chain) are well under 1 MiB; a body past this is not an
  // answer of the API, and the transfer is stopped before it exhausts memory.
  int64_t max_body_bytes = int64_t{16} << 20;
};

// The libcurl in use, e.g. "8.2.1" with its TLS backend (for `certform version`).
std::string CurlVersion();

class CurlTransport final : public HttpTransport {
 public:
  explicit CurlTransport(CurlOptions options);
  ~CurlTransport() override;

  engine::Status Send(const HttpRequest& request, HttpResponse* response) override;

 private:
  void* Acquire();             // an idle easy handle (keeps its connection), or a new one
  void Release(void* handle);  // back to the idle pool

  CurlOptions options_;
  std::mutex mu_;
  std::vector<void*> idle_;
};

}  // namespace certform::providers
