// The gateway's authentication, shared by every service handler: the AccessKeys and STS keys,
// and the checks of a V1-signed RPC request (signature method and version, AccessKeyId,
// Timestamp within 15 minutes, SignatureNonce not reused, the HMAC-SHA1 signature itself), of a
// V3-signed one and of an OSS V1-signed one. The signatures are recomputed by signature_check.h,
// never by certform's client signers. Thread-safe: its own mutex guards the nonces and STS keys.
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "engine/base/clock.h"
#include "providers/alicloud/emulator/api_response.h"
#include "providers/alicloud/emulator/emulator_config.h"
#include "providers/alicloud/emulator/signature_check.h"

namespace certform::emulator {

// The value of header `name` (lower case) in `headers` (lower-case names), "" when absent.
inline std::string HeaderValue(const std::map<std::string, std::string>& headers,
                               const std::string& name) {
  auto it = headers.find(name);
  return it == headers.end() ? std::string() : it->second;
}

class RequestAuth {
 public:
  explicit RequestAuth(std::vector<AccountKey> keys) : keys_(std::move(keys)) {}

  // The error to answer, or nullopt when the request is authentic; on success `user` is the
  // owning user and `caller` (when given) the key that signed it. `params` were decoded from the
  // query and the form body; the signature is re-computed from them with `method` (the actual HTTP
  // verb).
  std::optional<ApiError> Check(const std::string& method, const Params& params, int64_t now_unix,
                                std::string* user, AccountKey* caller = nullptr);
  // The same checks for a V3-signed request (Authorization: ACS3-HMAC-SHA256 ...): `headers` with
  // lower-case names, `target` the path and raw query, `body` the raw body.
  std::optional<ApiError> CheckV3(const std::string& method, const std::string& target,
                                  const std::map<std::string, std::string>& headers,
                                  const std::string& body, int64_t now_unix, std::string* user,
                                  AccountKey* caller = nullptr);
  // The same checks for an OSS request signed with signature V1 ("Authorization: OSS ID:SIG",
  // signature_check.h): the key, its STS token (x-oss-security-token), the Date within 15 minutes
  // and the signature over `bucket` and the request's path and query. OSS answers 403 for each.
  std::optional<ApiError> CheckOss(const std::string& method, const std::string& target,
                                   const std::map<std::string, std::string>& headers,
                                   const std::string& bucket, int64_t now_unix, std::string* user,
                                   AccountKey* caller = nullptr);
  void ForgetNonces();
  // An STS key: valid with `security_token` until `expiration` (Unix seconds).
  void AddTemporaryKey(AccountKey key, std::string security_token, int64_t expiration);
  void ForgetTemporaryKeys();

 private:
  struct TemporaryKey {
    AccountKey key;
    std::string security_token;
    int64_t expiration = 0;
  };
  // A copy: the STS table may change once the lock is released.
  std::optional<AccountKey> FindKey(const std::string& id) const;
  // For an STS key: the error when `token` is missing, not the key's, or expired.
  std::optional<ApiError> CheckToken(const std::string& key_id, const std::string& token,
                                     int64_t now) const;
  // Timestamp within 15 minutes (`format_ok` false: unparsable) and nonce not used before.
  std::optional<ApiError> CheckFreshness(const std::string& key_id, const std::string& timestamp,
                                         const std::string& nonce, int64_t now);

  const std::vector<AccountKey> keys_;
  mutable std::mutex mu_;
  std::map<std::string, TemporaryKey> temporary_;  // by AccessKeyId
  std::map<std::string, int64_t> nonces_;          // "key:nonce" → when first seen
};

// The first value of `name` in `params`, or "".
std::string Param(const Params& params, const std::string& name);

}  // namespace certform::emulator
