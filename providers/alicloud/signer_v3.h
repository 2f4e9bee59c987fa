// Alibaba Cloud signature V3 (ACS3-HMAC-SHA256), as the current official SDKs sign
// (alibaba-cdn-api.md §3.4). certform itself signs with V1; the emulator verifies both, so that
// the official SDKs can be pointed at it.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "providers/alicloud/signer.h"

namespace certform::alicloud {

inline constexpr char kV3Algorithm[] = "ACS3-HMAC-SHA256";

// METHOD \n PATH \n canonical query \n "name:value\n" per header \n signed names \n payload hash.
// `headers` are the signed headers: lower-case names (sorted here), values trimmed here.
std::string CanonicalRequestV3(const std::string& method, const std::string& path,
                               const Params& query,
                               std::vector<std::pair<std::string, std::string>> headers,
                               const std::string& hashed_payload);

// "host;x-acs-action;..." for `headers` (lower-case, sorted).
std::string SignedHeaderNames(std::vector<std::pair<std::string, std::string>> headers);

// hex(HMAC-SHA256(secret, "ACS3-HMAC-SHA256\n" + hex(sha256(canonical_request)))).
std::string SignV3(const std::string& secret, const std::string& canonical_request);

}  // namespace certform::alicloud
