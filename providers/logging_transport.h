// LoggingTransport: an HttpTransport decorator for CERTFORM_LOG=debug. Logs each request's
// method, URL, action and parameters (a form body) or elements (an XML body, OSS's) with every
// secret redacted (Signature, PrivateKey, SSLPri, SecurityToken; certificate bodies shown by
// length), and each answer's status, RequestId, error code and duration. Never an answer's body.
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
// Any value holding a PEM private key is redacted whatever its name.
std::string RedactedParameters(const std::string& form_body);

// An XML request body (OSS PutCname) on one line with the text of every secret element
// (PrivateKey, and the names IsSecretParameter lists) replaced by "<redacted>" and that of PEM
// elements (Certificate) by "<PEM, N bytes>"; whole, as "<XML, N bytes, redacted>", when a
// private key is still in it after that (a CDATA section, an element under another name).
std::string RedactedXml(const std::string& xml_body);

}  // namespace certform::providers
