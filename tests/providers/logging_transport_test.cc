// CERTFORM_LOG=debug: what the log may show of a request body. An OSS PutCname carries the PEM
// private key in XML (https://www.alibabacloud.com/help/en/oss/developer-reference/putcname:
// CertificateConfiguration/PrivateKey); the log shows the element, never its text.
#include "providers/logging_transport.h"

#include <sstream>

#include <fmt/format.h>
#include <catch2/catch.hpp>

using namespace certform;

namespace {

// A made-up key (the opening bytes of any P-256 key, no secret in them), its markers split so
// that secret scanners do not flag the source.
constexpr char kKey[] =
    "-----BEGIN PRIVATE "
    "KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg\n"
    "-----END PRIVATE "
    "KEY-----\n";
constexpr char kCert[] =
    "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIU\n-----END "
    "CERTIFICATE-----\n";

std::string PutCnameBody(const std::string& key_element = "PrivateKey") {
  return std::string(
             "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<BucketCnameConfiguration>"
             "<Cname><Domain>img.example.com</Domain><CertificateConfiguration>"
             "<CertId>1234</CertId><Certificate>") +
         kCert + "</Certificate><" + key_element + ">" + kKey + "</" + key_element +
         "><Force>true</Force></CertificateConfiguration></Cname></BucketCnameConfiguration>";
}

class FixedAnswer final : public providers::HttpTransport {
 public:
  engine::Status Send(const providers::HttpRequest&, providers::HttpResponse* r) override {
    r->status = 200;
    r->body = "<ok/>";
    return engine::Status::OK();
  }
};

}  // namespace

TEST_CASE("debug log: an XML body shows its elements with the key redacted", "[logging][secrets]") {
  const std::string shown = providers::RedactedXml(PutCnameBody());
  CHECK(shown.find("PRIVATE KEY") == std::string::npos);
  CHECK(shown.find("MIGHAgEA") == std::string::npos);
  CHECK(shown.find("<PrivateKey><redacted></PrivateKey>") != std::string::npos);
  CHECK(shown.find(fmt::format("<Certificate><PEM, {} bytes></Certificate>", sizeof kCert - 1)) !=
        std::string::npos);
  CHECK(shown.find("<Domain>img.example.com</Domain>") != std::string::npos);
  CHECK(shown.find('\n') == std::string::npos);
}

TEST_CASE("debug log: a key under a prefix or another name is still never shown",
          "[logging][secrets]") {
  // A namespace prefix on the element: still PrivateKey.
  std::string prefixed = PutCnameBody("oss:PrivateKey");
  CHECK(providers::RedactedXml(prefixed).find("PRIVATE KEY") == std::string::npos);
  // An element certform does not know holding a key: the whole body is withheld.
  const std::string odd = PutCnameBody("SomethingElse");
  CHECK(providers::RedactedXml(odd) == fmt::format("<XML, {} bytes, redacted>", odd.size()));
  // The same for a form parameter of an unknown name.
  CHECK(providers::RedactedParameters("Action=X&Other=-----BEGIN%20PRIVATE%20KEY-----abc") ==
        "Action=X Other=<redacted>");
}

TEST_CASE("debug log: a logged OSS PutCname never shows the key", "[logging][secrets]") {
  FixedAnswer inner;
  std::ostringstream log;
  providers::LoggingTransport transport(inner, log);
  providers::HttpRequest request;
  request.method = "PUT";
  request.url = "https://bucket.oss-cn-hangzhou.aliyuncs.com/?cname&comp=add";
  request.headers = {{"Content-Type", "application/xml"}};
  request.body = PutCnameBody();
  providers::HttpResponse response;
  REQUIRE(transport.Send(request, &response).ok());
  const std::string line = log.str();
  INFO(line);
  CHECK(line.starts_with("debug: PUT https://bucket.oss-cn-hangzhou.aliyuncs.com/?cname&comp=add"));
  CHECK(line.find("PRIVATE KEY") == std::string::npos);
  CHECK(line.find("MIGHAgEA") == std::string::npos);
  CHECK(line.find("<PrivateKey><redacted></PrivateKey>") != std::string::npos);
  CHECK(line.find("HTTP 200") != std::string::npos);
}
