#include "providers/alicloud/errors.h"

#include <catch2/catch.hpp>

#include "providers/alicloud/signer.h"

using namespace certform;
using certform::providers::HttpResponse;

namespace {

struct Outcome {
  engine::Status status;
  engine::CallResult result;
};

Outcome Interpret(int http, const std::string& body, std::map<std::string, std::string> h = {},
                  const alicloud::SecretScrubber& scrubber = alicloud::SecretScrubber()) {
  HttpResponse r{http, std::move(h), body};
  Outcome o;
  nlohmann::json doc;
  o.status = alicloud::InterpretResponse(r, "LTAIexample", scrubber, &doc, &o.result);
  return o;
}

std::string ErrorBody(const std::string& code) {
  return R"({"RequestId":"REQ-1","HostId":"cdn.aliyuncs.com","Code":")" + code +
         R"(","Message":"msg","Recommend":"https://x"})";
}

}  // namespace

TEST_CASE("errors: success bodies are OK and keep the RequestId", "[errors]") {
  Outcome o = Interpret(200, R"({"RequestId":"0AEDAF20"})");
  CHECK(o.status.ok());
  CHECK(o.result.request_id == "0AEDAF20");
  CHECK(o.result.error_code.empty());
}

TEST_CASE("errors: each API error maps to its class", "[errors]") {
  using Code = engine::Status::Code;
  struct Row {
    int http;
    const char* code;
    Code expected;
  };
  for (Row row : {Row{400, "Throttling.User", Code::kThrottled},
                  Row{400, "Throttling", Code::kThrottled},
                  Row{400, "Throttling.Api", Code::kThrottled},
                  Row{400, "Rejected.Throttling", Code::kThrottled},
                  Row{503, "ServiceUnavailable", Code::kUnavailable},
                  Row{500, "InternalError", Code::kUnavailable},
                  Row{403, "ServiceBusy", Code::kUnavailable},
                  Row{502, "BadGateway", Code::kUnavailable},
                  Row{400, "SystemBusy", Code::kUnavailable},
                  Row{400, "IdempotenceProcessing", Code::kUnavailable},
                  Row{400, "IncorrectStatus.Listener", Code::kUnavailable},
                  Row{400, "ResourceInConfiguring.Listener", Code::kUnavailable},
                  Row{400, "IncorrectStatus.listener", Code::kUnavailable},  // NLB's spelling
                  Row{400, "ServiceIsConfiguring", Code::kUnavailable},      // CLB
                  Row{400, "OperationBusy", Code::kUnavailable},
                  Row{400, "DomainExtensionProcessing", Code::kUnavailable},
                  Row{400, "CertificateAndPrivateKeyIsRefered", Code::kFailed},
                  Row{400, "OperationDenied.ServiceManagedResource", Code::kFailed},
                  Row{400, "Certificate.FormatError", Code::kInvalidArgument},
                  Row{400, "Certificate.MissMatch", Code::kInvalidArgument},
                  Row{400, "Certificate.NotFind", Code::kInvalidArgument},
                  Row{400, "Certificate.Duplicated", Code::kInvalidArgument},
                  Row{400, "PrivateKey.MissingParameter", Code::kInvalidArgument},
                  Row{400, "InvalidDomain.Offline", Code::kInvalidArgument},
                  Row{404, "InvalidDomain.NotFound", Code::kNotFound},
                  Row{400, "SignatureDoesNotMatch", Code::kPermissionDenied},
                  Row{404, "InvalidAccessKeyId.NotFound", Code::kPermissionDenied},
                  Row{403, "Forbidden.RAM", Code::kPermissionDenied},
                  Row{403, "OperationDenied", Code::kPermissionDenied},
                  Row{400, "IncompleteSignature", Code::kPermissionDenied},
                  Row{400, "InvalidSecurityToken.Expired", Code::kPermissionDenied},
                  Row{400, "InvalidTimeStamp.Expired", Code::kPermissionDenied},
                  Row{403, "IllegalOperation", Code::kFailed},
                  Row{400, "SomethingElse", Code::kFailed}}) {
    INFO(row.code);
    Outcome o = Interpret(row.http, ErrorBody(row.code));
    CHECK(o.status.code() == row.expected);
    CHECK(o.status.IsRetryable() ==
          (row.expected == Code::kUnavailable || row.expected == Code::kThrottled));
    CHECK(o.status.IsThrottled() == (row.expected == Code::kThrottled));
    CHECK(o.status.IsAccountWide() == (row.expected == Code::kPermissionDenied));
    CHECK(o.result.error_code == row.code);
    CHECK(o.result.request_id == "REQ-1");
    CHECK(o.result.http_status == row.http);
  }
}

