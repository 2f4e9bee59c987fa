// Certificate and private-key inspection (the only OpenSSL X509/PEM user in the engine).
//
// Parses PEM input, checks it the way the CDN API would (key matches, chain in order) and records
// the facts certform stores and shows: never the key itself. OpenSSL's error queue is translated
// into Status here and nowhere else.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/base/status.h"

struct x509_st;
struct evp_pkey_st;

namespace certform::engine {

class TrustedRoots;

// What certform records about a certificate. Nothing here is secret.
struct CertificateInfo {
  std::string fingerprint;        // SHA-256 of the leaf's DER, lower-case hex
  std::string subject;            // RFC 2253, e.g. "CN=www.example.com,O=Example"
  std::string issuer;             // RFC 2253
  std::vector<std::string> sans;  // the leaf's dNSName entries, in certificate order
  int64_t not_before = 0;         // Unix seconds
  int64_t not_after = 0;          // Unix seconds
  std::string key_type;           // "RSA 2048", "EC P-256", ...
  std::string serial;             // hex
  int chain_length = 0;           // certificates in the PEM, leaf included
  // SHA-256 of the DER of the certificates after the leaf (the intermediates, and a root if the
  // file holds one), concatenated in file order, lower-case hex. A leaf alone hashes zero bytes
  // (e3b0c442…): an empty chain has a digest too, so that "" always means "not known".
  std::string chain_digest;
  // chain_digest with a root at the end of the file left out (a last certificate issued by
  // itself): what a server that does not send the root presents. chain_digest when there is none.
  std::string chain_digest_without_root;

  bool operator==(const CertificateInfo&) const = default;
};

// CertificateInfo::chain_digest of a leaf alone (SHA-256 of no bytes).
inline constexpr char kNoIntermediatesDigest[] =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

// The chain digest (CertificateInfo::chain_digest) of `ders`, the DER of each certificate leaf
// first: SHA-256 of the certificates after the leaf, concatenated. Also what a TLS handshake's
// chain is compared by (ServedChain::chain_digest).
std::string ChainDigestOf(const std::vector<std::string>& ders);

// "none" for a leaf alone, else the first 8 digits of `chain_digest` and "…" (for messages).
std::string ShortChainDigest(const std::string& chain_digest);

// A parsed chain of certificates, leaf first. Move-only; owns its X509 objects.
class CertificateChain {
 public:
  CertificateChain();
  ~CertificateChain();
  CertificateChain(CertificateChain&&) noexcept;
  CertificateChain& operator=(CertificateChain&&) noexcept;

  // Parses every CERTIFICATE block of `pem`. InvalidArgument "certificate is not valid PEM: ..."
  // when there is none or one cannot be decoded.
  static Status Parse(std::string_view pem, CertificateChain* out);

  CertificateInfo Inspect() const;

  // The certificates alone, leaf first, re-encoded as PEM: what is sent to the API, never other
  // blocks of the file it came from (a bundle's private key). Empty if encoding fails.
  std::string ToPem() const;

  // OK when each certificate is issued (name and signature) by the one after it; InvalidArgument
  // naming the first pair out of order otherwise.
  Status CheckOrder() const;

  // How the chain ends. A chain need not hold its root, but it must lead to one: its last
  // certificate is a root (issued by itself), or is issued by one of `roots`. Otherwise it is
  // incomplete (certbot's cert.pem instead of fullchain.pem): browsers may fill the gap, but
  // other clients fail. kUnchecked when `roots` is not Available() (no trust store).
  enum class End { kRoot, kTrustedIssuer, kIncomplete, kUnchecked };
  End CheckEnd(const TrustedRoots& roots) const;
  // The issuer of certificate `i` (0: the leaf), RFC 2253, for messages.
  std::string IssuerOf(size_t i) const;

  size_t size() const { return certs_.size(); }
  x509_st* leaf() const { return certs_.front(); }
  // The subject of certificate `i` (0: the leaf), RFC 2253, for messages.
  std::string SubjectOf(size_t i) const;
  x509_st* at(size_t i) const { return certs_[i]; }

 private:
  std::vector<x509_st*> certs_;
};

// A parsed private key. Move-only; the key material is freed (and cleared by OpenSSL) with it.
class PrivateKey {
 public:
  PrivateKey();
  ~PrivateKey();
  PrivateKey(PrivateKey&&) noexcept;
  PrivateKey& operator=(PrivateKey&&) noexcept;

  // Accepts RSA and EC keys in PKCS#1, SEC1 and PKCS#8 PEM. Never prompts for a passphrase: an
  // encrypted key is InvalidArgument "private key is encrypted ...".
  static Status Parse(std::string_view pem, PrivateKey* out);

  // True when this key is the leaf certificate's key (the API's Certificate.MissMatch otherwise).
  bool Matches(const CertificateChain& chain) const;
  // The index in `chain` of the certificate this key belongs to (0: the leaf), or -1 when none:
  // a chain whose leaf is not first is an order mistake, not a wrong key.
  int MatchingCertificate(const CertificateChain& chain) const;

 private:
  evp_pkey_st* key_ = nullptr;
};

// The OpenSSL library in use, e.g. "OpenSSL 3.0.11 19 Sep 2023" (for `certform version`).
std::string OpenSslVersion();

// True when `pem` holds a private key block (any "... PRIVATE KEY-----" header).
bool HasPrivateKeyBlock(std::string_view pem);

// Overwrites a string holding secret material before it is released.
void WipeSecret(std::string* secret);

}  // namespace certform::engine
