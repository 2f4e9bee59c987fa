#include "providers/alicloud/errors.h"

#include <algorithm>
#include <array>

#include <fmt/format.h>

namespace certform::alicloud {

namespace {

using engine::Status;

constexpr std::array<const char*, 7> kRetryable = {
    "Throttling",         "Throttling.User", "Throttling.Api", "Rejected.Throttling",
    "ServiceUnavailable", "InternalError",   "ServiceBusy"};

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

// The classified Status for an API error code.
Status Classify(int http, const std::string& code, const std::string& message,
                const std::string& access_key_id) {
  const std::string text = fmt::format("{}: {}", code, message);
  if (IsRetryableCode(code) || http >= 500) return Status::Unavailable(text);
  if (code == "SignatureDoesNotMatch") {
    return Status::PermissionDenied(fmt::format(
        "SignatureDoesNotMatch: the API refused the request signature made with AccessKeyId {}; "
        "check that the AccessKey secret belongs to that id (and has no stray spaces or "
        "newlines)",
        access_key_id));
  }
  if (code == "InvalidAccessKeyId.NotFound" || code == "InvalidAccessKeyId.Inactive") {
    return Status::PermissionDenied(fmt::format(
        "{}: AccessKeyId {} is unknown or disabled; check the account's credentials setting and "
        "that the key is active in the RAM console",
        code, access_key_id));
  }
  if (code.starts_with("InvalidSecurityToken") || code == "MissingSecurityToken" ||
      code == "Forbidden.RAM" || code == "NoPermission" || code == "IncompleteSignature" ||
      http == 403) {
    return Status::PermissionDenied(text);
  }
  if (code == "InvalidDomain.NotFound" || http == 404) return Status::NotFound(text);
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
  return std::find(kRetryable.begin(), kRetryable.end(), code) != kRetryable.end();
}

engine::Status InterpretResponse(const providers::HttpResponse& response,
                                 const std::string& access_key_id, nlohmann::json* body,
                                 engine::CallResult* result) {
  result->http_status = response.status;
  result->retry_after = RetryAfter(response);
  nlohmann::json doc = nlohmann::json::parse(response.body, nullptr, /*allow_exceptions=*/false);
  if (!doc.is_object()) {
    std::string msg =
        fmt::format("HTTP {} with a body that is not the API's JSON ({}): \"{}\"", response.status,
                    response.headers.count("content-type") ? response.headers.at("content-type")
                                                           : "no content type",
                    Snippet(response.body));
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
  result->error_message = StringField(doc, "Message");
  return Classify(response.status, result->error_code, result->error_message, access_key_id);
}

}  // namespace certform::alicloud
