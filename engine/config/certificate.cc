#include "engine/config/certificate.h"

#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <ctime>

#include "engine/base/digest.h"
#include "engine/config/trusted_roots.h"

namespace certform::engine {

namespace {

// Drains OpenSSL's thread-local error queue into one line; the queue must not leak into the next
// operation's diagnosis.
std::string TakeOpenSslErrors() {
  std::string out;
  while (unsigned long e = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    if (!out.empty()) out += "; ";
    out += buf;
  }
  return out;
}

struct BioDeleter {
  void operator()(BIO* b) const { BIO_free(b); }
};
using BioPtr = std::unique_ptr<BIO, BioDeleter>;

BioPtr MemBio(std::string_view data) {
  return BioPtr(BIO_new_mem_buf(data.data(), static_cast<int>(data.size())));
}

std::string NameToString(const X509_NAME* name) {
  BioPtr out(BIO_new(BIO_s_mem()));
  X509_NAME_print_ex(out.get(), name, 0, XN_FLAG_RFC2253);
  char* data = nullptr;
  long len = BIO_get_mem_data(out.get(), &data);
  return std::string(data, static_cast<size_t>(len));
}

int64_t AsnTimeToUnix(const ASN1_TIME* t) {
  std::tm tm{};
  if (ASN1_TIME_to_tm(t, &tm) != 1) return 0;
  return static_cast<int64_t>(timegm(&tm));
}

std::vector<std::string> DnsNames(X509* cert) {
  std::vector<std::string> out;
  auto* names =
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
  if (names == nullptr) return out;
  for (int i = 0; i < sk_GENERAL_NAME_num(names); ++i) {
    const GENERAL_NAME* gn = sk_GENERAL_NAME_value(names, i);
    if (gn->type != GEN_DNS) continue;
    const ASN1_IA5STRING* s = gn->d.dNSName;
    out.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                     static_cast<size_t>(ASN1_STRING_length(s)));
  }
  GENERAL_NAMES_free(names);
  return out;
}

std::string KeyType(const EVP_PKEY* key) {
  if (key == nullptr) return "unknown";
  const int bits = EVP_PKEY_get_bits(key);
  switch (EVP_PKEY_get_base_id(key)) {
    case EVP_PKEY_RSA:
      return "RSA " + std::to_string(bits);
    case EVP_PKEY_EC: {
      char group[64] = {0};
      size_t len = 0;
      if (EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group,
                                         &len) == 1) {
        std::string g(group, len);
        if (g == "prime256v1") g = "P-256";
        if (g == "secp384r1") g = "P-384";
        if (g == "secp521r1") g = "P-521";
        return "EC " + g;
      }
      return "EC " + std::to_string(bits);
    }
    case EVP_PKEY_ED25519:
      return "Ed25519";
    default:
      return "other " + std::to_string(bits);
  }
}

std::string SerialHex(X509* cert) {
  BIGNUM* bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), nullptr);
  if (bn == nullptr) return "";
  char* hex = BN_bn2hex(bn);
  std::string out = hex != nullptr ? hex : "";
  OPENSSL_free(hex);
  BN_free(bn);
  return out;
}

std::string Describe(X509* cert) { return NameToString(X509_get_subject_name(cert)); }

// Refuses to prompt: OpenSSL would otherwise read a passphrase from the terminal.
int NoPassphrase(char*, int, int, void*) { return -1; }

// A root: issued and signed by itself.
bool IsRoot(X509* cert) {
  const bool root =
      X509_check_issued(cert, cert) == X509_V_OK && X509_verify(cert, X509_get0_pubkey(cert)) == 1;
  TakeOpenSslErrors();
  return root;
}

}  // namespace

std::string ChainDigestOf(const std::vector<std::string>& ders) {
  // DER is self-delimiting, so the concatenation names one sequence of certificates.
  std::string chain;
  for (size_t i = 1; i < ders.size(); ++i) chain += ders[i];
  return Sha256Hex(chain);
}

std::string ShortChainDigest(const std::string& chain_digest) {
  return chain_digest == kNoIntermediatesDigest ? "none" : ShortFingerprint(chain_digest);
}