TEST_CASE("errors: authentication errors say what to check, never the secret", "[errors]") {
  Outcome sig = Interpret(400, ErrorBody("SignatureDoesNotMatch"));
  CHECK(sig.status.message().find("AccessKeyId LTAIexample") != std::string::npos);
  CHECK(sig.status.message().find("secret belongs to that id") != std::string::npos);
  Outcome key = Interpret(404, ErrorBody("InvalidAccessKeyId.NotFound"));
  CHECK(key.status.message().find("unknown or disabled") != std::string::npos);
}

TEST_CASE("errors: a RAM policy's refusal is marked as a missing permission, nothing else is",
          "[errors][check]") {
  for (const char* code : {"Forbidden.RAM", "NoPermission"}) {
    INFO(code);
    Outcome o = Interpret(403, ErrorBody(code));
    CHECK(o.result.ram_denied);
    CHECK(o.status.IsAccountWide());
  }
  for (const char* code : {"SignatureDoesNotMatch", "InvalidAccessKeyId.NotFound",
                           "OperationDenied", "IllegalOperation", "Throttling.User"}) {
    INFO(code);
    CHECK_FALSE(Interpret(403, ErrorBody(code)).result.ram_denied);
  }
  auto oss = [](const std::string& body) {
    HttpResponse r{403, {}, body};
    engine::CallResult result;
    alicloud::InterpretOssResponse(r, "LTAIexample", alicloud::SecretScrubber(), &result);
    return result;
  };
  // OSS: AccessDenied for lack of a RAM permission (EC 0003-00000202)...
  CHECK(oss("<Error><Code>AccessDenied</Code><Message>You have no right to access this "
            "resource.</Message><EC>0003-00000202</EC></Error>")
            .ram_denied);
  // ... but not when the bucket only lives in another region (its <Endpoint> says where).
  CHECK_FALSE(oss("<Error><Code>AccessDenied</Code><Message>m</Message><Endpoint>"
                  "oss-cn-shanghai.aliyuncs.com</Endpoint></Error>")
                  .ram_denied);
  CHECK_FALSE(
      oss("<Error><Code>SignatureDoesNotMatch</Code><Message>m</Message></Error>").ram_denied);
}

TEST_CASE("errors: x-acs-retry-after is read in milliseconds and clamped", "[errors]") {
  Outcome o = Interpret(400, ErrorBody("Throttling.User"), {{"x-acs-retry-after", "250"}});
  CHECK(o.result.retry_after == std::chrono::milliseconds(250));
  Outcome huge = Interpret(400, ErrorBody("Throttling.User"), {{"x-acs-retry-after", "99999999"}});
  CHECK(huge.result.retry_after == std::chrono::seconds(60));
  Outcome junk = Interpret(400, ErrorBody("Throttling.User"), {{"x-acs-retry-after", "soon"}});
  CHECK(junk.result.retry_after.count() == 0);
}

TEST_CASE("errors: a proxy's HTML page is a clear error with the status", "[errors]") {
  Outcome bad_gateway =
      Interpret(502, "<html><body>Bad Gateway</body></html>", {{"content-type", "text/html"}});
  CHECK(bad_gateway.status.IsRetryable());
  CHECK(bad_gateway.status.message().find("HTTP 502") != std::string::npos);
  CHECK(bad_gateway.status.message().find("text/html") != std::string::npos);
  Outcome forbidden = Interpret(403, "<html>denied</html>");
  CHECK_FALSE(forbidden.status.IsRetryable());
  CHECK(forbidden.status.message().find("HTTP 403") != std::string::npos);
}

TEST_CASE("errors: a 200 that carries a Code is an error (as pop-core reads it)", "[errors]") {
  Outcome o = Interpret(200, ErrorBody("Certificate.FormatError"));
  CHECK_FALSE(o.status.ok());
  CHECK(o.result.error_code == "Certificate.FormatError");
}

