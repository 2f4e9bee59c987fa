#include "providers/alicloud/emulator/request_auth.h"

#include <ctime>

namespace certform::emulator {

namespace {

constexpr int64_t kTimestampWindow = 15 * 60;
constexpr int64_t kNonceMemory = 31 * 60;  // anecdotally the API remembers nonces ~31 minutes

// "2026-11-27T19:43:44Z" → Unix seconds; -1 when malformed.
int64_t ParseTimestamp(const std::string& s) {
  std::tm tm{};
  const char* end = strptime(s.c_str(), "%Y-%m-%dT%H:%M:%SZ", &tm);
  if (end == nullptr || *end != '\0') return -1;
  return static_cast<int64_t>(timegm(&tm));
}

}  // namespace

std::string Param(const alicloud::Params& params, const std::string& name) {
  for (const auto& [k, v] : params) {
    if (k == name) return v;
  }
  return "";
}

std::optional<ApiError> RequestAuth::Check(const std::string& method,
                                           const alicloud::Params& params, int64_t now,
                                           std::string* user) {
  const std::string key_id = Param(params, "AccessKeyId");
  if (key_id.empty()) {
    return ApiError{400, "MissingAccessKeyId", "AccessKeyId is mandatory for this action."};
  }
  if (Param(params, "SignatureMethod") != "HMAC-SHA1" ||
      Param(params, "SignatureVersion") != "1.0") {
    return ApiError{400, "InvalidSignatureMethod", "Specified signature method is not valid."};
  }
  const AccountKey* key = nullptr;
  for (const AccountKey& k : keys_) {
    if (k.access_key_id == key_id) key = &k;
  }
  if (key == nullptr) {
    return ApiError{404, "InvalidAccessKeyId.NotFound", "Specified access key is not found."};
  }
  const std::string timestamp = Param(params, "Timestamp");
  const int64_t ts = ParseTimestamp(timestamp);
  if (ts < 0) {
    return ApiError{400, "InvalidTimeStamp.Format",
                    "Specified time stamp or date value is not well formatted."};
  }
  if (ts < now - kTimestampWindow || ts > now + kTimestampWindow) {
    return ApiError{400, "InvalidTimeStamp.Expired",
                    "Specified time stamp or date value is expired."};
  }
  const std::string signature = Param(params, "Signature");
  const std::string string_to_sign = alicloud::StringToSign(method, params);
  if (!alicloud::SafeEquals(signature,
                            alicloud::SignString(key->access_key_secret, string_to_sign))) {
    return ApiError{400, "SignatureDoesNotMatch",
                    "Specified signature is not matched with our calculation. server string to "
                    "sign is:" +
                        string_to_sign};
  }
  const std::string nonce = Param(params, "SignatureNonce");
  if (nonce.empty()) {
    return ApiError{400, "MissingSignatureNonce", "SignatureNonce is mandatory for this action."};
  }
  for (auto it = nonces_.begin(); it != nonces_.end();) {
    it = it->second < now - kNonceMemory ? nonces_.erase(it) : std::next(it);
  }
  if (!nonces_.emplace(key_id + ":" + nonce, now).second) {
    return ApiError{400, "SignatureNonceUsed", "Specified signature nonce was used already."};
  }
  *user = key->user;
  return std::nullopt;
}

}  // namespace certform::emulator
