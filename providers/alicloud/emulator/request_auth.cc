#include "providers/alicloud/emulator/request_auth.h"

namespace certform::emulator {

namespace {

constexpr int64_t kTimestampWindow = 15 * 60;
constexpr int64_t kNonceMemory = 31 * 60;  // anecdotally the API remembers nonces ~31 minutes

// "2026-11-27T19:43:44Z" → Unix seconds; -1 when malformed.
int64_t ParseTimestamp(const std::string& s) {
  int64_t t = 0;
  return engine::ParseUtc(s, &t) ? t : -1;
}

}  // namespace

std::string Param(const Params& params, const std::string& name) {
  for (const auto& [k, v] : params) {
    if (k == name) return v;
  }
  return "";
}

std::optional<AccountKey> RequestAuth::FindKey(const std::string& id) const {
  for (const AccountKey& k : keys_) {
    if (k.access_key_id == id) return k;
  }
  std::lock_guard<std::mutex> lock(mu_);
  auto t = temporary_.find(id);
  if (t == temporary_.end()) return std::nullopt;
  return t->second.key;
}

void RequestAuth::AddTemporaryKey(AccountKey key, std::string security_token, int64_t expiration) {
  std::lock_guard<std::mutex> lock(mu_);
  const std::string id = key.access_key_id;
  temporary_[id] = {std::move(key), std::move(security_token), expiration};
}

void RequestAuth::ForgetNonces() {
  std::lock_guard<std::mutex> lock(mu_);
  nonces_.clear();
}

void RequestAuth::ForgetTemporaryKeys() {
  std::lock_guard<std::mutex> lock(mu_);
  temporary_.clear();
}

// The STS error codes of alibaba-cdn-api.md §4 (MissingSecurityToken,
// InvalidSecurityToken.Expired / .MismatchWithAccessKey): an STS AccessKeyId is refused without
// its own token, and once the token has expired.
std::optional<ApiError> RequestAuth::CheckToken(const std::string& key_id, const std::string& token,
                                                int64_t now) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto t = temporary_.find(key_id);
  if (t == temporary_.end()) return std::nullopt;
  if (token.empty()) {
    return ApiError{400, "MissingSecurityToken", "SecurityToken is mandatory for this action."};
  }
  if (token != t->second.security_token) {
    return ApiError{400, "InvalidSecurityToken.MismatchWithAccessKey",
                    "The security token you provided does not match the access key."};
  }
  if (now >= t->second.expiration) {
    return ApiError{400, "InvalidSecurityToken.Expired",
                    "The security token you provided has expired."};
  }
  return std::nullopt;
}

std::optional<ApiError> RequestAuth::CheckFreshness(const std::string& key_id,
                                                    const std::string& timestamp,
                                                    const std::string& nonce, int64_t now) {
  const int64_t ts = ParseTimestamp(timestamp);
  if (ts < 0) {
    return ApiError{400, "InvalidTimeStamp.Format",
                    "Specified time stamp or date value is not well formatted."};
  }
  if (ts < now - kTimestampWindow || ts > now + kTimestampWindow) {
    return ApiError{400, "InvalidTimeStamp.Expired",
                    "Specified time stamp or date value is expired."};
  }
  if (nonce.empty()) {
    return ApiError{400, "MissingSignatureNonce", "SignatureNonce is mandatory for this action."};
  }
  std::lock_guard<std::mutex> lock(mu_);
  for (auto it = nonces_.begin(); it != nonces_.end();) {
    it = it->second < now - kNonceMemory ? nonces_.erase(it) : std::next(it);
  }
  if (!nonces_.emplace(key_id + ":" + nonce, now).second) {
    return ApiError{400, "SignatureNonceUsed", "Specified signature nonce was used already."};
  }
  return std::nullopt;
}

std::optional<ApiError> RequestAuth::Check(const std::string& method, const Params& params,
                                           int64_t now, std::string* user, AccountKey* caller) {
  const std::string key_id = Param(params, "AccessKeyId");
  if (key_id.empty()) {
    return ApiError{400, "MissingAccessKeyId", "AccessKeyId is mandatory for this action."};
  }
  if (Param(params, "SignatureMethod") != "HMAC-SHA1" ||
      Param(params, "SignatureVersion") != "1.0") {
    return ApiError{400, "InvalidSignatureMethod", "Specified signature method is not valid."};
  }
  const std::optional<AccountKey> key = FindKey(key_id);
  if (!key) {
    return ApiError{404, "InvalidAccessKeyId.NotFound", "Specified access key is not found."};
  }
  const std::string string_to_sign = signature::RpcStringToSign(method, params);
  if (!signature::SafeEquals(Param(params, "Signature"),
                             signature::RpcSignature(key->access_key_secret, string_to_sign))) {
    return ApiError{400, "SignatureDoesNotMatch",
                    "Specified signature is not matched with our calculation. server string to "
                    "sign is:" +
                        string_to_sign};
  }
  if (auto e = CheckToken(key_id, Param(params, "SecurityToken"), now)) return e;
  if (auto e = CheckFreshness(key_id, Param(params, "Timestamp"), Param(params, "SignatureNonce"),
                              now)) {
    return e;
  }
  *user = key->user;
  if (caller != nullptr) *caller = *key;
  return std::nullopt;
}

