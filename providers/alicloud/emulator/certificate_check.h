// The checks every service applies to a certificate it is given or serves (CDN, DCDN, CAS, OSS).
#pragma once

#include <optional>
#include <string>

#include "providers/alicloud/emulator/api_response.h"

namespace certform::emulator {

// SHA-256 of the leaf of `pem`, or "" when there is none or it does not parse.
std::string FingerprintOf(const std::string& pem);

// Checks an uploaded certificate and key as the API does: Certificate.FormatError,
// Key.Malformed, Certificate.MissMatch. On success `fingerprint` is the leaf's.
std::optional<ApiError> CheckUpload(const std::string& cert_pem, const std::string& key_pem,
                                    std::string* fingerprint);

}  // namespace certform::emulator