CertificateChain::CertificateChain() = default;

CertificateChain::~CertificateChain() {
  for (X509* c : certs_) X509_free(c);
}

CertificateChain::CertificateChain(CertificateChain&& other) noexcept
    : certs_(std::move(other.certs_)) {
  other.certs_.clear();
}

CertificateChain& CertificateChain::operator=(CertificateChain&& other) noexcept {
  if (this != &other) {
    for (X509* c : certs_) X509_free(c);
    certs_ = std::move(other.certs_);
    other.certs_.clear();
  }
  return *this;
}

Status CertificateChain::Parse(std::string_view pem, CertificateChain* out) {
  ERR_clear_error();
  CertificateChain chain;
  BioPtr bio = MemBio(pem);
  for (;;) {
    X509* cert = PEM_read_bio_X509(bio.get(), nullptr, NoPassphrase, nullptr);
    if (cert == nullptr) break;
    chain.certs_.push_back(cert);
  }
  // Reaching the end of input shows up as "no start line"; anything else is a broken block.
  unsigned long last = ERR_peek_last_error();
  bool clean_end = last == 0 || (ERR_GET_LIB(last) == ERR_LIB_PEM &&
                                 ERR_GET_REASON(last) == PEM_R_NO_START_LINE);
  std::string errors = TakeOpenSslErrors();
  if (!clean_end) {
    return Status::InvalidArgument("certificate is not valid PEM: " + errors);
  }
  if (chain.certs_.empty()) {
    return Status::InvalidArgument(
        "certificate is not valid PEM: no \"-----BEGIN CERTIFICATE-----\" block found");
  }
  *out = std::move(chain);
  return Status::OK();
}

std::string CertificateChain::ToPem() const {
  BioPtr bio(BIO_new(BIO_s_mem()));
  std::string pem;
  if (!bio) return pem;
  for (X509* cert : certs_) {
    if (PEM_write_bio_X509(bio.get(), cert) != 1) return "";
  }
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio.get(), &data);
  if (len > 0) pem.assign(data, static_cast<size_t>(len));
  return pem;
}

std::string OpenSslVersion() { return OpenSSL_version(OPENSSL_VERSION); }

bool HasPrivateKeyBlock(std::string_view pem) {
  return pem.find("PRIVATE KEY-----") != std::string_view::npos;
}

CertificateInfo CertificateChain::Inspect() const {
  CertificateInfo info;
  X509* leaf = certs_.front();
  unsigned char* der = nullptr;
  int len = i2d_X509(leaf, &der);
  if (len > 0) {
    info.fingerprint =
        Sha256Hex(std::string_view(reinterpret_cast<const char*>(der), static_cast<size_t>(len)));
  }
  OPENSSL_free(der);
  info.subject = NameToString(X509_get_subject_name(leaf));
  info.issuer = NameToString(X509_get_issuer_name(leaf));
  info.sans = DnsNames(leaf);
  info.not_before = AsnTimeToUnix(X509_get0_notBefore(leaf));
  info.not_after = AsnTimeToUnix(X509_get0_notAfter(leaf));
  info.key_type = KeyType(X509_get0_pubkey(leaf));
  info.serial = SerialHex(leaf);
  info.chain_length = static_cast<int>(certs_.size());
  std::vector<std::string> ders;
  for (X509* cert : certs_) {
    unsigned char* bytes = nullptr;
    const int n = i2d_X509(cert, &bytes);
    ders.emplace_back(n > 0 ? std::string(reinterpret_cast<const char*>(bytes), n) : "");
    OPENSSL_free(bytes);
  }
  info.chain_digest = ChainDigestOf(ders);
  info.chain_digest_without_root = info.chain_digest;
  if (certs_.size() > 1 && IsRoot(certs_.back())) {
    ders.pop_back();
    info.chain_digest_without_root = ChainDigestOf(ders);
  }
  return info;
}

