#include "providers/alicloud/emulator/certificate_check.h"

#include "engine/config/certificate.h"

namespace certform::emulator {

std::string FingerprintOf(const std::string& pem) {
  if (pem.empty()) return "";
  engine::CertificateChain chain;
  if (!engine::CertificateChain::Parse(pem, &chain).ok()) return "";
  return chain.Inspect().fingerprint;
}

std::optional<ApiError> CheckUpload(const std::string& cert_pem, const std::string& key_pem,
                                    std::string* fingerprint) {
  engine::CertificateChain chain;
  if (!engine::CertificateChain::Parse(cert_pem, &chain).ok()) {
    return ApiError{400, "Certificate.FormatError", "The format of the certificate is invalid."};
  }
  engine::PrivateKey key;
  if (!engine::PrivateKey::Parse(key_pem, &key).ok()) {
    return ApiError{400, "Key.Malformed", "The private key format is error."};
  }
  if (!key.Matches(chain)) {
    return ApiError{400, "Certificate.MissMatch", "The certificate is not match the private key."};
  }
  *fingerprint = chain.Inspect().fingerprint;
  return std::nullopt;
}

}  // namespace certform::emulator
