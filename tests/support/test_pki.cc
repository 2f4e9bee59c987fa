#include "tests/support/test_pki.h"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <stdexcept>

namespace certform::testing {

namespace {

EVP_PKEY* NewKey(KeyKind kind) {
  EVP_PKEY* key = kind == KeyKind::kRsa ? EVP_RSA_gen(2048) : EVP_EC_gen("P-256");
  if (key == nullptr) throw std::runtime_error("key generation failed");
  return key;
}

std::string BioText(BIO* bio) {
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  std::string out(data, static_cast<size_t>(len));
  BIO_free(bio);
  return out;
}

void AddExtension(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
  if (ext == nullptr) throw std::runtime_error("bad extension " + value);
  X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
}

}  // namespace

TestCert::TestCert(X509* cert, EVP_PKEY* key) : cert_(cert), key_(key) {}
TestCert::~TestCert() {
  X509_free(cert_);
  EVP_PKEY_free(key_);
}
TestCert::TestCert(TestCert&& o) noexcept : cert_(o.cert_), key_(o.key_) {
  o.cert_ = nullptr;
  o.key_ = nullptr;
}

std::string TestCert::CertPem() const {
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_X509(bio, cert_);
  return BioText(bio);
}

std::string TestCert::KeyPem(KeyFormat format) const {
  BIO* bio = BIO_new(BIO_s_mem());
  switch (format) {
    case KeyFormat::kPkcs8:
      PEM_write_bio_PKCS8PrivateKey(bio, key_, nullptr, nullptr, 0, nullptr, nullptr);
      break;
    case KeyFormat::kTraditional:
      PEM_write_bio_PrivateKey_traditional(bio, key_, nullptr, nullptr, 0, nullptr, nullptr);
      break;
    case KeyFormat::kEncryptedPkcs8: {
      char pass[] = "secret";
      PEM_write_bio_PKCS8PrivateKey(bio, key_, EVP_aes_256_cbc(), pass, 6, nullptr, nullptr);
      break;
    }
  }
  return BioText(bio);
}

std::string TestCert::Fingerprint() const {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  X509_digest(cert_, EVP_sha256(), md, &len);
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned i = 0; i < len; ++i) {
    out.push_back(kHex[md[i] >> 4]);
    out.push_back(kHex[md[i] & 15]);
  }
  return out;
}

TestCert IssueCert(const CertSpec& spec, const TestCert* issuer) {
  EVP_PKEY* key = NewKey(spec.key);
  X509* cert = X509_new();
  X509_set_version(cert, 2);
  static long serial = 1000;
  ASN1_INTEGER_set(X509_get_serialNumber(cert), ++serial);
  X509_gmtime_adj(X509_getm_notBefore(cert), static_cast<long>(spec.not_before_offset));
  X509_gmtime_adj(X509_getm_notAfter(cert), static_cast<long>(spec.not_after_offset));
  X509_set_pubkey(cert, key);
  X509_NAME* name = X509_get_subject_name(cert);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(spec.cn.c_str()), -1, -1, 0);
  X509* issuer_cert = issuer ? issuer->cert() : cert;
  X509_set_issuer_name(cert, X509_get_subject_name(issuer_cert));
  AddExtension(cert, issuer_cert, NID_basic_constraints, spec.ca ? "critical,CA:TRUE" : "CA:FALSE");
  AddExtension(cert, issuer_cert, NID_subject_key_identifier, "hash");
  if (!spec.sans.empty()) {
    std::string sans;
    for (const std::string& s : spec.sans) {
      if (!sans.empty()) sans += ",";
      sans += s.starts_with("IP:") ? s : "DNS:" + s;  // "IP:127.0.0.1" for servers
    }
    AddExtension(cert, issuer_cert, NID_subject_alt_name, sans);
  }
  X509_sign(cert, issuer ? issuer->key() : key, EVP_sha256());
  return TestCert(cert, key);
}

}  // namespace certform::testing
