#include "providers/alicloud/errors.h"

#include <algorithm>
#include <array>
#include <optional>

#include <fmt/format.h>

#include "providers/alicloud/xml_text.h"

namespace certform::alicloud {

namespace {

using engine::Status;

// The gateway's and every product's "try again later"; and ALB's: a listener still Configuring
// from another change, a retried write whose first is still being handled (ALB's busy codes, as
// Terraform's ALB resources retry them: shared/docs/load-balancers.md §1.4); and CLB's: an
// instance or extension still being configured by an earlier change (S: Terraform's SLB
// resources retry these, errors.go and resource_alicloud_slb_domain_extension.go, §1.2). NLB's
// error tables spell the busy listener "IncorrectStatus.listener", in lower case.
constexpr std::array<const char*, 13> kTransient = {"ServiceUnavailable",
                                                    "ServiceUnAvailable",
                                                    "InternalError",
                                                    "ServiceBusy",
                                                    "SystemBusy",
                                                    "IdempotenceProcessing",
                                                    "IncorrectStatus.Listener",
                                                    "IncorrectStatus.listener",
                                                    "ResourceInConfiguring.Listener",
                                                    "OperationBusy",
                                                    "ServiceIsConfiguring",
                                                    "BackendServer.configuring",
                                                    "DomainExtensionProcessing"};

std::chrono::milliseconds RetryAfter(const providers::HttpResponse& r) {
  auto it = r.headers.find("x-acs-retry-after");
  if (it == r.headers.end()) return std::chrono::milliseconds(0);
  char* end = nullptr;
  long long ms = std::strtoll(it->second.c_str(), &end, 10);
  if (end == it->second.c_str() || ms <= 0) return std::chrono::milliseconds(0);
  // The unit is undocumented (milliseconds in the SDKs); clamp so a bad hint cannot stall a run.
  return std::chrono::milliseconds(std::min<long long>(ms, 60000));
}

std::string Snippet(const std::string& body) {
  std::string s = body.substr(0, 80);
  std::replace_if(
      s.begin(), s.end(), [](char c) { return c == '\n' || c == '\r'; }, ' ');
  return s;
}

// A refusal by the caller's RAM policy: the gateway's Forbidden.RAM and NoPermission (403,
// alibaba-cdn-api.md §4.2; e.g. ECS's "authentication mechanism" notice,
// https://www.alibabacloud.com/help/en/ecs/announcement-of-changes-to-the-authentication-mechanism-for-alibaba-cloud-ecs-query-type-apis:
// 403 Forbidden.RAM "User not authorized to operate on the specified resource, or this API
// doesn't support RAM", with AccessDeniedDetail), and the variants products spell with a suffix.
bool IsRamDenialCode(const std::string& code) {
  return code == "Forbidden.RAM" || code == "NoPermission" || code.starts_with("Forbidden.RAM.") ||
         code.starts_with("NoPermission.");
}

bool IsThrottlingCode(const std::string& code) {
  return code == "Throttling" || code.starts_with("Throttling.") || code == "Rejected.Throttling";
}

// Errors that concern every call of the account, not one domain: the credentials, the RAM
// policy, the account's CDN service or this machine's clock. Our own words, never the API's
// message: the gateway's message for a bad signature echoes the request's secrets.
std::optional<Status> AccountWide(const std::string& code, const std::string& message,
                                  const std::string& access_key_id) {
  if (code == "SignatureDoesNotMatch" || code == "IncompleteSignature") {
    return Status::PermissionDenied(fmt::format(
        "{}: the API refused the request signature made with AccessKeyId {}; check that the "
        "AccessKey secret belongs to that id (and has no stray spaces or newlines)",
        code, access_key_id));
  }
  if (code.starts_with("InvalidAccessKeyId")) {
    return Status::PermissionDenied(fmt::format(
        "{}: AccessKeyId {} is unknown or disabled; check the account's credentials setting and "
        "that the key is active in the RAM console",
        code, access_key_id));
  }
  if (code.starts_with("InvalidSecurityToken") || code == "MissingSecurityToken") {
    return Status::PermissionDenied(fmt::format(
        "{}: the STS security token for AccessKeyId {} was refused (expired, malformed or not "
        "issued for this key); get a fresh token",
        code, access_key_id));
  }
  if (code == "InvalidTimeStamp.Expired") {
    return Status::PermissionDenied(
        "InvalidTimeStamp.Expired: the API refused the request's Timestamp: this machine's clock "
        "differs from Alibaba Cloud's by more than 15 minutes; synchronise it (NTP)");
  }
  if (IsRamDenialCode(code) || code == "OperationDenied" || code == "CdnServiceNotFound" ||
      code == "CdnServiceSuspended") {
    return Status::PermissionDenied(fmt::format("{}: {}", code, message));
  }
  return std::nullopt;
}

// The classified Status for an API error code; `message` is already scrubbed.
Status Classify(int http, const std::string& code, const std::string& message,
                const std::string& access_key_id) {
  const std::string text = fmt::format("{}: {}", code, message);
  if (IsThrottlingCode(code)) return Status::Throttled(text);
  if (IsRetryableCode(code) || http >= 500) return Status::Unavailable(text);
  if (auto s = AccountWide(code, message, access_key_id)) return *s;
  if (code == "NameRepeat") return Status::AlreadyExists(text);  // CAS: the Name is taken
  if (code == "InvalidDomain.NotFound" || code == "NotFound" || http == 404) {
    return Status::NotFound(text);
  }
  if (code.starts_with("Certificate.") || code.starts_with("Invalid") ||
      code.starts_with("Missing") || code.ends_with(".MissingParameter") ||
      code.ends_with(".ParameterError") || code == "Key.Malformed") {
    return Status::InvalidArgument(text);
  }
  return Status::Failed(text);
}

std::string StringField(const nlohmann::json& doc, const char* key) {
  auto it = doc.find(key);
  return it != doc.end() && it->is_string() ? it->get<std::string>() : "";
}

}  // namespace

bool IsRetryableCode(const std::string& code) {
  return IsThrottlingCode(code) ||
         std::find(kTransient.begin(), kTransient.end(), code) != kTransient.end();
}

engine::Status InterpretResponse(const providers::HttpResponse& response,
                                 const std::string& access_key_id, const SecretScrubber& scrubber,
                                 nlohmann::json* body, engine::CallResult* result) {
  result->http_status = response.status;
  result->retry_after = RetryAfter(response);
  nlohmann::json doc = nlohmann::json::parse(response.body, nullptr, /*allow_exceptions=*/false);
  if (!doc.is_object()) {
    std::string msg =
        fmt::format("HTTP {} with a body that is not the API's JSON ({}): \"{}\"", response.status,
                    response.headers.count("content-type") ? response.headers.at("content-type")
                                                           : "no content type",
                    scrubber.Scrub(Snippet(response.body)));
    result->error_code = "NonJsonResponse";
    result->error_message = msg;
    // A proxy's 502/503 page is as transient as the API's own 5xx.
    return response.status >= 500 ? Status::Unavailable(msg) : Status::Failed(msg);
  }
  result->request_id = StringField(doc, "RequestId");
  const bool success = response.status >= 200 && response.status < 300 && !doc.contains("Code");
  if (success) {
    *body = std::move(doc);
    return Status::OK();
  }
  result->error_code = StringField(doc, "Code");
  if (result->error_code.empty()) result->error_code = fmt::format("HTTP{}", response.status);
  result->error_code = scrubber.Scrub(result->error_code);
  result->request_id = scrubber.Scrub(result->request_id);
  result->ram_denied = IsRamDenialCode(result->error_code);
  Status s = Classify(response.status, result->error_code,
                      scrubber.Scrub(StringField(doc, "Message")), access_key_id);
  // What the user sees of the API's message is the classified one: for account-wide errors our
  // own words, for the others the scrubbed message.
  const std::string prefix = result->error_code + ": ";
  result->error_message =
      s.message().starts_with(prefix) ? s.message().substr(prefix.size()) : s.message();
  return s;
}

namespace {

// OSS's fine-grained error code (https://www.alibabacloud.com/help/en/oss/user-guide/overview-14):
// the x-oss-ec header, else the <EC> of the <Error> document; "" when neither.
std::string OssErrorEc(const providers::HttpResponse& response) {
  if (auto ec = response.headers.find("x-oss-ec"); ec != response.headers.end()) {
    return ec->second;
  }
  return XmlText(response.body, "EC").value_or("");
}

}  // namespace

engine::Status InterpretOssResponse(const providers::HttpResponse& response,
                                    const std::string& access_key_id,
                                    const SecretScrubber& scrubber, engine::CallResult* result) {
  result->http_status = response.status;
  result->retry_after = RetryAfter(response);
  auto id = response.headers.find("x-oss-request-id");
  result->request_id = id == response.headers.end() ? "" : scrubber.Scrub(id->second);
  if (response.status >= 200 && response.status < 300) return Status::OK();
  const std::optional<std::string> code = XmlText(response.body, "Code");
  if (!code) {
    const std::string msg = fmt::format("HTTP {} with a body that is not an OSS <Error>: \"{}\"",
                                        response.status, scrubber.Scrub(Snippet(response.body)));
    result->error_code = "NonXmlResponse";
    result->error_message = msg;
    return response.status >= 500 ? Status::Unavailable(msg) : Status::Failed(msg);
  }
  result->error_code = scrubber.Scrub(*code);
  const std::string message = scrubber.Scrub(XmlText(response.body, "Message").value_or(""));
  std::string text = fmt::format("{}: {}", result->error_code, message);
  if (auto endpoint = XmlText(response.body, "Endpoint"); endpoint && !endpoint->empty()) {
    // The bucket lives in another region: say which, so that the binding's region is fixed.
    text += fmt::format(" (the bucket's endpoint is {}: check the binding's region)",
                        scrubber.Scrub(*endpoint));
  }
  Status s;
  if (result->error_code == "SlowDown") {
    s = Status::Throttled(text);
  } else if (response.status >= 500) {
    s = Status::Unavailable(text);
  } else if (result->error_code == "InvalidAccessKeyId") {
    s = *AccountWide("InvalidAccessKeyId", message, access_key_id);
  } else if (result->error_code == "SignatureDoesNotMatch") {
    s = *AccountWide("SignatureDoesNotMatch", message, access_key_id);
  } else if (result->error_code == "RequestTimeTooSkewed") {
    s = *AccountWide("InvalidTimeStamp.Expired", message, access_key_id);
  } else if (auto wide = AccountWide(result->error_code, message, access_key_id);
             wide && result->error_code.starts_with("InvalidSecurityToken")) {
    s = *wide;
  } else if (result->error_code == "AccessDenied" && !XmlText(response.body, "Endpoint")) {
    // A RAM policy that does not grant the action (EC 0003-00000201 explicit deny,
    // 0003-00000202 not granted: https://www.alibabacloud.com/help/en/oss/support/0003-00000201,
    // https://help.aliyun.com/en/oss/user-guide/0003-00000202), or a bucket of another user.
    // (With an <Endpoint>, the bucket lives in another region: that is the binding's region.)
    result->ram_denied = true;
    s = Status::Failed(text);
  } else if (result->error_code == "NoSuchBucket" || result->error_code == "NoSuchCertificate") {
    s = Status::NotFound(text);
  } else if (OssErrorEc(response) == "0018-00000209") {
    // PutCname's PreviousCertId is not the domain's certificate any more
    // (https://help.aliyun.com/zh/oss/user-guide/0018-00000209). OSS documents only the EC, and
    // says not to build logic on ECs: this sets the words; the engine reads the domain back after
    // a guarded write is refused (engine/calls/checked_write.cc), and OssProvider::Decide names
    // what it has now from that read.
    s = Status::Failed(text +
                       " (the certificate on the domain changed since the plan; run `certform "
                       "refresh`, then `certform plan`)");
  } else if (result->error_code == "NeedVerifyDomainOwnership") {
    s = Status::Failed(text +
                       " (attach the domain to the bucket and verify it with its CNAME "
                       "token first; certform binds certificates, it does not attach "
                       "domains)");
  } else {
    s = Status::Failed(text);
  }
  const std::string prefix = result->error_code + ": ";
  result->error_message =
      s.message().starts_with(prefix) ? s.message().substr(prefix.size()) : s.message();
  return s;
}

}  // namespace certform::alicloud