TEST_CASE("errors: hostile answers are clear errors, never a crash", "[errors][hostile]") {
  struct Row {
    const char* name;
    int http;
    std::string body;
  };
  std::string binary;
  for (int i = 0; i < 2048; ++i) binary.push_back(static_cast<char>(i * 37 % 256));
  for (const Row& row :
       {Row{"truncated JSON", 200, R"({"RequestId":"R","CertInf)"}, Row{"binary", 200, binary},
        Row{"huge", 200, std::string(8 << 20, '[')},
        Row{"deeply nested", 400, std::string(100000, '[') + std::string(100000, ']')},
        Row{"empty", 503, ""}, Row{"a JSON array", 200, "[1,2,3]"},
        Row{"wrong types", 400, R"({"Code": 7, "Message": [], "RequestId": {}})"}}) {
    INFO(row.name);
    Outcome o = Interpret(row.http, row.body);
    CHECK_FALSE(o.status.ok());
    CHECK(o.status.IsRetryable() == (row.http >= 500));
    CHECK_FALSE(o.result.error_code.empty());
    CHECK(o.status.message().size() < 400);  // never the whole body echoed back
  }
}

TEST_CASE("errors: a signature error's echo of the string to sign never reaches the user",
          "[errors][secrets]") {
  const std::string key =
      "-----BEGIN PRIVATE "  // split: a made-up key, not one for secret scanners to flag
      "KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg+Zx/k=\n-----END PRIVATE "
      "KEY-----\n";
  const std::string token = "STS.TOKEN/abc+def==ghijklmnop";
  alicloud::SecretScrubber scrubber;
  scrubber.Add(key);
  scrubber.Add(token);
  const std::string once = alicloud::PercentEncode(key);
  for (const char* code : {"SignatureDoesNotMatch", "IncompleteSignature"}) {
    INFO(code);
    nlohmann::json body = {
        {"RequestId", "R1"},
        {"Code", code},
        {"Message",
         "Specified signature is not matched with our calculation. server string to "
         "sign is:POST&%2F&PrivateKey%3D" +
             alicloud::PercentEncode(once) + "%26SecurityToken%3D" + token}};
    Outcome o = Interpret(400, body.dump(), {}, scrubber);
    CHECK(o.status.IsAccountWide());
    for (const std::string& text : {o.status.message(), o.result.error_message}) {
      CHECK(text.find("PRIVATE") == std::string::npos);
      CHECK(text.find("MIGHAgEAMBMG") == std::string::npos);
      CHECK(text.find("STS.TOKEN") == std::string::npos);
      CHECK(text.find("AccessKeyId LTAIexample") != std::string::npos);
    }
  }
}

TEST_CASE("errors: any API message is scrubbed of the request's secrets, in every encoding",
          "[errors][secrets]") {
  const std::string secret = "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49+/AwEHBG0wawIBAQQg==";
  alicloud::SecretScrubber scrubber;
  scrubber.Add(secret);
  const std::string once = alicloud::PercentEncode(secret);
  for (const std::string& echo :
       {secret, once, alicloud::PercentEncode(once), secret.substr(5, 20), once.substr(3, 30)}) {
    INFO(echo);
    nlohmann::json body = {{"RequestId", "R1"},
                           {"Code", "Certificate.FormatError"},
                           {"Message", "bad input near " + echo + " (see docs)"}};
    Outcome o = Interpret(400, body.dump(), {}, scrubber);
    CHECK(o.result.error_message.find(echo) == std::string::npos);
    CHECK(o.result.error_message.find("<redacted>") != std::string::npos);
    CHECK(o.result.error_message.find("(see docs)") != std::string::npos);
  }
  // A non-JSON body's snippet too.
  Outcome html = Interpret(502, "<html>" + secret + "</html>", {}, scrubber);
  CHECK(html.status.message().find(secret.substr(0, 20)) == std::string::npos);
}

TEST_CASE("errors: the scrubber leaves ordinary text alone", "[errors][secrets]") {
  alicloud::SecretScrubber scrubber;
  scrubber.Add("short");  // too short to scrub: would eat ordinary words
  scrubber.Add("a-long-enough-secret-value");
  CHECK(scrubber.Scrub("The domain provided is offline.") == "The domain provided is offline.");
  CHECK(scrubber.Scrub("short and sweet") == "short and sweet");
  CHECK(scrubber.Scrub("x a-long-enough-secret-value y") == "x <redacted> y");
}