std::optional<ApiError> RequestAuth::CheckV3(const std::string& method, const std::string& target,
                                             const std::map<std::string, std::string>& headers,
                                             const std::string& body, int64_t now,
                                             std::string* user, AccountKey* caller) {
  auto header = [&](const std::string& name) { return HeaderValue(headers, name); };
  // Authorization: ACS3-HMAC-SHA256 Credential=ID,SignedHeaders=a;b,Signature=HEX
  std::map<std::string, std::string> fields;
  const std::string auth = header("authorization").substr(sizeof(signature::kV3Algorithm));
  for (size_t start = 0; start < auth.size();) {
    size_t comma = auth.find(',', start);
    std::string part =
        auth.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    size_t eq = part.find('=');
    if (eq != std::string::npos) {
      std::string name = part.substr(0, eq);
      name.erase(0, name.find_first_not_of(' '));
      fields[name] = part.substr(eq + 1);
    }
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  const std::optional<AccountKey> key = FindKey(fields["Credential"]);
  if (!key) {
    return ApiError{404, "InvalidAccessKeyId.NotFound", "Specified access key is not found."};
  }
  // V3 carries the STS token in a header (alibaba-cdn-api.md §3, V3 signing).
  if (auto e = CheckToken(key->access_key_id, header("x-acs-security-token"), now)) return e;
  std::vector<std::pair<std::string, std::string>> signed_headers;
  for (size_t start = 0; start <= fields["SignedHeaders"].size();) {
    const std::string& list = fields["SignedHeaders"];
    size_t semi = list.find(';', start);
    std::string name =
        list.substr(start, semi == std::string::npos ? std::string::npos : semi - start);
    if (!name.empty()) {
      if (!headers.count(name)) {
        return ApiError{400, "IncompleteSignature", "Signed header " + name + " is missing."};
      }
      signed_headers.emplace_back(name, header(name));
    }
    if (semi == std::string::npos) break;
    start = semi + 1;
  }
  const std::string content_sha = header("x-acs-content-sha256");
  if (content_sha != signature::Sha256Hex(body)) {
    return ApiError{400, "SignatureDoesNotMatch",
                    "x-acs-content-sha256 does not match the request body."};
  }
  const size_t q = target.find('?');
  const Params query =
      q == std::string::npos ? Params{} : signature::ParseForm(target.substr(q + 1));
  const std::string canonical = signature::V3CanonicalRequest(method, target.substr(0, q), query,
                                                              signed_headers, content_sha);
  if (!signature::SafeEquals(fields["Signature"],
                             signature::V3Signature(key->access_key_secret, canonical))) {
    return ApiError{400, "SignatureDoesNotMatch",
                    "Specified signature is not matched with our calculation. server canonical "
                    "request is:" +
                        canonical};
  }
  if (auto e = CheckFreshness(key->access_key_id, header("x-acs-date"),
                              header("x-acs-signature-nonce"), now)) {
    return e;
  }
  *user = key->user;
  if (caller != nullptr) *caller = *key;
  return std::nullopt;
}

std::optional<ApiError> RequestAuth::CheckOss(const std::string& method, const std::string& target,
                                              const std::map<std::string, std::string>& headers,
                                              const std::string& bucket, int64_t now,
                                              std::string* user, AccountKey* caller) {
  auto header = [&](const std::string& name) { return HeaderValue(headers, name); };
  const std::string auth = header("authorization");
  const size_t colon = auth.rfind(':');
  if (!auth.starts_with("OSS ") || colon == std::string::npos || colon < 4) {
    return ApiError{403, "AccessDenied", "AccessDenied: anonymous access is forbidden."};
  }
  const std::string key_id = auth.substr(4, colon - 4);
  const std::optional<AccountKey> key = FindKey(key_id);
  if (!key) {
    return ApiError{403, "InvalidAccessKeyId",
                    "The OSS Access Key Id you provided does not exist."};
  }
  if (auto e = CheckToken(key_id, header("x-oss-security-token"), now)) {
    e->status = 403;
    return e;
  }
  // The request time: x-oss-date when sent, else Date. Alibaba's own SDK (ali-oss) sends only
  // x-oss-date (a browser cannot set Date) and signs its value in Date's place; found by the
  // interop test (tests/interop/oss_sdk_client.js).
  const std::string date = header("x-oss-date").empty() ? header("date") : header("x-oss-date");
  int64_t ts = 0;
  if (!engine::ParseHttpDate(date, &ts)) {
    return ApiError{403, "AccessDenied", "Invalid date string: " + date};
  }
  if (ts < now - kTimestampWindow || ts > now + kTimestampWindow) {
    return ApiError{403, "RequestTimeTooSkewed",
                    "The difference between the request time and the current time is too large."};
  }
  const size_t q = target.find('?');
  const std::string path = target.substr(0, q);
  const std::string string_to_sign = signature::OssStringToSign(
      method, header("content-md5"), header("content-type"), date, headers,
      signature::OssCanonicalResource(bucket, path.size() > 1 ? path.substr(1) : "",
                                      q == std::string::npos ? "" : target.substr(q + 1)));
  const std::string expected =
      "OSS " + key_id + ":" + signature::OssSignature(key->access_key_secret, string_to_sign);
  if (!signature::SafeEquals(auth, expected)) {
    // OSS echoes what it signed (harmless here: no secret is part of it but the STS token).
    return ApiError{403, "SignatureDoesNotMatch",
                    "The request signature we calculated does not match the signature you "
                    "provided. StringToSign: " +
                        string_to_sign};
  }
  *user = key->user;
  if (caller != nullptr) *caller = *key;
  return std::nullopt;
}

}  // namespace certform::emulator