Status CertificateChain::CheckOrder() const {
  for (size_t i = 0; i + 1 < certs_.size(); ++i) {
    X509* subject = certs_[i];
    X509* issuer = certs_[i + 1];
    bool named = X509_check_issued(issuer, subject) == X509_V_OK;
    bool signed_by = named && X509_verify(subject, X509_get0_pubkey(issuer)) == 1;
    TakeOpenSslErrors();
    if (!signed_by) {
      return Status::InvalidArgument(
          "certificate chain is out of order: certificate " + std::to_string(i + 2) + " (" +
          Describe(issuer) + ") did not issue certificate " + std::to_string(i + 1) + " (" +
          Describe(subject) + "); put the leaf first, then each issuer in turn");
    }
  }
  return Status::OK();
}

CertificateChain::End CertificateChain::CheckEnd(const TrustedRoots& roots) const {
  if (certs_.empty()) return End::kIncomplete;
  if (IsRoot(certs_.back())) return End::kRoot;
  if (!roots.Available()) return End::kUnchecked;
  // Any certificate of the chain will do, not only the last: a chain may end in a cross-signed
  // root whose own issuer is no longer trusted while it, as a root, is (Let's Encrypt's long
  // chain ended so). Every certificate before it is in order, so clients reach that root.
  for (X509* c : certs_) {
    if (roots.Issued(c)) return End::kTrustedIssuer;
  }
  return End::kIncomplete;
}

std::string CertificateChain::IssuerOf(size_t i) const {
  return i < certs_.size() ? NameToString(X509_get_issuer_name(certs_[i])) : "";
}

std::string CertificateChain::SubjectOf(size_t i) const {
  return i < certs_.size() ? Describe(certs_[i]) : "";
}

PrivateKey::PrivateKey() = default;
PrivateKey::~PrivateKey() { EVP_PKEY_free(key_); }
PrivateKey::PrivateKey(PrivateKey&& other) noexcept : key_(other.key_) { other.key_ = nullptr; }
PrivateKey& PrivateKey::operator=(PrivateKey&& other) noexcept {
  if (this != &other) {
    EVP_PKEY_free(key_);
    key_ = other.key_;
    other.key_ = nullptr;
  }
  return *this;
}

Status PrivateKey::Parse(std::string_view pem, PrivateKey* out) {
  if (pem.find("ENCRYPTED PRIVATE KEY") != std::string_view::npos ||
      pem.find("Proc-Type: 4,ENCRYPTED") != std::string_view::npos) {
    return Status::InvalidArgument(
        "private key is encrypted; certform needs it unencrypted (decrypt it with "
        "\"openssl pkey -in KEY -out KEY.plain\" and keep the result out of git)");
  }
  ERR_clear_error();
  BioPtr bio = MemBio(pem);
  EVP_PKEY* key = PEM_read_bio_PrivateKey(bio.get(), nullptr, NoPassphrase, nullptr);
  std::string errors = TakeOpenSslErrors();
  if (key == nullptr) {
    return Status::InvalidArgument(
        "private key is not valid PEM (RSA or EC, PKCS#1, SEC1 or "
        "PKCS#8 expected): " +
        errors);
  }
  int id = EVP_PKEY_get_base_id(key);
  if (id != EVP_PKEY_RSA && id != EVP_PKEY_EC) {
    EVP_PKEY_free(key);
    return Status::InvalidArgument(
        "private key type is not supported by Alibaba Cloud (RSA or EC)");
  }
  EVP_PKEY_free(out->key_);
  out->key_ = key;
  return Status::OK();
}

bool PrivateKey::Matches(const CertificateChain& chain) const {
  if (key_ == nullptr || chain.size() == 0) return false;
  bool ok = X509_check_private_key(chain.leaf(), key_) == 1;
  TakeOpenSslErrors();
  return ok;
}

int PrivateKey::MatchingCertificate(const CertificateChain& chain) const {
  if (key_ == nullptr) return -1;
  for (size_t i = 0; i < chain.size(); ++i) {
    const bool ok = X509_check_private_key(chain.at(i), key_) == 1;
    TakeOpenSslErrors();
    if (ok) return static_cast<int>(i);
  }
  return -1;
}

void WipeSecret(std::string* secret) {
  if (secret->empty()) return;
  OPENSSL_cleanse(secret->data(), secret->size());
  secret->clear();
  secret->shrink_to_fit();
}

}  // namespace certform::engine
