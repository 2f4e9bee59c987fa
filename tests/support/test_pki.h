// Certificates and keys made at test time (no private key is committed to the repository).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

struct x509_st;
struct evp_pkey_st;

namespace certform::testing {

enum class KeyKind { kRsa, kEc };
enum class KeyFormat {
  kPkcs8,           // "BEGIN PRIVATE KEY"
  kTraditional,     // PKCS#1 "BEGIN RSA PRIVATE KEY" or SEC1 "BEGIN EC PRIVATE KEY"
  kEncryptedPkcs8,  // "BEGIN ENCRYPTED PRIVATE KEY", passphrase "secret"
};

struct CertSpec {
  std::string cn = "test";
  std::vector<std::string> sans;
  int64_t not_before_offset = -86400;     // seconds relative to now
  int64_t not_after_offset = 90 * 86400;  // seconds relative to now
  KeyKind key = KeyKind::kEc;
  bool ca = false;
};

class TestCert {
 public:
  TestCert(x509_st* cert, evp_pkey_st* key);
  ~TestCert();
  TestCert(TestCert&&) noexcept;
  TestCert(const TestCert&) = delete;
  TestCert& operator=(const TestCert&) = delete;

  std::string CertPem() const;
  std::string KeyPem(KeyFormat format = KeyFormat::kPkcs8) const;
  // SHA-256 of the DER, computed independently of certform's code (X509_digest).
  std::string Fingerprint() const;

  x509_st* cert() const { return cert_; }
  evp_pkey_st* key() const { return key_; }

 private:
  x509_st* cert_;
  evp_pkey_st* key_;
};

// Issues a certificate for `spec`, signed by `issuer` (self-signed when null).
TestCert IssueCert(const CertSpec& spec, const TestCert* issuer = nullptr);

}  // namespace certform::testing
