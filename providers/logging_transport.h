// LoggingTransport: an HttpTransport decorator for CERTFORM_LOG=debug. Logs each request's
// method, URL, action and parameters with every secret redacted (Signature, PrivateKey, SSLPri,
// SecurityToken; certificate bodies shown by length), and each answer's status, RequestId, error
// code and duration. Never the body itself.
#pragma once

#include <mutex>
#include <ostream>

#include "providers/http_transport.h"

namespace certform::providers {

class LoggingTransport final : public HttpTransport {
 public:
  LoggingTransport(HttpTransport& inner, std::ostream& log) : inner_(inner), log_(log) {}
  engine::Status Send(const HttpRequest& request, HttpResponse* response) override;

 private:
  HttpTransport& inner_;
  std::ostream& log_;
  std::mutex mu_;
};

// "Name=value" pairs of a form body with secrets replaced by "<redacted>" and PEM bodies by
// "<PEM, N bytes>"; the rest verbatim.
std::string RedactedParameters(const std::string& form_body);

}  // namespace certform::providers
